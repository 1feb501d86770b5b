"""Analysts' overrides of goal-attainment colours (the ``attainment_override`` table), inside the caller's
transaction: one decision per assessment (a newer one replaces the older), a reason always required, every change
audited with the decision before and after.

The analysis layer's ``AttainmentOverride`` (analysis/reporting/overrides.py) is what the analysis applies; the
store cannot import it (layers), so it keeps its own record, :class:`StoredOverride`, and checks the same rules
(known colour, a reason) itself. The web converts one into the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import Connection, Row, delete, insert, select, update

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.regions import RegionLevel, normalise_region_code, region_level
from boligmonitor.store.accounts import audit
from boligmonitor.store.accounts.audit import Actor
from boligmonitor.store.reporting.problems import ReportingError
from boligmonitor.store.reporting.tables import attainment_override

OVERRIDE_INPUT: Final = "<goal attainment override>"
COLOURS: Final = ("green", "yellow", "red", "grey")  # analysis.goals.Colour
PROGRAMME_SCOPE: Final = "programme"  # analysis.reporting.PROGRAMME_SCOPE: the programme as a whole
MAX_REASON_LENGTH: Final = 4000
NO_ID: Final = ""  # the key column of a goal with no catalogue goal or indicator (a unique key cannot hold NULL)


class OverrideAuditAction(StrEnum):
    SAVED = "attainment_override.saved"
    REMOVED = "attainment_override.removed"


@dataclass(frozen=True, slots=True)
class OverrideKey:
    """What an override is of: ``AttainmentKey``'s fields with the programme (None: no catalogue goal/indicator)."""

    programme_id: str
    year: int
    goal_id: str
    catalogue_goal_id: str | None
    indicator_id: str | None
    scope: str


@dataclass(frozen=True, slots=True)
class StoredOverride:
    """An analyst's colour for one assessment, as stored: who decided (``analyst``, the account's label) and when."""

    id: int
    key: OverrideKey
    colour: str
    reason: str
    analyst: str
    analyst_account_id: int | None
    decided_at: datetime


def checked(key: OverrideKey, colour: str, reason: str) -> tuple[OverrideKey, str]:
    """The key with its scope normalised and the reason trimmed, or :class:`InputError` naming each field."""
    problems: list[InputProblem] = []
    scope = key.scope
    if scope != PROGRAMME_SCOPE:
        scope = normalise_region_code(scope)
        if region_level(scope) is not RegionLevel.MUNICIPALITY:
            message = f"unknown scope {key.scope!r}: {PROGRAMME_SCOPE!r} or a municipality number"
            problems.append(InputProblem(OVERRIDE_INPUT, message, field="scope"))
    if colour not in COLOURS:
        message = f"unknown colour {colour!r}: use one of {', '.join(COLOURS)}"
        problems.append(InputProblem(OVERRIDE_INPUT, message, field="colour"))
    text = reason.strip()
    if not text:
        problems.append(InputProblem(OVERRIDE_INPUT, "an override must give its reason", field="reason"))
    elif len(text) > MAX_REASON_LENGTH:
        message = f"the reason is longer than {MAX_REASON_LENGTH} characters"
        problems.append(InputProblem(OVERRIDE_INPUT, message, field="reason"))
    for name, value in (("programme_id", key.programme_id), ("goal_id", key.goal_id)):
        if not value.strip():
            problems.append(InputProblem(OVERRIDE_INPUT, "must not be empty", field=name))
    if problems:
        raise InputError(problems)
    return OverrideKey(key.programme_id, key.year, key.goal_id, key.catalogue_goal_id, key.indicator_id, scope), text


def find(connection: Connection, key: OverrideKey) -> StoredOverride | None:
    row = connection.execute(select(attainment_override).where(*_matches(key))).first()
    return None if row is None else _from_row(row)


def read(connection: Connection, programme_id: str, year: int | None = None) -> list[StoredOverride]:
    query = select(attainment_override).where(attainment_override.c.programme_id == programme_id)
    if year is not None:
        query = query.where(attainment_override.c.year == year)
    query = query.order_by(
        attainment_override.c.year,
        attainment_override.c.goal_id,
        attainment_override.c.catalogue_goal_id,
        attainment_override.c.indicator_id,
        attainment_override.c.scope,
    )
    return [_from_row(row) for row in connection.execute(query)]


def save(
    connection: Connection, key: OverrideKey, colour: str, reason: str, *, actor: Actor, at: datetime
) -> StoredOverride:
    """Insert the decision, or replace the one stored for ``key`` (checked first: see :func:`checked`)."""
    key, reason = checked(key, colour, reason)
    before = find(connection, key)
    values = {
        "colour": colour,
        "reason": reason,
        "analyst": actor.label,
        "analyst_account_id": actor.account_id,
        "decided_at": at,
    }
    if before is None:
        connection.execute(insert(attainment_override).values(**_key_columns(key), **values))
    else:
        connection.execute(update(attainment_override).where(attainment_override.c.id == before.id).values(**values))
    after = find(connection, key)
    assert after is not None
    _audit(connection, actor, OverrideAuditAction.SAVED, after.id, before, after, at)
    return after


def remove(connection: Connection, key: OverrideKey, *, actor: Actor, at: datetime) -> StoredOverride:
    """Remove the decision for ``key`` (the rule's colour shows again); :class:`ReportingError` if there is none."""
    key, _ = checked(key, "grey", "removed")  # the key's fields only
    before = find(connection, key)
    if before is None:
        raise ReportingError("override", "override_unknown", f"no override of {_described(key)}")
    connection.execute(delete(attainment_override).where(attainment_override.c.id == before.id))
    _audit(connection, actor, OverrideAuditAction.REMOVED, before.id, before, None, at)
    return before


def audited(stored: StoredOverride) -> dict[str, Any]:
    return {
        "programme_id": stored.key.programme_id,
        "year": stored.key.year,
        "goal_id": stored.key.goal_id,
        "catalogue_goal_id": stored.key.catalogue_goal_id,
        "indicator_id": stored.key.indicator_id,
        "scope": stored.key.scope,
        "colour": stored.colour,
        "reason": stored.reason,
        "analyst": stored.analyst,
    }


def _audit(
    connection: Connection,
    actor: Actor,
    action: OverrideAuditAction,
    object_id: int,
    before: StoredOverride | None,
    after: StoredOverride | None,
    at: datetime,
) -> None:
    audit.record(
        connection,
        actor,
        action.value,
        "attainment_override",
        str(object_id),
        before=None if before is None else audited(before),
        after=None if after is None else audited(after),
        at=at,
    )


def _key_columns(key: OverrideKey) -> dict[str, Any]:
    return {
        "programme_id": key.programme_id,
        "year": key.year,
        "goal_id": key.goal_id,
        "catalogue_goal_id": key.catalogue_goal_id or NO_ID,
        "indicator_id": key.indicator_id or NO_ID,
        "scope": key.scope,
    }


def _matches(key: OverrideKey) -> list[Any]:
    return [attainment_override.c[name] == value for name, value in _key_columns(key).items()]


def _from_row(row: Row[Any]) -> StoredOverride:
    key = OverrideKey(
        row.programme_id,
        row.year,
        row.goal_id,
        row.catalogue_goal_id or None,
        row.indicator_id or None,
        row.scope,
    )
    return StoredOverride(row.id, key, row.colour, row.reason, row.analyst, row.analyst_account_id, row.decided_at)


def _described(key: OverrideKey) -> str:
    measured = "/".join(part for part in (key.catalogue_goal_id, key.indicator_id) if part)
    return f"goal {key.goal_id} ({measured or 'unmeasured'}) for {key.scope} in {key.year} ({key.programme_id})"


__all__ = [
    "COLOURS",
    "MAX_REASON_LENGTH",
    "OverrideAuditAction",
    "OverrideKey",
    "StoredOverride",
    "audited",
    "checked",
    "find",
    "read",
    "remove",
    "save",
]
