"""Municipalities side by side (``/sammenlign?kommune=0301&kommune=4601&tema=eldre_og_bolig``).

Up to ten municipalities, chosen with a GET form, and Norway (also alone, when only Norway is asked for, as
``kommune=0``, ``0000`` or "Hele landet"): one table row per indicator of the chosen theme, one column per
municipality and one for Norway, each cell the value in the chosen display with its comparison (shape and words)
and interval; a missing value says why. Each indicator with values also gets a bar chart over the chosen
municipalities with Norway's line, summarised in one sentence; the table is its data. Every cell of a row is
for the same year: the latest year in which one of the chosen municipalities (Norway when it is shown alone)
has a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from boligmonitor.analysis.indicator_tables import IndicatorRow
from boligmonitor.analysis.peers import BenchmarkKind
from boligmonitor.catalog.models import Indicator
from boligmonitor.core.regions import NORWAY
from boligmonitor.store import RegionRow
from boligmonitor.web.charts import Bar, ranked_bars
from boligmonitor.web.context import BENCHMARK_WORDS, DEFAULT_DISPLAY, Display, PageContext
from boligmonitor.web.pages import Page
from boligmonitor.web.present.display import effective_benchmark
from boligmonitor.web.present.download_table import ROW_COLUMNS, download
from boligmonitor.web.present.navigation import themes_in_order
from boligmonitor.web.present.values import (
    COUNT_UNIT,
    ShownValue,
    category,
    comparison_words,
    display_heading,
    format_in_display,
    indicator_count,
    shown_value,
)
from boligmonitor.web.views.compare_selection import (
    MAX_MUNICIPALITIES,
    Selection,
    compare_url,
    read_selection,
)

COMPARE_COLUMNS = (*ROW_COLUMNS, "display")
EXAMPLE_CODES = ("0301", "4601", "5001")  # Oslo, Bergen, Trondheim: the example on the empty page


@dataclass(frozen=True)
class CompareCell:
    region: RegionRow
    row: IndicatorRow
    shown: ShownValue
    category: str
    comparison_text: str


@dataclass
class CompareLine:
    """One indicator: a table row and, when any chosen municipality has a value, a bar chart."""

    indicator: Indicator
    name: str
    unit_label: str
    year: int
    url: str
    cells: list[CompareCell]
    norway: CompareCell
    chart: Markup | None
    summary: str | None


def compare_page(ctx: PageContext) -> Page:
    selection = read_selection(ctx)
    data = ctx.data
    language = ctx.language
    theme = selection.theme
    theme_name = theme.name.get(language)
    lines: list[CompareLine] = []
    not_loaded: list[tuple[str, str]] = []
    for indicator in data.theme_indicators(theme.id):
        if not data.has_data(indicator.id):
            not_loaded.append((indicator.name.get(language), ctx.url(f"/indikator/{indicator.id}")))
        elif selection.shown:
            lines.append(_line(ctx, selection, indicator))
    names = [region.name for region in selection.regions]
    if selection.norway:
        names.append(ctx.t("region.norway"))
    title = ctx.t("compare.title_with", regions=", ".join(names), theme=theme_name) if names else ctx.t("compare.title")
    records = [_record(ctx, cell) for line in lines for cell in [*line.cells, line.norway]]
    context = {
        **_form_context(ctx, selection),
        "theme_name": theme_name,
        "lines": lines,
        "not_loaded": not_loaded,
        "not_loaded_text": ctx.t(
            "compare.not_loaded", indicators=indicator_count(ctx, len(not_loaded)), theme=theme_name
        ),
        "caption": (
            ctx.t("compare.caption", theme=theme_name)
            if ctx.display is Display.SHARE
            else ctx.t("compare.caption_display", theme=theme_name, display=display_heading(ctx))
        ),
        "benchmark_options": list(BENCHMARK_WORDS) if selection.regions else [],
        "theme_url": (
            ctx.url(f"/region/{_shown_codes(selection)[0]}/tema/{theme.id}", visning=ctx.display.value)
            if selection.shown
            else None
        ),
        "example_url": _example_url(ctx, theme.id),
    }
    return Page(
        "compare.html",
        title,
        context,
        download=(
            download(ctx, _download_name(selection), title, records, COMPARE_COLUMNS) if selection.shown else None
        ),
        breadcrumbs=[(ctx.t("nav.home"), ctx.url("/")), (ctx.t("compare.title"), None)],
    )


def _form_context(ctx: PageContext, selection: Selection) -> dict[str, Any]:
    """What the form shows: the chosen municipalities with their remove links, the themes, and the display and
    benchmark choices it carries along as hidden fields."""
    theme_id = selection.theme.id
    norway = [NORWAY] if selection.norway else []  # asked for, Norway stays when a municipality is removed
    return {
        "selection": selection,
        "chosen": [
            (region, compare_url(ctx, [*(code for code in selection.codes if code != region.code), *norway], theme_id))
            for region in selection.regions
        ],
        "hidden_norway": NORWAY if selection.norway else None,
        "can_add": len(selection.regions) < MAX_MUNICIPALITIES,
        "max_municipalities": MAX_MUNICIPALITIES,
        "theme_options": [(theme.id, theme.name.get(ctx.language)) for theme in themes_in_order(ctx)],
        "hidden_display": ctx.display.value if ctx.display is not DEFAULT_DISPLAY else None,
        "hidden_benchmark": BENCHMARK_WORDS[ctx.benchmark] if ctx.benchmark is not BenchmarkKind.NORWAY else None,
    }


def _line(ctx: PageContext, selection: Selection, indicator: Indicator) -> CompareLine:
    data = ctx.data
    year = _common_year(ctx, indicator, _shown_codes(selection))
    cells = [
        _cell(ctx, data.row(indicator.id, region.code, year, benchmark=effective_benchmark(ctx, region.code)))
        for region in selection.regions
    ]
    norway = _cell(ctx, data.row(indicator.id, NORWAY, year))
    name = indicator.name.get(ctx.language)
    chart, summary = _chart(ctx, indicator, year, cells, norway)
    return CompareLine(
        indicator=indicator,
        name=name,
        unit_label=_unit_label(ctx, indicator),
        year=year,
        url=ctx.url(f"/indikator/{indicator.id}", visning=ctx.display.value),
        cells=cells,
        norway=norway,
        chart=chart,
        summary=summary,
    )


def _shown_codes(selection: Selection) -> list[str]:
    """The chosen municipalities' codes; Norway's when it is asked for alone."""
    return selection.codes or [NORWAY]


def _common_year(ctx: PageContext, indicator: Indicator, codes: list[str]) -> int:
    """The latest year in which any of ``codes`` has a value (else the indicator's latest year), so that a row
    compares one year. Only indicators with a value in some year get a row (the others are listed apart)."""
    years = [o.year for code in codes for o in ctx.data.series(indicator.id, code) if o.value is not None]
    latest = max(years, default=ctx.data.latest_year(indicator.id))
    if latest is None:
        raise ValueError(f"{indicator.id} has no value in any year: it has no row to compare")
    return latest


def _cell(ctx: PageContext, row: IndicatorRow) -> CompareCell:
    return CompareCell(
        region=row.region,
        row=row,
        shown=shown_value(ctx, row, short_reason=True),
        category=category(row),
        comparison_text=comparison_words(ctx, row),
    )


def _unit_label(ctx: PageContext, indicator: Indicator) -> str:
    t = ctx.t
    if ctx.display is Display.COUNT and indicator.multiplier is not None:
        return t("display.count_of", unit=indicator.count_unit.get(ctx.language))
    if ctx.display is Display.RATIO:
        return display_heading(ctx)
    return t(f"unit.{indicator.unit}.label")


def _chart(
    ctx: PageContext, indicator: Indicator, year: int, cells: list[CompareCell], norway: CompareCell
) -> tuple[Markup | None, str | None]:
    t = ctx.t
    with_value = [cell for cell in cells if cell.shown.number is not None]
    if not with_value:
        return None, None
    reference, reference_label = _reference(ctx, indicator, norway)

    def number_of(cell: CompareCell) -> float:
        assert cell.shown.number is not None
        return cell.shown.number

    ranked = sorted(with_value, key=number_of, reverse=True)
    missing = [cell for cell in cells if cell.shown.number is None]
    bars = [
        Bar(
            code=cell.region.code,
            label=cell.region.name,
            value=cell.shown.number,
            low=cell.shown.low,
            high=cell.shown.high,
            category=cell.category,
            href=ctx.url(f"/region/{cell.region.code}/indikator/{indicator.id}", visning=ctx.display.value),
        )
        for cell in [*ranked, *missing]
    ]
    highest, lowest = ranked[0], ranked[-1]
    parts = (
        [t("compare.chart.single", name=highest.region.name, value=highest.shown.text)]
        if len(ranked) == 1
        else [
            t(
                "compare.chart.summary",
                high_name=highest.region.name,
                high=highest.shown.text,
                low_name=lowest.region.name,
                low=lowest.shown.text,
            )
        ]
    )
    if reference is not None:
        parts.append(
            t("compare.chart.reference", label=reference_label, value=format_in_display(ctx, indicator, reference))
        )
    if missing:
        parts.append(t("compare.chart.missing", n=len(missing)))
    summary = " ".join(parts)
    chart = ranked_bars(
        f"bars-{indicator.id}",
        bars,
        reference=reference,
        reference_label=reference_label,
        title=t("compare.chart.title", indicator=indicator.name.get(ctx.language), year=year),
        description=summary,
        format_value=lambda value: format_in_display(ctx, indicator, value),
    )
    return chart, summary


def _reference(ctx: PageContext, indicator: Indicator, norway: CompareCell) -> tuple[float | None, str]:
    """The reference line: Norway's value in the indicator's unit, 100 for forholdstall, none for counts
    (a municipality's count against the national total says nothing)."""
    t = ctx.t
    if ctx.display is Display.RATIO:
        return 100.0, t(f"benchmark.{ctx.benchmark.value}.option")
    if indicator.unit == COUNT_UNIT or (ctx.display is Display.COUNT and indicator.multiplier is not None):
        return None, ""
    return norway.row.measure.value, t("region.norway")


def _record(ctx: PageContext, cell: CompareCell) -> dict[str, Any]:
    record = cell.row.as_dict()
    record["indicator_name"] = cell.row.indicator.name.get(ctx.language)
    record["display"] = cell.shown.text if cell.shown.has_value else None
    return record


def _download_name(selection: Selection) -> str:
    return "boligmonitor-sammenligning-" + "-".join(_shown_codes(selection)) + f"-{selection.theme.id}"


def _example_url(ctx: PageContext, theme_id: str) -> str | None:
    codes = [code for code in EXAMPLE_CODES if code in ctx.data.regions]
    return compare_url(ctx, codes, theme_id) if codes else None


__all__ = ["COMPARE_COLUMNS", "CompareCell", "CompareLine", "compare_page"]
