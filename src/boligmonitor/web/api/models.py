"""Response models of the JSON API: what /openapi.json documents and what every endpoint returns.

Every value keeps its truth: numerator, denominator, unit, interval, status symbol, harmonisation and flags
travel with it. A missing value is ``null`` with a status symbol and a ``missing_reason``, never 0.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from boligmonitor.analysis.benchmark_comparison import Comparison
from boligmonitor.catalog.models import Goal, Indicator, Polarity, Theme
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.status import Status
from boligmonitor.web.monitor import MissingReason

RegionLevelName = Literal["country", "county", "municipality", "district", "kostra_group"]
BenchmarkName = Literal["norway", "county", "kostra_group", "size_group", "peers"]
TrendDirection = Literal["increasing", "decreasing", "no_significant_change", "cannot_be_calculated"]


class ApiModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ErrorDetail(ApiModel):
    status: int = Field(description="The HTTP status code, repeated")
    message: str = Field(description="What was wrong, in the language asked for with `lang` (default bokmål)")
    parameter: str | None = Field(default=None, description="The query parameter a 400 is about, when one is")


class ErrorResponse(ApiModel):
    """Every error under /api/ has this shape (400 for any invalid parameter, never 422)."""

    error: ErrorDetail


class DataVersionInfo(ApiModel):
    """The database build the answer comes from; every value in one answer comes from one version."""

    id: int
    created_at: datetime
    kind: str = Field(description="'build' or 'refresh'")
    catalog_version: str | None
    app_version: str


class VersionedResponse(ApiModel):
    data_version: DataVersionInfo | None = Field(description="null only for an empty database")


class EndpointLink(ApiModel):
    path: str
    description: str


class ApiIndex(VersionedResponse):
    name: str
    openapi: str = Field(description="Path of the OpenAPI description")
    endpoints: list[EndpointLink]


# --------------------------------------------------------------------------------------------------- catalog


class IndicatorCoverage(ApiModel):
    """How far the database covers an indicator (from the build's status report)."""

    state: str = Field(description="'loaded', 'partial' or 'no_source'")
    reason: str = Field(description="Why the state is what it is, e.g. which source is still missing")
    n_values: int
    n_regions: int
    n_municipalities: int
    first_year: int | None
    last_year: int | None


class CatalogResponse(VersionedResponse):
    """The catalogue export (as `boligmonitor catalog --json`, texts in nb, nn and en) with coverage."""

    schema_version: int
    catalog_version: str
    themes: list[Theme]
    indicators: list[Indicator]
    goals: list[Goal]
    coverage: dict[str, IndicatorCoverage] = Field(
        description="Indicator id -> coverage in this data version; an indicator the build did not report on is absent"
    )


# --------------------------------------------------------------------------------------------------- regions


class RegionInfo(ApiModel):
    code: str = Field(description="'0' Norway, 2 digits county, 4 digits municipality, 6 digits urban district")
    name: str = Field(description="The name in the language asked for where known, else the official name")
    official_name: str = Field(description="The official name as published (may combine several languages)")
    level: RegionLevelName
    parent: str | None = Field(description="Code of the region it belongs to")
    valid_from: date | None
    valid_to: date | None


class RegionsResponse(VersionedResponse):
    regions: list[RegionInfo]


# ------------------------------------------------------------------------------------------------ measures


class MeasureFields(ApiModel):
    """One indicator for one region and year: the value with its interval and every caveat."""

    indicator: str
    indicator_name: str
    region: str
    region_name: str
    year: int | None = Field(description="null only when the indicator has no data at all and no year was asked")
    value: float | None = Field(description="In the indicator's unit; null when missing (never 0 for missing)")
    numerator: float | None
    denominator: float | None
    unit: str
    multiplier: int | None = Field(description="100 for per cent, 1000 for per 1 000 …, null for other units")
    ci_low: float | None = Field(description="Lower confidence limit; null when no interval applies")
    ci_high: float | None
    ci_level: float
    ci_method: str = Field(description="The interval's method, or 'none: …' saying why there is none")
    status: Status = Field(description="SSB status symbol: '' ordinary, '..' missing, ':' confidential, …")
    status_meaning: str = Field(description="The status symbol in words ('' for an ordinary value)")
    harmonisation: Harmonisation
    flags: list[Flag]
    note: str | None
    missing_reason: MissingReason | None = Field(description="Why the value is null; null when there is a value")


class ObservationRecord(MeasureFields):
    dataset: str | None = Field(description="Our key of the source dataset; null for a cell not in the database")
    dataset_title: str | None = Field(
        default=None, description="The source dataset's title as fetched; null for a cell not in the database"
    )
    synthetic: bool = Field(
        default=False,
        description="true: made up by a fake test server (scripts/fake-sources), never statistics; the dataset "
        "title then starts with SYNTHETIC",
    )
    source_table: str | None
    fetched_at: datetime | None


class ObservationsResponse(VersionedResponse):
    total: int = Field(description="Observations matching the filters (all pages)")
    limit: int
    offset: int
    next: str | None = Field(description="Path of the next page, null on the last")
    observations: list[ObservationRecord]


# ---------------------------------------------------------------------------------------------- comparisons


class BenchmarkInfo(ApiModel):
    kind: BenchmarkName
    region: str = Field(description="Norway, the county, or the group compared with")
    label: str
    value: float | None
    numerator: float | None
    denominator: float | None
    source: str = Field(description="'stored' (the publisher's value) or how it was pooled from municipalities")


class TrendInfo(ApiModel):
    """The recent trend (five most recent years of the region's series, whatever year was asked)."""

    direction: TrendDirection
    years: list[int]
    method: str
    p_value: float | None
    reason: str


class ComparisonRecord(MeasureFields):
    polarity: Polarity
    benchmark: BenchmarkInfo | None = Field(description="null for Norway, or when no benchmark could be formed")
    benchmark_problem: str | None = Field(description="Why no benchmark could be formed, if so")
    comparison: Comparison = Field(
        description="Benchmark inside the interval: similar; otherwise better/worse by polarity (higher/lower "
        "for neutral indicators); not_compared without value, interval or benchmark, and for counts"
    )
    ratio_to_benchmark: float | None = Field(description="100 × value / benchmark value")
    trend: TrendInfo | None


class ComparisonsResponse(VersionedResponse):
    region: RegionInfo
    benchmark: BenchmarkName
    comparisons: list[ComparisonRecord]


# ------------------------------------------------------------------------------------------------ rankings


class FunnelLimit(ApiModel):
    level: float
    low: float
    high: float


class RankingEntry(MeasureFields):
    rank: int | None = Field(description="1 = first in the ranking order; ties share a rank; null when missing")
    comparison: Comparison
    funnel: list[FunnelLimit] | None = Field(
        description="Funnel limits around Norway's value at this municipality's denominator (shares and rates)"
    )
    outside_funnel: Literal["high", "low"] | None = Field(
        description="Above or below the outer (99.8 %) funnel limit; null inside it or without limits"
    )


class RankingsResponse(VersionedResponse):
    indicator: str
    indicator_name: str
    unit: str
    polarity: Polarity
    year: int | None
    county: str | None
    order: Literal["descending", "ascending"] = Field(
        description="Best first: descending when higher is better, ascending when lower is better; neutral "
        "indicators descending"
    )
    benchmark: BenchmarkInfo | None = Field(description="Norway, the centre of the funnel")
    rankings: list[RankingEntry]


__all__ = [
    "ApiIndex",
    "BenchmarkInfo",
    "BenchmarkName",
    "CatalogResponse",
    "ComparisonRecord",
    "ComparisonsResponse",
    "DataVersionInfo",
    "EndpointLink",
    "ErrorDetail",
    "ErrorResponse",
    "FunnelLimit",
    "IndicatorCoverage",
    "MeasureFields",
    "ObservationRecord",
    "ObservationsResponse",
    "RankingEntry",
    "RankingsResponse",
    "RegionInfo",
    "RegionLevelName",
    "RegionsResponse",
    "TrendInfo",
]
