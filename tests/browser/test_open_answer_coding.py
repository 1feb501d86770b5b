"""The analyst codes open answers in Chromium, without any script of ours doing the work: she adds a code to the
codebook, opens an answer, codes two of its sentences as an example quote, and finds the count and the quote on
the counts page; axe-core finds no WCAG 2.1 A/AA violation on the list, the answer (before and after coding, and
with a refused form), the codebook, the counts and a search; none of them scrolls sideways at 390 px. A reporter's
inbox is checked too.

The site is the whole app (create_app: every router) over a migrated database with SYNTHETIC statistics, people
and answers (tests/store/reporting/synthetic.py, tests/store/reporting/coding/synthetic_coding.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from boligmonitor.store import create_engine_for
from boligmonitor.store.accounts import AccountStore, IssuedSession
from boligmonitor.web.app import create_app
from boligmonitor.web.auth import SESSION_COOKIE, AuthSettings
from tests.browser import assert_no_axe_violations
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, served_on_loopback
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.coding.synthetic_coding import OPEN_QUESTION, TEXTS, submitted
from tests.store.reporting.synthetic import (
    CLI,
    CLOSES_AT,
    OPENS_AT,
    PROGRAMME,
    SYNTHETIC_YEAR,
    make_accounts,
    report_store,
)
from tests.web.reporting.conftest import reporting_template  # noqa: F401  (the session's migrated database)

SIRI: Final = "siri@husbanken.example"  # analyst
KARI: Final = "kari@kommune.example"  # reporter, 5001
BASE: Final = f"/program/{PROGRAMME}/apne-svar"
ANSWER: Final = f"{BASE}/{SYNTHETIC_YEAR}/5001/{OPEN_QUESTION}"
PHONE: Final[ViewportSize] = {"width": 390, "height": 844}


@dataclass(frozen=True)
class CodingServer:
    base_url: str
    accounts: AccountStore

    def page_for(self, browser: Browser, email: str) -> Page:
        issued = self.accounts.sign_in_verified(email, method="oidc", client_address="127.0.0.1")
        assert isinstance(issued, IssuedSession)
        context = browser.new_context(locale="nb-NO", viewport=PHONE)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.add_cookies([{"name": SESSION_COOKIE, "value": issued.token, "url": self.base_url}])
        return context.new_page()


@pytest.fixture(scope="module")
def coding_server(
    tmp_path_factory: pytest.TempPathFactory,
    reporting_template: Path,  # noqa: F811
) -> Iterator[CodingServer]:
    path = tmp_path_factory.mktemp("coding-browser") / "site.sqlite"
    shutil.copyfile(reporting_template, path)
    url = f"sqlite:///{path}"
    engine = create_engine_for(url)
    clock = FakeClock()
    accounts = make_accounts(engine, clock)
    reports = report_store(engine, clock)
    reporting = reports.create_round(PROGRAMME, SYNTHETIC_YEAR, opens_at=OPENS_AT, closes_at=CLOSES_AT, actor=CLI)
    for code, text in TEXTS.items():
        submitted(reports, reporting.id, code, text)
    app = create_app(url, auth_settings=AuthSettings(), accounts=accounts)
    app.state.reporting = reports
    try:
        with served_on_loopback(app, "coding-server") as served:
            yield CodingServer(served.base_url, accounts)
    finally:
        engine.dispose()


def assert_fits_a_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_the_analyst_codes_an_answer_and_finds_it_counted(browser: Browser, coding_server: CodingServer) -> None:
    page = coding_server.page_for(browser, SIRI)
    base = coding_server.base_url

    page.goto(base + BASE + "/kodebok")
    assert_no_axe_violations(page)
    adding = page.locator("section[aria-labelledby='add-heading']")
    adding.locator("input[name='navn']").fill("SYNTHETIC Boligkoordinator")
    adding.get_by_role("button", name="Legg til koden").click()
    expect(page.get_by_role("rowheader", name="SYNTHETIC Boligkoordinator")).to_be_visible()
    assert_no_axe_violations(page)
    assert_fits_a_phone(page)

    page.goto(base + BASE)
    expect(page.get_by_text("Vi har ansatt en boligkoordinator.").first).to_be_visible()
    assert_no_axe_violations(page)
    assert_fits_a_phone(page)

    page.goto(base + ANSWER)
    assert_no_axe_violations(page)
    coding = page.locator("section[aria-labelledby='code-heading']")
    coding.get_by_role("button", name="Kod utdraget").click()  # no code chosen: refused, nothing saved
    expect(page.locator("#field-koder-error")).to_be_visible()
    assert_no_axe_violations(page)

    coding = page.locator("section[aria-labelledby='code-heading']")
    coding.locator("select[name='fra']").select_option(index=0)
    coding.locator("select[name='til']").select_option(index=1)
    coding.get_by_label("SYNTHETIC Boligkoordinator").check()
    coding.locator("input[name='eksempel']").check()
    coding.get_by_role("button", name="Kod utdraget").click()
    expect(page.get_by_text("Utdraget er kodet.")).to_be_visible()
    assert_no_axe_violations(page)
    assert_fits_a_phone(page)

    page.goto(base + BASE + "/tellinger")
    expect(page.get_by_text("SYNTHETIC Boligkoordinator").first).to_be_visible()
    expect(page.get_by_text("Vi har ansatt en boligkoordinator.").first).to_be_visible()  # the example quote
    assert_no_axe_violations(page)
    assert_fits_a_phone(page)

    page.goto(base + BASE + "?q=boliger")
    expect(page.get_by_text("midlertidige boliger").first).to_be_visible()
    assert_no_axe_violations(page)
    page.context.close()


# Selecting text as a mouse or Shift+arrows would: a range over the phrase in the answer's text.
SELECT_PHRASE: Final = """(phrase) => {
  const answer = document.querySelector("[data-coding-answer]");
  const walker = document.createTreeWalker(answer, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(phrase);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + phrase.length);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return true;
    }
  }
  return false;
}"""


def test_a_passage_selected_in_the_answer_becomes_the_quote_that_is_coded(
    browser: Browser, coding_server: CodingServer
) -> None:
    page = coding_server.page_for(browser, SIRI)
    base = coding_server.base_url
    page.goto(base + BASE + "/kodebok")
    adding = page.locator("section[aria-labelledby='add-heading']")
    adding.locator("input[name='navn']").fill("SYNTHETIC Samarbeid med NAV")
    adding.get_by_role("button", name="Legg til koden").click()
    expect(page.get_by_role("rowheader", name="SYNTHETIC Samarbeid med NAV")).to_be_visible()

    page.goto(base + f"{BASE}/{SYNTHETIC_YEAR}/5006/{OPEN_QUESTION}")
    coding = page.locator("section[aria-labelledby='code-heading']")
    use = coding.get_by_role("button", name="Bruk teksten du har markert i svaret")
    expect(use).to_be_visible()  # the script shows it; without scripts it stays hidden
    use.click()
    expect(coding.locator("#field-sitat-status")).to_have_text("Marker først en del av svaret over.")
    phrase = "samarbeider med NAV"
    assert page.evaluate(SELECT_PHRASE, phrase)
    use.click()
    expect(coding.locator("#field-sitat")).to_have_value(phrase)
    expect(coding.locator("#field-utdrag-sitat")).to_be_checked()
    expect(coding.locator("#field-sitat-status")).to_have_text("Teksten du markerte, står nå i sitatfeltet.")
    assert_no_axe_violations(page)
    coding.get_by_label("SYNTHETIC Samarbeid med NAV").check()
    coding.get_by_role("button", name="Kod utdraget").click()
    expect(page.get_by_text("Utdraget er kodet.")).to_be_visible()
    expect(page.locator("article.bm-passage blockquote").filter(has_text=phrase)).to_have_count(1)
    page.context.close()


def test_without_scripts_the_selection_button_stays_hidden(browser: Browser, coding_server: CodingServer) -> None:
    issued = coding_server.accounts.sign_in_verified(SIRI, method="oidc", client_address="127.0.0.1")
    assert isinstance(issued, IssuedSession)
    context = browser.new_context(locale="nb-NO", viewport=PHONE, java_script_enabled=False)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.add_cookies([{"name": SESSION_COOKIE, "value": issued.token, "url": coding_server.base_url}])
    page = context.new_page()
    page.goto(coding_server.base_url + ANSWER)
    coding = page.locator("section[aria-labelledby='code-heading']")
    expect(coding.locator("#field-sitat")).to_be_visible()  # the quote is typed or pasted instead
    expect(coding.locator("button[data-use-selection]")).to_be_hidden()
    context.close()


def test_the_inbox_has_no_wcag_violations(browser: Browser, coding_server: CodingServer) -> None:
    page = coding_server.page_for(browser, KARI)
    response = page.goto(coding_server.base_url + "/innboks")
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_be_visible()
    assert_no_axe_violations(page)
    assert_fits_a_phone(page)
    page.context.close()
