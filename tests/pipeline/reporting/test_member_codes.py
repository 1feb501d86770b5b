"""Each imported member's municipality code against the register in every year of its membership
(store/reporting/member_codes.py): the real register (KLASS 131 codes of today and its changes 2011–2024, read
from ../shared/data), the real Midt-Norge members of the 2013 announcement passing, and codes that were renumbered,
merged, not yet in use or never in use refused by file, line and field, with the code valid in that year, and
nothing written — on SQLite and PostgreSQL. The member files' rows other than the Midt-Norge list are SYNTHETIC
memberships of real municipality codes."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from boligmonitor.catalog.reporting import Member, load_programme
from boligmonitor.catalog.reporting.members import read_member_lines
from boligmonitor.cli.reporting import reporting_app
from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.geo.changes import ChangeHistory
from boligmonitor.store import Store
from boligmonitor.store.reporting import ReportStore
from boligmonitor.store.reporting.member_codes import (
    CodeProblem,
    CodeProblemKind,
    MemberCodesError,
    code_problems,
    stored_register,
)
from tests.pipeline.reporting.real_register import put_real_register, real_register
from tests.store.conftest import store_sqlite  # noqa: F401  (the fixture: the command line runs on SQLite)
from tests.store.reporting.synthetic import CLI

MIDT_NORGE = "boligsosialt_utviklingsprogram_midt_norge"  # 2009–2016
BOLIG_FOR_VELFERD = "bolig_for_velferd"  # 2014–2020
TODAY = date(2026, 12, 6)
HEADER = ["municipality", "from", "to", "status", "name"]


@pytest.fixture(scope="module")
def register(shared_data: Path) -> ChangeHistory:
    return real_register(shared_data)


def member(code: str, start: int, end: int | None, level: str | None = None) -> Member:
    fields = {
        "municipality": code,
        "level": level,
        "from": date(start, 1, 1),
        "to": None if end is None else date(end, 12, 31),
    }
    return Member.model_validate(fields)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_the_real_midt_norge_members_were_valid_in_every_year_of_their_membership(register: ChangeHistory) -> None:
    members = load_programme(MIDT_NORGE).members
    assert len(members) == 18
    assert code_problems(members, register, today=TODAY) == []


def test_a_renumbered_code_names_the_code_of_the_years_it_was_not_in_use(register: ChangeHistory) -> None:
    found = code_problems([member("1601", 2013, 2019)], register, today=TODAY, lines=[7])
    assert found == [CodeProblem(1, 7, "1601", 2018, 2019, CodeProblemKind.REPLACED, 2018, ("5001",))]
    assert found[0].message() == (
        "municipality code 1601 was not in use in 2018–2019: from 2018 the code is 5001 "
        "(write the years from 2018 on a row of their own, with 5001)"
    )


def test_a_code_used_before_it_existed_names_the_code_the_area_had_then(register: ChangeHistory) -> None:
    found = code_problems([member("5001", 2013, 2016)], register, today=TODAY)
    assert found == [CodeProblem(1, None, "5001", 2013, 2016, CodeProblemKind.NOT_YET, 2018, ("1601",))]
    # without a line, the member's position says which one
    assert found[0].input_problem("members.csv") == InputProblem(
        "members.csv",
        "member 1: municipality code 5001 was not in use in 2013–2016: it is used from 2018; before, the code was 1601 "
        "(write the years before 2018 on a row of their own, with the code of that time)",
        line=None,
        field="municipality",
    )


def test_a_merger_names_every_code_merged(register: ChangeHistory) -> None:
    # Steinkjer 5004 and Verran 5039 became Steinkjer 5006 in 2020
    found = code_problems([member("5006", 2019, 2020)], register, today=TODAY)
    assert found == [CodeProblem(1, None, "5006", 2019, 2019, CodeProblemKind.NOT_YET, 2020, ("5004", "5039"))]
    assert code_problems([member("5004", 2018, 2019), member("5006", 2020, None)], register, today=TODAY) == []


def test_a_membership_still_running_is_checked_up_to_this_year(register: ChangeHistory) -> None:
    # Ålesund: 1504 until 2019, 1507 in 2020–2023 (with Haram), 1508 from 2024
    assert code_problems([member("1508", 2024, None)], register, today=TODAY) == []
    found = code_problems([member("1507", 2020, None)], register, today=TODAY)
    # in 2024 Ålesund 1507 was divided between Ålesund 1508 and Haram 1580
    assert found == [CodeProblem(1, None, "1507", 2024, 2026, CodeProblemKind.REPLACED, 2024, ("1508", "1580"))]
    assert found[0].message() == (
        "municipality code 1507 was not in use in 2024–2026: from 2024 its area was divided between 1508 and 1580 "
        "(write the years from 2024 on a row of their own)"
    )
    assert code_problems([member("1507", 2020, None)], register, today=date(2023, 6, 1)) == []


def test_a_code_never_in_use_is_unknown(register: ChangeHistory) -> None:
    found = code_problems([member("1299", 2014, 2015)], register, today=TODAY)
    assert found == [CodeProblem(1, None, "1299", 2014, 2015, CodeProblemKind.UNKNOWN)]
    assert "not in the region register (KLASS 131) in any year" in found[0].message()


def test_a_code_unchanged_since_before_the_change_list_is_valid_throughout(register: ChangeHistory) -> None:
    # Kristiansund 1505 is in no change 2011–2024: today's list says it is in use
    assert code_problems([member("1505", 2009, None)], register, today=TODAY) == []


# --- stored: the store's register, in the transaction that writes the members ---------------------------


def test_the_store_reads_its_register(store: Store, shared_data: Path) -> None:
    with store.engine.connect() as connection:
        assert stored_register(connection) is None  # no build yet: nothing to check against
    put_real_register(store, shared_data)
    with store.engine.connect() as connection:
        stored = stored_register(connection)
    assert stored is not None
    assert stored.is_valid("1601", date(2017, 12, 31)) and not stored.is_valid("1601", date(2018, 1, 1))
    assert stored.successors("1601", date(2018, 1, 1)) == ["5001"]


def test_the_real_midt_norge_list_imports_against_the_stored_register(
    reports: ReportStore, store: Store, shared_data: Path, tmp_path: Path
) -> None:
    put_real_register(store, shared_data)
    programme = load_programme(MIDT_NORGE)
    rows = [
        [m.municipality, m.start.isoformat(), "" if m.end is None else m.end.isoformat(), m.status.value, m.name or ""]
        for m in programme.members
    ]
    path = write_csv(tmp_path / "midt_norge_members.csv", rows)
    read = read_member_lines(path, programme=programme)
    assert [line for line, _ in read] == list(range(2, 20))
    count = reports.replace_members(
        MIDT_NORGE, [m for _, m in read], source=path.name, actor=CLI, lines=[line for line, _ in read]
    )
    assert count == 18
    imported = reports.imported_members(MIDT_NORGE)
    assert imported is not None
    without_citations = [m.model_copy(update={"source": None}) for m in programme.members]
    assert [found.member for found in imported] == without_citations


def test_codes_out_of_use_are_refused_by_file_line_and_field_and_nothing_is_written(
    reports: ReportStore, store: Store, shared_data: Path, tmp_path: Path
) -> None:
    put_real_register(store, shared_data)
    programme = load_programme(MIDT_NORGE)
    path = write_csv(
        tmp_path / "SYNTHETIC_members.csv",
        [
            ["1601", "2009", "2016", "member", "Trondheim"],  # in use throughout
            ["1723", "2013", "2016", "member", "Mosvik"],  # merged into Inderøy 1756 in 2012
            ["1756", "2009", "2012", "member", "Inderøy"],  # Inderøy's new code from 2012
            ["1299", "2010", "2011", "member", "SYNTHETIC"],  # never a code
        ],
    )
    read = read_member_lines(path, programme=programme)
    with pytest.raises(MemberCodesError) as refused:
        reports.replace_members(
            MIDT_NORGE, [m for _, m in read], source=path.name, actor=CLI, lines=[line for line, _ in read]
        )
    assert isinstance(refused.value, InputError)
    assert [(p.file, p.line, p.field) for p in refused.value.problems] == [
        ("SYNTHETIC_members.csv", 3, "municipality"),
        ("SYNTHETIC_members.csv", 4, "municipality"),
        ("SYNTHETIC_members.csv", 5, "municipality"),
    ]
    messages = [p.message for p in refused.value.problems]
    assert messages[0] == (
        "municipality code 1723 was not in use in 2013–2016: from 2012 the code is 1756 "
        "(write the years from 2012 on a row of their own, with 1756)"
    )
    assert messages[1] == (
        "municipality code 1756 was not in use in 2009–2011: it is used from 2012; before, the code was 1723 and 1729 "
        "(write the years before 2012 on a row of their own, with the code of that time)"
    )
    assert messages[2].startswith("unknown municipality code 1299")
    assert reports.imported_members(MIDT_NORGE) is None


def test_a_renumbering_in_a_later_programme_names_the_new_code(
    reports: ReportStore, store: Store, shared_data: Path
) -> None:
    put_real_register(store, shared_data)
    members = [member("1601", 2014, 2020, level="storbyprogram")]
    with pytest.raises(MemberCodesError) as refused:
        reports.replace_members(BOLIG_FOR_VELFERD, members, source="SYNTHETIC.csv", actor=CLI)
    assert str(refused.value.problems[0]) == (
        "SYNTHETIC.csv, field 'municipality': member 1: municipality code 1601 was not in use in 2018–2020: "
        "from 2018 the code is 5001 (write the years from 2018 on a row of their own, with 5001)"
    )
    assert reports.imported_members(BOLIG_FOR_VELFERD) is None


# --- the command line: the file's lines named, exit 2, nothing written ------------------------------------


def test_the_command_line_import_names_the_files_line(
    request: pytest.FixtureRequest, shared_data: Path, tmp_path: Path
) -> None:
    store: Store = request.getfixturevalue("store_sqlite")
    put_real_register(store, shared_data)
    database = store.engine.url.render_as_string(hide_password=False)
    path = tmp_path / "SYNTHETIC_members.csv"
    path.write_text(
        "municipality;from;to;status;name\n1601;2009;2016;member;Trondheim\n\n1723;2013;2016;member;Mosvik\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    arguments = ["members", "import", MIDT_NORGE, str(path), "--database", database]
    result = runner.invoke(reporting_app, arguments, env={"BOLIGMONITOR_SMTP_HOST": None})
    assert result.exit_code == 2
    assert "SYNTHETIC_members.csv, line 4, field 'municipality': municipality code 1723" in result.stderr
    with store.engine.connect() as connection:
        assert stored_register(connection) is not None
    listed = runner.invoke(reporting_app, ["members", "list", MIDT_NORGE, "--database", database])
    assert "from the package (never imported)" in listed.stderr
