"""KLASS classification files: a ``codesAt`` body (codes valid on a date) and a ``changes`` body.

Both are read from the JSON the KLASS API returns or from the same records flattened to CSV (one row per
record, columns named like the JSON keys, ',' or ';' separated). KLASS's own CSV output is ISO-8859-1:
pass ``encoding="iso-8859-1"`` for such a file; nothing is guessed. Codes are kept exactly as written
(strings, leading zeros intact): these readers serve every classification (131 municipalities,
104 counties, 128 centrality, ...), so what a code means is for the geo layer to decide.
Each record is mapped by the parser the live connector uses too (:mod:`.klass_records`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from boligmonitor.core.errors import InputError
from boligmonitor.sources.readers.checked_csv import (
    ProblemCollector,
    check_header,
    parse_iso_date,
    read_csv_table,
    read_text,
)
from boligmonitor.sources.readers.klass_records import (
    CHANGES_KEY,
    CODES_KEY,
    KlassChange,
    KlassCode,
    parse_change,
    parse_code,
)
from boligmonitor.sources.readers.limits import loads_json, printable_path


def read_klass_codes(path: Path, encoding: str = "utf-8") -> list[KlassCode]:
    """Codes from a KLASS ``codesAt`` JSON body (``{"codes": [...]}``) or its CSV flattening."""
    problems = ProblemCollector(printable_path(path))
    codes: list[KlassCode] = []
    first_seen: dict[tuple[str, date | None], str] = {}
    for where, record in _records(path, CODES_KEY, ("code", "name"), problems, encoding):
        code = parse_code(_Fields(where, record, problems))
        if code is None:
            continue
        # `codesAt` lists each code once; `codes` may list a code again for another validity period.
        key = (code.code, code.valid_from)
        first = first_seen.setdefault(key, where.describe())
        if first != where.describe():
            twice = f"code {code.code!r} is listed twice ({first} and {where.describe()})"
            problems.add(twice, *where.at("code"))
            continue
        codes.append(code)
    problems.raise_if_any()
    if not codes:
        raise InputError.single(printable_path(path), "no codes: a classification needs at least one", field=CODES_KEY)
    return codes


def read_klass_changes(path: Path, encoding: str = "utf-8") -> list[KlassChange]:
    """Changes from a KLASS ``changes`` JSON body (``{"codeChanges": [...]}``) or its CSV flattening."""
    problems = ProblemCollector(printable_path(path))
    changes: list[KlassChange] = []
    first_seen: dict[KlassChange, str] = {}
    required = ("oldCode", "newCode", "changeOccurred")
    for where, record in _records(path, CHANGES_KEY, required, problems, encoding):
        change = parse_change(_Fields(where, record, problems))
        if change is None:
            continue
        first = first_seen.setdefault(change, where.describe())
        if first != where.describe():
            twice = f"the same change is listed twice ({first} and {where.describe()})"
            problems.add(twice, *where.at("oldCode"))
            continue
        changes.append(change)
    problems.raise_if_any()
    return changes


# --- records from JSON or CSV ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    """Where a record is: a CSV line, or a position in the JSON list (``codes[12]``)."""

    line: int | None
    list_item: str | None

    def at(self, key: str) -> tuple[int | None, str]:
        """(line, field) for a problem with ``key`` of this record."""
        return self.line, f"{self.list_item}.{key}" if self.list_item else key

    def describe(self) -> str:
        return self.list_item if self.list_item else f"line {self.line}"


def _records(
    path: Path, list_key: str, required: tuple[str, ...], problems: ProblemCollector, encoding: str
) -> list[tuple[_Where, Mapping[str, object]]]:
    if path.suffix.lower() == ".json":
        return _json_records(path, list_key, problems, encoding)
    if path.suffix.lower() in (".csv", ".txt"):
        return _csv_records(path, required, problems, encoding)
    raise InputError.single(printable_path(path), f"unknown file type {path.suffix!r}: expected .json or .csv")


def _json_records(
    path: Path, list_key: str, problems: ProblemCollector, encoding: str
) -> list[tuple[_Where, Mapping[str, object]]]:
    file = printable_path(path)
    body = loads_json(read_text(path, encoding), file)
    items = body.get(list_key) if isinstance(body, dict) else None
    if not isinstance(items, list):
        other = CHANGES_KEY if list_key == CODES_KEY else CODES_KEY
        hint = f" (this looks like a {other!r} body)" if isinstance(body, dict) and other in body else ""
        raise InputError.single(file, f'expected a KLASS body {{"{list_key}": [...]}}{hint}', field=list_key)
    records: list[tuple[_Where, Mapping[str, object]]] = []
    for index, item in enumerate(items):
        where = _Where(line=None, list_item=f"{list_key}[{index}]")
        if isinstance(item, dict):
            records.append((where, item))
        else:
            problems.add(f"expected an object, found {type(item).__name__}", field=where.list_item)
    return records


def _csv_records(
    path: Path, required: tuple[str, ...], problems: ProblemCollector, encoding: str
) -> list[tuple[_Where, Mapping[str, object]]]:
    table = read_csv_table(path, problems, encoding)
    if table is None:
        problems.raise_if_any()
        return []
    # Other KLASS fields (e.g. validFromInRequestedRange from `/codes`) may be present and are ignored.
    if not check_header(table.columns, problems, required=required, allow_unknown=True):
        problems.raise_if_any()
    return [(_Where(line=line, list_item=None), fields) for line, fields in table.rows()]


class _Fields:
    """The file reader's :class:`~.klass_records.RecordFields`: each problem is recorded with its position."""

    def __init__(self, where: _Where, record: Mapping[str, object], problems: ProblemCollector) -> None:
        self.where = where
        self.record = record
        self.problems = problems
        self.ok = True

    def _fail(self, key: str, message: str) -> None:
        self.ok = False
        self.problems.add(message, *self.where.at(key))

    def text(self, key: str, required: bool = False) -> str:
        raw = self.record.get(key)
        if raw is None:
            text = ""
        elif isinstance(raw, str):
            text = raw.strip()
        elif isinstance(raw, int) and not isinstance(raw, bool) and key == "level":
            text = str(raw)
        else:
            self._fail(key, f"expected text, found {type(raw).__name__} {raw!r}")
            return ""
        if required and not text:
            self._fail(key, f"{key} is missing")
        return text

    def day(self, key: str, required: bool = False) -> date | None:
        text = self.text(key, required=required)
        if not text:
            return None
        try:
            return parse_iso_date(text)
        except ValueError as exc:
            self._fail(key, str(exc))
            return None
