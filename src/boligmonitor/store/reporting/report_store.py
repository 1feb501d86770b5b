"""The reporting cycle and the dialogue in the store: rounds, drafts, answers, submission, return, comments, own
goals and the notification outbox, each change one transaction with its audit row.

Everything that writes goes through :class:`ReportStore`; the web layer (which checks who may do what with
``require``, and narrows lists to the principal's municipalities) and the command line call it. Time comes from a
clock given at construction, so tests can move it on. See docs/reporting-store.md.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from boligmonitor.catalog.loader import load_catalog
from boligmonitor.catalog.models import Catalog
from boligmonitor.catalog.reporting import Form, Member, OwnGoal, load_form, load_programme
from boligmonitor.core.regions import RegionLevel, normalise_region_code, region_level
from boligmonitor.store.accounts.account_store import Clock, utc_now
from boligmonitor.store.accounts.audit import Actor
from boligmonitor.store.accounts.transactions import account_reading, account_transaction
from boligmonitor.store.engine import create_engine_for, database_url
from boligmonitor.store.migrate import migrate
from boligmonitor.store.reporting import dialogue, kept_versions, notifications, overrides, own_goals, rounds, rows
from boligmonitor.store.reporting import members as members_table
from boligmonitor.store.reporting.answers import (
    insert_official_figures,
    officials_of,
    read_answers,
    snapshot_json,
    write_answers,
)
from boligmonitor.store.reporting.audit_actions import ReportingAuditAction, digest, record_change
from boligmonitor.store.reporting.locking import advance_report, unknown_report, wrong_state
from boligmonitor.store.reporting.members import ImportedMember
from boligmonitor.store.reporting.models import (
    EDITABLE_STATES,
    Answer,
    AnswerInput,
    Notification,
    NotificationKind,
    Report,
    ReportComment,
    ReportingRound,
    ReportState,
    ReportSummary,
    ReportVersion,
    RoundState,
    StoredOwnGoal,
)
from boligmonitor.store.reporting.overrides import OverrideKey, StoredOverride
from boligmonitor.store.reporting.prefill import current_data_version, official_figures
from boligmonitor.store.reporting.problems import AnswerError, ConflictError, ReportingError
from boligmonitor.store.reporting.tables import notification_outbox, report, reporting_round
from boligmonitor.store.reporting.validation import checked_answers, missing_required

FormSource = Callable[[str, int], Form]
"""The form of a programme for a year (default: the packaged form, :func:`catalog.reporting.load_form`)."""

_SUBMITTED = frozenset({ReportState.SUBMITTED})


class ReportStore:
    """Programme reporting in one database (migrated to 0004 or later)."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock = utc_now,
        catalog: Catalog | None = None,
        forms: FormSource | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._catalog = catalog
        self._forms: FormSource = forms or load_form

    @classmethod
    def open(cls, url: str | None = None) -> ReportStore:
        """The reporting of the database at ``url`` (default: BOLIGMONITOR_DATABASE_URL or
        var/boligmonitor.sqlite), migrating it to the newest schema first."""
        engine = create_engine_for(database_url(url))
        migrate(engine)
        return cls(engine)

    @property
    def engine(self) -> Engine:
        return self._engine

    def now(self) -> datetime:
        return self._clock()

    def close(self) -> None:
        self._engine.dispose()

    @property
    def catalog(self) -> Catalog:
        """The catalogue whose domain rules check numbers (default: the packaged one, read when first needed)."""
        if self._catalog is None:
            self._catalog = load_catalog()
        return self._catalog

    # Rounds

    def create_round(
        self, programme_id: str, year: int, *, opens_at: datetime, closes_at: datetime, actor: Actor
    ) -> ReportingRound:
        """A programme's reporting for ``year``, with its form's version now (InputError when there is no such
        form). One round per programme and year (``round_exists``)."""
        form = self._forms(programme_id, year)
        try:
            with account_transaction(self._engine) as connection:
                return rounds.create(
                    connection, form, opens_at=opens_at, closes_at=closes_at, actor=actor, at=self.now()
                )
        except IntegrityError:
            raise rounds.already_exists(form) from None

    def change_round_dates(
        self, round_id: int, *, opens_at: datetime, closes_at: datetime, actor: Actor
    ) -> ReportingRound:
        rounds.check_dates(opens_at, closes_at)
        return self._change_round(
            round_id, ReportingAuditAction.ROUND_CHANGED, actor, opens_at=opens_at, closes_at=closes_at
        )

    def close_round(self, round_id: int, *, actor: Actor) -> ReportingRound:
        """End a round: no report of it changes any more (reading them goes on, and so does the dialogue)."""
        return self._change_round(round_id, ReportingAuditAction.ROUND_CLOSED, actor, state=RoundState.CLOSED.value)

    def reopen_round(self, round_id: int, *, actor: Actor) -> ReportingRound:
        return self._change_round(round_id, ReportingAuditAction.ROUND_REOPENED, actor, state=RoundState.OPEN.value)

    def round(self, round_id: int) -> ReportingRound:
        with account_reading(self._engine) as connection:
            return rounds.existing(connection, round_id)

    def rounds(self, programme_id: str | None = None) -> list[ReportingRound]:
        """Every round (of one programme), by programme and year."""
        query = select(reporting_round).order_by(reporting_round.c.programme_id, reporting_round.c.year)
        if programme_id is not None:
            query = query.where(reporting_round.c.programme_id == programme_id)
        with account_reading(self._engine) as connection:
            return [rows.round_from_row(row) for row in connection.execute(query)]

    def form(self, reporting: ReportingRound) -> Form:
        """The round's form (``form_changed`` when the package's form has moved on to another release)."""
        return rounds.check_form(reporting, self._forms(reporting.programme_id, reporting.year))

    # Reports

    def open_draft(self, round_id: int, municipality: str, *, actor: Actor) -> Report:
        """The municipality's report in the round: the existing one (in whatever state), or a new draft whose
        prefilled statistics are read from the monitor's store now (with their data version, or as not loaded or
        not published)."""
        code = _municipality(municipality)
        existing = self.report_for(round_id, code)
        if existing is not None:
            return existing
        try:
            with account_transaction(self._engine) as connection:
                return self._create_draft(connection, round_id, code, actor, self.now())
        except IntegrityError:  # PostgreSQL: another writer created it between our check and insert
            created = self.report_for(round_id, code)
            if created is None:
                raise
            return created

    def report(self, report_id: int) -> Report:
        with account_reading(self._engine) as connection:
            return _read_report(connection, report_id)

    def report_for(self, round_id: int, municipality: str) -> Report | None:
        code = _municipality(municipality)
        with account_reading(self._engine) as connection:
            found = _report_id(connection, round_id, code)
            return None if found is None else _read_report(connection, found)

    def reports(
        self, municipalities: Collection[str], *, round_id: int | None = None, programme_id: str | None = None
    ) -> list[ReportSummary]:
        """The reports of ``municipalities`` (the web layer passes those the principal may see), without their
        answers, ordered by programme, year and municipality."""
        codes = sorted({_municipality(code) for code in municipalities})
        if not codes:
            return []
        with account_reading(self._engine) as connection:
            return _summaries(connection, report.c.municipality_code.in_(codes), round_id, programme_id)

    def every_report(self, *, round_id: int | None = None, programme_id: str | None = None) -> list[ReportSummary]:
        """Every municipality's reports (for those who reach all municipalities: analysts)."""
        with account_reading(self._engine) as connection:
            return _summaries(connection, None, round_id, programme_id)

    def save_answers(
        self, report_id: int, expected_version: int, answers: Mapping[str, AnswerInput], *, actor: Actor
    ) -> Report:
        """Save the whole form: every question of the form not in ``answers`` is cleared (the form was sent with
        it empty). Validated first (:class:`AnswerError` naming every refused question id), then written all at
        once with the version moved on; a stale ``expected_version`` raises :class:`ConflictError` naming who saved
        in between and when. Draft or returned reports only; a save that changes nothing writes nothing."""
        return self._save(report_id, expected_version, answers, actor, complete=True)

    def autosave(
        self, report_id: int, expected_version: int, answers: Mapping[str, AnswerInput], *, actor: Actor
    ) -> Report:
        """Save some answers (what changed since the last save); the others stay as they are. Otherwise as
        :meth:`save_answers`."""
        return self._save(report_id, expected_version, answers, actor, complete=False)

    def submit(self, report_id: int, expected_version: int, *, actor: Actor) -> Report:
        """Send the report: every answer is checked again and every required question must have one
        (:class:`AnswerError` naming them); then, in one transaction, the report becomes submitted and this state
        is kept whole as a version. A crash before the commit leaves the draft as it was, with every answer."""
        current = self.report(report_id)
        _check_current(current, expected_version, EDITABLE_STATES)
        reporting = self.round(current.summary.round_id)
        form = self.form(reporting)
        stored = {qid: _as_input(found) for qid, found in current.answers.items()}
        _, problems = checked_answers(
            form, stored, officials=officials_of(current.answers), catalog=self.catalog, today=self.now().date()
        )
        problems.extend(missing_required(form, current.answers))
        if problems:
            raise AnswerError(_where(current.summary), problems)
        with account_transaction(self._engine) as connection:
            at = self.now()
            rounds.check_open(rounds.existing(connection, reporting.id), at)
            version = advance_report(
                connection,
                report_id,
                expected_version,
                states=EDITABLE_STATES,
                actor=actor,
                at=at,
                state=ReportState.SUBMITTED.value,
                submitted_at=at,
                submitted_by=actor.label,
                submitted_by_account_id=actor.account_id,
            )
            snapshot = snapshot_json(current.answers)
            kept_versions.keep(
                connection,
                report_id,
                version,
                ReportState.SUBMITTED,
                reporting,
                snapshot,
                comment=None,
                actor=actor,
                at=at,
            )
            record_change(
                connection,
                actor,
                ReportingAuditAction.REPORT_SUBMITTED,
                "report",
                report_id,
                before={"state": current.state.value, "version": expected_version},
                after={"state": ReportState.SUBMITTED.value, "version": version, "answers_sha256": digest(snapshot)},
                at=at,
            )
            return _read_report(connection, report_id)

    def return_report(
        self, report_id: int, comment: str, *, actor: Actor, expected_version: int | None = None
    ) -> Report:
        """Send a submitted report back to the municipality with a comment (the adviser's); the returned state
        is kept as a version with the comment, and the municipality's reporters are notified. Without
        ``expected_version``, the version read now."""
        text = dialogue.checked_text(
            comment, empty_code="comment_required", empty_message="say what the municipality should look at again"
        )
        current = self.report(report_id)
        expected = current.version if expected_version is None else expected_version
        _check_current(current, expected, _SUBMITTED)
        reporting = self.round(current.summary.round_id)
        with account_transaction(self._engine) as connection:
            at = self.now()
            rounds.check_open(rounds.existing(connection, reporting.id), at)
            version = advance_report(
                connection,
                report_id,
                expected,
                states=_SUBMITTED,
                actor=actor,
                at=at,
                state=ReportState.RETURNED.value,
                returned_at=at,
                returned_by=actor.label,
                returned_by_account_id=actor.account_id,
                return_comment=text,
            )
            snapshot = snapshot_json(current.answers)
            kept_versions.keep(
                connection,
                report_id,
                version,
                ReportState.RETURNED,
                reporting,
                snapshot,
                comment=text,
                actor=actor,
                at=at,
            )
            code = current.summary.municipality_code
            notifications.queue(
                connection,
                notifications.municipal_reporters(connection, code),
                NotificationKind.RETURNED,
                round_id=reporting.id,
                municipality=code,
                at=at,
            )
            record_change(
                connection,
                actor,
                ReportingAuditAction.REPORT_RETURNED,
                "report",
                report_id,
                before={"state": ReportState.SUBMITTED.value, "version": expected},
                after={"state": ReportState.RETURNED.value, "version": version, "comment_characters": len(text)},
                at=at,
            )
            return _read_report(connection, report_id)

    def versions(self, report_id: int) -> list[ReportVersion]:
        """Every submitted and returned state of the report, oldest first."""
        with account_reading(self._engine) as connection:
            return rows.read_versions(connection, report_id)

    def submitted_versions(
        self, programme_id: str, *, year: int | None = None
    ) -> list[tuple[ReportSummary, ReportVersion]]:
        """For each report of the programme (of one year) that was ever submitted, its latest submitted version:
        what the analysis reads. Ordered by year and municipality."""
        with account_reading(self._engine) as connection:
            latest = {
                row.report_id: rows.version_from_row(row)
                for row in connection.execute(kept_versions.latest_submitted())
            }
            summaries = _summaries(connection, None, None, programme_id)
        return [
            (summary, latest[summary.id])
            for summary in summaries
            if summary.id in latest and (year is None or summary.year == year)
        ]

    # The dialogue

    def comment(self, report_id: int, text: str, *, actor: Actor, goal_id: str | None = None) -> ReportComment:
        """Add a comment to the report's thread, about one goal (a programme goal or one of the municipality's own
        goals) or the report as a whole; notifies the municipality's reporters and its regional advisers (not the
        author)."""
        written = dialogue.checked_text(text, empty_code="comment_empty", empty_message="the comment is empty")
        summary = self.report(report_id).summary
        if goal_id is not None:
            self._check_goal(summary, goal_id)
        with account_transaction(self._engine) as connection:
            return dialogue.add_comment(connection, summary, written, goal_id, actor=actor, at=self.now())

    def comments(self, report_id: int) -> list[ReportComment]:
        """The report's thread, oldest first."""
        with account_reading(self._engine) as connection:
            return rows.read_comments(connection, report_id)

    # Own goals

    def own_goals(self, programme_id: str, municipality: str) -> list[StoredOwnGoal]:
        with account_reading(self._engine) as connection:
            return rows.read_own_goals(connection, programme_id, _municipality(municipality))

    def save_own_goal(self, goal: OwnGoal, *, actor: Actor, expected_version: int | None = None) -> StoredOwnGoal:
        """Create an own goal (``expected_version`` None) or change one from ``expected_version``. Checked against
        its programme and the catalogue (:class:`InputError` naming each field); a stale version raises
        :class:`ConflictError`."""
        own_goals.check(goal, load_programme(goal.programme), self.catalog)
        with account_transaction(self._engine) as connection:
            if expected_version is None:
                return own_goals.create(connection, goal, actor=actor, at=self.now())
            return own_goals.change(connection, goal, expected_version, actor=actor, at=self.now())

    def delete_own_goal(
        self, programme_id: str, municipality: str, goal_id: str, *, expected_version: int, actor: Actor
    ) -> None:
        code = _municipality(municipality)
        with account_transaction(self._engine) as connection:
            own_goals.remove(connection, programme_id, code, goal_id, expected_version, actor=actor, at=self.now())

    # Analysts' overrides of goal-attainment colours (store/reporting/overrides.py)

    def overrides(self, programme_id: str, year: int | None = None) -> list[StoredOverride]:
        """The programme's overrides (of one year, or all), in key order."""
        with account_reading(self._engine) as connection:
            return overrides.read(connection, programme_id, year)

    def save_override(self, key: OverrideKey, colour: str, reason: str, *, actor: Actor) -> StoredOverride:
        """Set an analyst's colour for one assessment, replacing an earlier decision on the same key; the reason is
        required (:class:`InputError` naming ``colour``, ``reason`` or ``scope`` otherwise). Audited before → after."""
        try:
            with account_transaction(self._engine) as connection:
                return overrides.save(connection, key, colour, reason, actor=actor, at=self.now())
        except IntegrityError:  # another analyst saved the same key first: replace hers, as a later decision does
            with account_transaction(self._engine) as connection:
                return overrides.save(connection, key, colour, reason, actor=actor, at=self.now())

    def remove_override(self, key: OverrideKey, *, actor: Actor) -> StoredOverride:
        """Remove the override of ``key`` (the rule's colour shows again); :class:`ReportingError` when none."""
        with account_transaction(self._engine) as connection:
            return overrides.remove(connection, key, actor=actor, at=self.now())

    # A programme's members imported from a file (store/reporting/members.py)

    def replace_members(
        self,
        programme_id: str,
        members: Sequence[Member],
        *,
        source: str,
        actor: Actor,
        lines: Sequence[int] | None = None,
    ) -> int:
        """Replace the programme's imported members with ``members`` in one transaction, audited with the file and
        the counts before → after; :class:`InputError` (nothing written) when the programme, or the store's region
        register (a code not in use in a year of its membership), finds a problem. ``lines``: each member's line."""
        programme = load_programme(programme_id)
        with account_transaction(self._engine) as connection:
            return members_table.replace(
                connection, programme, members, source=source, actor=actor, at=self.now(), lines=lines
            )

    def imported_members(self, programme_id: str) -> list[ImportedMember] | None:
        """The programme's imported members, or None when it was never imported (the package's are in effect)."""
        with account_reading(self._engine) as connection:
            return members_table.read(connection, programme_id)

    # Notifications

    def invite(self, round_id: int, municipalities: Collection[str], *, actor: Actor) -> int:
        """Queue an invitation to the round for each municipality's reporters who have none for it yet; returns how
        many messages (the same rule as pipeline/reporting/invitations.py ``invite``)."""
        return self._queue_for(round_id, municipalities, NotificationKind.INVITATION, actor, only_unsubmitted=False)

    def remind(self, round_id: int, municipalities: Collection[str], *, actor: Actor) -> int:
        """Queue a reminder for the reporters of each municipality whose report is not submitted and that has no
        reminder for the round yet (once per municipality and round, as ``remind_due``)."""
        return self._queue_for(round_id, municipalities, NotificationKind.REMINDER, actor, only_unsubmitted=True)

    def unsent_notifications(self, *, limit: int = 100) -> list[Notification]:
        """The oldest messages not yet sent, for the sender."""
        query = select(notification_outbox).where(notification_outbox.c.sent_at.is_(None)).limit(limit)
        with account_reading(self._engine) as connection:
            return rows.read_notifications(connection, query)

    def mark_sent(self, notification_id: int) -> None:
        with account_transaction(self._engine) as connection:
            connection.execute(
                update(notification_outbox)
                .where(notification_outbox.c.id == notification_id, notification_outbox.c.sent_at.is_(None))
                .values(sent_at=self.now())
            )

    def notifications(self, account_id: int, *, limit: int = 50) -> list[Notification]:
        """An account's messages for its inbox page, newest first."""
        query = (
            select(notification_outbox)
            .where(notification_outbox.c.recipient_account_id == account_id)
            .order_by(notification_outbox.c.id.desc())
            .limit(limit)
        )
        with account_reading(self._engine) as connection:
            return [rows.notification_from_row(row) for row in connection.execute(query)]

    def mark_read(self, notification_id: int, *, account_id: int) -> None:
        """Mark one of the account's own messages read (another account's is left alone)."""
        with account_transaction(self._engine) as connection:
            connection.execute(
                update(notification_outbox)
                .where(
                    notification_outbox.c.id == notification_id,
                    notification_outbox.c.recipient_account_id == account_id,
                    notification_outbox.c.read_at.is_(None),
                )
                .values(read_at=self.now())
            )

    # Inside

    def _create_draft(self, connection: Connection, round_id: int, code: str, actor: Actor, at: datetime) -> Report:
        reporting = rounds.existing(connection, round_id)
        rounds.check_open(reporting, at)
        form = self.form(reporting)
        found = _report_id(connection, round_id, code)
        if found is not None:  # created meanwhile (SQLite: by the writer just before this one)
            return _read_report(connection, found)
        data_version = current_data_version(connection)
        result = connection.execute(
            insert(report).values(
                round_id=round_id,
                municipality_code=code,
                state=ReportState.DRAFT.value,
                version=1,
                data_version=data_version,
                created_at=at,
                created_by=actor.label,
                updated_at=at,
                updated_by=actor.label,
                updated_by_account_id=actor.account_id,
            )
        )
        report_id = rows.inserted_id(result.inserted_primary_key)
        figures = official_figures(connection, form, code)
        insert_official_figures(connection, report_id, figures, by=actor.label, at=at)
        record_change(
            connection,
            actor,
            ReportingAuditAction.REPORT_CREATED,
            "report",
            report_id,
            before=None,
            after={
                "round_id": round_id,
                "municipality_code": code,
                "state": ReportState.DRAFT.value,
                "version": 1,
                "data_version": data_version,
                "figures": {qid: figure.state.value for qid, figure in sorted(figures.items())},
            },
            at=at,
        )
        return _read_report(connection, report_id)

    def _save(
        self,
        report_id: int,
        expected_version: int,
        answers: Mapping[str, AnswerInput],
        actor: Actor,
        *,
        complete: bool,
    ) -> Report:
        current = self.report(report_id)
        _check_current(current, expected_version, EDITABLE_STATES)
        reporting = self.round(current.summary.round_id)
        form = self.form(reporting)
        given = dict(answers)
        if complete:
            for entry in form.entries():
                given.setdefault(entry.question.id, AnswerInput())
        cleaned, problems = checked_answers(
            form, given, officials=officials_of(current.answers), catalog=self.catalog, today=self.now().date()
        )
        if problems:
            raise AnswerError(_where(current.summary), problems)
        # Only what changed is written: each answer keeps who last changed it, and when.
        changes = {qid: value for qid, value in sorted(cleaned.items()) if _changes(current.answers.get(qid), value)}
        if not changes:
            # Nothing new (an autosave timer, a form sent again): no write, so the version does not move and
            # another editor of the report is not told of a conflict that is none.
            rounds.check_open(reporting, self.now())
            return current
        with account_transaction(self._engine) as connection:
            at = self.now()
            rounds.check_open(rounds.existing(connection, reporting.id), at)
            version = advance_report(
                connection, report_id, expected_version, states=EDITABLE_STATES, actor=actor, at=at
            )
            # The answers read before are the answers of ``expected_version``, which the update has just locked.
            write_answers(connection, report_id, changes, existing=current.answers, by=actor.label, at=at)
            saved = _read_report(connection, report_id)
            record_change(
                connection,
                actor,
                ReportingAuditAction.REPORT_SAVED if complete else ReportingAuditAction.REPORT_AUTOSAVED,
                "report",
                report_id,
                before={"state": current.state.value, "version": expected_version},
                after={
                    "state": saved.state.value,
                    "version": version,
                    "questions": list(changes),
                    "answers_sha256": digest(snapshot_json(saved.answers)),
                },
                at=at,
            )
            return saved

    def _change_round(self, round_id: int, action: ReportingAuditAction, actor: Actor, **values: Any) -> ReportingRound:
        with account_transaction(self._engine) as connection:
            return rounds.change(connection, round_id, action, actor=actor, at=self.now(), **values)

    def _check_goal(self, summary: ReportSummary, goal_id: str) -> None:
        if goal_id in own_goals.programme_goal_ids(load_programme(summary.programme_id)):
            return
        if goal_id not in {
            stored.goal.id for stored in self.own_goals(summary.programme_id, summary.municipality_code)
        }:
            raise ReportingError(
                "goal_id",
                "goal_unknown",
                f"{goal_id!r} is neither a goal of {summary.programme_id} nor one of the municipality's own goals",
                goal=goal_id,
            )

    def _queue_for(
        self,
        round_id: int,
        municipalities: Collection[str],
        kind: NotificationKind,
        actor: Actor,
        *,
        only_unsubmitted: bool,
    ) -> int:
        codes = sorted({_municipality(code) for code in municipalities})
        with account_transaction(self._engine) as connection:
            at = self.now()
            rounds.existing(connection, round_id)
            if only_unsubmitted:
                submitted = set(
                    connection.scalars(
                        select(report.c.municipality_code).where(
                            report.c.round_id == round_id, report.c.state == ReportState.SUBMITTED.value
                        )
                    )
                )
                reminded = notifications.notified_municipalities(connection, kind, round_id)
                codes = [code for code in codes if code not in submitted and code not in reminded]
            # As pipeline/reporting/invitations.py: a reporter is invited once per round and municipality, and a
            # municipality reminded once per round, however often this is called.
            count = 0
            for code in codes:
                told: set[int] = set()
                if not only_unsubmitted:
                    told = notifications.notified_recipients(connection, kind, round_id, code)
                reporters = [r for r in notifications.municipal_reporters(connection, code) if r not in told]
                count += notifications.queue(connection, reporters, kind, round_id=round_id, municipality=code, at=at)
            if not count:  # a call that told nobody changed nothing
                return 0
            record_change(
                connection,
                actor,
                ReportingAuditAction.NOTIFICATIONS_QUEUED,
                "reporting_round",
                round_id,
                before=None,
                after={"kind": kind.value, "municipalities": codes, "messages": count},
                at=at,
            )
            return count


def _municipality(code: str) -> str:
    normalised = normalise_region_code(code)
    if region_level(normalised) is not RegionLevel.MUNICIPALITY:
        raise ReportingError(
            "municipality", "municipality_invalid", f"{code!r} is not a municipality number (4 digits)", given=code
        )
    return normalised


def _report_id(connection: Connection, round_id: int, code: str) -> int | None:
    found: int | None = connection.scalar(
        select(report.c.id).where(report.c.round_id == round_id, report.c.municipality_code == code)
    )
    return found


def _read_report(connection: Connection, report_id: int) -> Report:
    summary = rows.find_summary(connection, report_id)
    if summary is None:
        raise unknown_report(report_id)
    return Report(summary, read_answers(connection, report_id))


def _summaries(
    connection: Connection, condition: Any, round_id: int | None, programme_id: str | None
) -> list[ReportSummary]:
    query = rows.summaries_query()
    if condition is not None:
        query = query.where(condition)
    if round_id is not None:
        query = query.where(report.c.round_id == round_id)
    if programme_id is not None:
        query = query.where(reporting_round.c.programme_id == programme_id)
    return [rows.summary_from_row(row) for row in connection.execute(query)]


def _check_current(current: Report, expected_version: int, states: Collection[ReportState]) -> None:
    """Refuse early, before validating, what the locked update would refuse anyway."""
    summary = current.summary
    if summary.version != expected_version:
        raise ConflictError(
            "report",
            summary.id,
            expected_version=expected_version,
            current_version=summary.version,
            saved_by=summary.updated_by,
            saved_at=summary.updated_at,
        )
    if summary.state not in states:
        raise wrong_state(summary.id, summary.state, states)


def _where(summary: ReportSummary) -> str:
    return f"report {summary.id} ({summary.programme_id} {summary.year}, municipality {summary.municipality_code})"


def _as_input(stored: Answer) -> AnswerInput:
    return AnswerInput(stored.number, stored.text, stored.choices, stored.yes_no, stored.scale, stored.comment)


def _changes(stored: Answer | None, given: AnswerInput) -> bool:
    if stored is None:
        return not given.is_empty()
    return _as_input(stored) != given


__all__ = ["FormSource", "ReportStore"]
