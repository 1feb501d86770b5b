"""What the chart functions draw: plain frozen dataclasses, filled by the views from the analysis results.

Texts are already translated and numbers are formatted by the caller's ``format_value``; the chart code never
decides wording or number format. ``category`` is a comparison category (see `markers.COMPARISON_CATEGORIES`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bar:
    """One row of a ranked bar chart; ``value`` None is drawn as a labelled gap, never as a zero bar."""

    code: str
    label: str
    value: float | None
    low: float | None
    high: float | None
    category: str
    highlighted: bool = False
    href: str | None = None


@dataclass(frozen=True, slots=True)
class FunnelPoint:
    """One area in a funnel plot: its value against its denominator (e.g. population)."""

    code: str
    label: str
    value: float
    denominator: float
    category: str
    highlighted: bool = False


@dataclass(frozen=True, slots=True)
class FunnelCurve:
    """Control limits at one level (0.95, 0.998): ``lows[i]``/``highs[i]`` belong to ``denominators[i]``.

    ``label`` (e.g. "95 %"), when given, is written at the right end of the upper limit.
    """

    level: float
    denominators: Sequence[float]
    lows: Sequence[float]
    highs: Sequence[float]
    label: str = ""


@dataclass(frozen=True, slots=True)
class LinePoint:
    """One year of a series; ``value`` None breaks the line. ``low``/``high`` is the interval, if any."""

    year: int
    value: float | None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class LineSeries:
    """One line; ``dash`` is an SVG dash array ("6 3") overriding the automatic pattern."""

    key: str
    label: str
    points: Sequence[LinePoint]
    emphasis: bool = False
    dash: str | None = None


@dataclass(frozen=True, slots=True)
class SeriesBreak:
    """A break in the series (changed definition or source): a marked vertical line at ``year``."""

    year: float
    label: str


@dataclass(frozen=True, slots=True)
class SpineRow:
    """One indicator of the barometer: the municipality's value within the municipalities' distribution."""

    indicator_id: str
    label: str
    value: float | None
    national: float
    minimum: float
    q1: float
    q3: float
    maximum: float
    category: str
    higher_is_better: bool | None
    href: str | None = None


@dataclass(frozen=True, slots=True)
class SpineLabels:
    """The spine chart's fixed wording, translated by the caller."""

    worst: str
    best: str
    low: str
    high: str
    national: str
    no_value: str


@dataclass(frozen=True, slots=True)
class MapRegion:
    """One area of a choropleth: ``path`` is an SVG path in the map frame (`project_regions`)."""

    code: str
    label: str
    path: str
    class_index: int | None
    highlighted: bool = False
    href: str | None = None


@dataclass(frozen=True, slots=True)
class MapClass:
    """One value class of a choropleth, e.g. "12,0–15,3"."""

    label: str
