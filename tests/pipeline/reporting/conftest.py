"""Fixtures for the notification jobs: the reporting store on SQLite and PostgreSQL (the store tests' fixtures,
with SYNTHETIC people and a round of the SYNTHETIC form) and a real SMTP server on loopback, started once per
module and emptied before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pipeline.reporting.smtp_server import SmtpServer, running_smtp_server
from tests.store.conftest import (  # noqa: F401 - fixtures
    backend_url,
    migrated_sqlite_template,
    postgres_url,
    sqlite_path,
    sqlite_url,
    store,
)
from tests.store.reporting.conftest import accounts, clock, data_version, reports, synthetic_round  # noqa: F401


@pytest.fixture(scope="module")
def smtp_module() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def smtp(smtp_module: SmtpServer) -> SmtpServer:
    smtp_module.mailbox.reset()
    return smtp_module
