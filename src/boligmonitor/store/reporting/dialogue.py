"""The thread of a report, inside the caller's transaction: a comment about the report or one goal, and the
notifications it sends to the other side (never its text)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select

from boligmonitor.store.accounts.audit import Actor
from boligmonitor.store.reporting import notifications, rows
from boligmonitor.store.reporting.audit_actions import ReportingAuditAction, record_change
from boligmonitor.store.reporting.models import NotificationKind, ReportComment, ReportSummary
from boligmonitor.store.reporting.problems import ReportingError
from boligmonitor.store.reporting.tables import report_comment
from boligmonitor.store.reporting.validation import MAX_COMMENT_LENGTH


def checked_text(text: str, *, empty_code: str, empty_message: str) -> str:
    """The comment as kept (trimmed), or a :class:`ReportingError` when it is empty or too long."""
    written = text.strip()
    if not written:
        raise ReportingError("comment", empty_code, empty_message)
    if len(written) > MAX_COMMENT_LENGTH:
        raise ReportingError(
            "comment",
            "comment_too_long",
            f"the comment has {len(written)} characters; at most {MAX_COMMENT_LENGTH}",
            max=MAX_COMMENT_LENGTH,
        )
    return written


def add_comment(
    connection: Connection, summary: ReportSummary, text: str, goal_id: str | None, *, actor: Actor, at: datetime
) -> ReportComment:
    """Add a (checked) comment; the municipality's reporters and its regional advisers are notified, not the
    author."""
    result = connection.execute(
        insert(report_comment).values(
            report_id=summary.id,
            goal_id=goal_id,
            author=actor.label,
            author_account_id=actor.account_id,
            written_at=at,
            text=text,
        )
    )
    comment_id = rows.inserted_id(result.inserted_primary_key)
    code = summary.municipality_code
    recipients = [
        recipient
        for recipient in [
            *notifications.municipal_reporters(connection, code),
            *notifications.regional_advisers(connection, code),
        ]
        if recipient != actor.account_id
    ]
    notifications.queue(
        connection, recipients, NotificationKind.COMMENT, round_id=summary.round_id, municipality=code, at=at
    )
    record_change(
        connection,
        actor,
        ReportingAuditAction.COMMENT_ADDED,
        "report_comment",
        comment_id,
        before=None,
        after={"report_id": summary.id, "goal_id": goal_id, "characters": len(text)},
        at=at,
    )
    return rows.comment_from_row(
        connection.execute(select(report_comment).where(report_comment.c.id == comment_id)).one()
    )


__all__ = ["add_comment", "checked_text"]
