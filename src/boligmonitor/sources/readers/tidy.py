"""The user's own indicator data in the documented tidy format (docs/tidy-format.md), as CSV or XLSX.

One row per indicator × region × year. This module checks the file itself: columns, numbers, years,
status symbols, flags, region code shapes, duplicate keys. Whether an indicator id is in the catalogue and
a region code is in the register is checked later by the pipeline, using the line numbers kept here.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from boligmonitor.core.errors import InputError
from boligmonitor.core.flags import Flag, format_flags
from boligmonitor.core.regions import RegionLevel
from boligmonitor.core.status import Status
from boligmonitor.sources.readers.checked_csv import (
    FieldChecker,
    ProblemCollector,
    check_header,
    number_from_cell,
    parse_region,
    parse_year,
    read_csv_table,
    text_from_cell,
)

TIDY_COLUMNS: tuple[str, ...] = (
    "indicator",
    "region",
    "year",
    "value",
    "numerator",
    "denominator",
    "status",
    "flags",
    "note",
    "source",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("indicator", "region", "year")
EXTRA_COLUMN_PREFIX = "x_"
XLSX_SHEET_NAME = "data"

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")

_NO_VALUE_STATUSES = tuple(s for s in Status if not s.has_value)
_REGION_LEVELS = (RegionLevel.COUNTRY, RegionLevel.COUNTY, RegionLevel.MUNICIPALITY, RegionLevel.DISTRICT)


@dataclass(frozen=True)
class TidyRow:
    """One observation from a tidy file; ``line`` is its line (CSV) or row number (Excel) for messages."""

    line: int
    indicator: str
    region: str  # canonical (see core.regions)
    year: int
    value: float | None
    numerator: float | None
    denominator: float | None
    status: Status
    flags: frozenset[Flag]
    note: str | None
    source: str | None

    def key(self) -> tuple[str, str, int]:
        return (self.indicator, self.region, self.year)


def read_tidy(path: Path) -> list[TidyRow]:
    """Read a tidy CSV (',' or ';' separated, UTF-8) or XLSX file, chosen by the file suffix.

    Raises InputError listing every problem found (file, line, field), up to a cap; returns only when
    the whole file is valid.
    """
    file = str(path)
    suffix = path.suffix.lower()
    problems = ProblemCollector(file)
    if suffix in CSV_SUFFIXES:
        table = _cells_from_csv(path, problems)
    elif suffix in XLSX_SUFFIXES:
        table = _cells_from_xlsx(path, problems)
    elif suffix == ".xls":
        raise InputError.single(file, "old Excel format (.xls): save the workbook as .xlsx or as 'CSV UTF-8'")
    else:
        raise InputError.single(file, f"unknown file type {suffix!r}: expected .csv or .xlsx")
    rows = _rows_from_table(table, problems) if table is not None else []
    problems.raise_if_any()
    if not rows:
        raise InputError.single(file, "no data rows: the file has a header but no observations", line=2)
    return rows


def write_tidy_csv(rows: Iterable[TidyRow], out: TextIO) -> None:
    """Write rows in the tidy format (',' separated, decimal point) so that :func:`read_tidy` reads them back.

    ``out`` should be opened with ``newline=""`` (as for any CSV writer).
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TIDY_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.indicator,
                row.region,
                str(row.year),
                _format_number(row.value),
                _format_number(row.numerator),
                _format_number(row.denominator),
                row.status.value,
                format_flags(row.flags),
                row.note or "",
                row.source or "",
            ]
        )


def _format_number(value: float | None) -> str:
    """Shortest text that reads back to the same float, without an exponent (the reader refuses those)."""
    if value is None:
        return ""
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# --- reading cells -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CellTable:
    columns: tuple[str, ...]
    rows: list[tuple[int, dict[str, object]]]


def _cells_from_csv(path: Path, problems: ProblemCollector) -> _CellTable | None:
    table = read_csv_table(path, problems)
    if table is None:
        return None
    rows: list[tuple[int, dict[str, object]]] = [(line, dict(fields)) for line, fields in table.rows()]
    return _CellTable(columns=table.columns, rows=rows)


def _cells_from_xlsx(path: Path, problems: ProblemCollector) -> _CellTable | None:
    file = str(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError.single(file, f"not a readable .xlsx workbook ({exc})") from exc
    try:
        sheet = _choose_sheet(workbook, file)
        sheet.reset_dimensions()  # some writers store a wrong sheet size; read what is really there
        return _cells_from_sheet(sheet.iter_rows(values_only=True), problems)
    finally:
        workbook.close()


def _choose_sheet(workbook: Any, file: str) -> Any:
    names: list[str] = list(workbook.sheetnames)
    chosen = next((n for n in names if n == XLSX_SHEET_NAME), None)
    chosen = chosen or next((n for n in names if n.strip().lower() == XLSX_SHEET_NAME), None)
    if chosen is None and len(names) == 1:
        chosen = names[0]
    if chosen is None:
        listed = ", ".join(repr(n) for n in names)
        raise InputError.single(
            file, f"the workbook has several sheets ({listed}) and none is named {XLSX_SHEET_NAME!r}"
        )
    sheet = workbook[chosen]
    if not hasattr(sheet, "iter_rows"):
        raise InputError.single(file, f"sheet {chosen!r} is a chart, not a table", field=chosen)
    return sheet


def _cells_from_sheet(sheet_rows: Iterable[tuple[object, ...]], problems: ProblemCollector) -> _CellTable | None:
    rows_iter = iter(sheet_rows)
    header_cells = next(rows_iter, None)
    header = [text_from_cell(c) for c in header_cells or ()]
    while header and not header[-1]:
        header.pop()
    if not header:
        problems.add("the sheet is empty: expected the column names in row 1", line=1)
        return None
    width = len(header)
    rows: list[tuple[int, dict[str, object]]] = []
    for row_number, cells in enumerate(rows_iter, start=2):
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        for position, cell in enumerate(cells[width:], start=width + 1):
            if cell is not None and text_from_cell(cell):
                letter = get_column_letter(position)
                problems.add(f"a value in column {letter}, which has no name in row 1", row_number, letter)
        padded = (*cells[:width], *([None] * (width - len(cells))))
        rows.append((row_number, dict(zip(header, padded, strict=True))))
    return _CellTable(columns=tuple(header), rows=rows)


# --- checking rows -----------------------------------------------------------------------------------------


def _rows_from_table(table: _CellTable, problems: ProblemCollector) -> list[TidyRow]:
    header_ok = check_header(
        table.columns,
        problems,
        required=REQUIRED_COLUMNS,
        optional=TIDY_COLUMNS[len(REQUIRED_COLUMNS) :],
        extra_prefix=EXTRA_COLUMN_PREFIX,
    )
    if not {"value", "numerator"} & set(table.columns):
        problems.add("needs a 'value' or a 'numerator' column (or both)", line=1)
        header_ok = False
    if not header_ok:
        return []
    rows: list[TidyRow] = []
    first_line_of: dict[tuple[str, str, int], int] = {}
    for line, cells in table.rows:
        if problems.full:
            break
        row = _row_from_cells(line, cells, problems)
        if row is None:
            continue
        first = first_line_of.setdefault(row.key(), line)
        if first != line:
            problems.add(
                f"duplicate observation {row.indicator!r}, region {row.region}, {row.year}: lines {first} and {line}",
                line=line,
                field="indicator, region, year",
            )
            continue
        rows.append(row)
    return rows


def _row_from_cells(line: int, cells: Mapping[str, object], problems: ProblemCollector) -> TidyRow | None:
    check = FieldChecker(line, cells, problems)
    indicator = check.convert("indicator", _indicator, "")
    region = check.convert("region", _tidy_region, "")
    year = check.convert("year", parse_year, 0)
    value = check.convert("value", number_from_cell, None)
    numerator = check.convert("numerator", number_from_cell, None)
    denominator = check.convert("denominator", number_from_cell, None)
    status = check.convert("status", _status, Status.OK)
    flags = check.convert("flags", _flags, frozenset[Flag]())
    note = text_from_cell(cells.get("note")) or None
    source = text_from_cell(cells.get("source")) or None
    for field, count in (("numerator", numerator), ("denominator", denominator)):
        if count is not None and count < 0:
            check.fail(field, f"{field} {count:g} is negative: counts cannot be negative")
    if check.ok:  # the rules below read several fields, so only once each of them could be read
        _check_consistency(check, value, numerator, denominator, status)
    if not check.ok:
        return None
    return TidyRow(
        line=line,
        indicator=indicator,
        region=region,
        year=year,
        value=value,
        numerator=numerator,
        denominator=denominator,
        status=status,
        flags=flags,
        note=note,
        source=source,
    )


def _check_consistency(
    check: FieldChecker,
    value: float | None,
    numerator: float | None,
    denominator: float | None,
    status: Status,
) -> None:
    if denominator == 0 and (numerator is not None or value is not None):
        check.fail("denominator", "denominator is 0: a share or rate of nothing is undefined (status '.')")
    if not status.has_value:
        for field, number in (("value", value), ("numerator", numerator)):
            if number is not None:
                check.fail(
                    field,
                    f"status {status.value!r} means there is no value, but {field} {number:g} is given: "
                    f"leave {field} empty or remove the status",
                )
        return
    if value is None and numerator is None:
        missing = ", ".join(repr(s.value) for s in _NO_VALUE_STATUSES)
        check.fail("value", f"no value and no numerator: give a number, or a status saying why ({missing})")
    if status is Status.NIL:
        for field, number in (("value", value), ("numerator", numerator)):
            if number:
                check.fail(field, f"status '-' (nil) means the value is 0, but {field} is {number:g}")


# --- field parsers (raise ValueError with the message for the user) ---------------------------------------


def _indicator(cell: object) -> str:
    text = text_from_cell(cell)
    if not text:
        raise ValueError("the indicator id is missing")
    return text


def _tidy_region(cell: object) -> str:
    return parse_region(cell, _REGION_LEVELS)


def _status(cell: object) -> Status:
    text = text_from_cell(cell).replace("\u2026", "...")  # spreadsheets auto-correct "..." to an ellipsis
    try:
        return Status.parse(text)
    except ValueError:
        allowed = " ".join(s.value for s in Status if s.value)
        raise ValueError(f"unknown status symbol {text!r}: use one of {allowed}, or leave empty") from None


def _flags(cell: object) -> frozenset[Flag]:
    names = [part.strip() for part in text_from_cell(cell).split(",") if part.strip()]
    known = {f.value for f in Flag}
    unknown = [n for n in names if n not in known]
    if unknown:
        listed = ", ".join(repr(n) for n in unknown)
        raise ValueError(f"unknown flag {listed}: use {', '.join(sorted(known))}")
    return frozenset(Flag(n) for n in names)
