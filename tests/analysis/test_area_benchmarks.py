"""Norway's benchmark where the publisher gives no total, and which values get an interval, on the real build.

Refugees settled per 1 000 (FL01): IMDi publishes no national figure, and in most years some municipalities'
counts are suppressed (":") or not available ("."). Norway is pooled over the municipalities with figures when
those without hold under 5 % of the denominator (docs/methods/peers-and-groups.md §2). The expected outcomes
below were checked by hand against the observations (sums of the denominators of the municipalities without a
numerator, over all 357).
"""

from __future__ import annotations

import pytest

from boligmonitor.analysis.benchmark_comparison import Comparison
from boligmonitor.analysis.indicator_tables import BenchmarkKind, IndicatorTables
from boligmonitor.catalog import load_catalog
from boligmonitor.catalog.models import QuantityKind
from boligmonitor.core.regions import NORWAY
from boligmonitor.store import Store

REFUGEES_SETTLED = "FL01"
MUNICIPALITIES = 357

# year -> municipalities with figures, when Norway gets a (possibly partial) value
POOLED = {2012: 356, 2013: 357, 2015: 357, 2016: 334, 2021: 352, 2022: 355, 2023: 347}
# year -> (municipalities without figures, their share of the denominator in per cent, what it is measured in)
NO_BENCHMARK = {
    **dict.fromkeys(range(2005, 2012), (357, 100.0, "denominator")),  # "faktisk bosetting" exists from 2012
    2014: (109, 16.5, "denominator"),
    2017: (73, 6.4, "denominator"),
    2018: (182, 28.2, "population"),  # one municipality has no observation at all: measured in population
    2019: (174, 23.5, "population"),
    2020: (166, 9.9, "denominator"),
}


@pytest.fixture(scope="module")
def tables(built_store: Store) -> IndicatorTables:
    return IndicatorTables(built_store, load_catalog())


def test_every_year_2005_to_2023_is_either_pooled_or_says_why_not() -> None:
    assert sorted([*POOLED, *NO_BENCHMARK]) == list(range(2005, 2024))


@pytest.mark.parametrize("year", sorted(POOLED))
def test_norway_is_pooled_over_the_municipalities_with_figures(tables: IndicatorTables, year: int) -> None:
    indicator = tables.indicator(REFUGEES_SETTLED)
    benchmark = tables.benchmark(indicator, "4601", year, BenchmarkKind.NORWAY)
    with_figures = [
        o
        for (code, y), o in tables.observations(REFUGEES_SETTLED).items()
        if y == year and len(code) == 4 and o.numerator is not None and o.denominator is not None
    ]
    assert len(with_figures) == POOLED[year]
    expected = sum(o.numerator or 0 for o in with_figures) / sum(o.denominator or 0 for o in with_figures) * 1000
    assert benchmark.value == pytest.approx(expected)
    assert benchmark.coverage is not None
    assert (benchmark.coverage.members, benchmark.coverage.with_values) == (MUNICIPALITIES, POOLED[year])
    missing = MUNICIPALITIES - POOLED[year]
    if missing:
        assert benchmark.partial
        assert benchmark.coverage.missing_share is not None and benchmark.coverage.missing_share < 0.05
        assert benchmark.source.startswith(
            f"pooled from {POOLED[year]} of {MUNICIPALITIES} municipalities; {missing} without figures"
        )
    else:
        assert not benchmark.partial
        assert benchmark.source == f"pooled from {MUNICIPALITIES} municipalities"
    # Norway's own row carries the value and says what it was computed from; municipalities are compared with it.
    norway = tables.row(REFUGEES_SETTLED, NORWAY, year)
    assert norway.measure.value == pytest.approx(expected)
    assert norway.computed_from == benchmark
    bergen = tables.row(REFUGEES_SETTLED, "4601", year)
    if bergen.measure.value is not None:
        assert bergen.comparison is not Comparison.NOT_COMPARED


@pytest.mark.parametrize("year", sorted(NO_BENCHMARK))
def test_no_benchmark_when_those_without_figures_hold_5_percent_or_more(tables: IndicatorTables, year: int) -> None:
    indicator = tables.indicator(REFUGEES_SETTLED)
    benchmark = tables.benchmark(indicator, "4601", year, BenchmarkKind.NORWAY)
    missing, share, basis = NO_BENCHMARK[year]
    assert benchmark.value is None
    assert benchmark.coverage is not None
    assert benchmark.coverage.without_values == missing
    assert benchmark.coverage.missing_share == pytest.approx(share / 100, abs=0.0005)
    assert benchmark.coverage.basis == basis
    assert benchmark.source == (
        f"{missing} of {MUNICIPALITIES} members have no numerator or denominator; they hold {share:.1f}% of the "
        f"{basis} (a pooled value needs them to hold less than 5%)"
    )
    assert tables.row(REFUGEES_SETTLED, "4601", year).comparison is Comparison.NOT_COMPARED


def test_counties_follow_the_same_rule(tables: IndicatorTables) -> None:
    """2016: Vestland's 43 municipalities; the county is pooled or says why not, never from missing-as-zero."""
    indicator = tables.indicator(REFUGEES_SETTLED)
    county = tables.benchmark(indicator, "4601", 2016, BenchmarkKind.COUNTY)
    assert county.region_code == "46"
    assert county.coverage is not None
    assert county.coverage.members == 43
    assert (county.value is not None) == county.coverage.sufficient


def test_stocks_and_administrative_numbers_have_no_interval_and_are_never_compared(tables: IndicatorTables) -> None:
    population = tables.row("BEF01", "4601", 2026)
    assert population.indicator.kind is QuantityKind.STOCK
    assert population.measure.value is not None
    assert population.measure.interval is None
    request = tables.row("FL05", "4601", 2023)
    assert request.indicator.kind is QuantityKind.ADMINISTRATIVE
    assert request.measure.value is not None
    assert request.measure.interval is None
    # The decision as a percentage of IMDi's request has a Norway value to set beside it, but no interval:
    # no municipality is called better, worse, higher, lower or similar.
    decisions = tables.all_regions("FL06", 2023)
    assert any(row.benchmark is not None and row.benchmark.value is not None for row in decisions)
    assert {row.comparison for row in decisions} == {Comparison.NOT_COMPARED}
    assert all(row.measure.interval is None for row in decisions)
    # Shares and rates keep their intervals.
    assert tables.row("BEF03", "4601", 2026).measure.method == "Wilson"
    assert tables.row(REFUGEES_SETTLED, "4601", 2023).measure.interval is not None
