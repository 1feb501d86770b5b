"""Issue 12, finding 8: the layout holds on a phone (390 px) and a laptop (1 280 px), in headless Chromium.

No page scrolls sideways; chart text is at least 11 px wherever a chart is drawn (the SVG's font size times
its on-screen scale); filtering the indicator page by county zooms the map to the county; a card's "?" panel
opens over the page without stretching its card (a <details>: no JavaScript needed); the overview's last
column ("Merknad") fits a 1 280 px screen; axe-core finds nothing at 390 px.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import assert_no_axe_violations
from tests.browser.conftest import DEFAULT_TIMEOUT_MS

WIDTHS = (390, 1280)
MIN_CHART_TEXT_PX = 11.0
PAGES = (
    "/indikator/EL10",
    "/indikator/EL10?fylke=46",
    "/region/4601/indikator/EL10",
    "/region/4601",
    "/region/4601/tema/befolkning_boligmarked",
    "/sammenlign?kommune=0301&kommune=4601",
    "/rangering?fylke=46",
    "/region/4601/faktaark",
)

# The document's width and the on-screen size of every drawn chart text (font size × the SVG's scale).
MEASURE = """() => {
  const sizes = Array.from(document.querySelectorAll('svg.bm-chart text'))
    .filter(text => text.textContent.trim() && text.getBoundingClientRect().width > 0)
    .map(text => {
      const m = text.getScreenCTM();
      const scale = m ? Math.hypot(m.a, m.b) : 1;
      return parseFloat(getComputedStyle(text).fontSize) * scale;
    });
  return {scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
          smallest: sizes.length ? Math.min(...sizes) : null, texts: sizes.length};
}"""


def _page(browser: Browser, width: int, *, javascript: bool = True) -> Iterator[Page]:
    context = browser.new_context(
        locale="nb-NO", viewport={"width": width, "height": 900}, java_script_enabled=javascript
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture(params=WIDTHS, ids=[f"{width}px" for width in WIDTHS])
def sized_page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    yield from _page(browser, request.param)


@pytest.fixture
def wide_page(browser: Browser) -> Iterator[Page]:
    yield from _page(browser, 1280)


@pytest.mark.parametrize("path", PAGES)
def test_no_sideways_scrolling_and_chart_text_of_at_least_11_px(
    sized_page: Page, monitor_server: str, path: str
) -> None:
    response = sized_page.goto(f"{monitor_server}{path}")
    assert response is not None and response.status == 200
    measured: dict[str, Any] = sized_page.evaluate(MEASURE)
    assert measured["scrollWidth"] <= measured["clientWidth"], measured
    if measured["texts"]:
        assert measured["smallest"] >= MIN_CHART_TEXT_PX - 0.05, measured


def test_a_county_filter_zooms_the_map_to_the_county(wide_page: Page, monitor_server: str) -> None:
    wide_page.goto(f"{monitor_server}/indikator/EL10?fylke=46")
    box = wide_page.evaluate(
        """() => { const regions = document.querySelector('.bm-ind-map .bm-map-regions').getBoundingClientRect();
                   const map = document.querySelector('.bm-ind-map svg').getBoundingClientRect();
                   return [regions.width / map.width, regions.height / map.height]; }"""
    )
    # Before: Vestland was an 80 px thumbnail in an 800 px frame. Now it fills the map's width or height.
    assert max(box) >= 0.75, box


def test_an_open_question_mark_panel_does_not_stretch_its_card(browser: Browser, monitor_server: str) -> None:
    for page in _page(browser, 1280, javascript=False):
        page.goto(f"{monitor_server}/region/0301/tema/befolkning_boligmarked")
        card = page.locator("article.bm-card").first
        before = card.bounding_box()
        page.locator("article.bm-card details.bm-about > summary").first.click()
        panel = page.locator("article.bm-card details.bm-about[open] .bm-about__body").first
        expect(panel).to_be_visible()  # waits: is_visible() answers at once, before the click's toggle may show
        after = card.bounding_box()
        assert before is not None and after is not None
        assert after["height"] == pytest.approx(before["height"], abs=1), (before, after)
        measured: dict[str, Any] = page.evaluate(MEASURE)
        assert measured["scrollWidth"] <= measured["clientWidth"]


def test_the_overviews_last_column_fits_a_laptop_screen(wide_page: Page, monitor_server: str) -> None:
    wide_page.goto(f"{monitor_server}/region/4601")
    edges = wide_page.evaluate(
        """() => { const table = document.querySelector('table.bm-overview-table');
                   const note = table.querySelector('th:last-child');
                   return [note.getBoundingClientRect().right, table.parentElement.getBoundingClientRect().right]; }"""
    )
    assert edges[0] <= edges[1] + 0.5, edges


@pytest.mark.parametrize("path", ["/indikator/EL10?fylke=46", "/region/4601/indikator/EL10", "/rangering?fylke=46"])
def test_axe_finds_nothing_on_a_phone(browser: Browser, monitor_server: str, path: str) -> None:
    for page in _page(browser, 390):
        page.goto(f"{monitor_server}{path}")
        assert_no_axe_violations(page)
