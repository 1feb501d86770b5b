"""A value as the antall / andel / forholdstall toggle shows it, shared by the indicator and time-series pages.

- andel: the indicator's own value (share, rate, average …) with its interval where it has one;
- antall: the numerator (how many persons, households …); indicators without a denominator show their value;
- forholdstall: the value relative to Norway's, Norway = 100, the interval scaled by the same factor.

A value that cannot be shown is None with a short reason in words; it is never turned into zero.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from boligmonitor.analysis.measures import COUNT_UNIT
from boligmonitor.catalog.models import Indicator
from boligmonitor.web.context import Display, PageContext
from boligmonitor.web.present.formatting import count_text, ratio_text, unit_label, value_text
from boligmonitor.web.views.indicator.cache import cached


@dataclass(frozen=True, slots=True)
class Shown:
    """One value in the chosen display: the number (None when missing), its interval and why it is missing."""

    value: float | None
    low: float | None
    high: float | None
    missing: str | None  # short reason in words when value is None


def has_denominator(indicator: Indicator) -> bool:
    """Shares and rates: a numerator over a denominator (the only indicators with funnels and comparisons)."""
    return indicator.multiplier is not None


def shown(
    display: Display,
    indicator: Indicator,
    *,
    value: float | None,
    low: float | None,
    high: float | None,
    count: float | None,
    national: float | None,
    missing: str | None,
    no_count: str,
    no_national: str,
) -> Shown:
    """The value in ``display``; ``missing`` is the reason when ``value`` is None, the other two reasons are
    used when the value exists but the display cannot show it (no published count, no national value)."""
    if value is None:
        return Shown(None, None, None, missing)
    if not has_denominator(indicator):
        low = high = None  # counts and averages: shown without intervals (nothing to compare them with)
    if display is Display.COUNT and has_denominator(indicator):
        if count is None:
            return Shown(None, None, None, no_count)
        return Shown(count, None, None, None)
    if display is Display.RATIO:
        if national is None or national == 0:
            return Shown(None, None, None, no_national)
        factor = 100.0 / national
        return Shown(
            value * factor,
            low * factor if low is not None else None,
            high * factor if high is not None else None,
            None,
        )
    return Shown(value, low, high, None)


MEMO_SIZE = 16384


def value_formatter(ctx: PageContext, indicator: Indicator, display: Display | None = None) -> Callable[[float], str]:
    """How numbers of the chosen display are written (chart ticks, labels and table cells).

    The function remembers its answers for the data version: charts of 357 municipalities write the same
    values, limits and ticks again for every filter and highlighted municipality.
    """
    chosen = display or ctx.display
    key = ("formatter", indicator.id, chosen, ctx.language)
    return cached(ctx.data, key, lambda: functools.lru_cache(maxsize=MEMO_SIZE)(_formatter(ctx, indicator, chosen)))


def count_formatter(ctx: PageContext) -> Callable[[float], str]:
    """Whole numbers ("12 345"), remembered like :func:`value_formatter`."""
    t = ctx.t
    key = ("count_formatter", ctx.language)
    return cached(ctx.data, key, lambda: functools.lru_cache(maxsize=MEMO_SIZE)(lambda number: count_text(number, t)))


def _formatter(ctx: PageContext, indicator: Indicator, display: Display) -> Callable[[float], str]:
    t = ctx.t
    if display is Display.RATIO:
        return lambda number: ratio_text(number, t)
    if display is Display.COUNT and has_denominator(indicator):
        return lambda number: count_text(number, t)
    return lambda number: value_text(indicator, number, t)


def display_label(ctx: PageContext, indicator: Indicator) -> str:
    """What the numbers are: "Prosent", "Antall personer", "Forholdstall (landet = 100)"."""
    t = ctx.t
    if ctx.display is Display.RATIO:
        return t("display.ratio_label", benchmark=t("benchmark.norway.short"))
    if ctx.display is Display.COUNT and has_denominator(indicator):
        return t("display.count_of", unit=indicator.count_unit.get(ctx.language))
    return unit_label(indicator, t)


def reference_value(ctx: PageContext, indicator: Indicator, national: float | None) -> float | None:
    """Norway's value in the chosen display: the reference line. A national count (Norway's total) is no
    reference for a municipality's count, so counts have none (an average such as a price per m² has)."""
    if indicator.unit == COUNT_UNIT:
        return None
    if ctx.display is Display.RATIO:
        return 100.0 if national is not None and national != 0 else None
    if ctx.display is Display.COUNT and has_denominator(indicator):
        return None
    return national


__all__ = [
    "Shown",
    "count_formatter",
    "display_label",
    "has_denominator",
    "reference_value",
    "shown",
    "value_formatter",
]
