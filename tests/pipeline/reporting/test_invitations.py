"""Invitations to a round and reminders before its deadline, queued in the outbox (on SQLite and PostgreSQL);
and which programme members a round invites. People and answers are SYNTHETIC; the Midt-Norge members are the
real ones of the packaged programme."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from boligmonitor.catalog.reporting import load_programme
from boligmonitor.pipeline.reporting.invitations import invite, members_in, remind_due
from boligmonitor.store.accounts import AccountStore
from boligmonitor.store.accounts.tables import account, audit_log
from boligmonitor.store.reporting import AnswerInput, ReportingError, ReportingRound, ReportStore
from boligmonitor.store.reporting.tables import notification_outbox
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.synthetic import CLI

MIDT_NORGE_2009 = ["1502", "1504", "1505", "1601", "1702", "1714", "1719", "1721"]


def outbox(reports: ReportStore) -> list[tuple[str, str, str]]:
    """(kind, municipality, recipient's e-mail) per message, in order."""
    query = (
        select(notification_outbox.c.kind, notification_outbox.c.municipality_code, account.c.email)
        .join(account, account.c.id == notification_outbox.c.recipient_account_id)
        .order_by(notification_outbox.c.id)
    )
    with reports.engine.connect() as connection:
        return [(row.kind, row.municipality_code, row.email) for row in connection.execute(query)]


def queued_audit(reports: ReportStore) -> list[dict[str, object]]:
    query = select(audit_log.c.after_json).where(audit_log.c.action == "notifications.queued").order_by(audit_log.c.id)
    with reports.engine.connect() as connection:
        return [json.loads(text) for text in connection.scalars(query)]


def submit(reports: ReportStore, reporting: ReportingRound, code: str) -> None:
    draft = reports.open_draft(reporting.id, code, actor=CLI)
    answers = {"antall_boliger": AnswerInput(number=1), "har_plan": AnswerInput(yes_no=False)}
    saved = reports.autosave(draft.id, draft.version, answers, actor=CLI)
    reports.submit(saved.id, saved.version, actor=CLI)


def test_members_in_a_year_are_the_members_not_the_invited() -> None:
    midt_norge = load_programme("boligsosialt_utviklingsprogram_midt_norge")
    assert members_in(midt_norge, 2009) == MIDT_NORGE_2009
    assert members_in(midt_norge, 2012) == MIDT_NORGE_2009
    assert members_in(midt_norge, 2014) == []  # 2013–2016: the source says only "invited"
    assert members_in(midt_norge, 2008) == []
    assert members_in(load_programme("bolig_for_velferd"), 2018) == []  # its members come from a file


def test_each_reporter_is_invited_once_per_round(
    reports: ReportStore, accounts: AccountStore, synthetic_round: ReportingRound
) -> None:
    first = invite(reports, synthetic_round.id, ["5001", "5006", "0301"], actor=CLI)
    assert first.messages == {"0301": 0, "5001": 1, "5006": 1}
    assert first.without_reporters == ("0301",)
    again = invite(reports, synthetic_round.id, ["5001", "K-5006"], actor=CLI)
    assert again.total == 0
    accounts.create_account("nora@kommune.example", "municipal_reporter", municipality="5001", actor=CLI)
    later = invite(reports, synthetic_round.id, ["5001"], actor=CLI)
    assert later.messages == {"5001": 1}
    assert outbox(reports) == [
        ("invitation", "5001", "kari@kommune.example"),
        ("invitation", "5006", "per@kommune.example"),
        ("invitation", "5001", "nora@kommune.example"),
    ]
    assert queued_audit(reports) == [  # a run that told nobody leaves no audit row
        {"kind": "invitation", "municipalities": ["5001", "5006"], "messages": 2},
        {"kind": "invitation", "municipalities": ["5001"], "messages": 1},
    ]


def test_invitations_are_refused_for_a_closed_round_or_a_bad_number(
    reports: ReportStore, accounts: AccountStore, synthetic_round: ReportingRound
) -> None:
    with pytest.raises(ReportingError) as bad:
        invite(reports, synthetic_round.id, ["50"], actor=CLI)
    assert bad.value.code == "municipality_invalid"
    with pytest.raises(ReportingError) as unknown:
        invite(reports, 999, ["5001"], actor=CLI)
    assert unknown.value.code == "round_unknown"
    reports.close_round(synthetic_round.id, actor=CLI)
    with pytest.raises(ReportingError) as closed:
        invite(reports, synthetic_round.id, ["5001"], actor=CLI)
    assert closed.value.code == "round_closed"
    assert outbox(reports) == []


def test_reminders_go_once_to_invited_municipalities_not_submitted_when_the_deadline_is_near(
    reports: ReportStore, accounts: AccountStore, synthetic_round: ReportingRound, clock: FakeClock
) -> None:
    invite(reports, synthetic_round.id, ["5001", "5006"], actor=CLI)
    submit(reports, synthetic_round, "5006")
    reports.open_draft(synthetic_round.id, "0301", actor=CLI)  # started, never invited: counts as invited
    assert remind_due(reports, actor=CLI) == []  # 30 days to the deadline
    clock.advance(timedelta(days=24))  # 6 days left
    [queued] = remind_due(reports, actor=CLI)
    assert queued.messages == {"0301": 0, "5001": 1}
    assert queued.without_reporters == ("0301",)
    [again] = remind_due(reports, days=7, actor=CLI)  # 0301 is still named: nobody there to remind
    assert (again.total, again.without_reporters) == (0, ("0301",))
    reminders = [entry for entry in outbox(reports) if entry[0] == "reminder"]
    assert reminders == [("reminder", "5001", "kari@kommune.example")]


def test_a_second_reminder_run_finds_nothing_due(
    reports: ReportStore, accounts: AccountStore, synthetic_round: ReportingRound, clock: FakeClock
) -> None:
    invite(reports, synthetic_round.id, ["5001"], actor=CLI)
    clock.advance(timedelta(days=25))
    assert [queued.total for queued in remind_due(reports, days=7, actor=CLI)] == [1]
    assert remind_due(reports, days=7, actor=CLI) == []
    assert [entry["kind"] for entry in queued_audit(reports)] == ["invitation", "reminder"]


def test_no_reminders_after_the_deadline_for_a_closed_round_or_a_round_not_open_yet(
    reports: ReportStore, accounts: AccountStore, synthetic_round: ReportingRound, clock: FakeClock
) -> None:
    invite(reports, synthetic_round.id, ["5001"], actor=CLI)
    clock.advance(timedelta(days=31))  # past the deadline
    assert remind_due(reports, days=7, actor=CLI) == []
    clock.advance(timedelta(days=-6))
    reports.close_round(synthetic_round.id, actor=CLI)
    assert remind_due(reports, days=7, actor=CLI) == []
    with pytest.raises(ValueError, match="days"):
        remind_due(reports, days=-1, actor=CLI)
