"""Turn the monitor's rows and observations into the API's response records (pure functions, no I/O).

Every record is built from one :class:`~boligmonitor.analysis.measures.Measure`, so the API shows exactly the
value, interval, status and flags that the pages, downloads and ``boligmonitor show`` show.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, cast

from boligmonitor.analysis.benchmark_comparison import Comparison
from boligmonitor.analysis.indicator_tables import (
    NOT_IN_DATABASE,
    Benchmark,
    IndicatorRow,
    missing_observation,
    outside_funnel,
)
from boligmonitor.analysis.measures import Measure, measure, ratio_to_benchmark
from boligmonitor.analysis.trends import Trend
from boligmonitor.catalog.models import Indicator, Polarity
from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import region_level
from boligmonitor.core.status import STATUS_MEANING
from boligmonitor.store import DataVersion, RegionRow
from boligmonitor.web.api.models import (
    BenchmarkInfo,
    BenchmarkName,
    ComparisonRecord,
    DataVersionInfo,
    FunnelLimit,
    IndicatorCoverage,
    ObservationRecord,
    RankingEntry,
    RegionInfo,
    RegionLevelName,
    TrendInfo,
)
from boligmonitor.web.i18n import Language
from boligmonitor.web.monitor import MonitorData
from boligmonitor.web.synthetic import is_synthetic

OUTER_FUNNEL_LEVEL = 0.998

RankingOrder = Literal["descending", "ascending"]


def version_info(version: DataVersion | None) -> DataVersionInfo | None:
    if version is None:
        return None
    return DataVersionInfo(
        id=version.id,
        created_at=version.created_at,
        kind=version.kind,
        catalog_version=version.catalog_version,
        app_version=version.app_version,
    )


def region_name(region: RegionRow, language: Language) -> str:
    return region.names.get(language) or region.name


def region_info(region: RegionRow, language: Language) -> RegionInfo:
    return RegionInfo(
        code=region.code,
        name=region_name(region, language),
        official_name=region.name,
        level=cast(RegionLevelName, region.level),
        parent=region.parent_code,
        valid_from=region.valid_from,
        valid_to=region.valid_to,
    )


def coverage(data: MonitorData) -> dict[str, IndicatorCoverage]:
    return {
        indicator_id: IndicatorCoverage(
            state=row.state,
            reason=row.reason,
            n_values=row.n_values,
            n_regions=row.n_regions,
            n_municipalities=row.n_municipalities,
            first_year=row.first_year,
            last_year=row.last_year,
        )
        for indicator_id, row in data.statuses.items()
    }


def _measure_fields(
    data: MonitorData,
    indicator: Indicator,
    region: RegionRow,
    m: Measure,
    note: str | None,
    language: Language,
    year: int | None,
) -> dict[str, Any]:
    """The fields every record shares (:class:`~boligmonitor.web.api.models.MeasureFields`)."""
    return {
        "indicator": indicator.id,
        "indicator_name": indicator.name.get(language),
        "region": region.code,
        "region_name": region_name(region, language),
        "year": year,
        "value": m.value,
        "numerator": m.count,
        "denominator": m.denominator,
        "unit": indicator.unit,
        "multiplier": indicator.multiplier,
        "ci_low": m.ci_low,
        "ci_high": m.ci_high,
        "ci_level": m.level,
        "ci_method": m.method,
        "status": m.status,
        "status_meaning": STATUS_MEANING[m.status][language],
        "harmonisation": m.harmonisation,
        "flags": sorted(m.flags),
        "note": note,
        "missing_reason": None if m.value is not None else data.missing_reason(indicator.id, m.status),
    }


# ------------------------------------------------------------------------------------------- observations


def observation_record(data: MonitorData, observation: Observation, language: Language) -> ObservationRecord:
    """A stored observation with the interval its kind calls for."""
    indicator = data.catalog.indicator(observation.indicator_id)
    code = observation.region_code
    # Every stored code is a known region; a stray one is still shown, named by its code.
    region = data.regions.get(code) or RegionRow(code=code, name=code, level=region_level(code) or "unknown")
    m = measure(observation, indicator.multiplier, data.tables.level, kind=indicator.kind)
    dataset = data.dataset_of(observation.dataset_id)
    return ObservationRecord(
        **_measure_fields(data, indicator, region, m, observation.note, language, observation.year),
        dataset=observation.dataset_id or None,
        dataset_title=dataset.title if dataset is not None else None,
        synthetic=is_synthetic(dataset),
        source_table=observation.source_table,
        fetched_at=observation.fetched_at,
    )


def missing_cell(data: MonitorData, indicator: Indicator, region: RegionRow, year: int) -> Observation:
    """A stand-in for a cell the database has no observation for: no value, status '..', and why."""
    coverage_row = data.statuses.get(indicator.id)
    note = coverage_row.reason if coverage_row is not None and not data.has_data(indicator.id) else NOT_IN_DATABASE
    return missing_observation(indicator, region.code, year, note)


# -------------------------------------------------------------------------------------------- comparisons


def benchmark_info(benchmark: Benchmark | None) -> BenchmarkInfo | None:
    if benchmark is None:
        return None
    return BenchmarkInfo(
        kind=cast(BenchmarkName, benchmark.kind.value),
        region=benchmark.region_code,
        label=benchmark.label,
        value=benchmark.value,
        numerator=benchmark.numerator,
        denominator=benchmark.denominator,
        source=benchmark.source,
    )


def trend_info(trend: Trend | None) -> TrendInfo | None:
    if trend is None:
        return None
    return TrendInfo(
        direction=trend.direction,
        years=list(trend.years),
        method=trend.method,
        p_value=trend.p_value,
        reason=trend.reason,
    )


def comparison_record(
    data: MonitorData,
    row: IndicatorRow,
    language: Language,
    year: int | None,
    benchmark_problem: str | None = None,
) -> ComparisonRecord:
    """``benchmark_problem``: the benchmark asked for could not be formed; the row is then shown without one."""
    m = row.measure
    benchmark = None if benchmark_problem else row.benchmark
    return ComparisonRecord(
        **_measure_fields(data, row.indicator, row.region, m, row.note, language, year),
        polarity=row.indicator.polarity,
        benchmark=benchmark_info(benchmark),
        benchmark_problem=benchmark_problem,
        comparison=row.comparison if benchmark_problem is None else Comparison.NOT_COMPARED,
        ratio_to_benchmark=None if benchmark is None else ratio_to_benchmark(m.value, benchmark.value),
        trend=trend_info(row.trend),
    )


# ----------------------------------------------------------------------------------------------- rankings


def ranking_order(polarity: Polarity) -> RankingOrder:
    """Best first: ascending only when lower is better; neutral indicators largest first."""
    return "ascending" if polarity is Polarity.LOWER_IS_BETTER else "descending"


def ranking_entries(
    data: MonitorData, rows: Sequence[IndicatorRow], language: Language, year: int | None
) -> list[RankingEntry]:
    """Rows ranked by value in the polarity's order (ties share a rank, 1, 2, 2, 4); missing values last,
    by region code, with a null rank. ``year`` is shown (null when the indicator has no year with data)."""
    if not rows:
        return []
    descending = ranking_order(rows[0].indicator.polarity) == "descending"
    valued = [row for row in rows if row.measure.value is not None]
    missing = sorted((row for row in rows if row.measure.value is None), key=lambda row: row.region.code)
    valued.sort(key=lambda row: (-_value(row) if descending else _value(row), row.region.code))
    outside = dict(outside_funnel(rows, OUTER_FUNNEL_LEVEL))
    entries = []
    rank = 0
    previous: float | None = None
    for position, row in enumerate(valued, start=1):
        if row.measure.value != previous:
            rank, previous = position, row.measure.value
        entries.append(_ranking_entry(data, row, language, year, rank, outside.get(row.region.code)))
    entries.extend(_ranking_entry(data, row, language, year, None, None) for row in missing)
    return entries


def _value(row: IndicatorRow) -> float:
    assert row.measure.value is not None  # only valued rows are sorted
    return row.measure.value


def _ranking_entry(
    data: MonitorData, row: IndicatorRow, language: Language, year: int | None, rank: int | None, outside: str | None
) -> RankingEntry:
    funnel = (
        None
        if row.funnel is None
        else [FunnelLimit(level=level, low=low, high=high) for level, (low, high) in sorted(row.funnel.items())]
    )
    return RankingEntry(
        **_measure_fields(data, row.indicator, row.region, row.measure, row.note, language, year),
        rank=rank,
        comparison=row.comparison,
        funnel=funnel,
        outside_funnel=cast(Literal["high", "low"] | None, outside),
    )


__all__ = [
    "NOT_IN_DATABASE",
    "OUTER_FUNNEL_LEVEL",
    "benchmark_info",
    "comparison_record",
    "coverage",
    "missing_cell",
    "observation_record",
    "ranking_entries",
    "ranking_order",
    "region_info",
    "region_name",
    "trend_info",
    "version_info",
]
