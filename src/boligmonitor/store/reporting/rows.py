"""Reading rounds, reports, kept versions, comments, own goals and notifications from their rows (and the id of
a new row)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Row, Select, select

from boligmonitor.catalog.reporting import OwnGoal
from boligmonitor.store.reporting.models import (
    Notification,
    NotificationKind,
    ReportComment,
    ReportingRound,
    ReportState,
    ReportSummary,
    ReportVersion,
    RoundState,
    StoredOwnGoal,
)
from boligmonitor.store.reporting.tables import (
    notification_outbox,
    own_goal,
    report,
    report_comment,
    report_version,
    reporting_round,
)


def round_from_row(row: Row[Any]) -> ReportingRound:
    return ReportingRound(
        id=row.id,
        programme_id=row.programme_id,
        year=row.year,
        form_version=row.form_version,
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        state=RoundState(row.state),
        created_at=row.created_at,
        created_by=row.created_by,
    )


def find_round(connection: Connection, round_id: int) -> ReportingRound | None:
    row = connection.execute(select(reporting_round).where(reporting_round.c.id == round_id)).first()
    return None if row is None else round_from_row(row)


def summaries_query() -> Select[Any]:
    """Reports with their round's programme, year and form version."""
    return (
        select(
            report,
            reporting_round.c.programme_id,
            reporting_round.c.year,
            reporting_round.c.form_version,
        )
        .select_from(report.join(reporting_round, reporting_round.c.id == report.c.round_id))
        .order_by(reporting_round.c.programme_id, reporting_round.c.year, report.c.municipality_code)
    )


def summary_from_row(row: Row[Any]) -> ReportSummary:
    return ReportSummary(
        id=row.id,
        round_id=row.round_id,
        programme_id=row.programme_id,
        year=row.year,
        form_version=row.form_version,
        municipality_code=row.municipality_code,
        state=ReportState(row.state),
        version=row.version,
        data_version=row.data_version,
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        submitted_at=row.submitted_at,
        submitted_by=row.submitted_by,
        returned_at=row.returned_at,
        returned_by=row.returned_by,
        return_comment=row.return_comment,
    )


def find_summary(connection: Connection, report_id: int) -> ReportSummary | None:
    row = connection.execute(summaries_query().where(report.c.id == report_id)).first()
    return None if row is None else summary_from_row(row)


def version_from_row(row: Row[Any]) -> ReportVersion:
    answers = json.loads(row.answers_json)
    if not isinstance(answers, dict):
        raise ValueError(f"report_version {row.id}: expected a JSON object of answers")
    return ReportVersion(
        id=row.id,
        report_id=row.report_id,
        version=row.version,
        state=ReportState(row.state),
        form_version=row.form_version,
        recorded_at=row.recorded_at,
        actor=row.actor,
        comment=row.comment,
        answers=answers,
    )


def read_versions(connection: Connection, report_id: int) -> list[ReportVersion]:
    query = select(report_version).where(report_version.c.report_id == report_id).order_by(report_version.c.version)
    return [version_from_row(row) for row in connection.execute(query)]


def comment_from_row(row: Row[Any]) -> ReportComment:
    return ReportComment(
        id=row.id,
        report_id=row.report_id,
        goal_id=row.goal_id,
        author=row.author,
        author_account_id=row.author_account_id,
        written_at=row.written_at,
        text=row.text,
    )


def read_comments(connection: Connection, report_id: int) -> list[ReportComment]:
    query = select(report_comment).where(report_comment.c.report_id == report_id).order_by(report_comment.c.id)
    return [comment_from_row(row) for row in connection.execute(query)]


def own_goal_from_row(row: Row[Any]) -> StoredOwnGoal:
    return StoredOwnGoal(
        id=row.id,
        version=row.version,
        goal=OwnGoal.model_validate_json(row.definition_json),
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def find_own_goal(connection: Connection, programme_id: str, municipality: str, goal_id: str) -> StoredOwnGoal | None:
    query = select(own_goal).where(
        own_goal.c.programme_id == programme_id,
        own_goal.c.municipality_code == municipality,
        own_goal.c.goal_id == goal_id,
    )
    row = connection.execute(query).first()
    return None if row is None else own_goal_from_row(row)


def read_own_goals(connection: Connection, programme_id: str, municipality: str) -> list[StoredOwnGoal]:
    query = (
        select(own_goal)
        .where(own_goal.c.programme_id == programme_id, own_goal.c.municipality_code == municipality)
        .order_by(own_goal.c.goal_id)
    )
    return [own_goal_from_row(row) for row in connection.execute(query)]


def notification_from_row(row: Row[Any]) -> Notification:
    return Notification(
        id=row.id,
        recipient_account_id=row.recipient_account_id,
        kind=NotificationKind(row.kind),
        link=row.link,
        round_id=row.round_id,
        municipality_code=row.municipality_code,
        created_at=row.created_at,
        sent_at=row.sent_at,
        read_at=row.read_at,
    )


def inserted_id(key: Any) -> int:
    """The id the database gave a new row (``result.inserted_primary_key``)."""
    value = key[0] if key else None
    if not isinstance(value, int):
        raise RuntimeError(f"the database returned no id for the new row (got {value!r})")
    return value


def read_notifications(connection: Connection, query: Select[Any]) -> list[Notification]:
    return [notification_from_row(row) for row in connection.execute(query.order_by(notification_outbox.c.id))]


__all__ = [
    "comment_from_row",
    "find_own_goal",
    "find_round",
    "find_summary",
    "inserted_id",
    "notification_from_row",
    "own_goal_from_row",
    "read_comments",
    "read_notifications",
    "read_own_goals",
    "read_versions",
    "round_from_row",
    "summaries_query",
    "summary_from_row",
    "version_from_row",
]
