"""Members from CSV and XLSX: codes normalised, dates as dates or years, every bad line named with its field;
with a programme, levels (by id or name) and dates are checked against it. The rows are SYNTHETIC test rows."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from boligmonitor.catalog.reporting import MemberStatus, Programme, read_members
from boligmonitor.core.errors import InputError, InputProblem


def _csv(tmp_path: Path, text: str, name: str = "members.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _xlsx(tmp_path: Path, rows: list[list[object]], sheets: tuple[str, ...] = ("members",)) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheets[0]
    for row in rows:
        sheet.append(row)
    for extra in sheets[1:]:
        workbook.create_sheet(extra)
    path = tmp_path / "members.xlsx"
    workbook.save(path)
    return path


def _problems(path: Path, programme: Programme | None = None) -> list[InputProblem]:
    with pytest.raises(InputError) as error:
        read_members(path, programme=programme)
    return list(error.value.problems)


def _where(problems: list[InputProblem]) -> list[tuple[int | None, str | None]]:
    return [(problem.line, problem.field) for problem in problems]


def test_a_csv_of_members(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "municipality;level;from;to;status;name\n"
        "K-0301;storbyprogram;2016;2020;;Oslo\n"
        "4601;by_og_tettstedsprogram;2016-03-01;;invited;Bergen\n",
    )
    first, second = read_members(path)
    assert (first.municipality, first.level, first.start, first.end) == (
        "0301",
        "storbyprogram",
        date(2016, 1, 1),
        date(2020, 12, 31),
    )
    assert (first.status, first.name) == (MemberStatus.MEMBER, "Oslo")
    assert (second.municipality, second.start, second.end, second.status) == (
        "4601",
        date(2016, 3, 1),
        None,
        MemberStatus.INVITED,
    )


def test_a_workbook_of_members(tmp_path: Path, programme: Programme) -> None:
    path = _xlsx(
        tmp_path,
        [
            ["municipality", "level", "from", "to"],
            ["0301", "Storbyprogram", datetime(2016, 1, 1), datetime(2020, 12, 31)],
            [4601, "By- og tettstedsprogram", 2016, 2019.0],
            [None, None, None, None],
            ["5001", "by_og_tettstedsprogram", "2017-01-01", "2020"],
        ],
    )
    members = read_members(path, programme=programme)
    assert [(m.municipality, m.level) for m in members] == [
        ("0301", "storbyprogram"),
        ("4601", "by_og_tettstedsprogram"),
        ("5001", "by_og_tettstedsprogram"),
    ]
    assert members[1].end == date(2019, 12, 31)
    assert members[2].end == date(2020, 12, 31)


def test_bad_lines_of_a_csv_are_all_named(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "municipality,level,from,to,status\n"
        "301,storbyprogram,2016,2020,\n"  # 2: a leading zero lost
        "12345,storbyprogram,2016,2020,\n"  # 3: no such shape
        ",storbyprogram,2016,2020,\n"  # 4: missing
        "0301,Storby program,2016,2020,\n"  # 5: not a level id
        "1103,storbyprogram,04.04.2016,2020,\n"  # 6: a Norwegian date
        "1103,storbyprogram,2016-02-30,2020,\n"  # 7: no such day
        "1103,storbyprogram,2018,2016,\n"  # 8: ends before it starts
        "1103,storbyprogram,2016,2020,former\n"  # 9: unknown status
        "0301,storbyprogram,2016,2020,\n"  # 10: fine
        "0301,storbyprogram,2019,,\n"  # 11: overlaps line 10
        "1103,storbyprogram,2016,2020\n",  # 12: a field short
    )
    problems = _problems(path)
    assert _where(problems) == [
        (2, "municipality"),
        (3, "municipality"),
        (4, "municipality"),
        (5, "level"),
        (6, "from"),
        (7, "from"),
        (8, "to"),
        (9, "status"),
        (11, "from"),
        (12, None),
    ]
    messages = {(problem.line, problem.field): problem.message for problem in problems}
    assert "a leading zero lost? municipalities have 4 digits" in messages[(2, "municipality")]
    assert messages[(4, "municipality")] == "the region code is missing"
    assert "'Storby program' is not a level id" in messages[(5, "level")]
    assert "write the date YYYY-MM-DD" in messages[(6, "from")]
    assert "not a valid date" in messages[(7, "from")]
    assert "the membership ends (2016-12-31) before it starts (2018-01-01)" in messages[(8, "to")]
    assert "unknown status 'former': use 'member' or 'invited'" in messages[(9, "status")]
    assert messages[(11, "from")] == "municipality 0301 is already a member then (line 10)"
    assert all(problem.file.endswith("members.csv") for problem in problems)


def test_levels_and_dates_against_the_programme(tmp_path: Path, programme: Programme) -> None:
    path = _csv(
        tmp_path,
        "municipality,level,from,to\n"
        "0301,,2016,2020\n"  # the programme has levels: one is needed
        "0301,storby,2016,2020\n"
        "4601,grunntilbud,2010,2020\n"  # before the programme
        "5001,grunntilbud,2016,\n",  # open end after the programme's end
    )
    problems = _problems(path, programme)
    assert _where(problems) == [(2, "level"), (3, "level"), (4, "from"), (5, "to")]
    assert "give the level: one of storbyprogram, by_og_tettstedsprogram, grunntilbud" in problems[0].message
    assert problems[1].message == "unknown level 'storby'; known: storbyprogram, by_og_tettstedsprogram, grunntilbud"
    assert "2010-01-01 is before the programme starts (2014)" in problems[2].message


def test_bad_cells_of_a_workbook_are_named_by_row(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path,
        [
            ["municipality", "level", "from", "to"],
            [3, "storbyprogram", 2016, 2020],  # a number that lost its leading zero
            ["0301", "storbyprogram", datetime(2016, 1, 1, 12, 30), 2020],
            ["0301", "storbyprogram", True, 2020],
            ["0301", "storbyprogram", 2016, 2020, "stray"],
        ],
    )
    # the value beyond the named columns is named by its column letter
    assert _where(_problems(path)) == [(2, "municipality"), (3, "from"), (4, "from"), (5, "E")]


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("kommune,from\n0301,2016\n", [(1, "kommune"), (1, "municipality")], "unknown column 'kommune'"),
        ("municipality,from,from\n0301,2016,2017\n", [(1, "from")], "column 'from' appears more than once"),
        ("", [(1, None)], "the file is empty"),
        ("municipality,from\n", [(2, None)], "no members: the file has a header but no rows"),
    ],
)
def test_files_that_hold_no_members(
    tmp_path: Path, text: str, where: list[tuple[int, str | None]], message: str
) -> None:
    problems = _problems(_csv(tmp_path, text))
    assert _where(problems) == where
    assert message in problems[0].message


def test_other_kinds_of_file(tmp_path: Path) -> None:
    (problem,) = _problems(_csv(tmp_path, "x", name="members.xls"))
    assert "old Excel format (.xls)" in problem.message
    (problem,) = _problems(_csv(tmp_path, "x", name="members.json"))
    assert "unknown file type '.json'" in problem.message
    (problem,) = _problems(_xlsx(tmp_path, [["municipality", "from"]], sheets=("ark1", "ark2")))
    assert "several sheets ('ark1', 'ark2') and none is named 'members'" in problem.message
    (problem,) = _problems(_csv(tmp_path, "not a zip", name="broken.xlsx"))
    assert "not a readable .xlsx workbook" in problem.message
