"""Every submitted and returned state of a report, kept whole (``report_version``, append-only in the database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Select, func, insert, select

from boligmonitor.store.accounts.audit import Actor
from boligmonitor.store.reporting.models import ReportingRound, ReportState
from boligmonitor.store.reporting.tables import report_version


def keep(
    connection: Connection,
    report_id: int,
    version: int,
    state: ReportState,
    reporting: ReportingRound,
    snapshot: str,
    *,
    comment: str | None,
    actor: Actor,
    at: datetime,
) -> None:
    """Keep the report's answers (``snapshot``: :func:`answers.snapshot_json`) as they are in this state."""
    connection.execute(
        insert(report_version).values(
            report_id=report_id,
            version=version,
            state=state.value,
            form_version=reporting.form_version,
            recorded_at=at,
            actor=actor.label,
            actor_account_id=actor.account_id,
            comment=comment,
            answers_json=snapshot,
        )
    )


def latest_submitted() -> Select[tuple[object, ...]]:
    """Each report's latest submitted version."""
    latest = (
        select(report_version.c.report_id, func.max(report_version.c.version).label("version"))
        .where(report_version.c.state == ReportState.SUBMITTED.value)
        .group_by(report_version.c.report_id)
        .subquery()
    )
    return select(report_version).join(
        latest,
        (latest.c.report_id == report_version.c.report_id) & (latest.c.version == report_version.c.version),
    )


__all__ = ["keep", "latest_submitted"]
