"""Every way a programme file can be wrong is refused with its file, line and field (nothing is loaded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from boligmonitor.catalog import Catalog
from boligmonitor.catalog.reporting import load_form, load_programme, load_programme_file, parse_programme
from boligmonitor.core.errors import InputError, InputProblem

from .conftest import line_of, only_problem, packaged_text

FILE = "programme.yaml"
TEXT = packaged_text("bolig_for_velferd.yaml")


def _changed(old: str, new: str, text: str = TEXT) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def _refused(text: str, catalog: Catalog) -> tuple[InputProblem, ...]:
    with pytest.raises(InputError) as error:
        parse_programme(text, FILE, catalog)
    assert all(problem.file == FILE for problem in error.value.problems)
    return error.value.problems


def _one(text: str, catalog: Catalog) -> InputProblem:
    problems = _refused(text, catalog)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_the_packaged_text_is_valid(catalog: Catalog) -> None:
    assert parse_programme(TEXT, FILE, catalog).id == "bolig_for_velferd"


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "catalogue_goals: [kp_sosialhjelp_uten_bolig]",
            "catalogue_goals: [kp_sosialhjelp_uten_boli]",
            "goals[0].catalogue_goals[0]",
            "the catalogue has no goal 'kp_sosialhjelp_uten_boli'; did you mean kp_sosialhjelp_uten_bolig?",
        ),
        (
            "catalogue_goal: bfv_alle_godt_sted_a_bo",
            "catalogue_goal: bfv_alle_godt_sted",
            "main_goals[0].catalogue_goal",
            "the catalogue has no goal 'bfv_alle_godt_sted'",
        ),
        (
            "catalogue_goals: [kp_veiledning_leiemarked]",
            "catalogue_goals: [kp_veiledning_leiemarked, kp_sosialhjelp_uten_bolig]",
            "goals[6].catalogue_goals[1]",
            "'kp_sosialhjelp_uten_bolig' is already linked from 'mal_01_overgangsfase'",
        ),
        (
            "id: mal_02_midlertidig_under_tre_maneder",
            "id: mal_01_overgangsfase",
            "goals[1].id",
            "duplicate id 'mal_01_overgangsfase'",
        ),
        (
            "id: mal_02_midlertidig_under_tre_maneder\n    number: 2",
            "id: mal_02_midlertidig_under_tre_maneder\n    number: 1",
            "goals[1].number",
            "duplicate number 1",
        ),
        ("main_goal: hovedmal_2", "main_goal: hovedmal_9", "goals[9].main_goal", "unknown main goal 'hovedmal_9'"),
        (
            "document: agenda_kaupang_2020\n  place: avsnitt 1.1;",
            "document: agenda\n  place: avsnitt 1.1;",
            "source.document",
            "unknown document 'agenda'",
        ),
        ("version: 2026.1.0", "version: v1", "version", "String should match pattern"),
        ("organiser: Husbanken", "organiser: Husbanken\ncolour: red", "colour", "Extra inputs are not permitted"),
        ("  end: 2020", "  end: 2010", "period.end", "the period ends (2010) before it starts (2014)"),
        ("  start: 2014", "  start: 1950", "period.start", "greater than or equal to 1970"),
    ],
)
def test_each_problem_names_its_line_and_field(catalog: Catalog, old: str, new: str, field: str, message: str) -> None:
    text = _changed(old, new)
    problem = _one(text, catalog)
    assert problem.field == field
    assert message in problem.message
    changed_at = TEXT.index(old)
    last_key = field.rsplit(".", 1)[-1].split("[")[0]  # the line of the field's own key within the change
    assert problem.line == text.count("\n", 0, text.index(last_key, changed_at)) + 1


def test_links_to_catalogue_goals_need_the_catalogue_programme(catalog: Catalog) -> None:
    problem = _one(_changed("catalogue_programme: bolig_for_velferd\n", ""), catalog)
    assert problem.field == "catalogue_programme"
    assert "name the catalogue's programme" in problem.message


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("id: [unclosed\n", 2, "not valid YAML"),
        ("- a\n- b\n", 1, "must be a YAML mapping"),
        (
            TEXT.replace("organiser: Husbanken", "organiser: Husbanken\norganiser: SSB"),
            line_of(TEXT, "organiser") + 1,
            "duplicate key 'organiser'",
        ),
    ],
)
def test_files_that_are_not_a_programme_mapping(catalog: Catalog, text: str, line: int, message: str) -> None:
    problem = _one(text, catalog)
    assert problem.line == line and message in problem.message


MEMBER_ENTRY = "  - {{municipality: {code}, level: {level}, from: {start}, to: {end}}}\n"


def _with_members(*entries: str) -> str:
    return _changed("members: []\n", "members:\n" + "".join(entries))


def _member(code: str = '"0301"', level: str = "storbyprogram", start: str = "2016", end: str = "2020") -> str:
    return MEMBER_ENTRY.format(code=code, level=level, start=start, end=end)


def test_members_with_year_dates_are_read(catalog: Catalog) -> None:
    programme = parse_programme(_with_members(_member(code='"K-0301"')), FILE, catalog)
    (member,) = programme.members
    assert member.municipality == "0301"
    assert (member.start.isoformat(), member.end and member.end.isoformat()) == ("2016-01-01", "2020-12-31")


@pytest.mark.parametrize(
    ("entries", "field", "message"),
    [
        ([_member(level="null")], "members[0].level", "give the level: one of storbyprogram, by_og_tettstedsprogram"),
        ([_member(level="storby")], "members[0].level", "unknown level 'storby'"),
        ([_member(code="301")], "members[0].municipality", "must be text, e.g. '0301' in quotes"),
        ([_member(code='"301"')], "members[0].municipality", "not a municipality code (a leading zero lost?)"),
        ([_member(code='"03"')], "members[0].municipality", "not a municipality code"),
        ([_member(start="2010")], "members[0].from", "2010-01-01 is before the programme starts (2014)"),
        ([_member(end="2022")], "members[0].to", "2022-12-31 is after the programme ends (2020)"),
        ([_member(end="null")], "members[0].to", "an open end is after the programme ends (2020)"),
        ([_member(start="2018-06-01", end="2018-01-31")], "members[0].to", "ends (2018-01-31) before it starts"),
        ([_member(), _member(start="2019", end="2020")], "members[1].from", "municipality 0301 is already a member"),
    ],
)
def test_each_member_problem_names_the_member(catalog: Catalog, entries: list[str], field: str, message: str) -> None:
    problem = _one(_with_members(*entries), catalog)
    assert problem.field == field
    assert message in problem.message
    if field != "members[0].municipality":
        assert problem.message.startswith("member 0301: ")


def test_all_problems_are_listed_at_once(catalog: Catalog) -> None:
    text = _changed("main_goal: hovedmal_2", "main_goal: hovedmal_9", _with_members(_member(level="storby")))
    assert {problem.field for problem in _refused(text, catalog)} == {"goals[9].main_goal", "members[0].level"}


def test_unknown_programmes_and_years_name_what_there_is() -> None:
    for wanted in ("nope", "../catalog", "Bolig_For_Velferd"):
        with pytest.raises(InputError) as error:
            load_programme(wanted)
        assert "there are: bolig_for_velferd, boligsosialt_utviklingsprogram_midt_norge" in str(error.value)
    with pytest.raises(InputError) as error:
        load_form("bolig_for_velferd", 2017)
    assert "no form of bolig_for_velferd for 2017 in the package" in only_problem(error).message
    assert only_problem(error).message.endswith("there are: 2018")


def test_a_programme_of_ones_own_from_a_file(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "programme.yaml"
    path.write_text(_changed("id: bolig_for_velferd", "id: mitt_program"), encoding="utf-8")
    assert load_programme_file(path, catalog=catalog).id == "mitt_program"
    with pytest.raises(InputError) as error:
        load_programme_file(tmp_path / "missing.yaml", catalog=catalog)
    assert only_problem(error).message == "file not found"
    path.write_bytes("name: Tr\xf8ndelag\n".encode("latin-1"))
    with pytest.raises(InputError) as error:
        load_programme_file(path, catalog=catalog)
    assert only_problem(error).message.startswith("not UTF-8 text")
