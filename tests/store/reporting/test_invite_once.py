"""``ReportStore.invite`` and ``remind`` tell each reporter once per round, as pipeline/reporting/invitations.py
does: a second call queues nothing and records no audit row. People are SYNTHETIC (Kari reports for 5001, Per for
5006)."""

from __future__ import annotations

from boligmonitor.store.accounts import AccountStore
from boligmonitor.store.reporting import NotificationKind, ReportingRound, ReportStore
from tests.store.reporting.synthetic import CLI, MUNICIPALITY, OTHER_MUNICIPALITY


def test_a_second_invitation_or_reminder_queues_nothing(
    reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore
) -> None:
    assert reports.invite(synthetic_round.id, [MUNICIPALITY], actor=CLI) == 1
    audited = len(accounts.audit_entries())
    assert reports.invite(synthetic_round.id, [MUNICIPALITY, OTHER_MUNICIPALITY], actor=CLI) == 1  # Per only
    assert reports.invite(synthetic_round.id, [MUNICIPALITY, OTHER_MUNICIPALITY], actor=CLI) == 0
    assert reports.remind(synthetic_round.id, [MUNICIPALITY, OTHER_MUNICIPALITY], actor=CLI) == 2
    assert reports.remind(synthetic_round.id, [MUNICIPALITY, OTHER_MUNICIPALITY], actor=CLI) == 0
    assert len(accounts.audit_entries()) == audited + 2  # the calls that told nobody changed nothing
    kinds = [(n.kind, n.municipality_code) for n in reports.unsent_notifications()]
    assert kinds == [
        (NotificationKind.INVITATION, MUNICIPALITY),
        (NotificationKind.INVITATION, OTHER_MUNICIPALITY),
        (NotificationKind.REMINDER, MUNICIPALITY),
        (NotificationKind.REMINDER, OTHER_MUNICIPALITY),
    ]
