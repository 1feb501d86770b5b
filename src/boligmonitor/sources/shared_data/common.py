"""Shared tools of the development adapter: reading the shared files strictly, building and writing cubes.

Every reader here raises :class:`InputError` naming the shared file, line and field when a file does not
look as ``shared/data/PROVENANCE.md`` describes it, so a changed file stops the adapter instead of being
read some other way.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from boligmonitor.core.errors import InputError
from boligmonitor.core.status import Status
from boligmonitor.sources.cube import Cube, Dimension
from boligmonitor.sources.manifest import FileFormat, InputFile
from boligmonitor.sources.readers.checked_csv import ProblemCollector, check_header, read_text, sniff_delimiter
from boligmonitor.sources.readers.jsonstat import write_jsonstat


@dataclass(frozen=True)
class Workspace:
    """Where the adapter reads from (``shared``) and writes to (``out``, the staging directory)."""

    shared: Path
    out: Path

    def source(self, relative: str) -> Path:
        path = self.shared / relative
        if not path.is_file():
            raise InputError.single(str(path), "shared data file not found (see shared/data/PROVENANCE.md)")
        return path

    def target(self, relative: str) -> Path:
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


# --- reading ------------------------------------------------------------------------------------------------


def csv_rows(path: Path, required: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """The rows of a UTF-8 CSV (',' or ';') as (line, {column: text}); the header must have ``required``.

    Leaner than :func:`read_csv_table` (the shared files are large and machine-written), equally strict:
    the encoding, the header and every row's number of fields are checked.
    """
    problems = ProblemCollector(str(path))
    text = read_text(path)
    lines = text.splitlines()
    if not lines:
        raise InputError.single(str(path), "the file is empty", line=1)
    try:
        delimiter = sniff_delimiter(lines[0])
    except ValueError as exc:
        raise InputError.single(str(path), str(exc), line=1) from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        header = next(reader)
        check_header(header, problems, required=required, allow_unknown=True)
        problems.raise_if_any()
        line = reader.line_num
        for fields in reader:
            start, line = line + 1, reader.line_num
            if len(fields) != len(header):
                problems.add(f"{len(fields)} fields but the header has {len(header)}", line=start)
                continue
            rows.append((start, dict(zip(header, fields, strict=True))))
    except csv.Error as exc:
        problems.add(f"malformed CSV: {exc}", line=reader.line_num)
    problems.raise_if_any()
    return rows


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError.single(str(path), f"not valid JSON: {exc.msg}", line=exc.lineno) from exc
    except UnicodeDecodeError as exc:
        raise InputError.single(str(path), f"not valid UTF-8: {exc.reason}") from exc


class Unexpected:
    """Collects cells of a shared file that do not look as documented; raised together at the end."""

    def __init__(self, path: Path) -> None:
        self.problems = ProblemCollector(str(path))

    def add(self, message: str, line: int | None = None, field: str | None = None) -> None:
        self.problems.add(message, line=line, field=field)

    def raise_if_any(self) -> None:
        self.problems.raise_if_any()


def parse_count(text: str) -> int:
    """A non-negative whole number written with digits only (how every shared file writes counts)."""
    stripped = text.strip()
    if not stripped.isascii() or not stripped.isdigit():
        raise ValueError(f"{text!r} is not a whole number")
    return int(stripped)


def parse_decimal(text: str) -> float:
    """A non-negative decimal number written with a decimal point (``2.96``), digits only otherwise."""
    stripped = text.strip()
    head, _, tail = stripped.partition(".")
    if not head.isascii() or not head.isdigit() or (tail and not (tail.isascii() and tail.isdigit())):
        raise ValueError(f"{text!r} is not a decimal number")
    return float(stripped)


# --- building cubes -----------------------------------------------------------------------------------------


def dimension(
    dimension_id: str,
    label: str,
    categories: Sequence[tuple[str, str]],
    role: str | None = None,
    **extra: Any,
) -> Dimension:
    """A dimension from (code, label) pairs."""
    return Dimension(
        id=dimension_id,
        label=label,
        codes=tuple(code for code, _ in categories),
        labels=tuple(text for _, text in categories),
        role=role,
        **extra,
    )


def year_dimension(years: Sequence[int]) -> Dimension:
    return dimension("Tid", "år", [(str(y), str(y)) for y in years], role="time")


@dataclass
class CubeBuilder:
    """Collects cells by category codes into a dense cube; every cell not set gets a status chosen at the end.

    ``set`` refuses a cell that is set twice, so that two source rows can never silently overwrite each other.
    """

    dimensions: Sequence[Dimension]
    values: list[float | None] = field(init=False)
    status: dict[int, Status] = field(init=False, default_factory=dict)
    flags: dict[int, tuple[str, ...]] = field(init=False, default_factory=dict)
    _filled: npt.NDArray[np.bool_] = field(init=False)
    _positions: list[dict[str, int]] = field(init=False)
    _strides: list[int] = field(init=False)

    def __post_init__(self) -> None:
        size = 1
        for dim in self.dimensions:
            size *= dim.size
        self.values = [None] * size
        self._filled = np.zeros(size, dtype=np.bool_)
        self._positions = [{code: i for i, code in enumerate(dim.codes)} for dim in self.dimensions]
        strides = []
        stride = 1
        for dim in reversed(self.dimensions):
            strides.append(stride)
            stride *= dim.size
        self._strides = strides[::-1]

    def flat(self, codes: Sequence[str]) -> int:
        """The flat index of a cell; KeyError names a code that is not a category of its dimension."""
        flat = 0
        for position, stride, code, dim in zip(self._positions, self._strides, codes, self.dimensions, strict=True):
            try:
                flat += position[code] * stride
            except KeyError:
                raise KeyError(f"{code!r} is not a category of dimension {dim.id!r}") from None
        return flat

    def set(
        self,
        codes: Sequence[str],
        value: float | None,
        status: Status = Status.OK,
        flags: Sequence[str] = (),
    ) -> int:
        flat = self.flat(codes)
        if self._filled[flat]:
            raise ValueError(f"cell {tuple(codes)} is given twice")
        self._filled[flat] = True
        self.values[flat] = value
        if status is not Status.OK:
            self.status[flat] = status
        if flags:
            self.flags[flat] = tuple(sorted(set(flags)))
        return flat

    def add_flags(self, flat: int, flags: Sequence[str]) -> None:
        self.flags[flat] = tuple(sorted(set(self.flags.get(flat, ())) | set(flags)))

    def unset_cells(self) -> Iterator[tuple[int, tuple[str, ...]]]:
        """(flat index, codes) of every cell not set yet, in row-major order."""
        flats = np.flatnonzero(~self._filled)
        shape = tuple(dim.size for dim in self.dimensions)
        indices = np.unravel_index(flats, shape)
        columns = [
            [dim.codes[i] for i in positions.tolist()] for dim, positions in zip(self.dimensions, indices, strict=True)
        ]
        for k, flat in enumerate(flats.tolist()):
            yield flat, tuple(column[k] for column in columns)

    def fill_unset(self, status_of: Status | Callable[[tuple[str, ...]], Status]) -> int:
        """Give each unset cell a status, no value: one for all, or ``status_of(codes)``; returns how many."""
        if isinstance(status_of, Status):
            if status_of.has_value:
                raise ValueError(f"unset cells cannot have status {status_of.value!r}: they have no number")
            unset = np.flatnonzero(~self._filled).tolist()
            self.status.update(dict.fromkeys(unset, status_of))
            self._filled[:] = True
            return len(unset)
        count = 0
        for flat, codes in list(self.unset_cells()):
            status = status_of(codes)
            if status.has_value:
                raise ValueError(f"an unset cell {codes} cannot have status {status.value!r}: it has no number")
            self.status[flat] = status
            count += 1
        self._filled[:] = True
        return count

    def build(self, *, label: str, source: str, notes: Sequence[str] = (), updated: str | None = None) -> Cube:
        if not self._filled.all():
            missing = next(self.unset_cells())[1]
            raise ValueError(f"cells were never set, e.g. {missing}: call fill_unset first")
        return Cube(
            dimensions=self.dimensions,
            values=self.values,
            status=self.status,
            flags=self.flags,
            label=label,
            source=source,
            updated=updated,
            notes=tuple(notes),
            mandatory_notes=tuple(range(len(notes))),
        )


# --- writing ------------------------------------------------------------------------------------------------


def write_json(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # json.dumps (one shot) uses the C encoder; json.dump to a stream would encode in pure Python.
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8", newline="\n")


def write_cube(workspace: Workspace, relative: str, cube: Cube) -> None:
    write_json(workspace.target(relative), write_jsonstat(cube))


@dataclass(frozen=True)
class Described:
    """What the manifest says about one dataset, apart from the file it is in."""

    dataset: str
    publisher: str
    title: str
    provenance: str
    notes: Sequence[str] = ()
    table: str | None = None
    code_vintage: str = "as-published"
    fetched_at: str | None = None  # ISO 8601 date-time with a time zone
    source_url: str | None = None
    licence: str | None = None

    def entry(self, path: str, file_format: FileFormat) -> InputFile:
        return InputFile.model_validate(
            {
                "path": path,
                "format": file_format,
                "dataset": self.dataset,
                "publisher": self.publisher,
                "title": self.title,
                "table": self.table,
                "code_vintage": self.code_vintage,
                "fetched_at": self.fetched_at,
                "source_url": self.source_url,
                "licence": self.licence,
                "provenance": self.provenance,
                "notes": list(self.notes),
            }
        )
