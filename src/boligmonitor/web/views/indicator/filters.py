"""The indicator page's URL state: year, filters (county, KOSTRA group, size group, a chosen list), the
highlighted municipality and the table's sort order — read, checked and applied.

Every choice lives in the query string, so a filtered, sorted view is a permalink. A value that cannot be read
is a 400 page naming the parameter (read by :mod:`boligmonitor.web.request_params`); an empty value (the form's
"all" option) is no filter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from boligmonitor.analysis.indicator_tables import IndicatorRow
from boligmonitor.core.regions import RegionCode, normalise_region_code
from boligmonitor.geo.groups import SizeGroup, size_group
from boligmonitor.web.context import PageContext
from boligmonitor.web.request_params import (
    FIRST_YEAR,
    LAST_YEAR,
    bad_request,
    many,
    single,
)
from boligmonitor.web.request_params import parse_year as parse_year_parameter
from boligmonitor.web.views.indicator.cache import cached

SORT_KEYS = ("verdi", "navn", "nummer")
DEFAULT_SORT = "verdi"
# Values are ranked highest first by default (as the bars are); names and numbers alphabetically.
DEFAULT_DESCENDING = {"verdi": True, "navn": False, "nummer": False}
DIRECTIONS = {"asc": False, "desc": True}
KOSTRA_ATTRIBUTE = "kostra_group"
_KOSTRA_VALUE = re.compile(r"(?:EKG)?([0-9]{1,2})", re.IGNORECASE)  # ASCII digits: "EKG١٣" is no group


@dataclass(frozen=True)
class IndicatorFilters:
    year: int | None  # None only when the indicator has no data
    county: str | None
    kostra_group: str | None  # "EKG13", as stored in the region attributes
    size_group: SizeGroup | None
    municipalities: tuple[RegionCode, ...]  # a chosen list (empty: no such filter)
    marker: RegionCode | None
    sort: str
    descending: bool

    @property
    def active(self) -> bool:
        return bool(self.county or self.kostra_group or self.size_group or self.municipalities)


def parse_year(ctx: PageContext, years: Sequence[int]) -> int | None:
    """``ar``: a year with data (default the latest); None when the indicator has no data at all."""
    text = single(ctx.query, "ar")
    if text is None:
        return years[-1] if years else None
    if years:
        expected = ctx.t("indicator.expected.year", first=years[0], last=years[-1])
        return parse_year_parameter(text, "ar", expected, years)
    parse_year_parameter(text, "ar", ctx.t("error.expected.year", first=FIRST_YEAR, last=LAST_YEAR))
    return None


def parse_filters(ctx: PageContext, years: Sequence[int]) -> IndicatorFilters:
    t = ctx.t
    data = ctx.data
    year = parse_year(ctx, years)
    municipality_codes = {region.code for region in data.municipalities()}

    county = single(ctx.query, "fylke")
    if county is not None:
        county = county.zfill(2) if county.isascii() and county.isdigit() else county
        if county not in {region.code for region in data.counties()}:
            raise bad_request("fylke", county, t("indicator.expected.county"))

    kostra = single(ctx.query, "kostragruppe")
    if kostra is not None:
        number = kostra_number(kostra)
        if number is None or f"EKG{number:02d}" not in known_kostra_groups(ctx):
            raise bad_request("kostragruppe", kostra, t("indicator.expected.kostra_group"))
        kostra = f"EKG{number:02d}"

    size_text = single(ctx.query, "storrelse")
    size: SizeGroup | None = None
    if size_text is not None:
        try:
            size = SizeGroup(size_text)
        except ValueError:
            expected = t("indicator.expected.size_group", values=", ".join(group.value for group in SizeGroup))
            raise bad_request("storrelse", size_text, expected) from None

    # ``kommune`` and ``marker`` take codes as users write them (K-0301): normalised here, where they enter.
    chosen: list[RegionCode] = []
    for text in many(ctx.query, "kommune"):
        code = normalise_region_code(text)
        if code not in municipality_codes:
            raise bad_request("kommune", text, t("indicator.expected.municipality"))
        if code not in chosen:
            chosen.append(code)

    marker_text = single(ctx.query, "marker")
    marker = normalise_region_code(marker_text) if marker_text is not None else None
    if marker_text is not None and marker not in municipality_codes:
        raise bad_request("marker", marker_text, t("indicator.expected.municipality"))

    sort = single(ctx.query, "sorter") or DEFAULT_SORT
    if sort not in SORT_KEYS:
        raise bad_request("sorter", sort, t("indicator.expected.sort", values=", ".join(SORT_KEYS)))
    direction = single(ctx.query, "retning")
    if direction is not None and direction not in DIRECTIONS:
        raise bad_request("retning", direction, t("indicator.expected.direction"))
    descending = DIRECTIONS[direction] if direction is not None else DEFAULT_DESCENDING[sort]

    return IndicatorFilters(year, county, kostra, size, tuple(chosen), marker, sort, descending)


def known_kostra_groups(ctx: PageContext) -> list[str]:
    """Every KOSTRA group a municipality belongs to in some year a page can ask about."""
    data = ctx.data
    years = sorted({year for (_, year) in data.tables.population})
    return cached(data, "kostra_groups", lambda: sorted({g for y in years for g in kostra_of_year(ctx, y).values()}))


def kostra_groups(ctx: PageContext, year: int) -> list[str]:
    """The KOSTRA groups in use in ``year`` (none before the first published grouping)."""
    return sorted(set(kostra_of_year(ctx, year).values()))


def kostra_of_year(ctx: PageContext, year: int) -> dict[str, str]:
    """municipality code -> its KOSTRA group in ``year`` (the latest grouping published for that year or
    earlier); municipalities without a group are left out."""
    data = ctx.data

    def compute() -> dict[str, str]:
        attributes = data.tables.attributes
        found = {region.code: attributes.value(region.code, KOSTRA_ATTRIBUTE, year) for region in data.municipalities()}
        return {code: group for code, group in found.items() if group}

    return cached(data, ("kostra_of_year", year), compute)


def kostra_number(group: str) -> int | None:
    match = _KOSTRA_VALUE.fullmatch(group)
    return int(match.group(1)) if match else None


def municipality_size(ctx: PageContext, code: str, year: int) -> SizeGroup | None:
    return size_group(ctx.data.tables.population.get((code, year)))


def apply_filters(ctx: PageContext, rows: Sequence[IndicatorRow], filters: IndicatorFilters) -> list[IndicatorRow]:
    """The rows that pass every filter given (all of them together)."""
    if not filters.active or filters.year is None:
        return list(rows)
    year = filters.year
    groups = kostra_of_year(ctx, year)
    chosen = set(filters.municipalities)
    kept = []
    for row in rows:
        code = row.region.code
        if filters.county is not None and code[:2] != filters.county:
            continue
        if filters.kostra_group is not None and groups.get(code) != filters.kostra_group:
            continue
        if filters.size_group is not None and municipality_size(ctx, code, year) is not filters.size_group:
            continue
        if chosen and code not in chosen:
            continue
        kept.append(row)
    return kept


__all__ = [
    "DEFAULT_DESCENDING",
    "DEFAULT_SORT",
    "SORT_KEYS",
    "IndicatorFilters",
    "apply_filters",
    "known_kostra_groups",
    "kostra_groups",
    "kostra_number",
    "kostra_of_year",
    "municipality_size",
    "parse_filters",
    "parse_year",
]
