"""E-mail delivery of the notification outbox over SMTP (``boligmonitor reporting send-mail``).

Each run takes the unsent messages of active accounts, oldest first, over one SMTP connection, and tells what it
sent and what failed. The choice is **at most once** (docs/notifications.md): a message is marked sent
(``claim``, committed in its own transaction) *before* the SMTP conversation, and marked unsent again
(``release``) when the server refuses it or the connection breaks, so the next run tries it again. A process
that dies after the claim and before the release (a crash while talking to the server) leaves the message marked
sent: it is never sent twice, but this one e-mail may be lost. The inbox page still shows every message, so the
recipient loses nothing but the e-mail; a duplicate, which at-least-once would give on every crash after the
server took the message, cannot be taken back. The claim also keeps two senders running at once from sending
one message twice. Each message carries a Message-ID made from its outbox id.

Each message is written in its recipient's language (``account.language``: bokmål, nynorsk or English, read when
it is sent), with ``Content-Language`` saying which.

Only the standard library's ``smtplib``, ``ssl`` and ``email``: TLS is the ``ssl`` module's default context
(certificates and host names verified).
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import cache
from typing import Final

from sqlalchemy import Engine, select

from boligmonitor.catalog.reporting import load_programme
from boligmonitor.pipeline.reporting.mail_settings import MailSettings, Security
from boligmonitor.pipeline.reporting.mail_texts import (
    DEFAULT_LANGUAGE,
    MailLanguage,
    MessageFacts,
    body,
    municipality_label,
    subject,
)
from boligmonitor.store.accounts.transactions import account_reading, account_transaction
from boligmonitor.store.reporting import notifications
from boligmonitor.store.reporting.models import Notification, ReportingRound
from boligmonitor.store.reporting.report_store import ReportStore
from boligmonitor.store.schema import region

INBOX_PATH: Final = "/innboks"
LANGUAGE_SETTINGS_PATH: Final = "/konto/sprak"  # web/auth/language.py: where she chooses the e-mails' language
DEFAULT_BATCH: Final = 500
# Replies that say the connection is over: stop the run instead of trying the next message on it.
_CLOSING_CODES: Final = frozenset({421})


class DeliveryError(Exception):
    """The SMTP server cannot be used at all (not reachable, no STARTTLS, sign-in refused): nothing was sent."""


@dataclass(frozen=True, slots=True)
class Failure:
    notification_id: int
    recipient: str
    reason: str


@dataclass(slots=True)
class DeliveryResult:
    sent: list[int] = field(default_factory=list)  # outbox ids
    failed: list[Failure] = field(default_factory=list)  # left unsent, tried again next run
    not_tried: int = 0  # unsent messages not tried after the connection broke (tried next run)

    @property
    def ok(self) -> bool:
        return not self.failed and self.not_tried == 0


def deliver_unsent(
    store: ReportStore,
    settings: MailSettings,
    *,
    limit: int = DEFAULT_BATCH,
    after_send: Callable[[int], None] | None = None,
) -> DeliveryResult:
    """Send every unsent message of an active account (at most ``limit``) once. :class:`DeliveryError` when
    the server cannot be used at all (nothing is then marked). ``after_send`` is called with each outbox id
    right after the server accepted it (tests use it to stand for a crash)."""
    engine = store.engine
    with account_reading(engine) as connection:
        pending = notifications.unsent_to_active(connection, limit=limit)
    result = DeliveryResult()
    if not pending:
        return result
    smtp = connect(settings)
    try:
        rounds: dict[int, ReportingRound] = {}
        for position, item in enumerate(pending):
            message = item.notification
            try:
                facts = _facts(store, settings, message, rounds, item.language)
                email = compose(message, item.email, settings, facts, store.now(), language=item.language)
            except Exception as error:  # a message that cannot be written is reported, not fatal
                result.failed.append(Failure(message.id, item.email, f"cannot write the message: {error}"))
                continue
            with account_transaction(engine) as connection:
                if not notifications.claim(connection, message.id, store.now()):
                    continue  # another sender took it
            try:
                smtp.send_message(email, from_addr=_address(settings.sender), to_addrs=[item.email])
            except smtplib.SMTPResponseException as error:
                _release(engine, message.id)
                result.failed.append(Failure(message.id, item.email, _reply(error.smtp_code, error.smtp_error)))
                if error.smtp_code in _CLOSING_CODES:
                    result.not_tried = len(pending) - position - 1
                    break
                _reset(smtp)
                continue
            except smtplib.SMTPRecipientsRefused as error:
                _release(engine, message.id)
                code, reply = next(iter(error.recipients.values()))
                result.failed.append(Failure(message.id, item.email, _reply(code, reply)))
                _reset(smtp)
                continue
            except (smtplib.SMTPException, OSError) as error:  # the connection broke
                _release(engine, message.id)
                result.failed.append(Failure(message.id, item.email, f"the connection broke: {error}"))
                result.not_tried = len(pending) - position - 1
                break
            result.sent.append(message.id)
            if after_send is not None:
                after_send(message.id)
    finally:
        _quit(smtp)
    return result


def connect(settings: MailSettings) -> smtplib.SMTP:
    """A connection to the server, upgraded to TLS (``starttls``) and signed in as configured."""
    where = f"{settings.host}:{settings.port}"
    context = ssl.create_default_context()
    try:
        if settings.security is Security.SSL:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    except smtplib.SMTPResponseException as error:
        raise DeliveryError(
            f"the SMTP server at {where} refused the connection: {_reply(error.smtp_code, error.smtp_error)}"
        ) from None
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"cannot reach the SMTP server at {where}: {_os_reason(error)}") from None
    try:
        smtp.ehlo()
        if settings.security is Security.STARTTLS:
            if not smtp.has_extn("starttls"):
                raise DeliveryError(
                    f"the SMTP server at {where} does not offer STARTTLS, and BOLIGMONITOR_SMTP_SECURITY is "
                    "starttls: nothing is sent in clear text (use ssl for a server on port 465)"
                )
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.user is not None and settings.password is not None:
            smtp.login(settings.user, settings.password)
    except DeliveryError:
        _quit(smtp)
        raise
    except smtplib.SMTPAuthenticationError as error:
        _quit(smtp)
        raise DeliveryError(
            f"the SMTP server at {where} refused the user name or password (BOLIGMONITOR_SMTP_USER): "
            f"{_reply(error.smtp_code, error.smtp_error)}"
        ) from None
    except smtplib.SMTPResponseException as error:
        _quit(smtp)
        raise DeliveryError(
            f"the SMTP server at {where} refused to start: {_reply(error.smtp_code, error.smtp_error)}"
        ) from None
    except (smtplib.SMTPException, OSError) as error:  # ssl.SSLError is an OSError
        _quit(smtp)
        raise DeliveryError(f"cannot talk to the SMTP server at {where}: {_os_reason(error)}") from None
    return smtp


def compose(
    message: Notification,
    recipient: str,
    settings: MailSettings,
    facts: MessageFacts,
    at: datetime,
    *,
    language: MailLanguage = DEFAULT_LANGUAGE,
) -> EmailMessage:
    """The e-mail for one outbox message in ``language`` (the recipient's): the kind in plain words, the
    municipality, the round and the link."""
    email = EmailMessage()
    email["From"] = settings.sender
    email["To"] = recipient
    email["Subject"] = subject(message.kind, facts, language)
    email["Date"] = format_datetime(at)
    email["Message-ID"] = f"<boligmonitor.notification.{message.id}@{settings.sender_domain}>"
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    email.set_content(body(message.kind, facts, language))
    email["Content-Language"] = language  # RFC 3282, BCP 47 tags; after set_content, which drops Content-*
    return email


def _facts(
    store: ReportStore,
    settings: MailSettings,
    message: Notification,
    rounds: dict[int, ReportingRound],
    language: MailLanguage,
) -> MessageFacts:
    if message.round_id is None or message.municipality_code is None:
        raise ValueError(f"outbox message {message.id} names no round or municipality")
    reporting = rounds.get(message.round_id)
    if reporting is None:
        reporting = rounds[message.round_id] = store.round(message.round_id)
    return MessageFacts(
        municipality=municipality_label(
            _municipality_name(store.engine, message.municipality_code), message.municipality_code, language
        ),
        programme=_programme_name(reporting.programme_id, language),
        year=reporting.year,
        deadline=reporting.closes_at,
        link=settings.link(message.link),
        inbox=settings.link(INBOX_PATH),
        language_settings=settings.link(LANGUAGE_SETTINGS_PATH),
    )


def _municipality_name(engine: Engine, code: str) -> str | None:
    with account_reading(engine) as connection:
        name: str | None = connection.scalar(select(region.c.name).where(region.c.code == code))
    return name


@cache
def _programme_name(programme_id: str, language: MailLanguage) -> str:
    try:
        return load_programme(programme_id).name.get(language)
    except Exception:  # a round of a programme the package no longer has: its id
        return programme_id


def _address(sender: str) -> str:
    return parseaddr(sender)[1]


def _release(engine: Engine, notification_id: int) -> None:
    with account_transaction(engine) as connection:
        notifications.release(connection, notification_id)


def _reset(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(smtplib.SMTPException, OSError):  # the next send fails on its own and is reported
        smtp.rset()


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(words.split())}"


def _os_reason(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


__all__ = [
    "INBOX_PATH",
    "LANGUAGE_SETTINGS_PATH",
    "DeliveryError",
    "DeliveryResult",
    "Failure",
    "compose",
    "connect",
    "deliver_unsent",
]
