"""The report form in Chromium: axe-core finds no WCAG 2.1 A/AA violation (as shown, and with errors), and a
reporter fills in and submits it in nynorsk by keyboard alone (Tab, Space, typing, Enter; never a click).

The server here is the monitor with the reporting pages over a database holding only SYNTHETIC statistics,
people and a round of the SYNTHETIC form (tests/store/reporting/synthetic.py).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pytest
from playwright.sync_api import Browser, Page, expect

from boligmonitor.store import Store, create_engine_for, migrate
from boligmonitor.store.accounts import AccountStore, IssuedSession
from boligmonitor.store.reporting import ReportState, ReportStore
from boligmonitor.web.app import create_app
from boligmonitor.web.auth import SESSION_COOKIE, AuthSettings
from boligmonitor.web.views.reporting.routes import router as reporting_router
from tests.browser import assert_no_axe_violations
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, _wait_until_answering
from tests.store.accounts.synthetic import FakeClock
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
MAX_TABS: Final = 120  # more tab stops than the form has before its last button


@dataclass(frozen=True)
class ReportingServer:
    base_url: str
    accounts: AccountStore
    reports: ReportStore
    round_id: int
    form_path: str


@pytest.fixture(scope="module")
def reporting_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReportingServer]:
    import uvicorn

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
    app = create_app(url, auth_settings=AuthSettings(), accounts=accounts)
    app.state.reporting = reports
    app.include_router(reporting_router)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    host, port = listener.getsockname()
    base_url = f"http://{host}:{port}"
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, log_level="warning", access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name="reporting-server", daemon=True)
    thread.start()
    try:
        _wait_until_answering(base_url, host, port, thread)
        yield ReportingServer(base_url, accounts, reports, reporting.id, f"/rapportering/{reporting.id}/5001")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
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
