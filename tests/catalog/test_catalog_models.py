"""The catalogue's models and loader, on small synthetic catalogues written for each edge case."""

from __future__ import annotations

from pathlib import Path
from textwrap import indent

import pytest
from pydantic import ValidationError

from boligmonitor.catalog import (
    Catalog,
    CodeRange,
    Indicator,
    Recipe,
    Selection,
    SourceRef,
    load_catalog,
    parse_catalog,
)
from boligmonitor.catalog.models import Goal
from boligmonitor.core.errors import InputError, InputProblem

SYNTHETIC_THEME = """\
- id: theme_a
  order: 1
  name: &text {nb: Syntetisk tekst, nn: Syntetisk tekst på nynorsk, en: Synthetic text}
  description: *text
  scope: *text
  error_sources: *text
"""


DEFAULT_KIND = {"percent": "share", "count": "event_count"}


def synthetic_indicator(
    indicator_id: str = "AA01",
    *,
    theme: str = "theme_a",
    unit: str = "percent",
    with_denominator_text: bool = True,
    numerator_dataset: str = "test:cube",
    kind: str | None = None,
    extra: str = "",
    bounded: bool = True,
) -> str:
    """One synthetic indicator as YAML (a sequence item), with block-style recipe so each key has a line. The
    kind defaults to the usual one for the unit (a percentage a share, a count an event count, else a rate)."""
    denominator_text = "denominator_text: *text\n" if with_denominator_text else ""
    kind = kind or DEFAULT_KIND.get(unit, "rate")
    if bounded and (unit not in ("count", "percent") or kind not in ("share", "stock", "event_count")):
        # Units that do not bound the value, and percentages that are not shares, need the indicator's own max.
        extra = "limits: {max: 1000, basis: synthetic bound}\n" + extra
    recipe = (
        "recipe:\n"
        "  numerator:\n"
        f"    dataset: {numerator_dataset!r}\n"
        "    measure: persons\n"
        "    select:\n"
        "      Alder: {from_code: '000', to_code: '017'}\n"
    )
    if unit != "count":
        recipe += "  denominator:\n    dataset: 'test:cube'\n    measure: persons\n    select: {Alder: all}\n"
    body = (
        f"id: {indicator_id}\n"
        f"theme: {theme}\n"
        "name: *text\n"
        "short_name: *text\n"
        "definition: *text\n"
        "numerator_text: *text\n"
        f"{denominator_text}"
        f"unit: {unit}\n"
        f"kind: {kind}\n"
        "decimals: 1\n"
        "count_unit: *text\n"
        "polarity: neutral\n"
        "geo_levels: [municipality]\n"
        "frequency: annual\n"
        "reference_time: *text\n"
        "sources:\n"
        "  - publisher: Synthetic publisher\n"
        "    dataset: 'test:cube'\n"
        "    table_status: n_a\n"
        "    contents_code_status: n_a\n"
        f"{recipe}{extra}"
    )
    first, *rest = body.splitlines(keepends=True)
    return "- " + first + indent("".join(rest), "  ")


def synthetic_catalog(*indicators: str, goals: str = "[]") -> str:
    if not indicators:
        indicators = (synthetic_indicator(),)
    header = "schema_version: 1\nversion: '2026.11.1'\n"
    themes = "themes:\n" + indent(SYNTHETIC_THEME, "  ")
    items = "indicators:\n" + "".join(indent(item, "  ") for item in indicators)
    return header + themes + items + f"goals: {goals}\n"


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """1-based line of the `occurrence`-th line containing `fragment`."""
    hits = [number for number, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return hits[occurrence - 1]


def only_problem(error: pytest.ExceptionInfo[InputError]) -> InputProblem:
    assert len(error.value.problems) == 1, error.value.problems
    return error.value.problems[0]


def load_text(tmp_path: Path, text: str) -> Catalog:
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    return load_catalog(path)


# --------------------------------------------------------------------------------------- valid input


def test_synthetic_catalogue_loads_with_defaults(tmp_path: Path) -> None:
    catalog = load_text(tmp_path, synthetic_catalog())

    indicator = catalog.indicator("AA01")
    assert indicator.multiplier == 100  # follows from unit: percent
    assert indicator.recipe is not None
    assert indicator.recipe.datasets == {"test:cube"}
    assert indicator.name.get("nn") == "Syntetisk tekst på nynorsk"
    assert catalog.indicators_in("theme_a") == [indicator]
    assert catalog.by_dataset("test:cube") == [indicator]
    assert catalog.by_dataset("test:other") == []


def test_code_range_compares_digit_codes_numerically() -> None:
    ages = CodeRange(from_code="080", to_code="105")

    assert ages.contains("080")
    assert ages.contains("105")
    assert ages.contains("99")  # numeric, not string comparison
    assert not ages.contains("079")
    assert not ages.contains("abc")


def test_selection_categories_resolve_lists_ranges_and_all() -> None:
    selection = Selection(
        dataset="test:cube",
        measure="persons",
        select={"Alder": CodeRange(from_code="002", to_code="003"), "Kjonn": "all", "Grunn": ["b", "x"]},
    )
    available = ["001", "002", "003", "004"]

    assert selection.categories("Alder", available) == ["002", "003"]
    assert selection.categories("Kjonn", ["1", "2"]) == ["1", "2"]
    assert selection.categories("Grunn", ["a", "b"]) == ["b", "x"]  # listed codes kept for reporting
    with pytest.raises(KeyError):
        selection.categories("Region", ["0301"])


def test_lookup_errors_suggest_near_ids(tmp_path: Path) -> None:
    catalog = load_text(tmp_path, synthetic_catalog(synthetic_indicator("AA01"), synthetic_indicator("AA02")))

    with pytest.raises(KeyError, match=r"no indicator 'AA03'.*did you mean AA0[12]"):
        catalog.indicator("AA03")
    with pytest.raises(KeyError, match=r"no theme 'theme_b'.*theme_a"):
        catalog.theme("theme_b")
    with pytest.raises(KeyError, match="no theme"):
        catalog.indicators_in("theme_b")


# ----------------------------------------------------------------------- rejected input: line + field


def test_duplicate_indicator_id_names_line_and_field(tmp_path: Path) -> None:
    text = synthetic_catalog(synthetic_indicator("AA01"), synthetic_indicator("AA01"))

    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)

    problem = only_problem(error)
    assert problem.line == line_of(text, "- id: AA01", occurrence=2)
    assert problem.field == "indicators[1].id"
    assert "duplicate indicator id 'AA01'" in problem.message
    assert problem.file.endswith("catalog.yaml")


def test_unknown_theme_names_line_and_field(tmp_path: Path) -> None:
    text = synthetic_catalog(synthetic_indicator("AA01", theme="theme_z"))

    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)

    problem = only_problem(error)
    assert problem.line == line_of(text, "theme: theme_z")
    assert problem.field == "indicators[0].theme"
    assert "indicator AA01: unknown theme 'theme_z'" in problem.message


def test_percent_without_denominator_text_names_the_indicators_line(tmp_path: Path) -> None:
    text = synthetic_catalog(synthetic_indicator("AA07", with_denominator_text=False))

    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)

    problem = only_problem(error)
    assert problem.line == line_of(text, "- id: AA07")
    assert problem.field == "indicators[0].denominator_text"
    assert "percent indicator needs a denominator_text" in problem.message


def test_recipe_dataset_missing_from_sources_names_line_and_field(tmp_path: Path) -> None:
    text = synthetic_catalog(synthetic_indicator("AA01", numerator_dataset="test:elsewhere"))

    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)

    problem = only_problem(error)
    assert problem.line == line_of(text, "dataset: 'test:elsewhere'")
    assert problem.field == "indicators[0].recipe.numerator.dataset"
    assert "'test:elsewhere' is not among the indicator's sources" in problem.message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = synthetic_catalog(
        synthetic_indicator("AA01", theme="theme_z"),
        synthetic_indicator("AA02", with_denominator_text=False),
        synthetic_indicator("AA01"),
    )

    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)

    fields = {problem.field for problem in error.value.problems}
    assert fields == {"indicators[0].theme", "indicators[1].denominator_text", "indicators[2].id"}


def test_structural_errors_name_the_offending_key(tmp_path: Path) -> None:
    text = synthetic_catalog(synthetic_indicator("AA01", extra="colour: blue\n"))
    text = text.replace("polarity: neutral", "polarity: good")

    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)

    by_field = {problem.field: problem for problem in error.value.problems}
    assert set(by_field) == {"indicators[0].colour", "indicators[0].polarity"}
    assert by_field["indicators[0].colour"].line == line_of(text, "colour: blue")
    assert by_field["indicators[0].polarity"].line == line_of(text, "polarity: good")
    assert "indicator AA01" in by_field["indicators[0].polarity"].message


def test_unquoted_region_or_age_code_is_rejected_not_reinterpreted(tmp_path: Path) -> None:
    # YAML 1.1 reads 017 as the octal number 15; a code must be a quoted string.
    text = synthetic_catalog().replace("to_code: '017'", "to_code: 017")

    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)

    problem = only_problem(error)
    assert problem.field == "indicators[0].recipe.numerator.select.Alder.to_code"
    assert problem.line == line_of(text, "to_code: 017")


def test_empty_code_range_is_rejected(tmp_path: Path) -> None:
    text = synthetic_catalog().replace("{from_code: '000', to_code: '017'}", "{from_code: '017', to_code: '000'}")

    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)

    problem = only_problem(error)
    assert problem.field == "indicators[0].recipe.numerator.select.Alder.to_code"
    assert "range is empty" in problem.message


def test_duplicate_yaml_key_is_rejected(tmp_path: Path) -> None:
    text = synthetic_catalog().replace("frequency: annual\n", "frequency: annual\n    frequency: monthly\n")

    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)

    problem = only_problem(error)
    assert problem.line == line_of(text, "frequency: monthly")
    assert problem.field == "indicators[0].frequency"
    assert "duplicate key" in problem.message


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = synthetic_catalog().replace("frequency: annual", "frequency: [annual")

    with pytest.raises(InputError, match="not valid YAML") as error:
        load_text(tmp_path, text)

    problem = only_problem(error)
    assert problem.line is not None
    assert problem.line >= line_of(text, "frequency: [annual")


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="catalogue file not found"):
        load_catalog(tmp_path / "nowhere.yaml")


def test_non_mapping_document_is_rejected() -> None:
    with pytest.raises(InputError, match="must be a YAML mapping"):
        parse_catalog("- just\n- a list\n", "synthetic.yaml")


# ----------------------------------------------------------------- cross-field rules of the models


def test_goal_links_must_agree_in_both_directions(tmp_path: Path) -> None:
    link = "programme_links:\n  - programme: bolig_for_velferd\n    goal_id: goal_a\n    result_indicator: true\n"
    goal = (
        "\n  - id: goal_a\n    programme: bolig_for_velferd\n    name: *text\n    description: *text\n"
        "    kind: at_least\n    target: 50\n    indicator_ids: [AA02]\n"
    )
    text = synthetic_catalog(synthetic_indicator("AA01", extra=link), synthetic_indicator("AA02"), goals=goal)

    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)

    messages = {problem.field: problem.message for problem in error.value.problems}
    assert "goal 'goal_a' does not list indicator AA01" in messages["indicators[0].programme_links[0].goal_id"]
    assert "indicator AA02 has no programme_link" in messages["goals[0].indicator_ids[0]"]


def source(dataset: str = "test:cube") -> SourceRef:
    return SourceRef(publisher="Synthetic", dataset=dataset, table_status="n_a", contents_code_status="n_a")


def indicator_fields(**overrides: object) -> dict[str, object]:
    text = {"nb": "Syntetisk", "nn": "Syntetisk nynorsk", "en": "Synthetic"}
    fields: dict[str, object] = {
        "id": "AA01",
        "theme": "theme_a",
        "name": text,
        "short_name": text,
        "definition": text,
        "unit": "count",
        "decimals": 0,
        "count_unit": text,
        "polarity": "neutral",
        "geo_levels": ["municipality"],
        "frequency": "annual",
        "reference_time": text,
        "sources": [source()],
    }
    fields.update(overrides)
    fields.setdefault("kind", DEFAULT_KIND.get(str(fields["unit"]), "rate"))
    return fields


def test_models_built_in_code_run_their_checks() -> None:
    with pytest.raises(ValidationError, match="needs multiplier 1000"):
        Indicator.model_validate(indicator_fields(unit="per_1000", multiplier=100, denominator_text=None))
    with pytest.raises(ValidationError, match="a count indicator has no denominator"):
        Indicator.model_validate(
            indicator_fields(
                recipe={
                    "numerator": {"dataset": "test:cube", "measure": "m"},
                    "denominator": {"dataset": "test:cube", "measure": "m"},
                }
            )
        )
    with pytest.raises(ValidationError, match="needs a numerator or a published_value"):
        Recipe()
    with pytest.raises(ValidationError, match="a denominator needs a numerator"):
        Recipe(
            published_value=Selection(dataset="test:cube", measure="p"),
            denominator=Selection(dataset="test:cube", measure="n"),
        )
    with pytest.raises(ValidationError, match="are not selected here"):
        Selection(dataset="test:cube", select={"Region": "all"})
    with pytest.raises(ValidationError, match="must not be empty or blank"):
        Indicator.model_validate(indicator_fields(name={"nb": "x", "nn": " ", "en": "x"}))


def test_published_value_alone_is_a_valid_recipe_for_a_share() -> None:
    indicator = Indicator.model_validate(
        indicator_fields(
            unit="percent",
            decimals=1,
            denominator_text={"nb": "Befolkningen", "nn": "Befolkninga", "en": "Population"},
            recipe={"published_value": {"dataset": "test:cube", "measure": "Prosent"}},
        )
    )
    assert indicator.multiplier == 100
    assert indicator.computable


def test_source_may_resolve_only_an_unverified_table_by_a_known_code() -> None:
    with pytest.raises(ValidationError, match="needs a contents_code"):
        SourceRef(
            publisher="SSB",
            dataset="ssb:x",
            resolve_by_contents_code=True,
            table_status="unknown",
            contents_code_status="unknown",
        )
    with pytest.raises(ValidationError, match="verified; there is nothing to resolve"):
        SourceRef(
            publisher="SSB",
            dataset="ssb:x",
            table="07459",
            contents_code="Personer1",
            resolve_by_contents_code=True,
            table_status="verified",
            contents_code_status="verified",
        )


def test_goal_kind_and_target_come_together() -> None:
    text = {"nb": "Mål", "nn": "Mål nynorsk", "en": "Goal"}
    with pytest.raises(ValidationError, match="kind and target are given together"):
        Goal.model_validate(
            {
                "id": "g",
                "programme": "bolig_for_velferd",
                "name": text,
                "description": text,
                "kind": "at_least",
            }
        )
    with pytest.raises(ValidationError, match="between 0 and 100"):
        Goal.model_validate(
            {
                "id": "g",
                "programme": "bolig_for_velferd",
                "name": text,
                "description": text,
                "kind": "reach_share",
                "target": 120,
            }
        )
    qualitative = Goal.model_validate({"id": "g", "programme": "bolig_for_velferd", "name": text, "description": text})
    assert qualitative.kind is None


# --------------------------------------------------------------------------------------- kinds of quantity


def test_kind_must_fit_the_unit_and_is_reported_with_its_line(tmp_path: Path) -> None:
    text = synthetic_catalog(synthetic_indicator(unit="percent", kind="stock"))
    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)
    problem = only_problem(error)
    assert problem.field == "indicators[0].kind"
    assert problem.line == line_of(text, "kind: stock")
    assert "a stock has unit count, not 'percent'" in problem.message


@pytest.mark.parametrize(
    ("unit", "kind"),
    [
        ("count", "stock"),
        ("count", "administrative"),
        ("percent", "rate"),
        ("percent", "administrative"),
        ("percent", "projection"),
        ("nok", "summary"),
        ("per_1000", "rate"),
    ],
)
def test_kinds_accept_their_units(tmp_path: Path, unit: str, kind: str) -> None:
    catalog = load_text(tmp_path, synthetic_catalog(synthetic_indicator(unit=unit, kind=kind)))
    assert catalog.indicator("AA01").kind.value == kind


@pytest.mark.parametrize(("unit", "kind"), [("per_1000", "share"), ("count", "summary"), ("percent", "event_count")])
def test_kinds_refuse_other_units(unit: str, kind: str) -> None:
    with pytest.raises(ValidationError, match=f"a {kind} has unit"):
        Indicator.model_validate(indicator_fields(unit=unit, kind=kind, denominator_text=None))


def test_kind_is_required(tmp_path: Path) -> None:
    text = "".join(line for line in synthetic_catalog().splitlines(keepends=True) if line.strip() != "kind: share")
    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)
    problem = only_problem(error)
    assert problem.field == "indicators[0].kind"
    assert "required" in problem.message.lower()
