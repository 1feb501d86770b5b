"""An indicator without any value in the database has no year: its rows are missing with year None, never 0.

Issue 12: asked for its latest year, such an indicator used to get year 0 (``max(..., default=0)``), which the
downloads then had to blank. Over the real offline build, where many catalogue indicators have no source loaded.
"""

from __future__ import annotations

import pytest

from boligmonitor.analysis.benchmark_comparison import Comparison
from boligmonitor.analysis.indicator_tables import NO_VALUE_IN_ANY_YEAR, BenchmarkKind, IndicatorTables
from boligmonitor.catalog import load_catalog
from boligmonitor.core.regions import NORWAY
from boligmonitor.core.status import Status
from boligmonitor.store import Store

OSLO, BERGEN = "0301", "4601"


@pytest.fixture(scope="module")
def tables(built_store: Store) -> IndicatorTables:
    return IndicatorTables(built_store, load_catalog())


@pytest.fixture(scope="module")
def without_values(tables: IndicatorTables) -> str:
    """A share indicator of the catalogue with no value in any year in this build (no source loaded)."""
    for indicator in tables.catalog.indicators:
        if indicator.multiplier == 100 and not tables.years(indicator.id) and not tables.observations(indicator.id):
            return indicator.id
    pytest.fail("the offline build has no share indicator without values to test with")


@pytest.mark.parametrize("region", [OSLO, NORWAY, "46"])
def test_the_latest_row_of_an_indicator_without_values_has_no_year(
    tables: IndicatorTables, without_values: str, region: str
) -> None:
    row = tables.row(without_values, region)
    assert row.year is None and row.measure.year is None
    assert row.measure.value is None and row.measure.status is Status.MISSING
    assert row.note == NO_VALUE_IN_ANY_YEAR
    assert row.comparison is Comparison.NOT_COMPARED
    record = row.as_dict()
    assert record["year"] is None and record["value"] is None


def test_its_benchmark_is_named_but_has_no_value(tables: IndicatorTables, without_values: str) -> None:
    municipal = tables.row(without_values, OSLO)
    assert municipal.benchmark is not None
    assert (municipal.benchmark.kind, municipal.benchmark.region_code) == (BenchmarkKind.NORWAY, NORWAY)
    assert municipal.benchmark.value is None and municipal.benchmark.source == NO_VALUE_IN_ANY_YEAR
    county = tables.row(without_values, BERGEN, benchmark=BenchmarkKind.COUNTY)
    assert county.benchmark is not None and county.benchmark.region_code == "46"
    assert tables.row(without_values, NORWAY).benchmark is None  # Norway is compared with nothing
    for kind in (BenchmarkKind.PEERS, BenchmarkKind.KOSTRA_GROUP, BenchmarkKind.SIZE_GROUP):
        row = tables.row(without_values, BERGEN, benchmark=kind)
        assert row.year is None and row.benchmark is not None and row.benchmark.value is None


def test_a_year_asked_for_is_kept_even_without_values(tables: IndicatorTables, without_values: str) -> None:
    row = tables.row(without_values, OSLO, 2020)
    assert row.year == 2020 and row.measure.value is None and row.measure.status is Status.MISSING


def test_every_municipality_without_a_year(tables: IndicatorTables, without_values: str) -> None:
    rows = tables.all_regions(without_values, None)
    assert len(rows) == 357
    assert all(row.year is None and row.measure.value is None and row.funnel is None for row in rows)
    assert {row.benchmark.region_code for row in rows if row.benchmark is not None} == {NORWAY}


def test_an_indicator_with_values_keeps_its_latest_year(tables: IndicatorTables) -> None:
    assert tables.row("BEF03", OSLO).year == max(tables.years("BEF03"))
