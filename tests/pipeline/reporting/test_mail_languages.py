"""Every notification e-mail in its recipient's language (``account.language``), end to end: queued in the
outbox, sent to the real SMTP server on loopback (aiosmtpd), read back, on SQLite and PostgreSQL. All people,
answers and comments are SYNTHETIC (tests/store/reporting/synthetic.py)."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from typing import Final

import pytest

from boligmonitor.pipeline.reporting.invitations import invite, remind_due
from boligmonitor.pipeline.reporting.mail import deliver_unsent
from boligmonitor.store.accounts import AccountLanguage, AccountStore
from boligmonitor.store.reporting import AnswerInput, ReportingRound, ReportStore
from tests.pipeline.reporting.smtp_server import BASE_URL, SmtpServer, body_of
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.synthetic import CLI, actor

KARI: Final = "kari@kommune.example"  # reporter, 5001
PER: Final = "per@kommune.example"  # reporter, 5006
ANNE: Final = "anne@husbanken.example"  # adviser, region Midt
SECRET_COMMENT: Final = "SYNTHETIC kommentartekst som bare står på siden"

# What each kind of message says in each language: the subject's start and a phrase of the body.
EXPECTED: Final[dict[AccountLanguage, dict[str, tuple[str, str]]]] = {
    "nb": {
        "invitation": ("Invitasjon til rapportering", "er invitert til å rapportere til"),
        "reminder": ("Påminnelse: rapporten for 2019 er ikke sendt inn", "er ikke sendt inn ennå"),
        "returned": ("Rapporten er sendt tilbake", "er sendt tilbake med en kommentar"),
        "comment": ("Ny kommentar til rapporten", "Det er en ny kommentar til rapporten fra"),
    },
    "nn": {
        "invitation": ("Invitasjon til rapportering", "er invitert til å rapportere til"),
        "reminder": ("Påminning: rapporten for 2019 er ikkje send inn", "er ikkje send inn enno"),
        "returned": ("Rapporten er send tilbake", "er send tilbake med ein kommentar"),
        "comment": ("Ny kommentar til rapporten", "Det er ein ny kommentar til rapporten frå"),
    },
    "en": {
        "invitation": ("Invitation to report", "is invited to report to"),
        "reminder": ("Reminder: the report for 2019 is not submitted", "is not submitted yet"),
        "returned": ("The report is returned", "has been returned with a comment"),
        "comment": ("A new comment on the report", "There is a new comment on the report of"),
    },
}
FOOTER_START: Final[dict[AccountLanguage, str]] = {
    "nb": "Denne e-posten er sendt automatisk fra Boligmonitor",
    "nn": "Denne e-posten er send automatisk frå Boligmonitor",
    "en": "This e-mail was sent automatically by Boligmonitor",
}
PROGRAMME_NAME: Final[dict[AccountLanguage, str]] = {
    "nb": "Husbankens kommuneprogram i Bolig for velferd",
    "nn": "Kommuneprogrammet til Husbanken i Bolig for velferd",
    "en": "Husbanken's municipal programme under Bolig for velferd",
}
UNNAMED: Final[dict[AccountLanguage, str]] = {"nb": "kommune 50", "nn": "kommune 50", "en": "municipality 50"}
DEADLINE: Final[dict[AccountLanguage, str]] = {
    "nb": "1. april 2026 kl. 11.00",
    "nn": "1. april 2026 kl. 11.00",
    "en": "1 April 2026 11:00 (Norwegian time)",
}


def submitted(reports: ReportStore, synthetic_round: ReportingRound, municipality: str) -> int:
    draft = reports.open_draft(synthetic_round.id, municipality, actor=CLI)
    answers = {"antall_boliger": AnswerInput(number=3), "har_plan": AnswerInput(yes_no=True)}
    saved = reports.autosave(draft.id, draft.version, answers, actor=CLI)
    return reports.submit(saved.id, saved.version, actor=CLI).id


def kind_of(message: EmailMessage, language: AccountLanguage) -> str:
    """Which kind the message is, known by its subject in ``language`` (the test fails on an unknown one)."""
    subject = str(message["Subject"])
    [kind] = [kind for kind, (start, _) in EXPECTED[language].items() if subject.startswith(start)]
    return kind


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_every_kind_of_message_arrives_in_the_recipients_language(
    reports: ReportStore,
    accounts: AccountStore,
    clock: FakeClock,
    synthetic_round: ReportingRound,
    smtp: SmtpServer,
    language: AccountLanguage,
) -> None:
    accounts.set_language(KARI, language, actor=CLI)
    accounts.set_language(ANNE, language, actor=CLI)
    invite(reports, synthetic_round.id, ["5001", "5006"], actor=CLI)
    report_id = submitted(reports, synthetic_round, "5001")
    reports.return_report(report_id, SECRET_COMMENT, actor=actor(accounts, ANNE))  # returned, to Kari
    reports.comment(report_id, SECRET_COMMENT, actor=actor(accounts, KARI))  # a comment, to Anne
    clock.advance(timedelta(days=25))  # 5 days before the deadline: 5006 never submitted, 5001's was returned
    [reminded] = remind_due(reports, days=7, actor=CLI)
    assert reminded.messages == {"5001": 1, "5006": 1}
    accounts.set_language(PER, language, actor=CLI)  # chosen after queueing: read when the message is sent

    result = deliver_unsent(reports, smtp.settings())

    assert result.ok and len(result.sent) == 6
    received = sorted((str(message["To"]), kind_of(message, language)) for message in smtp.mailbox.messages)
    assert received == [
        (ANNE, "comment"),
        (KARI, "invitation"),
        (KARI, "reminder"),
        (KARI, "returned"),
        (PER, "invitation"),
        (PER, "reminder"),
    ]
    for message in smtp.mailbox.messages:
        kind = kind_of(message, language)
        text = body_of(message)
        assert message["Content-Language"] == language
        assert EXPECTED[language][kind][1] in text, (kind, text)
        assert FOOTER_START[language] in text
        assert PROGRAMME_NAME[language] in text
        assert UNNAMED[language] in str(message["Subject"])  # the store has no names for the SYNTHETIC codes
        if kind in ("invitation", "reminder"):
            assert DEADLINE[language] in text
        assert f"{BASE_URL}/rapportering/{synthetic_round.id}/" in text and f"{BASE_URL}/innboks" in text
        assert SECRET_COMMENT not in message.as_string()
        # No other language's words: each message is in one language only.
        for other in ("nb", "nn", "en"):
            if FOOTER_START[other] != FOOTER_START[language]:
                assert FOOTER_START[other] not in text


def test_each_recipient_gets_her_own_language_in_one_run(
    reports: ReportStore, accounts: AccountStore, synthetic_round: ReportingRound, smtp: SmtpServer
) -> None:
    accounts.set_language(KARI, "nn", actor=CLI)
    accounts.set_language(PER, "en", actor=CLI)
    invite(reports, synthetic_round.id, ["5001", "5006"], actor=CLI)

    assert deliver_unsent(reports, smtp.settings()).ok

    by_recipient = {str(message["To"]): message for message in smtp.mailbox.messages}
    assert by_recipient[KARI]["Content-Language"] == "nn"
    assert "Denne e-posten er send automatisk frå" in body_of(by_recipient[KARI])
    assert by_recipient[PER]["Content-Language"] == "en"
    assert by_recipient[PER]["Subject"].startswith("Invitation to report")


def test_an_account_that_never_chose_gets_bokmal(
    reports: ReportStore, accounts: AccountStore, synthetic_round: ReportingRound, smtp: SmtpServer
) -> None:
    kari = accounts.account(KARI)
    assert kari is not None and kari.language == "nb"
    invite(reports, synthetic_round.id, ["5001"], actor=CLI)

    assert deliver_unsent(reports, smtp.settings()).ok

    [message] = smtp.mailbox.messages
    assert message["Content-Language"] == "nb"
    assert str(message["Subject"]).startswith("Invitasjon til rapportering")
