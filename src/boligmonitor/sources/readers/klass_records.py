"""The KLASS code and change records, and the one parser that turns a KLASS JSON record into them.

A KLASS file is a saved API response, so the file reader (:mod:`.klass_files`) and the live connector
(:mod:`boligmonitor.sources.connectors.klass`) map the same record with :func:`parse_code` and
:func:`parse_change`. What differs is how each reports a bad value: the file reader collects every problem
with its position, the connector fails the request. Each passes a :class:`RecordFields` that does so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final, Protocol

CODES_KEY: Final = "codes"
CHANGES_KEY: Final = "codeChanges"


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


class RecordFields(Protocol):
    """Typed reads of one record's fields; a bad value is reported by the caller's rules.

    ``text`` gives stripped text ("" when absent), ``day`` a date (None when absent), and the same empty
    values for a bad one, which the reader reports its own way. ``ok`` False makes the parser stop reading
    the record at its next check (the file reader's rule; the connector reads on and reports afterwards).
    """

    @property
    def ok(self) -> bool: ...

    def text(self, key: str, required: bool = False) -> str: ...

    def day(self, key: str, required: bool = False) -> date | None: ...


def parse_code(fields: RecordFields) -> KlassCode | None:
    """The code in a ``codes`` item, or None if a field was bad (the reader has reported it)."""
    # `/codes` gives validFromInRequestedRange too; validFrom/validTo are the code's own period.
    code = KlassCode(
        code=fields.text("code", required=True),
        parent_code=fields.text("parentCode") or None,
        level=fields.text("level"),
        name=fields.text("name", required=True),
        short_name=fields.text("shortName"),
        presentation_name=fields.text("presentationName"),
        valid_from=fields.day("validFrom"),
        valid_to=fields.day("validTo"),
        notes=fields.text("notes"),
    )
    return code if fields.ok else None


def parse_change(fields: RecordFields) -> KlassChange | None:
    """The change in a ``codeChanges`` item, or None if a field that identifies it was bad.

    The identifying fields (old code, new code, date) are read first; the names only when those are good.
    A bad name is reported by the reader but still gives a change (with that name empty).
    """
    old_code = fields.text("oldCode", required=True)
    new_code = fields.text("newCode", required=True)
    occurred = fields.day("changeOccurred", required=True)
    if not fields.ok or occurred is None:
        return None
    return KlassChange(
        old_code=old_code,
        old_name=fields.text("oldName"),
        old_short_name=fields.text("oldShortName"),
        new_code=new_code,
        new_name=fields.text("newName"),
        new_short_name=fields.text("newShortName"),
        change_occurred=occurred,
    )
