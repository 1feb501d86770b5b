"""Invitations: a one-time link, valid for a while, with which a new account sets its password.

The link's token is shown once (the command line prints it); the database keeps its SHA-256 only. An invitation
is used up when a password is set with it, and a newer invitation for the same account ends the older ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import Connection, insert, select, update

from boligmonitor.store.accounts import audit
from boligmonitor.store.accounts.accounts import Account, find_by_id
from boligmonitor.store.accounts.audit import Actor, AuditAction
from boligmonitor.store.accounts.problems import AccountError
from boligmonitor.store.accounts.tables import invitation
from boligmonitor.store.accounts.tokens import new_token, token_digest

DEFAULT_INVITATION_VALIDITY: Final = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class IssuedInvitation:
    """A new invitation: ``token`` goes into the link and is not kept anywhere."""

    token: str
    account: Account
    expires_at: datetime

    def __repr__(self) -> str:  # the token stays out of logs and tracebacks
        return f"IssuedInvitation(account={self.account.email!r}, expires_at={self.expires_at.isoformat()})"


def issue(
    connection: Connection, target: Account, *, valid_for: timedelta, actor: Actor, at: datetime
) -> IssuedInvitation:
    if valid_for <= timedelta(0):
        raise AccountError("valid_for", "validity_invalid", "an invitation must be valid for some time")
    if not target.active:
        raise AccountError("email", "account_inactive", f"the account {target.email} is deactivated")
    # A newer invitation ends the older ones still open: only the last link printed works.
    connection.execute(
        update(invitation)
        .where(invitation.c.account_id == target.id, invitation.c.used_at.is_(None), invitation.c.expires_at > at)
        .values(expires_at=at)
    )
    token = new_token()
    expires_at = at + valid_for
    connection.execute(
        insert(invitation).values(
            account_id=target.id,
            token_hash=token_digest(token),
            created_at=at,
            expires_at=expires_at,
            used_at=None,
            created_by=actor.label,
        )
    )
    audit.record(
        connection,
        actor,
        AuditAction.INVITATION_CREATED,
        "account",
        str(target.id),
        before=None,
        after={"email": target.email, "expires_at": expires_at.isoformat()},
        at=at,
    )
    return IssuedInvitation(token, target, expires_at)


def open_invitation(connection: Connection, token: str, at: datetime) -> tuple[int, Account] | None:
    """The invitation's id and its account, if the token names one that is unused, unexpired and for an active
    account; otherwise None (whichever the reason: the page says the link is not valid)."""
    row = connection.execute(
        select(invitation.c.id, invitation.c.account_id, invitation.c.expires_at, invitation.c.used_at).where(
            invitation.c.token_hash == token_digest(token)
        )
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= at:
        return None
    target = find_by_id(connection, row.account_id)
    if target is None or not target.active:
        return None
    return row.id, target


def use(connection: Connection, invitation_id: int, at: datetime) -> bool:
    """Mark an invitation used; False if another request used it first (single use, also under a race) or it
    has expired meanwhile."""
    result = connection.execute(
        update(invitation)
        .where(invitation.c.id == invitation_id, invitation.c.used_at.is_(None), invitation.c.expires_at > at)
        .values(used_at=at)
    )
    return result.rowcount == 1


__all__ = ["DEFAULT_INVITATION_VALIDITY", "IssuedInvitation", "issue", "open_invitation", "use"]
