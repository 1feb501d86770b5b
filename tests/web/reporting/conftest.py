"""The monitor with accounts and access and the reporting pages, over a fresh, migrated SQLite database holding
only SYNTHETIC statistics (BL05 published, BL02 hidden, BU01 absent for 5001 in 2019), SYNTHETIC people (Kari
reports for 5001, Ola reads 5001, Per reports for 5006, Anne advises region Midt, Siri is an analyst) and a round
of the SYNTHETIC form (tests/store/reporting/synthetic.py). The reporting router is included here as the lead
includes it in web/app.py."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from boligmonitor.store import Store, create_engine_for, migrate
from boligmonitor.store.accounts import AccountStore, Actor, IssuedSession
from boligmonitor.store.reporting import Report, ReportingRound, ReportStore
from boligmonitor.web.auth import SESSION_COOKIE
from boligmonitor.web.views.reporting.routes import router as reporting_router
from tests.store.accounts.synthetic import FakeClock
from tests.store.conftest import postgres_url  # noqa: F401  (the fixture, for the PostgreSQL site)
from tests.store.reporting.synthetic import (
    CLI,
    CLOSES_AT,
    OPENS_AT,
    PROGRAMME,
    SYNTHETIC_YEAR,
    actor,
    make_accounts,
    put_synthetic_statistics,
    report_store,
)
from tests.web.auth.conftest import build_app

KARI: Final = "kari@kommune.example"  # reporter, 5001
OLA: Final = "ola@kommune.example"  # reader, 5001
PER: Final = "per@kommune.example"  # reporter, 5006
ANNE: Final = "anne@husbanken.example"  # adviser, region Midt (county 50)
SIRI: Final = "siri@husbanken.example"  # analyst
CSRF_PATTERN: Final = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION_PATTERN: Final = re.compile(r'name="expected_version" value="([0-9]+)"')


def include_reporting(app: FastAPI) -> None:
    """What the lead adds to web/app.py's create_app."""
    app.include_router(reporting_router)


@dataclass
class ReportingSite:
    app: FastAPI
    accounts: AccountStore
    reports: ReportStore
    clock: FakeClock
    round: ReportingRound

    def browser(self, email: str | None) -> TestClient:
        """A fresh browser, signed in as ``email`` (or nobody)."""
        client = TestClient(self.app)
        if email is not None:
            issued = self.accounts.sign_in_verified(email, method="oidc", client_address="testclient")
            assert isinstance(issued, IssuedSession)
            client.cookies.set(SESSION_COOKIE, issued.token, domain="testserver.local")
        return client

    def actor(self, email: str) -> Actor:
        return actor(self.accounts, email)

    def report(self, municipality: str = "5001") -> Report:
        """The municipality's report in the round, as stored."""
        found = self.reports.report_for(self.round.id, municipality)
        assert found is not None
        return found

    @property
    def form_path(self) -> str:
        return f"/rapportering/{self.round.id}/5001"


def csrf_from(response: httpx.Response) -> str:
    found = CSRF_PATTERN.search(response.text)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def version_from(response: httpx.Response) -> str:
    found = VERSION_PATTERN.search(response.text)
    assert found is not None, "the page has no report form"
    return found.group(1)


def field_errors(response: httpx.Response) -> dict[str, str]:
    """The error shown next to each field: its question id -> the message."""
    return dict(
        re.findall(r'<p class="ds-validation-message"[^>]*id="field-([a-z0-9_-]+)-error">([^<]*)</p>', response.text)
    )


def summary_links(response: httpx.Response) -> list[str]:
    """The error summary's links, in order."""
    block = response.text.split('id="error-summary"', 1)
    assert len(block) == 2, "no error summary"
    return re.findall(r'href="#field-([a-z0-9_-]+)"', block[1].split("</div>", 1)[0])


@pytest.fixture(scope="session")
def reporting_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the SYNTHETIC statistics, once per session (copied per test)."""
    path = tmp_path_factory.mktemp("reporting-template") / "reporting.sqlite"
    engine = create_engine_for(f"sqlite:///{path}")
    migrate(engine)
    store = Store(engine)
    put_synthetic_statistics(store)
    store.close()
    return path


@pytest.fixture
def site(tmp_path: Path, reporting_template: Path) -> Iterator[ReportingSite]:
    yield from _site_over(sqlite_copy(tmp_path, reporting_template))


@pytest.fixture(params=["sqlite", "postgres"])
def site_on_each_database(
    request: pytest.FixtureRequest, tmp_path: Path, reporting_template: Path
) -> Iterator[ReportingSite]:
    """The same site on SQLite and on PostgreSQL: for the checks the issue asks of both databases (the
    authorisation matrix)."""
    yield from _site_over(statistics_database(request, tmp_path, reporting_template))


def sqlite_copy(tmp_path: Path, template: Path) -> str:
    """The URL of a copy of the migrated template with the SYNTHETIC statistics."""
    path = tmp_path / "site.sqlite"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def statistics_database(request: pytest.FixtureRequest, tmp_path: Path, template: Path) -> str:
    """For a fixture parametrised "sqlite"/"postgres": a copy of the SQLite template, or a fresh, migrated
    PostgreSQL schema holding the same SYNTHETIC statistics."""
    if request.param == "sqlite":
        return sqlite_copy(tmp_path, template)
    url: str = request.getfixturevalue("postgres_url")
    engine = create_engine_for(url)
    migrate(engine)
    store = Store(engine)
    put_synthetic_statistics(store)
    store.close()
    return url


def _site_over(url: str) -> Iterator[ReportingSite]:
    clock = FakeClock()
    engine = create_engine_for(url)
    accounts = make_accounts(engine, clock)
    reports = report_store(engine, clock)
    reporting = reports.create_round(PROGRAMME, SYNTHETIC_YEAR, opens_at=OPENS_AT, closes_at=CLOSES_AT, actor=CLI)
    app = build_app(url, accounts)
    app.state.reporting = reports
    include_reporting(app)
    with TestClient(app):  # the app's lifespan (the monitor's data) for the browsers made per test
        yield ReportingSite(app, accounts, reports, clock, reporting)
    engine.dispose()
