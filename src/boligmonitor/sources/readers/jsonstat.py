"""Read and write JSON-stat 2.0 datasets, the format of SSB's PxWebApi, as :class:`Cube`.

Every dataset variant the JSON-stat 2.0 specification allows is read (see ``shared/docs/ssb-api.md`` §4.2):
``value`` as an array or as an object keyed by flat index; ``status`` as one string for every cell, an
array (``null``/``""`` = ordinary; a one-element array applies to every cell, as in the reference toolkit)
or an object keyed by flat index; ``category.index`` as an array or an object, or absent for a single
category; ``category.label`` absent (labels = codes). Status symbols are kept, also on cells that have a
number (``*`` preliminary) -- the reason this module exists: pyjstat drops them.

Members with a :class:`Cube` field of their own are moved out of ``extension`` so that they have one
source of truth: ``extension.noteMandatory`` becomes ``Cube.mandatory_notes`` and boligmonitor's own
per-cell flags, ``extension.boligmonitor.flags`` (flat index -> flag names), become ``Cube.flags``.
The rest of ``extension`` is kept whole, on the cube and on each dimension. Not kept: ``link``, ``href``,
``error``, per-dimension ``note``/``link`` and ``category.note``/``child``/``coordinates``
(:class:`Dimension` has no field for them).

Bad input raises :class:`InputError` naming the file, the line (where the JSON parser failed, or where the
offending member starts) and the field as a path such as ``dimension.Tid.category.index`` or
``value[17]``. Nothing is built per cell while reading: values come straight from :func:`json.loads`.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, TypeAlias

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.status import Status
from boligmonitor.sources.cube import Cube, Dimension, FlagRuns, Unit
from boligmonitor.sources.readers.limits import (
    MAX_CUBE_CELLS,
    TOO_DEEP,
    check_byte_count,
    check_file_size,
    check_json_depth,
    printable_path,
    too_deep_line,
)

JsonStatSource: TypeAlias = Path | str | bytes | Mapping[str, Any]
FieldPath: TypeAlias = tuple[str | int, ...]

_NUMBER_TYPES: Final = frozenset({int, float, type(None)})
# Per-cell flags: caveats (Flag) and how the value relates to its code (Harmonisation, e.g. "summed").
_FLAG_NAMES: Final = frozenset(flag.value for flag in Flag) | {h.value for h in Harmonisation}
_MAX_PROBLEMS: Final = 100  # per kind of per-cell problem; the rest are counted, not listed


class _NonFiniteNumber:
    """Stands in for ``NaN``/``Infinity``, which Python's json accepts but JSON (and a statistic) does not."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


class _MalformedError(Exception):
    """Internal: the document is not a valid dataset; carries (field path, message) pairs."""

    def __init__(self, problems: Sequence[tuple[FieldPath, str]]) -> None:
        super().__init__(problems)
        self.problems = list(problems)

    @classmethod
    def at(cls, path: FieldPath, message: str) -> _MalformedError:
        return cls([(path, message)])


# --------------------------------------------------------------------------------------------- reading


def read_jsonstat(source: JsonStatSource, *, name: str | None = None) -> Cube:
    """Read one JSON-stat 2.0 dataset.

    ``source`` is a path, JSON text (a ``str`` whose first non-blank character is ``{`` or ``[``; any
    other ``str`` is a path), the raw bytes of a response, or an already parsed mapping. ``name`` is how
    errors name the input (default: the path, or ``<JSON-stat>``).
    """
    file, raw, document = _load(source, name)
    try:
        return _read_dataset(document, caller_owned=raw is None)
    except _MalformedError as malformed:
        text = _text_for_location(raw)
        paths = [path for path, _ in malformed.problems]
        lines = _locate_lines(text, paths) if text is not None else [None] * len(paths)
        raise InputError(
            [
                InputProblem(file=file, message=message, line=line, field=_format_path(path))
                for (path, message), line in zip(malformed.problems, lines, strict=True)
            ]
        ) from None


def _load(source: JsonStatSource, name: str | None) -> tuple[str, str | bytes | None, Any]:
    if isinstance(source, Mapping):
        return name or "<JSON-stat>", None, source
    raw: str | bytes
    if isinstance(source, bytes) or (isinstance(source, str) and source.lstrip().startswith(("{", "["))):
        file, raw = name or "<JSON-stat>", source
    else:
        path = Path(source)
        file = name or printable_path(path)
        check_file_size(path, file)
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise InputError.single(file, f"cannot read the file: {error.strerror or error}") from None
    check_byte_count(len(raw), file)
    if isinstance(raw, bytes) and not json.detect_encoding(raw).startswith("utf-8"):
        wide = json.detect_encoding(raw).upper()[:6]  # UTF-16 or UTF-32, which json.loads would accept
        raise InputError.single(file, f"the file is {wide}; save it as UTF-8 (JSON-stat must be UTF-8)", line=1)
    check_json_depth(raw, file)
    try:
        document = json.loads(raw, parse_constant=_NonFiniteNumber)
    except json.JSONDecodeError as error:
        raise InputError.single(
            file, f"not valid JSON: {error.msg} (column {error.colno})", line=error.lineno
        ) from None
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1 if isinstance(raw, bytes) else None
        raise InputError.single(file, "not valid UTF-8 (JSON-stat must be UTF-8)", line=line) from None
    except ValueError as error:  # a number of more than 4300 digits (int's guard against slow conversion)
        raise InputError.single(file, f"not valid JSON: {error}".split(";")[0]) from None
    except RecursionError:  # nesting that check_json_depth could not see (brackets hidden in strings)
        line = too_deep_line(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
        raise InputError.single(file, TOO_DEEP, line=line) from None
    return file, raw, document


def _read_dataset(document: Any, *, caller_owned: bool) -> Cube:
    if not isinstance(document, Mapping):
        raise _MalformedError.at((), f"a JSON-stat dataset is an object, not {_json_type(document)}")
    _check_class(document)
    ids, sizes = _read_ids_and_sizes(document)
    roles = _read_roles(document, ids)
    dimensions_member = _member(document, "dimension", Mapping)
    dimensions = tuple(
        _read_dimension(dimensions_member, dimension_id, size, roles.get(dimension_id))
        for dimension_id, size in zip(ids, sizes, strict=True)
    )
    n_cells = math.prod(sizes)
    if n_cells > MAX_CUBE_CELLS:  # before anything is built per cell: a sparse 'value' may be a few bytes
        raise _MalformedError.at(
            ("size",),
            f"the sizes {' × '.join(map(str, sizes))} give {n_cells} cells; "
            f"a dataset may have at most {MAX_CUBE_CELLS} cells",
        )
    values = _read_values(document, n_cells, copy_values=caller_owned)
    status = _read_status(document, n_cells)
    notes = _read_notes(document)
    extension = _optional(document, "extension", Mapping) or {}
    mandatory_notes = _read_mandatory_notes(extension, len(notes))
    flags = _read_flags(extension, n_cells)
    return Cube(
        dimensions=dimensions,
        values=values,
        status=status,
        flags=flags,
        label=_optional(document, "label", str) or "",
        source=_optional(document, "source", str) or "",
        updated=_optional(document, "updated", str),
        notes=notes,
        mandatory_notes=mandatory_notes,
        extension=_extension_without_own_fields(extension),
    )


def _check_class(document: Mapping[str, Any]) -> None:
    kind = document.get("class")
    if kind is None:
        raise _MalformedError.at(
            ("class",),
            "not a JSON-stat 2.0 dataset: no 'class' member (JSON-stat 1.x bundles are not read)",
        )
    if kind != "dataset":
        raise _MalformedError.at(
            ("class",), f"JSON-stat class {kind!r} is not supported: only single datasets are read"
        )
    version = document.get("version")
    if version is not None and not (isinstance(version, str) and version.startswith("2.")):
        raise _MalformedError.at(("version",), f"JSON-stat version {version!r} is not supported (need 2.x)")


def _read_ids_and_sizes(document: Mapping[str, Any]) -> tuple[list[str], list[int]]:
    ids = _member(document, "id", list)
    sizes = _member(document, "size", list)
    for k, dimension_id in enumerate(ids):
        if not isinstance(dimension_id, str):
            raise _MalformedError.at(("id", k), f"a dimension id is a string, not {_json_type(dimension_id)}")
    if len(set(ids)) != len(ids):
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        raise _MalformedError.at(("id",), f"duplicate dimension ids: {', '.join(duplicates)}")
    for k, size in enumerate(sizes):
        if type(size) is not int or size < 0:
            raise _MalformedError.at(("size", k), f"a size is a non-negative integer, not {size!r}")
    if len(ids) != len(sizes):
        raise _MalformedError.at(("size",), f"'size' has {len(sizes)} entries but 'id' has {len(ids)}")
    return ids, sizes


def _read_roles(document: Mapping[str, Any], ids: Sequence[str]) -> dict[str, str]:
    """Dimension id -> role. The first role naming a dimension wins."""
    roles: dict[str, str] = {}
    role_member = _optional(document, "role", Mapping) or {}
    for role, named in role_member.items():
        if not isinstance(named, list):
            raise _MalformedError.at(("role", role), f"a role lists dimension ids, not {_json_type(named)}")
        for k, dimension_id in enumerate(named):
            if dimension_id not in ids:
                raise _MalformedError.at(("role", role, k), f"role names an unknown dimension {dimension_id!r}")
            roles.setdefault(dimension_id, role)
    return roles


def _read_dimension(dimensions_member: Mapping[str, Any], dimension_id: str, size: int, role: str | None) -> Dimension:
    where: FieldPath = ("dimension", dimension_id)
    member = _member(dimensions_member, dimension_id, Mapping, where[:1])
    category = _member(member, "category", Mapping, where)
    codes = _read_category_codes(category, (*where, "category"))
    if len(codes) != size:
        raise _MalformedError.at(
            (*where, "category", "index"),
            f"dimension {dimension_id!r} has {len(codes)} categories but its size is {size}",
        )
    label = _optional(member, "label", str, where)
    return Dimension(
        id=dimension_id,
        label=dimension_id if label is None else label,
        codes=codes,
        labels=_read_category_labels(category, codes, (*where, "category")),
        role=role,
        units=_read_units(category, codes, (*where, "category")),
        extension=copy.deepcopy(dict(_optional(member, "extension", Mapping, where) or {})),
    )


def _read_category_codes(category: Mapping[str, Any], where: FieldPath) -> tuple[str, ...]:
    index = category.get("index")
    if index is None:
        labels = category.get("label")
        if isinstance(labels, Mapping) and len(labels) == 1:
            return tuple(labels)
        raise _MalformedError.at(
            (*where, "index"), "category.index is missing (allowed only for a single labelled category)"
        )
    if isinstance(index, list):
        for position, code in enumerate(index):
            if not isinstance(code, str):
                raise _MalformedError.at((*where, "index", position), f"a code is a string, not {code!r}")
        if len(set(index)) != len(index):
            duplicates = sorted({c for c in index if index.count(c) > 1})
            raise _MalformedError.at((*where, "index"), f"duplicate category codes: {', '.join(duplicates)}")
        return tuple(index)
    if isinstance(index, Mapping):
        slots: list[str | None] = [None] * len(index)
        for code, position in index.items():
            if type(position) is not int or not 0 <= position < len(index):
                raise _MalformedError.at(
                    (*where, "index", code), f"position {position!r} is not in 0..{len(index) - 1}"
                )
            if slots[position] is not None:
                raise _MalformedError.at(
                    (*where, "index", code), f"position {position} is given to {slots[position]!r} too"
                )
            slots[position] = code
        return tuple(code for code in slots if code is not None)
    raise _MalformedError.at((*where, "index"), f"category.index is an array or object, not {_json_type(index)}")


def _read_category_labels(category: Mapping[str, Any], codes: tuple[str, ...], where: FieldPath) -> tuple[str, ...]:
    labels = _optional(category, "label", Mapping, where)
    if labels is None:
        return codes
    for code, label in labels.items():
        if code not in codes:
            raise _MalformedError.at((*where, "label", code), f"label for a code not in the index: {code!r}")
        if not isinstance(label, str):
            raise _MalformedError.at((*where, "label", code), f"a label is a string, not {_json_type(label)}")
    return tuple(labels.get(code, code) for code in codes)


def _read_units(category: Mapping[str, Any], codes: tuple[str, ...], where: FieldPath) -> dict[str, Unit]:
    unit_member = _optional(category, "unit", Mapping, where)
    if unit_member is None:
        return {}
    units: dict[str, Unit] = {}
    for code, unit in unit_member.items():
        here = (*where, "unit", code)
        if code not in codes:
            raise _MalformedError.at(here, f"unit for a code not in the index: {code!r}")
        if not isinstance(unit, Mapping):
            raise _MalformedError.at(here, f"a unit is an object, not {_json_type(unit)}")
        decimals = unit.get("decimals")
        if decimals is not None and (type(decimals) is not int or decimals < 0):
            raise _MalformedError.at((*here, "decimals"), f"decimals is a non-negative integer, not {decimals!r}")
        units[code] = Unit(base=_optional(unit, "base", str, here) or "", decimals=decimals)
    return units


def _read_values(document: Mapping[str, Any], n_cells: int, *, copy_values: bool) -> list[float | None]:
    """The values as parsed. ``copy_values`` for a caller's mapping, whose list the cube must not share."""
    raw = document.get("value")
    if isinstance(raw, list):
        if len(raw) != n_cells:
            raise _MalformedError.at(("value",), f"'value' has {len(raw)} entries but the sizes give {n_cells} cells")
        # One C-level pass over the types; the per-cell loop runs only when something is wrong.
        if not set(map(type, raw)) <= _NUMBER_TYPES:
            _raise_for_bad_values(enumerate(raw), lambda i: ("value", i))
        _check_finite(raw, lambda i: ("value", i))
        return list(raw) if copy_values else raw
    if isinstance(raw, Mapping):
        for key in raw:  # every key is checked before the dense list is made
            _flat_index(key, n_cells, ("value", key))
        bad = [(key, value) for key, value in raw.items() if type(value) not in _NUMBER_TYPES]
        if bad:
            _raise_for_bad_values(bad, lambda key: ("value", key))
        values: list[float | None] = [None] * n_cells
        for key, value in raw.items():
            values[int(key)] = value
        _check_finite(values, lambda i: ("value", str(i)))
        return values
    if raw is None:
        raise _MalformedError.at(("value",), "the 'value' member is missing")
    raise _MalformedError.at(("value",), f"'value' is an array or object, not {_json_type(raw)}")


def _check_finite(values: list[Any], path_of: Any) -> None:
    """JSON has no infinity, but a number such as ``1e999999`` parses as one (and a huge integer cannot become a
    float): both are refused, cell by cell, once a C-level sum has shown that something is out of range."""
    try:
        if math.isfinite(math.fsum(filter(None, values))):
            return
    except OverflowError:
        pass
    problems: list[tuple[FieldPath, str]] = []
    for index, value in enumerate(values):
        if value is None:
            continue
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an integer beyond the largest float
            finite = False
        if not finite and len(problems) < _MAX_PROBLEMS:
            problems.append((path_of(index), "not a finite number: too large to be a value (infinite)"))
    if problems:
        raise _MalformedError(problems)


def _raise_for_bad_values(entries: Iterable[tuple[Any, Any]], path_of: Any) -> None:
    problems: list[tuple[FieldPath, str]] = []
    n_bad = 0
    for key, value in entries:
        if type(value) in _NUMBER_TYPES:
            continue
        n_bad += 1
        if len(problems) < _MAX_PROBLEMS:
            problems.append((path_of(key), f"not a number: {value!r}"))
    if n_bad > len(problems):
        problems.append((("value",), f"{n_bad - len(problems)} more values are not numbers"))
    raise _MalformedError(problems)


def _read_status(document: Mapping[str, Any], n_cells: int) -> dict[int, Status]:
    raw = document.get("status")
    if raw is None:
        return {}
    parse = _StatusParser()
    if isinstance(raw, str):
        symbol = parse(raw, ("status",))
        return {} if symbol is Status.OK else dict.fromkeys(range(n_cells), symbol)
    if isinstance(raw, list):
        if len(raw) == 1 and n_cells != 1:
            symbol = parse(raw[0], ("status", 0))
            return {} if symbol is Status.OK else dict.fromkeys(range(n_cells), symbol)
        if len(raw) != n_cells:
            raise _MalformedError.at(("status",), f"'status' has {len(raw)} entries but the sizes give {n_cells} cells")
        status: dict[int, Status] = {}
        for flat, entry in enumerate(raw):
            if entry:
                symbol = parse(entry, ("status", flat))
                if symbol is not Status.OK:
                    status[flat] = symbol
        parse.raise_problems()
        return status
    if isinstance(raw, Mapping):
        status = {}
        for key, entry in raw.items():
            flat = _flat_index(key, n_cells, ("status", key))
            if entry:
                symbol = parse(entry, ("status", key))
                if symbol is not Status.OK:
                    status[flat] = symbol
        parse.raise_problems()
        return status
    raise _MalformedError.at(("status",), f"'status' is a string, array or object, not {_json_type(raw)}")


class _StatusParser:
    """Parses status symbols with a cache (a dataset uses few distinct symbols) and collects problems."""

    def __init__(self) -> None:
        self._known: dict[str, Status] = {}
        self.problems: list[tuple[FieldPath, str]] = []
        self._n_bad = 0

    def __call__(self, entry: Any, path: FieldPath) -> Status:
        if entry is None:
            return Status.OK
        try:
            return self._known[entry]
        except (KeyError, TypeError):
            pass
        if not isinstance(entry, str):
            return self._problem(path, f"a status is a string, not {_json_type(entry)}")
        try:
            symbol = Status.parse(entry)
        except ValueError:
            known = " ".join(s.value for s in Status if s.value)
            return self._problem(path, f"unknown status symbol {entry!r} (SSB's symbols: {known})")
        self._known[entry] = symbol
        return symbol

    def _problem(self, path: FieldPath, message: str) -> Status:
        self._n_bad += 1
        if len(self.problems) < _MAX_PROBLEMS:
            self.problems.append((path, message))
        if len(path) == 1:  # a single status for every cell: nothing more to find
            self.raise_problems()
        return Status.OK

    def raise_problems(self) -> None:
        if self._n_bad > len(self.problems):
            self.problems.append((("status",), f"{self._n_bad - len(self.problems)} more bad status entries"))
        if self.problems:
            raise _MalformedError(self.problems)


def _read_notes(document: Mapping[str, Any]) -> tuple[str, ...]:
    notes = _optional(document, "note", list)
    if notes is None:
        return ()
    for k, note in enumerate(notes):
        if not isinstance(note, str):
            raise _MalformedError.at(("note", k), f"a note is a string, not {_json_type(note)}")
    return tuple(notes)


def _read_mandatory_notes(extension: Mapping[str, Any], n_notes: int) -> tuple[int, ...]:
    """``extension.noteMandatory`` as PxWebApi writes it: {"1": true, "3": true} (positions in ``note``)."""
    where: FieldPath = ("extension",)
    mandatory = _optional(extension, "noteMandatory", Mapping, where)
    if mandatory is None:
        return ()
    positions = []
    for key, flag in mandatory.items():
        here = (*where, "noteMandatory", key)
        position = _flat_index(key, n_notes, here, what="note position")
        if not isinstance(flag, bool):
            raise _MalformedError.at(here, f"noteMandatory entries are true or false, not {flag!r}")
        if flag:
            positions.append(position)
    return tuple(sorted(positions))


def _read_flags(extension: Mapping[str, Any], n_cells: int) -> FlagRuns:
    """Per-cell flags: ``flagRuns`` ([start, length, names] runs, as we write them) or ``flags`` (an object
    keyed by flat index, the plain form)."""
    where: FieldPath = ("extension", "boligmonitor")
    own = _optional(extension, "boligmonitor", Mapping, where[:1]) or {}
    runs: list[tuple[int, int, tuple[str, ...]]] = []
    raw_runs = _optional(own, "flagRuns", list, where)
    for position, run in enumerate(raw_runs or ()):
        here = (*where, "flagRuns", position)
        if not (isinstance(run, list) and len(run) == 3 and all(type(x) is int for x in run[:2])):
            raise _MalformedError.at(here, f"a flag run is [start, length, [flag names]], not {run!r}")
        start, length, names = run
        if start < 0 or length < 1 or start + length > n_cells:
            raise _MalformedError.at(here, f"run {start}+{length} is outside the {n_cells} cells")
        runs.append((start, length, _flag_names(names, here)))
    raw = _optional(own, "flags", Mapping, where)
    for key, names in (raw or {}).items():
        here = (*where, "flags", key)
        flat = _flat_index(key, n_cells, here)
        checked = _flag_names(names, here)
        if checked:
            runs.append((flat, 1, checked))
    try:
        return FlagRuns(runs)
    except ValueError as error:
        raise _MalformedError.at((*where, "flagRuns"), str(error)) from error


def _flag_names(names: Any, here: FieldPath) -> tuple[str, ...]:
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise _MalformedError.at(here, f"flags are a list of flag names, not {names!r}")
    unknown = [n for n in names if n not in _FLAG_NAMES]
    if unknown:
        raise _MalformedError.at(
            here, f"unknown flags {', '.join(map(repr, unknown))} (known: {', '.join(sorted(_FLAG_NAMES))})"
        )
    return tuple(names)


def _extension_without_own_fields(extension: Mapping[str, Any]) -> dict[str, Any]:
    """The extension minus the members moved into Cube fields; deep-copied so the Cube owns it.

    Our own per-cell flags are left out before copying: they can hold hundreds of thousands of entries.
    """
    kept = {k: v for k, v in extension.items() if k not in ("noteMandatory", "boligmonitor")}
    own = extension.get("boligmonitor")
    if isinstance(own, Mapping):
        rest = {k: v for k, v in own.items() if k not in ("flags", "flagRuns")}
        if rest:
            kept["boligmonitor"] = rest
    return copy.deepcopy(kept)


# ---------------------------------------------------------------------------------------------- helpers


def _member(parent: Mapping[str, Any], key: str, kind: type[Any], where: FieldPath = ()) -> Any:
    """``parent[key]``, which must exist and be of ``kind``."""
    value = parent.get(key)
    if value is None:
        raise _MalformedError.at((*where, key), f"the {key!r} member is missing")
    return _optional(parent, key, kind, where)


def _optional(parent: Mapping[str, Any], key: str, kind: type[Any], where: FieldPath = ()) -> Any:
    """``parent[key]`` or None; if present it must be of ``kind``."""
    value = parent.get(key)
    if value is not None and not isinstance(value, kind):
        raise _MalformedError.at((*where, key), f"{key!r} is {_kind_name(kind)}, not {_json_type(value)}")
    return value


def _flat_index(key: str, limit: int, path: FieldPath, what: str = "flat index") -> int:
    if not (key.isascii() and key.isdigit()):
        raise _MalformedError.at(path, f"{key!r} is not a {what} (a non-negative integer)")
    if len(key.lstrip("0")) > len(str(limit)):  # surely out of range; int() refuses over 4300 digits
        raise _MalformedError.at(
            path, f"{what} {key[:30]}{'…' if len(key) > 30 else ''} is out of range (there are {limit})"
        )
    index = int(key)
    if index >= limit:
        raise _MalformedError.at(path, f"{what} {index} is out of range (there are {limit})")
    return index


_KIND_NAMES: Final[dict[object, str]] = {str: "a string", list: "an array", Mapping: "an object"}


def _kind_name(kind: type[Any]) -> str:
    return _KIND_NAMES.get(kind, kind.__name__)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | _NonFiniteNumber):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


_IDENTIFIER = re.compile(r"[^\W\d][\w\-]*")


def _format_path(path: FieldPath) -> str | None:
    """``("dimension", "Tid", "category", "index")`` -> ``dimension.Tid.category.index``; ``value[17]``."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        elif _IDENTIFIER.fullmatch(step):
            text += f".{step}" if text else step
        else:
            text += f"[{json.dumps(step, ensure_ascii=False)}]"
    return text or None


# ------------------------------------------------------------------------------ where an error is in the text

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_SCANNER = json.JSONDecoder()


def _text_for_location(raw: str | bytes | None) -> str | None:
    if raw is None or isinstance(raw, str):
        return raw
    return raw.decode(json.detect_encoding(raw), "surrogatepass")


def _locate_lines(text: str, paths: Sequence[FieldPath]) -> list[int | None]:
    """The line on which each path's member starts (or the deepest existing part of it); None if unknown.

    Only runs when input is rejected. Paths ending in an array index that share their parent (many bad
    values) are found in one walk over that array.
    """
    by_parent: dict[FieldPath, set[int]] = {}
    for path in paths:
        if path and isinstance(path[-1], int):
            by_parent.setdefault(path[:-1], set()).add(path[-1])
    element_lines: dict[FieldPath, dict[int, int]] = {}
    for parent, wanted in by_parent.items():
        start = _position_of(text, parent)
        if start is not None and text[start[0]] == "[" and start[1] == len(parent):
            positions = _array_element_positions(text, start[0], wanted)
            element_lines[parent] = {i: _line_at(text, pos) for i, pos in positions.items()}
    lines: list[int | None] = []
    for path in paths:
        if path and isinstance(path[-1], int) and path[-1] in element_lines.get(path[:-1], {}):
            lines.append(element_lines[path[:-1]][path[-1]])
            continue
        found = _position_of(text, path)
        lines.append(_line_at(text, found[0]) if found is not None else None)
    return lines


def _line_at(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _skip_whitespace(text: str, position: int) -> int:
    match = _WHITESPACE.match(text, position)
    return match.end() if match else position


def _position_of(text: str, path: FieldPath) -> tuple[int, int] | None:
    """(start of the deepest member of ``path`` that exists, how many steps were followed)."""
    try:
        position = _skip_whitespace(text, 0)
        followed = 0
        for step in path:
            child = _child_position(text, position, step)
            if child is None:
                break
            position, followed = child, followed + 1
        return position, followed
    except (ValueError, IndexError):
        return None


def _child_position(text: str, position: int, step: str | int) -> int | None:
    if text[position] == "{" and isinstance(step, str):
        position = _skip_whitespace(text, position + 1)
        while text[position] == '"':
            key, position = _SCANNER.raw_decode(text, position)
            position = _skip_whitespace(text, position)
            position = _skip_whitespace(text, position + 1)  # past ':'
            if key == step:
                return position
            _, position = _SCANNER.raw_decode(text, position)
            position = _skip_whitespace(text, position)
            if text[position] != ",":
                return None
            position = _skip_whitespace(text, position + 1)
        return None
    if text[position] == "[" and isinstance(step, int):
        return _array_element_positions(text, position, {step}).get(step)
    return None


def _array_element_positions(text: str, position: int, wanted: set[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    last = max(wanted)
    try:
        position = _skip_whitespace(text, position + 1)
        index = 0
        while text[position] != "]" and index <= last:
            if index in wanted:
                found[index] = position
            _, position = _SCANNER.raw_decode(text, position)
            position = _skip_whitespace(text, position)
            if text[position] != ",":
                break
            position = _skip_whitespace(text, position + 1)
            index += 1
    except (ValueError, IndexError):
        pass
    return found


# --------------------------------------------------------------------------------------------- writing


def write_jsonstat(cube: Cube) -> dict[str, Any]:
    """The cube as a JSON-stat 2.0 dataset: ``read_jsonstat(write_jsonstat(c))`` gives ``c`` back.

    Deterministic and compact: ``value`` is an array, ``category.index`` an array, ``status`` an object
    present only when some cell has a symbol, flags in ``extension.boligmonitor.flags``, mandatory notes
    in ``extension.noteMandatory``. The result shares nothing mutable with the cube. Raises ValueError for
    a cube that cannot be valid JSON-stat (NaN or infinite values, indices out of range).
    """
    n_cells = len(cube.values)
    document: dict[str, Any] = {"version": "2.0", "class": "dataset"}
    if cube.label:
        document["label"] = cube.label
    if cube.source:
        document["source"] = cube.source
    if cube.updated is not None:
        document["updated"] = cube.updated
    if cube.notes:
        document["note"] = list(cube.notes)
    roles: dict[str, list[str]] = {}
    for dimension in cube.dimensions:
        if dimension.role:
            roles.setdefault(dimension.role, []).append(dimension.id)
    if roles:
        document["role"] = roles
    document["id"] = [d.id for d in cube.dimensions]
    document["size"] = [d.size for d in cube.dimensions]
    document["dimension"] = {d.id: _write_dimension(d) for d in cube.dimensions}
    document["value"] = _finite_values(cube.values)
    status = {
        str(_in_range(flat, n_cells, "status")): Status(symbol).value
        for flat, symbol in sorted(cube.status.items())
        if symbol is not Status.OK
    }
    if status:
        document["status"] = status
    extension = copy.deepcopy(dict(cube.extension))
    if cube.mandatory_notes:
        positions = sorted({_in_range(p, len(cube.notes), "mandatory note") for p in cube.mandatory_notes})
        extension["noteMandatory"] = {str(p): True for p in positions}
    runs = FlagRuns.from_mapping(cube.flags).runs
    if runs:
        for start, length, _ in runs:
            _in_range(start + length - 1, n_cells, "flags")
        own = extension.get("boligmonitor")
        extension["boligmonitor"] = {
            **(own if isinstance(own, dict) else {}),
            "flagRuns": [[start, length, list(names)] for start, length, names in runs],
        }
    if extension:
        document["extension"] = extension
    return document


def _write_dimension(dimension: Dimension) -> dict[str, Any]:
    category: dict[str, Any] = {
        "index": list(dimension.codes),
        "label": dict(zip(dimension.codes, dimension.labels, strict=True)),
    }
    unknown = set(dimension.units) - set(dimension.codes)
    if unknown:
        raise ValueError(f"dimension {dimension.id!r}: units for unknown codes {sorted(unknown)}")
    if dimension.units:
        category["unit"] = {
            code: _write_unit(dimension.units[code]) for code in dimension.codes if code in dimension.units
        }
    written: dict[str, Any] = {"label": dimension.label, "category": category}
    if dimension.extension:
        written["extension"] = copy.deepcopy(dict(dimension.extension))
    return written


def _write_unit(unit: Unit) -> dict[str, Any]:
    written: dict[str, Any] = {"base": unit.base}
    if unit.decimals is not None:
        written["decimals"] = unit.decimals
    return written


def _finite_values(values: Sequence[float | None]) -> list[float | None]:
    written = list(values)
    try:
        # One C-level pass (None and zeros are filtered out; neither affects finiteness).
        all_finite = math.isfinite(math.fsum(filter(None, written)))
    except OverflowError:
        all_finite = False
    if not all_finite:  # NaN/infinity somewhere, or only a huge sum: find out cell by cell
        for flat, value in enumerate(written):
            if type(value) is float and not math.isfinite(value):
                raise ValueError(f"value[{flat}] is {value!r}: JSON-stat has no NaN or infinity (use None)")
    return written


def _in_range(index: int, limit: int, what: str) -> int:
    if not 0 <= index < limit:
        raise ValueError(f"{what} index {index} is out of range (there are {limit})")
    return index
