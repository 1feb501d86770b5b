"""The browser harness works end to end: the front page loads in Chromium from the local server only, in
Norwegian, styled by the vendored Designsystemet CSS, and passes axe-core's WCAG 2.1 A/AA rules."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page, Response

from tests.browser import assert_no_axe_violations

VENDORED_STYLESHEETS = ("/static/vendor/designsystemet.css", "/static/vendor/designsystemet-theme.css")


def test_front_page_loads_offline_in_norwegian_with_designsystemet_and_no_wcag_violations(
    page: Page, monitor_server: str
) -> None:
    requested: list[str] = []
    failed_responses: list[str] = []
    console_errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: failed_responses.append(f"{request.url}: {request.failure}"))
    page.on("response", lambda response: _record_error_status(response, failed_responses))
    page.on("console", lambda message: _record_console_error(message, console_errors))
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))

    response = page.goto(f"{monitor_server}/")  # waits for the load event: stylesheets are in

    assert response is not None
    assert response.status == 200
    assert page.evaluate("() => document.documentElement.lang") == "nb"
    assert page.title().strip()

    loaded_sheets: dict[str, int] = page.evaluate(
        "() => Object.fromEntries(Array.from(document.styleSheets, sheet => [sheet.href, sheet.cssRules.length]))"
    )
    rules_by_path = {url.partition("?v=")[0]: rules for url, rules in loaded_sheets.items() if url}  # fingerprinted
    for path in VENDORED_STYLESHEETS:
        assert rules_by_path.get(f"{monitor_server}{path}", 0) > 0, f"{path} not applied; sheets: {loaded_sheets}"
    # A custom property the theme defines on :root: present only if the theme's rules reached the cascade.
    theme_property = "() => getComputedStyle(document.documentElement).getPropertyValue('--ds-size-mode-font-size--md')"
    assert page.evaluate(theme_property).strip() == "1.125"

    server_host = urlsplit(monitor_server).hostname
    off_host = [url for url in requested if not url.startswith("data:") and urlsplit(url).hostname != server_host]
    assert requested
    assert off_host == []
    assert failed_responses == []
    # Chromium logs Content-Security-Policy violations and failed loads as console errors.
    assert console_errors == []

    assert_no_axe_violations(page)


def _record_error_status(response: Response, errors: list[str]) -> None:
    if response.status >= 400:
        errors.append(f"{response.url}: HTTP {response.status}")


def _record_console_error(message: ConsoleMessage, errors: list[str]) -> None:
    if message.type == "error":
        errors.append(f"console: {message.text} ({message.location.get('url', '')})")
