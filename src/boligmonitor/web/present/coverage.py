"""Which indicators a region's pages show, and how many of them have a value there: the one count every page
tells (the front page, the overview, the theme pages, the fact sheet), computed from exactly what they show.

An indicator is *shown* for a region when its level fits: an indicator published only for urban districts ("… i
bydelen") belongs on the district pages and on their own city's page, never on other municipalities'. It *has a
value* there when the region's row (the latest year with a value, as the cards and the overview show it) has
one. Without a value, the page says why, grouped by :class:`Absence`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from boligmonitor.catalog.models import Indicator
from boligmonitor.core.regions import RegionLevel
from boligmonitor.core.status import Status
from boligmonitor.store import RegionRow
from boligmonitor.web.monitor import MissingReason, MonitorData

# The front page's threshold: an indicator "covers the country" when at least this many municipalities have values.
NATIONWIDE_MUNICIPALITIES = 300


class Absence(StrEnum):
    """Why a shown indicator has no value for a region, as the theme pages group them (in this order)."""

    NOT_LOADED = "not_loaded"  # this installation has not loaded the source
    NOT_PUBLISHED_FOR_LEVEL = "not_for_level"  # the publisher has no figures for this kind of region
    NOT_REPORTED = "not_reported"  # the publisher (or the municipality reporting to it) has no figure
    SUPPRESSED = "suppressed"  # hidden for confidentiality
    NOT_APPLICABLE = "not_applicable"  # the figure cannot exist here
    NOT_YET_AVAILABLE = "not_yet_available"  # not published yet


_ABSENCE_BY_REASON = {
    MissingReason.NOT_LOADED: Absence.NOT_LOADED,
    MissingReason.NOT_REPORTED: Absence.NOT_REPORTED,
    MissingReason.SUPPRESSED: Absence.SUPPRESSED,
    MissingReason.NOT_APPLICABLE: Absence.NOT_APPLICABLE,
    MissingReason.NOT_YET_AVAILABLE: Absence.NOT_YET_AVAILABLE,
}


@dataclass(frozen=True)
class Coverage:
    """How many of the indicators a page shows for a region have a value there."""

    with_value: int
    shown: int


def _district_only(indicator: Indicator) -> bool:
    return tuple(indicator.geo_levels) == (RegionLevel.DISTRICT.value,)


def _city_of(region: RegionRow) -> str:
    """The municipality a district belongs to; a municipality is its own city."""
    return (region.parent_code or region.code[:4]) if region.level == RegionLevel.DISTRICT else region.code


def _has_district_observations(data: MonitorData, indicator_id: str, city: str) -> bool:
    districts = [r.code for r in data.regions.values() if r.level == RegionLevel.DISTRICT and r.parent_code == city]
    return any(data.series(indicator_id, code) for code in districts)


def shown_for(data: MonitorData, indicator: Indicator, region: RegionRow) -> bool:
    """Whether ``region``'s pages show ``indicator``: a district-only indicator only on the district pages and the
    city pages of the cities whose districts it has figures for (or, before it is loaded, of every city)."""
    if not _district_only(indicator):
        return True
    if region.level not in (RegionLevel.DISTRICT, RegionLevel.MUNICIPALITY):
        return False
    city = _city_of(region)
    has_districts = any(r.parent_code == city for r in data.regions.values() if r.level == RegionLevel.DISTRICT)
    if not has_districts:
        return False
    return not data.has_data(indicator.id) or _has_district_observations(data, indicator.id, city)


def shown_indicators(data: MonitorData, theme_id: str, region: RegionRow) -> list[Indicator]:
    """The theme's indicators that ``region``'s pages show, in catalogue order."""
    return [indicator for indicator in data.theme_indicators(theme_id) if shown_for(data, indicator, region)]


def has_value(data: MonitorData, indicator: Indicator, region: RegionRow) -> bool:
    """Whether the region's row of ``indicator`` (what its card and overview row show) has a value."""
    return data.has_data(indicator.id) and data.row(indicator.id, region.code).measure.value is not None


def theme_coverage(data: MonitorData, theme_id: str, region: RegionRow) -> Coverage:
    """The count a theme's link, section and page tell for ``region``: values among the indicators shown."""
    indicators = shown_indicators(data, theme_id, region)
    return Coverage(sum(1 for indicator in indicators if has_value(data, indicator, region)), len(indicators))


def absence(data: MonitorData, indicator: Indicator, region: RegionRow, status: Status) -> Absence:
    """Why ``indicator`` has no value for ``region`` (whose row has ``status``): the source is not loaded (at all,
    or not for this area: the loaded files hold nothing for it, e.g. a source loaded for Oslo only), the publisher
    has no figures for this kind of region, or the status the publisher gave."""
    reason = data.missing_reason(indicator.id, status)
    if reason is MissingReason.NOT_LOADED:
        return Absence.NOT_LOADED
    if str(region.level) not in indicator.geo_levels:
        return Absence.NOT_PUBLISHED_FOR_LEVEL
    pooled = region.level in (RegionLevel.COUNTRY, RegionLevel.COUNTY)
    if reason is MissingReason.NOT_REPORTED and not pooled and not data.series(indicator.id, region.code):
        return Absence.NOT_LOADED  # nothing at all for this area in what is loaded: not the publisher's gap
    return _ABSENCE_BY_REASON[reason]


def municipalities_with_values(data: MonitorData, indicator_id: str) -> int:
    """How many municipalities' pages show a value of the indicator (each shows its latest year with one)."""
    municipalities = {r.code for r in data.municipalities()}
    observations = data.tables.observations(indicator_id).items()
    return len({code for (code, _), o in observations if o.value is not None and code in municipalities})


@dataclass(frozen=True)
class NationalCoverage:
    """The front page's account of the catalogue: how widely each indicator has values."""

    nationwide: int  # values for at least NATIONWIDE_MUNICIPALITIES municipalities
    some: int  # values for 2 up to NATIONWIDE_MUNICIPALITIES - 1 municipalities
    one: int  # values for a single municipality (often Oslo, from its own statistics)
    without_municipalities: int  # values only for Norway, counties or districts
    none: int  # no values at all in this installation
    total: int


def national_coverage(data: MonitorData) -> NationalCoverage:
    counts = {"nationwide": 0, "some": 0, "one": 0, "without_municipalities": 0, "none": 0}
    for indicator in data.catalog.indicators:
        if not data.has_data(indicator.id):
            counts["none"] += 1
            continue
        n = municipalities_with_values(data, indicator.id)
        key = (
            "nationwide"
            if n >= NATIONWIDE_MUNICIPALITIES
            else "some"
            if n >= 2
            else "one"
            if n == 1
            else "without_municipalities"
        )
        counts[key] += 1
    return NationalCoverage(total=len(data.catalog.indicators), **counts)


__all__ = [
    "NATIONWIDE_MUNICIPALITIES",
    "Absence",
    "Coverage",
    "NationalCoverage",
    "absence",
    "has_value",
    "municipalities_with_values",
    "national_coverage",
    "shown_for",
    "shown_indicators",
    "theme_coverage",
]
