"""Optimistic locking: a change names the version it starts from, and the row's version moves on by one.

The change is an ``UPDATE … WHERE id = ? AND version = ? [AND state IN …]`` that also takes the row's write
lock: of two writers that started from the same version, the second's update finds no row (PostgreSQL
re-checks the condition after the first commits; SQLite lets one writer in at a time), and it is told who saved
in between and when (:class:`ConflictError`), never silently overwriting.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from boligmonitor.store.accounts.audit import Actor
from boligmonitor.store.reporting.models import ReportState
from boligmonitor.store.reporting.problems import ConflictError, ReportingError
from boligmonitor.store.reporting.tables import report


def advance_report(
    connection: Connection,
    report_id: int,
    expected_version: int,
    *,
    states: Collection[ReportState],
    actor: Actor,
    at: datetime,
    **values: Any,
) -> int:
    """Move the report from ``expected_version`` on by one (setting ``values``) when it is in one of ``states``;
    returns the new version. Raises :class:`ConflictError` when it has another version, and
    :class:`ReportingError` when it is unknown or in another state."""
    result = connection.execute(
        update(report)
        .where(
            report.c.id == report_id,
            report.c.version == expected_version,
            report.c.state.in_([state.value for state in states]),
        )
        .values(
            version=report.c.version + 1,
            updated_at=at,
            updated_by=actor.label,
            updated_by_account_id=actor.account_id,
            **values,
        )
    )
    if result.rowcount == 1:
        return expected_version + 1
    raise refusal(connection, report_id, expected_version, states)


def refusal(
    connection: Connection, report_id: int, expected_version: int, states: Collection[ReportState]
) -> ReportingError:
    """Why the report cannot be changed from ``expected_version``: unknown, changed by someone else, or in a state
    that does not allow it."""
    row = connection.execute(
        select(report.c.version, report.c.state, report.c.updated_by, report.c.updated_at).where(
            report.c.id == report_id
        )
    ).first()
    if row is None:
        return unknown_report(report_id)
    if row.version != expected_version:
        return ConflictError(
            "report",
            report_id,
            expected_version=expected_version,
            current_version=row.version,
            saved_by=row.updated_by,
            saved_at=row.updated_at,
        )
    return wrong_state(report_id, ReportState(row.state), states)


def unknown_report(report_id: int) -> ReportingError:
    return ReportingError("report", "report_unknown", f"there is no report {report_id}", report=report_id)


def wrong_state(report_id: int, state: ReportState, states: Collection[ReportState]) -> ReportingError:
    wanted = " or ".join(sorted(s.value for s in states))
    return ReportingError(
        "report",
        f"report_{state.value}",
        f"report {report_id} is {state.value}; this needs it {wanted}",
        report=report_id,
        state=state.value,
    )


__all__ = ["advance_report", "refusal", "unknown_report", "wrong_state"]
