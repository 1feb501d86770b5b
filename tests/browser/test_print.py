"""Printing a theme page: the controls drop out, every card and its "?" facts are on paper, and headless
Chromium makes a PDF of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import DEFAULT_TIMEOUT_MS

THEME = "/region/4601/tema/befolkning_boligmarked"
# Interactive parts that mean nothing on paper (static/app.css, @media print).
HIDDEN_IN_PRINT = (".bm-picker", ".bm-toggles", ".bm-languages", ".bm-theme-nav", ".bm-downloads", ".ds-skip-link")


@pytest.fixture(scope="module")
def printed_page(browser: Browser, monitor_server: str) -> Iterator[Page]:
    context = browser.new_context(locale="nb-NO")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    response = page.goto(f"{monitor_server}{THEME}")
    assert response is not None
    assert response.status == 200
    page.emulate_media(media="print")
    yield page
    context.close()


def test_print_hides_the_controls_and_shows_every_card(printed_page: Page) -> None:
    page = printed_page
    for selector in HIDDEN_IN_PRINT:
        assert page.locator(selector).count() > 0, f"{selector} is not on the page at all"
        assert not page.locator(selector).first.is_visible(), f"{selector} is printed"
    cards = page.locator("article.bm-card")
    assert cards.count() >= 5  # the indicators with values for Bergen here; the rest are listed, not cards
    hidden = [card.get_attribute("aria-labelledby") for card in cards.all() if not card.is_visible()]
    assert hidden == []
    for card in cards.all():
        assert card.locator(".bm-card__value").is_visible()
        assert card.locator(".bm-card__name").is_visible()


def test_print_shows_the_about_facts_of_every_card(printed_page: Page) -> None:
    """app.css opens every <details> in print ("tables open"): a printed card keeps its definition and source."""
    page = printed_page
    bodies = page.locator("article.bm-card .bm-about__body")
    assert bodies.count() == page.locator("article.bm-card").count()
    hidden = [i for i, body in enumerate(bodies.all()) if not body.is_visible()]
    assert hidden == [], f"{len(hidden)} of {bodies.count()} cards print without their '?' facts"


def test_theme_page_prints_to_pdf(printed_page: Page) -> None:
    pdf = printed_page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 20_000
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 2, "19 cards fit on one A4 page?"
    assert pdf.rstrip().endswith(b"%%EOF")
