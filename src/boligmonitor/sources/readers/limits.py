"""The limits every reader holds a file to, so that a hostile or broken file is refused with a clear message
instead of exhausting memory or crashing with a traceback. Documented in docs/tidy-format.md ("Limits").

Each limit is far above what real inputs need: the largest cube a build reads has about 960 000 cells and
SSB's API hands out at most 800 000 cells per extract; a tidy file with every indicator of the catalogue
for every region over fifty years has about two million rows. The check functions raise
:class:`~boligmonitor.core.errors.InputError` naming the file and, where there is one, the line.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Final

from boligmonitor.core.errors import InputError

MAX_FILE_BYTES: Final = 256 * 2**20
"""A file larger than this (256 MiB) is refused before it is read."""

MAX_ROWS: Final = 2_000_000
"""Data rows (records) of one CSV or spreadsheet file."""

MAX_LINE_CHARS: Final = 1_048_576
"""Characters on one line of a CSV file read line by line: tidy CSV, region and KLASS CSV files."""

MAX_CSV_FIELD_CHARS: Final = 131_072
"""Characters in one CSV field: Python's own limit (``csv.field_size_limit()``), which the readers never raise
(it is one setting for the whole process); a longer field is refused naming its line."""

MAX_JSON_DEPTH: Final = 64
"""How deeply arrays and objects may nest in a JSON file (JSON-stat needs about 6, GeoJSON 8). Checked on the raw
text before parsing, so a file of a million ``[`` never reaches the recursive parser."""

MAX_CUBE_CELLS: Final = 5_000_000
"""Cells of one JSON-stat dataset (the product of ``size``), checked before anything per cell is built: an
object-form ``value`` of a few bytes may otherwise claim billions of cells."""


def printable_path(path: Path | str) -> str:
    """``path`` as text that can be printed and stored: bytes of the name that are not UTF-8 become ``\\xNN``.

    Python keeps such bytes as lone surrogates (``\\udcff``), which no UTF-8 stream or database accepts.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def check_file_size(path: Path, file: str) -> None:
    """Refuse a file over :data:`MAX_FILE_BYTES` (an unreadable file is left to the reader to report)."""
    try:
        size = path.stat().st_size
    except OSError:
        return
    check_byte_count(size, file)


def check_byte_count(size: int, file: str) -> None:
    if size > MAX_FILE_BYTES:
        raise InputError.single(
            file,
            f"the file is {size / 2**20:.1f} MiB; files over {MAX_FILE_BYTES // 2**20} MiB are not read "
            "(split it into several files)",
        )


def check_row_count(count: int, file: str, line: int) -> None:
    """Refuse the ``count``-th row (on ``line``) when it is more than :data:`MAX_ROWS`."""
    if count > MAX_ROWS:
        raise InputError.single(file, f"more than {_grouped(MAX_ROWS)} data rows: split the file", line=line)


def line_too_long(file: str, line: int) -> InputError:
    return InputError.single(file, f"the line is longer than {_grouped(MAX_LINE_CHARS)} characters", line=line)


def is_field_too_long(csv_error: str) -> bool:
    """Whether the text of a :class:`csv.Error` says a field is over :data:`MAX_CSV_FIELD_CHARS`."""
    return "field larger than field limit" in csv_error


def _grouped(number: int) -> str:
    return f"{number:,}".replace(",", " ")


FIELD_TOO_LONG: Final = (
    f"a field is longer than {_grouped(MAX_CSV_FIELD_CHARS)} characters, the limit (is a quote never closed?)"
)


# --- JSON nesting -------------------------------------------------------------------------------------------

# A string (skipped whole: brackets inside it do not count), an opening or a closing bracket, or a quote that
# starts a string never closed (the parser stops there, so nothing after it is nested).
_JSON_TOKENS: Final = re.compile(rb'("[^"\\]*(?:\\.[^"\\]*)*")|([\[{])|([\]}])|(")', re.DOTALL)
_OPENS, _CLOSES, _UNCLOSED = 2, 3, 4
# bytes.translate arguments that keep only the brackets, braces written as brackets
_AS_BRACKETS: Final = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS: Final = bytes(sorted(set(range(256)) - set(b"[]{}")))
TOO_DEEP: Final = f"arrays and objects are nested more than {MAX_JSON_DEPTH} levels deep"


def check_json_depth(raw: str | bytes, file: str) -> None:
    """Refuse JSON nested deeper than :data:`MAX_JSON_DEPTH`, naming the line of the bracket too deep.

    Call it before :func:`json.loads`, whose recursion would otherwise end in RecursionError. The usual
    document is settled at C speed (:func:`_surely_shallow`); others are scanned token by token.
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if data.count(b"[") + data.count(b"{") <= MAX_JSON_DEPTH:
        return
    encoding = json.detect_encoding(data)
    if encoding not in ("utf-8", "utf-8-sig"):  # a byte of a UTF-16/32 character may look like a bracket
        data = data.decode(encoding, "replace").encode("utf-8")
    if _surely_shallow(data):
        return
    line = too_deep_line(data)
    if line is not None:
        raise InputError.single(file, TOO_DEEP, line=line)


def too_deep_line(data: bytes) -> int | None:
    """The line of the first bracket nested deeper than :data:`MAX_JSON_DEPTH` (strings skipped), or None."""
    depth = 0
    for match in _JSON_TOKENS.finditer(data):
        kind = match.lastindex
        if kind == _OPENS:
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return data.count(b"\n", 0, match.start()) + 1
        elif kind == _CLOSES:
            depth -= 1
        elif kind == _UNCLOSED:
            break
    return None


def _surely_shallow(data: bytes) -> bool:
    """Whether all brackets of ``data``, strings included, pair up within :data:`MAX_JSON_DEPTH` levels.

    Each pass removes the innermost pairs, one level. Brackets inside strings rarely matter (a label like
    "[1]" pairs up itself); crafted ones could hide some depth, which the parser's RecursionError, turned
    into the same message by the readers, still catches.
    """
    brackets = data.translate(_AS_BRACKETS, _NOT_BRACKETS)
    for _ in range(MAX_JSON_DEPTH):
        if not brackets:
            return True
        brackets = brackets.replace(b"[]", b"")
    return not brackets


def loads_json(text: str, file: str) -> Any:
    """``json.loads(text)`` within the limits; invalid or too deeply nested JSON raises InputError."""
    check_json_depth(text, file)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError.single(file, f"not valid JSON: {exc.msg}", line=exc.lineno) from None
    except ValueError as exc:  # a number of more than 4300 digits (int's guard against slow conversion)
        raise InputError.single(file, f"not valid JSON: {exc}".split(";")[0]) from None
    except RecursionError:  # nesting check_json_depth could not see (brackets hidden in strings)
        raise InputError.single(file, TOO_DEEP, line=too_deep_line(text.encode("utf-8", "surrogatepass"))) from None
