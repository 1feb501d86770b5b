"""An expired session keeps the typed answers, without JavaScript: the form posted after her session ran out shows
the sign-in page in place (401) with the answers in hidden fields (nothing stored for someone not signed in), and
signing in again as the same person shows her form filled in, not yet saved, with a notice. Never for another
person, never to another site, never unbounded.

People, municipalities and answers are SYNTHETIC (tests/store/reporting/synthetic.py)."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Final

import httpx
from fastapi.testclient import TestClient

from boligmonitor.web.auth.resume import MAX_CARRIED_BYTES
from tests.store.accounts.synthetic import SYNTHETIC_PASSWORD
from tests.store.reporting.synthetic import CLI
from tests.web.reporting.conftest import KARI, PER, ReportingSite, csrf_from, version_from

HIDDEN: Final = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
TYPED: Final = "SYNTHETIC: skrevet før økten gikk ut — «viktig» & <lang>\nandre linje"
RESTORED: Final = "Du ble logget ut. Svarene dine er ikke lagret ennå — trykk Lagre."


def as_form(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Form fields for httpx, a name given several times keeping every value."""
    form: dict[str, list[str]] = {}
    for name, value in fields:
        form.setdefault(name, []).append(value)
    return form


def hidden_fields(response: httpx.Response) -> list[tuple[str, str]]:
    return [(name, html.unescape(value)) for name, value in HIDDEN.findall(response.text)]


def expired_post(
    site: ReportingSite, *, extra: dict[str, str] | None = None, query: str = ""
) -> tuple[TestClient, httpx.Response]:
    """Kari opens her form, her session expires (idle for 3 hours), then she presses save."""
    site.accounts.set_password(KARI, SYNTHETIC_PASSWORD, actor=CLI)
    site.reports.open_draft(site.round.id, "5001", actor=site.actor(KARI))
    kari = site.browser(KARI)
    page = kari.get(site.form_path + query)
    assert page.status_code == 200
    form = dict(hidden_fields(page))
    assert form["gjenoppta"] == site.form_path + query
    site.clock.advance(timedelta(hours=3))
    posted = {
        **form,
        "csrf_token": csrf_from(page),
        "expected_version": version_from(page),
        "aktiviteter": TYPED,
        "antall_boliger": "12",
        "samarbeid": "x",
        **(extra or {}),
    }
    data = [*posted.items(), ("samarbeid", "z")]
    return kari, kari.post(site.form_path + query, data=as_form(data), follow_redirects=False)


def test_the_expired_post_shows_the_sign_in_page_holding_the_answers(site: ReportingSite) -> None:
    _, answer = expired_post(site)
    assert answer.status_code == 401
    assert answer.headers["cache-control"] == "no-store"
    assert "Du ble logget ut fordi økten utløp" in answer.text
    kept = hidden_fields(answer)
    assert ("behold:aktiviteter", TYPED.replace("\n", "\r\n")) in kept or ("behold:aktiviteter", TYPED) in kept
    assert ("behold:samarbeid", "x") in kept
    assert ("behold:samarbeid", "z") in kept
    assert ("neste", site.form_path) in kept
    assert not any(name == "behold:csrf_token" for name, _ in kept)  # the old session's token is not carried
    # Nothing stored for someone not signed in.
    assert site.report().version == 1
    assert "aktiviteter" not in site.report().answers or site.report().answers["aktiviteter"].text is None


def test_signing_in_again_shows_her_form_filled_in_and_not_saved(site: ReportingSite) -> None:
    kari, answer = expired_post(site)
    sign_in = dict(hidden_fields(answer)) | {"email": KARI, "password": SYNTHETIC_PASSWORD}
    fields = [(name, value) for name, value in hidden_fields(answer) if name != "behold:samarbeid"]
    fields += [("behold:samarbeid", "x"), ("behold:samarbeid", "z"), ("email", KARI)]
    fields += [("password", SYNTHETIC_PASSWORD)]
    assert sign_in["csrf_token"] == csrf_from(answer)  # the sign-in form's own token (the sign-in cookie's)
    form = kari.post("/logg-inn", data=as_form(fields), follow_redirects=False)
    assert form.status_code == 200
    assert form.headers["cache-control"] == "no-store"
    assert RESTORED in form.text
    assert "Logget inn som kari@kommune.example" in form.text
    assert html.escape(TYPED, quote=False).split("\n")[0] in form.text
    assert 'name="antall_boliger"' in form.text and 'value="12"' in form.text
    assert re.search(r'id="field-samarbeid-3"[^>]*checked', form.text) or re.search(r'value="z"[^>]*checked', form.text)
    assert site.report().version == 1  # still not saved
    # Saving now (her new session's token, the version she started from) stores exactly what she typed.
    resumed = dict(hidden_fields(form))
    assert resumed["expected_version"] == "1"
    saved = kari.post(
        site.form_path,
        data={
            "csrf_token": csrf_from(form),
            "expected_version": "1",
            "aktiviteter": TYPED,
            "antall_boliger": "12",
            "samarbeid": ["x", "z"],
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    stored = site.report()
    assert stored.answers["aktiviteter"].text == TYPED
    assert stored.answers["antall_boliger"].number == 12
    assert stored.answers["samarbeid"].choices == ("x", "z")


def test_in_nynorsk_the_pages_speak_nynorsk(site: ReportingSite) -> None:
    kari, answer = expired_post(site, query="?lang=nn")
    assert answer.status_code == 401
    assert "Du vart logga ut fordi økta gjekk ut" in answer.text
    fields = [*hidden_fields(answer), ("email", KARI), ("password", SYNTHETIC_PASSWORD)]
    form = kari.post("/logg-inn?lang=nn", data=as_form(fields), follow_redirects=False)
    assert form.status_code == 200
    assert "Du vart logga ut. Svara dine er ikkje lagra enno — trykk Lagre." in form.text
    assert '<html lang="nn"' in form.text


def test_another_person_signing_in_never_gets_her_answers(site: ReportingSite) -> None:
    site.accounts.set_password(PER, SYNTHETIC_PASSWORD, actor=CLI)
    browser, answer = expired_post(site)
    fields = [*hidden_fields(answer), ("email", PER), ("password", SYNTHETIC_PASSWORD)]
    signed_in = browser.post("/logg-inn", data=as_form(fields), follow_redirects=False)
    assert signed_in.status_code == 303  # the ordinary sign-in: to the page she came from, answers dropped
    assert signed_in.headers["location"] == site.form_path
    assert "SYNTHETIC: skrevet" not in signed_in.text
    assert browser.get(site.form_path).status_code == 403  # Per may not see 5001's form


def test_a_wrong_password_keeps_the_answers_for_the_next_try(site: ReportingSite) -> None:
    browser, answer = expired_post(site)
    fields = [*hidden_fields(answer), ("email", KARI), ("password", "SYNTHETIC wrong")]
    again = browser.post("/logg-inn", data=as_form(fields), follow_redirects=False)
    assert again.status_code == 400
    assert ("behold:aktiviteter", TYPED.replace("\n", "\r\n")) in hidden_fields(again) or (
        "behold:aktiviteter",
        TYPED,
    ) in hidden_fields(again)


def test_the_sign_in_that_carries_answers_still_needs_its_csrf_token(site: ReportingSite) -> None:
    browser, answer = expired_post(site)
    fields = [(n, v) for n, v in hidden_fields(answer) if n != "csrf_token"]
    fields += [("csrf_token", "SYNTHETIC-forged"), ("email", KARI), ("password", SYNTHETIC_PASSWORD)]
    refused = browser.post("/logg-inn", data=as_form(fields), follow_redirects=False)
    assert refused.status_code == 403
    assert "SYNTHETIC: skrevet" not in refused.text


def test_no_destination_off_this_site_and_nothing_from_another_site(site: ReportingSite) -> None:
    for forged in ("https://evil.example/rapportering/1/5001", "//evil.example/rapportering/1/5001", "/konto"):
        _, answer = expired_post(site, extra={"gjenoppta": forged})
        assert answer.status_code == 303, forged  # the ordinary redirect; no answers carried
        assert answer.headers["location"] == "/logg-inn"
    kari = site.browser(None)
    from_elsewhere = kari.post(
        site.form_path,
        data={"gjenoppta": site.form_path, "gjenoppta_konto": "1", "aktiviteter": TYPED},
        headers={"Sec-Fetch-Site": "cross-site"},
        follow_redirects=False,
    )
    assert from_elsewhere.status_code == 303
    assert "SYNTHETIC: skrevet" not in from_elsewhere.text


def test_answers_beyond_the_bound_are_not_carried_and_the_page_says_so(site: ReportingSite) -> None:
    _, answer = expired_post(site, extra={"aktiviteter": "x" * (MAX_CARRIED_BYTES + 1)})
    assert answer.status_code == 401
    assert "Svarene var for store til å tas vare på" in answer.text
    assert not any(name.startswith("behold:") for name, _ in hidden_fields(answer))
    assert len(answer.content) < 100_000
