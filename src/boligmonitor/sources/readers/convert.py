"""Turn a :class:`Cube` into a tidy CSV: one row per cell, one column per dimension, then value and status.

Columns: every dimension id exactly as published (spaces and non-ASCII letters included), holding the
category codes; ``value`` (decimal point, never an exponent, integers without ``.0``, empty when there is
no number); ``status`` (the SSB symbol, empty for an ordinary value); and ``flags`` (boligmonitor's flags,
comma separated) when the cube has any, so that no caveat is lost on the way out. UTF-8, comma separated,
RFC 4180 quoting and line ends. Backs ``boligmonitor convert FILE --to csv``.
"""

from __future__ import annotations

import csv
import math
import os
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Final, TextIO

from boligmonitor.core.errors import InputError
from boligmonitor.core.status import Status
from boligmonitor.sources.cube import Cube
from boligmonitor.sources.readers.limits import printable_path
from boligmonitor.sources.readers.registry import CONVERT_SNIFFING, read_cube, read_head, sniff_format

VALUE_COLUMN: Final = "value"
STATUS_COLUMN: Final = "status"
FLAGS_COLUMN: Final = "flags"


def tidy_columns(cube: Cube) -> list[str]:
    """The header of the tidy form; ValueError if a dimension id clashes with value/status/flags."""
    extra = [VALUE_COLUMN, STATUS_COLUMN] + ([FLAGS_COLUMN] if any(cube.flags.values()) else [])
    clashes = [d.id for d in cube.dimensions if d.id in extra]
    if clashes:
        raise ValueError(f"dimension ids clash with the tidy columns {extra}: {', '.join(clashes)}")
    return [*cube.ids, *extra]


def cube_to_tidy_rows(cube: Cube) -> Iterator[dict[str, str]]:
    """Every cell as a row keyed by :func:`tidy_columns`, in the cube's row-major order."""
    columns = tidy_columns(cube)
    for row in _rows(cube, with_flags=FLAGS_COLUMN in columns):
        yield dict(zip(columns, row, strict=True))


def write_tidy_csv(cube: Cube, out: TextIO | Path) -> int:
    """Write the tidy CSV to a text stream (open it with ``newline=""``) or a file; returns rows written.

    A file is written to a temporary name and moved into place, so a failure leaves nothing behind.
    """
    columns = tidy_columns(cube)
    if isinstance(out, Path):
        handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                written = _write(cube, columns, stream)
            Path(temporary).replace(out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return written
    return _write(cube, columns, out)


def convert_file(path: Path, out: TextIO) -> int:
    """Read a JSON-stat dataset or an SSB statbank CSV (told apart by content) and write it as tidy CSV."""
    cube = read_cube_file(path)
    try:
        columns = tidy_columns(cube)
    except ValueError as error:
        raise InputError.single(printable_path(path), str(error), field=VALUE_COLUMN) from None
    return _write(cube, columns, out)


def read_cube_file(path: Path) -> Cube:
    """A JSON-stat file if its first non-blank character is ``{`` (after a byte order mark), else a statbank
    CSV (:data:`~boligmonitor.sources.readers.registry.CONVERT_SNIFFING`)."""
    try:
        head = read_head(path)
    except OSError as error:
        raise InputError.single(printable_path(path), f"cannot read the file: {error.strerror or error}") from None
    return read_cube(path, sniff_format(path, head, CONVERT_SNIFFING))


def format_value(value: float | None) -> str:
    """Plain decimal notation: ``81240``, ``7.5``, ``0.00001``, ``""`` for no value."""
    if value is None:
        return ""
    if type(value) is int:
        return str(value)
    if not math.isfinite(value):
        raise ValueError(f"{value!r} is not a value (a missing value is None)")
    if value == 0:
        return "0"  # also for -0.0
    text = repr(float(value))  # the shortest text that reads back as the same float
    if "e" in text:
        return format(Decimal(text), "f")
    return text.removesuffix(".0")


def _write(cube: Cube, columns: list[str], stream: TextIO) -> int:
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in _rows(cube, with_flags=FLAGS_COLUMN in columns):
        writer.writerow(row)
        count += 1
    return count


def _rows(cube: Cube, *, with_flags: bool) -> Iterator[list[str]]:
    sizes = cube.shape
    code_lists = [d.codes for d in cube.dimensions]
    indices = [0] * len(sizes)
    status = cube.status
    flags = cube.flags
    ordinary = Status.OK
    for flat, value in enumerate(cube.values):
        row = [code_lists[k][i] for k, i in enumerate(indices)]
        row.append(format_value(value))
        row.append(status.get(flat, ordinary).value)
        if with_flags:
            row.append(",".join(sorted(flags.get(flat, ()))))
        yield row
        for k in range(len(sizes) - 1, -1, -1):
            indices[k] += 1
            if indices[k] < sizes[k]:
                break
            indices[k] = 0
