"""Rules every template keeps, read from the template files, so a new page cannot miss them (axe finds each only
on a page a browser test happens to open)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "boligmonitor" / "web" / "templates"
SCROLLING_TABLE = re.compile(r'<div class="bm-table-scroll"[^>]*>')


def _name(path: Path) -> str:
    return str(path.relative_to(TEMPLATES))


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=_name)
def test_a_scrolling_table_can_be_reached_and_scrolled_by_keyboard(template: Path) -> None:
    """axe's scrollable-region-focusable: a region that scrolls sideways takes focus and has a name."""
    for tag in SCROLLING_TABLE.findall(template.read_text(encoding="utf-8")):
        assert 'tabindex="0"' in tag and 'role="region"' in tag and "aria-labelledby=" in tag, tag
