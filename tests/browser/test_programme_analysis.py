"""The programme analysis pages in Chromium: axe-core finds no WCAG 2.1 A/AA violation on the overview, goal
attainment (as shown, with an override form refused, and with an override shown), the comparison, the national
share and the trend breaks, and the attainment page is usable at 390 px (no sideways scrolling of the page).

The server is the monitor over a copy of the session's real database with the programme's SYNTHETIC member list
(tests/web/programme/conftest.py); the analyst is SYNTHETIC."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest
from playwright.sync_api import Browser, Page, expect

from boligmonitor.store import Store, create_engine_for
from boligmonitor.store.accounts import IssuedSession
from boligmonitor.web.app import create_app
from boligmonitor.web.auth import SESSION_COOKIE, AuthSettings
from boligmonitor.web.views.programme.pages import PROGRAMMES_STATE
from tests.browser import assert_no_axe_violations
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, served_on_loopback
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.synthetic import make_accounts, report_store
from tests.web.programme.conftest import PROGRAMME_ID, SIRI, include_programme, synthetic_programme

BASE: Final = f"/program/{PROGRAMME_ID}"


@pytest.fixture(scope="module")
def analysis_server(built_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, Siri's session token)."""
    path = tmp_path_factory.mktemp("programme-browser") / "site.sqlite"
    shutil.copyfile(built_database, path)
    url = f"sqlite:///{path}"
    engine = create_engine_for(url)
    clock = FakeClock()
    accounts = make_accounts(engine, clock)
    app = create_app(url, auth_settings=AuthSettings(), accounts=accounts)
    app.state.reporting = report_store(engine, clock)
    setattr(app.state, PROGRAMMES_STATE, {PROGRAMME_ID: synthetic_programme(Store(engine))})
    include_programme(app)
    issued = accounts.sign_in_verified(SIRI, method="oidc", client_address="127.0.0.1")
    assert isinstance(issued, IssuedSession)
    try:
        with served_on_loopback(app, "analysis-server") as served:
            yield served.base_url, issued.token
    finally:
        engine.dispose()


@pytest.fixture
def analyst(browser: Browser, analysis_server: tuple[str, str]) -> Iterator[Page]:
    base_url, token = analysis_server
    context = browser.new_context(locale="nb-NO", viewport={"width": 390, "height": 844})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": base_url}])
    yield context.new_page()
    context.close()


@pytest.mark.parametrize(
    "part",
    [
        "",
        "/rapport/2019",
        "/maloppnaelse?ar=2019",
        "/sammenligning?fra=2015&til=2019",
        "/andel-av-landet",
        "/trendbrudd",
    ],
)
def test_the_analysis_pages_have_no_wcag_violations(analyst: Page, analysis_server: tuple[str, str], part: str) -> None:
    analyst.goto(analysis_server[0] + BASE + part)
    assert_no_axe_violations(analyst)
    assert analyst.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_refused_and_a_saved_override_have_no_wcag_violations(
    analyst: Page, analysis_server: tuple[str, str]
) -> None:
    analyst.goto(analysis_server[0] + BASE + "/maloppnaelse?ar=2019&lang=nn")
    first = analyst.locator("details").first
    first.locator("summary").click()
    first.locator("select").first.select_option(index=1)
    first.locator("select").nth(1).select_option("green")
    first.get_by_role("button").click()
    expect(analyst.locator("#error-summary")).to_be_visible()  # waits for the answer: the click only starts it
    assert_no_axe_violations(analyst)
    first = analyst.locator("details").first
    first.locator("textarea").fill("SYNTHETIC: judged from the reported answers")
    first.get_by_role("button").click()
    expect(analyst.get_by_text("Vurdert av analytikar").first).to_be_visible()
    assert_no_axe_violations(analyst)
    analyst.get_by_role("button", name="Fjern overstyringa").first.click()
    expect(analyst.get_by_text("Vurdert av analytikar")).to_have_count(0)
