"""The tidy CSV/XLSX reader: a valid synthetic file, and every kind of bad input named by file, line, field.

All data here is synthetic (indicator ids start with ``synthetic_``); it only exercises the file format.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.flags import Flag
from boligmonitor.core.status import Status
from boligmonitor.sources.readers.tidy import TIDY_COLUMNS, TidyRow, read_tidy, write_tidy_csv

HEADER = "indicator,region,year,value,numerator,denominator,status,flags,note,source"
SEMICOLON_HEADER = HEADER.replace(",", ";")

# Columns in another order than documented, plus an `x_` column, which is allowed and ignored.
SYNTHETIC_CSV = """\
region,indicator,year,value,numerator,denominator,status,flags,note,source,x_checked_by
0301,synthetic_low_income_share,2022,10.5,21,200,,,,Synthetic test data,anne
K-4601,synthetic_low_income_share,2022,,,,:,,hidden by the publisher,Synthetic test data,
03,synthetic_low_income_share,2022,12,,,*,"estimated,series_break",,,
030101,synthetic_household_count,2023,0,0,,-,,,,
Hele landet,synthetic_household_count,2023,1500,1500,,,,"a note, with a comma",,
"""

SYNTHETIC_ROWS = [
    TidyRow(2, "synthetic_low_income_share", "0301", 2022, 10.5, 21.0, 200.0, Status.OK, frozenset(), None,
            "Synthetic test data"),
    TidyRow(3, "synthetic_low_income_share", "4601", 2022, None, None, None, Status.CONFIDENTIAL, frozenset(),
            "hidden by the publisher", "Synthetic test data"),
    TidyRow(4, "synthetic_low_income_share", "03", 2022, 12.0, None, None, Status.PRELIMINARY,
            frozenset({Flag.ESTIMATED, Flag.SERIES_BREAK}), None, None),
    TidyRow(5, "synthetic_household_count", "030101", 2023, 0.0, 0.0, None, Status.NIL, frozenset(),
            None, None),
    TidyRow(6, "synthetic_household_count", "0", 2023, 1500.0, 1500.0, None, Status.OK, frozenset(),
            "a note, with a comma", None),
]  # fmt: skip


def write(tmp_path: Path, text: str, name: str = "synthetic.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems_of(path: Path) -> tuple[InputProblem, ...]:
    with pytest.raises(InputError) as caught:
        read_tidy(path)
    assert all(p.file == str(path) for p in caught.value.problems)
    return caught.value.problems


def only_problem(path: Path) -> InputProblem:
    problems = problems_of(path)
    assert len(problems) == 1, problems
    return problems[0]


def csv_with_rows(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


# --- valid files -------------------------------------------------------------------------------------------


def test_valid_synthetic_csv_gives_the_expected_rows(tmp_path: Path) -> None:
    assert read_tidy(write(tmp_path, SYNTHETIC_CSV)) == SYNTHETIC_ROWS


def test_xlsx_with_the_same_content_gives_identical_rows(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "about"
    notes.append(["Synthetic test workbook; the data are in the sheet 'data'"])
    sheet = workbook.create_sheet("data")
    sheet.append(["region", "indicator", "year", "value", "numerator", "denominator", "status", "flags",
                  "note", "source", "x_checked_by"])  # fmt: skip
    sheet.append(["0301", "synthetic_low_income_share", 2022, 10.5, 21, 200, None, None, None,
                  "Synthetic test data", "anne"])  # fmt: skip
    sheet.append(["K-4601", "synthetic_low_income_share", 2022, None, None, None, ":", None,
                  "hidden by the publisher", "Synthetic test data", None])  # fmt: skip
    sheet.append(["03", "synthetic_low_income_share", "2022", "12", None, None, "*", "estimated,series_break"])
    sheet.append(["030101", "synthetic_household_count", 2023.0, 0, 0, None, "-"])
    sheet.append(["Hele landet", "synthetic_household_count", 2023, 1500, "1500", None, None, None,
                  "a note, with a comma"])  # fmt: skip
    path = tmp_path / "synthetic.xlsx"
    workbook.save(path)

    assert read_tidy(path) == SYNTHETIC_ROWS


def test_semicolon_file_with_decimal_comma(tmp_path: Path) -> None:
    path = write(tmp_path, csv_with_rows("synthetic_share;0301;2023;12,5;25;200;;;;", header=SEMICOLON_HEADER))
    [row] = read_tidy(path)
    assert (row.value, row.numerator, row.denominator) == (12.5, 25.0, 200.0)


def test_quoted_decimal_comma_in_comma_separated_file(tmp_path: Path) -> None:
    [row] = read_tidy(write(tmp_path, csv_with_rows('synthetic_share,0301,2023,"12,5",,,,,,')))
    assert row.value == 12.5


def test_utf8_bom_and_crlf_line_ends_are_accepted(tmp_path: Path) -> None:
    text = "\ufeff" + csv_with_rows("synthetic_share,0219,2023,1,,,,,Bærum,").replace("\n", "\r\n")
    [row] = read_tidy(write(tmp_path, text))
    assert (row.region, row.note) == ("0219", "Bærum")


def test_optional_columns_may_be_left_out(tmp_path: Path) -> None:
    path = write(tmp_path, "indicator,region,year,value\nsynthetic_share,0301,2023,4\n")
    [row] = read_tidy(path)
    assert (row.value, row.numerator, row.status, row.flags, row.note) == (
        4.0,
        None,
        Status.OK,
        frozenset(),
        None,
    )


def test_denominator_may_accompany_a_suppressed_value(tmp_path: Path) -> None:
    [row] = read_tidy(write(tmp_path, csv_with_rows("synthetic_share,0301,2023,,,5000,:,,,")))
    assert (row.value, row.denominator, row.status) == (None, 5000.0, Status.CONFIDENTIAL)


def test_round_trip_through_write_tidy_csv(tmp_path: Path) -> None:
    rows = read_tidy(write(tmp_path, SYNTHETIC_CSV))
    rows.append(TidyRow(7, "synthetic_rate", "1103", 2024, 1e-05, 3.0, 300000.0, Status.OK, frozenset(), None, None))
    out = io.StringIO(newline="")
    write_tidy_csv(rows, out)
    assert out.getvalue().splitlines()[0] == ",".join(TIDY_COLUMNS)
    assert "0.00001" in out.getvalue()  # no exponent: the reader refuses 1e-05
    assert read_tidy(write(tmp_path, out.getvalue(), name="round_trip.csv")) == rows


# --- bad input: each named by file, line and field ---------------------------------------------------------


def test_unknown_column(tmp_path: Path) -> None:
    path = write(tmp_path, csv_with_rows("synthetic_share,0301,2023,1,,,,,,,x", header=HEADER + ",comment"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (1, "comment")
    assert "x_" in problem.message


def test_misspelt_column_gets_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "indicator,region,year,Value\nsynthetic_share,0301,2023,1\n")
    messages = [p.message for p in problems_of(path)]
    assert any("did you mean 'value'" in m for m in messages)


@pytest.mark.parametrize("written", ["12,5,3", "abc", "1.234,5", "1 234", "1e3", "12 %"])
def test_value_that_is_not_a_plain_number(tmp_path: Path, written: str) -> None:
    rows = ("synthetic_share;0301;2023;1;;;;;;", f"synthetic_share;0302;2023;{written};;;;;;")
    path = write(tmp_path, csv_with_rows(*rows, header=SEMICOLON_HEADER))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (3, "value")
    assert repr(written) in problem.message


def test_status_symbol_in_the_value_column_gets_a_hint(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, csv_with_rows("synthetic_share,0301,2023,..,,,,,,")))
    assert (problem.line, problem.field) == (2, "value")
    assert "status column" in problem.message


def test_unquoted_decimal_comma_in_comma_separated_file(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, csv_with_rows("synthetic_share,0301,2023,12,5,,,,,,")))
    assert problem.line == 2
    assert "decimal comma" in problem.message


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    rows = (
        "synthetic_share,0301,2023,1,,,,,,",
        "synthetic_share,0302,2023,2,,,,,,",
        "synthetic_share,K-0301,2023,3,,,,,,",
    )
    path = write(tmp_path, csv_with_rows(*rows))
    problem = only_problem(path)
    assert problem.line == 4
    assert problem.field == "indicator, region, year"
    assert "lines 2 and 4" in problem.message


def test_windows_1252_file_is_refused_with_the_line_and_a_hint(tmp_path: Path) -> None:
    text = csv_with_rows("synthetic_share,0301,2023,1,,,,,Oslo,", "synthetic_share,0219,2023,1,,,,,Bærum,")
    problem = only_problem(write(tmp_path, text, encoding="cp1252"))
    assert problem.line == 3
    assert "Windows-1252" in problem.message
    assert "Bærum" in problem.message  # what the line says when read as Windows-1252


def test_utf16_file_is_refused(tmp_path: Path) -> None:
    problem = only_problem(
        write(tmp_path, "\ufeff" + csv_with_rows("synthetic_share,0301,2023,1,,,,,,"), encoding="utf-16")
    )
    assert problem.line == 1
    assert "UTF-16" in problem.message


def test_truncated_last_line(tmp_path: Path) -> None:
    text = csv_with_rows("synthetic_share,0301,2023,1,,,,,,") + "synthetic_share,0302,20"
    problem = only_problem(write(tmp_path, text))
    assert problem.line == 3
    assert "truncated" in problem.message


def test_unclosed_quote(tmp_path: Path) -> None:
    text = csv_with_rows("synthetic_share,0301,2023,1,,,,,,", 'synthetic_share,0302,2023,1,,,,,"a note that never')
    problem = only_problem(write(tmp_path, text))
    assert problem.line == 3
    assert "never closed" in problem.message


@pytest.mark.parametrize("status", ["..", ".", ":", "..."])
def test_no_value_status_with_a_value(tmp_path: Path, status: str) -> None:
    problem = only_problem(write(tmp_path, csv_with_rows(f"synthetic_share,0301,2023,7,,,{status},,,")))
    assert (problem.line, problem.field) == (2, "value")
    assert repr(status) in problem.message


def test_nil_status_with_a_non_zero_value(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, csv_with_rows("synthetic_share,0301,2023,7,,,-,,,")))
    assert (problem.line, problem.field) == (2, "value")


def test_neither_value_nor_numerator_nor_status(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, csv_with_rows("synthetic_share,0301,2023,,,100,,,,")))
    assert (problem.line, problem.field) == (2, "value")


@pytest.mark.parametrize("field", ["numerator", "denominator"])
def test_negative_count(tmp_path: Path, field: str) -> None:
    row = "synthetic_share,0301,2023,,-3,100,,,," if field == "numerator" else "synthetic_share,0301,2023,,3,-100,,,,"
    problem = only_problem(write(tmp_path, csv_with_rows(row)))
    assert (problem.line, problem.field) == (2, field)
    assert "negative" in problem.message


def test_negative_value_is_allowed(tmp_path: Path) -> None:
    [row] = read_tidy(write(tmp_path, csv_with_rows("synthetic_change,0301,2023,-1.5,,,,,,")))
    assert row.value == -1.5


def test_zero_denominator(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, csv_with_rows("synthetic_share,0301,2023,,3,0,,,,")))
    assert (problem.line, problem.field) == (2, "denominator")


@pytest.mark.parametrize("year", ["23", "2023.5", "20x3", "1850", ""])
def test_bad_year(tmp_path: Path, year: str) -> None:
    problem = only_problem(write(tmp_path, csv_with_rows(f"synthetic_share,0301,{year},1,,,,,,")))
    assert (problem.line, problem.field) == (2, "year")


def test_bad_flag_name(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, csv_with_rows('synthetic_share,0301,2023,1,,,,"estimated,guessed",,')))
    assert (problem.line, problem.field) == (2, "flags")
    assert "'guessed'" in problem.message


def test_unknown_status_symbol(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, csv_with_rows("synthetic_share,0301,2023,1,,,x,,,")))
    assert (problem.line, problem.field) == (2, "status")


@pytest.mark.parametrize("region", ["301", "EKG13", "Oslo", ""])
def test_bad_region_code(tmp_path: Path, region: str) -> None:
    problem = only_problem(write(tmp_path, csv_with_rows(f"synthetic_share,{region},2023,1,,,,,,")))
    assert (problem.line, problem.field) == (2, "region")


def test_lost_leading_zero_gets_a_hint(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, csv_with_rows("synthetic_share,301,2023,1,,,,,,")))
    assert "leading zero" in problem.message


def test_empty_file(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, ""))
    assert problem.line == 1
    assert "empty" in problem.message


def test_header_only_is_refused_as_no_data_rows(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, HEADER + "\n"))
    assert problem.line == 2
    assert "no data rows" in problem.message


def test_missing_required_column(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "indicator,region,value\nsynthetic_share,0301,1\n"))
    assert (problem.line, problem.field) == (1, "year")


def test_needs_value_or_numerator_column(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "indicator,region,year,status\nsynthetic_share,0301,2023,..\n"))
    assert problem.line == 1
    assert "'value'" in problem.message


def test_many_errors_are_all_reported(tmp_path: Path) -> None:
    text = csv_with_rows(
        "synthetic_share,0301,2023,1,,,,,,",
        "synthetic_share,0302,20x3,1,,,,,,",
        "synthetic_share,0303,2023,abc,-1,,,,,",
        "synthetic_share,0304,2023,4,,,..,,,",
        "synthetic_share,0305,2023,1,,,,bogus,,",
        "synthetic_share,0301,2023,1,,,,,,",
    )
    found = {(p.line, p.field) for p in problems_of(write(tmp_path, text))}
    assert found == {
        (3, "year"),
        (4, "value"),
        (4, "numerator"),
        (5, "value"),
        (6, "flags"),
        (7, "indicator, region, year"),
    }


def test_problems_are_capped(tmp_path: Path) -> None:
    text = csv_with_rows(*[f"synthetic_share,{1000 + i:04d},2023,abc,,,,,," for i in range(500)])
    problems = problems_of(write(tmp_path, text))
    assert 100 < len(problems) < 500
    assert "stopped" in problems[-1].message


# --- spreadsheets -------------------------------------------------------------------------------------------


def save_sheet(tmp_path: Path, rows: list[list[object]], sheet_names: tuple[str, ...] = ("Sheet",)) -> Path:
    workbook = openpyxl.Workbook()
    workbook.active.title = sheet_names[0]
    for name in sheet_names[1:]:
        workbook.create_sheet(name)
    sheet = workbook["data"] if "data" in sheet_names else workbook.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / "synthetic.xlsx"
    workbook.save(path)
    return path


def test_xlsx_line_numbers_are_excel_rows(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["indicator", "region", "year", "value"],
        ["synthetic_share", "0301", 2023, 1],
        [None, None, None, None],
        ["synthetic_share", "0302", 2023, "abc"],
    ]
    path = save_sheet(tmp_path, rows)
    problem = only_problem(path)
    assert (problem.line, problem.field) == (4, "value")


def test_xlsx_numeric_region_codes(tmp_path: Path) -> None:
    path = save_sheet(tmp_path, [["indicator", "region", "year", "value"], ["synthetic_share", 301, 2023, 1],
                                 ["synthetic_share", 3, 2023, 1]])  # fmt: skip
    problem = only_problem(path)
    assert (problem.line, problem.field) == (3, "region")
    assert "leading zeros" in problem.message
    path.unlink()
    [row] = read_tidy(
        save_sheet(tmp_path, [["indicator", "region", "year", "value"], ["synthetic_share", 301, 2023, 1]])
    )
    assert row.region == "0301"


def test_xlsx_value_outside_the_named_columns(tmp_path: Path) -> None:
    path = save_sheet(tmp_path, [["indicator", "region", "year", "value"], ["synthetic_share", "0301", 2023, 1, "x"]])
    problem = only_problem(path)
    assert (problem.line, problem.field) == (2, "E")


def test_xlsx_with_several_sheets_and_none_named_data(tmp_path: Path) -> None:
    problem = only_problem(save_sheet(tmp_path, [["indicator"]], sheet_names=("one", "two")))
    assert "'data'" in problem.message


def test_xlsx_empty_sheet(tmp_path: Path) -> None:
    problem = only_problem(save_sheet(tmp_path, []))
    assert problem.line == 1


def test_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "not a workbook", name="synthetic.xlsx"))
    assert "xlsx" in problem.message


@pytest.mark.parametrize("name", ["synthetic.xls", "synthetic.ods"])
def test_unsupported_file_types(tmp_path: Path, name: str) -> None:
    assert only_problem(write(tmp_path, "", name=name)).message


def test_examples_in_the_user_documentation_are_valid(tmp_path: Path) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "tidy-format.md").read_text(encoding="utf-8")
    examples = [block.split("\n", 1)[1] for block in doc.split("```csv")[1:]]
    examples = [block.split("```", 1)[0] for block in examples]
    assert len(examples) == 2
    comma, semicolon = (read_tidy(write(tmp_path, text, name=f"example{i}.csv")) for i, text in enumerate(examples))
    assert comma == semicolon
    assert [(r.region, r.value, r.status) for r in comma] == [
        ("0301", 10.5, Status.OK),
        ("4601", None, Status.CONFIDENTIAL),
        ("03", 12.0, Status.PRELIMINARY),
    ]


def test_blank_first_line(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "\n" + csv_with_rows("synthetic_share,0301,2023,1,,,,,,")))
    assert problem.line == 1
