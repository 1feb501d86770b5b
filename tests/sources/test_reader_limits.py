"""Hostile and broken files are refused with an InputError naming file, line and field, within bounded memory:
JSON-stat sizes, JSON nesting, CSV field, line, row and file size limits, and encodings the readers do not
read. Every file here is synthetic and small; the limits are shown to hold by where and how a file is
refused (and by tracemalloc's peak), never by timing."""

from __future__ import annotations

import codecs
import json
import os
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.sources.readers import limits
from boligmonitor.sources.readers.checked_csv import ProblemCollector, read_csv_table
from boligmonitor.sources.readers.geojson import read_geojson_regions
from boligmonitor.sources.readers.jsonstat import read_jsonstat
from boligmonitor.sources.readers.klass_files import read_klass_codes
from boligmonitor.sources.readers.limits import (
    MAX_CSV_FIELD_CHARS,
    MAX_CUBE_CELLS,
    MAX_JSON_DEPTH,
    MAX_LINE_CHARS,
    check_json_depth,
    printable_path,
)
from boligmonitor.sources.readers.registry import IMPORT_SNIFFING, sniff_format
from boligmonitor.sources.readers.statbank_csv import read_statbank_csv
from boligmonitor.sources.readers.tidy import read_tidy, read_tidy_table

TIDY_HEADER = "indicator,region,year,value"


def only_problem(read: Callable[[], object]) -> InputProblem:
    with pytest.raises(InputError) as caught:
        read()
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value.problems[0]


@pytest.fixture
def traced() -> Iterator[Callable[[], int]]:
    """The peak of Python's allocations since the fixture started, in bytes."""
    tracemalloc.start()
    try:
        yield lambda: tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def sparse_dataset(sizes: list[int], value: dict[str, Any], **members: Any) -> dict[str, Any]:
    """A synthetic JSON-stat dataset with one code per position of each dimension and an object ``value``."""
    ids = [f"synthetic_{k}" for k in range(len(sizes))]
    return {
        "version": "2.0",
        "class": "dataset",
        "id": ids,
        "size": sizes,
        "dimension": {
            i: {"category": {"index": [f"c{n}" for n in range(size)]}} for i, size in zip(ids, sizes, strict=True)
        },
        "value": value,
        **members,
    }


# --- JSON-stat: cells are counted before anything is built per cell -----------------------------------------


def test_sparse_dataset_claiming_too_many_cells_is_refused_before_any_dense_list(
    tmp_path: Path, traced: Callable[[], int]
) -> None:
    # 1000 × 1000 × 1000 cells from a file of some 40 KB: the reader used to allocate all of them first.
    path = tmp_path / "synthetic_sparse.json"
    path.write_text(json.dumps(sparse_dataset([1000, 1000, 1000], {"0": 1}, status="..")), encoding="utf-8")
    problem = only_problem(lambda: read_jsonstat(path))
    assert problem.file == str(path) and problem.field == "size" and problem.line == 1
    assert "1000 × 1000 × 1000 give 1000000000 cells" in problem.message
    assert f"at most {MAX_CUBE_CELLS} cells" in problem.message
    assert traced() < 5_000_000  # the dense list alone would be 8 GB


def test_sparse_value_keys_are_checked_before_the_dense_list_is_made(traced: Callable[[], int]) -> None:
    # Within the cell limit (4 000 000 cells, a 32 MB list), but one key is out of range: refused first.
    document = sparse_dataset([2000, 2000], {"5": 1.5, "4000000": 2})
    problem = only_problem(lambda: read_jsonstat(document))
    assert problem.field == 'value["4000000"]'
    assert problem.message == "flat index 4000000 is out of range (there are 4000000)"
    assert traced() < 5_000_000


def test_a_flat_index_of_thousands_of_digits_is_out_of_range_not_a_crash() -> None:
    problem = only_problem(lambda: read_jsonstat(sparse_dataset([2], {"9" * 5000: 1})))
    assert "is out of range (there are 2)" in problem.message and len(problem.message) < 100


def test_a_sparse_dataset_within_the_limit_is_still_read() -> None:
    cube = read_jsonstat(sparse_dataset([3, 4], {"11": 7}))
    assert cube.values == [None] * 11 + [7]


def test_a_number_of_thousands_of_digits_is_invalid_json_not_a_crash() -> None:
    raw = b'{"class": "dataset", "value": [' + b"7" * 5000 + b"]}"
    problem = only_problem(lambda: read_jsonstat(raw, name="synthetic.json"))
    assert problem.file == "synthetic.json" and problem.message.startswith("not valid JSON: Exceeds the limit")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_json_stat_in_utf16_or_utf32_is_refused_with_the_advice_to_save_it_as_utf8(
    tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "synthetic_wide.json"
    path.write_bytes(json.dumps(sparse_dataset([2], {"0": 1})).encode(encoding))
    problem = only_problem(lambda: read_jsonstat(path))
    assert problem.message == f"the file is {encoding.upper()}; save it as UTF-8 (JSON-stat must be UTF-8)"


# --- JSON nesting ---------------------------------------------------------------------------------------------


def test_two_hundred_thousand_open_brackets_are_refused_without_recursion(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_deep.json"
    path.write_bytes(b"\n" + b"[" * 200_000)
    problem = only_problem(lambda: read_jsonstat(path))
    assert (
        problem.line == 2 and problem.message == f"arrays and objects are nested more than {MAX_JSON_DEPTH} levels deep"
    )


def test_nesting_up_to_the_limit_passes_and_one_more_level_is_refused() -> None:
    check_json_depth("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, "synthetic.json")
    check_json_depth(("[{" * (MAX_JSON_DEPTH // 2) + '"a":1' + "}]" * (MAX_JSON_DEPTH // 2)).replace("{}", ""), "x")
    deeper = "[\n" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
    problem = only_problem(lambda: check_json_depth(deeper, "synthetic.json"))
    assert problem.line == MAX_JSON_DEPTH + 1


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    labels = json.dumps({"label": "[" * 500, "other": "]]] \\" + '" [[['})
    check_json_depth(labels, "synthetic.json")
    assert json.loads(labels)["label"] == "[" * 500


def test_nesting_hidden_by_brackets_in_strings_is_caught_when_the_parser_recurses() -> None:
    # Each block opens 60 arrays and holds a string of 60 "]", so counting every bracket, strings included,
    # sees no more than 60 levels; the real depth is 1800, deeper than the parser's recursion allows.
    opening = ",".join("[" * 60 + '"' + "]" * 60 + '"' for _ in range(30))
    closing = "".join(',"' + "[" * 60 + '"' + "]" * 60 for _ in range(30))
    problem = only_problem(lambda: read_jsonstat((opening + closing).encode(), name="synthetic_hidden.json"))
    assert problem.message.startswith("arrays and objects are nested more than") and problem.line == 1


def test_the_other_json_readers_hold_the_same_nesting_limit(tmp_path: Path) -> None:
    deep = '{"features": ' + "[" * 100_000 + "\n"
    for name, read in (
        ("synthetic_regions.geojson", read_geojson_regions),
        ("synthetic_codes.json", read_klass_codes),
    ):
        path = tmp_path / name
        path.write_text(deep, encoding="utf-8")
        problem = only_problem(lambda: read(path))  # noqa: B023 (called at once)
        assert problem.file == str(path) and "nested more than" in problem.message


# --- CSV: field, line and row limits ---------------------------------------------------------------------------


def test_a_tidy_header_field_over_the_csv_field_limit_names_line_1(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_long_header.csv"
    path.write_text(f'{TIDY_HEADER},"{"x" * (MAX_CSV_FIELD_CHARS + 10)}"\nKB01,0301,2023,1\n', encoding="utf-8")
    problem = only_problem(lambda: read_tidy(path))
    assert problem.line == 1 and problem.message.startswith("a field is longer than 131 072 characters")


def test_a_statbank_header_field_over_the_csv_field_limit_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_long_header_statbank.csv"
    path.write_text(f'"region";"{"x" * (MAX_CSV_FIELD_CHARS + 10)}"\n"0301 Oslo";1\n', encoding="utf-8")
    problem = only_problem(lambda: read_statbank_csv(path))
    assert problem.line == 1 and problem.message.startswith("a field is longer than 131 072 characters")


def test_a_data_field_over_the_limit_names_the_line_its_record_starts_on(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_unclosed_quote.csv"
    path.write_text(f'{TIDY_HEADER}\nKB01,0301,2023,1\nKB01,0301,2024,"{"1" * MAX_CSV_FIELD_CHARS}\n1\n')
    problem = only_problem(lambda: read_tidy(path))
    assert problem.line == 3 and "(is a quote never closed?)" in problem.message


def test_a_line_over_the_line_limit_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_long_line.csv"
    many_fields = ",".join(["1"] * (MAX_LINE_CHARS // 2 + 10))
    path.write_text(f"{TIDY_HEADER}\nKB01,0301,2023,1\n{many_fields}\n", encoding="utf-8")
    problem = only_problem(lambda: read_tidy(path))
    assert problem.line == 3 and problem.message == "the line is longer than 1 048 576 characters"


def test_a_line_exactly_at_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_note.csv"
    note_line = f'KB01,0301,2023,1,"{"n" * 100_000}"'
    path.write_text(f"{TIDY_HEADER},note\r\n{note_line}\r\n", encoding="utf-8")
    [row] = read_tidy(path)
    assert row.note == "n" * 100_000


@pytest.mark.parametrize(
    ("read", "line"),
    [(read_tidy, 5), (read_statbank_csv, 4)],  # the statbank reader counts every record, the header too
)
def test_more_rows_than_the_limit_are_refused_at_the_first_row_over_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read: Callable[[Path], object], line: int
) -> None:
    monkeypatch.setattr(limits, "MAX_ROWS", 3)
    rows = "".join(f"KB01,0301,{year},1\n" for year in range(2020, 2025))
    path = tmp_path / "synthetic_rows.csv"
    path.write_text(f"{TIDY_HEADER}\n{rows}", encoding="utf-8")
    problem = only_problem(lambda: read(path))
    assert (problem.line, problem.message) == (line, "more than 3 data rows: split the file")


def test_more_spreadsheet_rows_than_the_limit_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ROWS", 2)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in (
        TIDY_HEADER.split(","),
        ["KB01", "0301", 2022, 1],
        ["KB01", "0301", 2023, 1],
        ["KB01", "0301", 2024, 1],
    ):
        sheet.append(row)
    path = tmp_path / "synthetic_rows.xlsx"
    workbook.save(path)
    problem = only_problem(lambda: read_tidy(path))
    assert (problem.line, problem.message) == (4, "more than 2 data rows: split the file")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1024 * 1024)
    big = tmp_path / "synthetic_big.csv"
    big.write_text(TIDY_HEADER + "\n" + "KB01,0301,2023,1\n" * 70_000, encoding="utf-8")
    problem = only_problem(lambda: read_tidy(big))
    assert problem.message == "the file is 1.1 MiB; files over 1 MiB are not read (split it into several files)"
    as_json = tmp_path / "synthetic_big.json"
    as_json.write_bytes(b" " * (1024 * 1024 + 1) + b"{}")
    assert "files over 1 MiB are not read" in only_problem(lambda: read_jsonstat(as_json)).message


# --- encodings and empty files -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "message"),
    [
        (codecs.BOM_UTF32_LE + "indicator,region,year\n".encode("utf-32-le"), "the file is UTF-32; save it as UTF-8"),
        ("indicator,region,year\n".encode("utf-32-be"), "the file is UTF-32; save it as UTF-8"),
        (
            "indicator,region,year\n".encode("utf-16-le"),
            "the file is UTF-16 without a byte order mark; save it as UTF-8",
        ),
    ],
)
def test_sniffing_refuses_encodings_no_reader_reads(head: bytes, message: str) -> None:
    problem = only_problem(lambda: sniff_format(Path("synthetic.csv"), head, IMPORT_SNIFFING))
    assert (problem.file, problem.line, problem.message) == ("synthetic.csv", 1, message)


def test_a_utf16_tidy_file_is_told_to_be_saved_as_utf8_not_misread_as_a_statbank_csv(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_utf16.csv"
    path.write_bytes(f"{TIDY_HEADER},source\nKB01,0301,2023,1,synthetic\n".encode("utf-16"))
    assert sniff_format(path, path.read_bytes()[:4096], IMPORT_SNIFFING) == "tidy-csv"
    assert "the file is UTF-16" in only_problem(lambda: read_tidy(path)).message
    # A statbank download in UTF-16 with a byte order mark is still a statbank CSV, which its reader reads.
    statbank = '"region";"Personer 2024"\r\n"3201 Bærum";130000\r\n'.encode("utf-16")
    assert sniff_format(path, statbank, IMPORT_SNIFFING) == "statbank-csv"


@pytest.mark.parametrize("content", [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_an_empty_file_or_one_with_only_a_byte_order_mark_is_an_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "synthetic_empty.csv"
    path.write_bytes(content)
    file_format = sniff_format(path, content, IMPORT_SNIFFING)
    assert file_format == "statbank-csv"
    problem = only_problem(lambda: read_statbank_csv(path))
    assert (problem.line, problem.message) == (1, "the file is empty")


def test_a_file_name_that_is_not_utf8_is_named_printably(tmp_path: Path) -> None:
    path = Path(os.fsdecode(os.fsencode(tmp_path) + b"/synthetic_\xff.csv"))
    path.write_text(f"{TIDY_HEADER}\nKB01,0301,2023,x\n", encoding="utf-8")
    problem = only_problem(lambda: read_tidy(path))
    assert problem.file == printable_path(path) and problem.file.endswith("synthetic_\\xff.csv")
    problem.file.encode("utf-8")  # printable and storable
    assert printable_path(Path("synthetic_ø.csv")) == "synthetic_ø.csv"


# --- the tidy reader keeps rows compactly and reports as it always has ---------------------------------------


def test_the_compact_table_gives_the_same_rows_as_the_list(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_table.csv"
    path.write_text(
        "indicator,region,year,value,numerator,denominator,status,flags,note,source\n"
        "synthetic_a,0301,2022,-0.0,0,5,,,,synthetic\n"
        "synthetic_b,K-4601,2022,,,,:,,hidden,\n"
        'synthetic_a,03,2023,12.25,,,*,"estimated,series_break",,synthetic\n',
        encoding="utf-8",
    )
    table = read_tidy_table(path)
    rows = read_tidy(path)
    assert list(table) == rows and len(table) == 3
    assert table.indicators == ["synthetic_a", "synthetic_b"]
    assert table.rows_of("synthetic_a") == [rows[0], rows[2]] and table.rows_of("unknown") == []
    assert str(rows[0].value) == "-0.0" and rows[1].value is None and rows[1].denominator is None


def test_taking_an_indicators_rows_hands_them_out_once_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_take.csv"
    lines = [f"synthetic_{'abc'[i % 3]},0301,{2000 + i},{i}" for i in range(30)]
    path.write_text(TIDY_HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    rows = read_tidy(path)
    table = read_tidy_table(path)
    assert table.take("synthetic_b") == rows[1::3] and len(table) == 20
    assert table.take("synthetic_b") == [] and table.indicators == ["synthetic_a", "synthetic_c"]
    assert table.take("synthetic_a") == rows[0::3]  # two thirds taken: the columns are rewritten without them
    assert list(table) == rows[2::3] and table.rows_of("synthetic_c") == rows[2::3]
    assert table.take("synthetic_c") == rows[2::3] and len(table) == 0 and list(table) == []


def test_the_compact_table_takes_a_small_part_of_the_memory_of_row_objects(
    tmp_path: Path, traced: Callable[[], int]
) -> None:
    path = tmp_path / "synthetic_many.csv"
    lines = (
        f"synthetic_{i % 7},{i % 5000:04d},{1900 + i % 200},{i / 7},{i},{i + 1},,,,synthetic" for i in range(20_000)
    )
    path.write_text("indicator,region,year,value,numerator,denominator,status,flags,note,source\n" + "\n".join(lines))
    tracemalloc.reset_peak()
    table = read_tidy_table(path)
    peak = traced()
    assert len(table) == 20_000
    assert (
        peak / len(table) < 400
    )  # bytes a row at the peak, duplicate check included (~180); as row objects it was ~1 350


def test_structural_problems_are_listed_first_when_there_are_more_than_the_cap(tmp_path: Path) -> None:
    # 100 bad values (lines 2-101), then 150 rows with a wrong field count (lines 102-251): as when the whole
    # table was read before its rows were checked, all 150 structural problems are kept and 50 of the others.
    bad_values = "".join(f"KB01,0301,{1900 + i},x\n" for i in range(100))
    short_rows = "KB01,0301\n" * 150
    path = tmp_path / "synthetic_many_problems.csv"
    path.write_text(f"{TIDY_HEADER}\n{bad_values}{short_rows}", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_tidy(path)
    problems = caught.value.problems
    assert len(problems) == 201 and problems[-1].message == "more problems not listed: stopped after 200"
    lines = [p.line for p in problems[:-1]]
    assert lines == [*range(2, 52), *range(102, 252)]


def test_the_other_csv_readers_hold_the_line_limit(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_codes.csv"
    path.write_text("code,name\n" + "x" * (MAX_LINE_CHARS + 1) + "\n", encoding="utf-8")
    problems = ProblemCollector(str(path))
    problem = only_problem(lambda: read_csv_table(path, problems))
    assert problem.line == 2 and "the line is longer than" in problem.message
