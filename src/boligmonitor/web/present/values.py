"""A value as the overview and compare pages write it: in the chosen display (antall / andel / forholdstall),
with its interval in the same display, the comparison in words and, when there is no figure, why.

The interval of a count is the share's interval times the denominator, and the interval of a forholdstall the
value's interval relative to the benchmark: the same interval in another scale, never a new estimate
(``display.interval_in_display``, which the cards use too).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from boligmonitor.analysis.indicator_tables import IndicatorRow
from boligmonitor.analysis.measures import COUNT_UNIT
from boligmonitor.analysis.peers import BenchmarkKind
from boligmonitor.catalog.models import Indicator
from boligmonitor.core.regions import NORWAY
from boligmonitor.web.charts import NO_VALUE
from boligmonitor.web.context import Display, PageContext
from boligmonitor.web.monitor import MonitorData
from boligmonitor.web.present.cards import benchmark_label, comparison_text
from boligmonitor.web.present.coverage import absence
from boligmonitor.web.present.display import display_text, effective_display, interval_in_display
from boligmonitor.web.present.formatting import value_text


@dataclass(frozen=True)
class ShownValue:
    """One value in the chosen display. ``number`` is None exactly when ``missing`` says why."""

    number: float | None
    low: float | None
    high: float | None
    text: str  # "12,3 %", "1 234", "112", or "–"
    interval: str | None  # "11,0–13,6" in the same display
    unit_value: str | None  # the value in the indicator's own unit, when the display is another one
    missing: str | None

    @property
    def has_value(self) -> bool:
        return self.missing is None


def shown_value(ctx: PageContext, row: IndicatorRow, *, short_reason: bool = False) -> ShownValue:
    """``row``'s value in ``ctx.display``; a missing value gives "–" and the reason (short in table cells)."""
    t = ctx.t
    indicator = row.indicator
    m = row.measure
    if m.value is None:
        reason = absence(ctx.data, indicator, row.region, m.status).value
        text = t(f"overview.missing.{reason}") if short_reason else t(f"missing.{reason}")
        return ShownValue(None, None, None, "–", None, None, text)
    unit_value = value_text(indicator, m.value, t)
    suffix = "_short" if short_reason else ""
    display = effective_display(ctx, indicator)
    if display is Display.COUNT:
        if m.count is None:
            return ShownValue(None, None, None, "–", None, unit_value, t(f"overview.count_not_published{suffix}"))
        low, high, decimals = interval_in_display(ctx, indicator, m, None)
        interval = _interval(low, high, decimals, ctx)
        return ShownValue(m.count, low, high, format_in_display(ctx, indicator, m.count), interval, unit_value, None)
    if display is Display.RATIO:
        if indicator.unit == COUNT_UNIT:
            return ShownValue(None, None, None, "–", None, unit_value, t(f"overview.ratio_count{suffix}"))
        benchmark = row.benchmark.value if row.benchmark is not None else None
        if benchmark is None or benchmark == 0:
            is_benchmark = row.region.code == NORWAY and ctx.benchmark is BenchmarkKind.NORWAY
            reason = "overview.ratio_norway" if is_benchmark else "overview.ratio_no_benchmark"
            return ShownValue(None, None, None, "–", None, unit_value, t(reason + suffix))
        ratio = 100.0 * m.value / benchmark
        low, high, decimals = interval_in_display(ctx, indicator, m, benchmark)
        interval = _interval(low, high, decimals, ctx)
        return ShownValue(ratio, low, high, format_in_display(ctx, indicator, ratio), interval, unit_value, None)
    interval = _interval(m.ci_low, m.ci_high, indicator.decimals, ctx)
    return ShownValue(m.value, m.ci_low, m.ci_high, unit_value, interval, None, None)


def format_in_display(ctx: PageContext, indicator: Indicator, number: float) -> str:
    """A number in the chosen display, as the value cells write it (also the charts' axis labels)."""
    return display_text(ctx, indicator, value=number, count=number, ratio=number)


def display_heading(ctx: PageContext, benchmark: BenchmarkKind | None = None) -> str:
    """The heading of a value column in the chosen display: "Verdi", "Antall", "Forholdstall (landet = 100)";
    ``benchmark`` is the one the page really uses, when it differs from the one asked for."""
    t = ctx.t
    if ctx.display is Display.COUNT:
        return t("display.antall")
    if ctx.display is Display.RATIO:
        kind = benchmark or ctx.benchmark
        return t("display.ratio_label", benchmark=t(f"benchmark.{kind.value}.short"))
    return t("overview.col.value")


def category(row: IndicatorRow) -> str:
    """The comparison category the charts and icons use: the analysis' comparison, or no_value."""
    return row.comparison.value if row.measure.value is not None else NO_VALUE


def comparison_words(ctx: PageContext, row: IndicatorRow) -> str:
    """ "Bedre enn landet", "Ingen sikker forskjell fra KOSTRA-gruppen", "Ikke sammenlignet – …"."""
    has_value = row.measure.value is not None
    return comparison_text(ctx, row.comparison if has_value else None, benchmark_label(ctx, row), row.indicator)


def indicator_count(ctx: PageContext, n: int) -> str:
    """ "1 indikator", "5 indikatorer"."""
    return ctx.t("overview.indicators.one" if n == 1 else "overview.indicators.other", n=n)


# Municipalities with a value that year before their spread ("the municipalities, middle half") is shown.
MIN_SPREAD_MUNICIPALITIES = 10


@dataclass(frozen=True)
class Spread:
    """The municipalities' values of one indicator and year: the spine chart's bar."""

    minimum: float
    q1: float
    q3: float
    maximum: float
    n: int


def municipal_spread(data: MonitorData, indicator_id: str, year: int | None) -> Spread | None:
    """Minimum, 25th and 75th percentile (inclusive method, as spreadsheets compute them) and maximum of the
    municipalities with a value; None when no municipality has one (``year`` None: the indicator has no value)."""
    if year is None:
        return None
    values = sorted(
        value
        for row in data.all_regions(indicator_id, year)
        if (value := row.measure.value) is not None and math.isfinite(value)
    )
    if not values:
        return None
    if len(values) == 1:
        return Spread(values[0], values[0], values[0], values[0], 1)
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Spread(values[0], q1, q3, values[-1], len(values))


def _interval(low: float | None, high: float | None, decimals: int, ctx: PageContext) -> str | None:
    if low is None or high is None:
        return None
    t = ctx.t
    return t("value.interval", low=t.number(low, decimals), high=t.number(high, decimals))


__all__ = [
    "COUNT_UNIT",
    "MIN_SPREAD_MUNICIPALITIES",
    "NO_VALUE",
    "ShownValue",
    "Spread",
    "category",
    "comparison_words",
    "display_heading",
    "format_in_display",
    "indicator_count",
    "municipal_spread",
    "shown_value",
]
