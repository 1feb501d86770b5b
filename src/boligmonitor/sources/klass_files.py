"""KLASS classification files: a ``codesAt`` body (codes valid on a date) and a ``changes`` body.

Both are read from the JSON the KLASS API returns or from the same records flattened to CSV (one row per
record, columns named like the JSON keys, ',' or ';' separated). KLASS's own CSV output is ISO-8859-1:
pass ``encoding="iso-8859-1"`` for such a file; nothing is guessed. Codes are kept exactly as written
(strings, leading zeros intact): these readers serve every classification (131 municipalities,
104 counties, 128 centrality, ...), so what a code means is for the geo layer to decide.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from boligmonitor.core.errors import InputError
from boligmonitor.sources.text_files import (
    ProblemCollector,
    check_header,
    parse_iso_date,
    read_csv_table,
    read_text,
)

CODES_KEY = "codes"
CHANGES_KEY = "codeChanges"


@dataclass(frozen=True)
class KlassCode:
    """One code of a classification, as in a KLASS ``codesAt``/``codes`` response."""

    code: str
    parent_code: str | None
    level: str
    name: str
    short_name: str
    presentation_name: str
    valid_from: date | None
    valid_to: date | None
    notes: str

    def as_mapping(self) -> dict[str, str | None]:
        """The KLASS JSON form (camelCase keys, dates as YYYY-MM-DD)."""
        return {
            "code": self.code,
            "parentCode": self.parent_code,
            "level": self.level,
            "name": self.name,
            "shortName": self.short_name,
            "presentationName": self.presentation_name,
            "validFrom": _iso_or_none(self.valid_from),
            "validTo": _iso_or_none(self.valid_to),
            "notes": self.notes,
        }


@dataclass(frozen=True)
class KlassChange:
    """One row of a KLASS ``changes`` response: a merge, split, renumbering or rename shows as such rows."""

    old_code: str
    old_name: str
    old_short_name: str
    new_code: str
    new_name: str
    new_short_name: str
    change_occurred: date

    def as_mapping(self) -> dict[str, str]:
        """The KLASS JSON form (camelCase keys, the date as YYYY-MM-DD)."""
        return {
            "oldCode": self.old_code,
            "oldName": self.old_name,
            "oldShortName": self.old_short_name,
            "newCode": self.new_code,
            "newName": self.new_name,
            "newShortName": self.new_short_name,
            "changeOccurred": self.change_occurred.isoformat(),
        }


def _iso_or_none(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def read_klass_codes(path: Path, encoding: str = "utf-8") -> list[KlassCode]:
    """Codes from a KLASS ``codesAt`` JSON body (``{"codes": [...]}``) or its CSV flattening."""
    problems = ProblemCollector(str(path))
    codes: list[KlassCode] = []
    first_seen: dict[tuple[str, date | None], str] = {}
    for where, record in _records(path, CODES_KEY, ("code", "name"), problems, encoding):
        fields = _Fields(where, record, problems)
        code = KlassCode(
            code=fields.text("code", required=True),
            parent_code=fields.text("parentCode") or None,
            level=fields.text("level"),
            name=fields.text("name", required=True),
            short_name=fields.text("shortName"),
            presentation_name=fields.text("presentationName"),
            valid_from=fields.date("validFrom"),
            valid_to=fields.date("validTo"),
            notes=fields.text("notes"),
        )
        if not fields.ok:
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
        raise InputError.single(str(path), "no codes: a classification needs at least one", field=CODES_KEY)
    return codes


def read_klass_changes(path: Path, encoding: str = "utf-8") -> list[KlassChange]:
    """Changes from a KLASS ``changes`` JSON body (``{"codeChanges": [...]}``) or its CSV flattening."""
    problems = ProblemCollector(str(path))
    changes: list[KlassChange] = []
    first_seen: dict[KlassChange, str] = {}
    required = ("oldCode", "newCode", "changeOccurred")
    for where, record in _records(path, CHANGES_KEY, required, problems, encoding):
        fields = _Fields(where, record, problems)
        old_code = fields.text("oldCode", required=True)
        new_code = fields.text("newCode", required=True)
        occurred = fields.date("changeOccurred", required=True)
        if not fields.ok or occurred is None:
            continue
        change = KlassChange(
            old_code=old_code,
            old_name=fields.text("oldName"),
            old_short_name=fields.text("oldShortName"),
            new_code=new_code,
            new_name=fields.text("newName"),
            new_short_name=fields.text("newShortName"),
            change_occurred=occurred,
        )
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
    raise InputError.single(str(path), f"unknown file type {path.suffix!r}: expected .json or .csv")


def _json_records(
    path: Path, list_key: str, problems: ProblemCollector, encoding: str
) -> list[tuple[_Where, Mapping[str, object]]]:
    file = str(path)
    try:
        body = json.loads(read_text(path, encoding))
    except json.JSONDecodeError as exc:
        raise InputError.single(file, f"not valid JSON: {exc.msg}", line=exc.lineno) from exc
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
    """Typed access to one record's fields; each problem is recorded with its file position."""

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

    def date(self, key: str, required: bool = False) -> date | None:
        text = self.text(key, required=required)
        if not text:
            return None
        try:
            return parse_iso_date(text)
        except ValueError as exc:
            self._fail(key, str(exc))
            return None
