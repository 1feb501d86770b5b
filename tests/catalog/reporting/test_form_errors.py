"""Every way a form can be wrong is refused with its file, line and field: the schema, the checks within the form,
and the checks against its programme and the catalogue (indicators, goals, units, prefilled statistics)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from boligmonitor.catalog import Catalog
from boligmonitor.catalog.models import DEFER_CROSS_CHECKS
from boligmonitor.catalog.reporting import Programme, parse_form
from boligmonitor.core.errors import InputError, InputProblem

from .conftest import packaged_text

FILE = "form.yaml"
TEXT = packaged_text("forms/bolig_for_velferd_2018.yaml")


def _changed(old: str, new: str, text: str = TEXT) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _refused(text: str, programme: Programme, catalog: Catalog) -> tuple[InputProblem, ...]:
    with pytest.raises(InputError) as error:
        parse_form(text, FILE, programme, catalog)
    assert all(problem.file == FILE and problem.line is not None for problem in error.value.problems)
    return error.value.problems


def _one(text: str, programme: Programme, catalog: Catalog) -> InputProblem:
    problems = _refused(text, programme, catalog)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def _line_of_change(text: str, old: str, key: str) -> int:
    """The line of ``key`` at or after the place where ``old`` was replaced (``^key``: the last one before it, for
    a key that is missing, where the line is that of the mapping that lacks it)."""
    at = TEXT.index(old)
    found = text.rindex(key[1:], 0, at) if key.startswith("^") else text.index(key, at)
    return text.count("\n", 0, found) + 1


def test_the_packaged_text_is_valid(programme: Programme, catalog: Catalog) -> None:
    assert parse_form(TEXT, FILE, programme, catalog).year == 2018


CASES = [
    # (old, new, field, message, key on the problem's line)
    (
        "type: yes_no\n        indicator: RU01",
        "type: yes_no\n        indicator: RU99",
        "sections[5].questions[0].indicator",
        "question g07_rutiner_veiledning_leiemarked: unknown indicator 'RU99'; did you mean RU01",
        "indicator",
    ),
    (
        "indicator: BL05",
        "indicator: BL99",
        "sections[0].questions[0].indicator",
        "a prefilled statistic shows a catalogue indicator: 'BL99' is not one",
        "indicator",
    ),
    (
        "indicator: BL05",
        "indicator: bl05",
        "sections[0].questions[0].indicator",
        "String should match pattern",
        "indicator",
    ),
    (
        "goals: [mal_04_bosetting_flyktninger]",
        "goals: [mal_04_flyktninger]",
        "sections[2].goals[0]",
        "programme 'bolig_for_velferd' has no goal 'mal_04_flyktninger'",
        "goals",
    ),
    (
        "goal: mal_02_midlertidig_under_tre_maneder",
        "goal: mal_04_bosetting_flyktninger",
        "sections[1].questions[0].goal",
        "goal 'mal_04_bosetting_flyktninger' is not one of the section's goals",
        "goal",
    ),
    (
        "id: g01_aktiviteter_overgangsfase",
        "id: g01_sosialhjelpsmottakere_uten_bolig",
        "sections[0].questions[1].id",
        "duplicate question id 'g01_sosialhjelpsmottakere_uten_bolig'",
        "id",
    ),
    (
        "goals: [mal_04_bosetting_flyktninger]",
        "goals: [mal_01_overgangsfase]",
        "sections[2].goals[0]",
        "duplicate section for goal 'mal_01_overgangsfase'",
        "goals",
    ),
    ("unit: count", "unit: counts", "sections[3].questions[1].unit", "Input should be 'count', 'percent'", "unit"),
    (
        "unit: count",
        "unit: percent",
        "sections[3].questions[1].unit",
        "RP03 is in 'count', so the answer is too",
        "unit",
    ),
    (
        "unit: count\n        indicator: RP03",
        "unit: percent",
        "sections[3].questions[1].max",
        "unit 'percent' (per cent: a share is at most 100, a rate or a ratio may be more) sets no upper bound",
        "^- id",
    ),
    (
        "unit: count\n        indicator: RP03",
        "unit: count\n        min: -1",
        "sections[3].questions[1].min",
        "-1 is below 0, the lowest possible value of unit 'count'",
        "min",
    ),
    (
        "unit: count\n        indicator: RP03",
        "unit: count\n        indicator: RP03\n        max: 20000000",
        "sections[3].questions[1].max",
        "20000000 is above 10000000, the highest possible value of RP03",
        "max",
    ),
    (
        "unit: count\n        indicator: RP03",
        "unit: count\n        indicator: RP03\n        decimals: 2",
        "sections[3].questions[1].decimals",
        "a count is a whole number: decimals 0",
        "decimals",
    ),
    (
        "type: scale\n        min: 1",
        "type: scale\n        min: 0",
        "sections[11].questions[0].min",
        "0 is below 1, the lowest possible value of RU05",
        "min",
    ),
    (
        "type: scale\n        min: 1\n        max: 5",
        "type: scale\n        min: 1\n        max: 1",
        "sections[11].questions[0].max",
        "max 1 is not above min 1",
        "max",
    ),
    (
        "kind: activities_and_organisation\n        result_indicator: qualitative",
        "kind: activities_and_organisation\n        result_indicator: quantitative",
        "sections[0].questions[1].result_indicator",
        "an open answer is not a number: it is a qualitative result indicator",
        "result_indicator",
    ),
    (
        "indicator: BL05\n        result_indicator: quantitative",
        "indicator: BL05\n        result_indicator: qualitative",
        "sections[0].questions[0].result_indicator",
        "a statistic is a number: it is a quantitative result indicator",
        "result_indicator",
    ),
    (
        "indicator: BL05\n",
        "indicator: BL05\n        year: 2019\n",
        "sections[0].questions[0].year",
        "the statistic's year 2019 is after the year reported on (2018)",
        "year",
    ),
    (
        "kind: activities_and_organisation",
        "kind: activities",
        "sections[0].questions[1].kind",
        "Input should be 'activities_and_organisation' or 'assessment_of_results'",
        "kind",
    ),
    (
        "type: yes_no\n        indicator: RU01",
        "type: yes_or_no\n        indicator: RU01",
        "sections[5].questions[0]",
        "Input tag 'yes_or_no' found using 'type' does not match any of the expected tags",
        "^- id",
    ),
    (
        "          wording: described\n          note: *kostra_note\n      - id: g03_unge_midlertidig",
        "          wording: paraphrased\n          note: *kostra_note\n      - id: g03_unge_midlertidig",
        "sections[1].questions[1].source.wording",
        "Input should be 'quoted', 'quoted_in_part', 'template', 'described' or 'inferred'",
        "wording",
    ),
    (
        "          document: agenda_kaupang_2020\n          place: avsnitt 3.16.1",
        "          document: kaupang\n          place: avsnitt 3.16.1",
        "sections[13].questions[0].source.document",
        "unknown document 'kaupang'",
        "document",
    ),
    (
        "programme: bolig_for_velferd",
        "programme: annet_program",
        "programme",
        "the form is for programme 'annet_program'",
        "programme",
    ),
    ("year: 2018", "year: 2021", "year", "2021 is outside the programme's period 2014–2020", "year"),
    ("version: 2026.1.0", "version: v2026", "version", "String should match pattern", "version"),
]


@pytest.mark.parametrize(("old", "new", "field", "message", "key"), CASES)
def test_each_problem_names_its_line_and_field(
    programme: Programme, catalog: Catalog, old: str, new: str, field: str, message: str, key: str
) -> None:
    text = _changed(old, new)
    problem = _one(text, programme, catalog)
    assert problem.field == field
    assert message in problem.message
    assert problem.line == _line_of_change(text, old, key)


def test_a_missing_text_is_named(programme: Programme, catalog: Catalog) -> None:
    old = "        text:\n          nb: Sosialhjelpsmottakere som er uten bolig\n"
    text = _changed(
        old + "          nn: Sosialhjelpsmottakarar som er utan bustad\n", "        text:\n          nb: x\n"
    )
    problem = _one(text, programme, catalog)
    assert (problem.field, problem.message) == (
        "sections[0].questions[0].text.nn",
        "question g01_sosialhjelpsmottakere_uten_bolig: Field required",
    )


def test_a_synthetic_form_says_so_in_every_title(programme: Programme, catalog: Catalog) -> None:
    problems = _refused(_changed("year: 2018\n", "year: 2018\nsynthetic: true\n"), programme, catalog)
    assert [problem.field for problem in problems] == ["title.nb", "title.nn", "title.en"]
    assert all("a synthetic form says SYNTHETIC in its title" in problem.message for problem in problems)


def test_a_prefilled_statistic_needs_figures_for_municipalities(programme: Programme, catalog: Catalog) -> None:
    data: dict[str, Any] = catalog.model_dump()
    for indicator in data["indicators"]:
        if indicator["id"] == "BL05":
            indicator["geo_levels"] = ("country", "county")
    national_only = Catalog.model_validate(data, context={DEFER_CROSS_CHECKS: True})
    problem = _one(TEXT, programme, national_only)
    assert problem.field == "sections[0].questions[0].indicator"
    assert "BL05 has no figures for municipalities to prefill" in problem.message


def _choice_form(question: dict[str, Any]) -> str:
    form = {
        "schema_version": 1,
        "version": "2026.1.0",
        "programme": "bolig_for_velferd",
        "year": 2018,
        "synthetic": True,
        "title": {"nb": "SYNTHETIC", "nn": "SYNTHETIC", "en": "SYNTHETIC"},
        "sections": [{"goals": ["mal_13_brukerdialog"], "questions": [question]}],
    }
    return yaml.safe_dump(form, allow_unicode=True, sort_keys=False)


def _categories(*ids: str) -> list[dict[str, Any]]:
    return [{"id": category, "label": {"nb": category, "nn": category}} for category in ids]


@pytest.mark.parametrize(
    ("question", "field", "message"),
    [
        (
            {"type": "single_choice", "categories": _categories("ja", "ja")},
            "sections[0].questions[0].categories[1].id",
            "duplicate category id 'ja'",
        ),
        (
            {"type": "single_choice", "categories": _categories("ja")},
            "sections[0].questions[0].categories",
            "Tuple should have at least 2 items",
        ),
        (
            {"type": "multiple_choice", "categories": _categories("a", "b"), "max_choices": 3},
            "sections[0].questions[0].max_choices",
            "there are only 2 categories",
        ),
        (
            {"type": "scale", "min": 1, "max": 5, "labels": [{"value": 6, "label": {"nb": "x", "nn": "x"}}]},
            "sections[0].questions[0].labels[0].value",
            "6 is outside the scale 1–5",
        ),
        (
            {"type": "scale", "min": 1, "max": 5, "labels": [{"value": 5, "label": {"nb": "x", "nn": "x"}}] * 2},
            "sections[0].questions[0].labels[1].value",
            "duplicate label for value 5",
        ),
        (
            {"type": "scale", "min": 0, "max": 20},
            "sections[0].questions[0].max",
            "a scale has at most 11 steps; use own_number for a number",
        ),
        (
            {"type": "open_text", "kind": "assessment_of_results", "max_length": 0},
            "sections[0].questions[0].max_length",
            "greater than or equal to 1",
        ),
    ],
)
def test_choices_and_scales(
    programme: Programme, catalog: Catalog, question: dict[str, Any], field: str, message: str
) -> None:
    result = "qualitative" if question["type"] == "open_text" else "quantitative"
    full = {"id": "sporsmal", "text": {"nb": "SYNTHETIC", "nn": "SYNTHETIC"}, "result_indicator": result, **question}
    problem = _one(_choice_form(full), programme, catalog)
    assert problem.field == field
    assert message in problem.message


def test_all_problems_are_listed_at_once(programme: Programme, catalog: Catalog) -> None:
    text = _changed("indicator: BL05", "indicator: BL99", _changed("unit: count", "unit: percent"))
    text = _changed("year: 2018", "year: 2021", text)
    fields = {problem.field for problem in _refused(text, programme, catalog)}
    assert fields == {"year", "sections[0].questions[0].indicator", "sections[3].questions[1].unit"}
