"""EL09, a projected change: (projected[Y + 10] − observed[Y]) / observed[Y] × 100, stored for the observed year Y
with the change as numerator and the observed count as denominator. The real offline input gives 07459 (observed);
the projection table 14288 is SYNTHETIC here (no real response is recorded): 1.5 times each region's and age's
observed count of 2025, for 2024–2036."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest

from boligmonitor.catalog import Catalog, load_catalog
from boligmonitor.catalog.validation import value_rules
from boligmonitor.core.flags import Harmonisation
from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import NORWAY, RegionLevel, region_level
from boligmonitor.core.status import Status
from boligmonitor.pipeline.derive import Aggregate, Derived, PreparedCube, derive
from boligmonitor.pipeline.geography import build_geography
from boligmonitor.pipeline.indicators import IndicatorBuilder, IndicatorResults, projected_change
from boligmonitor.pipeline.inputs import BuildInputs, read_build_inputs
from boligmonitor.pipeline.value_checks import Where, check_observations, check_parts_within_whole
from boligmonitor.sources.cube import Cube, Dimension
from boligmonitor.sources.manifest import InputFile
from boligmonitor.store.rows import IndicatorStatusRow
from tests.fakessb.recipe_tables import Regions, recipe_tables

PROJECTION_YEARS = tuple(str(year) for year in range(2024, 2037))
AGES_80_PLUS = tuple(f"{age:03d}" for age in range(80, 106))
GROWTH = 1.5
LEFT_OUT = "1508"  # a municipality the SYNTHETIC projection does not cover
CONFIDENTIAL_AT = ("1506", "2036", "085")  # one SYNTHETIC projected cell without a number


@dataclass(frozen=True)
class Built:
    inputs: BuildInputs
    results: IndicatorResults
    observations: dict[tuple[str, int], Observation]
    state: IndicatorStatusRow


def synthetic_projection(observed: Cube, growth: dict[str, float] | None = None) -> Cube:
    """SYNTHETIC 14288: Region × Alder 080–105 × Personer × 2024–2036, each cell 1.5 (or ``growth[region]``) × the
    observed cell of 2025."""
    geo, time = observed.geo_dimension(), observed.time_dimension()
    assert geo is not None and time is not None
    ages = next(d for d in observed.dimensions if d.id == "Alder")
    regions = tuple(code for code in geo.codes if code != LEFT_OUT)
    index = {dim.id: i for i, dim in enumerate(observed.dimensions)}
    strides = [1] * len(observed.dimensions)
    for i in range(len(observed.dimensions) - 2, -1, -1):
        strides[i] = strides[i + 1] * observed.dimensions[i + 1].size
    values: list[float | None] = []
    status: dict[int, Status] = {}
    for position, (region, age, year) in enumerate(itertools.product(regions, AGES_80_PLUS, PROJECTION_YEARS)):
        at = {"Region": geo.index_of(region), "Alder": ages.index_of(age), "Tid": time.index_of("2025")}
        cell = observed.values[sum(strides[index[name]] * at[name] for name in at)]
        if (region, year, age) == CONFIDENTIAL_AT:
            values.append(None)
            status[position] = Status.CONFIDENTIAL
        else:
            values.append(None if cell is None else round((growth or {}).get(region, GROWTH) * cell))
    dimensions = [
        Dimension("Region", "region", regions, regions, role="geo"),
        Dimension("Alder", "alder", AGES_80_PLUS, AGES_80_PLUS),
        Dimension("ContentsCode", "statistikkvariabel", ("Personer",), ("SYNTHETIC Personer",), role="metric"),
        Dimension("Tid", "år", PROJECTION_YEARS, PROJECTION_YEARS, role="time"),
    ]
    return Cube(dimensions=dimensions, values=values, status=status, label="SYNTHETIC 14288")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def built(build_input: Path, catalog: Catalog) -> Built:
    results, inputs = build_el09(build_input, catalog)
    assert not results.problems, results.problems[:3]
    [state] = results.states
    observations = {(o.region_code, o.year): o for o in results.observations}
    return Built(inputs, results, observations, state)


def build_el09(
    build_input: Path, catalog: Catalog, growth: dict[str, float] | None = None
) -> tuple[IndicatorResults, BuildInputs]:
    """EL09 alone, from the real input's 07459 and a SYNTHETIC 14288."""
    inputs = read_build_inputs(build_input)
    observed = inputs.cubes["ssb:07459"].cube
    inputs.cubes["ssb:14288"] = PreparedCube(synthetic_projection(observed, growth), "ssb:14288")
    inputs.manifest.files.append(
        InputFile(
            path="ssb/14288_synthetic.json",
            format="jsonstat",
            dataset="ssb:14288",
            publisher="SSB",
            title="SYNTHETIC projection",
            table="14288",
            code_vintage="2024",
        )
    )
    only_el09 = Catalog.model_construct(
        version=catalog.version, themes=catalog.themes, indicators=(catalog.indicator("EL09"),), goals=()
    )
    return IndicatorBuilder(inputs, build_geography(inputs)).build(only_el09), inputs


def observed_80_plus(built: Built) -> Derived:
    indicator = load_catalog().indicator("EL09")
    assert indicator.recipe is not None and indicator.recipe.observed is not None
    return derive(built.inputs.cubes["ssb:07459"], indicator.recipe.observed)


def test_each_observed_year_gets_the_growth_to_ten_years_later(built: Built) -> None:
    observed = observed_80_plus(built)
    norway = built.observations[(NORWAY, 2025)]
    start = observed.cells[(NORWAY, 2025)].value
    assert start is not None and norway.denominator == start
    assert norway.numerator is not None and norway.value is not None
    projected = norway.numerator + start  # the data carries its truth: the change and where it started
    assert norway.value == pytest.approx((projected / start - 1) * 100)
    assert norway.value == pytest.approx((GROWTH - 1) * 100, abs=0.5)  # 1.5 × the count of 2025, rounded per cell
    assert (norway.unit, norway.dataset_id, norway.status) == ("percent", "ssb:14288", Status.OK)
    # 2014: ten years before the first projection year; 2026 ten years before the last.
    assert sorted({year for _, year in built.observations}) == list(range(2014, 2027))
    # An earlier observed year meets its own projection year: 2016 -> 2026, from a smaller count of 80+.
    earlier = built.observations[(NORWAY, 2016)]
    assert earlier.denominator == observed.cells[(NORWAY, 2016)].value
    assert earlier.value is not None and earlier.value > norway.value


def test_a_region_without_a_projection_is_missing_never_zero(built: Built) -> None:
    left_out = built.observations[(LEFT_OUT, 2025)]
    assert left_out.value is None and left_out.numerator is None
    assert left_out.status is Status.MISSING
    assert left_out.denominator is not None  # the observed count is kept


def test_a_confidential_projected_cell_makes_its_year_confidential(built: Built) -> None:
    hidden = built.observations[("1506", 2026)]
    assert hidden.value is None and hidden.status is Status.CONFIDENTIAL
    assert built.observations[("1506", 2025)].value is not None  # its other years are not touched


def test_every_municipality_but_the_left_out_one_has_a_value(built: Built) -> None:
    municipalities = {
        region
        for region, year in built.observations
        if year == 2025 and region_level(region) is RegionLevel.MUNICIPALITY
    }
    valued = {
        region
        for (region, year), o in built.observations.items()
        if year == 2025 and o.value is not None and region_level(region) is RegionLevel.MUNICIPALITY
    }
    assert municipalities - valued == {LEFT_OUT}
    assert built.state.state == "partial" and built.state.last_year == 2026


def test_the_change_needs_both_counts_and_a_projection_year() -> None:
    def cells(values: dict[tuple[str, int], float | None], status: Status = Status.OK) -> Derived:
        aggregate = {
            key: Aggregate(value, status, Harmonisation.ORIGINAL, frozenset()) for key, value in values.items()
        }
        return Derived("t:synthetic", aggregate)

    projected = cells({("0301", 2035): 150.0, ("0301", 2036): None, ("1103", 2035): 90.0})
    observed = cells({("0301", 2025): 100.0, ("0301", 2026): 110.0, ("0301", 2010): 50.0, ("1103", 2024): 80.0})
    change = projected_change(projected, observed, 10).cells
    assert change[("0301", 2025)].value == 50.0
    assert change[("0301", 2026)].value is None and change[("0301", 2026)].status is Status.MISSING
    assert change[("1103", 2025)].value is None  # projected, but not observed in 2025
    assert ("0301", 2010) not in change  # 2020 lies before the projection: no value at all, not a missing one
    assert ("1103", 2024) not in change  # nor 2034 (the projection here has 2035 and 2036 only)


def test_a_decline_and_a_region_growing_more_than_norway_are_possible_values() -> None:
    indicator = load_catalog().indicator("EL09")
    rules = value_rules(indicator)
    assert rules.check(year=2025, value=-20.0, numerator=-20.0, denominator=100.0) == []
    assert rules.check(year=2025, value=20.0, numerator=30.0, denominator=100.0) != []  # value = n / d × 100

    def observation(region: str, numerator: float, denominator: float) -> Observation:
        return Observation(
            indicator_id="EL09",
            region_code=region,
            year=2025,
            value=numerator / denominator * 100,
            numerator=numerator,
            denominator=denominator,
            unit="percent",
            status=Status.OK,
            dataset_id="ssb:14288",
        )

    # SYNTHETIC: Norway's 80+ barely grows while one municipality's grows by more persons.
    values = [observation(NORWAY, 100.0, 250_000.0), observation("0301", 4_000.0, 30_000.0)]
    locate = lambda observation, name: Where("<synthetic>")  # noqa: E731
    assert check_observations(rules, values, locate) == []
    assert check_parts_within_whole(rules, values, locate) == []


def test_the_fake_ssb_projection_reaches_ten_years_past_the_observed_years(
    api_fixtures: Path, catalog: Catalog
) -> None:
    tables = {table.table_id: table for table in recipe_tables(catalog, Regions.from_fixtures(api_fixtures))}
    years = {
        table_id: next(d for d in tables[table_id].dimensions if d.role == "time").categories for table_id in tables
    }
    assert list(years["14288"]) == [str(year) for year in range(2024, 2036)]
    assert {str(int(year) + 10) for year in years["07459"]} <= set(years["14288"])
    contents = next(d for d in tables["14288"].dimensions if d.role == "metric")
    assert contents.units["Personer"] == ("antall", 0)  # a count, as both parts of a projected change are


def test_an_impossible_growth_rejects_the_input_naming_the_projected_cells(build_input: Path, catalog: Catalog) -> None:
    results, _ = build_el09(build_input, catalog, growth={"1506": 20.0})  # SYNTHETIC: +1 900 %, above the 1 000 limit
    assert results.states[0].state == "failed" and results.observations == []
    problem = results.problems[0]
    assert problem.message.startswith("EL09 1506 2014: value ") and "is above 1000" in problem.message
    # The projection's cells for 2014 + 10, in the projection's file
    assert problem.field == "Region=1506, Alder=080–105, ContentsCode=Personer, Tid=2024 (value)"
    assert problem.file.endswith("14288_synthetic.json")
