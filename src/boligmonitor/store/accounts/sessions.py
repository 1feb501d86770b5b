"""Server-side sessions: the browser holds a random token, the database its digest, the account, the times and
the session's CSRF secret.

A session ends when she signs out, after :attr:`SessionPolicy.idle` without a request, or at
:attr:`SessionPolicy.absolute` after sign-in whatever her activity. Signing in always starts a new session (the
old token, if any, is ended): a token planted before sign-in is worth nothing after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import Connection, delete, insert, or_, select, update

from boligmonitor.store.accounts.accounts import Account, account_from_row
from boligmonitor.store.accounts.tables import account, session
from boligmonitor.store.accounts.tokens import new_token, token_digest

SIGN_IN_METHODS: Final = frozenset({"password", "invitation", "oidc"})


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    idle: timedelta = timedelta(hours=2)
    absolute: timedelta = timedelta(hours=12)
    # last_seen_at is written at most this often: a page view is then a read, not a write, most of the time.
    touch_interval: timedelta = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IssuedSession:
    """A new session: ``token`` goes into the cookie and nowhere else."""

    token: str
    csrf_secret: str
    account: Account
    expires_at: datetime

    def __repr__(self) -> str:  # the secrets stay out of logs and tracebacks
        return f"IssuedSession(account={self.account.email!r}, expires_at={self.expires_at.isoformat()})"


@dataclass(frozen=True, slots=True)
class ActiveSession:
    account: Account
    csrf_secret: str
    method: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime

    def __repr__(self) -> str:
        return f"ActiveSession(account={self.account.email!r}, method={self.method!r})"


def open_session(
    connection: Connection, signed_in: Account, method: str, policy: SessionPolicy, at: datetime
) -> IssuedSession:
    if method not in SIGN_IN_METHODS:
        raise ValueError(f"unknown sign-in method {method!r}; expected one of {sorted(SIGN_IN_METHODS)}")
    _forget_expired(connection, policy, at)
    token, csrf_secret = new_token(), new_token()
    expires_at = at + policy.absolute
    connection.execute(
        insert(session).values(
            id_hash=token_digest(token),
            account_id=signed_in.id,
            method=method,
            created_at=at,
            last_seen_at=at,
            expires_at=expires_at,
            csrf_secret=csrf_secret,
        )
    )
    return IssuedSession(token, csrf_secret, signed_in, expires_at)


def find_session(connection: Connection, token: str, policy: SessionPolicy, at: datetime) -> ActiveSession | None:
    """The live session of ``token`` with its account, or None: unknown, expired (idle or absolute), or its
    account deactivated."""
    row = connection.execute(
        select(
            account,
            session.c.method,
            session.c.csrf_secret,
            session.c.created_at.label("session_created_at"),
            session.c.last_seen_at,
            session.c.expires_at,
        )
        .join(session, account.c.id == session.c.account_id)
        .where(session.c.id_hash == token_digest(token))
    ).first()
    if row is None or row.deactivated_at is not None or not _alive(row.last_seen_at, row.expires_at, policy, at):
        return None
    return ActiveSession(
        account=account_from_row(row),
        csrf_secret=row.csrf_secret,
        method=row.method,
        created_at=row.session_created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
    )


def needs_touch(found: ActiveSession, policy: SessionPolicy, at: datetime) -> bool:
    return at - found.last_seen_at >= policy.touch_interval


def touch(connection: Connection, token: str, at: datetime) -> None:
    connection.execute(update(session).where(session.c.id_hash == token_digest(token)).values(last_seen_at=at))


def close_session(connection: Connection, token: str) -> int | None:
    """End the session of ``token``; the account id it belonged to, or None if there was none."""
    digest = token_digest(token)
    account_id: int | None = connection.scalar(select(session.c.account_id).where(session.c.id_hash == digest))
    connection.execute(delete(session).where(session.c.id_hash == digest))
    return account_id


def close_sessions_of(connection: Connection, account_id: int) -> int:
    """End every session of an account (deactivated, or a new password): the number ended."""
    return connection.execute(delete(session).where(session.c.account_id == account_id)).rowcount


def _alive(last_seen_at: datetime, expires_at: datetime, policy: SessionPolicy, at: datetime) -> bool:
    return at < expires_at and at - last_seen_at < policy.idle


def _forget_expired(connection: Connection, policy: SessionPolicy, at: datetime) -> None:
    connection.execute(
        delete(session).where(or_(session.c.expires_at <= at, session.c.last_seen_at <= at - policy.idle))
    )


__all__ = [
    "SIGN_IN_METHODS",
    "ActiveSession",
    "IssuedSession",
    "SessionPolicy",
    "close_session",
    "close_sessions_of",
    "find_session",
    "needs_touch",
    "open_session",
    "touch",
]
