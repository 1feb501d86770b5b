"""Sign-in attempts and the limits on failed ones, per account and per client address.

Failed attempts are counted over a sliding window: for an account since its last successful sign-in, for an
address all of them. Once a limit is reached, sign-in is refused without checking the password until the oldest
counted failure leaves the window; refused attempts are not counted, so nobody can keep an account locked for
longer than the window by hammering it. Unknown e-mail addresses are counted like known ones, so the limit
tells nobody which accounts exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from sqlalchemy import ColumnElement, Connection, delete, func, insert, select

from boligmonitor.store.accounts.emails import normalise_email
from boligmonitor.store.accounts.problems import AccountError
from boligmonitor.store.accounts.tables import login_attempt
from boligmonitor.store.accounts.tokens import token_digest

ATTEMPT_OUTCOMES: Final = frozenset({"success", "failure"})
KEPT_FOR: Final = timedelta(days=1)  # older attempts are deleted: they count for nothing


def account_key(typed_email: str) -> str:
    """What the attempts table keeps of the e-mail address typed: the digest of its normal form (of the text as
    typed, lower-cased, when it is no address at all)."""
    try:
        normal = normalise_email(typed_email)
    except AccountError:
        normal = typed_email.strip().lower()
    return token_digest(normal)


@dataclass(frozen=True, slots=True)
class RateLimits:
    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Throttled:
    """Sign-in refused for a while: ``by`` which limit, and when to try again."""

    by: Literal["account", "address"]
    retry_after: timedelta


def throttled(
    connection: Connection, key: str, client_address: str | None, limits: RateLimits, at: datetime
) -> Throttled | None:
    since = at - limits.window
    last_success = connection.scalar(
        select(func.max(login_attempt.c.attempted_at)).where(
            login_attempt.c.account_key == key, login_attempt.c.outcome == "success"
        )
    )
    account_since = max(since, last_success) if last_success is not None else since
    account_failures = _failures(connection, login_attempt.c.account_key == key, account_since)
    if len(account_failures) >= limits.per_account:
        return Throttled("account", _retry_after(account_failures, limits.per_account, limits.window, at))
    if client_address is not None:
        address_failures = _failures(connection, login_attempt.c.client_address == client_address, since)
        if len(address_failures) >= limits.per_address:
            return Throttled("address", _retry_after(address_failures, limits.per_address, limits.window, at))
    return None


def record_attempt(connection: Connection, key: str, client_address: str | None, outcome: str, at: datetime) -> None:
    if outcome not in ATTEMPT_OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    connection.execute(delete(login_attempt).where(login_attempt.c.attempted_at < at - KEPT_FOR))
    connection.execute(
        insert(login_attempt).values(attempted_at=at, account_key=key, client_address=client_address, outcome=outcome)
    )


def _failures(connection: Connection, who: ColumnElement[bool], since: datetime) -> list[datetime]:
    query = (
        select(login_attempt.c.attempted_at)
        .where(who, login_attempt.c.outcome == "failure", login_attempt.c.attempted_at > since)
        .order_by(login_attempt.c.attempted_at)
    )
    return list(connection.scalars(query))


def _retry_after(failures: list[datetime], limit: int, window: timedelta, at: datetime) -> timedelta:
    """Until enough of the counted failures (oldest first) have left the window for one more attempt."""
    leaving = failures[len(failures) - limit]
    return max(timedelta(0), leaving + window - at)


__all__ = ["ATTEMPT_OUTCOMES", "RateLimits", "Throttled", "account_key", "record_attempt", "throttled"]
