"""The user's own indicator data in the documented tidy format (docs/tidy-format.md), as CSV or XLSX.

One row per indicator × region × year. This module checks the file itself: columns, numbers, years,
status symbols, flags, region code shapes, duplicate keys. Whether an indicator id is in the catalogue and
a region code is in the register is checked later by the pipeline, using the line numbers kept here.
"""

from __future__ import annotations

import csv
import math
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import compress
from pathlib import Path
from typing import Any, TextIO, cast

from boligmonitor.core.errors import InputError
from boligmonitor.core.flags import Flag, format_flags
from boligmonitor.core.regions import RegionLevel
from boligmonitor.core.status import Status
from boligmonitor.sources.readers.checked_csv import (
    FieldChecker,
    ProblemCollector,
    check_header,
    number_from_cell,
    open_csv_table,
    parse_region,
    parse_year,
    text_from_cell,
)
from boligmonitor.sources.readers.limits import printable_path
from boligmonitor.sources.readers.xlsx_sheet import open_sheet

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


@dataclass(frozen=True, slots=True)
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
    return list(read_tidy_table(path))


def read_tidy_table(path: Path) -> TidyTable:
    """:func:`read_tidy` with the rows kept compactly (:class:`TidyTable`), for large files.

    The file is read once, row by row; memory grows with the number of rows, some 60 bytes each.
    """
    file = printable_path(path)
    suffix = path.suffix.lower()
    # Problems in the table's structure (field counts, unnamed columns) are listed before those of the
    # header and the rows, as when the whole table was read first; each collector keeps file order.
    structure = ProblemCollector(file)
    content = ProblemCollector(file)
    table = TidyTable()
    if suffix in CSV_SUFFIXES:
        stream = open_csv_table(path, structure)
        if stream is not None:
            with stream:
                _read_rows(stream.columns, stream.rows(), table, content)
    elif suffix in XLSX_SUFFIXES:
        _read_xlsx(path, table, structure, content)
    elif suffix == ".xls":
        raise InputError.single(file, "old Excel format (.xls): save the workbook as .xlsx or as 'CSV UTF-8'")
    else:
        raise InputError.single(file, f"unknown file type {suffix!r}: expected .csv or .xlsx")
    structure.extend(content)
    structure.raise_if_any()
    if not table:
        raise InputError.single(file, "no data rows: the file has a header but no observations", line=2)
    return table


class TidyTable:
    """The rows of one tidy file, stored column by column: some 60 bytes a row where :class:`TidyRow` objects
    take about 300. Iterating (or :meth:`rows_of`) makes the rows, in file order; :meth:`take` hands out one
    indicator's rows and forgets them, giving the memory back as a file is imported indicator by indicator."""

    def __init__(self) -> None:
        self._lines = array("q")
        self._indicators = array("i")  # positions in _texts, as are regions, notes and sources; _TAKEN
        self._regions = array("i")
        self._years = array("h")
        self._numbers = (array("d"), array("d"), array("d"))  # value, numerator, denominator; NaN = None
        self._statuses = array("B")  # positions in _STATUSES
        self._flags = array("i")  # positions in _flag_sets
        self._notes = array("i")
        self._sources = array("i")
        self._texts: list[str | None] = [None]
        self._text_positions: dict[str | None, int] = {None: 0}
        self._flag_sets: list[frozenset[Flag]] = []
        self._flag_positions: dict[frozenset[Flag], int] = {}
        self._n_taken = 0  # rows taken but still in the columns

    def __len__(self) -> int:
        return len(self._lines) - self._n_taken

    def __iter__(self) -> Iterator[TidyRow]:
        return (self._row(i) for i, position in enumerate(self._indicators) if position != _TAKEN)

    @property
    def indicators(self) -> list[str]:
        """The indicator ids, in the order they first occur."""
        positions = dict.fromkeys(self._indicators)
        positions.pop(_TAKEN, None)
        return [cast(str, self._texts[position]) for position in positions]

    def rows_of(self, indicator: str) -> list[TidyRow]:
        """The rows of one indicator, in file order."""
        wanted = self._text_positions.get(indicator)
        return [self._row(i) for i, position in enumerate(self._indicators) if position == wanted]

    def take(self, indicator: str) -> list[TidyRow]:
        """:meth:`rows_of`, which the table then forgets. Its columns are rewritten without the rows taken
        once they are half of them, so taking every indicator in turn costs about one more pass."""
        wanted = self._text_positions.get(indicator)
        taken = [i for i, position in enumerate(self._indicators) if position == wanted]
        rows = [self._row(i) for i in taken]
        for i in taken:
            self._indicators[i] = _TAKEN
        self._n_taken += len(taken)
        if self._n_taken * 2 >= len(self._lines):
            self._drop_taken()
        return rows

    def _drop_taken(self) -> None:
        kept = [position != _TAKEN for position in self._indicators]
        for name in ("_lines", "_indicators", "_regions", "_years", "_statuses", "_flags", "_notes", "_sources"):
            column: array[Any] = getattr(self, name)
            setattr(self, name, array(column.typecode, compress(column, kept)))
        value, numerator, denominator = (array("d", compress(column, kept)) for column in self._numbers)
        self._numbers = (value, numerator, denominator)
        self._n_taken = 0

    def append(self, row: TidyRow) -> None:
        self._lines.append(row.line)
        self._indicators.append(self._text(row.indicator))
        self._regions.append(self._text(row.region))
        self._years.append(row.year)
        for column, number in zip(self._numbers, (row.value, row.numerator, row.denominator), strict=True):
            column.append(_NO_NUMBER if number is None else number)
        self._statuses.append(_STATUS_POSITIONS[row.status])
        flags = self._flag_positions.setdefault(row.flags, len(self._flag_sets))
        if flags == len(self._flag_sets):
            self._flag_sets.append(row.flags)
        self._flags.append(flags)
        self._notes.append(self._text(row.note))
        self._sources.append(self._text(row.source))

    def key_of(self, row: TidyRow) -> int:
        """A number for ``row.key()`` (indicator, region, year): equal keys, equal numbers; small to keep."""
        return (self._text(row.indicator) << 48) | (self._text(row.region) << 16) | (row.year & 0xFFFF)

    def _text(self, text: str | None) -> int:
        position = self._text_positions.setdefault(text, len(self._texts))
        if position == len(self._texts):
            self._texts.append(text)
        return position

    def _row(self, i: int) -> TidyRow:
        texts = self._texts
        value, numerator, denominator = (column[i] for column in self._numbers)
        return TidyRow(
            line=self._lines[i],
            indicator=cast(str, texts[self._indicators[i]]),
            region=cast(str, texts[self._regions[i]]),
            year=self._years[i],
            value=None if math.isnan(value) else value,
            numerator=None if math.isnan(numerator) else numerator,
            denominator=None if math.isnan(denominator) else denominator,
            status=_STATUSES[self._statuses[i]],
            flags=self._flag_sets[self._flags[i]],
            note=texts[self._notes[i]],
            source=texts[self._sources[i]],
        )


_TAKEN = -1  # in _indicators: a row handed out by TidyTable.take
_NO_NUMBER = math.nan  # stands for None: no number read is NaN (non-finite numbers are refused)
_STATUSES = tuple(Status)
_STATUS_POSITIONS = {status: position for position, status in enumerate(_STATUSES)}


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


def _read_xlsx(path: Path, table: TidyTable, structure: ProblemCollector, content: ProblemCollector) -> None:
    with open_sheet(path, printable_path(path), XLSX_SHEET_NAME) as sheet:
        if not sheet.header:
            structure.add("the sheet is empty: expected the column names in row 1", line=1)
            return
        _read_rows(tuple(sheet.header), sheet.records(structure), table, content)


# --- checking rows -----------------------------------------------------------------------------------------


def _read_rows(
    columns: tuple[str, ...],
    cell_rows: Iterable[tuple[int, Mapping[str, object]]],
    table: TidyTable,
    problems: ProblemCollector,
) -> None:
    """Check the header, then each row, appending the valid ones to ``table``. Reads ``cell_rows`` to the end
    even when nothing more is checked: its structural problems are found as it is read."""
    header_ok = check_header(
        columns,
        problems,
        required=REQUIRED_COLUMNS,
        optional=TIDY_COLUMNS[len(REQUIRED_COLUMNS) :],
        extra_prefix=EXTRA_COLUMN_PREFIX,
    )
    if not {"value", "numerator"} & set(columns):
        problems.add("needs a 'value' or a 'numerator' column (or both)", line=1)
        header_ok = False
    first_line_of: dict[int, int] = {}  # TidyTable.key_of(row) -> line
    for line, cells in cell_rows:
        if not header_ok or problems.full:
            continue
        row = _row_from_cells(line, cells, problems)
        if row is None:
            continue
        first = first_line_of.setdefault(table.key_of(row), line)
        if first != line:
            problems.add(
                f"duplicate observation {row.indicator!r}, region {row.region}, {row.year}: lines {first} and {line}",
                line=line,
                field="indicator, region, year",
            )
            continue
        table.append(row)


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
