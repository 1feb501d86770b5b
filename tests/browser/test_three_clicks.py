"""The product promise: a new user finds the share of inhabitants aged 80 and over in any municipality, with
Norway beside it, in three clicks.

From the front page: type the municipality's name in the picker and press Enter (1), follow the theme link
"Befolkning og boligmarked" (2), read the card "Innbyggere 80 år og over". If the name is shared by several
municipalities, choosing the right one from the picker's list is one more click. Three municipalities drawn
with a fixed seed from the picker's own suggestions, so the test covers more than the examples we know.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Frame, Locator, Page

from tests.browser.conftest import DEFAULT_TIMEOUT_MS

MAX_CLICKS = 3
SEED = 80
THEME_NAME = "Befolkning og boligmarked"
CARD_NAME = "Innbyggere 80 år og over"
PERCENT = re.compile(r"^\d{1,3},\d\u00a0%$")  # "4,7 %": decimal comma, no-break space before the per cent sign
NORWAY_BESIDE = re.compile(r"^landet: (\d{1,3},\d\u00a0%)$")


@pytest.fixture(scope="module")
def user_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="nb-NO")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def municipalities(user_page: Page, monitor_server: str) -> list[tuple[str, str]]:
    """(code, name) of every municipality the picker suggests ("4601 Bergen"), in the picker's order."""
    user_page.goto(f"{monitor_server}/")
    options: list[str] = user_page.evaluate(
        "() => Array.from(document.querySelectorAll('#picker-regions option'), option => option.value)"
    )
    found = [
        (code, name) for code, _, name in (option.partition(" ") for option in options) if re.fullmatch(r"\d{4}", code)
    ]
    assert len(found) > 300, f"the picker suggests only {len(found)} municipalities"
    return found


@pytest.fixture(scope="module")
def norway_share(user_page: Page, monitor_server: str) -> str:
    """Norway's own card value, to check the value shown beside a municipality's."""
    user_page.goto(f"{monitor_server}/region/0/tema/befolkning_boligmarked")
    return card(user_page).locator(".bm-card__value").inner_text().strip()


def card(page: Page) -> Locator:
    return page.locator("article.bm-card", has=page.get_by_role("heading", name=CARD_NAME, exact=True))


def chosen_municipalities(municipalities: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return random.Random(SEED).sample(municipalities, 3)


@pytest.mark.parametrize("draw", range(3), ids=lambda draw: f"municipality-{draw + 1}")
def test_share_aged_80_and_over_with_norway_beside_it_in_three_clicks(
    user_page: Page, monitor_server: str, municipalities: list[tuple[str, str]], norway_share: str, draw: int
) -> None:
    page = user_page
    code, name = chosen_municipalities(municipalities)[draw]
    page.goto(f"{monitor_server}/")
    page_loads: list[str] = []

    def record(frame: Frame) -> None:
        if frame == page.main_frame:
            page_loads.append(frame.url)

    page.on("framenavigated", record)
    try:
        clicks = 0
        # A search field with suggestions (a datalist) is a combobox.
        page.get_by_role("combobox", name="Velg kommune eller fylke").fill(name)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        clicks += 1
        if not page.url.startswith(f"{monitor_server}/region/{code}"):
            # The name is shared (Våler, Herøy …): the picker lists the candidates, with their numbers.
            with page.expect_navigation():
                page.locator(f"a[href^='/region/{code}']").first.click()
            clicks += 1
        assert page.url == f"{monitor_server}/region/{code}", f"{name} ({code}): the picker led to {page.url}"

        with page.expect_navigation():
            page.get_by_role("link", name=THEME_NAME, exact=True).first.click()
        clicks += 1
        assert page.url == f"{monitor_server}/region/{code}/tema/befolkning_boligmarked"
    finally:
        page.remove_listener("framenavigated", record)

    found = card(page)
    assert found.count() == 1, f"{name}: no card {CARD_NAME!r}"
    value = found.locator(".bm-card__value").inner_text().strip()
    assert PERCENT.match(value), f"{name}: the card shows {value!r}, not a share in per cent"
    beside = NORWAY_BESIDE.match(found.locator("dd", has_text="landet:").inner_text().strip())
    assert beside, f"{name}: Norway's value is not shown beside the municipality's"
    assert beside.group(1) == norway_share

    assert clicks <= MAX_CLICKS, f"{name}: {clicks} clicks"
    assert len(page_loads) == clicks, f"each click loads one page: {page_loads}"
