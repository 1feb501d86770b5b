"""Reporting rounds inside the caller's transaction: a programme's reporting for one year, its dates and state,
and the rule of when its reports may change."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, insert, update

from boligmonitor.catalog.reporting import Form
from boligmonitor.store.accounts.audit import Actor
from boligmonitor.store.reporting import rows
from boligmonitor.store.reporting.audit_actions import ReportingAuditAction, record_change
from boligmonitor.store.reporting.models import ReportingRound, RoundState
from boligmonitor.store.reporting.problems import ReportingError
from boligmonitor.store.reporting.tables import reporting_round

_RELEASE: Final = re.compile(r"^([0-9]{4}\.[0-9]{1,2})\.")


def create(
    connection: Connection, form: Form, *, opens_at: datetime, closes_at: datetime, actor: Actor, at: datetime
) -> ReportingRound:
    """A new round for the form's programme and year, open from ``opens_at``. A second round for the same
    programme and year breaks a unique constraint (IntegrityError: see :func:`already_exists`)."""
    check_dates(opens_at, closes_at)
    result = connection.execute(
        insert(reporting_round).values(
            programme_id=form.programme,
            year=form.year,
            form_version=form.version,
            opens_at=opens_at,
            closes_at=closes_at,
            state=RoundState.OPEN.value,
            created_at=at,
            created_by=actor.label,
        )
    )
    created = existing(connection, rows.inserted_id(result.inserted_primary_key))
    record_change(
        connection,
        actor,
        ReportingAuditAction.ROUND_CREATED,
        "reporting_round",
        created.id,
        before=None,
        after=audited(created),
        at=at,
    )
    return created


def already_exists(form: Form) -> ReportingError:
    return ReportingError(
        "round",
        "round_exists",
        f"there is already a reporting round for {form.programme} {form.year}",
        programme=form.programme,
        year=form.year,
    )


def change(
    connection: Connection,
    round_id: int,
    action: ReportingAuditAction,
    *,
    actor: Actor,
    at: datetime,
    **values: Any,
) -> ReportingRound:
    before = existing(connection, round_id)
    connection.execute(update(reporting_round).where(reporting_round.c.id == round_id).values(**values))
    after = existing(connection, round_id)
    record_change(
        connection, actor, action, "reporting_round", round_id, before=audited(before), after=audited(after), at=at
    )
    return after


def existing(connection: Connection, round_id: int) -> ReportingRound:
    found = rows.find_round(connection, round_id)
    if found is None:
        raise ReportingError("round", "round_unknown", f"there is no reporting round {round_id}", round=round_id)
    return found


def check_open(reporting: ReportingRound, at: datetime) -> None:
    """Reports of a round change from its opening until it is closed; the deadline (``closes_at``) is shown and
    reminded of, and a late report is still taken (its submission time says so)."""
    if reporting.state is RoundState.CLOSED:
        raise ReportingError("round", "round_closed", f"reporting round {reporting.id} is closed", round=reporting.id)
    if at < reporting.opens_at:
        raise ReportingError(
            "round",
            "round_not_open",
            f"reporting round {reporting.id} opens {reporting.opens_at.isoformat(sep=' ', timespec='minutes')}",
            round=reporting.id,
        )


def check_dates(opens_at: datetime, closes_at: datetime) -> None:
    if closes_at <= opens_at:
        raise ReportingError("closes_at", "round_dates", "the round must close after it opens")


def check_form(reporting: ReportingRound, form: Form) -> Form:
    """The round's form, refused when the package's form has moved on to another release (``YYYY.N``) than the
    round was created with: answers are kept with the questions they answered (docs/reporting-forms.md). A
    patch (``P``) corrects texts only."""
    if _release(form.version) != _release(reporting.form_version):
        raise ReportingError(
            "round",
            "form_changed",
            f"the round for {reporting.programme_id} {reporting.year} was opened with form version "
            f"{reporting.form_version}, and the package now has {form.version}: a changed form needs a new year "
            "or a new round",
            opened=reporting.form_version,
            packaged=form.version,
        )
    return form


def audited(reporting: ReportingRound) -> dict[str, Any]:
    return {
        "programme_id": reporting.programme_id,
        "year": reporting.year,
        "form_version": reporting.form_version,
        "opens_at": reporting.opens_at.isoformat(),
        "closes_at": reporting.closes_at.isoformat(),
        "state": reporting.state.value,
    }


def _release(version: str) -> str:
    match = _RELEASE.match(version)
    return match.group(1) if match else version


__all__ = ["already_exists", "audited", "change", "check_dates", "check_form", "check_open", "create", "existing"]
