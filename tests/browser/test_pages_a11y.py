"""axe-core finds no WCAG 2.1 A/AA violation on any page type of the monitor, as Chromium renders it.

Every page type in bokmål; the theme page also in nynorsk and English and with each display and benchmark
toggle; a theme page with every "?" panel opened; the 404 and 400 error pages. One browser context serves the
whole module (pages are independent, so sharing it only saves start-up time).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import assert_no_axe_violations
from tests.browser.conftest import DEFAULT_TIMEOUT_MS

THEME = "/region/4601/tema/befolkning_boligmarked"


@dataclass(frozen=True)
class PageType:
    """One page of the monitor as a visitor reaches it: its URL path, the HTTP status and the page language."""

    name: str
    path: str
    status: int = 200
    language: str = "nb"


# One of each page type the routes serve, in bokmål (test_no_javascript reuses this list).
PAGE_TYPES = (
    PageType("front", "/"),
    PageType("about", "/om"),
    PageType("picker-results", "/velg?q=s%C3%B8"),
    PageType("picker-no-match", "/velg?q=qxz"),
    PageType("overview-municipality", "/region/4601"),
    PageType("overview-county", "/region/46"),
    PageType("overview-norway", "/region/0"),
    PageType("theme", THEME),
    PageType("indicator", "/indikator/BEF03"),
    PageType("indicator-filtered", "/indikator/BEF03?fylke=46"),
    PageType("indicator-national-only", "/indikator/BEF12"),
    PageType("series-not-for-level", "/region/4601/indikator/BEF12"),
    PageType("series", "/region/4601/indikator/BEF03"),
    PageType("compare", "/sammenlign?kommune=0301&kommune=4601"),
    PageType("compare-empty", "/sammenlign"),
    PageType("ranking", "/rangering?fylke=46"),
    PageType("ranking-unshrunk", "/rangering?fylke=15&krymping=nei&normalisering=rank"),
    PageType("factsheet", "/region/4601/faktaark"),
    PageType("not-found", "/region/9999", status=404),
    PageType("bad-request", "/indikator/BEF03?fylke=99", status=400),
)

THEME_VARIANTS = (
    PageType("theme-nn", f"{THEME}?lang=nn", language="nn"),
    PageType("theme-en", f"{THEME}?lang=en", language="en"),
    *(PageType(f"theme-{display}", f"{THEME}?visning={display}") for display in ("antall", "andel", "forholdstall")),
    *(
        PageType(f"theme-{benchmark}", f"{THEME}?sammenlign={benchmark}")
        for benchmark in ("landet", "fylket", "kostragruppen", "storrelse", "lignende")
    ),
)


@pytest.fixture(scope="module")
def shared_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="nb-NO")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def open_page(page: Page, base_url: str, page_type: PageType) -> None:
    response = page.goto(f"{base_url}{page_type.path}")
    assert response is not None
    assert response.status == page_type.status, f"{page_type.path} answered HTTP {response.status}"
    assert page.evaluate("() => document.documentElement.lang") == page_type.language


@pytest.mark.parametrize("page_type", PAGE_TYPES + THEME_VARIANTS, ids=lambda page_type: page_type.name)
def test_page_has_no_wcag_violations(shared_page: Page, monitor_server: str, page_type: PageType) -> None:
    open_page(shared_page, monitor_server, page_type)
    assert_no_axe_violations(shared_page)


def test_theme_page_with_every_about_panel_open_has_no_wcag_violations(shared_page: Page, monitor_server: str) -> None:
    open_page(shared_page, monitor_server, PageType("theme", THEME))
    panels = shared_page.locator("details.bm-about")
    assert panels.count() > 1
    panels.first.locator("summary").click()  # as a visitor opens one
    assert panels.first.get_attribute("open") is not None
    # The others the quick way (clicking each waits out its transition): the content axe sees is the same.
    panels.evaluate_all("panels => panels.forEach(panel => { panel.open = true; })")
    assert shared_page.locator("details.bm-about:not([open])").count() == 0
    expect(shared_page.locator(".bm-about__body").first).to_be_visible()
    assert_no_axe_violations(shared_page)
