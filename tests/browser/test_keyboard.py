"""Everything works from the keyboard alone: the skip link, the picker, the display and benchmark toggles and the
"?" panels of the cards, each with a visible focus indicator (WCAG 2.1.1, 2.4.1, 2.4.3, 2.4.7).

Only keyboard input moves focus here (Tab, Enter, Space, Escape, typing): never a click or `locator.focus()`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import DEFAULT_TIMEOUT_MS

THEME = "/region/4601/tema/befolkning_boligmarked"
# More tab stops than any page has before the control a test looks for; a page that needs more is a finding.
MAX_TABS = 250

# What a test needs to know about the element that has focus. `focusStyle` is read while it has focus, so it
# includes the :focus-visible rules that keyboard focus triggers.
FOCUSED_ELEMENT = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  return {
    tag: element.tagName.toLowerCase(),
    id: element.id,
    classes: Array.from(element.classList),
    text: (element.textContent || "").replace(/\\s+/g, " ").trim(),
    href: element.getAttribute("href"),
    ariaCurrent: element.getAttribute("aria-current"),
    group: element.closest("nav[aria-labelledby]")?.getAttribute("aria-labelledby") ?? null,
    card: element.closest("article.bm-card")?.getAttribute("aria-labelledby") ?? null,
    inAboutPanel: element.closest("details.bm-about") !== null,
    outline: style.outlineStyle === "none" ? "none" : `${style.outlineStyle} ${style.outlineWidth}`,
    outlineWidth: parseFloat(style.outlineWidth) || 0,
    boxShadow: style.boxShadow,
    width: box.width,
    height: box.height,
  };
}"""


@dataclass(frozen=True)
class Focused:
    tag: str
    id: str
    classes: list[str]
    text: str
    href: str | None
    aria_current: str | None
    group: str | None
    card: str | None
    in_about_panel: bool
    outline: str
    outline_width: float
    box_shadow: str
    width: float
    height: float

    @classmethod
    def read(cls, page: Page) -> Focused | None:
        found: dict[str, Any] | None = page.evaluate(FOCUSED_ELEMENT)
        if found is None:
            return None
        return cls(
            tag=found["tag"],
            id=found["id"],
            classes=found["classes"],
            text=found["text"],
            href=found["href"],
            aria_current=found["ariaCurrent"],
            group=found["group"],
            card=found["card"],
            in_about_panel=found["inAboutPanel"],
            outline=found["outline"],
            outline_width=found["outlineWidth"],
            box_shadow=found["boxShadow"],
            width=found["width"],
            height=found["height"],
        )

    def describe(self) -> str:
        return f"<{self.tag} id={self.id!r} class={' '.join(self.classes)!r} href={self.href!r}> {self.text[:60]!r}"

    @property
    def has_focus_indicator(self) -> bool:
        return (self.outline != "none" and self.outline_width > 0) or self.box_shadow != "none"


@pytest.fixture(scope="module")
def keyboard_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="nb-NO")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def open_fresh(page: Page, url: str) -> None:
    """Load the page with focus at the start of the document, as after typing the address."""
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, f"{url} answered HTTP {response.status}"


def tab_until(page: Page, wanted: Callable[[Focused], bool], what: str) -> Focused:
    """Press Tab until the focused element is the wanted one; fail naming what the Tab order passed."""
    passed: list[str] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = Focused.read(page)
        if focused is not None and wanted(focused):
            return focused
        passed.append(focused.describe() if focused else "<body>")
    raise AssertionError(f"{what} not reached in {MAX_TABS} Tab presses on {page.url}; passed: {passed[:40]} …")


def aria_current_of(page: Page, group_label_id: str) -> dict[str, str | None]:
    """Option text -> aria-current for the links of one toggle group."""
    links = page.locator(f"nav[aria-labelledby='{group_label_id}'] a")
    return {link.inner_text().strip(): link.get_attribute("aria-current") for link in links.all()}


@pytest.mark.parametrize("path", ["/", THEME], ids=["front", "theme"])
def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(
    keyboard_page: Page, monitor_server: str, path: str
) -> None:
    page = keyboard_page
    open_fresh(page, f"{monitor_server}{path}")

    page.keyboard.press("Tab")
    focused = Focused.read(page)
    assert focused is not None
    assert "ds-skip-link" in focused.classes, f"first tab stop is {focused.describe()}"
    assert focused.href == "#main"
    # Hidden until focused, then shown: its appearance on focus is its focus indicator.
    assert focused.width > 10
    assert focused.height > 10

    page.keyboard.press("Enter")
    # The fragment navigation and the focus move follow the key press in a later task: wait for them (a plain
    # read of page.url right after the press failed once on a loaded CI machine).
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("main#main")).to_be_focused()


@pytest.mark.parametrize(
    ("typed", "submit_with"),
    [("Bergen", "Enter"), ("4601", "Enter"), ("Bergen", "button")],
    ids=["name-enter", "number-enter", "name-button"],
)
def test_picker_is_used_by_keyboard(keyboard_page: Page, monitor_server: str, typed: str, submit_with: str) -> None:
    page = keyboard_page
    open_fresh(page, f"{monitor_server}/")
    tab_until(page, lambda focused: focused.id == "picker-q", "the picker's search field")

    page.keyboard.type(typed)
    if submit_with == "button":
        submit = tab_until(page, lambda focused: focused.tag == "button", "the picker's submit button")
        assert submit.text == "Vis"
    page.keyboard.press("Enter")

    page.wait_for_url(f"{monitor_server}/region/4601")
    assert page.locator("h1").inner_text().startswith("Bergen")


TOGGLES = [
    ("toggle-display-label", "Antall", "visning=antall"),
    ("toggle-display-label", "Forholdstall", "visning=forholdstall"),
    ("toggle-benchmark-label", "Fylket", "sammenlign=fylket"),
    ("toggle-benchmark-label", "KOSTRA-gruppen", "sammenlign=kostragruppen"),
    ("toggle-benchmark-label", "Like store kommuner", "sammenlign=storrelse"),
    ("toggle-benchmark-label", "Lignende kommuner", "sammenlign=lignende"),
]


@pytest.mark.parametrize(("group", "option", "parameter"), TOGGLES, ids=[option for _, option, _ in TOGGLES])
def test_toggle_is_a_link_reached_by_tab_and_followed_with_enter(
    keyboard_page: Page, monitor_server: str, group: str, option: str, parameter: str
) -> None:
    page = keyboard_page
    open_fresh(page, f"{monitor_server}{THEME}")
    before = aria_current_of(page, group)
    assert before[option] is None
    assert list(before.values()).count("true") == 1, f"exactly one option is current before: {before}"

    focused = tab_until(
        page, lambda focused: focused.group == group and focused.text == option, f"toggle {option!r} in {group}"
    )
    assert focused.tag == "a"

    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert parameter in page.url
    assert page.locator("h1").count() == 1
    after = aria_current_of(page, group)
    assert after[option] == "true", f"the chosen option is not marked current: {after}"
    assert [name for name, current in after.items() if current] == [option]


def about_summary_of(card_id: str) -> Callable[[Focused], bool]:
    return lambda focused: focused.tag == "summary" and focused.card == f"card-{card_id}-name"


def details_of_card(page: Page, card_id: str) -> Locator:
    return page.locator(f"article[aria-labelledby='card-{card_id}-name'] details.bm-about")


def test_about_panel_opens_with_enter_and_space_and_closes_with_escape(
    keyboard_page: Page, monitor_server: str
) -> None:
    page = keyboard_page
    open_fresh(page, f"{monitor_server}{THEME}")
    summary = tab_until(page, about_summary_of("BEF03"), "the '?' of the card Innbyggere 80 år og over")
    assert "Innbyggere 80 år og over" in summary.text
    body = page.locator("article[aria-labelledby='card-BEF03-name'] .bm-about__body")
    assert not body.is_visible()

    page.keyboard.press("Enter")
    expect(details_of_card(page, "BEF03")).to_have_attribute("open", "")
    expect(body).to_be_visible()  # waits for Designsystemet's opening transition
    page.keyboard.press("Escape")
    expect(details_of_card(page, "BEF03")).not_to_have_attribute("open", "")
    back = Focused.read(page)
    assert back is not None
    assert about_summary_of("BEF03")(back), f"focus went to {back.describe()}, not the summary"

    page.keyboard.press("Space")
    expect(details_of_card(page, "BEF03")).to_have_attribute("open", "")
    # From a link inside the open panel, Escape closes the panel and gives focus back to its summary.
    inside = tab_until(page, lambda focused: focused.in_about_panel and focused.tag == "a", "a link in the panel")
    assert inside.card == "card-BEF03-name"
    page.keyboard.press("Escape")
    expect(details_of_card(page, "BEF03")).not_to_have_attribute("open", "")
    back = Focused.read(page)
    assert back is not None
    assert about_summary_of("BEF03")(back), f"focus went to {back.describe()}, not the summary"


FOCUS_WALK_PAGES = [
    "/",
    "/velg?q=s%C3%B8",
    "/region/4601",
    THEME,
    "/indikator/BEF03?fylke=46",
    "/region/4601/indikator/BEF03",
    "/sammenlign?kommune=0301&kommune=4601",
]


@pytest.mark.parametrize(
    "path", FOCUS_WALK_PAGES, ids=lambda path: re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "front"
)
def test_every_tab_stop_shows_a_focus_indicator(keyboard_page: Page, monitor_server: str, path: str) -> None:
    page = keyboard_page
    open_fresh(page, f"{monitor_server}{path}")
    without_indicator: list[str] = []
    seen = 0
    for _ in range(MAX_TABS * 2):
        page.keyboard.press("Tab")
        focused = Focused.read(page)
        if focused is None:
            break  # past the last tab stop
        if seen and "ds-skip-link" in focused.classes:
            break  # wrapped round
        seen += 1
        if "ds-skip-link" in focused.classes:
            continue  # shown only while focused: its appearance is the indicator (checked above)
        if not focused.has_focus_indicator:
            without_indicator.append(f"{focused.describe()} outline={focused.outline} box-shadow={focused.box_shadow}")
    else:
        pytest.fail(f"more than {MAX_TABS * 2} tab stops on {path}")
    assert seen > 5
    assert without_indicator == [], f"tab stops without a visible focus indicator on {path}:\n" + "\n".join(
        without_indicator
    )
