"""The audit log: who changed what, when, from where, and the object before and after, as canonical JSON.

Rows are only ever added (:func:`record`, inside the transaction of the change it describes, so a change and its
record commit together or not at all); the database refuses to update or delete them (triggers, migration
0003). Other domains with people's data (reporting, the municipality's workspace) record their changes here too,
with their own action names.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import Connection, insert, select

from boligmonitor.store.accounts.tables import audit_log

MAX_AUDITED_TEXT: Final = 254  # what a visitor typed (an unknown e-mail) is kept this long at most


class AuditAction(StrEnum):
    """The changes of accounts and access that are recorded."""

    ACCOUNT_CREATED = "account.created"
    ACCOUNT_ROLE_CHANGED = "account.role_changed"  # role, municipality or region
    ACCOUNT_DEACTIVATED = "account.deactivated"
    ACCOUNT_REACTIVATED = "account.reactivated"
    ACCOUNT_LANGUAGE_CHANGED = "account.language_changed"  # the language of her notifications
    PASSWORD_SET = "account.password_set"  # noqa: S105 (an action name, not a password)
    INVITATION_CREATED = "invitation.created"
    INVITATION_ACCEPTED = "invitation.accepted"
    SIGNED_IN = "session.signed_in"
    SIGNED_OUT = "session.signed_out"
    SIGN_IN_FAILED = "session.sign_in_failed"
    REGIONS_CHANGED = "adviser_regions.changed"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change: a signed-in account, the command line (with the operating-system user) or an
    anonymous visitor (a failed sign-in), and from which client address when over the web."""

    label: str
    account_id: int | None = None
    client_address: str | None = None

    @classmethod
    def command_line(cls) -> Actor:
        try:
            user = getpass.getuser()
        except OSError:  # no user name in the environment nor the password database (a bare container)
            user = "unknown user"
        return cls(f"command line ({user})")

    @classmethod
    def signed_in(cls, account_id: int, email: str, client_address: str | None) -> Actor:
        return cls(email, account_id, client_address)

    @classmethod
    def anonymous(cls, client_address: str | None) -> Actor:
        return cls("anonymous", None, client_address)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    recorded_at: datetime
    actor: str
    actor_account_id: int | None
    client_address: str | None
    action: str
    object_type: str
    object_id: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


def canonical_json(document: Mapping[str, Any] | None) -> str | None:
    if document is None:
        return None
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def record(
    connection: Connection,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str,
    *,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    at: datetime,
) -> None:
    """Add one row to the audit log, in the caller's transaction. Never put a password, hash or token in
    ``before``/``after``: say that it was set."""
    connection.execute(
        insert(audit_log).values(
            recorded_at=at,
            actor_account_id=actor.account_id,
            actor=actor.label[:MAX_AUDITED_TEXT],
            client_address=actor.client_address,
            action=action,
            object_type=object_type,
            object_id=object_id[:MAX_AUDITED_TEXT],
            before_json=canonical_json(before),
            after_json=canonical_json(after),
        )
    )


def read_entries(connection: Connection, *, limit: int, before_id: int | None = None) -> list[AuditEntry]:
    """The newest ``limit`` entries (older than entry ``before_id`` when given), newest first."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
    return [
        AuditEntry(
            id=row.id,
            recorded_at=row.recorded_at,
            actor=row.actor,
            actor_account_id=row.actor_account_id,
            client_address=row.client_address,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            before=_parsed(row.before_json),
            after=_parsed(row.after_json),
        )
        for row in connection.execute(query)
    ]


def _parsed(text: str | None) -> Mapping[str, Any] | None:
    if text is None:
        return None
    parsed = json.loads(text)
    if not isinstance(parsed, dict):
        raise ValueError(f"audit_log: expected a JSON object, got {text[:80]!r}")
    return parsed


__all__ = ["Actor", "AuditAction", "AuditEntry", "canonical_json", "read_entries", "record"]
