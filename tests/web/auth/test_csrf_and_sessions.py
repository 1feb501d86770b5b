"""CSRF on every unsafe request, session expiry and rotation, and the page cache that never shares a signed-in
page. All people are SYNTHETIC."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from boligmonitor.web.auth import SESSION_COOKIE, SIGN_IN_COOKIE
from boligmonitor.web.page_cache import has_private_cookie
from tests.store.accounts.synthetic import SYNTHETIC_PASSWORD
from tests.web.auth.conftest import Site, csrf_from

EMAIL = "kari@kommune.example"


@pytest.fixture
def kari(site: Site) -> Site:
    site.add(EMAIL, "husbanken_analyst")
    return site


def signed_in_token(site: Site) -> str:
    """The CSRF token of Kari's session, read from her account page."""
    site.enter_as(EMAIL)
    return csrf_from(site.client.get("/konto"))


@pytest.mark.parametrize(
    ("data", "headers"),
    [
        ({}, {}),
        ({"csrf_token": "synthetic-wrong-token"}, {}),
        ({"csrf_token": ""}, {}),
    ],
    ids=["missing", "wrong", "empty"],
)
def test_an_unsafe_request_without_the_sessions_token_is_refused(
    kari: Site, data: dict[str, str], headers: dict[str, str]
) -> None:
    signed_in_token(kari)
    refused = kari.client.post("/logg-ut?lang=en", data=data, headers=headers, follow_redirects=False)
    assert refused.status_code == 403
    assert "The form has expired or was sent from another site." in refused.text
    assert kari.client.get("/konto").status_code == 200  # still signed in: nothing happened


def test_another_sessions_token_is_refused(kari: Site) -> None:
    other = TestClient(kari.app)
    other.cookies.set(SESSION_COOKIE, kari.session_cookie(EMAIL))
    others_token = csrf_from(other.get("/konto"))
    signed_in_token(kari)
    assert kari.client.post("/logg-ut", data={"csrf_token": others_token}).status_code == 403


def test_the_token_may_come_in_a_header_for_scripts(kari: Site) -> None:
    token = signed_in_token(kari)
    signed_out = kari.client.post("/logg-ut", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert signed_out.status_code == 303
    assert kari.client.get("/konto", follow_redirects=False).status_code == 303


def test_a_browser_saying_cross_site_is_refused_even_with_the_token(kari: Site) -> None:
    token = signed_in_token(kari)
    refused = kari.client.post("/logg-ut", data={"csrf_token": token}, headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403


def test_sign_in_without_the_browsers_sign_in_cookie_is_refused(kari: Site) -> None:
    token = csrf_from(kari.client.get("/logg-inn"))
    fresh = TestClient(kari.app)  # another browser: it never got the sign-in cookie
    refused = fresh.post("/logg-inn", data={"csrf_token": token, "email": EMAIL, "password": SYNTHETIC_PASSWORD})
    assert refused.status_code == 403
    fresh.cookies.set(SIGN_IN_COOKIE, "synthetic-planted-value")
    refused = fresh.post("/logg-inn", data={"csrf_token": token, "email": EMAIL, "password": SYNTHETIC_PASSWORD})
    assert refused.status_code == 403
    assert kari.accounts.audit_entries()[0].action != "session.signed_in"


def test_an_idle_session_ends_and_the_page_asks_to_sign_in_again(kari: Site) -> None:
    kari.enter_as(EMAIL)
    kari.clock.advance(timedelta(hours=1, minutes=59))
    assert kari.client.get("/konto").status_code == 200
    kari.clock.advance(timedelta(hours=2))
    refused = kari.client.get("/konto", follow_redirects=False)
    assert (refused.status_code, refused.headers["location"]) == (303, "/logg-inn?neste=%2Fkonto")


def test_a_session_ends_after_twelve_hours_whatever_she_does(kari: Site) -> None:
    kari.enter_as(EMAIL)
    for _ in range(11):
        kari.clock.advance(timedelta(hours=1))
        assert kari.client.get("/konto").status_code == 200
    kari.clock.advance(timedelta(hours=1))
    assert kari.client.get("/konto", follow_redirects=False).status_code == 303


def test_signing_in_gives_a_new_session_token(kari: Site) -> None:
    planted = kari.enter_as(EMAIL)  # a token the browser had before (an attacker's, in session fixation)
    form = kari.client.get("/logg-inn")
    signed_in = kari.client.post(
        "/logg-inn",
        data={"csrf_token": csrf_from(form), "email": EMAIL, "password": SYNTHETIC_PASSWORD},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    new_token = kari.client.cookies.get(SESSION_COOKIE)
    assert new_token is not None
    assert new_token != planted
    assert kari.accounts.session(planted) is None
    assert kari.accounts.session(new_token) is not None


def test_a_deactivated_account_is_signed_out_at_once(kari: Site) -> None:
    kari.enter_as(EMAIL)
    from tests.web.auth.conftest import CLI

    kari.accounts.set_active(EMAIL, False, actor=CLI)
    assert kari.client.get("/konto", follow_redirects=False).status_code == 303


def test_the_page_cache_treats_both_cookies_as_private() -> None:
    for name in (SESSION_COOKIE, SIGN_IN_COOKIE, f"__Host-{SESSION_COOKIE}", f"__Host-{SIGN_IN_COOKIE}"):
        assert has_private_cookie(f"theme=dark; {name}=synthetic".encode())


def test_a_signed_in_page_is_never_given_to_someone_else(kari: Site) -> None:
    kari.enter_as(EMAIL)
    personal = kari.client.get("/konto")
    assert personal.status_code == 200
    assert personal.headers["cache-control"].startswith("private") or personal.headers["cache-control"] == "no-store"
    stranger = TestClient(kari.app)
    answer = stranger.get("/konto", follow_redirects=False)
    assert answer.status_code == 303
    assert EMAIL not in answer.text
    front = stranger.get("/logg-inn")  # a form page sets the sign-in cookie: never kept by the page cache
    assert "set-cookie" in front.headers
    assert csrf_from(front) != csrf_from(TestClient(kari.app).get("/logg-inn"))
