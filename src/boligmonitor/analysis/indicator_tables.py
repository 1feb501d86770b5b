"""Indicator tables from the database: value, interval, benchmark comparison, trend and funnel limits.

This is what the monitor, the fact sheets, the API and `boligmonitor show` present. Each row is tidy (one
indicator, region and year) and keeps numerator, denominator, unit, status and flags from the stored
observation; the statistics come from the pure functions beside this module (intervals, compare, trends,
funnel). Benchmarks are stored values for Norway and counties where the publisher gives them, otherwise pooled
from the municipalities (sum of numerators over sum of denominators: pool, never average) — over those with
figures when the others hold less than 5 % of the denominator (docs/methods/peers-and-groups.md §2).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from boligmonitor.analysis.benchmark_comparison import Comparison, compare_to_benchmark, top_n_range
from boligmonitor.analysis.funnel import FunnelKind, between_variance, funnel_limits
from boligmonitor.analysis.intervals import Interval
from boligmonitor.analysis.measures import (
    NO_INTERVAL_MISSING,
    Measure,
    has_interval,
    measure,
    ratio_to_benchmark,
)
from boligmonitor.analysis.peers import (
    BenchmarkKind,
    Characteristic,
    Coverage,
    benchmark_members,
    pooled_total,
    pooled_value,
    similar_municipalities,
)
from boligmonitor.analysis.trends import Trend, TrendKind, points_from_observations, recent_trend
from boligmonitor.catalog.models import Catalog, Indicator, QuantityKind
from boligmonitor.core.errors import UnknownCodesError
from boligmonitor.core.flags import Harmonisation
from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import NORWAY, RegionLevel
from boligmonitor.core.status import Status
from boligmonitor.geo import RegionAttributes
from boligmonitor.store import Reader, RegionRow

FUNNEL_LEVELS = (0.95, 0.998)
_AGGREGATE_LEVELS = (RegionLevel.COUNTRY, RegionLevel.COUNTY)
POPULATION_INDICATOR = "BEF01"  # population 1 January: size groups and peer characteristics
SHARE_80_PLUS_INDICATOR = "BEF03"


@dataclass(frozen=True)
class Benchmark:
    kind: BenchmarkKind
    region_code: str
    label: str
    value: float | None
    numerator: float | None
    denominator: float | None
    source: str  # "stored" (the publisher's own value), "pooled from N municipalities", or why there is no value
    # Why the benchmark's municipalities could not be found (similar municipalities need characteristics a year
    # may lack); None when they could. The API gives it as the reason a value is left uncompared.
    unavailable: str | None = None
    # Norway or a county pooled from its municipalities (no published total): how many had figures and what share
    # of the denominator those without hold; the value is partial when not all had figures. None otherwise.
    coverage: Coverage | None = None

    @property
    def partial(self) -> bool:
        """A value pooled over only some of the area's municipalities (the others hold under 5 %)."""
        return self.value is not None and self.coverage is not None and not self.coverage.complete

    @classmethod
    def without_members(cls, kind: BenchmarkKind, region_code: str, label: str, problem: str) -> Benchmark:
        """A benchmark whose municipalities cannot be found: no value, ``problem`` says why."""
        return cls(kind, region_code, label, None, None, None, f"no {kind.value}: {problem}", unavailable=problem)


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    region: RegionRow
    measure: Measure
    note: str | None
    benchmark: Benchmark | None
    comparison: Comparison
    trend: Trend | None
    funnel: dict[float, tuple[float, float]] | None  # level -> (low, high), in the indicator's unit
    # Norway or a county without a published value: the benchmark its value was pooled from (or why it could not
    # be), with how many municipalities had figures. None for municipalities and published values.
    computed_from: Benchmark | None = None

    @property
    def year(self) -> int | None:
        """The row's year; None when the indicator has no value in any year (missing, never year 0)."""
        return self.measure.year

    def as_dict(self) -> dict[str, Any]:
        """A flat, JSON-ready record (the tidy form used by the CLI, downloads and the API); ``year`` is None
        (null) for an indicator without any value."""
        m = self.measure
        record: dict[str, Any] = {
            "indicator": self.indicator.id,
            "region": self.region.code,
            "region_name": self.region.name,
            "year": m.year,
            "value": m.value,
            "numerator": m.count,
            "denominator": m.denominator,
            "unit": self.indicator.unit,
            "multiplier": self.indicator.multiplier,
            "ci_low": m.ci_low,
            "ci_high": m.ci_high,
            "ci_level": m.level,
            "ci_method": m.method,
            "status": m.status.value,
            "harmonisation": m.harmonisation.value,
            "flags": sorted(flag.value for flag in m.flags),
            "note": self.note,
            "comparison": self.comparison.value,
        }
        if self.benchmark is not None:
            record |= {
                "benchmark": self.benchmark.kind.value,
                "benchmark_region": self.benchmark.region_code,
                "benchmark_value": self.benchmark.value,
                "benchmark_source": self.benchmark.source,
                "ratio_to_benchmark": ratio_to_benchmark(m.value, self.benchmark.value),
            }
        if self.trend is not None:
            record |= {
                "trend": self.trend.direction,
                "trend_years": list(self.trend.years),
                "trend_method": self.trend.method,
                "trend_p_value": self.trend.p_value,
                "trend_reason": self.trend.reason,
            }
        if self.funnel is not None:
            for level, (low, high) in sorted(self.funnel.items()):
                record[f"funnel_low_{level:g}"] = low
                record[f"funnel_high_{level:g}"] = high
        return record


def trend_kind(indicator: Indicator) -> TrendKind:
    """Which trend test fits: shares use the chi-square test for trend, rates a Poisson model, others
    (counts without denominator, averages) Mann–Kendall on the values."""
    if indicator.multiplier == 100:
        return "proportion"
    if indicator.multiplier in (1000, 10000):
        return "rate"
    return "value"


class IndicatorTables:
    """Reads one data version's observations and turns them into rows; caches per indicator."""

    def __init__(self, reader: Reader, catalog: Catalog, level: float = 0.95) -> None:
        self.reader = reader
        self.catalog = catalog
        self.level = level
        self.regions: dict[str, RegionRow] = {r.code: r for r in reader.regions()}
        self._municipalities = sorted(c for c, r in self.regions.items() if r.level == RegionLevel.MUNICIPALITY)
        self._observations: dict[str, dict[tuple[str, int], Observation]] = {}
        self._series: dict[str, dict[str, list[Observation]]] = {}
        self._area_benchmarks: dict[tuple[str, str, int, BenchmarkKind], Benchmark] = {}
        self._years: dict[str, list[int]] = {}
        self._funnel_spreads: dict[tuple[str, int], FunnelSpread | None] = {}
        self.attributes = RegionAttributes.from_rows(
            [
                {"region": a.region_code, "attribute": a.attribute, "year": str(a.year), "value": a.value}
                for a in reader.region_attributes()
                if a.attribute != "size_group"  # derived from population again below
            ]
        )
        self.population = {
            key: o.value for key, o in self.observations(POPULATION_INDICATOR).items() if o.value is not None
        }

    # --------------------------------------------------------------------------------------------- look-ups

    def indicator(self, indicator_id: str) -> Indicator:
        return self.catalog.indicator(indicator_id)

    def region(self, code: str) -> RegionRow:
        if code not in self.regions:
            raise UnknownCodesError("region", [code])
        return self.regions[code]

    def observations(self, indicator_id: str) -> dict[tuple[str, int], Observation]:
        if indicator_id not in self._observations:
            rows = self.reader.observations(indicator_id=indicator_id)
            self._observations[indicator_id] = {(o.region_code, o.year): o for o in rows}
        return self._observations[indicator_id]

    def series(self, indicator_id: str, region: str) -> list[Observation]:
        """One region's observations of an indicator, oldest year first (indexed once per indicator, so pages
        showing many regions' series do not scan every observation each time)."""
        if indicator_id not in self._series:
            by_region: dict[str, list[Observation]] = {}
            for (code, _), observation in sorted(self.observations(indicator_id).items()):
                by_region.setdefault(code, []).append(observation)
            self._series[indicator_id] = by_region
        return self._series[indicator_id].get(region, [])

    def years(self, indicator_id: str) -> list[int]:
        """The years in which some region has a value, ascending."""
        if indicator_id not in self._years:
            observations = self.observations(indicator_id).items()
            self._years[indicator_id] = sorted({year for (_, year), o in observations if o.value is not None})
        return self._years[indicator_id]

    # -------------------------------------------------------------------------------------------- benchmarks

    def benchmark(
        self,
        indicator: Indicator,
        region: str,
        year: int,
        kind: BenchmarkKind,
        *,
        custom_members: Sequence[str] = (),
    ) -> Benchmark:
        """Norway and county: the publisher's stored value when there is one, else pooled from municipalities (over
        those with figures when the others hold under 5 % of the denominator: :func:`peers.pooled_total`).
        KOSTRA group, size group, similar municipalities and a custom list (``custom_members``, canonical codes,
        for :attr:`BenchmarkKind.CUSTOM`): pooled over the members, the region itself left out (methods.md §4.1)."""
        if kind in (BenchmarkKind.NORWAY, BenchmarkKind.COUNTY):
            target = NORWAY if kind is BenchmarkKind.NORWAY or region == NORWAY else region[:2]
            # Norway's and a county's benchmark are the same for every municipality in them: pool once.
            key = (indicator.id, target, year, kind)
            if key not in self._area_benchmarks:
                self._area_benchmarks[key] = self._area_benchmark(indicator, target, year, kind)
            return self._area_benchmarks[key]
        peers: tuple[str, ...] = ()
        if kind is BenchmarkKind.PEERS:
            try:
                peers = self.similar(region, year)
            except ValueError as error:  # a characteristic is missing that year (e.g. centrality before 2024)
                return Benchmark.without_members(kind, kind.value, f"peers of {region}", str(error))
        members = benchmark_members(
            kind, region, year, self._municipalities, self.attributes, self.population, custom_members, peers
        )
        label = f"{kind.value} of {region} ({len(members)} municipalities)"
        return self._pooled(indicator, year, kind, kind.value, label, members)

    def _area_benchmark(self, indicator: Indicator, target: str, year: int, kind: BenchmarkKind) -> Benchmark:
        label = self.regions[target].name if target in self.regions else target
        stored = self.observations(indicator.id).get((target, year))
        if stored is not None and stored.value is not None:
            return Benchmark(kind, target, label, stored.value, stored.numerator, stored.denominator, "stored")
        members = tuple(code for code in self._municipalities if target == NORWAY or code.startswith(target))
        if indicator.multiplier is None or not members:
            return self._pooled(indicator, year, kind, target, label, members)
        # The publisher's total is missing: pool the municipalities, over those with figures when the others
        # hold less than 5 % of the denominator (docs/methods/peers-and-groups.md §2).
        observations = self.observations(indicator.id)
        pooled = pooled_total(
            [o for code in members if (o := observations.get((code, year))) is not None],
            members,
            float(indicator.multiplier),
            {code: self.population.get((code, year)) for code in members},
        )
        source = pooled.note or f"pooled from {len(members)} municipalities"
        return Benchmark(
            kind, target, label, pooled.value, pooled.numerator, pooled.denominator, source, coverage=pooled.coverage
        )

    def _area_source(self, indicator: Indicator, region: str, year: int) -> Benchmark | None:
        """The pooled benchmark behind Norway's or a county's own value when the publisher gives none."""
        kind = BenchmarkKind.NORWAY if region == NORWAY else BenchmarkKind.COUNTY
        pooled = self.benchmark(indicator, region, year, kind)
        return None if pooled.source == "stored" else pooled

    def _aggregate(self, indicator: Indicator, region: str, year: int) -> Observation | None:
        """Norway or a county pooled from its municipalities when the publisher gives no value of its own."""
        pooled = self._area_source(indicator, region, year)
        if pooled is None or pooled.value is None:
            return None
        return Observation(
            indicator_id=indicator.id,
            region_code=region,
            year=year,
            value=pooled.value,
            numerator=pooled.numerator,
            denominator=pooled.denominator,
            unit=indicator.unit,
            status=Status.OK,
            dataset_id="",
            harmonisation=Harmonisation.SUMMED,
            note=f"computed by boligmonitor: {pooled.source}",
        )

    def top_ten_range(self, indicator_id: str, year: int) -> tuple[float, float] | None:
        """The value range of the ten best municipalities (FHI's alternative benchmark; none if neutral)."""
        indicator = self.indicator(indicator_id)
        values = [_value(self.observations(indicator_id).get((c, year))) for c in self._municipalities]
        return top_n_range(values, indicator.polarity.value, n=10)

    def similar(self, region: str, year: int, n: int = 10) -> tuple[str, ...]:
        """The n most similar municipalities by a transparent distance (docs/methods/peers-and-groups.md):
        population (log), centrality class, share aged 80+ and population growth over five years."""
        population = {code: self.population.get((code, year)) for code in self._municipalities}
        earlier = {code: self.population.get((code, year - 5)) for code in self._municipalities}
        growth = {
            code: (now / then - 1.0) if now is not None and then else None
            for code, now, then in ((c, population[c], earlier[c]) for c in self._municipalities)
        }
        elderly = self.observations(SHARE_80_PLUS_INDICATOR)
        centrality = {code: self.attributes.value(code, "centrality", year) for code in self._municipalities}
        characteristics = [
            Characteristic("population", population, transform="log"),
            Characteristic("centrality", {c: float(v) if v else None for c, v in centrality.items()}),
            Characteristic("share_80_plus", {c: _value(elderly.get((c, year))) for c in self._municipalities}),
            Characteristic("growth_5_years", growth),
        ]
        return tuple(neighbour.code for neighbour in similar_municipalities(region, characteristics, n=n))

    def _pooled(
        self, indicator: Indicator, year: int, kind: BenchmarkKind, target: str, label: str, members: Sequence[str]
    ) -> Benchmark:
        observations = self.observations(indicator.id)
        if not members:
            return Benchmark(kind, target, label, None, None, None, "no members")
        if indicator.multiplier is None:
            counts = [observations.get((code, year)) for code in members]
            if any(o is None or o.numerator is None for o in counts):
                return Benchmark(kind, target, label, None, None, None, "not pooled: a member has no count")
            total = sum(o.numerator for o in counts if o is not None and o.numerator is not None)
            return Benchmark(kind, target, label, total, total, None, f"summed over {len(members)} municipalities")
        pooled = pooled_value(
            [o for code in members if (o := observations.get((code, year))) is not None],
            members,
            float(indicator.multiplier),
        )
        source = pooled.note or f"pooled from {len(members)} municipalities"
        return Benchmark(kind, target, label, pooled.value, pooled.numerator, pooled.denominator, source)

    # ------------------------------------------------------------------------------------------------- rows

    def row(
        self,
        indicator_id: str,
        region: str,
        year: int | None = None,
        benchmark: BenchmarkKind = BenchmarkKind.NORWAY,
        with_trend: bool = True,
        *,
        custom_members: Sequence[str] = (),
    ) -> IndicatorRow:
        """One indicator for one region and year (default: the latest year with a value), compared with
        ``benchmark`` (``custom_members``: the municipalities of :attr:`BenchmarkKind.CUSTOM`). An indicator
        without any value, asked for its latest year, has no year: the row is missing with year None."""
        indicator = self.indicator(indicator_id)
        region_row = self.region(region)
        observations = self.observations(indicator_id)
        comparing = benchmark if region != NORWAY or benchmark is not BenchmarkKind.NORWAY else None
        if year is None:
            own = self.series(indicator_id, region)
            years = [o.year for o in own if o.value is not None] or [o.year for o in own]
            year = max(years) if years else max(self.years(indicator_id), default=None)
        if year is None:
            return self._row_without_year(indicator, region_row, comparing, with_trend)
        observation = observations.get((region, year))
        computed_from = None
        if (observation is None or observation.value is None) and region_row.level in _AGGREGATE_LEVELS:
            computed_from = self._area_source(indicator, region, year)
            observation = self._aggregate(indicator, region, year) or observation
        observation = observation or missing_observation(indicator, region, year)
        reference = (
            self.benchmark(indicator, region, year, comparing, custom_members=custom_members) if comparing else None
        )
        row = self._assemble(indicator, region_row, observation, reference, with_trend, None)
        return replace(row, computed_from=computed_from) if computed_from is not None else row

    def all_regions(
        self,
        indicator_id: str,
        year: int | None,
        benchmark: BenchmarkKind = BenchmarkKind.NORWAY,
        *,
        custom_members: Sequence[str] = (),
    ) -> list[IndicatorRow]:
        """Every municipality for one year compared with ``benchmark`` (``custom_members``: the municipalities of
        :attr:`BenchmarkKind.CUSTOM`), with funnel limits around the national benchmark. ``year`` None (an
        indicator without any value has no latest year): every municipality missing, with year None."""
        indicator = self.indicator(indicator_id)
        if year is None:
            return [
                self._row_without_year(indicator, self.regions[code], benchmark, False) for code in self._municipalities
            ]
        observations = self.observations(indicator_id)
        national = self.benchmark(indicator, NORWAY, year, BenchmarkKind.NORWAY)
        spread = self.funnel_spread(indicator_id, year)
        rows = []
        for code in self._municipalities:
            observation = observations.get((code, year)) or missing_observation(indicator, code, year)
            reference = (
                national
                if benchmark is BenchmarkKind.NORWAY
                else self.benchmark(indicator, code, year, benchmark, custom_members=custom_members)
            )
            funnel = _funnel(indicator, observation, national.value, spread.tau2 if spread else 0.0)
            rows.append(self._assemble(indicator, self.regions[code], observation, reference, False, funnel))
        return rows

    def funnel_spread(self, indicator_id: str, year: int) -> FunnelSpread | None:
        """How much more the municipalities differ than chance makes them, around Norway's value that year
        (φ̂ and the additive τ̂² of methods.md §5), from their counts; None where no funnel applies."""
        key = (indicator_id, year)
        if key not in self._funnel_spreads:
            self._funnel_spreads[key] = self._funnel_spread(self.indicator(indicator_id), year)
        return self._funnel_spreads[key]

    def _funnel_spread(self, indicator: Indicator, year: int) -> FunnelSpread | None:
        target = self.benchmark(indicator, NORWAY, year, BenchmarkKind.NORWAY).value
        multiplier = indicator.multiplier
        if multiplier is None or target is None or _funnel_kind(indicator, target) is None:
            return None
        observations = self.observations(indicator.id)
        points = []
        for code in self._municipalities:
            observation = observations.get((code, year))
            if observation is not None and observation.value is not None:
                points.append((code, observation.numerator, observation.denominator))
        try:
            phi, tau2 = between_variance(points, target, _funnel_kind(indicator, target) or "rate", float(multiplier))
        except ValueError:  # no municipality with counts, or a target without sampling variance
            return None
        return FunnelSpread(phi, tau2, sum(1 for _, x, n in points if x is not None and n))

    def full_table(self) -> Iterator[IndicatorRow]:
        """All indicators × municipalities × years that have observations, compared with Norway."""
        for indicator in self.catalog.indicators:
            observations = self.observations(indicator.id)
            national: dict[int, Benchmark] = {}
            for (code, year), observation in observations.items():
                region = self.regions.get(code)
                if region is None or region.level != RegionLevel.MUNICIPALITY:
                    continue
                if year not in national:
                    national[year] = self.benchmark(indicator, NORWAY, year, BenchmarkKind.NORWAY)
                yield self._assemble(indicator, region, observation, national[year], False, None)

    def _row_without_year(
        self, indicator: Indicator, region: RegionRow, kind: BenchmarkKind | None, with_trend: bool
    ) -> IndicatorRow:
        """The row of an indicator without any value in the database: missing, with no year (there is none to
        give it; never year 0), its benchmark named as for any year but without a value, and not compared."""
        reference = None
        if kind in (BenchmarkKind.NORWAY, BenchmarkKind.COUNTY):
            target = NORWAY if kind is BenchmarkKind.NORWAY or region.code == NORWAY else region.code[:2]
            label = self.regions[target].name if target in self.regions else target
            reference = Benchmark(kind, target, label, None, None, None, NO_VALUE_IN_ANY_YEAR)
        elif kind is not None:
            label = f"{kind.value} of {region.code}"
            reference = Benchmark(kind, kind.value, label, None, None, None, NO_VALUE_IN_ANY_YEAR)
        m = _measure_without_year(indicator, region.code, self.level)
        return self._assemble_measure(indicator, region, m, NO_VALUE_IN_ANY_YEAR, reference, with_trend, None)

    def _assemble(
        self,
        indicator: Indicator,
        region: RegionRow,
        observation: Observation,
        reference: Benchmark | None,
        with_trend: bool,
        funnel: dict[float, tuple[float, float]] | None,
    ) -> IndicatorRow:
        m = measure(observation, indicator.multiplier, self.level, kind=indicator.kind)
        return self._assemble_measure(indicator, region, m, observation.note, reference, with_trend, funnel)

    def _assemble_measure(
        self,
        indicator: Indicator,
        region: RegionRow,
        m: Measure,
        note: str | None,
        reference: Benchmark | None,
        with_trend: bool,
        funnel: dict[float, tuple[float, float]] | None,
    ) -> IndicatorRow:
        # Only shares and rates are compared: a count against a national total says nothing. Kinds without an
        # interval (stocks, administrative numbers, projections, summaries) have nothing to test a difference
        # on: never called significantly different (docs/methods/intervals-and-comparisons.md §3).
        comparison = (
            compare_to_benchmark(m.interval, m.value, reference.value, indicator.polarity.value)
            if reference is not None and indicator.multiplier is not None and has_interval(indicator.kind)
            else Comparison.NOT_COMPARED
        )
        trend = None
        if with_trend:
            series = self.series(indicator.id, region.code)
            trend = recent_trend(points_from_observations(series), kind=trend_kind(indicator))
        return IndicatorRow(indicator, region, m, note, reference, comparison, trend, funnel)


def _value(observation: Observation | None) -> float | None:
    return None if observation is None else observation.value


NOT_IN_DATABASE = "no value in the database for this region and year"
NO_VALUE_IN_ANY_YEAR = "no value in the database for this indicator in any year"


def missing_observation(indicator: Indicator, region: str, year: int, note: str = NOT_IN_DATABASE) -> Observation:
    """A stand-in for a value that is not in the database: missing, never zero, with ``note`` saying why."""
    return Observation(
        indicator_id=indicator.id,
        region_code=region,
        year=year,
        value=None,
        numerator=None,
        denominator=None,
        unit=indicator.unit,
        status=Status.MISSING,
        dataset_id="",
        note=note,
    )


def _measure_without_year(indicator: Indicator, region: str, level: float) -> Measure:
    """A value of an indicator without any value in the database: missing, and without a year (there is none to
    give it; never year 0)."""
    return Measure(
        indicator_id=indicator.id,
        region_code=region,
        year=None,
        count=None,
        denominator=None,
        value=None,
        unit=indicator.unit,
        multiplier=indicator.multiplier,
        ci_low=None,
        ci_high=None,
        level=level,
        method=NO_INTERVAL_MISSING,
        status=Status.MISSING,
    )


@dataclass(frozen=True)
class FunnelSpread:
    """The municipalities' spread around the funnel's target: overdispersion φ̂ (1 = as much as chance gives),
    the between-municipality variance τ̂² the limits include (fraction or per-person scale), and how many
    municipalities with counts they were estimated from."""

    phi: float
    tau2: float
    n_regions: int


def _funnel_kind(indicator: Indicator, target: float) -> FunnelKind | None:
    """The funnel a value of this indicator is placed in, or None where chance variation does not apply (a stock,
    an administrative number, a projection or a summary: docs/methods/intervals-and-comparisons.md §2)."""
    multiplier = indicator.multiplier
    if multiplier is None or not has_interval(indicator.kind):
        return None
    if indicator.kind is QuantityKind.RATE:
        return "rate"
    if multiplier == 100:
        # A "percentage" above 100 (e.g. refugees settled as a share of those the municipality was asked to
        # settle) is a ratio, not a binomial share: there are no binomial limits around it.
        return "proportion" if 0 <= target <= multiplier else None
    return "rate"


def _funnel(
    indicator: Indicator, observation: Observation, target: float | None, tau2: float = 0.0
) -> dict[float, tuple[float, float]] | None:
    """Funnel limits at this observation's denominator, around the national value (shares and rates), with the
    between-municipality variance ``tau2`` added (methods.md §5, additive random effects). None for a value that
    is missing: a point that is not placed has no limits."""
    multiplier = indicator.multiplier
    n = observation.denominator
    if multiplier is None or target is None or observation.value is None or n is None or n <= 0:
        return None
    kind = _funnel_kind(indicator, target)
    if kind is None:
        return None
    limits = funnel_limits(target, [n], FUNNEL_LEVELS, kind=kind, multiplier=float(multiplier), tau2=tau2)
    return {limit.level: (limit.low, limit.high) for limit in limits}


def outside_funnel(rows: Sequence[IndicatorRow], level: float = 0.998) -> list[tuple[str, str]]:
    """(region code, "high" | "low") for rows whose value lies outside the funnel limits at ``level``."""
    result = []
    for row in rows:
        if row.funnel is None or row.measure.value is None or level not in row.funnel:
            continue
        low, high = row.funnel[level]
        if row.measure.value > high:
            result.append((row.region.code, "high"))
        elif row.measure.value < low:
            result.append((row.region.code, "low"))
    return result


__all__ = [
    "NOT_IN_DATABASE",
    "NO_VALUE_IN_ANY_YEAR",
    "Benchmark",
    "BenchmarkKind",
    "FunnelSpread",
    "IndicatorRow",
    "IndicatorTables",
    "Interval",
    "missing_observation",
    "outside_funnel",
    "trend_kind",
]
