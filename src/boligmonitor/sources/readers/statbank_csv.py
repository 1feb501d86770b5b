"""Read SSB statbank CSV downloads ("Lagre som CSV" on ssb.no/statbank) as :class:`Cube`.

Supported layouts
-----------------
Either layout may start with a title line -- one field, e.g.
``"07459: Befolkning, etter region, alder, statistikkvariabel og år"`` -- and blank lines before the header.
The title becomes ``Cube.label``; its table number goes to ``extension["statbank_csv"]["table_id"]``.

(a) Long ("tidy"): one column per dimension, then one value column whose header names the measure::

        "region";"alder";"statistikkvariabel";"år";"Personer"
        "0301 Oslo";"0 år";"Personer";"2024";7394

(b) Wide, SSB's usual download: the stub dimensions, then one value column per combination of the heading
    dimensions (statistikkvariabel and time), headed ``<statistikkvariabel> <time code>``::

        "region";"alder";"Personer 2023";"Personer 2024"
        "0301 Oslo";"0 år";7501;7394

    A value header that is only a time code (``"2024"``) means the heading has no statistikkvariabel.
    The statistikkvariabel dimension gets the id ``statistikkvariabel`` (its codes are the labels, the
    only thing the file gives); the time dimension is named after the title's last word (``… og år`` ->
    ``år``) or else after the shape of its codes (``år``, ``kvartal``, ``måned``, ``tid``).

The layout is (b) when the last column headers end in a time code: 2024, 2024K1 (quarter), 2024M01
(month), 2024H1, 2024T1, 2024U01 (week) or 2020-2024. Otherwise it is (a) and the last column holds values.

Cells
-----
- Separator ``;`` (tab and ``,`` are recognised too, from the header line); decimal comma (a decimal point
  is accepted). No thousands separators (SSB writes none).
- ``.`` (not applicable), ``..`` (missing), ``...`` (not yet available), ``:`` (confidential): no value,
  with that status. ``-`` (nil) is a real zero with status nil. Anything else must be a number.
- Category cells like ``0301 Oslo`` carry code and label, split at the first space. A column is split
  only when every cell looks so -- the code part is digits and capital letters (with a digit, or all
  capitals), the label part starts with a capital or a digit -- and both codes and labels come out
  distinct; otherwise ``0 år``, ``1 rom``, … would lose their number. Unsplit cells are code and label
  at once.
- Dimension ids are the header texts exactly. Roles: time for a column headed år/kvartal/måned/…/year/
  quarter/month (or the wide layout's time), geo for ``region``, metric for ``statistikkvariabel``/
  ``contents``.
- Lines with a single field after a blank line at the end are kept as ``Cube.notes``.

Encodings: UTF-8 with or without BOM, UTF-16 with BOM, otherwise Windows-1252 (which covers the printable
ISO-8859-1 characters of SSB's older downloads); the one used is recorded in the extension. A file that
mixes UTF-8 with another encoding, decodes as neither, or holds control characters is rejected as
"wrong encoding" naming the line.

Every combination of categories must occur exactly once. Bad cells, wrong column counts, duplicate or
missing combinations and a truncated last line raise :class:`InputError` with file, line and column name.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Final

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.status import Status
from boligmonitor.sources.cube import Cube, Dimension
from boligmonitor.sources.readers.limits import (
    FIELD_TOO_LONG,
    check_file_size,
    check_row_count,
    is_field_too_long,
    printable_path,
)

_SEPARATORS: Final = (";", "\t", ",")
_TIME_CODE: Final = r"\d{4}(?:[KMHTU]\d{1,2}|-\d{4})?"
_VALUE_HEADER: Final = re.compile(rf"(?:(?P<content>.*\S)\s+)?(?P<time>{_TIME_CODE})")
_TIME_ONLY: Final = re.compile(_TIME_CODE)
_NUMBER: Final = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_CODE_AND_LABEL: Final = re.compile(r"(?P<code>[0-9A-Z][0-9A-Z+_.\-]*) (?P<label>\S.*)")
_TITLE_TABLE_ID: Final = re.compile(r"\s*(\d{5})\s*:")
_TITLE_TIME_NAME: Final = re.compile(r"\b(?:og|and)\s+(\w+)\s*$")
_UTF8_MULTIBYTE: Final = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CONTROL_CHARACTER: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_SYMBOL_STATUS: Final = {
    ".": Status.NOT_APPLICABLE,
    "..": Status.MISSING,
    "...": Status.NOT_YET_AVAILABLE,
    ":": Status.CONFIDENTIAL,
}
_TIME_NAMES: Final = frozenset(
    {"år", "kvartal", "måned", "uke", "halvår", "tertial", "tid", "year", "quarter", "month", "week", "time"}
)
_GEO_NAMES: Final = frozenset({"region"})
_METRIC_NAMES: Final = frozenset({"statistikkvariabel", "contents"})
_CONTENT_DIMENSION_ID: Final = "statistikkvariabel"
_MAX_PROBLEMS: Final = 200


@dataclass(frozen=True)
class _Record:
    line: int
    fields: list[str]

    @property
    def blank(self) -> bool:
        return not any(f.strip() for f in self.fields)


@dataclass(frozen=True)
class _Layout:
    name: str  # "long" or "wide"
    stub: list[str]  # headers of the dimension columns, in file order
    # wide: (content label or None, time code) per value column; long: one entry (None, "")
    heading: list[tuple[str | None, str]]
    value_column: str = ""  # long: the value column's header, which names the measure


def read_statbank_csv(path: Path, *, name: str | None = None) -> Cube:
    """Read one statbank CSV download (layouts and rules in the module docstring)."""
    file = name or printable_path(path)
    check_file_size(Path(path), file)
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise InputError.single(file, f"cannot read the file: {error.strerror or error}") from None
    text, encoding = _decode(raw, file)
    records, ends_with_newline = _records(text, file)
    return _StatbankReader(file, encoding, ends_with_newline).read(records)


# ------------------------------------------------------------------------------------------- decoding


def _decode(raw: bytes, file: str) -> tuple[str, str]:
    if raw.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as utf_error:
        if encoding != "utf-8":
            raise _wrong_encoding(file, raw, utf_error.start, f"not valid {encoding.upper()}") from None
        if _UTF8_MULTIBYTE.search(raw):
            raise _wrong_encoding(
                file, raw, utf_error.start, "mixes UTF-8 with another encoding (save the file as UTF-8)"
            ) from None
        try:
            text, encoding = raw.decode("cp1252"), "windows-1252"
        except UnicodeDecodeError as error:
            raise _wrong_encoding(
                file, raw, error.start, "neither UTF-8 nor Windows-1252/ISO-8859-1 (save the file as UTF-8)"
            ) from None
    control = _CONTROL_CHARACTER.search(text)
    if control:
        raise InputError.single(
            file,
            f"wrong encoding: control character U+{ord(control.group()):04X} in the text "
            "(is it UTF-16 without a byte order mark, or not a CSV file?)",
            line=text.count("\n", 0, control.start()) + 1,
        )
    return text, encoding.removesuffix("-sig")


def _wrong_encoding(file: str, raw: bytes, position: int, message: str) -> InputError:
    return InputError.single(file, f"wrong encoding: {message}", line=raw.count(b"\n", 0, position) + 1)


# --------------------------------------------------------------------------------------------- records


def _records(text: str, file: str) -> tuple[list[_Record], bool]:
    separator = _detect_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    records: list[_Record] = []
    try:
        for fields in reader:
            records.append(_Record(reader.line_num, fields))
            check_row_count(len(records), file, reader.line_num)
    except csv.Error as error:
        if is_field_too_long(str(error)):  # named by the line its record starts on
            start = records[-1].line + 1 if records else 1
            raise InputError.single(file, FIELD_TOO_LONG, line=start) from None
        hint = " (truncated file?)" if "end of data" in str(error) else ""
        raise InputError.single(file, f"malformed CSV: {error}{hint}", line=reader.line_num) from None
    return records, text.endswith(("\n", "\r"))


def _detect_separator(text: str) -> str:
    """The separator that splits the header (the first or second non-blank line) into several fields."""
    lines = [line for line in text.splitlines()[:20] if line.strip()][:2]
    for separator in _SEPARATORS:
        for line in lines:
            try:
                fields = next(csv.reader([line], delimiter=separator), [])
            except csv.Error:  # a field over the limit: _records reports it with its line
                continue
            if len(fields) > 1:
                return separator
    return _SEPARATORS[0]


# ----------------------------------------------------------------------------------------------- cells


def _parse_value(text: str) -> tuple[float | None, Status] | None:
    cell = text.strip()
    symbol = _SYMBOL_STATUS.get(cell)
    if symbol is not None:
        return None, symbol
    if cell == "-":
        return 0, Status.NIL
    if _NUMBER.fullmatch(cell):
        if "," in cell or "." in cell:
            return float(cell.replace(",", ".")), Status.OK
        return int(cell), Status.OK
    return None


def _codes_and_labels(cells: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split "0301 Oslo" into code and label when the whole column is written that way (module docstring)."""
    matches = [_CODE_AND_LABEL.fullmatch(cell) for cell in cells]
    if cells and all(matches):
        codes = tuple(m.group("code") for m in matches if m)
        labels = tuple(m.group("label") for m in matches if m)
        code_like = all(any(ch.isdigit() for ch in c) or (c.isalpha() and len(c) > 1) for c in codes)
        # SSB's category labels start with a capital ("Oslo", "Menn"); "år" in "0 år" is a unit, not a label.
        label_like = not any(label[0].islower() for label in labels)
        if code_like and label_like and len(set(codes)) == len(codes) and len(set(labels)) == len(labels):
            return codes, labels
    return tuple(cells), tuple(cells)


def _time_dimension_name(title: str, codes: Sequence[str]) -> str:
    named = _TITLE_TIME_NAME.search(title)
    if named and named.group(1).casefold() in _TIME_NAMES:
        return named.group(1)
    if all(re.fullmatch(r"\d{4}", c) for c in codes):
        return "år"
    if all(re.fullmatch(r"\d{4}K\d", c) for c in codes):
        return "kvartal"
    if all(re.fullmatch(r"\d{4}M\d\d", c) for c in codes):
        return "måned"
    return "tid"


# ---------------------------------------------------------------------------------------------- reader


class _StatbankReader:
    def __init__(self, file: str, encoding: str, ends_with_newline: bool) -> None:
        self.file = file
        self.encoding = encoding
        self.ends_with_newline = ends_with_newline
        self.problems: list[InputProblem] = []
        self.n_problems = 0

    def problem(self, message: str, line: int | None = None, field: str | None = None) -> None:
        self.n_problems += 1
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append(InputProblem(self.file, message, line, field))

    def fail_if_problems(self) -> None:
        if self.n_problems > len(self.problems):
            more = self.n_problems - len(self.problems)
            self.problems.append(InputProblem(self.file, f"{more} more problems of the same kinds"))
        if self.problems:
            raise InputError(self.problems)

    def read(self, records: list[_Record]) -> Cube:
        title, header, rows, notes = self._sections(records)
        layout = self._layout(header)
        self.fail_if_problems()
        return self._cube(title, header, layout, rows, notes)

    def _sections(self, records: list[_Record]) -> tuple[str, _Record, list[_Record], tuple[str, ...]]:
        filled = [r for r in records if not r.blank]
        if not filled:
            raise InputError.single(self.file, "the file is empty", line=1)
        title = ""
        if len(filled[0].fields) == 1 and len(filled) > 1:
            title = filled[0].fields[0].strip()
            filled = filled[1:]
        header = filled[0]
        body = [r for r in records if r.line > header.line]
        # Trailing notes: single-field lines after the last blank line.
        notes: tuple[str, ...] = ()
        last_blank = max((i for i, r in enumerate(body) if r.blank), default=None)
        if last_blank is not None:
            tail = [r for r in body[last_blank + 1 :] if not r.blank]
            if tail and all(len(r.fields) == 1 for r in tail) and len(header.fields) > 1:
                notes = tuple(r.fields[0].strip() for r in tail)
                body = body[:last_blank]
        return title, header, [r for r in body if not r.blank], notes

    def _layout(self, header: _Record) -> _Layout:
        names = [f.strip() for f in header.fields]
        if len(names) < 2:
            self.problem("the header needs at least one dimension column and a value column", header.line)
            return _Layout("long", names[:-1], [(None, "")], names[-1] if names else "")
        for position, column in enumerate(names):
            if not column:
                self.problem(f"column {position + 1} has no header", header.line)
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            self.problem(f"duplicate column headers: {', '.join(duplicates)}", header.line)
        first_value = len(names)
        while first_value > 1 and _VALUE_HEADER.fullmatch(names[first_value - 1]):
            first_value -= 1
        if first_value == len(names):
            return _Layout("long", names[:-1], [(None, "")], names[-1])
        heading: list[tuple[str | None, str]] = []
        for column in names[first_value:]:
            match = _VALUE_HEADER.fullmatch(column)
            assert match is not None  # checked by the loop above
            heading.append((match.group("content"), match.group("time")))
        if len({content is None for content, _ in heading}) > 1:
            self.problem(
                "some value columns name a statistikkvariabel and some do not",
                header.line,
                names[first_value],
            )
        if _CONTENT_DIMENSION_ID in names[:first_value] and heading[0][0] is not None:
            self.problem(f"a {_CONTENT_DIMENSION_ID!r} column and value headers naming one too", header.line, names[-1])
        contents = list(dict.fromkeys(c for c, _ in heading))
        times = list(dict.fromkeys(t for _, t in heading))
        if len(set(heading)) != len(heading) or len(heading) != len(contents) * len(times):
            self.problem(
                "the value columns are not one per statistikkvariabel and time "
                f"({len(contents)} × {len(times)} expected, {len(heading)} found, "
                f"{len(heading) - len(set(heading))} repeated)",
                header.line,
            )
        return _Layout("wide", names[:first_value], heading)

    def _cube(self, title: str, header: _Record, layout: _Layout, rows: list[_Record], notes: tuple[str, ...]) -> Cube:
        names = [f.strip() for f in header.fields]
        n_stub = len(layout.stub)
        n_columns = len(names)
        categories: list[dict[str, int]] = [{} for _ in range(n_stub)]
        first_line: dict[tuple[int, ...], int] = {}
        parsed: list[tuple[tuple[int, ...], list[tuple[float | None, Status]]]] = []
        for record in rows:
            fields = record.fields
            if len(fields) != n_columns:
                truncated = record is rows[-1] and not self.ends_with_newline
                self.problem(
                    f"{len(fields)} fields but the header has {n_columns}"
                    + (" (truncated last line?)" if truncated else ""),
                    record.line,
                )
                continue
            key = tuple(categories[k].setdefault(fields[k].strip(), len(categories[k])) for k in range(n_stub))
            if key in first_line:
                combination = ", ".join(f"{n}={fields[k].strip()}" for k, n in enumerate(layout.stub))
                self.problem(
                    f"duplicate combination {combination} (first on line {first_line[key]})",
                    record.line,
                    ", ".join(layout.stub),
                )
                continue
            first_line[key] = record.line
            cells: list[tuple[float | None, Status]] = []
            for column in range(n_stub, n_columns):
                cell = _parse_value(fields[column])
                if cell is None:
                    self.problem(f"not a number or SSB status symbol: {fields[column]!r}", record.line, names[column])
                    cell = (None, Status.OK)
                cells.append(cell)
            parsed.append((key, cells))
        self._check_complete(layout, categories, first_line)
        self.fail_if_problems()
        return self._assemble(title, layout, categories, parsed, notes)

    def _check_complete(
        self, layout: _Layout, categories: list[dict[str, int]], seen: dict[tuple[int, ...], int]
    ) -> None:
        expected = math.prod(len(c) for c in categories)
        if len(seen) == expected:
            return
        texts = [list(c) for c in categories]
        missing = []
        for key in product(*(range(len(c)) for c in categories)):
            if key not in seen:
                missing.append(
                    ", ".join(f"{n}={texts[k][i]}" for k, (n, i) in enumerate(zip(layout.stub, key, strict=True)))
                )
                if len(missing) == 5:
                    break
        self.problem(f"{expected - len(seen)} combinations of categories are missing, e.g. " + "; ".join(missing))

    def _assemble(
        self,
        title: str,
        layout: _Layout,
        categories: list[dict[str, int]],
        parsed: list[tuple[tuple[int, ...], list[tuple[float | None, Status]]]],
        notes: tuple[str, ...],
    ) -> Cube:
        dimensions: list[Dimension] = []
        time_taken = False
        for column, texts in zip(layout.stub, categories, strict=True):
            role = self._stub_role(column, list(texts), time_taken=time_taken or layout.name == "wide")
            time_taken = time_taken or role == "time"
            codes, labels = (tuple(texts), tuple(texts)) if role == "time" else _codes_and_labels(list(texts))
            dimensions.append(Dimension(id=column, label=column, codes=codes, labels=labels, role=role))
        # Position of each value column inside the heading block (content-major, then time).
        heading_offsets = [0]
        if layout.name == "wide":
            contents = list(dict.fromkeys(c for c, _ in layout.heading))
            times = list(dict.fromkeys(t for _, t in layout.heading))
            if contents != [None]:
                labels = tuple(c for c in contents if c is not None)
                dimensions.append(
                    Dimension(_CONTENT_DIMENSION_ID, _CONTENT_DIMENSION_ID, labels, labels, role="metric")
                )
            time_id = _time_dimension_name(title, times)
            if time_id in layout.stub:
                raise InputError.single(
                    self.file,
                    f"the time in the value headers and the column {time_id!r} clash",
                    field=time_id,
                )
            dimensions.append(Dimension(time_id, time_id, tuple(times), tuple(times), role="time"))
            heading_offsets = [contents.index(c) * len(times) + times.index(t) for c, t in layout.heading]
        block = max(len(layout.heading), 1)
        sizes = [len(c) for c in categories]
        values: list[float | None] = [None] * (math.prod(sizes) * block)
        status: dict[int, Status] = {}
        for key, cells in parsed:
            flat_stub = 0
            for index, size in zip(key, sizes, strict=True):
                flat_stub = flat_stub * size + index
            base = flat_stub * block
            for offset, (value, symbol) in zip(heading_offsets, cells, strict=True):
                values[base + offset] = value
                if symbol is not Status.OK:
                    status[base + offset] = symbol
        details: dict[str, str] = {"layout": layout.name, "encoding": self.encoding}
        table_id = _TITLE_TABLE_ID.match(title)
        if table_id:
            details["table_id"] = table_id.group(1)
        if layout.name == "long":
            details["value_column"] = layout.value_column
        return Cube(
            dimensions=tuple(dimensions),
            values=values,
            status=status,
            label=title,
            notes=notes,
            extension={"statbank_csv": details},
        )

    @staticmethod
    def _stub_role(column: str, texts: list[str], *, time_taken: bool) -> str | None:
        folded = column.casefold()
        if folded in _TIME_NAMES and not time_taken:
            return "time"
        if folded in _GEO_NAMES:
            return "geo"
        if folded in _METRIC_NAMES:
            return "metric"
        return None
