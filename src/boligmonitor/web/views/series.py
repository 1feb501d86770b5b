"""The time-series page: one indicator in one region over the years, with Norway, the county and the
KOSTRA group beside it, series breaks marked, a year-by-series data table, a one-line summary and the recent
trend; the antall / andel / forholdstall toggle applies to the chart, the table and the download.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from boligmonitor.analysis.measures import COUNT_UNIT
from boligmonitor.catalog.models import Indicator
from boligmonitor.core.flags import Flag
from boligmonitor.core.regions import RegionLevel
from boligmonitor.store import RegionRow
from boligmonitor.web.charts import LinePoint, LineSeries, SeriesBreak, line_chart
from boligmonitor.web.context import Display, PageContext
from boligmonitor.web.pages import Page
from boligmonitor.web.present.cards import trend_text
from boligmonitor.web.present.download_table import INDICATOR_COLUMNS, VALUE_COLUMNS, download
from boligmonitor.web.present.formatting import count_text
from boligmonitor.web.present.navigation import region_name
from boligmonitor.web.views.indicator.about import about_indicator
from boligmonitor.web.views.indicator.display import (
    Shown,
    display_label,
    has_denominator,
    shown,
    value_formatter,
)
from boligmonitor.web.views.indicator.filters import kostra_number
from boligmonitor.web.views.indicator.table import limit_text, value_notes
from boligmonitor.web.views.series_lines import (
    KOSTRA_LINE,
    NO_GROUP,
    NORWAY_LINE,
    OWN,
    POOL_INCOMPLETE,
    Line,
    Point,
    norway_values,
    series_lines,
)

CHART_ID = "series-chart"
EN_DASH = "\u2013"
# The indicator download's columns less the comparison with one benchmark, plus the line each row belongs to
# and the value's forholdstall to Norway in the same year.
SERIES_COLUMNS = (*INDICATOR_COLUMNS, "line", *VALUE_COLUMNS, "ratio_to_norway")


def series_page(ctx: PageContext, code: str, indicator_id: str) -> Page:
    data = ctx.data
    region = data.region(code)
    indicator = data.indicator(indicator_id)
    t = ctx.t
    language = ctx.language
    name = indicator.name.get(language)
    short_name = indicator.short_name.get(language)
    place = region_name(ctx, region)
    title = t("series.title", name=short_name, region=place)
    about = about_indicator(ctx, indicator, region.code, data.latest_year(indicator.id))
    links = _links(ctx, indicator, region)
    context: dict[str, Any] = {
        "indicator": indicator,
        "name": name,
        "short_name": short_name,
        "region": region,
        "place": place,
        "about": about,
        "links": links,
    }
    crumbs = _breadcrumbs(ctx, indicator, region, place, short_name)
    if not data.has_data(indicator.id):
        status = data.statuses.get(indicator.id)
        context["not_loaded_reason"] = (status.reason or None) if status else None
        return Page("series.html", title, context, breadcrumbs=crumbs)

    lines = series_lines(ctx, indicator, region.code)
    # Counts of Norway or a group share no scale with the region's own count: antall shows the region alone.
    counts_only = ctx.display is Display.COUNT and has_denominator(indicator)
    drawn = lines[:1] if counts_only else lines
    national = norway_values(ctx, indicator, lines)
    labels = {line.key: _label(ctx, line, place) for line in drawn}
    values = {line.key: _shown_line(ctx, indicator, line, national) for line in drawn}
    years = sorted(lines[0].points)
    fmt = value_formatter(ctx, indicator)
    breaks = [
        SeriesBreak(year - 0.5, t("series.break_label"))
        for year, point in sorted(lines[0].points.items())
        if Flag.SERIES_BREAK in point.flags
    ]
    summary = _summary(ctx, drawn, values, labels, fmt)
    chart = line_chart(
        CHART_ID,
        [
            LineSeries(
                key=line.key,
                label=labels[line.key],
                points=[
                    LinePoint(
                        year, values[line.key][year].value, values[line.key][year].low, values[line.key][year].high
                    )
                    for year in years
                ],
                emphasis=line.key == OWN,
            )
            for line in drawn
        ],
        breaks=breaks,
        y_label=display_label(ctx, indicator),
        title=t("series.chart_title", name=short_name, region=place),
        description=summary,
        format_value=fmt,
        years=years,
    )
    table, key = _table(ctx, indicator, drawn, values, labels, years, fmt)
    latest = data.row(indicator.id, region.code)
    context.update(
        {
            "chart": chart,
            "summary": summary,
            "trend": trend_text(ctx, latest),
            "unit_label": display_label(ctx, indicator),
            "columns": table["columns"],
            "table_rows": table["rows"],
            "note_key": key,
            "breaks": [int(b.year + 0.5) for b in breaks],
            "lines_note": _lines_note(ctx, indicator, region, drawn),
        }
    )
    records = [
        _record(
            ctx, indicator, name, line, point, national.get(point.year), _point_name(ctx, line, point, labels, place)
        )
        for line in drawn
        for point in _ordered(line)
    ]
    return Page(
        "series.html",
        title,
        context,
        download=download(ctx, f"boligmonitor-{region.code}-{indicator.id}", title, records, SERIES_COLUMNS),
        breadcrumbs=crumbs,
    )


def _label(ctx: PageContext, line: Line, place: str) -> str:
    t = ctx.t
    if line.key == OWN:
        return place
    if line.key == NORWAY_LINE:
        return t("region.norway")
    if line.key == KOSTRA_LINE:
        return t("indicator.kostra_group", number=kostra_number(line.code) or line.code)
    return line.name


def _shown_line(
    ctx: PageContext, indicator: Indicator, line: Line, national: dict[int, float | None]
) -> dict[int, Shown]:
    t = ctx.t
    no_count = t("indicator.missing.no_count")
    no_national = t("indicator.missing.no_national")
    return {
        year: shown(
            ctx.display,
            indicator,
            value=point.value,
            low=point.low if line.key == OWN else None,
            high=point.high if line.key == OWN else None,
            count=point.count,
            national=national.get(year),
            missing=_missing_words(ctx, point) if point.value is None else None,
            no_count=no_count,
            no_national=no_national,
        )
        for year, point in line.points.items()
    }


def _missing_words(ctx: PageContext, point: Point) -> str:
    """Why a point has no value, in a few words (the group line has reasons of its own)."""
    if point.missing in (NO_GROUP, POOL_INCOMPLETE):
        return ctx.t(f"series.missing.{point.missing}")
    return ctx.t(f"indicator.missing.{point.missing or 'not_reported'}")


def _summary(
    ctx: PageContext,
    lines: list[Line],
    values: dict[str, dict[int, Shown]],
    labels: dict[str, str],
    fmt: Callable[[float], str],
) -> str:
    """Bergen: 12,1 % in 2005 and 15,3 % in 2026. In 2026: Norway 17,1 %, Vestland 16,2 %."""
    t = ctx.t
    own = lines[0]
    present = [(year, value) for year in sorted(own.points) if (value := values[own.key][year].value) is not None]
    if not present:
        reasons = {reason for year in own.points if (reason := values[own.key][year].missing)}
        text = ", ".join(sorted(reasons)) or t("indicator.missing.not_reported")
        return t("series.summary_none", name=labels[own.key], reason=text)
    (first, first_value), (last, last_value) = present[0], present[-1]
    if first == last:
        text = t("series.summary_one", name=labels[own.key], value=fmt(last_value), year=last)
    else:
        text = t(
            "series.summary",
            name=labels[own.key],
            first=fmt(first_value),
            first_year=first,
            last=fmt(last_value),
            last_year=last,
        )
    others = [
        f"{labels[line.key]} {fmt(value)}" for line in lines[1:] if (value := values[line.key][last].value) is not None
    ]
    if others:
        text += " " + t("series.summary_others", year=last, values=", ".join(others))
    return text


def _table(
    ctx: PageContext,
    indicator: Indicator,
    lines: list[Line],
    values: dict[str, dict[int, Shown]],
    labels: dict[str, str],
    years: list[int],
    fmt: Callable[[float], str],
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Year × series: the region's value, interval, counts and notes; the other lines' values (or why not)."""
    t = ctx.t
    own = lines[0]
    comparable = has_denominator(indicator)
    columns = [labels[own.key]]
    if comparable:
        columns += [t("indicator.col.interval"), t("series.col.counts")]
    columns += [labels[line.key] for line in lines[1:]]
    columns.append(t("indicator.col.notes"))
    key: dict[str, str] = {}
    rows = []
    for year in years:
        point = own.points[year]
        value = values[own.key][year]
        notes = value_notes(
            ctx,
            value.missing if value.value is None else None,
            point.value is not None,
            point.status,
            point.harmonisation,
            point.flags,
        )
        for short, long in notes:
            if long:
                key.setdefault(short, long)
        cells = [_cell(value, fmt)]
        if comparable:
            interval = (
                t(
                    "value.interval",
                    low=limit_text(ctx, indicator, value.low),
                    high=limit_text(ctx, indicator, value.high),
                )
                if value.low is not None and value.high is not None
                else ""
            )
            counts = (
                t(
                    "card.count_of",
                    count=count_text(point.count, t),
                    denominator=count_text(point.denominator, t),
                    unit=indicator.count_unit.get(ctx.language),
                )
                if point.count is not None and point.denominator is not None
                else ""
            )
            cells += [interval, counts]
        cells += [_cell(values[line.key][year], fmt, with_reason=True) for line in lines[1:]]
        cells.append("; ".join(short for short, _ in notes))
        rows.append({"year": year, "cells": cells, "raw": value.value})
    return {"columns": columns, "rows": rows}, sorted(key.items())


def _cell(value: Shown, fmt: Callable[[float], str], *, with_reason: bool = False) -> str:
    if value.value is not None:
        return fmt(value.value)
    if with_reason and value.missing:
        return f"{EN_DASH} ({value.missing})"
    return EN_DASH


def _lines_note(ctx: PageContext, indicator: Indicator, region: RegionRow, drawn: list[Line]) -> str | None:
    """Why a comparison line one might expect is not drawn."""
    t = ctx.t
    if indicator.unit == COUNT_UNIT:
        return t("series.note.count")
    if ctx.display is Display.COUNT and has_denominator(indicator):
        return t("series.note.count_display")
    if region.level == RegionLevel.MUNICIPALITY and not any(line.key == KOSTRA_LINE for line in drawn):
        return t("series.note.no_kostra") if has_denominator(indicator) else t("series.note.no_pooling")
    for line in drawn:
        if line.key == KOSTRA_LINE:
            known = [year for year, point in sorted(line.points.items()) if point.missing != NO_GROUP]
            return t("series.note.kostra", first_year=known[0] if known else "–")
    return None


def _links(ctx: PageContext, indicator: Indicator, region: RegionRow) -> dict[str, str]:
    marker = region.code if region.level == RegionLevel.MUNICIPALITY else None
    return {
        "theme": ctx.url(f"/region/{region.code}/tema/{indicator.theme}", visning=ctx.display.value),
        "indicator": ctx.url(f"/indikator/{indicator.id}", marker=marker, visning=ctx.display.value),
    }


def _breadcrumbs(
    ctx: PageContext, indicator: Indicator, region: RegionRow, place: str, short_name: str
) -> list[tuple[str, str | None]]:
    theme = ctx.data.theme(indicator.theme)
    return [
        (ctx.t("nav.home"), ctx.url("/")),
        (place, ctx.url(f"/region/{region.code}")),
        (theme.name.get(ctx.language), ctx.url(f"/region/{region.code}/tema/{theme.id}", visning=ctx.display.value)),
        (short_name, None),
    ]


def _ordered(line: Line) -> list[Point]:
    return [line.points[year] for year in sorted(line.points)]


def _point_name(ctx: PageContext, line: Line, point: Point, labels: dict[str, str], place: str) -> str:
    """The region a point belongs to, as the page names it ("KOSTRA-gruppe 13 uten Bergen" for the group)."""
    if line.key != KOSTRA_LINE:
        return labels[line.key]
    group = ctx.t("indicator.kostra_group", number=kostra_number(point.region) or point.region)
    return ctx.t("series.kostra_without", group=group, name=place)


def _record(
    ctx: PageContext,
    indicator: Indicator,
    indicator_name: str,
    line: Line,
    point: Point,
    national: float | None,
    region_name: str,
) -> dict[str, Any]:
    """One point as a tidy row (the same fields as every other download, plus which line it belongs to)."""
    ratio = 100.0 * point.value / national if point.value is not None and national else None
    return {
        "indicator": indicator.id,
        "indicator_name": indicator_name,
        "line": line.key,
        "region": point.region,
        "region_name": region_name,
        "year": point.year,
        "value": point.value,
        "unit": indicator.unit,
        "numerator": point.count,
        "denominator": point.denominator,
        "ci_low": point.low,
        "ci_high": point.high,
        "ci_level": point.ci_level,
        "ci_method": point.ci_method,
        "status": point.status.value,
        "harmonisation": point.harmonisation.value,
        "flags": sorted(flag.value for flag in point.flags),
        "note": point.note,
        "ratio_to_norway": ratio,
    }


__all__ = ["SERIES_COLUMNS", "series_page"]
