"""The e-mail language page (``/konto/sprak``) in Chromium at 390 px: axe-core finds no WCAG 2.1 A/AA violation
(as shown, with an error, and after saving, in nb, nn and en), nothing scrolls sideways, and with JavaScript off
she chooses nynorsk and saves by keyboard alone (Tab, Space, Enter).

The server is the monitor with accounts and access and the page's router over a fresh database without
statistics; the people are SYNTHETIC (tests/store/reporting/synthetic.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from boligmonitor.store import create_engine_for, migrate
from boligmonitor.store.accounts import AccountStore, IssuedSession
from boligmonitor.web.app import create_app
from boligmonitor.web.auth import SESSION_COOKIE, AuthSettings
from tests.browser import assert_no_axe_violations
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, served_on_loopback
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.synthetic import CLI, make_accounts
from tests.web.auth.language_site import include_account_language

KARI: Final = "kari@kommune.example"
PATH: Final = "/konto/sprak"
PHONE: Final = ViewportSize(width=390, height=844)


@dataclass(frozen=True)
class LanguageServer:
    base_url: str
    accounts: AccountStore


@pytest.fixture(scope="module")
def language_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LanguageServer]:
    path: Path = tmp_path_factory.mktemp("language-browser") / "language.sqlite"
    url = f"sqlite:///{path}"
    engine = create_engine_for(url)
    migrate(engine)
    accounts = make_accounts(engine, FakeClock())
    app = create_app(url, auth_settings=AuthSettings(), accounts=accounts)
    include_account_language(app)
    try:
        with served_on_loopback(app, "language-server") as served:
            yield LanguageServer(served.base_url, accounts)
    finally:
        engine.dispose()


def signed_in_page(browser: Browser, server: LanguageServer, *, javascript: bool) -> Iterator[Page]:
    issued = server.accounts.sign_in_verified(KARI, method="oidc", client_address="127.0.0.1")
    assert isinstance(issued, IssuedSession)
    context = browser.new_context(locale="nb-NO", viewport=PHONE, java_script_enabled=javascript)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.add_cookies([{"name": SESSION_COOKIE, "value": issued.token, "url": server.base_url}])
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Browser, language_server: LanguageServer) -> Iterator[Page]:
    yield from signed_in_page(browser, language_server, javascript=True)


@pytest.fixture
def phone_without_scripts(browser: Browser, language_server: LanguageServer) -> Iterator[Page]:
    yield from signed_in_page(browser, language_server, javascript=False)


def assert_fits(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths


SAVED: Final = {
    "nb": "Språket er lagret.",
    "nn": "Språket er lagra.",
    "en": "The language is saved.",
}
REQUIRED: Final = {"nb": "Velg et språk.", "nn": "Vel eit språk.", "en": "Choose a language."}
SUBMIT: Final = {"nb": "Lagre", "nn": "Lagre", "en": "Save"}


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_page_as_shown_with_an_error_and_saved_has_no_wcag_violations(
    phone: Page, language_server: LanguageServer, lang: str
) -> None:
    language_server.accounts.set_language(KARI, "nb", actor=CLI)
    phone.goto(f"{language_server.base_url}{PATH}?lang={lang}")
    expect(phone.locator("h1")).to_have_count(1)
    expect(phone.locator("#field-language")).to_be_checked()
    assert_no_axe_violations(phone)
    assert_fits(phone)
    # No choice at all (a browser that sends none): the error next to the field and in the summary.
    phone.evaluate("() => document.querySelectorAll('input[name=language]').forEach(input => input.checked = false)")
    phone.get_by_role("button", name=SUBMIT[lang]).click()
    expect(phone.locator("#field-language-error")).to_have_text(REQUIRED[lang])
    expect(phone.get_by_role("alert")).to_contain_text(REQUIRED[lang])
    assert_no_axe_violations(phone)
    assert_fits(phone)
    phone.locator("#field-language-en").check()
    phone.get_by_role("button", name=SUBMIT[lang]).click()
    expect(phone.get_by_role("status")).to_contain_text(SAVED[lang])
    expect(phone.locator("#field-language-en")).to_be_checked()
    assert_no_axe_violations(phone)
    assert_fits(phone)
    found = language_server.accounts.account(KARI)
    assert found is not None and found.language == "en"


def test_without_scripts_she_chooses_nynorsk_by_keyboard_alone(
    phone_without_scripts: Page, language_server: LanguageServer
) -> None:
    language_server.accounts.set_language(KARI, "nb", actor=CLI)
    page = phone_without_scripts
    page.goto(f"{language_server.base_url}{PATH}")
    page.locator("#field-language").press("ArrowDown")  # the radio group: the arrow moves the choice
    expect(page.locator("#field-language-nn")).to_be_checked()
    page.get_by_role("button", name="Lagre").press("Enter")
    expect(page.get_by_role("status")).to_contain_text(SAVED["nb"])
    found = language_server.accounts.account(KARI)
    assert found is not None and found.language == "nn"
