"""The JSON API under /api/v1/: catalogue, regions, observations, comparisons and rankings.

Read-only, one data version per request. Parameters are validated by FastAPI (patterns, ranges, enums) and
every invalid one is a 400 with a JSON error document, as is a missing required combination; an unknown
indicator or region is a 404 (the app's error handlers render both, see :mod:`boligmonitor.web.error_pages`).
Records are built in :mod:`boligmonitor.web.api.records`, shaped by :mod:`boligmonitor.web.api.models`, and
carry Cache-Control (:mod:`boligmonitor.web.api.cache`) and, from the page cache, a strong ETag.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BeforeValidator

from boligmonitor.analysis.indicator_tables import IndicatorRow
from boligmonitor.analysis.peers import BenchmarkKind
from boligmonitor.catalog.export import catalog_to_json
from boligmonitor.catalog.models import Indicator
from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import RegionLevel, normalise_region_code
from boligmonitor.store import RegionRow
from boligmonitor.web.api.cache import CachedRoute, request_data
from boligmonitor.web.api.models import (
    ApiIndex,
    BenchmarkName,
    CatalogResponse,
    ComparisonRecord,
    ComparisonsResponse,
    EndpointLink,
    ErrorResponse,
    ObservationsResponse,
    RankingsResponse,
    RegionLevelName,
    RegionsResponse,
)
from boligmonitor.web.api.records import (
    benchmark_info,
    comparison_record,
    coverage,
    missing_cell,
    observation_record,
    ranking_entries,
    ranking_order,
    region_info,
    version_info,
)
from boligmonitor.web.i18n import DEFAULT_LANGUAGE, Language
from boligmonitor.web.monitor import MonitorData, UnknownPageError
from boligmonitor.web.pages import BadRequestError
from boligmonitor.web.request_params import FIRST_YEAR, LAST_YEAR

API_DESCRIPTION = """\
Read-only JSON API of the boligsosial monitor: official statistics for Norway, its counties and municipalities.

**Values keep their truth.** Every value comes with numerator, denominator, unit, confidence interval
(`ci_low`, `ci_high`, `ci_level`, `ci_method`), SSB status symbol (`status`), harmonisation to today's
municipalities and flags. A missing value is `null` with a `status` symbol and a `missing_reason`; it is never 0.

**Regions** are given by code: `0` is Norway, also written `0000` (SSB's code for the whole country) or `00`;
the answer is the same as for `0` and names Norway by its canonical code `0`.

**Errors** are JSON, `{"error": {"status": 404, "message": "…"}}`. An unknown indicator or region is a 404; an
invalid parameter (wrong pattern, a number not written with the digits 0-9, year outside YEARS, unknown enum
value, a required parameter missing) is a 400 whose `parameter` names it — this API never answers 422.
`lang=nb|nn|en` chooses the language of names and messages (default nb).

**Caching.** Answers change only with the data version (`data_version` in every answer). They carry a strong
`ETag` and `Cache-Control: public, max-age=60`; send `If-None-Match` to get a 304. `HEAD` works wherever `GET` does.

**Observations** are the stored values (as published, or summed to today's municipalities), paginated with
`limit`/`offset`; at least one of `indicator` and `region` is required. Norway and county values that the
publisher does not give are pooled from the municipalities only in **comparisons** (harmonisation `summed`).
"""
API_DESCRIPTION = API_DESCRIPTION.replace("YEARS", f"{FIRST_YEAR}–{LAST_YEAR}")  # the catalogue's span

INDICATOR_PATTERN = r"^[A-Z]{2,3}[0-9]{2}$"
REGION_PATTERN = r"^(0|[0-9]{2}|[0-9]{4}|[0-9]{6})$"  # Norway, county, municipality, urban district
PAGE_REGION_PATTERN = r"^(0|[0-9]{2}|[0-9]{4})$"  # Norway, county, municipality
COUNTY_PATTERN = r"^[0-9]{2}$"
MAX_OFFSET = 1_000_000_000
# Shown in the OpenAPI description (and drawn by property-based tests, so they reach real data).
INDICATOR_EXAMPLES = ["BEF03", "FL02", "BEF19", "BEF04"]
REGION_EXAMPLES = ["0301", "0", "11", "1103"]
YEAR_EXAMPLES = [2023, 2026]
DEFAULT_LIMIT, MAX_LIMIT = 1000, 10000
_ASCII_INTEGER = re.compile(r"[0-9]{1,18}")

_LEVEL_ORDER: dict[str, int] = {level.value: rank for rank, level in enumerate(RegionLevel)}

NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the If-None-Match header names the current ETag"},
    "4XX": {"model": ErrorResponse, "description": "Any other client error, e.g. 405 for a method other than GET"},
}
BAD_REQUEST: dict[int | str, dict[str, Any]] = {
    **NOT_MODIFIED,
    400: {"model": ErrorResponse, "description": "An invalid or missing parameter (never 422)"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    **BAD_REQUEST,
    404: {"model": ErrorResponse, "description": "Unknown indicator or region"},
}

router = APIRouter(prefix="/api/v1", route_class=CachedRoute, tags=["api"], responses=NOT_MODIFIED)

Data = Annotated[MonitorData, Depends(request_data)]
Lang = Annotated[Language | None, Query(description="Language of names and messages: nb (default), nn or en")]
IndicatorId = Annotated[str, Query(pattern=INDICATOR_PATTERN, description="Indicator id", examples=INDICATOR_EXAMPLES)]


def ascii_integer(value: object) -> object:
    """A query integer written with the digits 0-9 only: pydantic alone also takes "2023.0", "+2023",
    "2_023", " 2023" and Unicode digits, which the schema's ``integer`` does not describe."""
    if isinstance(value, str) and _ASCII_INTEGER.fullmatch(value) is None:
        raise ValueError("expected a whole number written with the digits 0-9")
    return value


AsciiInteger = BeforeValidator(ascii_integer)
Year = Annotated[
    int | None,
    Query(ge=FIRST_YEAR, le=LAST_YEAR, description="Year (default: the latest)", examples=YEAR_EXAMPLES),
    AsciiInteger,
]


# ---------------------------------------------------------------------------------------------- look-ups


def _language(lang: Language | None) -> Language:
    return lang or DEFAULT_LANGUAGE


def _any_region(data: MonitorData, code: str) -> RegionRow:
    """Norway (also as SSB writes it, "0000"), a county, a municipality or an urban district; 404 for a code the
    database does not know."""
    region = data.regions.get(normalise_region_code(code))
    if region is None:
        raise UnknownPageError("region", code)
    return region


def _county(data: MonitorData, code: str) -> RegionRow:
    region = data.region(code)
    if region.level != RegionLevel.COUNTY:
        raise UnknownPageError("region", code)
    return region


def _check_benchmark(region: RegionRow, kind: BenchmarkKind) -> None:
    """Group benchmarks are groups of municipalities; Norway is compared with nothing, a county with Norway."""
    if region.level == RegionLevel.MUNICIPALITY or kind is BenchmarkKind.NORWAY:
        return
    raise BadRequestError(
        "benchmark",
        kind.value,
        "only municipalities are compared with their county, KOSTRA group, size group or peers; "
        "use benchmark=norway for Norway and counties",
    )


# ------------------------------------------------------------------------------------------------ index


@router.get("/", name="api_index", summary="Links to the endpoints and the data version")
def api_index(request: Request, data: Data) -> ApiIndex:
    endpoints = [
        ("api_catalog", "Themes and indicators with their coverage in this data version"),
        ("api_regions", "Norway, counties, municipalities and urban districts"),
        ("api_observations", "Stored values with intervals, status and flags (filter by indicator, region, year)"),
        ("api_comparisons", "A region's values compared with a benchmark, with trend"),
        ("api_rankings", "Municipalities ranked by an indicator, with funnel limits"),
    ]
    return ApiIndex(
        data_version=version_info(data.version),
        name="Boligmonitor API",
        openapi=request.app.openapi_url or "/openapi.json",
        endpoints=[EndpointLink(path=request.url_for(name).path, description=text) for name, text in endpoints],
    )


# ---------------------------------------------------------------------------------------------- catalog


@router.get("/catalog", name="api_catalog", summary="Themes, indicators and goals (texts in nb, nn and en)")
def api_catalog(data: Data) -> CatalogResponse:
    return CatalogResponse(
        data_version=version_info(data.version), **catalog_to_json(data.catalog), coverage=coverage(data)
    )


# ---------------------------------------------------------------------------------------------- regions


@router.get("/regions", name="api_regions", responses=BAD_REQUEST, summary="Regions: code, name, level and parent")
def api_regions(
    data: Data,
    level: Annotated[RegionLevelName | None, Query(description="Only regions of this level")] = None,
    lang: Lang = None,
) -> RegionsResponse:
    language = _language(lang)
    chosen = [region for region in data.regions.values() if level is None or region.level == level]
    chosen.sort(key=lambda region: (_LEVEL_ORDER.get(region.level, len(_LEVEL_ORDER)), region.code))
    return RegionsResponse(
        data_version=version_info(data.version), regions=[region_info(region, language) for region in chosen]
    )


# ----------------------------------------------------------------------------------------- observations


@router.get(
    "/observations",
    name="api_observations",
    responses=NOT_FOUND,
    summary="Stored observations with interval, status and flags",
    description="At least one of `indicator` and `region` is required (400 otherwise). With all three of "
    "`indicator`, `region` and `year` the answer is exactly one record, `null` with status `..` and a "
    "`missing_reason` when the database has no value. Ordered by indicator (catalogue order), region code and "
    "year; paginated by `limit` and `offset` (`next` is the path of the following page).",
)
def api_observations(
    request: Request,
    data: Data,
    indicator: Annotated[
        str | None, Query(pattern=INDICATOR_PATTERN, description="Indicator id", examples=INDICATOR_EXAMPLES)
    ] = None,
    region: Annotated[
        str | None,
        Query(
            pattern=REGION_PATTERN,
            description="Region code: 0 (Norway, also 0000), 2, 4 or 6 digits",
            examples=REGION_EXAMPLES,
        ),
    ] = None,
    year: Annotated[
        int | None,
        Query(ge=FIRST_YEAR, le=LAST_YEAR, description="Only this year", examples=YEAR_EXAMPLES),
        AsciiInteger,
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Records per page"), AsciiInteger] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Records to skip"), AsciiInteger] = 0,
    lang: Lang = None,
) -> ObservationsResponse:
    language = _language(lang)
    if indicator is None and region is None:
        raise BadRequestError("indicator", "", "give an indicator, a region or both")
    indicators = [data.indicator(indicator)] if indicator is not None else list(data.catalog.indicators)
    region_row = _any_region(data, region) if region is not None else None
    matching = _matching_observations(data, indicators, region_row, year)
    if not matching and indicator is not None and region_row is not None and year is not None:
        # One cell asked for that the database lacks: say so (null, status '..' and why), never 0.
        matching = [missing_cell(data, indicators[0], region_row, year)]
    total = len(matching)
    page = [observation_record(data, o, language) for o in matching[offset : offset + limit]]
    following = None
    if offset + limit < total:
        url = request.url.include_query_params(offset=offset + limit)
        following = f"{url.path}?{url.query}"
    return ObservationsResponse(
        data_version=version_info(data.version),
        total=total,
        limit=limit,
        offset=offset,
        next=following,
        observations=page,
    )


def _matching_observations(
    data: MonitorData, indicators: list[Indicator], region: RegionRow | None, year: int | None
) -> list[Observation]:
    found: list[Observation] = []
    for indicator in indicators:
        if region is not None:
            candidates = data.series(indicator.id, region.code)
        else:
            candidates = [o for _, o in sorted(data.tables.observations(indicator.id).items())]
        found.extend(o for o in candidates if year is None or o.year == year)
    return found


# ------------------------------------------------------------------------------------------ comparisons


@router.get(
    "/comparisons",
    name="api_comparisons",
    responses=NOT_FOUND,
    summary="A region's values compared with a benchmark",
    description="One record per indicator (every indicator of the catalogue when `indicator` is not given) "
    "for the given year, by default the latest year with a value for the region. Norway is compared with "
    "nothing (`benchmark` is null) and a county with Norway; county, KOSTRA group, size group and peers apply "
    "to municipalities only (400 otherwise). Norway and county values the publisher does not give are pooled "
    "from the municipalities (harmonisation `summed`, the note says so).",
)
def api_comparisons(
    data: Data,
    region: Annotated[
        str,
        Query(
            pattern=PAGE_REGION_PATTERN,
            description="0 (Norway, also 0000), a county or municipality",
            examples=REGION_EXAMPLES,
        ),
    ],
    indicator: Annotated[
        str | None,
        Query(
            pattern=INDICATOR_PATTERN, description="Indicator id (default: all indicators)", examples=INDICATOR_EXAMPLES
        ),
    ] = None,
    year: Year = None,
    benchmark: Annotated[BenchmarkName, Query(description="What the region is compared with")] = "norway",
    lang: Lang = None,
) -> ComparisonsResponse:
    language = _language(lang)
    region_row = data.region(region)
    kind = BenchmarkKind(benchmark)
    _check_benchmark(region_row, kind)
    indicators = [data.indicator(indicator)] if indicator is not None else list(data.catalog.indicators)
    records = [_comparison(data, one, region_row, year, kind, language) for one in indicators]
    return ComparisonsResponse(
        data_version=version_info(data.version),
        region=region_info(region_row, language),
        benchmark=benchmark,
        comparisons=records,
    )


def _comparison(
    data: MonitorData, indicator: Indicator, region: RegionRow, year: int | None, kind: BenchmarkKind, lang: Language
) -> ComparisonRecord:
    row = data.row(indicator.id, region.code, year, kind)
    # Similar municipalities need the region's characteristics that year; without them there is no peer group,
    # so the value is shown uncompared, with the reason.
    problem = row.benchmark.unavailable if row.benchmark is not None else None
    shown_year = year if year is not None else row.year
    return comparison_record(data, row, lang, shown_year, problem)


# --------------------------------------------------------------------------------------------- rankings


@router.get(
    "/rankings",
    name="api_rankings",
    responses=NOT_FOUND,
    summary="Municipalities ranked by an indicator",
    description="Every municipality (or those of one county) for one year, by default the indicator's latest "
    "year. Best first where the polarity says which is better; neutral indicators largest first. Ties share a "
    "rank; missing values come last with a null rank and their status. Comparison and funnel limits are "
    "against Norway's value; `outside_funnel` uses the outer 99.8 % limits.",
)
def api_rankings(
    data: Data,
    indicator: IndicatorId,
    year: Year = None,
    county: Annotated[
        str | None,
        Query(pattern=COUNTY_PATTERN, description="Only this county's municipalities", examples=["11", "03"]),
    ] = None,
    lang: Lang = None,
) -> RankingsResponse:
    language = _language(lang)
    chosen = data.indicator(indicator)
    county_row = _county(data, county) if county is not None else None
    ranked_year = year if year is not None else data.latest_year(chosen.id)
    # An indicator without any value has no latest year: every municipality is listed as missing (year null).
    rows: list[IndicatorRow] = data.all_regions(chosen.id, ranked_year)
    if county_row is not None:
        rows = [row for row in rows if row.region.code[:2] == county_row.code]
    national = rows[0].benchmark if rows else None
    return RankingsResponse(
        data_version=version_info(data.version),
        indicator=chosen.id,
        indicator_name=chosen.name.get(language),
        unit=chosen.unit,
        polarity=chosen.polarity,
        year=ranked_year,
        county=county_row.code if county_row is not None else None,
        order=ranking_order(chosen.polarity),
        benchmark=benchmark_info(national),
        rankings=ranking_entries(data, rows, language, ranked_year),
    )


__all__ = ["API_DESCRIPTION", "router"]
