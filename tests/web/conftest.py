"""The web app over the session's database (built once from ../shared/data)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from boligmonitor.web.app import create_app


@pytest.fixture(scope="session")
def web_client(built_database: Path) -> Iterator[TestClient]:
    app = create_app(f"sqlite:///{built_database}")
    with TestClient(app) as client:
        yield client
