"""The e-mail language page (``/konto/sprak``) on SQLite: it shows her choice, saves a new one with the CSRF token
and an audit row, shows a missing or unknown answer next to the field and in the summary in the page's language
without writing anything, and refuses a request without the token. All people are SYNTHETIC."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import httpx
import pytest

from boligmonitor.store.accounts import AuditAction
from tests.web.auth.conftest import csrf_from, field_errors
from tests.web.auth.language_site import LanguageSite, language_site, sqlite_database

KARI: Final = "kari@kommune.example"
PATH: Final = "/konto/sprak"


@pytest.fixture
def site(tmp_path: Path, migrated_template: Path) -> Iterator[LanguageSite]:
    yield from language_site(sqlite_database(tmp_path, migrated_template))


def checked(response: httpx.Response) -> list[str]:
    return re.findall(r'name="language" value="([a-z]+)" id="[^"]+" checked', response.text)


def summary(response: httpx.Response) -> list[tuple[str, str]]:
    block = response.text.split('role="alert"', 1)
    assert len(block) == 2, "no error summary"
    return re.findall(r'<a class="ds-link" href="#field-([a-z_]+)">([^<]*)</a>', block[1].split("</div>", 1)[0])


def language_changes(site: LanguageSite) -> list[tuple[str, object, object]]:
    return [
        (entry.actor, entry.before, entry.after)
        for entry in site.accounts.audit_entries()
        if entry.action == AuditAction.ACCOUNT_LANGUAGE_CHANGED
    ]


@pytest.mark.parametrize(
    ("lang", "title", "button"),
    [("nb", "Språk i e-poster", "Lagre"), ("nn", "Språk i e-postar", "Lagre"), ("en", "Language of e-mails", "Save")],
)
def test_the_page_shows_her_choice_in_the_pages_language(
    site: LanguageSite, lang: str, title: str, button: str
) -> None:
    browser = site.browser(KARI)
    response = browser.get(PATH, params={"lang": lang})
    assert response.status_code == 200
    assert f'<h1 class="ds-heading" data-size="lg">{title}</h1>' in response.text
    assert f">{button}</button>" in response.text
    assert f'<html lang="{lang}"' in response.text
    assert response.headers["cache-control"] == "no-store"
    assert checked(response) == ["nb"]  # bokmål until she chooses
    # Each language named in itself, marked with its language; the summary links to the first choice's id.
    assert (
        '<label class="ds-label" data-weight="regular" for="field-language" lang="nb">Norsk bokmål</label>'
        in response.text
    )
    assert 'for="field-language-nn" lang="nn">Norsk nynorsk</label>' in response.text
    assert 'for="field-language-en" lang="en">English</label>' in response.text
    assert '<legend class="ds-label">' in response.text and "<script" not in response.text.split("<main", 1)[-1]


def test_saving_a_language_keeps_it_audits_it_and_says_so(site: LanguageSite) -> None:
    browser = site.browser(KARI)
    token = csrf_from(browser.get(PATH, params={"lang": "nn"}))
    response = browser.post(
        PATH, params={"lang": "nn"}, data={"csrf_token": token, "language": "en"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/konto/sprak?lang=nn&melding=lagret"
    assert site.language_of(KARI) == "en"
    kari = site.accounts.account(KARI)
    assert kari is not None
    [entry] = [entry for entry in site.accounts.audit_entries() if entry.action == AuditAction.ACCOUNT_LANGUAGE_CHANGED]
    assert (entry.actor, entry.actor_account_id, entry.client_address) == (KARI, kari.id, "testclient")
    assert (entry.before, entry.after) == ({"email": KARI, "language": "nb"}, {"email": KARI, "language": "en"})
    shown = browser.get(response.headers["location"])
    assert "Språket er lagra. Nye e-postar blir skrivne på dette språket." in shown.text
    assert checked(shown) == ["en"]
    # The same choice again changes nothing and records nothing.
    again = browser.post(PATH, data={"csrf_token": token, "language": "en"}, follow_redirects=False)
    assert again.status_code == 303
    assert len(language_changes(site)) == 1


@pytest.mark.parametrize(
    ("lang", "sent", "message"),
    [
        ("nb", {}, "Velg et språk."),
        ("nn", {}, "Vel eit språk."),
        ("en", {}, "Choose a language."),
        ("nb", {"language": "se"}, "Velg bokmål, nynorsk eller engelsk."),
        ("nn", {"language": "se"}, "Vel bokmål, nynorsk eller engelsk."),
        ("en", {"language": "<b>x</b>"}, "Choose Bokmål, Nynorsk or English."),
    ],
)
def test_a_missing_or_unknown_answer_is_shown_next_to_the_field_and_nothing_is_written(
    site: LanguageSite, lang: str, sent: dict[str, str], message: str
) -> None:
    browser = site.browser(KARI)
    token = csrf_from(browser.get(PATH))
    response = browser.post(PATH, params={"lang": lang}, data={"csrf_token": token, **sent}, follow_redirects=False)
    assert response.status_code == 400
    assert field_errors(response) == {"language": message}
    assert summary(response) == [("language", message)]
    assert 'aria-describedby="field-language-hint field-language-error"' in response.text
    assert response.text.count('aria-invalid="true"') == 3  # each choice
    assert "<b>x</b>" not in response.text
    assert site.language_of(KARI) == "nb"
    assert language_changes(site) == []


def test_without_the_csrf_token_nothing_changes(site: LanguageSite) -> None:
    browser = site.browser(KARI)
    browser.get(PATH)
    response = browser.post(PATH, data={"language": "nn"}, follow_redirects=False)
    assert response.status_code == 403
    wrong = browser.post(PATH, data={"language": "nn", "csrf_token": "SYNTHETIC-not-the-token"}, follow_redirects=False)
    assert wrong.status_code == 403
    assert site.language_of(KARI) == "nb"
    assert language_changes(site) == []


def test_she_changes_only_her_own_account(site: LanguageSite) -> None:
    """The page names no account: an e-mail address sent along is ignored, the change is hers."""
    browser = site.browser(KARI)
    token = csrf_from(browser.get(PATH))
    response = browser.post(
        PATH, data={"csrf_token": token, "language": "nn", "email": "per@kommune.example"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert (site.language_of(KARI), site.language_of("per@kommune.example")) == ("nn", "nb")


def test_a_visitor_is_sent_to_sign_in_and_back(site: LanguageSite) -> None:
    response = site.browser(None).get(PATH, params={"lang": "en"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/logg-inn?")
    assert "neste=%2Fkonto%2Fsprak" in response.headers["location"]
