"""The outbox functions the sender and the inbox page use (store/reporting/notifications.py), on SQLite and
PostgreSQL: unsent messages of active accounts, claim and release, one's own message, the unread count. People
are SYNTHETIC."""

from __future__ import annotations

from boligmonitor.pipeline.reporting.invitations import invite
from boligmonitor.store.accounts import AccountStore
from boligmonitor.store.reporting import ReportingRound, ReportStore
from boligmonitor.store.reporting import notifications as outbox
from tests.store.reporting.synthetic import CLI


def ids(accounts: AccountStore, *emails: str) -> list[int]:
    found = [accounts.account(email) for email in emails]
    return [account.id for account in found if account is not None]


def test_claim_release_own_messages_and_unread_counts(
    reports: ReportStore, accounts: AccountStore, synthetic_round: ReportingRound
) -> None:
    invite(reports, synthetic_round.id, ["5001", "5006"], actor=CLI)
    kari, per = ids(accounts, "kari@kommune.example", "per@kommune.example")
    [karis] = [message.id for message in reports.notifications(kari)]
    [pers] = [message.id for message in reports.notifications(per)]
    engine = reports.engine
    with engine.begin() as connection:
        assert [item.email for item in outbox.unsent_to_active(connection, limit=10)] == [
            "kari@kommune.example",
            "per@kommune.example",
        ]
        assert len(outbox.unsent_to_active(connection, limit=1)) == 1
        assert outbox.claim(connection, karis, reports.now())
        assert not outbox.claim(connection, karis, reports.now())  # taken: a second sender gets nothing
        assert [item.notification.id for item in outbox.unsent_to_active(connection, limit=10)] == [pers]
        outbox.release(connection, karis)
        assert len(outbox.unsent_to_active(connection, limit=10)) == 2

        own = outbox.own_notification(connection, karis, kari)
        assert own is not None and own.link == f"/rapportering/{synthetic_round.id}/5001"
        assert outbox.own_notification(connection, pers, kari) is None  # Per's, not hers
        assert outbox.own_notification(connection, 10_000, kari) is None
        assert outbox.notified_municipalities(connection, own.kind, synthetic_round.id) == {"5001", "5006"}
        assert outbox.notified_recipients(connection, own.kind, synthetic_round.id, "5001") == {kari}

    assert outbox.unread_count(engine, kari) == 1
    reports.mark_read(pers, account_id=kari)  # another's message: left alone
    assert outbox.unread_count(engine, per) == 1
    reports.mark_read(karis, account_id=kari)
    assert outbox.unread_count(engine, kari) == 0
