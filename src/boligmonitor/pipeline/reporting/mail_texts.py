"""The words of a notification e-mail in bokmål, nynorsk and English: what happened (the kind), the municipality
and the round, the deadline where it matters, and the link. Never an answer or a comment's text.

Every message is written in the language of its recipient's account (``account.language``, chosen with
``boligmonitor user add --language``, ``boligmonitor user set-language`` or on the page ``/konto/sprak``;
bokmål, :data:`DEFAULT_LANGUAGE`, unless she chose another). The programme's name is given in that language too
(bokmål where a programme has no English name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from boligmonitor.core.months import ENGLISH_MONTHS, NORWEGIAN_MONTHS
from boligmonitor.store.accounts.languages import DEFAULT_ACCOUNT_LANGUAGE, AccountLanguage
from boligmonitor.store.reporting.models import NotificationKind

MailLanguage = AccountLanguage  # a message is written in its recipient's language
DEFAULT_LANGUAGE: Final[MailLanguage] = DEFAULT_ACCOUNT_LANGUAGE
NORWAY_TIME: Final = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """What a message may say: the municipality, the programme and year of the round, its deadline, the link."""

    municipality: str  # "Trondheim (5001)", or "kommune 5001" without a name: :func:`municipality_label`
    programme: str
    year: int
    deadline: datetime
    link: str  # the full address
    inbox: str  # the full address of the inbox page
    language_settings: str  # the full address of the page where she chooses the language of her e-mails


_SUBJECTS: Final[dict[NotificationKind, dict[MailLanguage, str]]] = {
    NotificationKind.INVITATION: {
        "nb": "Invitasjon til rapportering: {programme} {year}, {municipality}",
        "nn": "Invitasjon til rapportering: {programme} {year}, {municipality}",
        "en": "Invitation to report: {programme} {year}, {municipality}",
    },
    NotificationKind.REMINDER: {
        "nb": "Påminnelse: rapporten for {year} er ikke sendt inn ({municipality})",
        "nn": "Påminning: rapporten for {year} er ikkje send inn ({municipality})",
        "en": "Reminder: the report for {year} is not submitted ({municipality})",
    },
    NotificationKind.RETURNED: {
        "nb": "Rapporten er sendt tilbake: {programme} {year}, {municipality}",
        "nn": "Rapporten er send tilbake: {programme} {year}, {municipality}",
        "en": "The report is returned: {programme} {year}, {municipality}",
    },
    NotificationKind.COMMENT: {
        "nb": "Ny kommentar til rapporten: {programme} {year}, {municipality}",
        "nn": "Ny kommentar til rapporten: {programme} {year}, {municipality}",
        "en": "A new comment on the report: {programme} {year}, {municipality}",
    },
}

_WHAT: Final[dict[NotificationKind, dict[MailLanguage, str]]] = {
    NotificationKind.INVITATION: {
        "nb": "{municipality} er invitert til å rapportere til {programme} for {year}. Fristen er {deadline}.",
        "nn": "{municipality} er invitert til å rapportere til {programme} for {year}. Fristen er {deadline}.",
        "en": "{municipality} is invited to report to {programme} for {year}. The deadline is {deadline}.",
    },
    NotificationKind.REMINDER: {
        "nb": "Rapporten fra {municipality} til {programme} for {year} er ikke sendt inn ennå. Fristen er {deadline}.",
        "nn": "Rapporten frå {municipality} til {programme} for {year} er ikkje send inn enno. Fristen er {deadline}.",
        "en": "The report of {municipality} to {programme} for {year} is not submitted yet. "
        "The deadline is {deadline}.",
    },
    NotificationKind.RETURNED: {
        "nb": "Rapporten fra {municipality} til {programme} for {year} er sendt tilbake med en kommentar.",
        "nn": "Rapporten frå {municipality} til {programme} for {year} er send tilbake med ein kommentar.",
        "en": "The report of {municipality} to {programme} for {year} has been returned with a comment.",
    },
    NotificationKind.COMMENT: {
        "nb": "Det er en ny kommentar til rapporten fra {municipality} til {programme} for {year}.",
        "nn": "Det er ein ny kommentar til rapporten frå {municipality} til {programme} for {year}.",
        "en": "There is a new comment on the report of {municipality} to {programme} for {year}.",
    },
}

_FOLLOW: Final[dict[MailLanguage, str]] = {
    "nb": "Logg inn og les mer her:\n{link}",
    "nn": "Logg inn og les meir her:\n{link}",
    "en": "Sign in and read more here:\n{link}",
}

_FOOTER: Final[dict[MailLanguage, str]] = {
    "nb": "Denne e-posten er sendt automatisk fra Boligmonitor og kan ikke besvares. Den inneholder ingen svar "
    "eller kommentarer: de står på siden lenken går til, for den som har tilgang. Alle meldingene dine står "
    "også i innboksen din:\n{inbox}",
    "nn": "Denne e-posten er send automatisk frå Boligmonitor og kan ikkje svarast på. Han inneheld ingen svar "
    "eller kommentarar: dei står på sida lenkja går til, for den som har tilgang. Alle meldingane dine står "
    "òg i innboksen din:\n{inbox}",
    "en": "This e-mail was sent automatically by Boligmonitor; replies are not read. It holds no answers or "
    "comments: they are on the page the link leads to, for those with access. All your messages are also in "
    "your inbox:\n{inbox}",
}
_LANGUAGE_CHOICE: Final[dict[MailLanguage, str]] = {
    "nb": "E-postene kommer på bokmål. Du kan velge nynorsk eller engelsk her:\n{language_settings}",
    "nn": "E-postane kjem på nynorsk. Du kan velje bokmål eller engelsk her:\n{language_settings}",
    "en": "These e-mails are in English. You can choose bokmål or nynorsk here:\n{language_settings}",
}


_UNNAMED_MUNICIPALITY: Final[dict[MailLanguage, str]] = {
    "nb": "kommune {code}",
    "nn": "kommune {code}",
    "en": "municipality {code}",
}


def municipality_label(name: str | None, code: str, language: MailLanguage = DEFAULT_LANGUAGE) -> str:
    """ "Trondheim (5001)", or "kommune 5001" / "municipality 5001" when the store has no name for the code."""
    return f"{name} ({code})" if name else _UNNAMED_MUNICIPALITY[language].format(code=code)


def subject(kind: NotificationKind, facts: MessageFacts, language: MailLanguage = DEFAULT_LANGUAGE) -> str:
    return _SUBJECTS[kind][language].format(**_values(facts, language))


def body(kind: NotificationKind, facts: MessageFacts, language: MailLanguage = DEFAULT_LANGUAGE) -> str:
    values = _values(facts, language)
    parts = [
        _WHAT[kind][language].format(**values),
        _FOLLOW[language].format(**values),
        _FOOTER[language].format(**values),
        _LANGUAGE_CHOICE[language].format(**values),
    ]
    return "\n\n".join(parts) + "\n"


def format_deadline(moment: datetime, language: MailLanguage) -> str:
    """ "1. april 2026 kl. 23.59" (Norwegian time) or "1 April 2026 23:59 (Norwegian time)"."""
    local = moment.astimezone(NORWAY_TIME)
    if language == "en":
        return f"{local.day} {ENGLISH_MONTHS[local.month - 1]} {local.year} {local:%H:%M} (Norwegian time)"
    return f"{local.day}. {NORWEGIAN_MONTHS[local.month - 1]} {local.year} kl. {local:%H.%M}"


def _values(facts: MessageFacts, language: MailLanguage) -> dict[str, object]:
    return {
        "municipality": facts.municipality,
        "programme": facts.programme,
        "year": facts.year,
        "deadline": format_deadline(facts.deadline, language),
        "link": facts.link,
        "inbox": facts.inbox,
        "language_settings": facts.language_settings,
    }


__all__ = [
    "DEFAULT_LANGUAGE",
    "MailLanguage",
    "MessageFacts",
    "body",
    "format_deadline",
    "municipality_label",
    "subject",
]
