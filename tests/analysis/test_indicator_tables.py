"""Indicator tables over the real offline build: values, intervals, benchmarks, trends, funnels."""

from __future__ import annotations

import pytest

from boligmonitor.analysis.funnel import funnel_limits
from boligmonitor.analysis.indicator_tables import BenchmarkKind, IndicatorTables, outside_funnel
from boligmonitor.analysis.intervals import wilson
from boligmonitor.catalog import load_catalog
from boligmonitor.core.errors import UnknownCodesError
from boligmonitor.core.regions import NORWAY
from boligmonitor.store import Store


@pytest.fixture(scope="module")
def tables(built_store: Store) -> IndicatorTables:
    return IndicatorTables(built_store, load_catalog())


def test_share_of_80_plus_in_oslo_with_wilson_interval_and_norway_beside_it(tables: IndicatorTables) -> None:
    row = tables.row("BEF03", "0301", 2024).as_dict()
    assert row["denominator"] == 717_710
    expected = wilson(row["numerator"], row["denominator"])
    assert expected is not None
    assert row["ci_low"] == pytest.approx(expected.low * 100, abs=1e-9)
    assert row["ci_high"] == pytest.approx(expected.high * 100, abs=1e-9)
    assert row["benchmark_region"] == "0"
    assert row["benchmark_source"] == "stored"
    norway = tables.row("BEF03", "0", 2024).as_dict()
    assert row["benchmark_value"] == norway["value"]
    assert row["ratio_to_benchmark"] == pytest.approx(100 * row["value"] / norway["value"])
    # Oslo is young: far fewer aged 80+ than Norway; the indicator is not value-laden, so no colour words.
    assert row["comparison"] == "lower"
    assert row["trend"] in {"increasing", "decreasing", "no_significant_change"}
    assert len(row["trend_years"]) == 5


def test_default_year_is_the_latest_with_a_value(tables: IndicatorTables) -> None:
    assert tables.row("BEF01", "0301").measure.year == 2026


def test_county_benchmark_pooled_when_the_publisher_gives_none(tables: IndicatorTables) -> None:
    """IMDi publishes no county figures for settlement requests: the county value is pooled."""
    row = tables.row("FL05", "4601", 2022, BenchmarkKind.COUNTY)
    assert row.benchmark is not None
    assert row.benchmark.region_code == "46"
    assert row.benchmark.source == "summed over 43 municipalities"
    assert row.comparison.value == "not_compared"  # a count against a county total says nothing
    members = [
        tables.observations("FL05")[(code, 2022)].numerator
        for code in tables.regions
        if code.startswith("46") and len(code) == 4
    ]
    assert row.benchmark.value == sum(v for v in members if v is not None)


def test_missing_value_is_missing_not_zero(tables: IndicatorTables) -> None:
    row = tables.row("BEF16", "0301", 2024).as_dict()  # price per m²: the source ends in 2017
    assert row["value"] is None
    assert row["status"] != ""
    assert row["comparison"] == "not_compared"


def test_all_regions_has_funnel_limits_and_outliers(tables: IndicatorTables) -> None:
    rows = tables.all_regions("BEF03", 2024)
    assert len(rows) == 357
    for row in rows:
        assert row.funnel is not None
        low_95, high_95 = row.funnel[0.95]
        low_998, high_998 = row.funnel[0.998]
        assert low_998 <= low_95 <= high_95 <= high_998
    # Oslo: 3.2 % aged 80+ against 5 % nationally, on 717 710 people. Chance alone cannot explain that, but the
    # municipalities differ this much as a rule (φ about 24): the limits include that spread (methods.md §5), so
    # Oslo is outside plain binomial limits but not among the municipalities that stand out at 99.8 %.
    spread = tables.funnel_spread("BEF03", 2024)
    assert spread is not None and spread.phi > 10 and spread.tau2 > 0 and spread.n_regions == 357
    oslo = next(row for row in rows if row.region.code == "0301")
    national = tables.row("BEF03", NORWAY, 2024).measure.value
    assert oslo.measure.value is not None and oslo.measure.denominator is not None and national is not None
    plain = funnel_limits(national, [oslo.measure.denominator], [0.998], multiplier=100.0)[0]
    assert oslo.measure.value < plain.low
    assert "0301" not in dict(outside_funnel(rows))
    assert 0 < len(outside_funnel(rows)) < len(rows) / 4


def test_unknown_region_is_an_error(tables: IndicatorTables) -> None:
    with pytest.raises(UnknownCodesError):
        tables.row("BEF03", "9998")


def test_full_table_covers_every_municipality_value(tables: IndicatorTables, built_store: Store) -> None:
    rows = list(tables.full_table())
    municipal = {r.code for r in built_store.regions(level="municipality")}
    stored = sum(
        1
        for indicator in load_catalog().indicators
        for o in tables.observations(indicator.id).values()
        if o.region_code in municipal
    )
    assert len(rows) == stored
    assert {row.comparison.value for row in rows} >= {"higher", "lower", "similar", "not_compared"}


@pytest.mark.parametrize("kind", [BenchmarkKind.KOSTRA_GROUP, BenchmarkKind.SIZE_GROUP, BenchmarkKind.PEERS])
def test_group_benchmarks_pool_other_municipalities(tables: IndicatorTables, kind: BenchmarkKind) -> None:
    row = tables.row("BEF03", "4601", 2024, kind)
    assert row.benchmark is not None
    assert row.benchmark.value is not None
    assert row.benchmark.numerator is not None
    assert row.benchmark.denominator is not None
    own = tables.observations("BEF03")[("4601", 2024)]
    assert own.numerator is not None
    assert row.benchmark.value == pytest.approx(row.benchmark.numerator / row.benchmark.denominator * 100)
    assert row.comparison.value in {"higher", "lower", "similar"}


def test_similar_municipalities_of_bergen_are_other_large_cities(tables: IndicatorTables) -> None:
    peers = tables.similar("4601", 2024, n=5)
    assert "4601" not in peers
    assert len(peers) == 5
    assert {"0301", "5001", "1103"} & set(peers)  # Oslo, Trondheim, Stavanger: large and central


def test_custom_benchmark_pools_the_given_list(tables: IndicatorTables) -> None:
    row = tables.row("BEF03", "4601", 2024, BenchmarkKind.CUSTOM, custom_members=("0301", "5001"))
    observations = tables.observations("BEF03")
    x = sum(observations[(c, 2024)].numerator or 0 for c in ("0301", "5001"))
    n = sum(observations[(c, 2024)].denominator or 0 for c in ("0301", "5001"))
    assert row.benchmark is not None
    assert row.benchmark.value == pytest.approx(x / n * 100)


def test_peers_without_that_years_characteristics_are_unavailable(tables: IndicatorTables) -> None:
    """No characteristics in 1950: no peer group, the reason in a field of its own and in the printed source."""
    benchmark = tables.row("BEF03", "4601", 1950, BenchmarkKind.PEERS).benchmark
    assert benchmark is not None
    assert benchmark.value is None
    assert benchmark.unavailable is not None
    assert "cannot be compared" in benchmark.unavailable
    assert benchmark.source == f"no peers: {benchmark.unavailable}"
    found = tables.row("BEF03", "4601", 2024, BenchmarkKind.PEERS).benchmark
    assert found is not None
    assert found.unavailable is None


def test_county_and_norway_rows_are_pooled_when_not_published(tables: IndicatorTables) -> None:
    """IMDi publishes requests per municipality only: Vestland (46) is the sum of its 43 municipalities."""
    row = tables.row("FL05", "46", 2022)
    members = [o for (code, year), o in tables.observations("FL05").items() if year == 2022 and code[:2] == "46"]
    assert row.measure.value == sum(o.numerator for o in members if o.numerator is not None)
    assert row.measure.harmonisation.value == "summed"
    assert row.note is not None
    assert "computed by boligmonitor" in row.note


def test_top_ten_range_only_for_value_laden_indicators(tables: IndicatorTables) -> None:
    assert tables.top_ten_range("BEF03", 2024) is None  # share aged 80+ is not value-laden


def test_top_ten_range_of_persistent_low_income(tables: IndicatorTables) -> None:
    """Lower is better: the ten lowest municipal shares in 2014 (IMDi/SSB, all ages)."""
    values = sorted(
        o.value for (code, year), o in tables.observations("BEF19").items() if year == 2014 and o.value is not None
    )
    assert tables.top_ten_range("BEF19", 2014) == (values[0], values[9])


def test_no_funnel_around_a_percentage_above_100(tables: IndicatorTables) -> None:
    """FL02 (settled as % of the municipality's agreed number) exceeded 100 % for Norway in 2015: a ratio, not
    a binomial share, so there are no binomial funnel limits around it (and no error)."""
    national = tables.benchmark(tables.indicator("FL02"), "0", 2015, BenchmarkKind.NORWAY)
    assert national.value is not None and national.value > 100
    rows = tables.all_regions("FL02", 2015)
    assert len(rows) == 357
    assert all(row.funnel is None for row in rows)
