"""The reporting changes recorded in the audit log (``store.accounts.audit``), each in the transaction of its
change.

The audit log is read by administrators, who see no report answers: its rows for reports name the questions a
change touched, the state and version, and a SHA-256 digest of the answers (the answers themselves are kept in
the report and its kept versions). Comments are recorded by length, not text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection

from boligmonitor.store.accounts import audit
from boligmonitor.store.accounts.audit import Actor


class ReportingAuditAction(StrEnum):
    ROUND_CREATED = "reporting_round.created"
    ROUND_CHANGED = "reporting_round.changed"  # dates
    ROUND_CLOSED = "reporting_round.closed"
    ROUND_REOPENED = "reporting_round.reopened"
    REPORT_CREATED = "report.created"
    REPORT_SAVED = "report.saved"
    REPORT_AUTOSAVED = "report.autosaved"
    REPORT_SUBMITTED = "report.submitted"
    REPORT_RETURNED = "report.returned"
    COMMENT_ADDED = "report.comment_added"
    OWN_GOAL_CREATED = "own_goal.created"
    OWN_GOAL_CHANGED = "own_goal.changed"
    OWN_GOAL_DELETED = "own_goal.deleted"
    NOTIFICATIONS_QUEUED = "notifications.queued"  # invitations and reminders
    RESTORED = "backup.restored"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_change(
    connection: Connection,
    actor: Actor,
    action: ReportingAuditAction,
    object_type: str,
    object_id: int,
    *,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    at: datetime,
) -> None:
    """One audit row in the caller's transaction (through ``store.accounts.audit.record``)."""
    audit.record(connection, actor, action.value, object_type, str(object_id), before=before, after=after, at=at)


__all__ = ["ReportingAuditAction", "digest", "record_change"]
