"""The monitor with accounts, the reporting store and the members page, over a migrated database holding the
SYNTHETIC statistics and people of the reporting tests (plus an administrator) and the real municipal register
(KLASS 131 codes and changes, read from ../shared/data): SQLite by default, and SQLite and PostgreSQL for the
authorisation matrix. The members router is included here as the lead includes it in web/app.py."""

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
from boligmonitor.store.accounts import AccountStore, IssuedSession
from boligmonitor.store.reporting import ReportStore
from boligmonitor.web.auth import SESSION_COOKIE
from boligmonitor.web.views.programme_members.routes import router as members_router
from tests.pipeline.reporting.real_register import put_real_register
from tests.store.accounts.synthetic import FakeClock
from tests.store.conftest import postgres_url  # noqa: F401  (the fixture, for the PostgreSQL site)
from tests.store.reporting.synthetic import CLI, make_accounts, put_synthetic_statistics, report_store
from tests.web.auth.conftest import build_app

ADMIN: Final = "admin@husbanken.example"
KARI: Final = "kari@kommune.example"  # reporter, 5001
OLA: Final = "ola@kommune.example"  # reader, 5001
ANNE: Final = "anne@husbanken.example"  # adviser, region Midt (county 50)
SIRI: Final = "siri@husbanken.example"  # analyst
MIDT_NORGE: Final = "boligsosialt_utviklingsprogram_midt_norge"
MEMBERS: Final = f"/program/{MIDT_NORGE}/medlemmer"
CSRF_PATTERN: Final = re.compile(r'name="csrf_token" value="([^"]+)"')


def include_programme_members(app: FastAPI) -> None:
    """What the lead adds to web/app.py's site_routers (a no-op once the app has it)."""
    if "programme_members.page" not in {getattr(route, "name", "") for route in app.routes}:
        app.include_router(members_router)


@dataclass
class MembersSite:
    app: FastAPI
    accounts: AccountStore
    reports: ReportStore

    def browser(self, email: str | None) -> TestClient:
        """A fresh browser, signed in as ``email`` (or nobody)."""
        client = TestClient(self.app)
        if email is not None:
            issued = self.accounts.sign_in_verified(email, method="oidc", client_address="testclient")
            assert isinstance(issued, IssuedSession)
            client.cookies.set(SESSION_COOKIE, issued.token, domain="testserver.local")
        return client


def csrf_from(response: httpx.Response) -> str:
    found = CSRF_PATTERN.search(response.text)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def _fill(store: Store, shared_data: Path) -> None:
    put_synthetic_statistics(store)
    put_real_register(store, shared_data)


@pytest.fixture(scope="session")
def members_template(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A migrated SQLite database with the statistics and the register, once per session (copied per test)."""
    path = tmp_path_factory.mktemp("members-template") / "members.sqlite"
    engine = create_engine_for(f"sqlite:///{path}")
    migrate(engine)
    store = Store(engine)
    _fill(store, shared_data)
    store.close()
    return path


@pytest.fixture
def site(tmp_path: Path, members_template: Path) -> Iterator[MembersSite]:
    path = tmp_path / "site.sqlite"
    shutil.copyfile(members_template, path)
    yield from _site_over(f"sqlite:///{path}")


@pytest.fixture(params=["sqlite", "postgres"])
def site_on_each_database(
    request: pytest.FixtureRequest, tmp_path: Path, members_template: Path, shared_data: Path
) -> Iterator[MembersSite]:
    """The same site on SQLite and on PostgreSQL (the authorisation matrix)."""
    if request.param == "sqlite":
        path = tmp_path / "site.sqlite"
        shutil.copyfile(members_template, path)
        yield from _site_over(f"sqlite:///{path}")
        return
    url: str = request.getfixturevalue("postgres_url")
    engine = create_engine_for(url)
    migrate(engine)
    store = Store(engine)
    _fill(store, shared_data)
    store.close()
    yield from _site_over(url)


def _site_over(url: str) -> Iterator[MembersSite]:
    clock = FakeClock()
    engine = create_engine_for(url)
    accounts = make_accounts(engine, clock)
    accounts.create_account(ADMIN, "administrator", actor=CLI)
    reports = report_store(engine, clock)
    app = build_app(url, accounts)
    app.state.reporting = reports
    include_programme_members(app)
    with TestClient(app):  # the app's lifespan (the monitor's data) for the browsers made per test
        yield MembersSite(app, accounts, reports)
    engine.dispose()
