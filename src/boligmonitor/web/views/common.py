"""Pieces several views share: the download columns, download metadata, navigation, region choices and how a
value is written in the chosen display."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from boligmonitor.analysis.peers import BenchmarkKind
from boligmonitor.catalog.models import Indicator, Theme
from boligmonitor.core.regions import NORWAY, RegionLevel
from boligmonitor.store import RegionRow
from boligmonitor.web.context import BENCHMARK_WORDS, Display, PageContext
from boligmonitor.web.downloads import Download
from boligmonitor.web.formatting import count_text, ratio_text, value_text

# The tidy columns of every indicator download, in order (the API's observation fields, plus comparison), in
# three parts so that downloads with other columns (the time series' lines) keep the same names and order.
INDICATOR_COLUMNS = ("indicator", "indicator_name")
VALUE_COLUMNS = (
    "region",
    "region_name",
    "year",
    "value",
    "unit",
    "numerator",
    "denominator",
    "ci_low",
    "ci_high",
    "ci_level",
    "ci_method",
    "status",
    "harmonisation",
    "flags",
    "note",
)
COMPARISON_COLUMNS = (
    "comparison",
    "benchmark",
    "benchmark_region",
    "benchmark_value",
    "ratio_to_benchmark",
    "trend",
)
ROW_COLUMNS = (*INDICATOR_COLUMNS, *VALUE_COLUMNS, *COMPARISON_COLUMNS)


def download(
    ctx: PageContext, name: str, title: str, rows: Sequence[dict[str, Any]], columns: Sequence[str] = ROW_COLUMNS
) -> Download:
    version = ctx.data.version
    meta: dict[str, Any] = {
        "page": ctx.here(),
        "language": ctx.language,
        "data_version": version.id if version else None,
        "data_version_created": version.created_at.isoformat() if version else None,
        "catalog_version": ctx.data.catalog.version,
        "display": ctx.display.value,
        "benchmark": ctx.benchmark.value,
        "note": "Missing values are empty with a status symbol; they are never zero.",
    }
    return Download(name=name, title=title, columns=columns, rows=list(rows), meta=meta)


def region_name(ctx: PageContext, region: RegionRow) -> str:
    return ctx.t("region.norway") if region.code == NORWAY else region.name


def region_kind(ctx: PageContext, region: RegionRow) -> str:
    return ctx.t(f"region.level.{region.level}")


def themes_in_order(ctx: PageContext) -> list[Theme]:
    return sorted(ctx.data.catalog.themes, key=lambda theme: theme.order)


def theme_links(ctx: PageContext, region: str) -> list[dict[str, Any]]:
    data = ctx.data
    links = []
    for theme in themes_in_order(ctx):
        indicators = data.theme_indicators(theme.id)
        with_data = sum(1 for i in indicators if data.has_data(i.id))
        links.append(
            {
                "id": theme.id,
                "name": theme.name.get(ctx.language),
                "description": theme.description.get(ctx.language),
                "url": ctx.url(f"/region/{region}/tema/{theme.id}", visning=ctx.display.value),
                "n_indicators": len(indicators),
                "n_with_data": with_data,
            }
        )
    return links


def picker_options(ctx: PageContext) -> Markup:
    """The picker's suggestions (every county and municipality) as HTML: the same on every page of one data
    version and language, so it is rendered once and reused (it is the largest part of a page's markup)."""
    key = (id(ctx.data), ctx.language)
    cached = _PICKER_OPTIONS.get(key)
    if cached is None:
        options = [ctx.t("region.norway")]
        options += [f"{region.code} {region.name}" for _, regions in picker_groups(ctx) for region in regions]
        option_tag = Markup('<option value="{}"></option>')  # format() escapes what it fills in
        cached = Markup("").join(option_tag.format(option) for option in options)
        if len(_PICKER_OPTIONS) > 16:  # old data versions: let them go
            _PICKER_OPTIONS.clear()
        _PICKER_OPTIONS[key] = cached
    return cached


_PICKER_OPTIONS: dict[tuple[int, str], Markup] = {}


def picker_groups(ctx: PageContext) -> list[tuple[str, list[RegionRow]]]:
    """Regions for the picker: Norway, the counties, then each county's municipalities."""
    data = ctx.data
    counties = sorted(data.counties(), key=lambda r: r.code)
    municipalities = sorted(data.municipalities(), key=lambda r: r.name)
    groups: list[tuple[str, list[RegionRow]]] = [(ctx.t("picker.group.counties"), counties)]
    for county in counties:
        members = [m for m in municipalities if m.code[:2] == county.code]
        if members:
            groups.append((county.name, members))
    return groups


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


def page_levels() -> frozenset[str]:
    return frozenset({RegionLevel.COUNTRY, RegionLevel.COUNTY, RegionLevel.MUNICIPALITY})


__all__ = [
    "COMPARISON_COLUMNS",
    "INDICATOR_COLUMNS",
    "ROW_COLUMNS",
    "VALUE_COLUMNS",
    "benchmark_choices",
    "display_text",
    "download",
    "effective_benchmark",
    "effective_display",
    "page_levels",
    "picker_groups",
    "picker_options",
    "region_kind",
    "region_name",
    "theme_links",
    "themes_in_order",
]
