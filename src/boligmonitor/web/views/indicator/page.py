"""The indicator page: one indicator across the municipalities in one year.

Ranked bars with intervals and the national line, a funnel plot with 95 % and 99.8 % limits (shares and rates),
a choropleth map and a sortable table that is the bars' and the map's data table; filters by county, KOSTRA
group, size group or a chosen list; a highlighted municipality (``marker``); the antall / andel /
forholdstall toggle. All of it is in the URL (see :mod:`indicator_filters`), and the downloads hold the rows
the table shows, in its order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from boligmonitor.analysis.indicator_tables import Benchmark, IndicatorRow
from boligmonitor.analysis.measures import has_interval
from boligmonitor.catalog.models import Indicator
from boligmonitor.core.regions import NORWAY
from boligmonitor.geo.groups import SizeGroup
from boligmonitor.web.charts import Bar, ranked_bars
from boligmonitor.web.context import Display, PageContext
from boligmonitor.web.pages import Page
from boligmonitor.web.present.download_table import download
from boligmonitor.web.present.formatting import value_text
from boligmonitor.web.views.indicator.about import about_indicator, icon_sprite, missing_words
from boligmonitor.web.views.indicator.cache import cached, lru_cached
from boligmonitor.web.views.indicator.display import (
    Shown,
    display_label,
    has_denominator,
    reference_value,
    shown,
    value_formatter,
)
from boligmonitor.web.views.indicator.filters import (
    IndicatorFilters,
    apply_filters,
    kostra_groups,
    kostra_number,
    kostra_of_year,
    municipality_size,
    parse_filters,
)
from boligmonitor.web.views.indicator.funnel import funnel_figure
from boligmonitor.web.views.indicator.map import MapArea, MapFigure, map_figure
from boligmonitor.web.views.indicator.table import (
    RowMarkup,
    note_key,
    row_markup,
    sort_headers,
    sort_rows,
    table_body,
)

EN_DASH = "\u2013"
BARS_ID, FUNNEL_ID, MAP_ID = "ind-bars", "ind-funnel", "ind-map"
MAX_NAMED = 8  # a chosen list is named in the page's summary up to this many


@dataclass(frozen=True)
class YearView:
    """Every municipality's value of one indicator and year in one display and language: what the filters,
    charts and table pick from. Made once per data version (see :func:`year_view`)."""

    rows: list[IndicatorRow]
    national: Benchmark | None
    names: dict[str, str]
    values: dict[str, Shown]
    formatted: dict[str, str]
    markup: dict[str, RowMarkup]
    records: dict[str, dict[str, Any]]

    @property
    def national_value(self) -> float | None:
        return self.national.value if self.national is not None else None


def indicator_page(ctx: PageContext, indicator_id: str) -> Page:
    data = ctx.data
    indicator = data.indicator(indicator_id)
    filters = parse_filters(ctx, data.tables.years(indicator.id))
    if filters.year is None:
        return _not_loaded_page(ctx, indicator)
    if not published_for_municipalities(indicator):
        return _national_page(ctx, indicator)
    t = ctx.t
    language = ctx.language
    year = filters.year
    name = indicator.name.get(language)
    short_name = indicator.short_name.get(language)
    view = year_view(ctx, indicator, year)
    rows = apply_filters(ctx, view.rows, filters)
    marker = filters.marker
    national = view.national_value
    unit = display_label(ctx, indicator)
    ordered = sort_rows(rows, view.values, view.names, filters)
    headers = sort_headers(
        ctx, filters, {"navn": t("indicator.col.municipality"), "nummer": t("indicator.col.number"), "verdi": unit}
    )
    # The charts depend on the shown municipalities and the highlighted one, not on the table's order: sorting
    # the table reuses them.
    chart_key = (indicator.id, year, ctx.display, language, tuple(row.region.code for row in rows), marker)
    bars = (
        lru_cached(data, "bars", chart_key, lambda: _bars(ctx, indicator, year, view, rows, marker)) if rows else None
    )
    funnel, funnel_reason = None, None
    if not has_denominator(indicator):
        funnel_reason = t("indicator.funnel.not_for_counts")
    elif not has_interval(indicator.kind):
        funnel_reason = t("indicator.funnel.no_interval")
    elif national is None:
        funnel_reason = t("indicator.funnel.no_national")
    elif rows:
        funnel = lru_cached(
            data,
            "funnel",
            (indicator.id, year, language, chart_key[4], marker),
            lambda: funnel_figure(ctx, FUNNEL_ID, indicator, year, national, rows, view.rows, marker, view.names),
        )
    choropleth = (
        lru_cached(data, "map", chart_key, lambda: _map(ctx, indicator, year, view, rows, marker)) if rows else None
    )

    title = t("indicator.title", name=name)
    first_with_value = next((row.region.code for row in view.rows if row.measure.value is not None), NORWAY)
    return Page(
        "indicator.html",
        title,
        {
            "indicator": indicator,
            "name": name,
            "short_name": short_name,
            "year": year,
            "filters": filters,
            "form": _form(ctx, indicator, filters, year),
            "selection_text": _selection_text(ctx, filters, len(rows), len(view.rows)),
            "clear_filters_url": ctx.here(fylke=None, kostragruppe=None, storrelse=None, kommune=None),
            "marked": _marked(ctx, filters, rows, view) if marker else None,
            "national_text": _national_text(ctx, indicator, view.national),
            "unit_label": unit,
            "comparable": has_denominator(indicator),
            "bars": bars,
            "funnel": funnel,
            "funnel_reason": funnel_reason,
            "choropleth": choropleth,
            "n_rows": len(rows),
            "table_body": table_body(ordered, view.markup, marker, t("indicator.marked.sr")),
            "headers": headers,
            "note_key": note_key(ordered, view.markup),
            "missing_key": _missing_key(ctx, indicator, rows, view),
            "icon_sprite": icon_sprite(),
            "about": about_indicator(ctx, indicator, first_with_value, year),
            "series_url": (
                ctx.url(f"/region/{marker}/indikator/{indicator.id}", visning=ctx.display.value) if marker else None
            ),
        },
        download=download(
            ctx,
            f"boligmonitor-{indicator.id}-{year}",
            f"{title}, {year}",
            [view.records[row.region.code] for row in ordered],
        ),
        breadcrumbs=_breadcrumbs(ctx, indicator, short_name),
    )


def year_view(ctx: PageContext, indicator: Indicator, year: int) -> YearView:
    """The :class:`YearView` of ``indicator`` in ``year`` for this page's display and language (cached)."""
    key = (indicator.id, year, ctx.display, ctx.language)
    return lru_cached(ctx.data, "year_view", key, lambda: _year_view(ctx, indicator, year))


def _year_view(ctx: PageContext, indicator: Indicator, year: int) -> YearView:
    rows = ctx.data.all_regions(indicator.id, year)
    national = rows[0].benchmark if rows else None
    names = {row.region.code: row.region.name for row in rows}
    values = _shown_values(ctx, indicator, rows, national.value if national is not None else None)
    fmt = value_formatter(ctx, indicator)
    formatted = {code: fmt(v.value) if v.value is not None else EN_DASH for code, v in values.items()}
    markup = {
        row.region.code: row_markup(
            ctx, indicator, row, values[row.region.code], names[row.region.code], formatted[row.region.code]
        )
        for row in rows
    }
    indicator_name = indicator.name.get(ctx.language)
    records = {row.region.code: {**row.as_dict(), "indicator_name": indicator_name} for row in rows}
    return YearView(rows, national, names, values, formatted, markup, records)


def _bars(
    ctx: PageContext, indicator: Indicator, year: int, view: YearView, rows: list[IndicatorRow], marker: str | None
) -> dict[str, Any]:
    t = ctx.t
    fmt = value_formatter(ctx, indicator)
    reference = reference_value(ctx, indicator, view.national_value)
    ranked = _ranked(rows, view.values, view.names)
    summary = _bars_summary(ctx, ranked, view, reference, fmt)
    # Only values are drawn: the summary counts the municipalities without one, and the table says why for each.
    bars = []
    for row in ranked:
        code = row.region.code
        value = view.values[code]
        if value.value is not None:
            bars.append(
                Bar(code, view.names[code], value.value, value.low, value.high, row.comparison.value, code == marker)
            )
    if not bars:
        return {"svg": None, "summary": summary}
    svg = ranked_bars(
        BARS_ID,
        bars,
        reference=reference,
        reference_label=t("region.norway"),
        title=t("indicator.bars.title", name=indicator.short_name.get(ctx.language), year=year),
        description=summary,
        format_value=fmt,
    )
    return {"svg": svg, "summary": summary}


def _map(
    ctx: PageContext, indicator: Indicator, year: int, view: YearView, rows: list[IndicatorRow], marker: str | None
) -> MapFigure | None:
    areas = [
        MapArea(
            row.region.code, view.names[row.region.code], view.values[row.region.code].value, row.region.code == marker
        )
        for row in rows
    ]
    title = ctx.t("indicator.map.title", name=indicator.short_name.get(ctx.language), year=year)
    return map_figure(ctx, MAP_ID, areas, title=title, format_value=value_formatter(ctx, indicator))


def _not_loaded_page(ctx: PageContext, indicator: Indicator) -> Page:
    """An indicator without data: the page still explains what it is and why it has no figures yet."""
    t = ctx.t
    name = indicator.name.get(ctx.language)
    status = ctx.data.statuses.get(indicator.id)
    return Page(
        "indicator.html",
        t("indicator.title", name=name),
        {
            "indicator": indicator,
            "name": name,
            "short_name": indicator.short_name.get(ctx.language),
            "year": None,
            "not_loaded_reason": (status.reason or None) if status else None,
            "about": about_indicator(ctx, indicator),
            "icon_sprite": "",
        },
        breadcrumbs=_breadcrumbs(ctx, indicator, indicator.short_name.get(ctx.language)),
    )


def published_for_municipalities(indicator: Indicator) -> bool:
    """Whether the publisher gives the indicator per municipality (or per urban district, which the municipal
    pages show): else, as SSB's rental survey and house price index, only for Norway (or counties)."""
    return bool({"municipality", "district"} & set(indicator.geo_levels))


def _national_page(ctx: PageContext, indicator: Indicator) -> Page:
    """An indicator published only for the whole country: no municipality list of empty rows (which would read as
    357 municipalities that did not report), but Norway's latest value, its year, and the way to its series."""
    t = ctx.t
    name = indicator.name.get(ctx.language)
    latest = next(
        (o for o in sorted(ctx.data.series(indicator.id, NORWAY), key=lambda o: -o.year) if o.value is not None), None
    )
    national = None
    if latest is not None:
        national = {"value": value_text(indicator, latest.value, t), "year": latest.year}
    return Page(
        "indicator.html",
        t("indicator.title", name=name),
        {
            "indicator": indicator,
            "name": name,
            "short_name": indicator.short_name.get(ctx.language),
            "year": latest.year if latest is not None else None,
            "national_only": True,
            "national": national,
            "levels": ", ".join(t(f"indicator.level.{level}") for level in indicator.geo_levels),
            "series_url": ctx.url(f"/region/{NORWAY}/indikator/{indicator.id}"),
            "about": about_indicator(ctx, indicator),
            "icon_sprite": "",
        },
        breadcrumbs=_breadcrumbs(ctx, indicator, indicator.short_name.get(ctx.language)),
    )


def _breadcrumbs(ctx: PageContext, indicator: Indicator, short_name: str) -> list[tuple[str, str | None]]:
    theme = ctx.data.theme(indicator.theme)
    return [
        (ctx.t("nav.home"), ctx.url("/")),
        (theme.name.get(ctx.language), ctx.url(f"/region/{NORWAY}/tema/{theme.id}", visning=ctx.display.value)),
        (short_name, None),
    ]


def _shown_values(
    ctx: PageContext, indicator: Indicator, rows: list[IndicatorRow], national: float | None
) -> dict[str, Shown]:
    t = ctx.t
    no_count = t("indicator.missing.no_count")
    no_national = t("indicator.missing.no_national")
    result = {}
    for row in rows:
        m = row.measure
        result[row.region.code] = shown(
            ctx.display,
            indicator,
            value=m.value,
            low=m.ci_low,
            high=m.ci_high,
            count=m.count,
            national=national,
            missing=missing_words(ctx, indicator.id, m.status) if m.value is None else None,
            no_count=no_count,
            no_national=no_national,
        )
    return result


def _ranked(rows: list[IndicatorRow], values: dict[str, Shown], names: dict[str, str]) -> list[IndicatorRow]:
    """Highest value first (the bars' order); municipalities without a value last, by name."""
    with_value = [row for row in rows if values[row.region.code].value is not None]
    with_value.sort(key=lambda row: (-(values[row.region.code].value or 0.0), names[row.region.code]))
    without = sorted((row for row in rows if values[row.region.code].value is None), key=lambda r: names[r.region.code])
    return with_value + without


def _bars_summary(
    ctx: PageContext, ranked: list[IndicatorRow], view: YearView, reference: float | None, fmt: Callable[[float], str]
) -> str:
    """ "Values range from 2,1 % in X to 9,8 % in Y. Norway: 4,5 %. 3 municipalities have no value." """
    t = ctx.t
    present = [row.region.code for row in ranked if view.values[row.region.code].value is not None]
    if not present:
        return t("indicator.bars.summary_none", n=len(ranked))
    high, low = present[0], present[-1]
    if len(present) == 1:
        text = t("indicator.bars.summary_one", name=view.names[high], value=view.formatted[high])
    else:
        text = t(
            "indicator.bars.summary",
            low=view.formatted[low],
            low_name=view.names[low],
            high=view.formatted[high],
            high_name=view.names[high],
        )
    if reference is not None:
        text += " " + t("indicator.bars.national", value=fmt(reference))
    missing = len(ranked) - len(present)
    if missing:
        text += " " + t("indicator.bars.missing", n=missing)
    return text


def _national_text(ctx: PageContext, indicator: Indicator, benchmark: Benchmark | None) -> dict[str, str | None]:
    """Norway's value that year, or that it has none and the analysis' reason (in English, as computed)."""
    t = ctx.t
    if benchmark is not None and benchmark.value is not None:
        return {"text": t("indicator.national_value", value=value_text(indicator, benchmark.value, t)), "reason": None}
    return {"text": t("indicator.national_missing"), "reason": benchmark.source if benchmark is not None else None}


def _marked(ctx: PageContext, filters: IndicatorFilters, rows: list[IndicatorRow], view: YearView) -> dict[str, Any]:
    """What the page says about the highlighted municipality, and quick filters to its own groups."""
    t = ctx.t
    code = filters.marker
    assert code is not None
    assert filters.year is not None
    year = filters.year
    name = view.names.get(code, code)
    text = t("indicator.marked.outside", name=name)
    if any(row.region.code == code for row in rows):
        value = view.values[code]
        if value.value is None:
            text = t("indicator.marked.missing", name=name, reason=value.missing or "")
        else:
            shown_values = [v for row in rows if (v := view.values[row.region.code].value) is not None]
            rank = 1 + sum(1 for other in shown_values if other > value.value)
            text = t("indicator.marked.value", name=name, value=view.formatted[code], rank=rank, n=len(shown_values))
    unfiltered = {"fylke": None, "kostragruppe": None, "storrelse": None, "kommune": None}
    links = []
    county = ctx.data.regions.get(code[:2])
    if county is not None:
        links.append(
            (t("indicator.marked.same_county", county=county.name), ctx.here(**{**unfiltered, "fylke": code[:2]}))
        )
    group = kostra_of_year(ctx, year).get(code)
    if group is not None:
        label = t("indicator.marked.same_kostra", number=kostra_number(group) or group)
        links.append((label, ctx.here(**{**unfiltered, "kostragruppe": group})))
    size = municipality_size(ctx, code, year)
    if size is not None:
        label = t("indicator.marked.same_size", band=size.labels[ctx.language])
        links.append((label, ctx.here(**{**unfiltered, "storrelse": size.value})))
    links.append((t("indicator.marked.all"), ctx.here(**unfiltered)))
    return {"code": code, "name": name, "text": text, "links": links}


def _selection_text(ctx: PageContext, filters: IndicatorFilters, shown_count: int, total: int) -> str:
    t = ctx.t
    parts = []
    if filters.county is not None:
        parts.append(ctx.data.regions[filters.county].name)
    if filters.kostra_group is not None:
        parts.append(t("indicator.kostra_group", number=kostra_number(filters.kostra_group) or filters.kostra_group))
    if filters.size_group is not None:
        parts.append(t("indicator.size_group", band=filters.size_group.labels[ctx.language]))
    if filters.municipalities:
        chosen = sorted(ctx.data.regions[code].name for code in filters.municipalities)
        names = ", ".join(chosen) if len(chosen) <= MAX_NAMED else ", ".join(chosen[:MAX_NAMED]) + " …"
        parts.append(t("indicator.chosen", n=len(chosen), names=names))
    text = t("indicator.showing", n=shown_count, total=total, year=filters.year)
    if parts:
        text += " " + t("indicator.filtered_by", filters=", ".join(parts))
    return text


def _form(ctx: PageContext, indicator: Indicator, filters: IndicatorFilters, year: int) -> dict[str, Any]:
    """Options of the filter form, with the current choices selected."""
    t = ctx.t
    data = ctx.data
    years = sorted(data.tables.years(indicator.id), reverse=True)
    hidden: list[tuple[str, str]] = []
    if ctx.language != "nb":
        hidden.append(("lang", ctx.language))
    if ctx.display is not Display.SHARE:
        hidden.append(("visning", ctx.display.value))
    for key in ("marker", "sorter", "retning"):
        value = ctx.query.get(key)
        if isinstance(value, str) and value:
            hidden.append((key, value))
    groups = kostra_groups(ctx, year)
    return {
        "years": years,
        "counties": sorted(data.counties(), key=lambda region: region.name),
        "kostra_groups": [
            (group, t("indicator.kostra_group", number=kostra_number(group) or group)) for group in groups
        ],
        "sizes": [(group.value, t("indicator.size_group", band=group.labels[ctx.language])) for group in SizeGroup],
        "municipality_options": _municipality_options(ctx, set(filters.municipalities)),
        "hidden": hidden,
    }


def _municipality_options(ctx: PageContext, chosen: set[str]) -> Markup:
    """The ``<option>``s of the chosen-list select, written once per data version (357 of them)."""
    data = ctx.data

    def compute() -> list[tuple[str, str]]:
        municipalities = sorted(data.municipalities(), key=lambda region: (region.name, region.code))
        return [
            (region.code, f'<option value="{region.code}">{escape(region.name)}</option>') for region in municipalities
        ]

    options = cached(data, "municipality_options", compute)
    selected = (html.replace('">', '" selected>', 1) if code in chosen else html for code, html in options)
    return Markup("".join(selected))  # noqa: S704 - names escaped above, codes are validated region codes


def _missing_key(
    ctx: PageContext, indicator: Indicator, rows: list[IndicatorRow], view: YearView
) -> list[tuple[str, str]]:
    """The long explanation of each short missing-value word used in the table."""
    t = ctx.t
    reasons = {ctx.data.missing_reason(indicator.id, row.measure.status) for row in rows if row.measure.value is None}
    key = [(t(f"indicator.missing.{reason.value}"), t(f"missing.{reason.value}")) for reason in sorted(reasons)]
    counts_shown = ctx.display is Display.COUNT and has_denominator(indicator)
    if counts_shown and any(row.measure.value is not None and row.measure.count is None for row in rows):
        key.append((t("indicator.missing.no_count"), t("indicator.missing.no_count_long")))
    if ctx.display is Display.RATIO and view.national_value is None:
        key.append((t("indicator.missing.no_national"), t("indicator.missing.no_national_long")))
    return key


__all__ = ["YearView", "indicator_page", "year_view"]
