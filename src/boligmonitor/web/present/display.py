"""Which benchmark and which display (antall / andel / forholdstall) apply to a region and an indicator, and
how a value is written in that display."""

from __future__ import annotations

from boligmonitor.analysis.measures import COUNT_UNIT, Measure
from boligmonitor.analysis.peers import BenchmarkKind
from boligmonitor.catalog.models import Indicator
from boligmonitor.core.regions import RegionLevel
from boligmonitor.store import RegionRow
from boligmonitor.web.context import BENCHMARK_WORDS, Display, PageContext
from boligmonitor.web.present.formatting import COUNT_DECIMALS, RATIO_DECIMALS, count_text, ratio_text, value_text


def effective_benchmark(ctx: PageContext, region: str) -> BenchmarkKind:
    """The benchmark asked for, where it applies: peer groups (KOSTRA group, size, similar municipalities) are
    groups of municipalities, so a county or Norway is compared with Norway (Norway with nothing)."""
    level = ctx.data.regions[region].level if region in ctx.data.regions else None
    if level != RegionLevel.MUNICIPALITY and ctx.benchmark is not BenchmarkKind.COUNTY:
        return BenchmarkKind.NORWAY
    if level == RegionLevel.COUNTRY:
        return BenchmarkKind.NORWAY
    return ctx.benchmark


def benchmark_choices(region: RegionRow) -> list[BenchmarkKind]:
    """The benchmarks the toggle offers for a region."""
    if region.level == RegionLevel.MUNICIPALITY:
        return list(BENCHMARK_WORDS)
    if region.level == RegionLevel.COUNTY:
        return [BenchmarkKind.NORWAY]
    return []


def effective_display(ctx: PageContext, indicator: Indicator) -> Display:
    """The display asked for, where it applies: antall needs a numerator over a denominator (an indicator with
    a multiplier); other indicators (counts, averages) show their own value instead."""
    if ctx.display is Display.COUNT and indicator.multiplier is None:
        return Display.SHARE
    return ctx.display


def display_text(
    ctx: PageContext, indicator: Indicator, *, value: float | None, count: float | None, ratio: float | None
) -> str:
    """The figure the chosen display shows, as the cards, the overview and the compare page write it: the count
    ("1 234"), the forholdstall ("112") or the value in its unit ("12,3 %"); "–" when that figure is None."""
    display = effective_display(ctx, indicator)
    if display is Display.COUNT:
        return count_text(count, ctx.t)
    if display is Display.RATIO:
        return ratio_text(ratio, ctx.t)
    return value_text(indicator, value, ctx.t)


def interval_in_display(
    ctx: PageContext, indicator: Indicator, m: Measure, benchmark: float | None
) -> tuple[float | None, float | None, int]:
    """The value's interval in the unit the chosen display shows, and the decimals to write it with: the same
    interval in another scale, never a new estimate, and never per-cent limits beside a count.

    - antall: the share's or rate's limits × denominator / multiplier (the count's limits); none without a
      count or denominator;
    - forholdstall: the limits / benchmark × 100; none without a benchmark (and none for counts, which have no
      forholdstall);
    - otherwise the limits in the indicator's own unit.
    """
    low, high = m.ci_low, m.ci_high
    if low is None or high is None:
        return None, None, indicator.decimals
    display = effective_display(ctx, indicator)
    if display is Display.COUNT:
        if m.count is None or not m.denominator or indicator.multiplier is None:
            return None, None, COUNT_DECIMALS
        scale = m.denominator / indicator.multiplier
        return low * scale, high * scale, COUNT_DECIMALS
    if display is Display.RATIO and indicator.unit != COUNT_UNIT:
        if benchmark is None or benchmark == 0:
            return None, None, RATIO_DECIMALS
        return low * 100.0 / benchmark, high * 100.0 / benchmark, RATIO_DECIMALS
    return low, high, indicator.decimals


__all__ = ["benchmark_choices", "display_text", "effective_benchmark", "effective_display", "interval_in_display"]
