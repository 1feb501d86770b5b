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
from datetime import datetime
from typing import Final

from sqlalchemy import Connection, insert, or_, select

from boligmonitor.store.accounts.roles import Role
from boligmonitor.store.accounts.tables import account, adviser_region_area
from boligmonitor.store.reporting.models import NotificationKind
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


__all__ = ["REPORT_LINK", "municipal_reporters", "queue", "regional_advisers", "report_link"]
