"""What a recipe part rests on (`evidence`), placeholders for codes nobody has seen, and the two recipe forms
added for SSB indicators: a ratio of amounts with a `factor` (KB07, KB10) and a `published_addend` (EL04)."""

from __future__ import annotations

from pathlib import Path

import pytest

from boligmonitor.catalog import Indicator, Recipe, Selection, load_catalog
from boligmonitor.catalog.models import RecipeEvidence
from boligmonitor.core.errors import InputError
from boligmonitor.core.flags import Harmonisation
from boligmonitor.core.status import Status
from boligmonitor.pipeline.compute import SourceInfo, compute_observations
from boligmonitor.pipeline.derive import Aggregate, Derived
from tests.catalog.test_catalog_models import line_of, load_text, only_problem, synthetic_catalog

SSB_SOURCE = """\
sources:
  - publisher: SSB
    dataset: 'ssb:kostra_x'
    contents_code: KOSsynthetic0000
    resolve_by_contents_code: true
    table_status: unknown
    contents_code_status: verified
  - publisher: SSB
    dataset: 'ssb:99999'
    table: '99999'
    table_status: third_party
    contents_code_status: unknown
"""


def ssb_indicator(
    recipe: str, unit: str = "count", kind: str = "event_count", extra: str = "", sources: str = SSB_SOURCE
) -> str:
    """One synthetic indicator reading SSB datasets (block YAML, so each key has its own line)."""
    body = (
        "id: AA01\ntheme: theme_a\nname: *text\nshort_name: *text\ndefinition: *text\nnumerator_text: *text\n"
        f"denominator_text: *text\nunit: {unit}\nkind: {kind}\ndecimals: 1\ncount_unit: *text\npolarity: neutral\n"
        f"geo_levels: [municipality]\nfrequency: annual\nreference_time: *text\n{sources}{extra}recipe:\n{recipe}"
    )
    first, *rest = body.splitlines(keepends=True)
    return "- " + first + "".join("  " + line for line in rest)


def evidence(table: str = "resolved", code: str = "verified", dimensions: str = "assumed") -> str:
    return (
        "    evidence:\n"
        f"      table: {table}\n"
        f"      contents_code: {code}\n"
        f"      dimensions: {dimensions}\n"
        "      basis: synthetic grounds\n"
    )


KOSTRA_PART = "  numerator:\n    dataset: 'ssb:kostra_x'\n    measure: KOSsynthetic0000\n"


def test_an_ssb_part_with_evidence_loads(tmp_path: Path) -> None:
    catalog = load_text(tmp_path, synthetic_catalog(ssb_indicator(KOSTRA_PART + evidence())))
    recipe = catalog.indicator("AA01").recipe
    assert recipe is not None and recipe.numerator is not None and recipe.numerator.evidence is not None
    assert recipe.numerator.evidence.summary == "assumed"
    assert RecipeEvidence(table="verified", contents_code="verified", dimensions="verified", basis="x").summary == (
        "verified"
    )
    # A table found at fetch time does not make the part weaker than its code and dimensions.
    resolved = RecipeEvidence(table="resolved", contents_code="verified", dimensions="third_party", basis="x")
    assert resolved.summary == "third_party"


def test_an_ssb_part_without_evidence_names_line_and_field(tmp_path: Path) -> None:
    text = synthetic_catalog(ssb_indicator(KOSTRA_PART))
    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)
    problem = only_problem(error)
    assert problem.field == "indicators[0].recipe.numerator.evidence"  # the missing key, at its part's line
    assert "says what is verified and what is assumed" in problem.message
    assert problem.line == line_of(text, "dataset: 'ssb:kostra_x'", occurrence=2)  # the part's first line


@pytest.mark.parametrize(
    ("part", "field", "message"),
    [
        (KOSTRA_PART + evidence(table="verified"), "table", "finds the table by the ContentsCode ('resolved')"),
        (
            "  numerator:\n    dataset: 'ssb:99999'\n    measure: Personer\n" + evidence(table="resolved"),
            "table",
            "names table 99999",
        ),
        (
            "  numerator:\n    dataset: 'ssb:99999'\n    measure: Personer\n" + evidence(table="verified"),
            "table",
            "claims more than the source's table_status 'third_party'",
        ),
        (
            "  numerator:\n    dataset: 'ssb:99999'\n    measure: TBD_AA01_x\n"
            + evidence("third_party", "third_party"),
            "contents_code",
            "a placeholder ContentsCode is assumed",
        ),
    ],
)
def test_evidence_cannot_claim_more_than_the_source(tmp_path: Path, part: str, field: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        load_text(tmp_path, synthetic_catalog(ssb_indicator(part)))
    problem = only_problem(error)
    assert problem.field == f"indicators[0].recipe.numerator.evidence.{field}"
    assert message in problem.message


def test_placeholder_categories_are_assumed(tmp_path: Path) -> None:
    part = (
        "  numerator:\n    dataset: 'ssb:99999'\n    measure: Personer\n"
        "    select: {Alder: ['TBD_0-17']}\n" + evidence("third_party", "assumed", "third_party")
    )
    with pytest.raises(InputError) as error:
        load_text(tmp_path, synthetic_catalog(ssb_indicator(part)))
    assert only_problem(error).field == "indicators[0].recipe.numerator.evidence.dimensions"
    assert Selection(dataset="ssb:x", measure="TBD_x", select={"A": ["TBD_y", "1"]}).placeholders == ["TBD_x", "TBD_y"]


def test_the_contents_code_status_of_the_source_bounds_the_part(tmp_path: Path) -> None:
    source = SSB_SOURCE.replace("contents_code_status: verified", "contents_code_status: third_party")
    text = synthetic_catalog(ssb_indicator(KOSTRA_PART + evidence(), sources=source))
    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)
    problem = only_problem(error)
    assert problem.field == "indicators[0].recipe.numerator.evidence.contents_code"
    assert "claims more than the source's contents_code_status 'third_party'" in problem.message


def test_factor_and_addend_are_checked() -> None:
    with pytest.raises(ValueError, match="it needs a denominator"):
        Recipe(numerator=Selection(dataset="t:c", measure="n"), factor=1000)
    with pytest.raises(ValueError, match="needs a published_value"):
        Recipe(numerator=Selection(dataset="t:c", measure="n"), published_addend=Selection(dataset="t:c", measure="p"))
    with pytest.raises(ValueError, match="greater than 0"):
        Recipe(numerator=Selection(dataset="t:c", measure="n"), denominator=Selection(dataset="t:c"), factor=0)


def test_a_factor_is_only_for_units_without_a_multiplier(tmp_path: Path) -> None:
    part = KOSTRA_PART + evidence() + "  denominator:\n    dataset: 'ssb:kostra_x'\n    measure: KOSsynthetic0000\n"
    part += evidence() + "  factor: 1000\n"
    text = synthetic_catalog(ssb_indicator(part, unit="percent", kind="share"))
    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)
    problem = only_problem(error)
    assert problem.field == "indicators[0].recipe.factor"
    assert "multiplier 100" in problem.message


# --------------------------------------------------------------------------------------------- computing


def _derived(values: dict[tuple[str, int], float | None], status: Status = Status.OK) -> Derived:
    cells = {
        key: Aggregate(value, status if value is None else Status.OK, Harmonisation.ORIGINAL, frozenset())
        for key, value in values.items()
    }
    return Derived("synthetic", cells)


SOURCE = SourceInfo("synthetic", None, None)


def test_a_ratio_of_amounts_uses_the_factor() -> None:
    """KB10: 1000 kr per resident in kroner; KB07: dwellings per new tenant, in years (factor 1)."""
    catalog = load_catalog()
    kb10 = catalog.indicator("KB10")
    observations = compute_observations(
        kb10,
        numerator=_derived({("0301", 2024): 9_000.0, ("4601", 2024): 1.0}),
        denominator=_derived({("0301", 2024): 1_000.0, ("4601", 2024): 0.0}),
        published=None,
        source=SOURCE,
    )
    by_region = {o.region_code: o for o in observations}
    assert by_region["0301"].value == 9_000.0  # 9 000 000 kr / 1 000 residents
    assert by_region["4601"].value is None and by_region["4601"].status is Status.NOT_APPLICABLE
    kb07: Indicator = catalog.indicator("KB07")
    [years] = compute_observations(
        kb07,
        numerator=_derived({("0301", 2024): 1_200.0}),
        denominator=_derived({("0301", 2024): 100.0}),
        published=None,
        source=SOURCE,
    )
    assert years.value == 12.0 and years.numerator == 1_200.0 and years.denominator == 100.0


def test_a_missing_part_of_a_ratio_leaves_the_value_missing() -> None:
    kb07 = load_catalog().indicator("KB07")
    [observation] = compute_observations(
        kb07,
        numerator=_derived({("0301", 2024): 1_200.0}),
        denominator=_derived({("0301", 2024): None}, Status.CONFIDENTIAL),
        published=None,
        source=SOURCE,
    )
    assert observation.value is None and observation.status is Status.CONFIDENTIAL


def test_el04_adds_its_two_published_shares() -> None:
    recipe = load_catalog().indicator("EL04").recipe
    assert recipe is not None and recipe.published_value is not None and recipe.published_addend is not None
    assert recipe.published_value.measure == "KOSsykhjand80aar0000"
    assert recipe.published_addend.measure == "KOSinnbbolig80aa0000"
