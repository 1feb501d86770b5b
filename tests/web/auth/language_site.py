"""The monitor with accounts and access and the e-mail language page (``/konto/sprak``) over a fresh, migrated
database, SQLite or PostgreSQL, without statistics; SYNTHETIC people (tests/store/reporting/synthetic.py: Kari
reports for 5001, Ola reads 5001, Per reports for 5006, Anne advises region Midt, Siri is an analyst) and an
administrator. The page's router is included here as the lead includes it in web/app.py."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from fastapi import FastAPI
from fastapi.testclient import TestClient

from boligmonitor.store import create_engine_for, migrate
from boligmonitor.store.accounts import AccountStore, IssuedSession
from boligmonitor.web.auth import SESSION_COOKIE
from boligmonitor.web.auth.language import router as language_router
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.synthetic import CLI, make_accounts
from tests.web.auth.conftest import build_app

ADMIN: Final = "admin@husbanken.example"


def include_account_language(app: FastAPI) -> None:
    """What the lead adds to web/app.py's create_app."""
    app.include_router(language_router)


@dataclass
class LanguageSite:
    app: FastAPI
    accounts: AccountStore
    clock: FakeClock

    def browser(self, email: str | None) -> TestClient:
        """A fresh browser, signed in as ``email`` (or nobody)."""
        client = TestClient(self.app)
        if email is not None:
            issued = self.accounts.sign_in_verified(email, method="oidc", client_address="testclient")
            assert isinstance(issued, IssuedSession)
            client.cookies.set(SESSION_COOKIE, issued.token, domain="testserver.local")
        return client

    def language_of(self, email: str) -> str:
        found = self.accounts.account(email)
        assert found is not None
        return found.language


def sqlite_database(tmp_path: Path, template: Path) -> str:
    path = tmp_path / "language.sqlite"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def postgres_database(url: str) -> str:
    engine = create_engine_for(url)
    migrate(engine)
    engine.dispose()
    return url


def language_site(url: str) -> Iterator[LanguageSite]:
    clock = FakeClock()
    engine = create_engine_for(url)
    accounts = make_accounts(engine, clock)
    accounts.create_account(ADMIN, "administrator", actor=CLI)
    app = build_app(url, accounts)
    include_account_language(app)
    with TestClient(app):  # the app's lifespan for the browsers made per test
        yield LanguageSite(app, accounts, clock)
    engine.dispose()
