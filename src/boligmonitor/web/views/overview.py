"""A region's overview (``/region/{code}``): key facts, and every theme as a barometer (spine chart).

Per theme, each indicator with data is a row of the spine chart: the region's value within the municipalities'
spread (minimum, 25th–75th percentile, maximum) that year, Norway's value at the centre, the marker shaped by
the comparison with the chosen benchmark. The chart has a one-line summary and is followed by its table.
Indicators without data are listed as not loaded yet; a missing value says why and is never drawn as zero.
Norway itself is not compared with anything: its page shows its values and the municipalities' spread.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from boligmonitor.analysis.indicator_tables import IndicatorRow
from boligmonitor.analysis.peers import BenchmarkKind
from boligmonitor.catalog.models import Indicator, Polarity, Theme
from boligmonitor.core.regions import NORWAY, RegionLevel
from boligmonitor.store import RegionRow
from boligmonitor.web.charts import SpineLabels, SpineRow, spine_chart
from boligmonitor.web.context import BENCHMARK_WORDS, PageContext
from boligmonitor.web.pages import Page
from boligmonitor.web.present.age import older_text
from boligmonitor.web.present.cards import benchmark_label, value_notes
from boligmonitor.web.present.coverage import shown_indicators
from boligmonitor.web.present.display import benchmark_choices, effective_benchmark
from boligmonitor.web.present.download_table import ROW_COLUMNS, download
from boligmonitor.web.present.facts import key_facts
from boligmonitor.web.present.formatting import value_text
from boligmonitor.web.present.navigation import region_name, theme_links, themes_in_order
from boligmonitor.web.present.values import (
    COUNT_UNIT,
    MIN_SPREAD_MUNICIPALITIES,
    NO_VALUE,
    ShownValue,
    Spread,
    category,
    comparison_words,
    display_heading,
    indicator_count,
    municipal_spread,
    shown_value,
)

OVERVIEW_COLUMNS = (
    *ROW_COLUMNS,
    "theme",
    "display",
    "missing_reason",
    "national_value",
    "municipalities_min",
    "municipalities_p25",
    "municipalities_p75",
    "municipalities_max",
)
# A municipality's page links up to its county, a district's to its city.
_HAS_PARENT_PAGE = frozenset({RegionLevel.MUNICIPALITY, RegionLevel.DISTRICT})
# The order in which the summary counts comparison outcomes.
SUMMARY_ORDER = ("better", "worse", "similar", "higher", "lower", "not_compared", NO_VALUE)
_HIGHER_IS_BETTER = {Polarity.HIGHER_IS_BETTER: True, Polarity.LOWER_IS_BETTER: False}


@dataclass
class OverviewRow:
    """One indicator of a theme section: a row of the spine chart (when it can be drawn) and of its table."""

    indicator: Indicator
    name: str
    url: str
    year: int | None  # None: the indicator has no value in any year (shown empty, never 0)
    older: str | None  # "eldre tall (2014)" beside the year, judged within the section's theme
    row: IndicatorRow
    shown: ShownValue
    national: float | None
    national_text: str
    benchmark_text: str | None
    spread: Spread | None
    middle: tuple[str, str] | None  # the 25th and 75th percentile, as text
    extremes: tuple[str, str] | None  # the lowest and the highest municipality, as text
    category: str
    comparison_text: str
    chart_note: str | None  # why the row is not in the spine chart, or None
    notes: list[str] = field(default_factory=list)

    @property
    def in_chart(self) -> bool:
        return self.chart_note is None


@dataclass
class ThemeSection:
    theme: Theme
    name: str
    url: str
    rows: list[OverviewRow]
    not_loaded: list[tuple[str, str]]  # (indicator name, indicator page URL)
    chart: Markup | None
    summary: str
    not_loaded_text: str


def overview_page(ctx: PageContext, code: str) -> Page:
    data = ctx.data
    region = data.region(code)
    benchmark = effective_benchmark(ctx, region.code)
    name = region_name(ctx, region)
    sections = [_theme_section(ctx, region, theme, benchmark) for theme in themes_in_order(ctx)]
    title = ctx.t("overview.title", region=name)
    records = [_record(ctx, section, row) for section in sections for row in section.rows]
    parent = data.regions.get(region.parent_code or "") if region.level in _HAS_PARENT_PAGE else None
    breadcrumbs: list[tuple[str, str | None]] = [(ctx.t("nav.home"), ctx.url("/"))]
    if parent is not None:
        breadcrumbs.append((parent.name, ctx.url(f"/region/{parent.code}", visning=ctx.display.value)))
    breadcrumbs.append((name, None))
    is_norway = region.code == NORWAY
    return Page(
        "overview.html",
        title,
        {
            "region": region,
            "region_display_name": name,
            "subtitle": _subtitle(ctx, region, parent),
            "is_norway": is_norway,
            "facts": key_facts(ctx, region),
            "themes": theme_links(ctx, region.code),
            "sections": sections,
            "benchmark_options": benchmark_choices(region),
            "benchmark_heading": ctx.t(f"benchmark.{benchmark.value}.option"),
            "show_benchmark": not is_norway and benchmark is not BenchmarkKind.NORWAY,
            "value_heading": display_heading(ctx, benchmark),
            "compare_url": (
                ctx.url("/sammenlign", kommune=[region.code], visning=ctx.display.value)
                if region.level == RegionLevel.MUNICIPALITY
                else None
            ),
        },
        download=download(ctx, f"boligmonitor-{region.code}-oversikt", title, records, OVERVIEW_COLUMNS),
        breadcrumbs=breadcrumbs,
    )


def _subtitle(ctx: PageContext, region: RegionRow, parent: RegionRow | None) -> str:
    """The region's kind and number: "Kommune 4601 i Vestland", "Bydel 030101 i Oslo", "Fylke 46", "Landet som
    helhet"."""
    if region.level == RegionLevel.MUNICIPALITY and parent is not None:
        return ctx.t("overview.subtitle.municipality", code=region.code, county=parent.name)
    if region.level == RegionLevel.DISTRICT and parent is not None:
        return ctx.t("overview.subtitle.district", code=region.code, city=parent.name)
    if region.level == RegionLevel.COUNTY:
        return ctx.t("overview.subtitle.county", code=region.code)
    if region.level == RegionLevel.COUNTRY:
        return ctx.t("overview.subtitle.country")
    return ctx.t("overview.subtitle.other", kind=ctx.t(f"region.level.{region.level}"), code=region.code)


def _theme_section(ctx: PageContext, region: RegionRow, theme: Theme, benchmark: BenchmarkKind) -> ThemeSection:
    data = ctx.data
    language = ctx.language
    rows: list[OverviewRow] = []
    not_loaded: list[tuple[str, str]] = []
    for indicator in shown_indicators(data, theme.id, region):
        if data.has_data(indicator.id):
            rows.append(_overview_row(ctx, region, indicator, benchmark, theme.id))
        else:
            not_loaded.append((indicator.name.get(language), ctx.url(f"/indikator/{indicator.id}")))
    name = theme.name.get(language)
    region_label = region_name(ctx, region)
    summary = _summary(ctx, region, rows)
    chart_rows = [_spine_row(row) for row in rows if row.in_chart]
    chart = None
    if any(row.value is not None for row in chart_rows):
        chart = spine_chart(
            f"spine-{theme.id}",
            chart_rows,
            title=ctx.t("overview.spine.title", theme=name, region=region_label),
            description=summary,
            labels=_spine_labels(ctx),
        )
    return ThemeSection(
        theme=theme,
        name=name,
        url=ctx.url(
            f"/region/{region.code}/tema/{theme.id}",
            visning=ctx.display.value,
            sammenlign=BENCHMARK_WORDS[ctx.benchmark],
        ),
        rows=rows,
        not_loaded=not_loaded,
        chart=chart,
        summary=summary,
        not_loaded_text=ctx.t("overview.not_loaded", indicators=indicator_count(ctx, len(not_loaded))),
    )


def _overview_row(
    ctx: PageContext, region: RegionRow, indicator: Indicator, benchmark: BenchmarkKind, theme_id: str
) -> OverviewRow:
    data = ctx.data
    t = ctx.t
    row = data.row(indicator.id, region.code, benchmark=benchmark)
    year = row.measure.year
    national_row = row if region.code == NORWAY else data.row(indicator.id, NORWAY, year)
    national = national_row.measure.value
    spread = municipal_spread(data, indicator.id, year)
    few = None
    if spread is not None and spread.n < MIN_SPREAD_MUNICIPALITIES:
        # "The municipalities, middle half" of one or a few (Oslo alone) would speak for all: not shown.
        few, spread = spread.n, None
    benchmark_value = row.benchmark.value if row.benchmark is not None else None
    notes = value_notes(ctx, row)
    chart_note = None
    if indicator.unit == COUNT_UNIT:
        chart_note = t("overview.chart_note.count")
    elif national is None:
        chart_note = t("overview.chart_note.no_national")
    elif few is not None:
        chart_note = t("overview.chart_note.few_municipalities", n=few)
    elif spread is None:
        chart_note = t("overview.chart_note.no_spread")
    return OverviewRow(
        indicator=indicator,
        name=indicator.short_name.get(ctx.language),
        url=ctx.url(f"/region/{region.code}/indikator/{indicator.id}", visning=ctx.display.value),
        year=year,
        older=older_text(ctx, theme_id, year) if row.measure.value is not None else None,
        row=row,
        shown=shown_value(ctx, row),
        national=national,
        national_text=value_text(indicator, national, t),
        benchmark_text=value_text(indicator, benchmark_value, t) if benchmark is not BenchmarkKind.NORWAY else None,
        spread=spread,
        middle=_range(ctx, indicator, spread.q1, spread.q3) if spread else None,
        extremes=_range(ctx, indicator, spread.minimum, spread.maximum) if spread else None,
        category=category(row),
        comparison_text=comparison_words(ctx, row),
        chart_note=chart_note,
        notes=notes,
    )


def _range(ctx: PageContext, indicator: Indicator, low: float, high: float) -> tuple[str, str]:
    """Both ends of a range in the indicator's unit; the template joins them with a dash."""
    return value_text(indicator, low, ctx.t), value_text(indicator, high, ctx.t)


def _spine_row(row: OverviewRow) -> SpineRow:
    spread = row.spread
    # Rows without a spread or a national value carry a chart_note and are left out of the chart.
    assert spread is not None
    assert row.national is not None
    return SpineRow(
        indicator_id=row.indicator.id,
        label=row.name,
        value=row.row.measure.value,
        national=row.national,
        minimum=spread.minimum,
        q1=spread.q1,
        q3=spread.q3,
        maximum=spread.maximum,
        category=row.category,
        higher_is_better=_HIGHER_IS_BETTER.get(row.indicator.polarity),
    )


def _spine_labels(ctx: PageContext) -> SpineLabels:
    t = ctx.t
    return SpineLabels(
        worst=t("overview.spine.worst"),
        best=t("overview.spine.best"),
        low=t("overview.spine.low"),
        high=t("overview.spine.high"),
        national=t("region.norway"),
        no_value=t("overview.spine.no_value"),
    )


def summary_counts(rows: list[OverviewRow]) -> Counter[str]:
    """How many of a section's indicators fall in each comparison category (what the summary sentence says)."""
    return Counter(row.category for row in rows)


def _summary(ctx: PageContext, region: RegionRow, rows: list[OverviewRow]) -> str:
    t = ctx.t
    if not rows:
        return t("overview.summary.none")
    if region.code == NORWAY:
        with_value = sum(1 for row in rows if row.category != NO_VALUE)
        return t("overview.summary.norway", indicators=indicator_count(ctx, with_value))
    counts = summary_counts(rows)
    parts = [t(f"overview.summary.{key}", n=counts[key]) for key in SUMMARY_ORDER if counts[key]]
    benchmark = benchmark_label(ctx, rows[0].row)
    return t(
        "overview.summary", indicators=indicator_count(ctx, len(rows)), benchmark=benchmark, parts=", ".join(parts)
    )


def _record(ctx: PageContext, section: ThemeSection, row: OverviewRow) -> dict[str, Any]:
    record = row.row.as_dict()
    spread = row.spread
    measure = row.row.measure
    record |= {
        "indicator_name": row.indicator.name.get(ctx.language),
        "theme": section.theme.id,
        "display": row.shown.text if row.shown.has_value else None,
        "missing_reason": (
            ctx.data.missing_reason(row.indicator.id, measure.status).value if measure.value is None else None
        ),
        "national_value": row.national,
        "municipalities_min": spread.minimum if spread else None,
        "municipalities_p25": spread.q1 if spread else None,
        "municipalities_p75": spread.q3 if spread else None,
        "municipalities_max": spread.maximum if spread else None,
    }
    return record


__all__ = ["OVERVIEW_COLUMNS", "OverviewRow", "ThemeSection", "overview_page", "summary_counts"]
