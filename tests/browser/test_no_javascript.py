"""JavaScript is an enhancement only: with it switched off the picker, the toggles, the "?" panels and the
downloads all work; with it on, no page logs an error, throws, or breaks its Content-Security-Policy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.browser.test_pages_a11y import PAGE_TYPES, THEME, THEME_VARIANTS, PageType

# Collects `securitypolicyviolation` events from the first moment of every document. Added through the
# DevTools protocol (add_init_script), which the page's CSP does not govern; it changes nothing on the page.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", event => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile || "page"}:${event.lineNumber})`);
});
"""


@pytest.fixture(scope="module")
def no_script_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="nb-NO", java_script_enabled=False, accept_downloads=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def open_page(page: Page, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == status, f"{url} answered HTTP {response.status}"


def details_of(page: Page, card_id: str) -> str:
    return f"article[aria-labelledby='card-{card_id}-name'] details.bm-about"


@pytest.mark.parametrize("submit_with", ["button", "Enter"])
def test_picker_form_works_without_javascript(no_script_page: Page, monitor_server: str, submit_with: str) -> None:
    page = no_script_page
    open_page(page, f"{monitor_server}/")
    page.get_by_role("combobox", name="Velg kommune eller fylke").fill("Bergen")
    with page.expect_navigation():
        if submit_with == "button":
            page.get_by_role("button", name="Vis").click()
        else:
            page.keyboard.press("Enter")
    assert page.url == f"{monitor_server}/region/4601"
    assert page.locator("h1").inner_text().startswith("Bergen")


def test_toggles_work_without_javascript(no_script_page: Page, monitor_server: str) -> None:
    page = no_script_page
    open_page(page, f"{monitor_server}{THEME}")
    display = page.locator("nav[aria-labelledby='toggle-display-label']")
    benchmark = page.locator("nav[aria-labelledby='toggle-benchmark-label']")

    with page.expect_navigation():
        display.get_by_role("link", name="Antall", exact=True).click()
    assert page.url == f"{monitor_server}{THEME}?visning=antall"
    assert display.get_by_role("link", name="Antall", exact=True).get_attribute("aria-current") == "true"

    with page.expect_navigation():
        benchmark.get_by_role("link", name="Fylket", exact=True).click()
    # The display chosen before is kept: every choice lives in the URL.
    assert "visning=antall" in page.url
    assert "sammenlign=fylket" in page.url
    assert benchmark.get_by_role("link", name="Fylket", exact=True).get_attribute("aria-current") == "true"
    assert display.get_by_role("link", name="Antall", exact=True).get_attribute("aria-current") == "true"
    assert page.locator("article[aria-labelledby='card-BEF03-name'] dd", has_text="Vestland:").count() == 1


def test_about_panels_open_and_close_without_javascript(no_script_page: Page, monitor_server: str) -> None:
    page = no_script_page
    open_page(page, f"{monitor_server}{THEME}")
    details = page.locator(details_of(page, "BEF03"))
    body = details.locator(".bm-about__body")
    assert not body.is_visible()

    details.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    expect(body).to_be_visible()
    assert "Antall og andel personer 80 år og eldre" in body.inner_text()
    # Escape closing the panel is app.js's doing; that it does nothing here shows the script is really off.
    page.keyboard.press("Escape")
    assert details.get_attribute("open") is not None

    details.locator("summary").click()
    expect(details).not_to_have_attribute("open", "")
    expect(body).to_be_hidden()  # after Designsystemet's closing transition


def test_downloads_work_without_javascript(no_script_page: Page, monitor_server: str) -> None:
    page = no_script_page
    open_page(page, f"{monitor_server}{THEME}")
    downloads = page.locator(".bm-downloads")
    for name, suffix in [("CSV", ".csv"), ("Excel (XLSX)", ".xlsx")]:
        with page.expect_download() as download_info:
            downloads.get_by_role("link", name=name, exact=True).click()
        download = download_info.value
        assert download.failure() is None
        assert download.suggested_filename.endswith(suffix)
        assert Path(download.path()).stat().st_size > 100

    with page.expect_navigation():
        downloads.get_by_role("link", name="JSON-stat", exact=True).click()
    assert page.url == f"{monitor_server}{THEME}.jsonstat"
    assert json.loads(page.locator("body").inner_text())["class"] == "dataset"


@pytest.fixture(scope="module")
def scripted_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(locale="nb-NO")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    yield context
    context.close()


@pytest.fixture
def scripted_page(scripted_context: BrowserContext) -> Iterator[Page]:
    """A page of its own per check: on a shared page, the previous page's favicon request (which the browser makes
    after the load event) was still in flight when the next check navigated, and its abort was counted against
    the next page (once, in a full run: "failed to load …/favicon.svg: net::ERR_ABORTED")."""
    page = scripted_context.new_page()
    yield page
    page.close()


@pytest.mark.parametrize("page_type", PAGE_TYPES + THEME_VARIANTS, ids=lambda page_type: page_type.name)
def test_page_logs_no_errors_and_no_csp_violations(
    scripted_page: Page, monitor_server: str, page_type: PageType
) -> None:
    page = scripted_page
    url = f"{monitor_server}{page_type.path}"
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        # An error page's own status is logged as a failed load of the document: expected, nothing else is.
        if page_type.status >= 400 and message.location.get("url") == url and str(page_type.status) in message.text:
            return
        problems.append(f"console {message.type}: {message.text} ({message.location.get('url', '')})")

    def on_page_error(error: Exception) -> None:
        problems.append(f"uncaught: {error}")

    def on_request_failed(request: Request) -> None:
        problems.append(f"failed to load {request.url}: {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("requestfailed", on_request_failed)
    try:
        open_page(page, url, page_type.status)
        # Exercise app.js where there is something for it to do: open a disclosure and close it with Escape.
        summaries = page.locator("details > summary")
        if summaries.count():
            summaries.first.click()
            page.keyboard.press("Escape")
        problems.extend(f"CSP: {violation}" for violation in page.evaluate("() => window.__cspViolations"))
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_page_error)
        page.remove_listener("requestfailed", on_request_failed)
    assert problems == [], f"{page_type.path}:\n" + "\n".join(problems)
