"""E-mail delivery of the outbox against a real SMTP server on loopback (aiosmtpd), on SQLite and PostgreSQL.
All people, answers and comments are SYNTHETIC (tests/store/reporting/synthetic.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Final

import pytest
from sqlalchemy import select, update

from boligmonitor.pipeline.reporting.invitations import invite
from boligmonitor.pipeline.reporting.mail import DeliveryError, deliver_unsent
from boligmonitor.pipeline.reporting.mail_settings import Security
from boligmonitor.store.accounts import AccountStore
from boligmonitor.store.reporting import AnswerInput, ReportingRound, ReportStore
from boligmonitor.store.reporting.tables import notification_outbox
from tests.pipeline.reporting.smtp_server import BASE_URL, SmtpServer, body_of, refusing_port
from tests.store.reporting.synthetic import CLI, actor

KARI: Final = "kari@kommune.example"  # reporter, 5001
PER: Final = "per@kommune.example"  # reporter, 5006
ANNE: Final = "anne@husbanken.example"  # adviser, region Midt
SECRET_ANSWER: Final = "SYNTHETIC hemmelig svar om aktiviteter"
SECRET_COMMENT: Final = "SYNTHETIC kommentartekst som bare står på siden"


class SimulatedCrashError(BaseException):
    """Stands for the process dying: not an Exception, so nothing in the sender handles it."""


def sent_at(reports: ReportStore) -> dict[int, bool]:
    with reports.engine.connect() as connection:
        rows = connection.execute(select(notification_outbox.c.id, notification_outbox.c.sent_at))
        return {row.id: row.sent_at is not None for row in rows}


def submitted_with_answer(reports: ReportStore, synthetic_round: ReportingRound) -> int:
    draft = reports.open_draft(synthetic_round.id, "5001", actor=CLI)
    answers = {
        "antall_boliger": AnswerInput(number=3),
        "har_plan": AnswerInput(yes_no=True),
        "aktiviteter": AnswerInput(text=SECRET_ANSWER),
    }
    saved = reports.autosave(draft.id, draft.version, answers, actor=CLI)
    return reports.submit(saved.id, saved.version, actor=CLI).id


def test_an_invitation_arrives_with_the_full_link_and_no_answer(
    reports: ReportStore, accounts: AccountStore, synthetic_round: ReportingRound, smtp: SmtpServer
) -> None:
    submitted_with_answer(reports, synthetic_round)
    invite(reports, synthetic_round.id, ["5001", "5006"], actor=CLI)

    result = deliver_unsent(reports, smtp.settings())

    assert result.ok and len(result.sent) == 2
    assert sorted(to for [to] in smtp.mailbox.recipients) == [KARI, PER]
    kari = next(message for message in smtp.mailbox.messages if message["To"] == KARI)
    text = body_of(kari)
    assert f"{BASE_URL}/rapportering/{synthetic_round.id}/5001" in text
    assert f"{BASE_URL}/innboks" in text
    assert "invitert til å rapportere" in text and "5001" in text and "2019" in text
    assert kari["Subject"].startswith("Invitasjon til rapportering")
    assert kari["From"] == "Boligmonitor <ikke-svar@husbanken.example>"
    assert kari["Auto-Submitted"] == "auto-generated"
    assert kari["Message-ID"].startswith("<boligmonitor.notification.")
    assert SECRET_ANSWER not in kari.as_string() and "hemmelig" not in text
    assert all(sent_at(reports).values())
    # A second run finds nothing to send.
    again = deliver_unsent(reports, smtp.settings())
    assert again.sent == [] and len(smtp.mailbox.messages) == 2


def test_returned_reports_and_comments_are_mailed_without_their_text(
    reports: ReportStore, accounts: AccountStore, synthetic_round: ReportingRound, smtp: SmtpServer
) -> None:
    report_id = submitted_with_answer(reports, synthetic_round)
    reports.return_report(report_id, SECRET_COMMENT, actor=actor(accounts, ANNE))
    reports.comment(report_id, SECRET_COMMENT, actor=actor(accounts, ANNE))  # to Kari, not to Anne herself
    reports.comment(report_id, SECRET_COMMENT, actor=actor(accounts, KARI))  # to Anne, not to Kari herself

    result = deliver_unsent(reports, smtp.settings())

    assert result.ok
    received = [(message["To"], message["Subject"].split(":")[0]) for message in smtp.mailbox.messages]
    assert received == [
        (KARI, "Rapporten er sendt tilbake"),
        (KARI, "Ny kommentar til rapporten"),
        (ANNE, "Ny kommentar til rapporten"),
    ]
    for message in smtp.mailbox.messages:
        assert SECRET_COMMENT not in message.as_string()
        assert SECRET_ANSWER not in message.as_string()
        assert f"{BASE_URL}/rapportering/{synthetic_round.id}/5001" in body_of(message)
    assert "sendt tilbake med en kommentar" in body_of(smtp.mailbox.messages[0])


@pytest.mark.parametrize(
    ("refusal", "reply"),
    [("recipient", "550 5.1.1 SYNTHETIC no such user"), ("data", "451 4.3.0 SYNTHETIC try again later")],
)
def test_a_refused_message_stays_unsent_and_goes_with_the_next_run(
    reports: ReportStore,
    accounts: AccountStore,
    synthetic_round: ReportingRound,
    smtp: SmtpServer,
    refusal: str,
    reply: str,
) -> None:
    invite(reports, synthetic_round.id, ["5001", "5006"], actor=CLI)
    if refusal == "recipient":
        smtp.mailbox.refuse_recipient = reply
    else:
        smtp.mailbox.refuse_data = reply

    result = deliver_unsent(reports, smtp.settings())

    assert not result.ok and result.sent == []
    assert [failure.recipient for failure in result.failed] == [KARI, PER]
    assert all(failure.reason == reply for failure in result.failed)
    assert not any(sent_at(reports).values())
    assert smtp.mailbox.messages == []

    smtp.mailbox.reset()  # the server takes mail again
    retried = deliver_unsent(reports, smtp.settings())
    assert retried.ok and len(retried.sent) == 2 and len(smtp.mailbox.messages) == 2


def test_a_server_that_refuses_connections_leaves_everything_unsent(
    reports: ReportStore, accounts: AccountStore, synthetic_round: ReportingRound, smtp: SmtpServer
) -> None:
    invite(reports, synthetic_round.id, ["5001"], actor=CLI)
    with (
        refusing_port() as port,
        pytest.raises(DeliveryError, match=rf"cannot reach the SMTP server at [0-9.]+:{port}"),
    ):
        deliver_unsent(reports, replace(smtp.settings(), port=port))
    assert not any(sent_at(reports).values())


def test_starttls_against_a_server_without_it_is_a_clear_error_and_sends_nothing(
    reports: ReportStore, accounts: AccountStore, synthetic_round: ReportingRound, smtp: SmtpServer
) -> None:
    invite(reports, synthetic_round.id, ["5001"], actor=CLI)
    with pytest.raises(DeliveryError, match="does not offer STARTTLS"):
        deliver_unsent(reports, smtp.settings(security=Security.STARTTLS))
    assert not any(sent_at(reports).values())
    assert smtp.mailbox.messages == []


def test_a_crash_after_the_server_took_a_message_never_sends_it_twice(
    reports: ReportStore, accounts: AccountStore, synthetic_round: ReportingRound, smtp: SmtpServer
) -> None:
    """At most once: the message is marked sent before it is handed to the server, so a run that dies right
    after the server accepted it (before anything else happens) leaves it marked, and the retry skips it."""
    invite(reports, synthetic_round.id, ["5001", "5006"], actor=CLI)

    def crash(notification_id: int) -> None:
        raise SimulatedCrashError(notification_id)

    with pytest.raises(SimulatedCrashError):
        deliver_unsent(reports, smtp.settings(), after_send=crash)
    assert len(smtp.mailbox.messages) == 1
    first = smtp.mailbox.messages[0]["To"]

    retry = deliver_unsent(reports, smtp.settings())

    assert retry.ok and len(retry.sent) == 1
    assert sorted(message["To"] for message in smtp.mailbox.messages) == [KARI, PER]  # each once
    assert [message["To"] for message in smtp.mailbox.messages].count(first) == 1
    assert all(sent_at(reports).values())


def test_a_deactivated_account_gets_no_mail(
    reports: ReportStore, accounts: AccountStore, synthetic_round: ReportingRound, smtp: SmtpServer
) -> None:
    invite(reports, synthetic_round.id, ["5001", "5006"], actor=CLI)
    accounts.set_active(PER, False, actor=CLI)
    result = deliver_unsent(reports, smtp.settings())
    assert result.ok and [message["To"] for message in smtp.mailbox.messages] == [KARI]
    assert sorted(sent_at(reports).values()) == [False, True]  # Per's stays in the outbox, unsent


def test_a_message_already_claimed_by_another_sender_is_skipped(
    reports: ReportStore, accounts: AccountStore, synthetic_round: ReportingRound, smtp: SmtpServer
) -> None:
    invite(reports, synthetic_round.id, ["5001"], actor=CLI)
    with reports.engine.begin() as connection:
        connection.execute(update(notification_outbox).values(sent_at=reports.now()))
    assert deliver_unsent(reports, smtp.settings()).sent == []
    assert smtp.mailbox.messages == []


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"security": Security.SSL}, r"cannot reach the SMTP server at 127\.0\.0\.1:[0-9]+"),  # no TLS there
        ({"user": "monitor", "password": "SYNTHETIC"}, "AUTH extension not supported"),  # no sign-in there
    ],
)
def test_a_server_that_cannot_do_what_the_settings_ask_sends_nothing(
    reports: ReportStore,
    accounts: AccountStore,
    synthetic_round: ReportingRound,
    smtp: SmtpServer,
    changes: dict[str, object],
    reason: str,
) -> None:
    invite(reports, synthetic_round.id, ["5001"], actor=CLI)
    with pytest.raises(DeliveryError, match=reason):
        deliver_unsent(reports, replace(smtp.settings(), **changes))  # type: ignore[arg-type]
    assert not any(sent_at(reports).values())
    assert smtp.mailbox.messages == []
