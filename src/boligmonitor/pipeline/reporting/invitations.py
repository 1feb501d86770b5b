"""Invitations to a reporting round and reminders before its deadline: queued in the notification outbox (the
e-mail goes with the next ``send-mail``), each run one transaction per round with its audit row.

- :func:`invite`: the reporters of each municipality are invited once per round: a reporter who already has an
  invitation for the municipality is not invited again, so a second run reaches only people added since.
- :func:`remind_due`: every open round that closes within the given days reminds the reporters of each invited
  municipality (an invitation in the outbox, or a report started) whose report is not submitted, at most once per
  municipality and round (an earlier reminder in the outbox counts, whoever got it). A municipality without an
  active reporter is named in the result each run, and reminded once it has one.

Each run that queues messages records one audit row (``notifications.queued``: kind, municipalities, count).
A queued message holds no text: ``send-mail`` writes it in the recipient's language (``account.language``) when
it sends it (:mod:`.mail`), so a language chosen after the run still counts.

The round's row is locked first (``FOR UPDATE`` on PostgreSQL; SQLite's write transaction locks the file), so two
runs at once wait for each other and the second sees the first one's messages.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, select

from boligmonitor.catalog.reporting import MemberStatus, Programme
from boligmonitor.core.regions import RegionLevel, normalise_region_code, region_level
from boligmonitor.store.accounts.audit import Actor
from boligmonitor.store.accounts.transactions import account_transaction
from boligmonitor.store.reporting import notifications, rounds
from boligmonitor.store.reporting.audit_actions import ReportingAuditAction, record_change
from boligmonitor.store.reporting.models import NotificationKind, ReportingRound, ReportState, RoundState
from boligmonitor.store.reporting.problems import ReportingError
from boligmonitor.store.reporting.report_store import ReportStore
from boligmonitor.store.reporting.tables import report, reporting_round

DEFAULT_REMINDER_DAYS = 7


@dataclass(frozen=True, slots=True)
class Queued:
    """What one run queued for one round: messages per municipality (0: nobody new to tell), and the
    municipalities without an active reporter (nobody to tell: make accounts first)."""

    round_id: int
    messages: dict[str, int] = field(default_factory=dict)
    without_reporters: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.messages.values())


def members_in(programme: Programme, year: int) -> list[str]:
    """The municipalities that are members (not only invited) of the programme at some day of ``year``, at a
    level that reports (or the programme has no levels), by code."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    reporting_levels = {level.id for level in programme.levels if level.reports}
    codes = {
        member.municipality
        for member in programme.members
        if member.status is MemberStatus.MEMBER
        and member.start <= last
        and (member.end is None or first <= member.end)
        and (member.level is None or not programme.levels or member.level in reporting_levels)
    }
    return sorted(codes)


def invite(store: ReportStore, round_id: int, municipalities: Collection[str], *, actor: Actor) -> Queued:
    """Queue an invitation for each municipality's reporters who have none for this round yet. The round must be
    open (:class:`ReportingError` ``round_closed``); an unknown round is ``round_unknown``."""
    codes = sorted({_municipality(code) for code in municipalities})
    with account_transaction(store.engine) as connection:
        at = store.now()
        reporting = _locked_round(connection, round_id)
        if reporting.state is RoundState.CLOSED:
            raise ReportingError("round", "round_closed", f"reporting round {round_id} is closed", round=round_id)
        return _queue(connection, reporting, codes, NotificationKind.INVITATION, actor, at, per_recipient=True)


def remind_due(store: ReportStore, *, days: int = DEFAULT_REMINDER_DAYS, actor: Actor) -> list[Queued]:
    """Queue reminders for every open round that has opened and closes within ``days`` days from now (and has
    not closed yet): to the reporters of each invited municipality whose report is not submitted, once per
    municipality and round."""
    if days < 0:
        raise ValueError("days must be 0 or more")
    now = store.now()
    due = [
        reporting
        for reporting in store.rounds()
        if reporting.state is RoundState.OPEN
        and reporting.opens_at <= now < reporting.closes_at <= now + timedelta(days=days)
    ]
    results = []
    for candidate in due:
        with account_transaction(store.engine) as connection:
            at = store.now()
            reporting = _locked_round(connection, candidate.id)
            invited = notifications.notified_municipalities(connection, NotificationKind.INVITATION, reporting.id)
            started = _report_states(connection, reporting.id)
            reminded = notifications.notified_municipalities(connection, NotificationKind.REMINDER, reporting.id)
            codes = sorted(
                code
                for code in invited | set(started)
                if started.get(code) != ReportState.SUBMITTED.value and code not in reminded
            )
            if codes:
                results.append(
                    _queue(connection, reporting, codes, NotificationKind.REMINDER, actor, at, per_recipient=False)
                )
    return results


def _queue(
    connection: Connection,
    reporting: ReportingRound,
    codes: list[str],
    kind: NotificationKind,
    actor: Actor,
    at: datetime,
    *,
    per_recipient: bool,
) -> Queued:
    messages: dict[str, int] = {}
    without: list[str] = []
    for code in codes:
        reporters = notifications.municipal_reporters(connection, code)
        if not reporters:
            without.append(code)
        told = notifications.notified_recipients(connection, kind, reporting.id, code) if per_recipient else set()
        messages[code] = notifications.queue(
            connection,
            [reporter for reporter in reporters if reporter not in told],
            kind,
            round_id=reporting.id,
            municipality=code,
            at=at,
        )
    queued = Queued(reporting.id, messages, tuple(without))
    if queued.total:  # a run that told nobody changed nothing
        record_change(
            connection,
            actor,
            ReportingAuditAction.NOTIFICATIONS_QUEUED,
            "reporting_round",
            reporting.id,
            before=None,
            after={
                "kind": kind.value,
                "municipalities": [code for code, count in messages.items() if count],
                "messages": queued.total,
            },
            at=at,
        )
    return queued


def _locked_round(connection: Connection, round_id: int) -> ReportingRound:
    """The round, with its row locked until the transaction ends (PostgreSQL; SQLite locks the whole file)."""
    connection.execute(select(reporting_round.c.id).where(reporting_round.c.id == round_id).with_for_update())
    return rounds.existing(connection, round_id)


def _report_states(connection: Connection, round_id: int) -> dict[str, str]:
    query = select(report.c.municipality_code, report.c.state).where(report.c.round_id == round_id)
    return {row.municipality_code: row.state for row in connection.execute(query)}


def _municipality(code: str) -> str:
    normalised = normalise_region_code(code)
    if region_level(normalised) is not RegionLevel.MUNICIPALITY:
        raise ReportingError(
            "municipality", "municipality_invalid", f"{code!r} is not a municipality number (4 digits)", given=code
        )
    return normalised


__all__ = ["DEFAULT_REMINDER_DAYS", "Queued", "invite", "members_in", "remind_due"]
