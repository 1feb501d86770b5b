"""Key facts at the top of a region's overview: population, county, KOSTRA group, centrality, municipalities.

A fact the database does not have says so; it is never shown as 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from boligmonitor.analysis.indicator_tables import POPULATION_INDICATOR
from boligmonitor.core.regions import RegionLevel
from boligmonitor.store import RegionRow
from boligmonitor.web.context import PageContext
from boligmonitor.web.present.formatting import count_text

KOSTRA_PREFIX = "EKG"


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    url: str | None = None
    missing: bool = False


def key_facts(ctx: PageContext, region: RegionRow) -> list[Fact]:
    facts = [_population(ctx, region)]
    if region.level == RegionLevel.MUNICIPALITY:
        facts.extend([_county(ctx, region), _kostra_group(ctx, region), _centrality(ctx, region)])
    elif region.level == RegionLevel.DISTRICT:
        facts.append(_city(ctx, region))
    else:
        facts.append(_municipality_count(ctx, region))
    return facts


def _not_loaded(ctx: PageContext, label: str) -> Fact:
    return Fact(label, ctx.t("overview.fact.not_loaded"), missing=True)


def _population(ctx: PageContext, region: RegionRow) -> Fact:
    t = ctx.t
    year = ctx.data.latest_year(POPULATION_INDICATOR)
    if year is None:
        return _not_loaded(ctx, t("overview.fact.population_no_year"))
    label = t("overview.fact.population", year=year)
    population = ctx.data.tables.population.get((region.code, year))
    if population is None:
        return _not_loaded(ctx, label)
    return Fact(label, count_text(population, t))


def _county(ctx: PageContext, region: RegionRow) -> Fact:
    label = ctx.t("overview.fact.county")
    county = ctx.data.regions.get(region.parent_code or region.code[:2])
    if county is None:
        return _not_loaded(ctx, label)
    return Fact(label, county.name, ctx.url(f"/region/{county.code}", visning=ctx.display.value))


def _attribute_year(ctx: PageContext) -> int:
    """Group memberships as valid in the latest population year (the latest published up to then)."""
    return ctx.data.latest_year(POPULATION_INDICATOR) or max(
        (year for indicator in ctx.data.catalog.indicators if (year := ctx.data.latest_year(indicator.id))),
        default=0,
    )


def _kostra_group(ctx: PageContext, region: RegionRow) -> Fact:
    t = ctx.t
    label = t("overview.fact.kostra_group")
    entry = ctx.data.tables.attributes.entry(region.code, "kostra_group", _attribute_year(ctx))
    if entry is None:
        return _not_loaded(ctx, label)
    number = entry.value.removeprefix(KOSTRA_PREFIX).lstrip("0") or entry.value
    return Fact(label, t("overview.fact.kostra_value", number=number, year=entry.year))


def _centrality(ctx: PageContext, region: RegionRow) -> Fact:
    t = ctx.t
    label = t("overview.fact.centrality")
    entry = ctx.data.tables.attributes.entry(region.code, "centrality", _attribute_year(ctx))
    if entry is None:
        return _not_loaded(ctx, label)
    return Fact(label, t("overview.fact.centrality_value", value=entry.value, year=entry.year))


def _city(ctx: PageContext, region: RegionRow) -> Fact:
    label = ctx.t("overview.fact.city")
    city = ctx.data.regions.get(region.parent_code or region.code[:4])
    if city is None:
        return _not_loaded(ctx, label)
    return Fact(label, city.name, ctx.url(f"/region/{city.code}", visning=ctx.display.value))


def _municipality_count(ctx: PageContext, region: RegionRow) -> Fact:
    municipalities = ctx.data.municipalities()
    if region.level == RegionLevel.COUNTY:
        municipalities = [m for m in municipalities if m.code[:2] == region.code]
    return Fact(ctx.t("overview.fact.municipalities"), count_text(len(municipalities), ctx.t))


__all__ = ["Fact", "key_facts"]
