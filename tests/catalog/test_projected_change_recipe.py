"""The recipe kind ``projected change`` (EL09): the change from an observed year to a projection ``horizon_years``
later. Malformed recipes are refused naming their YAML line; the real EL09 recipe reads the projection and the
observation, and both parts are fetched. The catalogues here are SYNTHETIC."""

from __future__ import annotations

from pathlib import Path

import pytest

from boligmonitor.catalog import Catalog, load_catalog
from boligmonitor.core.errors import InputError
from boligmonitor.pipeline.fetch_plan import recipe_parts, table_needs
from boligmonitor.pipeline.indicators import NO_RECIPE_NOTES
from tests.catalog.test_catalog_models import line_of, load_text, only_problem, synthetic_catalog
from tests.catalog.test_recipe_evidence import evidence, ssb_indicator

PROJECTION_SOURCES = """\
sources:
  - publisher: SSB
    dataset: 'ssb:11111'
    table: '11111'
    contents_code: Personer
    table_status: third_party
    contents_code_status: third_party
  - publisher: SSB
    dataset: 'ssb:22222'
    table: '22222'
    contents_code: Personer1
    table_status: verified
    contents_code_status: verified
"""
LIMITS = "limits:\n  min: -100\n  max: 1000\n  basis: a synthetic change\n"
PROJECTED = (
    "  projected:\n    dataset: 'ssb:11111'\n    measure: Personer\n    select:\n      Alder: {from_code: '080', "
    "to_code: '105'}\n" + evidence("third_party", "third_party", "assumed")
)
OBSERVED = (
    "  observed:\n    dataset: 'ssb:22222'\n    measure: Personer1\n    select:\n      Alder: {from_code: '080', "
    "to_code: '105'}\n" + evidence("verified", "verified", "assumed")
)
HORIZON = "  horizon_years: 10\n"


def projection(recipe: str, unit: str = "percent", kind: str = "projection") -> str:
    return synthetic_catalog(ssb_indicator(recipe, unit=unit, kind=kind, extra=LIMITS, sources=PROJECTION_SOURCES))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_a_projected_change_loads_and_reads_both_parts(tmp_path: Path) -> None:
    recipe = load_text(tmp_path, projection(PROJECTED + OBSERVED + HORIZON)).indicator("AA01").recipe
    assert recipe is not None and recipe.is_projected_change
    assert recipe.horizon_years == 10
    assert [part for part, _ in recipe.selections()] == ["projected", "observed"]
    assert recipe.datasets == {"ssb:11111", "ssb:22222"}


@pytest.mark.parametrize(
    ("recipe", "field", "fragment", "message"),
    [
        (PROJECTED + HORIZON, "indicators[0].recipe", "projected:", "a projected change needs observed"),
        (OBSERVED + HORIZON, "indicators[0].recipe", "observed:", "a projected change needs projected"),
        (PROJECTED + OBSERVED, "indicators[0].recipe", "projected:", "a projected change needs horizon_years"),
        (
            PROJECTED + OBSERVED + HORIZON + "  factor: 2\n",
            "indicators[0].recipe.factor",
            "factor: 2",
            "a projected change has only projected, observed and horizon_years",
        ),
        (
            PROJECTED + OBSERVED + HORIZON.replace("10", "0"),
            "indicators[0].recipe.horizon_years",
            "horizon_years: 0",
            "greater than 0",
        ),
        (
            PROJECTED + OBSERVED + HORIZON.replace("10", "200"),
            "indicators[0].recipe.horizon_years",
            "horizon_years: 200",
            "less than or equal to 80",
        ),
    ],
)
def test_a_malformed_projected_change_is_refused_at_its_line(
    tmp_path: Path, recipe: str, field: str, fragment: str, message: str
) -> None:
    text = projection(recipe)
    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)
    # A problem of the recipe as a whole is placed at its first key, one of a key at that key's line.
    [problem] = [problem for problem in error.value.problems if message in problem.message]
    assert problem.field == field
    assert problem.line == line_of(text, fragment)


def test_a_projected_change_mixed_with_a_numerator_is_refused(tmp_path: Path) -> None:
    numerator = PROJECTED.replace("  projected:", "  numerator:")
    text = projection(numerator + PROJECTED + OBSERVED + HORIZON)
    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)
    problem = only_problem(error)
    assert problem.field == "indicators[0].recipe.numerator"
    assert problem.line == line_of(text, "numerator:") + 1  # a part is placed at its first key, as elsewhere


def test_a_projected_change_is_a_projection_in_per_cent(tmp_path: Path) -> None:
    recipe = PROJECTED + OBSERVED + HORIZON
    text = synthetic_catalog(ssb_indicator(recipe, unit="count", kind="stock", sources=PROJECTION_SOURCES))
    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)
    problem = only_problem(error)
    assert problem.field == "indicators[0].recipe"
    assert "a projected change is a projection in per cent, not a stock in 'count'" in problem.message


def test_each_part_says_what_it_rests_on(tmp_path: Path) -> None:
    bare_observed = OBSERVED.split("    evidence:")[0]
    text = projection(PROJECTED + bare_observed + HORIZON)
    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)
    problem = only_problem(error)
    assert problem.field == "indicators[0].recipe.observed.evidence"
    assert "says what is verified and what is assumed" in problem.message


def test_el09_is_the_growth_of_80_plus_ten_years_ahead(catalog: Catalog) -> None:
    indicator = catalog.indicator("EL09")
    recipe = indicator.recipe
    assert recipe is not None and recipe.is_projected_change and recipe.horizon_years == 10
    assert recipe.projected is not None and recipe.observed is not None
    assert (recipe.projected.dataset, recipe.projected.measure) == ("ssb:14288", "Personer")
    assert (recipe.observed.dataset, recipe.observed.measure) == ("ssb:07459", "Personer1")
    for part in (recipe.projected, recipe.observed):
        assert part.select["Alder"] == catalog.indicator("BEF03").recipe.numerator.select["Alder"]  # type: ignore[union-attr]
    # 14288 is known from third-party code only: nothing about the projection part may claim more.
    assert recipe.projected.evidence is not None and recipe.projected.evidence.summary == "assumed"
    assert (indicator.unit, indicator.kind.value, indicator.multiplier) == ("percent", "projection", 100)
    assert "ten years later" in indicator.definition.en and "2035" in indicator.definition.nb
    assert not [note for note in indicator.maintainer_notes if note.startswith(NO_RECIPE_NOTES)]


def test_the_fetch_asks_for_both_parts_of_el09(catalog: Catalog) -> None:
    parts = {
        (part.part, part.table, part.selection.measure) for part in recipe_parts(catalog) if part.indicator == "EL09"
    }
    assert parts == {("projected", "14288", "Personer"), ("observed", "07459", "Personer1")}
    needs = {need.table_id: need for need in table_needs(catalog, only={"14288", "07459"})}
    assert "EL09" in needs["14288"].indicators and "Personer" in needs["14288"].contents_codes
    assert "EL09" in needs["07459"].indicators
