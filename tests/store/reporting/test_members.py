"""A programme's members imported from a file (store/reporting/members.py) on SQLite and PostgreSQL: CSV and XLSX
round trips, the real Midt-Norge list from the package written to a CSV and read back, bad files refused by file,
line and field with nothing written, the audit row, and the programme in effect. Every file's municipalities and
names are SYNTHETIC, apart from the Midt-Norge list."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from boligmonitor.catalog.reporting import MemberStatus, load_programme, read_members
from boligmonitor.core.errors import InputError
from boligmonitor.store.accounts import AccountStore
from boligmonitor.store.reporting import ReportStore
from boligmonitor.store.reporting.members import programme_in_effect
from boligmonitor.store.reporting.tables import programme_member
from tests.store.reporting.synthetic import CLI, PROGRAMME

MIDT_NORGE = "boligsosialt_utviklingsprogram_midt_norge"
HEADER = ["municipality", "level", "from", "to", "status", "name"]
SYNTHETIC_ROWS = [
    ["5001", "storbyprogram", "2014", "2020", "member", "SYNTHETIC Storby"],
    ["K-5006", "By- og tettstedsprogram", "2015-03-01", "2020-12-31", "", "SYNTHETIC Tettsted"],
    ["3001", "grunntilbud", "2016", "2018", "invited", "SYNTHETIC Grunn"],
]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "members"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def members_rows(reports: ReportStore) -> int:
    with reports.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(programme_member)) or 0)


def import_file(reports: ReportStore, path: Path, programme_id: str = PROGRAMME) -> int:
    members = read_members(path, programme=load_programme(programme_id))
    return reports.replace_members(programme_id, members, source=path.name, actor=CLI)


@pytest.mark.parametrize("write", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_an_import_round_trips_and_replaces_the_package_members(
    reports: ReportStore, tmp_path: Path, write: object
) -> None:
    assert reports.imported_members(PROGRAMME) is None
    path = write(tmp_path / ("members.csv" if write is write_csv else "members.xlsx"), SYNTHETIC_ROWS)  # type: ignore[operator]
    assert import_file(reports, path) == 3
    imported = reports.imported_members(PROGRAMME)
    assert imported is not None
    assert [
        (m.member.municipality, m.member.level, m.member.start, m.member.end, m.member.status) for m in imported
    ] == [
        ("5001", "storbyprogram", date(2014, 1, 1), date(2020, 12, 31), MemberStatus.MEMBER),
        ("5006", "by_og_tettstedsprogram", date(2015, 3, 1), date(2020, 12, 31), MemberStatus.MEMBER),
        ("3001", "grunntilbud", date(2016, 1, 1), date(2018, 12, 31), MemberStatus.INVITED),
    ]
    assert {m.source for m in imported} == {path.name}
    assert {m.imported_by for m in imported} == {CLI.label}
    in_effect = programme_in_effect(load_programme(PROGRAMME), reports)
    assert [m.municipality for m in in_effect.members] == ["5001", "5006", "3001"]
    assert in_effect.members[0].name == "SYNTHETIC Storby"

    # A second import replaces the whole list.
    second = write_csv(tmp_path / "second.csv", [SYNTHETIC_ROWS[1]])
    assert import_file(reports, second) == 1
    again = reports.imported_members(PROGRAMME)
    assert again is not None and [(m.member.municipality, m.source) for m in again] == [("5006", "second.csv")]
    assert reports.imported_members(MIDT_NORGE) is None  # another programme keeps the package's


def test_the_real_midt_norge_list_round_trips_through_a_csv(reports: ReportStore, tmp_path: Path) -> None:
    package = load_programme(MIDT_NORGE)
    rows = [
        [m.municipality, m.level or "", m.start.isoformat(), "" if m.end is None else m.end.isoformat(), m.status.value,
         m.name or ""]
        for m in package.members
    ]  # fmt: skip
    path = write_csv(tmp_path / "midt_norge.csv", rows)
    assert import_file(reports, path, MIDT_NORGE) == len(package.members) > 0
    in_effect = programme_in_effect(package, reports)
    strip = [m.model_copy(update={"source": None}) for m in package.members]  # the citation is not imported
    assert list(in_effect.members) == strip


@pytest.mark.parametrize(
    ("row", "line", "field"),
    [
        (["50x1", "storbyprogram", "2014", "2020", "", ""], 3, "municipality"),
        (["5010", "metropol", "2014", "2020", "", ""], 3, "level"),
        (["5010", "storbyprogram", "04.04.2014", "2020", "", ""], 3, "from"),
        (["5010", "storbyprogram", "2014", "2031", "", ""], 3, "to"),
        (["5001", "storbyprogram", "2016", "2017", "", ""], 3, "from"),  # 5001 is a member then already (line 2)
    ],
    ids=["municipality", "level", "date", "after_the_programme", "duplicate"],
)
def test_a_bad_file_names_file_line_and_field_and_writes_nothing(
    reports: ReportStore, accounts: AccountStore, tmp_path: Path, row: list[str], line: int, field: str
) -> None:
    path = write_csv(tmp_path / "bad.csv", [SYNTHETIC_ROWS[0], row])
    audited = len(accounts.audit_entries())
    with pytest.raises(InputError) as refused:
        import_file(reports, path)
    [problem] = refused.value.problems
    assert (Path(problem.file).name, problem.line, problem.field) == ("bad.csv", line, field)
    assert members_rows(reports) == 0
    assert reports.imported_members(PROGRAMME) is None
    assert len(accounts.audit_entries()) == audited


def test_the_store_checks_again_and_writes_nothing(reports: ReportStore, tmp_path: Path) -> None:
    # Members read without the programme (no level check) are checked by the store against it.
    path = write_csv(tmp_path / "levels.csv", [["5001", "metropol", "2014", "2020", "", "SYNTHETIC"]])
    members = read_members(path)
    with pytest.raises(InputError) as refused:
        reports.replace_members(PROGRAMME, members, source=path.name, actor=CLI)
    [problem] = refused.value.problems
    assert (problem.file, problem.field) == ("levels.csv", "level")
    with pytest.raises(InputError):
        reports.replace_members(PROGRAMME, [], source="empty.csv", actor=CLI)
    assert members_rows(reports) == 0


def test_an_import_is_audited_with_the_file_and_the_counts(
    reports: ReportStore, accounts: AccountStore, tmp_path: Path
) -> None:
    import_file(reports, write_csv(tmp_path / "first.csv", SYNTHETIC_ROWS))
    import_file(reports, write_csv(tmp_path / "second.csv", SYNTHETIC_ROWS[:2]))
    second, first = accounts.audit_entries(limit=2)
    assert (first.action, first.object_type, first.object_id) == ("programme_member.imported", "programme", PROGRAMME)
    assert (first.before, first.after) == ({"members": 0}, {"members": 3, "source": "first.csv"})
    assert (second.before, second.after) == ({"members": 3}, {"members": 2, "source": "second.csv"})
    assert second.actor == CLI.label
