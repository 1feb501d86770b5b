"""Recipes on tables by price area and by quarter (BEF12, BEF13), on SSB's real recorded responses: the national row
of a price-zone or price-region variable is Norway by its label, and a quarterly table gives each year the mean of
its four quarters, never of fewer."""

from __future__ import annotations

from pathlib import Path
from statistics import fmean

import pytest

from boligmonitor.catalog import Selection, load_catalog
from boligmonitor.core.regions import NORWAY
from boligmonitor.core.status import Status
from boligmonitor.pipeline.derive import PreparedCube, RecipeError, derive
from boligmonitor.sources.cube import Cube, Dimension
from boligmonitor.sources.readers.jsonstat import read_jsonstat

RENTS = "ssb_pxwebapi_v0_09895_jsonstat2_leiemarked.json"
PRICES = "ssb_pxwebapi_v0_07221_jsonstat2_response.json"


def _cell(cube: Cube, **codes: str) -> tuple[float | None, Status]:
    for cell in cube.cells():
        if all(cell.codes[cube.ids.index(name)] == code for name, code in codes.items()):
            return cell.value, cell.status
    raise KeyError(codes)


def test_the_rental_survey_national_row_is_norway_and_two_rooms_are_read(api_fixtures: Path) -> None:
    cube = read_jsonstat(api_fixtures / RENTS)
    assert cube.geo_dimension() is not None and cube.geo_dimension().id == "Soner2"  # type: ignore[union-attr]
    recipe = load_catalog().indicator("BEF12").recipe
    assert recipe is not None and recipe.published_value is not None
    derived = derive(PreparedCube(cube, "ssb:09895"), recipe.published_value)
    expected, _ = _cell(cube, Soner2="00", AntRom="2", ContentsCode="Husleie", Tid="2025")
    assert derived.cells[(NORWAY, 2025)].value == expected
    assert {year for region, year in derived.cells if region == NORWAY} == set(range(2012, 2026))
    # Oslo og Bærum ("01") is a price zone, not the county 01: it is no region of the monitor and is left out.
    assert {region for region, _ in derived.cells} == {NORWAY}


def test_a_quarterly_index_gives_each_year_the_mean_of_its_four_quarters(api_fixtures: Path) -> None:
    cube = read_jsonstat(api_fixtures / PRICES)
    selection = Selection(
        dataset="ssb:07221", measure="Boligindeks", select={"Boligtype": ["03"]}, periods="mean_of_quarters"
    )
    derived = derive(PreparedCube(cube, "ssb:07221"), selection)
    for year in (2022, 2023):
        quarters = [
            _cell(cube, Region="TOTAL", Boligtype="03", ContentsCode="Boligindeks", Tid=f"{year}K{q}")[0]
            for q in (1, 2, 3, 4)
        ]
        assert all(value is not None for value in quarters)
        aggregate = derived.cells[(NORWAY, year)]  # TOTAL 'Hele landet' is Norway
        assert aggregate.value == pytest.approx(fmean(value for value in quarters if value is not None))
        assert aggregate.status is Status.OK


def test_a_quarter_without_a_number_leaves_its_year_without_one(api_fixtures: Path) -> None:
    cube = read_jsonstat(api_fixtures / PRICES)
    missing = [
        (cell.codes[0], cell.codes[1], cell.codes[3][:4])
        for cell in cube.cells()
        if cell.value is None and cell.status is not Status.OK
    ]
    assert missing, "the recorded response has '..' cells"
    region, dwelling, year = missing[0]
    selection = Selection(
        dataset="ssb:07221", measure="Boligindeks", select={"Boligtype": [dwelling]}, periods="mean_of_quarters"
    )
    aggregate = derive(PreparedCube(cube, "ssb:07221"), selection).cells[(region, int(year))]
    assert aggregate.value is None and aggregate.status is Status.MISSING  # never a mean of three quarters


def _quarterly(periods: tuple[str, ...]) -> Cube:
    return Cube(
        label="SYNTHETIC quarterly index",
        dimensions=(
            Dimension("Region", "region", ("TOTAL",), ("Hele landet",)),
            Dimension("ContentsCode", "statistikkvariabel", ("Indeks",), ("SYNTHETIC indeks",), role="metric"),
            Dimension("Tid", "kvartal", periods, periods, role="time"),
        ),
        values=[100.0 + index for index in range(len(periods))],
    )


def test_a_year_with_a_quarter_not_yet_published_is_left_out() -> None:
    cube = _quarterly(("2024K1", "2024K2", "2024K3", "2024K4", "2025K1", "2025K2", "2025K3"))
    selection = Selection(dataset="synthetic:quarters", measure="Indeks", periods="mean_of_quarters")
    derived = derive(PreparedCube(cube, "synthetic:quarters"), selection)
    assert derived.cells == {(NORWAY, 2024): derived.cells[(NORWAY, 2024)]}
    assert derived.cells[(NORWAY, 2024)].value == pytest.approx(101.5)


def test_quarters_read_as_years_are_refused_with_the_fix() -> None:
    cube = _quarterly(("2024K1", "2024K2", "2024K3", "2024K4"))
    with pytest.raises(RecipeError, match="mean_of_quarters"):
        derive(PreparedCube(cube, "synthetic:quarters"), Selection(dataset="synthetic:quarters", measure="Indeks"))
    years = Cube(
        label="SYNTHETIC annual",
        dimensions=(
            Dimension("Region", "region", ("0",), ("Hele landet",)),
            Dimension("ContentsCode", "statistikkvariabel", ("Indeks",), ("SYNTHETIC indeks",), role="metric"),
            Dimension("Tid", "år", ("2024",), ("2024",), role="time"),
        ),
        values=[100.0],
    )
    quarterly = Selection(dataset="synthetic:annual", measure="Indeks", periods="mean_of_quarters")
    with pytest.raises(RecipeError, match="not a quarter"):
        derive(PreparedCube(years, "synthetic:annual"), quarterly)
