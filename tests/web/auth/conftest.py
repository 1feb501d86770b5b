"""The monitor with accounts and access, on a fresh, migrated SQLite database without statistics: ``site``.

The app under test is built as the server builds it, :func:`build_app`: ``create_app`` installs accounts and access,
with a cheap argon2id hasher and a clock the test moves. All people are SYNTHETIC.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from boligmonitor.store import create_engine_for, migrate
from boligmonitor.store.accounts import AccountStore, Actor, IssuedSession
from boligmonitor.web.app import create_app
from boligmonitor.web.auth import SESSION_COOKIE, AuthSettings
from tests.store.accounts.synthetic import SYNTHETIC_PASSWORD, FakeClock, cheap_passwords

CLI = Actor("command line (synthetic)")
CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')


def build_app(database_url: str, accounts: AccountStore, settings: AuthSettings | None = None) -> FastAPI:
    """The app as a server runs it: the monitor, then accounts and access installed on it."""
    return create_app(database_url, auth_settings=settings or AuthSettings(), accounts=accounts)


@dataclass
class Site:
    app: FastAPI
    client: TestClient
    accounts: AccountStore
    clock: FakeClock
    database_url: str

    def add(self, email: str, role: str, *, municipality: str | None = None, region: str | None = None) -> None:
        self.accounts.create_account(email, role, municipality=municipality, region=region, actor=CLI)
        self.accounts.set_password(email, SYNTHETIC_PASSWORD, actor=CLI)

    def session_cookie(self, email: str) -> str:
        """A session for ``email`` (as after a sign-in), without going through the form."""
        issued = self.accounts.sign_in_verified(email, method="oidc", client_address="testclient")
        assert isinstance(issued, IssuedSession)
        return issued.token

    def enter_as(self, email: str) -> str:
        token = self.session_cookie(email)
        # The domain the test client gives the app's own cookies, so that the app's Set-Cookie replaces this one.
        self.client.cookies.set(SESSION_COOKIE, token, domain="testserver.local")
        return token


def csrf_from(response: httpx.Response) -> str:
    found = CSRF_PATTERN.search(response.text)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def field_errors(response: httpx.Response) -> dict[str, str]:
    """The error shown next to each field: its input's id -> the message."""
    return dict(
        re.findall(r'<p class="ds-validation-message"[^>]*id="field-([a-z_]+)-error">([^<]*)</p>', response.text)
    )


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("auth-template") / "migrated.sqlite"
    engine = create_engine_for(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture
def site(tmp_path: Path, migrated_template: Path) -> Iterator[Site]:
    path = tmp_path / "site.sqlite"
    shutil.copyfile(migrated_template, path)
    url = f"sqlite:///{path}"
    clock = FakeClock()
    accounts = AccountStore(create_engine_for(url), passwords=cheap_passwords(), clock=clock)
    app = build_app(url, accounts)
    with TestClient(app) as client:
        yield Site(app, client, accounts, clock, url)
    accounts.close()
