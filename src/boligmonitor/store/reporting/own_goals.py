"""A municipality's own goals and targets (the catalogue's :class:`OwnGoal`), inside the caller's transaction:
checked against the programme and the catalogue, versioned for optimistic locking, every change audited with the
goal before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, update

from boligmonitor.catalog.models import Catalog
from boligmonitor.catalog.reporting import OwnGoal, Programme, own_goal_problems
from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.store.accounts.audit import Actor
from boligmonitor.store.reporting import rows
from boligmonitor.store.reporting.audit_actions import ReportingAuditAction, record_change
from boligmonitor.store.reporting.models import StoredOwnGoal
from boligmonitor.store.reporting.problems import ConflictError, ReportingError
from boligmonitor.store.reporting.tables import own_goal


def check(goal: OwnGoal, programme: Programme, catalog: Catalog) -> None:
    """:class:`InputError` naming each field of the goal that its programme or the catalogue refuses; its id
    must not be one of the programme's goals (comments name either)."""
    where = f"own goal {goal.id} of {goal.municipality} in {goal.programme}"
    problems = [
        InputProblem(where, message, field=".".join(str(part) for part in path) or None)
        for path, message in own_goal_problems(goal, programme, catalog)
    ]
    if goal.id in programme_goal_ids(programme):
        problems.append(InputProblem(where, "the id is one of the programme's own goals: choose another", field="id"))
    if problems:
        raise InputError(problems)


def programme_goal_ids(programme: Programme) -> set[str]:
    return {goal.id for goal in programme.goals} | {goal.id for goal in programme.main_goals}


def create(connection: Connection, goal: OwnGoal, *, actor: Actor, at: datetime) -> StoredOwnGoal:
    if rows.find_own_goal(connection, goal.programme, goal.municipality, goal.id) is not None:
        raise ReportingError("id", "own_goal_exists", f"the municipality already has a goal {goal.id!r}", goal=goal.id)
    connection.execute(
        insert(own_goal).values(
            programme_id=goal.programme,
            municipality_code=goal.municipality,
            goal_id=goal.id,
            programme_goal_id=goal.programme_goal,
            definition_json=goal.model_dump_json(),
            version=1,
            created_at=at,
            created_by=actor.label,
            updated_at=at,
            updated_by=actor.label,
        )
    )
    created = _existing(connection, goal.programme, goal.municipality, goal.id)
    record_change(
        connection,
        actor,
        ReportingAuditAction.OWN_GOAL_CREATED,
        "own_goal",
        created.id,
        before=None,
        after=audited(created),
        at=at,
    )
    return created


def change(
    connection: Connection, goal: OwnGoal, expected_version: int, *, actor: Actor, at: datetime
) -> StoredOwnGoal:
    current = _existing(connection, goal.programme, goal.municipality, goal.id)
    _check_version(current, expected_version)
    result = connection.execute(
        update(own_goal)
        .where(own_goal.c.id == current.id, own_goal.c.version == expected_version)
        .values(
            programme_goal_id=goal.programme_goal,
            definition_json=goal.model_dump_json(),
            version=own_goal.c.version + 1,
            updated_at=at,
            updated_by=actor.label,
        )
    )
    if result.rowcount != 1:  # changed between our read and the update (PostgreSQL)
        _check_version(_existing(connection, goal.programme, goal.municipality, goal.id), expected_version)
    changed = _existing(connection, goal.programme, goal.municipality, goal.id)
    record_change(
        connection,
        actor,
        ReportingAuditAction.OWN_GOAL_CHANGED,
        "own_goal",
        changed.id,
        before=audited(current),
        after=audited(changed),
        at=at,
    )
    return changed


def remove(
    connection: Connection,
    programme_id: str,
    municipality: str,
    goal_id: str,
    expected_version: int,
    *,
    actor: Actor,
    at: datetime,
) -> None:
    current = _existing(connection, programme_id, municipality, goal_id)
    _check_version(current, expected_version)
    result = connection.execute(
        delete(own_goal).where(own_goal.c.id == current.id, own_goal.c.version == expected_version)
    )
    if result.rowcount != 1:
        _check_version(_existing(connection, programme_id, municipality, goal_id), expected_version)
    record_change(
        connection,
        actor,
        ReportingAuditAction.OWN_GOAL_DELETED,
        "own_goal",
        current.id,
        before=audited(current),
        after=None,
        at=at,
    )


def audited(stored: StoredOwnGoal) -> dict[str, Any]:
    """An own goal in the audit log: the municipality's stated goal, not a report answer."""
    return {"version": stored.version, "definition": stored.goal.model_dump(mode="json")}


def _existing(connection: Connection, programme_id: str, municipality: str, goal_id: str) -> StoredOwnGoal:
    found = rows.find_own_goal(connection, programme_id, municipality, goal_id)
    if found is None:
        raise ReportingError("id", "own_goal_unknown", f"the municipality has no own goal {goal_id!r}", goal=goal_id)
    return found


def _check_version(current: StoredOwnGoal, expected_version: int) -> None:
    if current.version != expected_version:
        raise ConflictError(
            "own goal",
            current.id,
            expected_version=expected_version,
            current_version=current.version,
            saved_by=current.updated_by,
            saved_at=current.updated_at,
        )


__all__ = ["audited", "change", "check", "create", "programme_goal_ids", "remove"]
