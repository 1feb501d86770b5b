"""Shared SVG plumbing: the accessible root element, escaping, coordinates, scales and nice axis ticks.

Coordinates, scales and ticks take any float without raising (a value of 1.797e308 once broke every page
showing it): extreme magnitudes are drawn at a bound, NaN as zero, and the tables beside the charts carry
the true numbers.

Charts are strings: building a few thousand elements with f-strings takes milliseconds, which is what a
server-rendered page with a dozen charts needs. Geometry uses presentation attributes only where it is the
geometry itself (or a fallback that keeps the chart legible without charts.css: ``fill="none"`` on lines);
colours, dashes and weights come from CSS classes in ``static/charts.css`` so that the strict
Content-Security-Policy (no ``style`` attributes) holds.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeGuard
from urllib.parse import urlsplit

from markupsafe import Markup

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
FONT_SIZE = 11
"""Font size in user units for every chart's text; set on the root element (layout depends on it)."""

_CHART_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_SAFE_SCHEMES = frozenset({"", "http", "https"})
EN_DASH = "\u2013"
"""Shown where a value is missing (never a zero-length bar or a point at zero)."""


def esc(text: str) -> str:
    """Escape text for an SVG text node or a double-quoted attribute."""
    return html.escape(text, quote=True)


# Charts are a few hundred user units wide: a coordinate beyond this is off the chart whatever it is, and
# clamping it keeps ``round`` away from infinities (a value of 1.797e308 × 10 overflows).
MAX_COORDINATE = 1e7
# Data values are brought within this magnitude before axes are computed, so that a span, a step and the
# outermost tick stay finite (1.797e308 − (−1.797e308) is infinite); smaller magnitudes count as zero.
MAX_MAGNITUDE = 1e300
MIN_MAGNITUDE = 1e-300
_MAX_TICKS = 100


def num(value: float) -> str:
    """A coordinate with at most one decimal and no trailing ``.0`` (SVG output stays small). Never raises:
    NaN is 0 and anything beyond :data:`MAX_COORDINATE` (infinities too) is clamped to it."""
    if math.isnan(value):
        value = 0.0
    value = min(max(value, -MAX_COORDINATE), MAX_COORDINATE)
    tenths = round(value * 10)
    if tenths % 10 == 0:
        return str(tenths // 10)
    return str(tenths / 10)


def check_chart_id(chart_id: str) -> str:
    """Chart ids become element ids (``{chart_id}-title``): a letter, then letters, digits, ``-`` or ``_``."""
    if not _CHART_ID.match(chart_id):
        raise ValueError(f"chart_id must match [A-Za-z][A-Za-z0-9_-]*, got {chart_id!r}")
    return chart_id


def safe_href(href: str) -> str:
    """An escaped link target; only relative, http and https links (no ``javascript:``) are accepted."""
    if urlsplit(href.strip()).scheme.lower() not in _SAFE_SCHEMES:
        raise ValueError(f"chart links must be relative or http(s), got {href!r}")
    return esc(href)


def text_width(text: str, *, bold: bool = False, font_size: float = FONT_SIZE) -> float:
    """Estimated rendered width of ``text`` (average sans-serif glyph ≈ 0.56 em, bold ≈ 0.6 em).

    Used only to size label columns; charts scale with their container, so a few percent off is harmless.
    """
    return len(text) * font_size * (0.6 if bold else 0.56)


def svg_document(
    chart_id: str,
    css_class: str,
    width: float,
    height: float,
    title: str,
    description: str,
    body: str,
    *,
    interactive: bool = False,
) -> Markup:
    """The root ``<svg>`` with its accessible name and description wired to its own ``<title>``/``<desc>``.

    A chart containing links gets ``role="group"`` instead of ``role="img"``: the children of an ``img`` are
    presentational, so its links would be hidden from assistive technology (axe: nested-interactive).

    ``width`` is also the chart's natural width on screen, as a class (:func:`natural_width_class`; no
    ``width`` attribute, which would size the fact sheet's PDF too): pages draw a chart at least that wide, so
    its text is :data:`FONT_SIZE` pixels at any screen width, and a chart wider than a phone scrolls inside its
    figure (static/charts.css) rather than shrinking its text to a few pixels.
    """
    check_chart_id(chart_id)
    role = "group" if interactive else "img"
    classes = f"bm-chart {css_class} {natural_width_class(width)}"
    return Markup(  # noqa: S704 - every text and attribute value in here is escaped or validated
        f'<svg xmlns="{SVG_NAMESPACE}" class="{classes}" viewBox="0 0 {num(width)} {num(height)}"'
        f' preserveAspectRatio="xMinYMin meet" role="{role}"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc"'
        f' focusable="false" font-size="{FONT_SIZE}">'
        f'<title id="{chart_id}-title">{esc(title)}</title><desc id="{chart_id}-desc">{esc(description)}</desc>'
        f"{body}</svg>"
    )


# Natural widths have a screen rule in charts.css for every multiple of this many pixels up to the maximum.
NATURAL_WIDTH_STEP = 10
MAX_NATURAL_WIDTH = 1200


def natural_width_class(width: float) -> str:
    """``bm-w-N``: the chart's width rounded up to :data:`NATURAL_WIDTH_STEP` pixels (up, so that the scale is
    at least 1 and text at least :data:`FONT_SIZE` px); charts.css sets ``width: Npx`` on screens only."""
    if not math.isfinite(width) or width <= 0:
        return "bm-w-auto"
    steps = math.ceil(min(width, MAX_NATURAL_WIDTH) / NATURAL_WIDTH_STEP)
    return f"bm-w-{steps * NATURAL_WIDTH_STEP}"


def text(x: float, y: float, content: str, css_class: str = "", *, anchor: str = "start") -> str:
    """A ``<text>`` element; ``content`` is escaped here. ``y`` is the baseline."""
    cls = f' class="{css_class}"' if css_class else ""
    anchor_attr = "" if anchor == "start" else f' text-anchor="{anchor}"'
    return f'<text x="{num(x)}" y="{num(y)}"{cls}{anchor_attr}>{esc(content)}</text>'


def link(href: str | None, content: str) -> str:
    """``content`` wrapped in an SVG ``<a>`` when ``href`` is given."""
    if href is None:
        return content
    return f'<a href="{safe_href(href)}">{content}</a>'


def tooltip(content: str) -> str:
    """A ``<title>`` child: the browser's hover text for the element it belongs to."""
    return f"<title>{esc(content)}</title>"


def finite(value: float | None) -> TypeGuard[float]:
    """True for a real number (None, NaN and infinities are all 'no value')."""
    return value is not None and math.isfinite(value)


@dataclass(frozen=True, slots=True)
class LinearScale:
    """Maps ``domain`` linearly onto ``pixels`` (either may be reversed)."""

    domain: tuple[float, float]
    pixels: tuple[float, float]

    def __call__(self, value: float) -> float:
        d0, d1 = (_bounded(end) for end in self.domain)
        p0, p1 = self.pixels
        if d1 == d0:
            return (p0 + p1) / 2
        # Halved first (exactly, in binary): d1 − d0 and value − d0 may overflow at extreme magnitudes.
        position = p0 + (_bounded(value) / 2 - d0 / 2) * (p1 - p0) / (d1 / 2 - d0 / 2)
        return position if math.isfinite(position) else (p0 + p1) / 2


@dataclass(frozen=True, slots=True)
class LogScale:
    """Maps a positive ``domain`` onto ``pixels`` on a base-10 logarithmic scale."""

    domain: tuple[float, float]
    pixels: tuple[float, float]

    def __post_init__(self) -> None:
        if self.domain[0] <= 0 or self.domain[1] <= 0:
            raise ValueError(f"a log scale needs a positive domain, got {self.domain}")

    def __call__(self, value: float) -> float:
        l0, l1 = _log10(self.domain[0]), _log10(self.domain[1])
        p0, p1 = self.pixels
        if l1 == l0:
            return (p0 + p1) / 2
        return p0 + (_log10(value) - l0) * (p1 - p0) / (l1 - l0)


def _bounded(value: float) -> float:
    """``value`` within ±:data:`MAX_MAGNITUDE` (NaN as 0; tiny magnitudes as 0), where arithmetic stays finite."""
    if math.isnan(value) or abs(value) < MIN_MAGNITUDE:
        return 0.0
    return min(max(value, -MAX_MAGNITUDE), MAX_MAGNITUDE)


def _log10(value: float) -> float:
    """log10 of a positive value brought within [:data:`MIN_MAGNITUDE`, :data:`MAX_MAGNITUDE`] (0 and NaN
    as the smallest): a log axis never sees a value it cannot take."""
    if math.isnan(value):
        value = MIN_MAGNITUDE
    return math.log10(min(max(value, MIN_MAGNITUDE), MAX_MAGNITUDE))


def nice_step(span: float, target_count: int = 5) -> float:
    """A 1, 2 or 5 × 10ⁿ step that divides ``span`` into about ``target_count`` intervals (1 for a span that
    is not a positive finite number)."""
    raw = span / max(target_count, 1)
    if not (math.isfinite(raw) and raw > 0):
        return 1.0
    magnitude = 10.0 ** math.floor(math.log10(raw))
    normalised = raw / magnitude
    if normalised < 1.5:
        factor = 1.0
    elif normalised < 3:
        factor = 2.0
    elif normalised < 7:
        factor = 5.0
    else:
        factor = 10.0
    return factor * magnitude


def _widen(low: float, high: float) -> tuple[float, float]:
    low, high = sorted((_bounded(low), _bounded(high)))
    # A span below the values' own precision (1e17 and 1e17 + 16) is a single value too.
    if high - low > max(abs(low), abs(high)) * 1e-12:
        return low, high
    # A single value: give it some room (±10 %, or ±1 around zero) so that the axis still has ticks.
    pad = abs(low) * 0.1 or 1.0
    return low - pad, high + pad


def _clean(value: float, step: float) -> float:
    # k * step carries binary noise (0.30000000000000004); round to the step's precision.
    decimals = max(0, -math.floor(math.log10(step)) + 1)
    return float(round(value, decimals)) + 0.0


def nice_domain(low: float, high: float, target_count: int = 5) -> tuple[float, float, float]:
    """``(start, end, step)``: the range widened outwards to whole steps. Any two floats give a finite answer
    (values beyond ±:data:`MAX_MAGNITUDE` are drawn at it; NaN counts as 0)."""
    low, high = _widen(low, high)
    step = nice_step(high - low, target_count)
    return _clean(math.floor(low / step) * step, step), _clean(math.ceil(high / step) * step, step), step


def nice_ticks(low: float, high: float, target_count: int = 5) -> list[float]:
    """Tick values at whole steps covering ``[low, high]`` (widened outwards to the steps)."""
    start, end, step = nice_domain(low, high, target_count)
    count = round((end - start) / step)
    if not 1 <= count <= _MAX_TICKS:  # cannot happen for a nice step; a guard against float surprises
        return [start, end]
    return [_clean(start + k * step, step) for k in range(count + 1)]


def log_ticks(low: float, high: float) -> list[float]:
    """Powers of ten within ``[low, high]``; 2× and 5× multiples as well when fewer than two powers fit."""
    if low <= 0 or high <= 0 or high < low:
        raise ValueError(f"log ticks need 0 < low <= high, got {low}, {high}")
    low, high = min(max(low, MIN_MAGNITUDE), MAX_MAGNITUDE), min(max(high, MIN_MAGNITUDE), MAX_MAGNITUDE)
    first, last = math.ceil(math.log10(low) - 1e-9), math.floor(math.log10(high) + 1e-9)
    powers = [10.0**k for k in range(first, last + 1)]
    if len(powers) >= 2:
        return powers
    ticks: list[float] = []
    for k in range(first - 1, last + 1):
        for factor in (1, 2, 5):
            tick = factor * 10.0**k
            if low * (1 - 1e-9) <= tick <= high * (1 + 1e-9):
                ticks.append(tick)
    return ticks


def spread_labels(positions: Sequence[float], min_gap: float, low: float, high: float) -> list[float]:
    """Move label positions apart (keeping their order) so that neighbours are at least ``min_gap`` apart.

    Used for direct labels at line ends: labels stay next to their line where there is room and are pushed
    apart only as far as needed, within ``[low, high]``.
    """
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    placed = [min(max(positions[i], low), high) for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + min_gap)
    overflow = placed[-1] - high if placed else 0.0
    if overflow > 0:
        placed[-1] -= overflow
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - min_gap)
    result = [0.0] * len(positions)
    for rank, index in enumerate(order):
        result[index] = placed[rank]
    return result
