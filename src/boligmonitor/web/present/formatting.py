"""Values as the pages write them: number, unit and the antall / andel / forholdstall choice."""

from __future__ import annotations

from boligmonitor.catalog.models import Indicator
from boligmonitor.web.i18n import Language, Translator

# How many decimals a count or a ratio gets: counts are whole (estimated counts are rounded for display).
COUNT_DECIMALS = 0
RATIO_DECIMALS = 0


def value_text(indicator: Indicator, value: float | None, t: Translator) -> str:
    """12.345 with unit "percent" -> "12,3 %"; None -> "–" (the page says why beside it)."""
    if value is None:
        return "–"
    number = t.number(value, indicator.decimals)
    return t(f"unit.{indicator.unit}.value", number=number)


def count_text(value: float | None, t: Translator) -> str:
    return t.number(value, COUNT_DECIMALS)


def counts_text(
    indicator: Indicator, count: float | None, denominator: float | None, t: Translator, language: Language
) -> str | None:
    """ "31 303 av 151 669 personer": a share's or rate's numerator over its denominator; None when the indicator
    is not a share or rate, or either count is missing."""
    if count is None or denominator is None or indicator.multiplier is None:
        return None
    return t(
        "card.count_of",
        count=count_text(count, t),
        denominator=count_text(denominator, t),
        unit=indicator.count_unit.get(language),
    )


def ratio_text(value: float | None, t: Translator) -> str:
    return t.number(value, RATIO_DECIMALS)


def interval_text(
    indicator: Indicator, low: float | None, high: float | None, t: Translator, *, decimals: int | None = None
) -> str | None:
    """ "11,0–13,6": the limits with the indicator's decimals, or ``decimals`` when they are in another display's
    unit (whole persons for antall, whole numbers for forholdstall); None without an interval."""
    if low is None or high is None:
        return None
    shown = indicator.decimals if decimals is None else decimals
    return t("value.interval", low=t.number(low, shown), high=t.number(high, shown))


def unit_label(indicator: Indicator, t: Translator) -> str:
    return t(f"unit.{indicator.unit}.label")


__all__ = ["count_text", "interval_text", "ratio_text", "unit_label", "value_text"]
