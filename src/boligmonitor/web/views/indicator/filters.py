"""The indicator page's URL state: year, filters (county, KOSTRA group, size group, a chosen list), the
highlighted municipality and the table's sort order — read, checked and applied.

Every choice lives in the query string, so a filtered, sorted view is a permalink. A value that cannot be read
is a 400 page naming the parameter (:class:`BadRequestError`); an empty value (the form's "all" option) is
no filter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from boligmonitor.analysis.indicator_tables import IndicatorRow
from boligmonitor.core.regions import RegionCode, normalise_region_code
from boligmonitor.geo.groups import SizeGroup, size_group
from boligmonitor.web.context import PageContext
from boligmonitor.web.pages import BadRequestError
from boligmonitor.web.views.indicator.cache import cached

SORT_KEYS = ("verdi", "navn", "nummer")
DEFAULT_SORT = "verdi"
# Values are ranked highest first by default (as the bars are); names and numbers alphabetically.
DEFAULT_DESCENDING = {"verdi": True, "navn": False, "nummer": False}
DIRECTIONS = {"asc": False, "desc": True}
KOSTRA_ATTRIBUTE = "kostra_group"
_KOSTRA_VALUE = re.compile(r"^(?:EKG)?(\d{1,2})$", re.IGNORECASE)


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


def single(query: Mapping[str, str | list[str]], key: str) -> str | None:
    """One query parameter's value (the last one when repeated); an empty value counts as not given."""
    value = query.get(key)
    if isinstance(value, list):
        value = value[-1] if value else None
    if value is None or not value.strip():
        return None
    return value.strip()


def many(query: Mapping[str, str | list[str]], key: str) -> list[str]:
    value = query.get(key)
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [item.strip() for item in values if item.strip()]


def parse_year(ctx: PageContext, years: Sequence[int]) -> int | None:
    """``ar``: a year with data (default the latest); None when the indicator has no data at all."""
    text = single(ctx.query, "ar")
    expected = (
        ctx.t("indicator.expected.year", first=years[0], last=years[-1])
        if years
        else ctx.t("indicator.expected.any_year")
    )
    if text is None:
        return years[-1] if years else None
    if not text.isdigit():
        raise BadRequestError("ar", text, expected)
    year = int(text)
    if years and year not in years:
        raise BadRequestError("ar", text, expected)
    return year if years else None


def parse_filters(ctx: PageContext, years: Sequence[int]) -> IndicatorFilters:
    t = ctx.t
    data = ctx.data
    year = parse_year(ctx, years)
    municipality_codes = {region.code for region in data.municipalities()}

    county = single(ctx.query, "fylke")
    if county is not None:
        county = county.zfill(2) if county.isdigit() else county
        if county not in {region.code for region in data.counties()}:
            raise BadRequestError("fylke", county, t("indicator.expected.county"))

    kostra = single(ctx.query, "kostragruppe")
    if kostra is not None:
        match = _KOSTRA_VALUE.match(kostra)
        if match is None or f"EKG{int(match.group(1)):02d}" not in known_kostra_groups(ctx):
            raise BadRequestError("kostragruppe", kostra, t("indicator.expected.kostra_group"))
        kostra = f"EKG{int(match.group(1)):02d}"

    size_text = single(ctx.query, "storrelse")
    size: SizeGroup | None = None
    if size_text is not None:
        try:
            size = SizeGroup(size_text)
        except ValueError:
            expected = t("indicator.expected.size_group", values=", ".join(group.value for group in SizeGroup))
            raise BadRequestError("storrelse", size_text, expected) from None

    # ``kommune`` and ``marker`` take codes as users write them (K-0301): normalised here, where they enter.
    chosen: list[RegionCode] = []
    for text in many(ctx.query, "kommune"):
        code = normalise_region_code(text)
        if code not in municipality_codes:
            raise BadRequestError("kommune", text, t("indicator.expected.municipality"))
        if code not in chosen:
            chosen.append(code)

    marker_text = single(ctx.query, "marker")
    marker = normalise_region_code(marker_text) if marker_text is not None else None
    if marker_text is not None and marker not in municipality_codes:
        raise BadRequestError("marker", marker_text, t("indicator.expected.municipality"))

    sort = single(ctx.query, "sorter") or DEFAULT_SORT
    if sort not in SORT_KEYS:
        raise BadRequestError("sorter", sort, t("indicator.expected.sort", values=", ".join(SORT_KEYS)))
    direction = single(ctx.query, "retning")
    if direction is not None and direction not in DIRECTIONS:
        raise BadRequestError("retning", direction, t("indicator.expected.direction"))
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
    match = _KOSTRA_VALUE.match(group)
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
    "many",
    "municipality_size",
    "parse_filters",
    "parse_year",
    "single",
]
