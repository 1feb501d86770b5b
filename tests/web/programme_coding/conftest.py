"""The monitor with accounts and the open-answer pages over a fresh SQLite database with SYNTHETIC statistics,
people (tests/store/reporting/synthetic.py: Kari reports for 5001, Ola reads 5001, Anne advises region Midt
(county 50), Siri is an analyst) and a round of the SYNTHETIC form with a submitted report, each with a SYNTHETIC
open answer, for 5001 and 5006 (region Midt) and 0301 (another region). The coding router is included here as the
lead includes it in web/app.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from boligmonitor.store import Store, create_engine_for, migrate
from boligmonitor.store.accounts import AccountStore, Actor, IssuedSession
from boligmonitor.store.reporting import ReportingRound, ReportStore
from boligmonitor.store.reporting.coding import CodingStore, OpenAnswer
from boligmonitor.web.api.reporting.open_answers import router as open_answers_api_router
from boligmonitor.web.auth import SESSION_COOKIE
from boligmonitor.web.views.programme.coding_routes import router as coding_router
from tests.store.accounts.synthetic import FakeClock
from tests.store.conftest import module_postgres_url, postgres_url  # noqa: F401  (fixtures, for PostgreSQL sites)
from tests.store.reporting.coding.synthetic_coding import OPEN_QUESTION, TEXTS, submitted
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
from tests.web.reporting.conftest import (  # the session's migrated database
    reporting_template,  # noqa: F401
    sqlite_copy,
    statistics_database,
)

ANNE: Final = "anne@husbanken.example"  # adviser, region Midt (county 50)
SIRI: Final = "siri@husbanken.example"  # analyst
BASE: Final = f"/program/{PROGRAMME}/apne-svar"


def include_coding(app: FastAPI) -> None:
    """What the lead adds to web/app.py's create_app."""
    app.include_router(coding_router)


def answer_path(municipality: str, question_id: str = OPEN_QUESTION) -> str:
    return f"{BASE}/{SYNTHETIC_YEAR}/{municipality}/{question_id}"


@dataclass
class CodingSite:
    app: FastAPI
    accounts: AccountStore
    reports: ReportStore
    coding: CodingStore
    clock: FakeClock
    round: ReportingRound

    def browser(self, email: str | None) -> TestClient:
        client = TestClient(self.app)
        if email is not None:
            issued = self.accounts.sign_in_verified(email, method="oidc", client_address="testclient")
            assert isinstance(issued, IssuedSession)
            client.cookies.set(SESSION_COOKIE, issued.token, domain="testserver.local")
        return client

    def actor(self, email: str) -> Actor:
        return actor(self.accounts, email)

    def answer(self, municipality: str) -> OpenAnswer:
        found = self.coding.latest_answer(PROGRAMME, SYNTHETIC_YEAR, municipality, OPEN_QUESTION)
        assert found is not None
        return found


@pytest.fixture
def site(tmp_path: Path, reporting_template: Path) -> Iterator[CodingSite]:  # noqa: F811
    yield from _site_over(sqlite_copy(tmp_path, reporting_template))


@pytest.fixture(params=["sqlite", "postgres"])
def site_on_each_database(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    reporting_template: Path,  # noqa: F811
) -> Iterator[CodingSite]:
    """The same site on SQLite and on PostgreSQL (full-text search and all): for the authorisation matrix, which
    the issue asks of both databases."""
    yield from _site_over(statistics_database(request, tmp_path, reporting_template))


def _site_over(url: str) -> Iterator[CodingSite]:
    clock = FakeClock()
    engine = create_engine_for(url)
    accounts = make_accounts(engine, clock)
    reports = report_store(engine, clock)
    coding = CodingStore(engine, clock=clock)
    reporting = reports.create_round(PROGRAMME, SYNTHETIC_YEAR, opens_at=OPENS_AT, closes_at=CLOSES_AT, actor=CLI)
    for code, text in TEXTS.items():
        submitted(reports, reporting.id, code, text)
    app = build_app(url, accounts)
    app.state.reporting = reports
    app.state.coding = coding
    include_coding(app)
    with TestClient(app):
        yield CodingSite(app, accounts, reports, coding, clock, reporting)
    engine.dispose()


# The open answers' JSON API (web/api/reporting/open_answers.py): one site per module and database, shared by the
# module's read-only tests (each module seeds its own codes and passages once).


def include_open_answers_api(app: FastAPI) -> None:
    """What the lead adds to web/app.py's site_routers (a no-op once the app has it)."""
    if "api.programme.open_answers" not in {getattr(route, "name", "") for route in app.routes}:
        app.include_router(open_answers_api_router)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def api_site_on_each_database(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    reporting_template: Path,  # noqa: F811
) -> Iterator[CodingSite]:
    """The site with the open-answer pages and their JSON API, once per module on SQLite and on PostgreSQL (a
    fresh migrated schema with the same SYNTHETIC statistics)."""
    if request.param == "sqlite":
        url = sqlite_copy(tmp_path_factory.mktemp("open-answers-api"), reporting_template)
    else:
        url = request.getfixturevalue("module_postgres_url")
        engine = create_engine_for(url)
        migrate(engine)
        store = Store(engine)
        put_synthetic_statistics(store)
        store.close()
    for made in _site_over(url):
        include_open_answers_api(made.app)
        yield made
