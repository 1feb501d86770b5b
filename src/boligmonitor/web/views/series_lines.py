"""The lines of the time-series page: the region itself, Norway, its county and its KOSTRA group, year by year.

Each point keeps what the value came with (numerator, denominator, interval, status, harmonisation, flags,
note). The region's own values, Norway's and the county's are the stored observations (Norway and a county
pooled from their municipalities where the publisher gives no value of its own, as on every other page);
the KOSTRA group is pooled over the group's other municipalities that year (the municipality itself left
out), and has no value in years before the first published grouping. Lines depend only on the data version,
so they are computed once per indicator and region.
"""

from __future__ import annotations

from dataclasses import dataclass

from boligmonitor.analysis.measures import COUNT_UNIT, Measure, measure
from boligmonitor.analysis.peers import BenchmarkKind
from boligmonitor.catalog.models import Indicator
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import NORWAY, RegionLevel
from boligmonitor.core.status import Status
from boligmonitor.web.context import PageContext
from boligmonitor.web.views.indicator.cache import lru_cached
from boligmonitor.web.views.indicator.display import has_denominator
from boligmonitor.web.views.indicator.filters import kostra_of_year

OWN, NORWAY_LINE, COUNTY_LINE, KOSTRA_LINE = "region", "norway", "county", "kostra_group"
NOT_FOR_LEVEL = "not_for_level"  # a point's missing reason when the publisher has no figures for that kind of area
# Why a point has no value when it is not the publisher's status: no KOSTRA group that year, or a group
# member without numerator or denominator (a pooled value would silently leave it out).
NO_GROUP = "no_group"
POOL_INCOMPLETE = "pool_incomplete"


@dataclass(frozen=True, slots=True)
class Point:
    year: int
    value: float | None
    low: float | None
    high: float | None
    count: float | None
    denominator: float | None
    status: Status
    harmonisation: Harmonisation
    flags: frozenset[Flag]
    note: str | None
    ci_level: float | None
    ci_method: str | None
    region: str  # the region code the value belongs to (the KOSTRA group's code for the group line)
    missing: str | None  # MissingReason value, NO_GROUP or POOL_INCOMPLETE when value is None


@dataclass(frozen=True)
class Line:
    key: str  # OWN | NORWAY_LINE | COUNTY_LINE | KOSTRA_LINE
    code: str  # the line's region code (the latest KOSTRA group for the group line)
    name: str  # the region's official name (translated labels are the page's job)
    points: dict[int, Point]

    @property
    def has_values(self) -> bool:
        return any(point.value is not None for point in self.points.values())


def series_lines(ctx: PageContext, indicator: Indicator, code: str) -> list[Line]:
    """The region's own line first, then the comparison lines that fit its level and the indicator.

    A count is compared with nothing (a municipality's count and Norway's total share no scale); the KOSTRA
    group is pooled only for shares and rates (a group's average cannot be pooled from averages).
    """
    return lru_cached(ctx.data, "series_lines", (indicator.id, code), lambda: _lines(ctx, indicator, code), 256)


def _lines(ctx: PageContext, indicator: Indicator, code: str) -> list[Line]:
    data = ctx.data
    region = data.region(code)
    years = data.tables.years(indicator.id)
    lines = [_area_line(ctx, indicator, OWN, code, years)]
    if indicator.unit == COUNT_UNIT:
        return lines
    if region.level != RegionLevel.COUNTRY:
        lines.append(_area_line(ctx, indicator, NORWAY_LINE, NORWAY, years))
    if region.level == RegionLevel.MUNICIPALITY:
        county = code[:2]
        if county in data.regions:
            lines.append(_area_line(ctx, indicator, COUNTY_LINE, county, years))
        if has_denominator(indicator):
            kostra = _kostra_line(ctx, indicator, code, years)
            if kostra is not None:
                lines.append(kostra)
    return lines


def norway_values(ctx: PageContext, indicator: Indicator, lines: list[Line]) -> dict[int, float | None]:
    """Norway's value each year (the forholdstall's 100), from the lines when Norway is one of them."""
    for line in lines:
        if line.code == NORWAY and line.key in (OWN, NORWAY_LINE):
            return {year: point.value for year, point in line.points.items()}
    norway = series_lines(ctx, indicator, NORWAY)[0]
    return {year: point.value for year, point in norway.points.items()}


def _area_line(ctx: PageContext, indicator: Indicator, key: str, code: str, years: list[int]) -> Line:
    data = ctx.data
    region = data.regions[code]
    stored = {observation.year: observation for observation in data.series(indicator.id, code)}
    aggregate = region.level in (RegionLevel.COUNTRY, RegionLevel.COUNTY)
    published_here = str(region.level) in indicator.geo_levels
    points = {}
    for year in years:
        observation = stored.get(year)
        if observation is not None and observation.value is not None:
            points[year] = _point(ctx, indicator, observation)
        elif not published_here:
            # The publisher gives no figures for this kind of area (a municipality of a national-only indicator):
            # not a gap in its reporting.
            points[year] = _missing_point(ctx, indicator, code, year, Status.MISSING, NOT_FOR_LEVEL)
        elif aggregate:
            # Norway or a county without a published value that year: pooled from its municipalities (the
            # analysis layer does it, with the same rules as everywhere else), or missing with its status.
            row = data.row(indicator.id, code, year)
            points[year] = _measured(ctx, indicator, code, year, row.measure, row.note)
        elif observation is not None:
            points[year] = _point(ctx, indicator, observation)
        else:
            points[year] = _missing_point(ctx, indicator, code, year, Status.MISSING)
    return Line(key, code, region.name, points)


def _point(ctx: PageContext, indicator: Indicator, observation: Observation) -> Point:
    m = measure(observation, indicator.multiplier, ctx.data.tables.level, kind=indicator.kind)
    return _measured(ctx, indicator, observation.region_code, observation.year, m, observation.note)


def _measured(ctx: PageContext, indicator: Indicator, code: str, year: int, m: Measure, note: str | None) -> Point:
    missing = None if m.value is not None else ctx.data.missing_reason(indicator.id, m.status).value
    return Point(
        year=year,
        value=m.value,
        low=m.ci_low,
        high=m.ci_high,
        count=m.count,
        denominator=m.denominator,
        status=m.status,
        harmonisation=m.harmonisation,
        flags=m.flags,
        note=note,
        ci_level=m.level if m.ci_low is not None else None,
        ci_method=m.method,
        region=code,
        missing=missing,
    )


def _missing_point(
    ctx: PageContext, indicator: Indicator, code: str, year: int, status: Status, missing: str | None = None
) -> Point:
    return Point(
        year=year,
        value=None,
        low=None,
        high=None,
        count=None,
        denominator=None,
        status=status,
        harmonisation=Harmonisation.ORIGINAL,
        flags=frozenset(),
        note=None,
        ci_level=None,
        ci_method=None,
        region=code,
        missing=missing or ctx.data.missing_reason(indicator.id, status).value,
    )


def _kostra_line(ctx: PageContext, indicator: Indicator, code: str, years: list[int]) -> Line | None:
    """The municipality's KOSTRA group each year, pooled without the municipality; None if it never has one."""
    groups = {year: kostra_of_year(ctx, year).get(code) for year in years}
    known = [group for group in groups.values() if group is not None]
    if not known:
        return None
    latest = known[-1]
    points = {}
    for year in years:
        group = groups[year]
        if group is None:
            points[year] = _group_point(year, latest, None, None, None, NO_GROUP, "no KOSTRA grouping for this year")
            continue
        pooled = ctx.data.tables.benchmark(indicator, code, year, BenchmarkKind.KOSTRA_GROUP)
        reason = None if pooled.value is not None else POOL_INCOMPLETE
        points[year] = _group_point(
            year, group, pooled.value, pooled.numerator, pooled.denominator, reason, pooled.source
        )
    name = ctx.data.regions[latest].name if latest in ctx.data.regions else latest
    return Line(KOSTRA_LINE, latest, name, points)


def _group_point(
    year: int,
    group: str,
    value: float | None,
    numerator: float | None,
    denominator: float | None,
    missing: str | None,
    note: str,
) -> Point:
    return Point(
        year=year,
        value=value,
        low=None,
        high=None,
        count=numerator,
        denominator=denominator,
        status=Status.OK if value is not None else Status.MISSING,
        harmonisation=Harmonisation.ORIGINAL,
        flags=frozenset(),
        note=note,
        ci_level=None,
        ci_method="none: pooled benchmark",
        region=group,
        missing=missing,
    )


__all__ = [
    "COUNTY_LINE",
    "KOSTRA_LINE",
    "NORWAY_LINE",
    "NO_GROUP",
    "OWN",
    "POOL_INCOMPLETE",
    "Line",
    "Point",
    "norway_values",
    "series_lines",
]
