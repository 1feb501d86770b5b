"""Comparison markers: one shape per comparison category, used by every chart and by the HTML legends.

Colour is never the only cue (WCAG 1.4.1): each category has its own shape, and its colour (a CSS class
``bm-cmp-<category>`` in charts.css, contrast ≥ 3:1 against white) only repeats it.

- better: circle          - similar: diamond         - worse: X cross
- higher: upward triangle - lower: downward triangle  (neutral indicators)
- not_compared: short dash - no_value: hollow ring
"""

from __future__ import annotations

import functools
import itertools
import math

from markupsafe import Markup

from boligmonitor.analysis.benchmark_comparison import Comparison
from boligmonitor.web.charts.svg import num

BETTER = Comparison.BETTER.value
SIMILAR = Comparison.SIMILAR.value
WORSE = Comparison.WORSE.value
HIGHER = Comparison.HIGHER.value
LOWER = Comparison.LOWER.value
NOT_COMPARED = Comparison.NOT_COMPARED.value
NO_VALUE = "no_value"
"""Chart-only category: the area has no value at all (the analysis layer says not_compared)."""

COMPARISON_CATEGORIES = (BETTER, SIMILAR, WORSE, HIGHER, LOWER, NOT_COMPARED, NO_VALUE)
"""The analysis layer's ``Comparison`` values (boligmonitor.analysis.benchmark_comparison) plus ``no_value``."""


def check_category(category: str) -> str:
    """The category itself, or ValueError: it becomes a CSS class, so only known values pass."""
    if category not in COMPARISON_CATEGORIES:
        raise ValueError(f"unknown comparison category {category!r}; expected one of {COMPARISON_CATEGORIES}")
    return category


def _cross(size: float) -> list[tuple[float, float]]:
    # A plus sign (arms ±a long, ±b thick) rotated by 45°: reads as an X even at 6 px.
    a, b = size * 0.6, size * 0.18
    plus = [(b, a), (b, b), (a, b), (a, -b), (b, -b), (b, -a), (-b, -a), (-b, -b), (-a, -b), (-a, b), (-b, b), (-b, a)]
    c = math.sqrt(0.5)
    return [((px - py) * c, (px + py) * c) for px, py in plus]


def _outline(category: str, size: float) -> list[tuple[float, float]]:
    """The polygon's corners relative to the marker's centre."""
    half = size / 2
    if category == SIMILAR:
        d = half * 1.25  # a diamond's area matches the circle's at 1.25 × the radius
        return [(0, -d), (d, 0), (0, d), (-d, 0)]
    if category == WORSE:
        return _cross(size)
    if category == HIGHER:
        return [(0, -half * 1.2), (half * 1.15, half * 0.8), (-half * 1.15, half * 0.8)]
    if category == LOWER:
        return [(0, half * 1.2), (half * 1.15, -half * 0.8), (-half * 1.15, -half * 0.8)]
    # NOT_COMPARED: a short dash
    return [(-half, -half * 0.3), (half, -half * 0.3), (half, half * 0.3), (-half, half * 0.3)]


@functools.lru_cache(maxsize=256)
def _relative_outline(category: str, size: float) -> str:
    """``m…l…z`` path commands drawing the outline from the centre: computed once per category and size.

    Corners are rounded to tenths first and the steps taken between the rounded corners, so the relative
    path closes exactly and only the centre needs formatting for each marker.
    """
    corners = [(round(x * 10), round(y * 10)) for x, y in _outline(category, size)]
    steps = [corners[0]] + [(x1 - x0, y1 - y0) for (x0, y0), (x1, y1) in itertools.pairwise(corners)]
    numbers = [f"{num(dx / 10)} {num(dy / 10)}" for dx, dy in steps]
    return f"m{numbers[0]}l{' '.join(numbers[1:])}z"


def marker_path(category: str, x: float, y: float, size: float) -> str:
    """The element (without class) drawing ``category``'s shape centred on (x, y), about ``size`` across."""
    check_category(category)
    if category == BETTER:
        return f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(size / 2)}"'
    if category == NO_VALUE:
        return f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(size * 0.4)}"'
    return f'<path d="M{num(x)} {num(y)}{_relative_outline(category, size)}"'


def comparison_marker(category: str, x: float, y: float, size: float) -> str:
    """An SVG element: ``category``'s shape centred on (x, y), about ``size`` user units across.

    Classes ``bm-marker bm-cmp-<category>`` give its colour. Unknown categories raise ValueError.
    """
    return f'{marker_path(category, x, y, size)} class="bm-marker bm-cmp-{category}"/>'


def comparison_icon(category: str) -> Markup:
    """A small stand-alone, decorative ``<svg>`` of the marker, for HTML legends and tables."""
    marker = comparison_marker(category, 7, 7, 9)
    return Markup(  # noqa: S704 - fixed markup around a marker built from numbers and a checked category
        '<svg xmlns="http://www.w3.org/2000/svg" class="bm-legend-icon" viewBox="0 0 14 14"'
        f' aria-hidden="true" focusable="false">{marker}</svg>'
    )


def comparison_legend_items() -> list[tuple[str, Markup]]:
    """``(category, icon)`` for every category in display order; the template writes the translated text."""
    return [(category, comparison_icon(category)) for category in COMPARISON_CATEGORIES]
