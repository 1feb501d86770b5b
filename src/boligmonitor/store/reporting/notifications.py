"""The notification outbox: who is told what, with a link and nothing else.

Messages are queued in the transaction of the change they announce (a returned report, a comment), or by an
invitation or reminder run; a sender (e-mail over SMTP) takes the unsent ones and marks them sent, and the inbox
page shows an account its own. A message never holds an answer or a comment's text: the link leads to the page,
where she signs in and sees what she may.

Recipients: a municipality's active reporters (``municipal_reporter``) for invitations, reminders and returned
reports; for a comment also the regional advisers whose region holds the municipality; never the comment's
author.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Connection, Engine, func, insert, or_, select, update

from boligmonitor.store.accounts.languages import AccountLanguage, stored_language
from boligmonitor.store.accounts.roles import Role
from boligmonitor.store.accounts.tables import account, adviser_region_area
from boligmonitor.store.accounts.transactions import account_reading
from boligmonitor.store.reporting.models import Notification, NotificationKind
from boligmonitor.store.reporting.rows import notification_from_row
from boligmonitor.store.reporting.tables import notification_outbox

# Where a link leads: the municipality's report in a round (the web layer serves this path).
REPORT_LINK: Final = "/rapportering/{round_id}/{municipality}"


def report_link(round_id: int, municipality: str) -> str:
    return REPORT_LINK.format(round_id=round_id, municipality=municipality)


def municipal_reporters(connection: Connection, municipality: str) -> list[int]:
    """The active reporters of a municipality, by account id."""
    query = (
        select(account.c.id)
        .where(
            account.c.role == Role.MUNICIPAL_REPORTER.value,
            account.c.municipality_code == municipality,
            account.c.deactivated_at.is_(None),
        )
        .order_by(account.c.id)
    )
    return list(connection.scalars(query))


def regional_advisers(connection: Connection, municipality: str) -> list[int]:
    """The active regional advisers whose region holds the municipality (itself or its county)."""
    regions = select(adviser_region_area.c.region_name).where(
        or_(adviser_region_area.c.area_code == municipality, adviser_region_area.c.area_code == municipality[:2])
    )
    query = (
        select(account.c.id)
        .where(
            account.c.role == Role.REGIONAL_ADVISER.value,
            account.c.adviser_region.in_(regions),
            account.c.deactivated_at.is_(None),
        )
        .order_by(account.c.id)
    )
    return list(connection.scalars(query))


def queue(
    connection: Connection,
    recipients: Iterable[int],
    kind: NotificationKind,
    *,
    round_id: int,
    municipality: str,
    at: datetime,
) -> int:
    """Queue one message per recipient (each once); returns how many."""
    link = report_link(round_id, municipality)
    rows = [
        {
            "recipient_account_id": recipient,
            "kind": kind.value,
            "link": link,
            "round_id": round_id,
            "municipality_code": municipality,
            "created_at": at,
            "sent_at": None,
            "read_at": None,
        }
        for recipient in dict.fromkeys(recipients)
    ]
    if rows:
        connection.execute(insert(notification_outbox), rows)
    return len(rows)


# For the sender (pipeline/reporting/mail.py), the inbox page, invitations and reminders: inside the caller's
# transaction like the functions above, except unread_count, a reading of its own for the page header.


@dataclass(frozen=True, slots=True)
class Addressed:
    """An unsent message with its recipient's e-mail address and the language she chose for her notifications
    (read when the message is sent: a choice made after it was queued counts)."""

    notification: Notification
    email: str
    language: AccountLanguage


def unsent_to_active(connection: Connection, *, limit: int) -> list[Addressed]:
    """The oldest unsent messages whose recipient's account is active, with the address and language. A
    deactivated account gets no mail: its messages stay unsent (and out of this list)."""
    query = (
        select(notification_outbox, account.c.email, account.c.language)
        .join(account, account.c.id == notification_outbox.c.recipient_account_id)
        .where(notification_outbox.c.sent_at.is_(None), account.c.deactivated_at.is_(None))
        .order_by(notification_outbox.c.id)
        .limit(limit)
    )
    return [
        Addressed(notification_from_row(row), row.email, stored_language(row.language))
        for row in connection.execute(query)
    ]


def claim(connection: Connection, notification_id: int, at: datetime) -> bool:
    """Mark an unsent message sent at ``at``; False when it is sent already (another sender took it)."""
    result = connection.execute(
        update(notification_outbox)
        .where(notification_outbox.c.id == notification_id, notification_outbox.c.sent_at.is_(None))
        .values(sent_at=at)
    )
    return result.rowcount == 1


def release(connection: Connection, notification_id: int) -> None:
    """Make a claimed message unsent again (its sending failed): the next run tries it again."""
    connection.execute(
        update(notification_outbox).where(notification_outbox.c.id == notification_id).values(sent_at=None)
    )


def notified_municipalities(connection: Connection, kind: NotificationKind, round_id: int) -> set[str]:
    """The municipalities of the round that have any message of ``kind`` (to any of their people)."""
    query = select(notification_outbox.c.municipality_code).where(
        notification_outbox.c.kind == kind.value,
        notification_outbox.c.round_id == round_id,
        notification_outbox.c.municipality_code.is_not(None),
    )
    return {str(code) for code in connection.scalars(query.distinct())}


def notified_recipients(connection: Connection, kind: NotificationKind, round_id: int, municipality: str) -> set[int]:
    """The accounts that already have a message of ``kind`` about the municipality in the round."""
    query = select(notification_outbox.c.recipient_account_id).where(
        notification_outbox.c.kind == kind.value,
        notification_outbox.c.round_id == round_id,
        notification_outbox.c.municipality_code == municipality,
    )
    return set(connection.scalars(query))


def own_notification(connection: Connection, notification_id: int, account_id: int) -> Notification | None:
    """One of the account's own messages; None for an unknown id or another account's message."""
    row = connection.execute(
        select(notification_outbox).where(
            notification_outbox.c.id == notification_id, notification_outbox.c.recipient_account_id == account_id
        )
    ).first()
    return None if row is None else notification_from_row(row)


def count_unread(connection: Connection, account_id: int) -> int:
    query = select(func.count()).where(
        notification_outbox.c.recipient_account_id == account_id, notification_outbox.c.read_at.is_(None)
    )
    return int(connection.scalar(query) or 0)


def unread_count(engine: Engine, account_id: int) -> int:
    """How many of the account's messages are not yet read (for the page header)."""
    with account_reading(engine) as connection:
        return count_unread(connection, account_id)


__all__ = [
    "REPORT_LINK",
    "Addressed",
    "claim",
    "count_unread",
    "municipal_reporters",
    "notified_municipalities",
    "notified_recipients",
    "own_notification",
    "queue",
    "regional_advisers",
    "release",
    "report_link",
    "unread_count",
    "unsent_to_active",
]
