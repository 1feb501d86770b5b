"""static/programme.css (the programme, coding, report and inbox pages' own rules): linked with its fingerprint and
served like the other static files (kept a year under the fingerprint), every colour it sets meeting WCAG AA
contrast, and the redacted marker distinct by more than colour."""

from __future__ import annotations

import re
from typing import Final

from boligmonitor.web.static_assets import IMMUTABLE, static_directory
from tests.store.reporting.synthetic import PROGRAMME, SYNTHETIC_YEAR
from tests.web.programme_report.conftest import SIRI, ReportSite

LINK: Final = re.compile(r'href="/static/programme\.css\?v=([0-9a-f]+)"')
WHITE: Final = "#ffffff"
RULE: Final = re.compile(r"([^{}]+)\{([^{}]*)\}")


def css() -> str:
    return (static_directory() / "programme.css").read_text(encoding="utf-8")


def rules() -> dict[str, dict[str, str]]:
    """Selector → declarations (comments removed)."""
    text = re.sub(r"/\*.*?\*/", "", css(), flags=re.DOTALL)
    found: dict[str, dict[str, str]] = {}
    for selector, body in RULE.findall(text):
        declarations = {
            name.strip(): value.strip()
            for name, _, value in (part.partition(":") for part in body.split(";"))
            if name.strip()
        }
        found.setdefault(" ".join(selector.split()), {}).update(declarations)
    return found


def luminance(colour: str) -> float:
    code = colour.lstrip("#")
    if len(code) == 3:
        code = "".join(c * 2 for c in code)
    channels = [int(code[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def hex_in(value: str) -> str | None:
    found = re.search(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b", value)
    return None if found is None else found.group(0)


def test_the_report_page_links_it_with_its_fingerprint_and_it_is_kept_a_year(report_site: ReportSite) -> None:
    browser = report_site.browser(SIRI)
    page = browser.get(f"/program/{PROGRAMME}/rapport/{SYNTHETIC_YEAR}").text
    found = LINK.search(page)
    assert found is not None
    served = browser.get(f"/static/programme.css?v={found.group(1)}")
    assert served.status_code == 200 and served.text == css()
    assert served.headers["cache-control"] == IMMUTABLE
    assert served.headers["content-type"] == "text/css; charset=utf-8"
    assert browser.get("/static/programme.css").headers["cache-control"] == "no-cache"


def test_every_text_colour_meets_aa_and_every_border_3_to_1() -> None:
    checked = 0
    for selector, declarations in rules().items():
        background = hex_in(declarations.get("background", "")) or WHITE
        text = hex_in(declarations.get("color", ""))
        if text is not None:
            assert contrast(text, background) >= 4.5, selector
            checked += 1
        for name, value in declarations.items():
            border = hex_in(value) if name.startswith("border") else None
            if border is not None:
                assert contrast(border, WHITE) >= 3, (selector, name)
                checked += 1
    assert checked >= 10


def test_the_redacted_marker_is_distinct_without_colour() -> None:
    redacted = rules()[".bm-redacted"]
    assert "dashed" in redacted["border"]  # a shape, not only a colour
    assert redacted["font-weight"] == "600"
    assert contrast(redacted["color"].replace("#fff", WHITE), redacted["background"]) >= 4.5
    assert rules()[".bm-hits mark"]["font-weight"] == "700"  # a hit is bold as well as highlighted
