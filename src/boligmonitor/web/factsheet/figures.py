"""The fact sheet's charts, drawn by the web's chart functions exactly as the monitor draws them.

- A barometer (spine chart) per section, built like the region overview's: the municipality's value within the
  municipalities' spread that year (minimum, middle half, maximum), Norway's value at the centre, the marker
  shaped by the comparison with Norway.
- Lines over the last years for the population and the share aged 80+, like the time-series page: the
  municipality with its interval band, Norway and the county (left out where the county is the municipality
  itself, as Oslo is).

Every number comes from :meth:`MonitorData.row`; a missing year breaks the line, it is never drawn as zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from boligmonitor.analysis.indicator_tables import IndicatorRow
from boligmonitor.analysis.measures import COUNT_UNIT
from boligmonitor.catalog.models import Indicator, Polarity
from boligmonitor.core.flags import Flag
from boligmonitor.core.regions import NORWAY
from boligmonitor.store import RegionRow
from boligmonitor.web.charts import (
    NO_VALUE,
    LinePoint,
    LineSeries,
    SeriesBreak,
    SpineLabels,
    SpineRow,
    line_chart,
    spine_chart,
)
from boligmonitor.web.context import PageContext
from boligmonitor.web.present.formatting import count_text, unit_label, value_text
from boligmonitor.web.present.values import category, municipal_spread

TREND_YEARS = 11  # the latest eleven years: ten years of change
MIN_SPREAD = 10  # municipalities with a value that year before a value is placed among them in a barometer
MIN_BAROMETER_ROWS = 3  # fewer rows are read as easily from the table beside them
SUMMARY_ORDER = ("better", "worse", "similar", "higher", "lower", "not_compared", NO_VALUE)
_HIGHER_IS_BETTER = {Polarity.HIGHER_IS_BETTER: True, Polarity.LOWER_IS_BETTER: False}


# --------------------------------------------------------------------------------------------- barometer


@dataclass(frozen=True)
class Barometer:
    chart: Markup
    summary: str


def barometer(ctx: PageContext, chart_id: str, title: str, rows: Sequence[IndicatorRow]) -> Barometer | None:
    """A spine chart of the rows that can be placed among the municipalities (shares and rates with a national
    value, and values for at least :data:`MIN_SPREAD` municipalities that year: a spread of one or two is no
    spread); None when fewer than :data:`MIN_BAROMETER_ROWS` can. The summary counts every row given."""
    spine_rows = [spine for row in rows if (spine := _spine_row(ctx, row)) is not None]
    if len(spine_rows) < MIN_BAROMETER_ROWS or not any(spine.value is not None for spine in spine_rows):
        return None
    summary = _summary(ctx, rows)
    t = ctx.t
    labels = SpineLabels(
        worst=t("factsheet.spine.worst"),
        best=t("factsheet.spine.best"),
        low=t("factsheet.spine.low"),
        high=t("factsheet.spine.high"),
        national=t("region.norway"),
        no_value=t("factsheet.spine.no_value"),
    )
    return Barometer(spine_chart(chart_id, spine_rows, title=title, description=summary, labels=labels), summary)


def in_barometer(ctx: PageContext, row: IndicatorRow) -> bool:
    return _spine_row(ctx, row) is not None


def _spine_row(ctx: PageContext, row: IndicatorRow) -> SpineRow | None:
    indicator = row.indicator
    if indicator.unit == COUNT_UNIT or indicator.multiplier is None:
        return None
    year = row.measure.year
    if year is None:  # an indicator without any value: nothing to place
        return None
    national = ctx.data.row(indicator.id, NORWAY, year).measure.value
    spread = municipal_spread(ctx.data, indicator.id, year)
    if national is None or spread is None or spread.n < MIN_SPREAD:
        return None
    return SpineRow(
        indicator_id=indicator.id,
        label=indicator.short_name.get(ctx.language),
        value=row.measure.value,
        national=national,
        minimum=spread.minimum,
        q1=spread.q1,
        q3=spread.q3,
        maximum=spread.maximum,
        category=category(row),
        higher_is_better=_HIGHER_IS_BETTER.get(indicator.polarity),
    )


def _summary(ctx: PageContext, rows: Sequence[IndicatorRow]) -> str:
    t = ctx.t
    counts = Counter(category(row) for row in rows)
    parts = [t(f"factsheet.summary.{key}", n=counts[key]) for key in SUMMARY_ORDER if counts[key]]
    n = len(rows)
    indicators = t("factsheet.indicators.one" if n == 1 else "factsheet.indicators.other", n=n)
    return t("factsheet.summary", indicators=indicators, parts=", ".join(parts))


# ------------------------------------------------------------------------------------------------- lines


@dataclass(frozen=True)
class TrendTable:
    """The chart's figures, one row per line and one column per year (short and wide: it fits under the chart)."""

    caption: str
    years: list[int]
    rows: list[tuple[str, list[str]]]  # the line's label, then one text per year


@dataclass(frozen=True)
class TrendChart:
    indicator: Indicator
    chart: Markup
    summary: str
    table: TrendTable


def trend_chart(
    ctx: PageContext, indicator: Indicator, region: RegionRow, *, with_county: bool, chart_id: str
) -> TrendChart | None:
    """The indicator over the latest :data:`TREND_YEARS` years with values; None when fewer than two years have
    one. Counts are drawn alone (a municipality's count and Norway's total share no scale)."""
    data = ctx.data
    t = ctx.t
    years = data.tables.years(indicator.id)[-TREND_YEARS:]
    own = {year: data.row(indicator.id, region.code, year) for year in years}
    if sum(1 for row in own.values() if row.measure.value is not None) < 2:
        return None
    place = region.name
    lines: list[tuple[str, str, dict[int, IndicatorRow]]] = [("region", place, own)]
    if indicator.unit != COUNT_UNIT:
        lines.append(("norway", t("region.norway"), {year: data.row(indicator.id, NORWAY, year) for year in years}))
        county = data.regions.get(region.parent_code or region.code[:2])
        if with_county and county is not None:
            lines.append(("county", county.name, {year: data.row(indicator.id, county.code, year) for year in years}))

    def fmt(number: float) -> str:
        return count_text(number, t) if indicator.unit == COUNT_UNIT else value_text(indicator, number, t)

    series = [
        LineSeries(
            key=key,
            label=label,
            points=[
                LinePoint(
                    year,
                    rows[year].measure.value,
                    rows[year].measure.ci_low if key == "region" and indicator.multiplier else None,
                    rows[year].measure.ci_high if key == "region" and indicator.multiplier else None,
                )
                for year in years
            ],
            emphasis=key == "region",
        )
        for key, label, rows in lines
    ]
    breaks = [
        SeriesBreak(year - 0.5, t("factsheet.chart.break"))
        for year, row in own.items()
        if Flag.SERIES_BREAK in row.measure.flags
    ]
    name = indicator.short_name.get(ctx.language)
    summary = _line_summary(ctx, lines, fmt)
    chart = line_chart(
        chart_id,
        series,
        breaks=breaks,
        y_label=unit_label(indicator, t),
        title=t("factsheet.chart.title", name=name, region=place, first=years[0], last=years[-1]),
        description=summary,
        format_value=fmt,
        years=years,
    )
    table = TrendTable(
        caption=t("factsheet.chart.table", name=name, region=place),
        years=list(years),
        rows=[(label, [_cell(rows[year], fmt) for year in years]) for _, label, rows in lines],
    )
    return TrendChart(indicator, chart, summary, table)


def _cell(row: IndicatorRow, fmt: Callable[[float], str]) -> str:
    value = row.measure.value
    return "–" if value is None else fmt(value)


def _line_summary(
    ctx: PageContext, lines: list[tuple[str, str, dict[int, IndicatorRow]]], fmt: Callable[[float], str]
) -> str:
    """ "Bergen: 4,1 % i 2016 og 4,7 % i 2026. I 2026: Hele landet 5,1 %, Vestland 5,2 %." """
    t = ctx.t
    _, place, own = lines[0]
    present = [(year, row.measure.value) for year, row in sorted(own.items()) if row.measure.value is not None]
    (first, first_value), (last, last_value) = present[0], present[-1]
    text = t(
        "factsheet.chart.summary",
        name=place,
        first=fmt(first_value),
        first_year=first,
        last=fmt(last_value),
        last_year=last,
    )
    others = [
        f"{label} {fmt(value)}" for _, label, rows in lines[1:] if (value := rows[last].measure.value) is not None
    ]
    if others:
        text += " " + t("factsheet.chart.summary_others", year=last, values=", ".join(others))
    return text


__all__ = [
    "TREND_YEARS",
    "Barometer",
    "TrendChart",
    "TrendTable",
    "barometer",
    "category",
    "in_barometer",
    "trend_chart",
]
