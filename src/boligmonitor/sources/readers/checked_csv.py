"""Shared helpers for reading text input files strictly: encoding, CSV dialect, numbers, headers.

Every check here reports where the problem is (file, line, field) and never guesses: a file that is not in
the expected encoding is rejected with a hint, not decoded some other way; a number that could be read two
ways (``1,234``-style thousands separators next to a decimal mark) is rejected, not interpreted.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TextIO, TypeVar

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.regions import RegionLevel, normalise_region_code, region_level
from boligmonitor.sources.readers.limits import (
    FIELD_TOO_LONG,
    MAX_LINE_CHARS,
    check_file_size,
    check_row_count,
    is_field_too_long,
    line_too_long,
    printable_path,
)

# Enough to show a user every kind of mistake in a file without drowning them (or memory) in repeats.
DEFAULT_PROBLEM_CAP = 200

CSV_DELIMITERS = (",", ";")

_UTF8_BOM = "\ufeff"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF16_MESSAGE = "the file is UTF-16 (Excel's 'Unicode text'); save it as 'CSV UTF-8' and import it again"


class ProblemCollector:
    """Collects the problems of one file, up to a cap, so that a user can fix them all at once."""

    def __init__(self, file: str, cap: int = DEFAULT_PROBLEM_CAP) -> None:
        self.file = file
        self.cap = cap
        self._problems: list[InputProblem] = []
        self.full = False

    def add(self, message: str, line: int | None = None, field: str | None = None) -> None:
        self._add(InputProblem(file=self.file, message=message, line=line, field=field))

    def extend(self, other: ProblemCollector) -> None:
        """Add ``other``'s problems after this one's, in the order they were found, as if added here."""
        listed = other._problems[:-1] if other.full else other._problems
        for problem in listed:
            self._add(problem)
        if other.full:  # other stopped at its cap, so this one has reached its own (equal or smaller) cap
            self._add(listed[-1])

    def _add(self, problem: InputProblem) -> None:
        if self.full:
            return
        if len(self._problems) >= self.cap:
            self._problems.append(
                InputProblem(file=self.file, message=f"more problems not listed: stopped after {self.cap}")
            )
            self.full = True
            return
        self._problems.append(problem)

    @property
    def problems(self) -> tuple[InputProblem, ...]:
        """In file order (problems without a line first); a "stopped after" note stays last."""
        listed = self._problems[:-1] if self.full else self._problems
        ordered = sorted(listed, key=lambda p: -1 if p.line is None else p.line)
        return (*ordered, *self._problems[len(listed) :])

    def __len__(self) -> int:
        return len(self._problems)

    def raise_if_any(self) -> None:
        if self._problems:
            raise InputError(self.problems)


# --- encoding ---------------------------------------------------------------------------------------------


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """The whole file as text, decoded strictly. A UTF-8 byte order mark is allowed and removed.

    A file that does not decode raises InputError naming the line of the first bad byte; for UTF-8 it says
    what the line would read as Windows-1252 (the usual culprit: Excel's "CSV (semicolon separated)").
    """
    file = printable_path(path)
    check_file_size(path, file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError.single(file, f"cannot read the file: {exc.strerror or exc}") from exc
    is_utf8 = _is_utf8(encoding)
    if is_utf8 and data.startswith(_UTF16_BOMS):
        raise InputError.single(file, _UTF16_MESSAGE, line=1)
    try:
        text = data.decode(encoding)
    except LookupError as exc:
        raise InputError.single(file, f"unknown encoding {encoding!r}") from exc
    except UnicodeDecodeError as exc:
        message = _decode_error_message(data, exc, encoding)
        raise InputError.single(file, message, line=_line_of(data, exc.start)) from exc
    if text.startswith(_UTF8_BOM):
        text = text[1:]
    return text


def _is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode_error_message(data: bytes, exc: UnicodeDecodeError, encoding: str) -> str:
    bad = data[exc.start : exc.start + 1].hex().upper()
    if not _is_utf8(encoding):
        return f"not valid {encoding}: byte 0x{bad} cannot be decoded"
    line_start = data.rfind(b"\n", 0, exc.start) + 1
    line_end = data.find(b"\n", exc.start)
    raw_line = data[line_start : line_end if line_end >= 0 else len(data)].rstrip(b"\r")
    as_cp1252 = raw_line.decode("cp1252", errors="replace")
    if len(as_cp1252) > 80:
        as_cp1252 = as_cp1252[:77] + "..."
    return (
        f"not valid UTF-8 (byte 0x{bad} cannot be decoded). The file is probably Windows-1252/Latin-1, "
        f"as Excel writes 'CSV (semicolon separated)'; read that way the line says {as_cp1252!r}. "
        "Save the file as 'CSV UTF-8' and import it again"
    )


# --- CSV ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvRecord:
    """One data row: ``line`` is where the row starts in the file (header = line 1)."""

    line: int
    fields: tuple[str, ...]


@dataclass(frozen=True)
class CsvTable:
    delimiter: str
    columns: tuple[str, ...]
    records: tuple[CsvRecord, ...]

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Each record as (line, {column: text}); use only after the header was checked for duplicates."""
        for record in self.records:
            yield record.line, dict(zip(self.columns, record.fields, strict=True))


def sniff_delimiter(header_line: str) -> str:
    """',' or ';', decided from the header line alone (column names contain neither).

    Raises ValueError when the header contains both, since then either choice could be wrong, and
    csv.Error for a header field over :data:`~.limits.MAX_CSV_FIELD_CHARS`.
    """
    widths = {d: len(next(csv.reader([header_line], delimiter=d), [])) for d in CSV_DELIMITERS}
    several = [d for d, width in widths.items() if width > 1]
    if len(several) > 1:
        raise ValueError("the header contains both ',' and ';': cannot tell which one separates the columns")
    return several[0] if several else ","


def read_csv_table(path: Path, problems: ProblemCollector, encoding: str = "utf-8") -> CsvTable | None:
    """Parse a CSV file separated by ',' or ';' (sniffed from the header) into records with line numbers.

    The whole file at once: :func:`open_csv_table` (which this reads through) says what is checked.
    """
    stream = open_csv_table(path, problems, encoding)
    if stream is None:
        return None
    with stream:
        return CsvTable(delimiter=stream.delimiter, columns=stream.columns, records=tuple(stream.records()))


def open_csv_table(path: Path, problems: ProblemCollector, encoding: str = "utf-8") -> CsvStream | None:
    """Open a CSV file separated by ',' or ';' (sniffed from the header) to read it record by record.

    Structural problems (a row with the wrong number of fields, a truncated last line, an unclosed quote, a
    field over :data:`~.limits.MAX_CSV_FIELD_CHARS`) go into ``problems`` as the records are read; rows with
    the wrong number of fields are left out. Returns None when there is no usable header. Rows whose fields
    are all empty (Excel leaves such rows behind) are skipped. Encoding problems, a line over
    :data:`~.limits.MAX_LINE_CHARS` and more than :data:`~.limits.MAX_ROWS` rows raise InputError at once:
    nothing else in the file can be trusted then. The file is read once, as the records are asked for.
    """
    lines = _TextLines.open(path, printable_path(path), encoding)
    try:
        stream = _open_stream(problems, lines)
    except BaseException:
        lines.close()
        raise
    if stream is None:
        lines.close()
    return stream


def _open_stream(problems: ProblemCollector, lines: _TextLines) -> CsvStream | None:
    leading = lines.leading_blank_lines()
    if not "".join(leading).strip():
        problems.add("the file is empty: expected a header line with the column names", line=1)
        return None
    first_line = leading[0].splitlines()[0] if leading[0] else ""
    try:
        delimiter = sniff_delimiter(first_line)
    except ValueError as exc:
        problems.add(str(exc), line=1)
        return None
    except csv.Error as exc:
        problems.add(_csv_error_message(str(exc)), line=1)
        return None
    cursor = _CsvCursor(lines, leading, delimiter, problems)
    header = cursor.next_fields()
    if header is not None and not header:
        problems.add("the first line is empty: the column names must be on line 1", line=1)
        return None
    if header is None:
        problems.add("the file is empty: expected a header line with the column names", line=1)
        return None
    return CsvStream(delimiter, tuple(name.strip() for name in header), cursor)


class CsvStream:
    """An open CSV file whose header has been read: :meth:`records` reads the rest, once, and closes it."""

    def __init__(self, delimiter: str, columns: tuple[str, ...], cursor: _CsvCursor) -> None:
        self.delimiter = delimiter
        self.columns = columns
        self._cursor = cursor

    def __enter__(self) -> CsvStream:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._cursor.lines.close()

    def records(self) -> Iterator[CsvRecord]:
        """The data records in file order (see :func:`open_csv_table` for what is left out)."""
        cursor = self._cursor
        n_records = 0
        try:
            while (fields := cursor.next_fields()) is not None:
                if not any(f.strip() for f in fields):
                    continue
                n_records += 1
                check_row_count(n_records, cursor.lines.file, cursor.start_line)
                if len(fields) != len(self.columns):
                    at_end = not cursor.lines.ended_with_line_break
                    message = _field_count_message(len(fields), len(self.columns), self.delimiter, at_end)
                    cursor.problems.add(message, cursor.start_line)
                    continue
                yield CsvRecord(line=cursor.start_line, fields=tuple(fields))
        finally:
            self.close()

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Each record as (line, {column: text}); use only after the header was checked for duplicates."""
        columns = self.columns
        for record in self.records():
            yield record.line, dict(zip(columns, record.fields, strict=True))


class _CsvCursor:
    """csv.reader over the lines of a file, with the line each record starts on; a malformed record is
    recorded as a problem and ends the reading."""

    def __init__(self, lines: _TextLines, leading: list[str], delimiter: str, problems: ProblemCollector) -> None:
        self.lines, self.problems = lines, problems
        self.reader = csv.reader(itertools.chain(leading, lines), delimiter=delimiter, strict=True)
        self.start_line = 0  # where the last record returned starts
        self.last_line = 0  # where it ends
        self.failed = False

    def next_fields(self) -> list[str] | None:
        if self.failed:
            return None
        try:
            fields = next(self.reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            self.failed = True
            self.problems.add(_csv_error_message(str(exc)), line=self.last_line + 1)
            return None
        self.start_line = self.last_line + 1
        self.last_line = self.reader.line_num
        return fields


class _TextLines:
    """The lines of a text file, decoded strictly as they are read; line ends kept (as ``newline=""``)."""

    def __init__(self, handle: TextIO, path: Path, file: str, encoding: str) -> None:
        self._handle = handle
        self._path, self.file, self._encoding = path, file, encoding
        self.count = 0
        self.ended_with_line_break = True

    @classmethod
    def open(cls, path: Path, file: str, encoding: str) -> _TextLines:
        """Open ``path``; the errors :func:`read_text` would give for an unreadable, too large or UTF-16 file
        or an unknown encoding are raised here."""
        check_file_size(path, file)
        try:
            binary = path.open("rb")
        except OSError as exc:
            raise InputError.single(file, f"cannot read the file: {exc.strerror or exc}") from exc
        try:
            if _is_utf8(encoding) and binary.read(2) in _UTF16_BOMS:
                raise InputError.single(file, _UTF16_MESSAGE, line=1)
            binary.seek(0)
            try:
                handle = io.TextIOWrapper(binary, encoding=encoding, errors="strict", newline="")
            except LookupError as exc:
                raise InputError.single(file, f"unknown encoding {encoding!r}") from exc
        except BaseException:
            binary.close()
            raise
        return cls(handle, path, file, encoding)

    def close(self) -> None:
        self._handle.close()

    def leading_blank_lines(self) -> list[str]:
        """The first lines up to and including the first that is not blank (a UTF-8 byte order mark removed)."""
        leading: list[str] = []
        for line in self:
            if not leading:
                line = line.removeprefix(_UTF8_BOM)
            leading.append(line)
            if line.strip():
                break
        return leading

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        try:
            line = self._handle.readline(MAX_LINE_CHARS + 2)  # room for the longest line and its "\r\n"
        except UnicodeDecodeError:
            self.close()
            read_text(self._path, self._encoding)  # words it as for a whole file: the line, read as Windows-1252
            raise
        if not line:
            raise StopIteration
        self.count += 1
        if len(line) > MAX_LINE_CHARS and len(line.rstrip("\r\n")) > MAX_LINE_CHARS:
            raise line_too_long(self.file, self.count)
        self.ended_with_line_break = line.endswith(("\n", "\r"))
        return line


def _field_count_message(found: int, expected: int, delimiter: str, at_end: bool) -> str:
    message = f"{found} fields but the header has {expected}"
    if at_end and found < expected:
        return message + ", and the file ends without a line break: the file looks truncated"
    if found > expected and delimiter == ",":
        message += " (a number with a decimal comma must be quoted in a ','-separated file, or use ';')"
    return message


def _csv_error_message(detail: str) -> str:
    if "unexpected end of data" in detail:
        return "a quote opened on this line is never closed: the file looks truncated"
    if is_field_too_long(detail):
        return FIELD_TOO_LONG
    return f"malformed CSV: {detail}"


# --- header -------------------------------------------------------------------------------------------------


def check_header(
    columns: Sequence[str],
    problems: ProblemCollector,
    required: Collection[str],
    optional: Collection[str] = (),
    extra_prefix: str | None = None,
    allow_unknown: bool = False,
) -> bool:
    """Check column names against the documented ones; returns whether the header is usable.

    Unknown columns are an error unless they start with ``extra_prefix`` or ``allow_unknown`` is set;
    a near-miss (different case or spacing) gets a "did you mean" hint.
    """
    known = [*required, *optional]
    usable = True
    seen: set[str] = set()
    for position, name in enumerate(columns, start=1):
        if not name:
            problems.add(f"column {position} has no name (a separator at the end of the header?)", line=1)
            continue
        if name in seen:
            problems.add(f"column {name!r} appears more than once", line=1, field=name)
            usable = False
        seen.add(name)
        if name in known or allow_unknown or (extra_prefix and name.startswith(extra_prefix)):
            continue
        hint = _near_miss(name, known)
        allowed = ", ".join(known)
        extra = f"; extra columns must start with {extra_prefix!r}" if extra_prefix else ""
        did_you_mean = f" (did you mean {hint!r}?)" if hint else ""
        problems.add(f"unknown column {name!r}{did_you_mean}; expected {allowed}{extra}", line=1, field=name)
    for name in required:
        if name not in seen:
            problems.add(f"required column {name!r} is missing", line=1, field=name)
            usable = False
    return usable


def _near_miss(name: str, known: Sequence[str]) -> str | None:
    simple = re.sub(r"[\s_-]", "", name).lower()
    for candidate in known:
        if re.sub(r"[\s_-]", "", candidate).lower() == simple:
            return candidate
    return None


# --- values -------------------------------------------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$")
_STATUS_LIKE = {".", "..", "...", ":", "-", "*"}


def parse_number(text: str) -> float | None:
    """A number written with a decimal point or a decimal comma; empty text is None (not given).

    Raises ValueError (with a message for the user) for thousands separators, exponents, symbols and text:
    ``1.234,5``, ``1 234`` and ``12,5,3`` could each be read more than one way, so none is guessed.
    """
    stripped = text.strip()
    if not stripped:
        return None
    if _PLAIN_NUMBER.match(stripped):
        value = float(stripped.replace(",", "."))
        if math.isfinite(value):
            return value
    if stripped in _STATUS_LIKE:
        raise ValueError(f"{stripped!r} is a status symbol, not a number: put it in the status column")
    if stripped.startswith("#"):
        raise ValueError(f"{stripped!r} is a spreadsheet error, not a number")
    digits_and_marks = re.fullmatch(r"[+-]?[\d.,'\s\u00a0\u202f]+", stripped)
    if digits_and_marks and any(ch.isdigit() for ch in stripped):
        raise ValueError(
            f"{stripped!r} is not a plain number: more than one decimal mark, or thousands separators, "
            "can be read more than one way; write 1234.5 or 1234,5"
        )
    raise ValueError(f"{stripped!r} is not a number")


def number_from_cell(cell: object) -> float | None:
    """A number from a CSV text field or a spreadsheet cell (number or text); None when empty."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        raise ValueError(f"{cell!r} is a true/false value, not a number")
    if isinstance(cell, int | float):
        value = float(cell)
        if not math.isfinite(value):
            raise ValueError(f"{cell!r} is not a finite number")
        return value
    if isinstance(cell, str):
        return parse_number(cell)
    raise ValueError(f"a {type(cell).__name__} value ({cell}) is not a number")


def text_from_cell(cell: object) -> str:
    """A cell as stripped text, '' when empty; a whole number without '.0' (spreadsheets store 12 as 12.0)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def parse_year(cell: object) -> int:
    """A calendar year written with four digits (a spreadsheet number 2024 or 2024.0 counts as well)."""
    if isinstance(cell, bool):
        raise ValueError(f"{cell!r} is not a year")
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = str(cell).strip() if cell is not None else ""
    if not text:
        raise ValueError("the year is missing")
    if not re.fullmatch(r"\d{4}", text):
        raise ValueError(f"{text!r} is not a year: write four digits, e.g. 2024")
    year = int(text)
    if not 1900 <= year <= 2100:
        raise ValueError(f"year {year} is outside 1900–2100")
    return year


def parse_iso_date(text: str) -> date:
    """A date written YYYY-MM-DD (as KLASS does)."""
    stripped = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", stripped):
        raise ValueError(f"{stripped!r} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(stripped)
    except ValueError as exc:
        raise ValueError(f"{stripped!r} is not a valid date") from exc


_LEVEL_EXAMPLES: dict[RegionLevel, str] = {
    RegionLevel.COUNTRY: "0 for Norway",
    RegionLevel.COUNTY: "a county code (03)",
    RegionLevel.MUNICIPALITY: "a municipality code (0301)",
    RegionLevel.DISTRICT: "a district code (030101)",
    RegionLevel.KOSTRA_GROUP: "a KOSTRA group (EKG01)",
}


def parse_region(cell: object, levels: Collection[RegionLevel]) -> str:
    """A region code in canonical form from any spelling :func:`normalise_region_code` knows.

    A spreadsheet number is accepted only where it cannot have lost a leading zero's meaning (≥ 100 is a
    municipality); text is never padded: ``301`` is refused rather than read as 0301.
    """
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, int) and not isinstance(cell, bool):
        if cell < 100:
            raise ValueError(
                f"region {cell} is stored as a number, which drops leading zeros: store the code as text, "
                "as published (e.g. 03 or 0301)"
            )
        code = normalise_region_code(cell)
    else:
        text = text_from_cell(cell)
        if not text:
            raise ValueError("the region code is missing")
        code = normalise_region_code(text)
    if region_level(code) not in levels:
        hint = ""
        if code.isdigit() and len(code) in (1, 3, 5):
            hint = " (a leading zero lost? municipalities have 4 digits, e.g. 0301)"
        expected = ", ".join(_LEVEL_EXAMPLES[level] for level in RegionLevel if level in levels)
        raise ValueError(f"{code!r} is not a valid region code here{hint}: expected {expected}")
    return code


_T = TypeVar("_T")


class FieldChecker:
    """Converts the fields of one row, recording each problem and remembering whether any occurred."""

    def __init__(self, line: int, cells: Mapping[str, object], problems: ProblemCollector) -> None:
        self.line = line
        self.cells = cells
        self.problems = problems
        self.ok = True

    def convert(self, field: str, parse: Callable[[object], _T], default: _T) -> _T:
        """``parse(cell)``, or ``default`` after recording the ValueError's message as a problem."""
        try:
            return parse(self.cells.get(field))
        except ValueError as exc:
            self.fail(field, str(exc))
            return default

    def fail(self, field: str, message: str) -> None:
        self.ok = False
        self.problems.add(message, line=self.line, field=field)
