"""The hypercube definitions: the packaged file is valid and honest; every error names its line and field."""

from __future__ import annotations

import math

import pytest

from boligmonitor.core.errors import InputError
from boligmonitor.sources.connectors.husbanken import DEFAULT_URL, Definitions, plan_husbanken
from boligmonitor.sources.connectors.husbanken.definitions import TO_CONFIRM_MARKER, Role, parse_definitions

# A small, made-up definitions file (not Husbanken's): one dataset, one cube. Tests change one line each.
MINIMAL = """\
format_version: 1
app:
  id: 00000000-0000-0000-0000-000000000000
  title: Test app
  origin: https://example.invalid
  url: wss://example.invalid/public
  source_url: https://example.invalid/
  licence: test
  attribution: test
datasets:
  - key: "husbanken:test"
    label: Test
    title: Test dataset
    source_url: https://example.invalid/
    dimensions:
      - id: Brukergruppe
        label: brukergruppe
        categories:
          - {code: alle, label: Alle}
          - {code: eldre, label: Eldre, qlik_text: Eldre}
    contents:
      - {code: antall, label: Antall, unit: husstander}
cubes:
  - id: test_cube
    dataset: "husbanken:test"
    title: Test cube
    confirmed: true
    evidence: made up for a test
    fixed: {Brukergruppe: alle}
    first_year: 2010
    fields:
      - {field: KommuneNr, role: region}
      - {field: År, role: year}
    measures:
      - {label: antall, expression: "Sum(Teller)", contents_code: antall, annual: year_value}
"""


def _problems(text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(InputError) as caught:
        parse_definitions(text, "defs.yaml")
    assert all(problem.file == "defs.yaml" for problem in caught.value.problems)
    return [(problem.line, problem.field, problem.message) for problem in caught.value.problems]


def test_the_minimal_file_is_valid() -> None:
    definitions = parse_definitions(MINIMAL)
    cube = definitions.cube("test_cube")
    assert cube.width == 3
    assert cube.page_height() == 3166  # floor(9500 / 3)


def test_packaged_definitions_load(definitions: Definitions) -> None:
    assert definitions.app.id == "ee185fe5-e94d-463e-bff8-cd1c5f2f566f"
    counters = definitions.cube("bostotte_tellere_kommune")
    assert [f.field for f in counters.fields] == ["KommuneNr", "År"]
    assert [(m.label, m.expression) for m in counters.measures] == [
        ("soknad", "Sum(BostøtteSøknadTeller)"),
        ("vedtak", "Sum(BostøtteVedtakTeller)"),
        ("utbetaling", "Sum(BostøtteUtbetalingTeller)"),
        ("avslag", "Sum(BostøtteAvslagTeller)"),
        ("belop", "Sum([Beregnet bostøtte])"),
    ]
    assert counters.page_height() == math.floor(9500 / 7)


def test_unconfirmed_definitions_say_what_to_confirm_and_mark_every_guess(definitions: Definitions) -> None:
    unconfirmed = [cube for cube in definitions.cubes if not cube.confirmed]
    assert {cube.dataset for cube in unconfirmed} == {
        "husbanken:bostotte",  # its households with children (BU10, HB06); its other cubes are confirmed
        "husbanken:startlan",
        "husbanken:etableringstilskudd",
        "husbanken:tilpasningstilskudd",
        "husbanken:investeringstilskudd",
        "husbanken:tilskudd_utleieboliger",
        "husbanken:tilvisning",
    }
    for cube in unconfirmed:
        assert cube.to_confirm
        assert all(TO_CONFIRM_MARKER in measure.expression for measure in cube.measures), cube.id
    for cube in definitions.cubes:
        if cube.confirmed:
            assert not any(TO_CONFIRM_MARKER in m.expression for m in cube.measures)


def test_bostotte_keeps_the_adapters_dimensions_and_codes(definitions: Definitions) -> None:
    dataset = definitions.dataset("husbanken:bostotte")
    assert [d.id for d in dataset.dimensions] == ["Brukergruppe"]
    assert [c.code for c in dataset.dimensions[0].categories] == [
        "alle",
        "eldre",
        "midlertidige_trygdeytelser",
        "uten_trygdeytelser",
        "ufore_ovrig",
        "unge_ufore",
    ]
    codes = [c.code for c in dataset.contents]
    assert codes[:4] == ["husstander", "soknader", "avslag", "utbetalt"]  # what the catalogue's recipes read
    counters = {m.contents_code for m in definitions.cube("bostotte_tellere_kommune").measures}
    assert counters.isdisjoint(codes[:4])  # another unit, another code


def test_selection(definitions: Definitions) -> None:
    confirmed = definitions.selected()
    assert all(cube.confirmed for cube in confirmed)
    assert len(definitions.selected(include_unconfirmed=True)) == len(definitions.cubes)
    assert [c.id for c in definitions.selected(only=["bostotte_tellere_kommune"])] == ["bostotte_tellere_kommune"]
    assert definitions.selected(only=["husbanken:startlan"]) == []  # unconfirmed: left out unless asked
    with pytest.raises(KeyError, match="nonexistent"):
        definitions.selected(only=["nonexistent"])


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [
        ("    first_year: 2010\n", "", 24, "cubes[0].first_year", "Field required"),
        (
            "contents_code: antall, annual",
            "contents_code: nope, annual",
            35,
            "cubes[0].measures[0].contents_code",
            "no contents code 'nope'",
        ),
        (
            "annual: year_value}",
            "annual: sum_of_term_months}",
            35,
            "cubes[0].measures[0].annual",
            "needs a month field",
        ),
        (
            'expression: "Sum(Teller)"',
            'expression: "Sum([TO_CONFIRM(x)])"',
            35,
            "cubes[0].measures[0].expression",
            "placeholder",
        ),
        ("    confirmed: true\n", "    confirmed: false\n", 24, "cubes[0].to_confirm", "lists what must be confirmed"),
        (
            "fixed: {Brukergruppe: alle}",
            "fixed: {Brukergruppe: nobody}",
            29,
            "cubes[0].fixed.Brukergruppe",
            "not a category",
        ),
        ("fixed: {Brukergruppe: alle}", "fixed: {}", 29, "cubes[0].fixed", "needs a fixed category"),
        ("{field: År, role: year}", "{field: År, role: month}", 32, "cubes[0].fields", "no field with role year"),
        ("      - {field: KommuneNr, role: region}\n", "", 24, "cubes[0].region", "give the fixed region"),
        ("role: region}", "role: place}", 32, "cubes[0].fields[0].role", "Input should be"),
        (
            'dataset: "husbanken:test"\n    title: Test cube',
            'dataset: "husbanken:other"\n    title: Test cube',
            25,
            "cubes[0].dataset",
            "no dataset",
        ),
        (
            "    evidence: made up for a test\n",
            "    evidence: made up\n    colour: red\n",
            29,
            "cubes[0].colour",
            "Extra inputs",
        ),
    ],
)
def test_problems_name_line_and_field(old: str, new: str, line: int, field: str, message: str) -> None:
    assert old in MINIMAL
    problems = _problems(MINIMAL.replace(old, new, 1))
    assert any(f == field and message in m for _, f, m in problems), problems
    found = next(p for p in problems if p[1] == field and message in p[2])
    assert found[0] == line, problems


def test_every_problem_is_reported_at_once() -> None:
    text = MINIMAL.replace("first_year: 2010", "first_year: 1900").replace("contents_code: antall", "contents_code: x")
    problems = _problems(text)
    assert {f for _, f, _ in problems} == {"cubes[0].first_year"}  # pydantic errors first; cross checks after
    fixed = _problems(MINIMAL.replace("contents_code: antall", "contents_code: x").replace("id: test_cube", "id: Bad"))
    assert {f for _, f, _ in fixed} == {"cubes[0].id"}


def test_duplicate_ids_and_time_order() -> None:
    doubled = MINIMAL + MINIMAL[MINIMAL.index("  - id: test_cube") :]
    assert any(f == "cubes[1].id" and "duplicate id" in m for _, f, m in _problems(doubled))
    swapped = MINIMAL.replace(
        "      - {field: KommuneNr, role: region}\n      - {field: År, role: year}\n",
        "      - {field: År, role: year}\n      - {field: KommuneNr, role: region}\n",
    )
    assert any(f == "cubes[0].fields" and "must come last" in m for _, f, m in _problems(swapped))


def test_not_yaml_and_not_a_mapping() -> None:
    assert _problems("format_version: [1\n")[0][0] is not None
    assert "expected a mapping" in _problems("- 1\n- 2\n")[0][2]


def test_role_of_fields(definitions: Definitions) -> None:
    by_group = definitions.cube("bostotte_husstander_kommune_brukergruppe")
    assert [f.role for f in by_group.fields] == [Role.REGION, Role.CATEGORY, Role.YEAR, Role.MONTH]
    assert definitions.cube("bostotte_husstander_norge").region == "0"


def test_plan_lists_every_call_and_what_is_left_out(definitions: Definitions) -> None:
    plan = plan_husbanken(DEFAULT_URL, definitions=definitions, only=["bostotte_tellere_kommune"])
    methods = [(c.method, c.count) for c in plan.calls]
    # 7 449 rows (atlas's live count) at 1 357 rows a page: the first in GetLayout, then 5 more pages.
    assert methods == [
        ("OpenDoc", 1),
        ("GetAppLayout", 1),
        ("CreateSessionObject", 1),
        ("GetLayout", 1),
        ("GetHyperCubeData", 5),
        ("DestroySessionObject", 1),
    ]
    assert plan.request_count == 10
    assert plan.url == f"{DEFAULT_URL}/app/ee185fe5-e94d-463e-bff8-cd1c5f2f566f"
    everything = plan_husbanken(DEFAULT_URL, definitions=definitions)
    assert len(everything.skipped) == 8 and all("not confirmed" in s for s in everything.skipped)
    described = "\n".join(everything.describe())
    assert "JSON-RPC calls (page counts estimated)" in described
    with_unconfirmed = plan_husbanken(DEFAULT_URL, definitions=definitions, include_unconfirmed=True)
    assert set(with_unconfirmed.unknown_pages) == {c.id for c in definitions.cubes if not c.confirmed}
