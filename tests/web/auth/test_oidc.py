"""OpenID Connect sign-in against a real provider on loopback: oidc-provider-mock (authlib's server side), run in
a thread on localhost. The people it vouches for are SYNTHETIC."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from boligmonitor.store import create_engine_for
from boligmonitor.store.accounts import AccountStore, AuditAction
from boligmonitor.web.auth import SESSION_COOKIE, AuthSettings, OidcSettings
from boligmonitor.web.auth.oidc import OidcClient, OidcError
from tests.event_loops import run_in_own_thread
from tests.store.accounts.synthetic import cheap_passwords
from tests.web.auth.conftest import CLI, build_app

with warnings.catch_warnings():
    # The mock imports authlib's deprecated jose module; authlib sets its warnings to "always" when imported.
    import authlib.deprecate  # type: ignore[import-untyped]  # noqa: F401

    warnings.filterwarnings("ignore", message="authlib.jose module is deprecated")
    import oidc_provider_mock  # type: ignore[import-untyped]

# The mock provider runs on authlib's server side, which warns about its own deprecations.
pytestmark = [
    pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning"),
]

KARI = "kari@kommune.example"
CLIENT_ID = "boligmonitor-synthetic"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The issuer URL of a mock provider on localhost that accepts any client and asks for a nonce."""
    with oidc_provider_mock.run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def oidc_site(provider: str, tmp_path: Path, migrated_template: Path) -> Iterator[tuple[TestClient, AccountStore]]:
    path = tmp_path / "oidc.sqlite"
    shutil.copyfile(migrated_template, path)
    url = f"sqlite:///{path}"
    accounts = AccountStore(create_engine_for(url), passwords=cheap_passwords())
    accounts.create_account(KARI, "husbanken_analyst", actor=CLI)
    settings = AuthSettings(
        oidc=OidcSettings(issuer=provider, client_id=CLIENT_ID, client_secret="synthetic-secret", name="Mock-ID")
    )
    with TestClient(build_app(url, accounts, settings)) as client:
        yield client, accounts
    accounts.close()


def to_provider(client: TestClient, next_path: str = "/konto") -> httpx.Response:
    started: httpx.Response = client.get(f"/logg-inn/oidc?neste={next_path}", follow_redirects=False)
    assert started.status_code == 303
    return started


def provider_answer(authorize_url: str, subject: str) -> str:
    """What the provider sends the browser back to (the person typed ``subject`` into its form)."""
    answered = httpx.post(authorize_url, data={"sub": subject})
    assert answered.status_code == 302, answered.text
    location = answered.headers["location"]
    parts = urlsplit(location)
    assert parts.path == "/logg-inn/oidc/svar"
    return f"{parts.path}?{parts.query}"


def test_the_sign_in_page_offers_the_provider(oidc_site: tuple[TestClient, AccountStore]) -> None:
    client, _ = oidc_site
    page = client.get("/logg-inn?neste=/admin/logg")
    assert "Logg inn med Mock-ID" in page.text
    assert 'href="/logg-inn/oidc?neste=%2Fadmin%2Flogg"' in page.text


def test_an_account_signs_in_through_the_provider(oidc_site: tuple[TestClient, AccountStore], provider: str) -> None:
    client, accounts = oidc_site
    started = to_provider(client)
    authorize = urlsplit(started.headers["location"])
    query = parse_qs(authorize.query)
    assert f"{authorize.scheme}://{authorize.netloc}" == provider
    assert query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"]  # PKCE
    assert query["nonce"] and query["state"]
    assert query["redirect_uri"] == ["http://testserver/logg-inn/oidc/svar"]
    back = client.get(provider_answer(started.headers["location"], KARI), follow_redirects=False)
    assert (back.status_code, back.headers["location"]) == (303, "/konto")
    assert client.cookies.get(SESSION_COOKIE)
    assert KARI in client.get("/konto").text
    signed_in = accounts.audit_entries()[0]
    assert (signed_in.action, signed_in.after) == (AuditAction.SIGNED_IN, {"method": "oidc"})


def test_a_person_without_an_account_is_not_let_in(oidc_site: tuple[TestClient, AccountStore]) -> None:
    client, accounts = oidc_site
    started = to_provider(client)
    back = client.get(provider_answer(started.headers["location"], "stranger@kommune.example") + "&lang=en")
    assert back.status_code == 403
    assert "Mock-ID confirmed who you are, but there is no active account for you here." in back.text
    assert accounts.account("stranger@kommune.example") is None
    assert client.get("/konto", follow_redirects=False).status_code == 303


def test_an_answer_is_used_once(oidc_site: tuple[TestClient, AccountStore]) -> None:
    client, _ = oidc_site
    callback = provider_answer(to_provider(client).headers["location"], KARI)
    assert client.get(callback, follow_redirects=False).status_code == 303
    client.cookies.delete(SESSION_COOKIE)
    replay = client.get(callback, follow_redirects=False)
    assert replay.status_code == 400


def test_an_answer_brought_to_another_browser_is_refused(oidc_site: tuple[TestClient, AccountStore]) -> None:
    client, _ = oidc_site
    callback = provider_answer(to_provider(client).headers["location"], KARI)
    other_browser = TestClient(client.app)  # a link planted in someone else's browser (login CSRF)
    refused = other_browser.get(callback, follow_redirects=False)
    assert refused.status_code == 400
    assert other_browser.cookies.get(SESSION_COOKIE) is None
    assert client.get(callback, follow_redirects=False).status_code == 303  # the right browser still can


def test_a_changed_state_is_refused(oidc_site: tuple[TestClient, AccountStore]) -> None:
    client, _ = oidc_site
    callback = provider_answer(to_provider(client).headers["location"], KARI)
    path, _, query = callback.partition("?")
    params = parse_qs(query)
    tampered = f"{path}?code={params['code'][0]}&state=synthetic-forged-state"
    assert client.get(tampered, follow_redirects=False).status_code == 400


def test_a_refusal_at_the_provider_signs_nobody_in(oidc_site: tuple[TestClient, AccountStore]) -> None:
    client, _ = oidc_site
    started = to_provider(client)
    denied = httpx.post(started.headers["location"], data={"action": "deny"})
    parts = urlsplit(denied.headers["location"])
    assert "error=access_denied" in parts.query
    answer = client.get(f"{parts.path}?{parts.query}", follow_redirects=False)
    assert answer.status_code == 400
    assert client.cookies.get(SESSION_COOKIE) is None


def test_a_provider_that_cannot_be_discovered_is_a_clear_failure(
    provider: str, tmp_path: Path, migrated_template: Path
) -> None:
    path = tmp_path / "oidc.sqlite"
    shutil.copyfile(migrated_template, path)
    url = f"sqlite:///{path}"
    accounts = AccountStore(create_engine_for(url), passwords=cheap_passwords())
    settings = AuthSettings(
        oidc=OidcSettings(issuer=provider + "/nowhere", client_id=CLIENT_ID, client_secret="s", name="Mock-ID")
    )
    with TestClient(build_app(url, accounts, settings)) as client:
        failed = client.get("/logg-inn/oidc?lang=en", follow_redirects=False)
    assert failed.status_code == 502
    assert "could not be completed" in failed.text
    accounts.close()


def test_an_issuer_other_than_the_configured_one_is_not_trusted() -> None:
    client = OidcClient(OidcSettings(issuer="https://login.example", client_id=CLIENT_ID, client_secret="s"))

    class ImpostorMetadata:
        async def load_server_metadata(self) -> dict[str, str]:
            return {"issuer": "https://impostor.example", "authorization_endpoint": "https://impostor.example/a"}

    client._client = ImpostorMetadata()
    with pytest.raises(OidcError, match="impostor"):
        run_in_own_thread(client.authorisation("http://testserver/logg-inn/oidc/svar"))


def test_settings_come_from_the_environment() -> None:
    settings = AuthSettings.from_environment(
        {
            "BOLIGMONITOR_OIDC_ISSUER": "https://login.example",
            "BOLIGMONITOR_OIDC_CLIENT_ID": "monitor",
            "BOLIGMONITOR_OIDC_CLIENT_SECRET": "synthetic-secret",
            "BOLIGMONITOR_SECURE_COOKIES": "1",
        }
    )
    assert settings.oidc is not None
    assert (settings.oidc.issuer, settings.oidc.client_id, settings.oidc.email_claim) == (
        "https://login.example",
        "monitor",
        "email",
    )
    assert "synthetic-secret" not in repr(settings)
    assert settings.secure_cookies is True
    assert AuthSettings.from_environment({}).oidc is None
    with pytest.raises(ValueError, match="CLIENT_ID"):
        AuthSettings.from_environment({"BOLIGMONITOR_OIDC_ISSUER": "https://login.example"})
