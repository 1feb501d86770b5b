"""The report form in Chromium: axe-core finds no WCAG 2.1 A/AA violation (as shown, and with errors), and a
reporter fills in and submits it in nynorsk by keyboard alone (Tab, Space, typing, Enter; never a click); the
regional adviser signs in and returns it with a comment, the reporter sees the comment, fixes an answer and
submits again (keyboard alone, axe clean on every page); an expired session keeps what she typed without
JavaScript; the municipality's own goals page is axe clean.

The server here is the monitor with the reporting pages over a database holding only SYNTHETIC statistics,
people and a round of the SYNTHETIC form (tests/store/reporting/synthetic.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

import pytest
from playwright.sync_api import Browser, Page, expect

from boligmonitor.store import Store, create_engine_for, migrate
from boligmonitor.store.accounts import AccountStore, IssuedSession
from boligmonitor.store.reporting import ReportState, ReportStore
from boligmonitor.web.app import create_app
from boligmonitor.web.auth import SESSION_COOKIE, AuthSettings
from boligmonitor.web.views.reporting.own_goals import router as own_goals_router
from boligmonitor.web.views.reporting.routes import router as reporting_router
from tests.browser import assert_no_axe_violations
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, served_on_loopback
from tests.store.accounts.synthetic import SYNTHETIC_PASSWORD, FakeClock
from tests.store.reporting.synthetic import (
    CLI,
    CLOSES_AT,
    OPENS_AT,
    PROGRAMME,
    SYNTHETIC_YEAR,
    make_accounts,
    put_synthetic_statistics,
    report_store,
)

KARI: Final = "kari@kommune.example"
ANNE: Final = "anne@husbanken.example"  # the regional adviser of 5001
MAX_TABS: Final = 120  # more tab stops than the form has before its last button


@dataclass(frozen=True)
class ReportingServer:
    base_url: str
    accounts: AccountStore
    reports: ReportStore
    round_id: int
    form_path: str
    clock: FakeClock


@pytest.fixture(scope="module")
def reporting_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReportingServer]:
    path: Path = tmp_path_factory.mktemp("reporting-browser") / "reporting.sqlite"
    url = f"sqlite:///{path}"
    engine = create_engine_for(url)
    migrate(engine)
    put_synthetic_statistics(Store(engine))
    clock = FakeClock()
    accounts = make_accounts(engine, clock)
    reports = report_store(engine, clock)
    reporting = reports.create_round(PROGRAMME, SYNTHETIC_YEAR, opens_at=OPENS_AT, closes_at=CLOSES_AT, actor=CLI)
    reports.open_draft(reporting.id, "5001", actor=CLI)
    for email in (KARI, ANNE):  # they also sign in through the form
        accounts.set_password(email, SYNTHETIC_PASSWORD, actor=CLI)
    app = create_app(url, auth_settings=AuthSettings(), accounts=accounts)
    app.state.reporting = reports
    app.include_router(reporting_router)
    if not any(getattr(route, "name", "") == "reporting.own_goals" for route in app.routes):
        app.include_router(own_goals_router)
    try:
        with served_on_loopback(app, "reporting-server") as served:
            yield ReportingServer(
                served.base_url, accounts, reports, reporting.id, f"/rapportering/{reporting.id}/5001", clock
            )
    finally:
        engine.dispose()


@pytest.fixture
def signed_in(browser: Browser, reporting_server: ReportingServer) -> Iterator[Page]:
    """A fresh page signed in as Kari, the SYNTHETIC reporter of 5001, whose report is editable (a test that
    submitted it leaves it returned for the next, so that the tests do not depend on their order)."""
    report = reporting_server.reports.report_for(reporting_server.round_id, "5001")
    assert report is not None
    if report.state is ReportState.SUBMITTED:
        reporting_server.reports.return_report(report.id, "SYNTHETIC: back for the next test", actor=CLI)
    issued = reporting_server.accounts.sign_in_verified(KARI, method="oidc", client_address="127.0.0.1")
    assert isinstance(issued, IssuedSession)
    context = browser.new_context(locale="nb-NO")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.add_cookies([{"name": SESSION_COOKIE, "value": issued.token, "url": reporting_server.base_url}])
    yield context.new_page()
    context.close()


FOCUSED: Final = """() => {
  const element = document.activeElement;
  return element ? {id: element.id, tag: element.tagName.toLowerCase(), text: (element.textContent || "").trim(),
                    outline: getComputedStyle(element).outlineStyle} : null;
}"""


def tab_to(page: Page, wanted: str) -> dict[str, Any]:
    """Press Tab until the element with id ``wanted`` (or a button with that text) has focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused: dict[str, Any] | None = page.evaluate(FOCUSED)
        if focused is not None and (
            focused["id"] == wanted or (focused["tag"] == "button" and focused["text"] == wanted)
        ):
            return focused
    raise AssertionError(f"{wanted!r} was not reached in {MAX_TABS} tabs")


def test_the_form_has_no_wcag_violations(signed_in: Page, reporting_server: ReportingServer) -> None:
    signed_in.goto(reporting_server.base_url + reporting_server.form_path)
    expect(signed_in.locator("h1")).to_have_count(1)
    assert_no_axe_violations(signed_in)


def test_the_form_with_errors_has_no_wcag_violations(signed_in: Page, reporting_server: ReportingServer) -> None:
    signed_in.goto(reporting_server.base_url + reporting_server.form_path)
    signed_in.fill("#field-antall_boliger", "SYNTHETIC mange")
    for box in ("#field-samarbeid", "#field-samarbeid-2", "#field-samarbeid-3"):  # one more than allowed
        signed_in.check(box)
    signed_in.get_by_role("button", name="Lagre utkast").click()
    expect(signed_in.locator("#error-summary")).to_be_visible()
    expect(signed_in.locator("#field-samarbeid-error")).to_have_text("«SYNTHETIC samarbeid»: velg høyst 2.")
    assert_no_axe_violations(signed_in)


def test_what_she_types_is_saved_automatically_within_seconds(
    signed_in: Page, reporting_server: ReportingServer
) -> None:
    signed_in.goto(reporting_server.base_url + reporting_server.form_path)
    signed_in.fill("#field-aktiviteter", "SYNTHETIC svar: lagret uten å trykke på noe")
    # The script saves 4 s after the last keystroke; the bound leaves room for a loaded CI machine.
    expect(signed_in.locator("#autosave-status")).to_contain_text("Lagret automatisk", timeout=30_000)
    report = reporting_server.reports.report_for(reporting_server.round_id, "5001")
    assert report is not None
    assert report.answers["aktiviteter"].text == "SYNTHETIC svar: lagret uten å trykke på noe"
    # Her own autosave moved the version on, and the page knows it: the ordinary save is no conflict.
    signed_in.get_by_role("button", name="Lagre utkast").click()
    expect(signed_in.get_by_text("Utkastet er lagret.", exact=True)).to_be_visible()


def test_a_reporter_fills_in_and_submits_in_nynorsk_by_keyboard_alone(
    signed_in: Page, reporting_server: ReportingServer
) -> None:
    signed_in.goto(reporting_server.base_url + reporting_server.form_path + "?lang=nn")
    expect(signed_in.locator("html")).to_have_attribute("lang", "nn")
    tab_to(signed_in, "field-antall_boliger")
    signed_in.keyboard.type("12")
    tab_to(signed_in, "field-har_plan")  # the first radio of the group: "Ja"
    signed_in.keyboard.press("Space")
    focused = tab_to(signed_in, "field-aktiviteter")
    assert focused["outline"] != "none"  # a visible focus indicator
    signed_in.keyboard.type("SYNTHETIC svar: eit bustadkontor opna i 2019")
    tab_to(signed_in, "Send inn rapporten")
    signed_in.keyboard.press("Enter")
    expect(signed_in.get_by_text("Rapporten er send inn.", exact=True)).to_be_visible()
    assert "melding=sendt" in signed_in.url
    assert_no_axe_violations(signed_in)


def sign_in_by_keyboard(page: Page, email: str | None) -> None:
    """On the sign-in page: her e-mail (unless already there), the password, Enter."""
    if email is not None:
        tab_to(page, "field-email")
        page.keyboard.type(email)
    tab_to(page, "field-password")
    page.keyboard.type(SYNTHETIC_PASSWORD)
    page.keyboard.press("Enter")


def submit_by_keyboard(page: Page, number: str, text: str) -> None:
    """Fill in the required answers and an open one, then "Send inn rapporten" (nynorsk page)."""
    tab_to(page, "field-antall_boliger")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(number)
    tab_to(page, "field-har_plan")
    page.keyboard.press("Space")
    tab_to(page, "field-aktiviteter")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)
    tab_to(page, "Send inn rapporten")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Rapporten er send inn.", exact=True)).to_be_visible()


def test_the_adviser_returns_it_with_a_comment_and_the_reporter_fixes_and_resubmits(
    signed_in: Page, browser: Browser, reporting_server: ReportingServer
) -> None:
    server = reporting_server
    form_url = server.base_url + server.form_path + "?lang=nn"
    signed_in.goto(form_url)
    submit_by_keyboard(signed_in, "12", "SYNTHETIC svar: eit bustadkontor opna i 2019")
    assert_no_axe_violations(signed_in)

    # The regional adviser signs in through the form (she asked for the report's page) and returns it.
    context = browser.new_context(locale="nn-NO")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    adviser = context.new_page()
    try:
        adviser.goto(form_url)
        expect(adviser.locator("#field-email")).to_be_visible()  # sent to the sign-in page first
        assert_no_axe_violations(adviser)
        sign_in_by_keyboard(adviser, ANNE)
        expect(adviser.locator("#return-heading")).to_be_visible()
        expect(adviser.locator("#signed-in-as")).to_contain_text("anne@husbanken.example")
        assert_no_axe_violations(adviser)
        tab_to(adviser, "field-return-comment")
        adviser.keyboard.type("SYNTHETIC: talet på bustader ser for lågt ut – sjå over igjen")
        tab_to(adviser, "Send tilbake til kommunen")
        adviser.keyboard.press("Enter")
        expect(adviser.get_by_text("Rapporten er send tilbake til kommunen.", exact=True)).to_be_visible()
        assert_no_axe_violations(adviser)
    finally:
        context.close()

    # The reporter sees the comment, fixes the number and submits again.
    signed_in.goto(form_url)
    expect(signed_in.locator(".bm-return-comment")).to_have_text(
        "SYNTHETIC: talet på bustader ser for lågt ut – sjå over igjen"
    )
    expect(signed_in.get_by_text("Rapporten vart send tilbake", exact=False)).to_be_visible()
    assert_no_axe_violations(signed_in)
    submit_by_keyboard(signed_in, "13", "SYNTHETIC svar: eit bustadkontor opna i 2019, retta")
    assert_no_axe_violations(signed_in)
    report = server.reports.report_for(server.round_id, "5001")
    assert report is not None
    assert report.state is ReportState.SUBMITTED
    assert report.answers["antall_boliger"].number == 13
    assert report.answers["aktiviteter"].text == "SYNTHETIC svar: eit bustadkontor opna i 2019, retta"
    states = [version.state for version in server.reports.versions(report.id)]
    assert states.count(ReportState.SUBMITTED) >= 2 and ReportState.RETURNED in states  # every version kept


def test_an_expired_session_keeps_her_answers_without_javascript(
    browser: Browser, reporting_server: ReportingServer
) -> None:
    """With scripts off, Chromium also refuses Playwright's own page.evaluate (it waits for ever), so this test signs
    in by filling fields rather than by walking the Tab order, and leaves axe (a script) to the pages' other tests."""
    server = reporting_server
    report = server.reports.report_for(server.round_id, "5001")
    assert report is not None
    if report.state is ReportState.SUBMITTED:
        server.reports.return_report(report.id, "SYNTHETIC: back for the next test", actor=CLI)
    context = browser.new_context(locale="nb-NO", java_script_enabled=False)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    typed = "SYNTHETIC svar: skrevet mens økten gikk ut"
    try:
        page.goto(server.base_url + server.form_path)
        sign_in_by_filling(page, KARI)
        expect(page.locator("#report-form")).to_be_visible()
        page.locator("#field-aktiviteter").fill(typed)
        server.clock.advance(timedelta(hours=3))  # idle longer than a session lives
        page.get_by_role("button", name="Lagre utkast").click()
        expect(page.locator("#session-expired")).to_contain_text("Du ble logget ut fordi økten utløp")
        sign_in_by_filling(page, KARI)
        expect(page.get_by_text("Du ble logget ut. Svarene dine er ikke lagret ennå — trykk Lagre.")).to_be_visible()
        expect(page.locator("#field-aktiviteter")).to_have_value(typed)
        stored = server.reports.report_for(server.round_id, "5001")
        assert stored is not None
        assert stored.answers.get("aktiviteter") is None or stored.answers["aktiviteter"].text != typed
        page.get_by_role("button", name="Lagre utkast").click()
        expect(page.get_by_text("Utkastet er lagret.", exact=True)).to_be_visible()
        saved = server.reports.report_for(server.round_id, "5001")
        assert saved is not None
        assert saved.answers["aktiviteter"].text == typed
    finally:
        context.close()


def sign_in_by_filling(page: Page, email: str) -> None:
    """On the sign-in page without scripts: her e-mail (when the field is empty), the password, the button."""
    field = page.locator("#field-email")
    if not field.input_value():
        field.fill(email)
    page.locator("#field-password").fill(SYNTHETIC_PASSWORD)
    page.locator("#field-password").press("Enter")


def test_the_own_goals_page_has_no_wcag_violations(signed_in: Page, reporting_server: ReportingServer) -> None:
    goals_url = reporting_server.base_url + reporting_server.form_path + "/egne-mal"
    signed_in.goto(goals_url)
    expect(signed_in.locator("h1")).to_have_count(1)
    assert_no_axe_violations(signed_in)
    signed_in.get_by_role("button", name="Legg til målet").click()  # no name: errors beside the fields
    expect(signed_in.locator("#field-navn-error")).to_have_text("Skriv navnet på målet.")
    assert_no_axe_violations(signed_in)
    signed_in.locator("#field-navn").fill("SYNTHETIC: ingen barnefamilier i midlertidig bolig")
    signed_in.locator("#field-maltype").select_option("at_most")
    signed_in.locator("#field-malverdi").fill("0")
    signed_in.locator("#field-indikator").select_option("BU01")
    signed_in.get_by_role("button", name="Legg til målet").click()
    expect(signed_in.get_by_text("Målet er lagt til.", exact=True)).to_be_visible()
    expect(signed_in.get_by_text("Høyst 0 (BU01)", exact=True)).to_be_visible()
    assert_no_axe_violations(signed_in)
