"""Navigation that every page shows: region names and kinds, the themes in order with their links, the
region picker's options, and which region levels have pages."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from boligmonitor.catalog.models import Theme
from boligmonitor.core.regions import NORWAY, RegionLevel
from boligmonitor.store import RegionRow
from boligmonitor.web.context import PageContext
from boligmonitor.web.present.coverage import theme_coverage


def region_name(ctx: PageContext, region: RegionRow) -> str:
    return ctx.t("region.norway") if region.code == NORWAY else region.name


def region_kind(ctx: PageContext, region: RegionRow) -> str:
    return ctx.t(f"region.level.{region.level}")


def themes_in_order(ctx: PageContext) -> list[Theme]:
    return sorted(ctx.data.catalog.themes, key=lambda theme: theme.order)


def theme_links(ctx: PageContext, region: str) -> list[dict[str, Any]]:
    """Each theme's link for ``region`` with how many of the indicators its page shows have a value there
    (:func:`.coverage.theme_coverage`, the count every page tells)."""
    data = ctx.data
    region_row = data.region(region)
    links = []
    for theme in themes_in_order(ctx):
        coverage = theme_coverage(data, theme.id, region_row)
        links.append(
            {
                "id": theme.id,
                "name": theme.name.get(ctx.language),
                "description": theme.description.get(ctx.language),
                "url": ctx.url(f"/region/{region_row.code}/tema/{theme.id}", visning=ctx.display.value),
                "n_indicators": coverage.shown,
                "n_with_data": coverage.with_value,
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


def page_levels() -> frozenset[str]:
    return frozenset({RegionLevel.COUNTRY, RegionLevel.COUNTY, RegionLevel.MUNICIPALITY, RegionLevel.DISTRICT})


__all__ = [
    "page_levels",
    "picker_groups",
    "picker_options",
    "region_kind",
    "region_name",
    "theme_links",
    "themes_in_order",
]
