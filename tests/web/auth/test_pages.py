"""Signing in and out, invitations, the account page and the audit log, as a browser without JavaScript uses
them: server-rendered forms, errors next to their field in the page's language. All people are SYNTHETIC."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest

from boligmonitor.web.auth import SESSION_COOKIE, SIGN_IN_COOKIE
from tests.store.accounts.synthetic import SYNTHETIC_PASSWORD
from tests.web.auth.conftest import CLI, Site, csrf_from, field_errors

EMAIL = "kari@kommune.example"


def never_shared(cache_control: str) -> bool:
    """The app sends ``no-store``; on a request with our cookie the page cache (web/page_cache.py) replaces it
    by ``private, no-cache``: either way no shared cache keeps the page."""
    return cache_control == "no-store" or cache_control.startswith("private")


def sign_in_form(site: Site, query: str = "") -> str:
    response = site.client.get(f"/logg-inn{query}")
    assert response.status_code == 200
    return csrf_from(response)


def test_signing_in_and_out_with_the_form(site: Site) -> None:
    site.add(EMAIL, "husbanken_analyst")
    form = site.client.get("/logg-inn")
    assert form.headers["cache-control"] == "no-store"
    assert 'autocomplete="current-password"' in form.text
    signed_in = site.client.post(
        "/logg-inn",
        data={"csrf_token": csrf_from(form), "email": " Kari@Kommune.example", "password": SYNTHETIC_PASSWORD},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/konto"
    account_page = site.client.get("/konto")
    assert account_page.status_code == 200
    assert EMAIL in account_page.text
    assert "Analytiker i Husbanken" in account_page.text
    signed_out = site.client.post("/logg-ut", data={"csrf_token": csrf_from(account_page)}, follow_redirects=False)
    assert (signed_out.status_code, signed_out.headers["location"]) == (303, "/")
    assert site.client.get("/konto", follow_redirects=False).headers["location"] == "/logg-inn?neste=%2Fkonto"


def test_a_page_that_needs_sign_in_leads_there_and_back(site: Site) -> None:
    site.add(EMAIL, "administrator")
    refused = site.client.get("/admin/logg?lang=nn", follow_redirects=False)
    assert refused.status_code == 303
    assert refused.headers["location"] == "/logg-inn?lang=nn&neste=%2Fadmin%2Flogg%3Flang%3Dnn"
    form = site.client.get(refused.headers["location"])
    assert 'name="neste" value="/admin/logg?lang=nn"' in form.text
    signed_in = site.client.post(
        "/logg-inn?lang=nn",
        data={
            "csrf_token": csrf_from(form),
            "email": EMAIL,
            "password": SYNTHETIC_PASSWORD,
            "neste": "/admin/logg?lang=nn",
        },
        follow_redirects=False,
    )
    assert signed_in.headers["location"] == "/admin/logg?lang=nn"
    assert "Revisjonslogg" in site.client.get(signed_in.headers["location"]).text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "/logg-ut"])
def test_sign_in_never_leads_off_the_site(site: Site, target: str) -> None:
    site.add(EMAIL, "husbanken_analyst")
    signed_in = site.client.post(
        "/logg-inn",
        data={"csrf_token": sign_in_form(site), "email": EMAIL, "password": SYNTHETIC_PASSWORD, "neste": target},
        follow_redirects=False,
    )
    assert signed_in.headers["location"] == "/konto"


@pytest.mark.parametrize(
    ("language", "wrong", "missing"),
    [
        ("nb", "Feil e-postadresse eller passord.", "Skriv e-postadressen din."),
        ("nn", "Feil e-postadresse eller passord.", "Skriv e-postadressa di."),
        ("en", "Wrong e-mail address or password.", "Enter your e-mail address."),
    ],
)
def test_errors_stand_next_to_their_field_in_the_pages_language(
    site: Site, language: str, wrong: str, missing: str
) -> None:
    site.add(EMAIL, "husbanken_analyst")
    token = sign_in_form(site, f"?lang={language}")
    empty = site.client.post(f"/logg-inn?lang={language}", data={"csrf_token": token, "email": "", "password": "x"})
    assert empty.status_code == 400
    assert field_errors(empty) == {"email": missing}
    assert 'aria-invalid="true" aria-describedby="field-email-error"' in empty.text
    assert f'<html lang="{language}"' in empty.text
    refused = site.client.post(
        f"/logg-inn?lang={language}", data={"csrf_token": token, "email": EMAIL, "password": "synthetic wrong one"}
    )
    assert refused.status_code == 400
    assert field_errors(refused) == {"password": wrong}
    assert f'value="{EMAIL}"' in refused.text  # the e-mail address is kept, the password never shown again
    assert "synthetic wrong one" not in refused.text


def test_too_many_failures_are_refused_with_a_clear_message(site: Site) -> None:
    site.add(EMAIL, "husbanken_analyst")
    token = sign_in_form(site, "?lang=en")
    for _ in range(5):
        site.client.post("/logg-inn?lang=en", data={"csrf_token": token, "email": EMAIL, "password": "synthetic no"})
    limited = site.client.post(
        "/logg-inn?lang=en", data={"csrf_token": token, "email": EMAIL, "password": SYNTHETIC_PASSWORD}
    )
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "900"
    assert "Too many failed sign-ins for this account. Try again in 15 minutes." in limited.text
    site.clock.advance(timedelta(minutes=15))
    allowed = site.client.post(
        "/logg-inn?lang=en",
        data={"csrf_token": token, "email": EMAIL, "password": SYNTHETIC_PASSWORD},
        follow_redirects=False,
    )
    assert allowed.status_code == 303


def test_too_many_failures_from_one_address_are_refused_for_every_account(site: Site) -> None:
    site.add(EMAIL, "husbanken_analyst")
    token = sign_in_form(site, "?lang=nn")
    for index in range(20):
        site.client.post(
            "/logg-inn?lang=nn",
            data={"csrf_token": token, "email": f"guess{index}@kommune.example", "password": "synthetic no"},
        )
    limited = site.client.post(
        "/logg-inn?lang=nn", data={"csrf_token": token, "email": EMAIL, "password": SYNTHETIC_PASSWORD}
    )
    assert limited.status_code == 429
    assert "For mange mislukka innloggingar frå nettverksadressa di." in limited.text


def test_an_invitation_link_sets_the_password_and_signs_in(site: Site) -> None:
    site.accounts.create_account(EMAIL, "municipal_reporter", municipality="5001", actor=CLI)
    invitation = site.accounts.invite(EMAIL, actor=CLI)
    page = site.client.get(f"/invitasjon/{invitation.token}?lang=nn")
    assert page.status_code == 200
    assert "Vel passord" in page.text
    assert EMAIL in page.text
    token = csrf_from(page)
    short = site.client.post(
        f"/invitasjon/{invitation.token}?lang=nn",
        data={"csrf_token": token, "password": "kort", "password_repeat": "kort"},
    )
    assert short.status_code == 400
    assert field_errors(short) == {"password": "Passordet må ha minst 12 teikn."}
    differ = site.client.post(
        f"/invitasjon/{invitation.token}?lang=nn",
        data={"csrf_token": token, "password": SYNTHETIC_PASSWORD, "password_repeat": SYNTHETIC_PASSWORD + "!"},
    )
    assert field_errors(differ) == {"password_repeat": "Passorda er ikkje like."}
    accepted = site.client.post(
        f"/invitasjon/{invitation.token}?lang=nn",
        data={"csrf_token": token, "password": SYNTHETIC_PASSWORD, "password_repeat": SYNTHETIC_PASSWORD},
        follow_redirects=False,
    )
    assert (accepted.status_code, accepted.headers["location"]) == (303, "/konto?lang=nn")
    assert "Rapportør i kommunen" in site.client.get("/konto?lang=nn").text
    # Used: the link works once.
    again = site.client.get(f"/invitasjon/{invitation.token}?lang=en")
    assert again.status_code == 404
    assert "has been used already, has expired or does not exist" in again.text


def test_an_expired_invitation_link_does_not_work(site: Site) -> None:
    site.accounts.create_account(EMAIL, "husbanken_analyst", actor=CLI)
    invitation = site.accounts.invite(EMAIL, valid_for=timedelta(days=1), actor=CLI)
    page = site.client.get(f"/invitasjon/{invitation.token}")
    site.clock.advance(timedelta(days=1))
    assert site.client.get(f"/invitasjon/{invitation.token}").status_code == 404
    late = site.client.post(
        f"/invitasjon/{invitation.token}",
        data={"csrf_token": csrf_from(page), "password": SYNTHETIC_PASSWORD, "password_repeat": SYNTHETIC_PASSWORD},
    )
    assert late.status_code == 404
    account = site.accounts.account(EMAIL)
    assert account is not None
    assert not account.has_password


def test_the_audit_log_shows_who_did_what(site: Site) -> None:
    site.add("admin@husbanken.example", "administrator")
    site.add(EMAIL, "municipal_reader", municipality="5001")
    site.accounts.change_role(EMAIL, "municipal_reporter", municipality="5001", actor=CLI)
    site.enter_as("admin@husbanken.example")
    page = site.client.get("/admin/logg?lang=en")
    assert page.status_code == 200
    assert never_shared(page.headers["cache-control"])
    assert "account.role_changed" in page.text
    assert "&#34;role&#34;: &#34;municipal_reader&#34;" in page.text  # before → after, escaped JSON
    assert "command line (synthetic)" in page.text


def test_the_audit_log_pages_back(site: Site) -> None:
    site.add("admin@husbanken.example", "administrator")
    for index in range(120):  # with the administrator's three entries: 123
        site.accounts.create_account(f"p{index}@kommune.example", "husbanken_analyst", actor=CLI)
    site.enter_as("admin@husbanken.example")
    first = site.client.get("/admin/logg")
    assert first.text.count("<tr>") == 101  # a header row and 100 entries
    older_link = re.compile(r'<a class="ds-link" href="/admin/logg\?eldre_enn=(\d+)">')
    found = older_link.search(first.text)
    assert found is not None
    older = found.group(1)
    second = site.client.get(f"/admin/logg?eldre_enn={older}")
    assert second.status_code == 200
    assert second.text.count("<tr>") == 1 + 23
    assert older_link.search(second.text) is None


def test_no_password_reaches_a_log(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    site.accounts.create_account(EMAIL, "husbanken_analyst", actor=CLI)
    invitation = site.accounts.invite(EMAIL, actor=CLI)
    page = site.client.get(f"/invitasjon/{invitation.token}")
    site.client.post(
        f"/invitasjon/{invitation.token}",
        data={"csrf_token": csrf_from(page), "password": SYNTHETIC_PASSWORD, "password_repeat": SYNTHETIC_PASSWORD},
    )
    site.client.cookies.clear()
    token = sign_in_form(site)
    site.client.post("/logg-inn", data={"csrf_token": token, "email": EMAIL, "password": "synthetic wrong one"})
    site.client.post("/logg-inn", data={"csrf_token": token, "email": EMAIL, "password": SYNTHETIC_PASSWORD})
    assert SYNTHETIC_PASSWORD not in caplog.text
    assert "synthetic wrong one" not in caplog.text


def test_cookies_are_http_only_lax_and_secure_with_host_names_over_https(site: Site) -> None:
    site.add(EMAIL, "husbanken_analyst")
    form = site.client.get("/logg-inn")
    sign_in_cookie = form.headers["set-cookie"]
    assert sign_in_cookie.startswith(f"{SIGN_IN_COOKIE}=")
    assert "HttpOnly" in sign_in_cookie
    assert "SameSite=lax" in sign_in_cookie
    assert "Secure" not in sign_in_cookie  # plain http (a developer's machine)
    from fastapi.testclient import TestClient

    with TestClient(site.app, base_url="https://testserver") as secure:
        form = secure.get("/logg-inn")
        assert form.headers["set-cookie"].startswith(f"__Host-{SIGN_IN_COOKIE}=")
        signed_in = secure.post(
            "/logg-inn",
            data={"csrf_token": csrf_from(form), "email": EMAIL, "password": SYNTHETIC_PASSWORD},
            follow_redirects=False,
        )
        session_cookie = next(
            value for name, value in signed_in.headers.multi_items() if name == "set-cookie" and "session" in value
        )
        assert session_cookie.startswith(f"__Host-{SESSION_COOKIE}=")
        for attribute in ("HttpOnly", "Secure", "Path=/", "SameSite=lax", "Max-Age=43200"):
            assert attribute in session_cookie
        assert secure.get("/konto").status_code == 200
