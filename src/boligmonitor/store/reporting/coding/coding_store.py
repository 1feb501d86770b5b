"""The coding of open answers in the store: codebooks, coded passages, redactions, the open answers themselves
and their full-text search. Every change is one transaction with its audit row (``store.accounts.audit``): codes
with their names, passages and redactions by position only (never an answer's text).

The answers are read from the reports' kept versions (``report_version``): each report's latest submitted
version, never a draft; the kept versions are never changed (a redaction is a row of its own, applied on read).
See docs/reporting-coding.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from boligmonitor.store.accounts import audit
from boligmonitor.store.accounts.account_store import Clock, utc_now
from boligmonitor.store.accounts.audit import Actor
from boligmonitor.store.accounts.transactions import account_reading, account_transaction
from boligmonitor.store.reporting import rows
from boligmonitor.store.reporting.coding import search as searching
from boligmonitor.store.reporting.coding.models import Code, OpenAnswer, Passage, Redaction, SearchHit
from boligmonitor.store.reporting.coding.spans import Span, span_digest
from boligmonitor.store.reporting.problems import ReportingError
from boligmonitor.store.reporting.tables import (
    answer_redaction,
    coded_passage,
    coded_passage_code,
    coding_code,
    open_answer_search,
    report,
    report_version,
    reporting_round,
)

MAX_NAME: Final = 200
MAX_TEXT: Final = 4000  # a description, a note or a reason
ANALYZE_AFTER: Final = 500  # search documents written at once


class CodingAuditAction(StrEnum):
    CODE_ADDED = "coding.code_added"
    CODE_CHANGED = "coding.code_changed"
    CODE_REMOVED = "coding.code_removed"
    PASSAGE_CODED = "coding.passage_coded"
    PASSAGE_CHANGED = "coding.passage_changed"
    PASSAGE_REMOVED = "coding.passage_removed"
    ANSWER_REDACTED = "coding.answer_redacted"


class CodingStore:
    """Codebooks, coding, redaction and search of the open answers in one database (migrated to 0006 or later).
    The web layer checks who may do what (``require``) and passes the municipalities a person may see."""

    def __init__(self, engine: Engine, *, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    @property
    def engine(self) -> Engine:
        return self._engine

    # The codebook

    def codes(self, programme_id: str) -> list[Code]:
        """The programme's codes: those without a goal first, then by goal, then by name. Sorted here, not in SQL:
        the two databases place NULLs and order text differently, and the codebook must read the same on both."""
        query = select(coding_code).where(coding_code.c.programme_id == programme_id)
        with account_reading(self._engine) as connection:
            codes = [_code(row) for row in connection.execute(query)]
        return sorted(codes, key=lambda c: (c.goal_id is not None, c.goal_id or "", c.name.casefold(), c.name, c.id))

    def code(self, code_id: int) -> Code:
        with account_reading(self._engine) as connection:
            return _existing_code(connection, code_id)

    def add_code(
        self,
        programme_id: str,
        name: str,
        *,
        actor: Actor,
        description: str | None = None,
        goal_id: str | None = None,
        parent_id: int | None = None,
    ) -> Code:
        """A new code (:class:`ReportingError` ``code_name_taken`` when the programme has one of that name)."""
        values = _checked_code(name, description)
        at = self._clock()
        try:
            with account_transaction(self._engine) as connection:
                _check_parent(connection, programme_id, parent_id, None)
                result = connection.execute(
                    insert(coding_code).values(
                        programme_id=programme_id,
                        guid=str(uuid.uuid4()),
                        goal_id=goal_id or None,
                        parent_id=parent_id,
                        created_at=at,
                        created_by=actor.label,
                        updated_at=at,
                        updated_by=actor.label,
                        **values,
                    )
                )
                code_id = rows.inserted_id(result.inserted_primary_key)
                added = _existing_code(connection, code_id)
                _audit(
                    connection, actor, CodingAuditAction.CODE_ADDED, "coding_code", code_id, None, _code_doc(added), at
                )
                return added
        except IntegrityError:
            raise _name_taken(values["name"]) from None

    def change_code(
        self,
        code_id: int,
        name: str,
        *,
        actor: Actor,
        description: str | None = None,
        goal_id: str | None = None,
        parent_id: int | None = None,
    ) -> Code:
        values = _checked_code(name, description)
        at = self._clock()
        try:
            with account_transaction(self._engine) as connection:
                before = _existing_code(connection, code_id)
                _check_parent(connection, before.programme_id, parent_id, code_id)
                connection.execute(
                    update(coding_code)
                    .where(coding_code.c.id == code_id)
                    .values(
                        goal_id=goal_id or None, parent_id=parent_id, updated_at=at, updated_by=actor.label, **values
                    )
                )
                after = _existing_code(connection, code_id)
                _audit(
                    connection,
                    actor,
                    CodingAuditAction.CODE_CHANGED,
                    "coding_code",
                    code_id,
                    _code_doc(before),
                    _code_doc(after),
                    at,
                )
                return after
        except IntegrityError:
            raise _name_taken(values["name"]) from None

    def remove_code(self, code_id: int, *, actor: Actor) -> None:
        """Remove a code: its passages lose it (a passage left without codes goes), its children move to its
        parent."""
        at = self._clock()
        with account_transaction(self._engine) as connection:
            before = _existing_code(connection, code_id)
            passage_ids = list(
                connection.scalars(
                    select(coded_passage_code.c.passage_id).where(coded_passage_code.c.code_id == code_id)
                )
            )
            connection.execute(delete(coded_passage_code).where(coded_passage_code.c.code_id == code_id))
            _remove_uncoded(connection, passage_ids)
            connection.execute(
                update(coding_code).where(coding_code.c.parent_id == code_id).values(parent_id=before.parent_id)
            )
            connection.execute(delete(coding_code).where(coding_code.c.id == code_id))
            after = {"passages_uncoded": len(passage_ids)}
            _audit(
                connection, actor, CodingAuditAction.CODE_REMOVED, "coding_code", code_id, _code_doc(before), after, at
            )

    # The answers

    def open_answers(
        self,
        programme_id: str,
        *,
        municipalities: Collection[str] | None = None,
        year: int | None = None,
        question_id: str | None = None,
    ) -> list[OpenAnswer]:
        """The open answers of each report's latest submitted version (of these municipalities; None: all), by
        year, municipality and question."""
        if municipalities is not None and not municipalities:
            return []
        query = (
            select(
                report_version.c.id,
                report_version.c.report_id,
                report_version.c.version,
                report_version.c.recorded_at,
                report_version.c.answers_json,
                reporting_round.c.programme_id,
                reporting_round.c.year,
                report.c.municipality_code,
            )
            .select_from(
                report_version.join(report, report.c.id == report_version.c.report_id).join(
                    reporting_round, reporting_round.c.id == report.c.round_id
                )
            )
            .where(report_version.c.id.in_(searching.latest_submitted_ids()))
            .where(reporting_round.c.programme_id == programme_id)
        )
        if year is not None:
            query = query.where(reporting_round.c.year == year)
        if municipalities is not None:
            query = query.where(report.c.municipality_code.in_(sorted(municipalities)))
        with account_reading(self._engine) as connection:
            found = list(connection.execute(query))
            redactions = searching.redactions_of(connection, {row.report_id for row in found})
        answers: list[OpenAnswer] = []
        for row in found:
            for qid, value in searching.open_texts(row.answers_json).items():
                if question_id is not None and qid != question_id:
                    continue
                spans = searching.applying(value, redactions.get((row.report_id, qid), []))
                answers.append(
                    OpenAnswer(
                        report_id=row.report_id,
                        report_version_id=row.id,
                        version=row.version,
                        programme_id=row.programme_id,
                        year=row.year,
                        municipality_code=row.municipality_code,
                        question_id=qid,
                        text=value,
                        redactions=spans,
                        submitted_at=row.recorded_at,
                    )
                )
        answers.sort(key=lambda answer: (answer.year, answer.municipality_code, answer.question_id))
        return answers

    def open_answer(self, report_version_id: int, question_id: str) -> OpenAnswer:
        """One open answer of a kept submitted version (:class:`ReportingError` ``answer_unknown`` when there is
        none)."""
        with account_reading(self._engine) as connection:
            return _open_answer(connection, report_version_id, question_id)

    def latest_answer(self, programme_id: str, year: int, municipality: str, question_id: str) -> OpenAnswer | None:
        """The municipality's open answer in its latest submitted report of that programme and year."""
        found = self.open_answers(programme_id, municipalities=[municipality], year=year, question_id=question_id)
        return found[0] if found else None

    # Coding

    def passages(self, programme_id: str, *, report_version_ids: Iterable[int] | None = None) -> list[Passage]:
        """The coded passages of the programme's answers (of these versions), in answer and text order."""
        query = (
            select(coded_passage)
            .select_from(
                coded_passage.join(report_version, report_version.c.id == coded_passage.c.report_version_id)
                .join(report, report.c.id == report_version.c.report_id)
                .join(reporting_round, reporting_round.c.id == report.c.round_id)
            )
            .where(reporting_round.c.programme_id == programme_id)
            .order_by(coded_passage.c.report_version_id, coded_passage.c.question_id, coded_passage.c.start_offset)
        )
        if report_version_ids is not None:
            query = query.where(coded_passage.c.report_version_id.in_(sorted(set(report_version_ids))))
        with account_reading(self._engine) as connection:
            return _passages(connection, query)

    def code_passage(
        self,
        report_version_id: int,
        question_id: str,
        span: Span,
        code_ids: Sequence[int],
        *,
        actor: Actor,
        example_quote: bool = False,
        note: str | None = None,
    ) -> Passage:
        """Code ``span`` of an answer with ``code_ids`` (a passage already coded at that span gets them added, and
        the example mark and note given). Refused: a span outside the text or empty, wholly redacted, no codes,
        codes of another programme. A passage that covers a redaction shows and exports the marker in its place."""
        at = self._clock()
        cleaned_note = _optional_text(note, "note")
        with account_transaction(self._engine) as connection:
            answer = _open_answer(connection, report_version_id, question_id)
            _check_span(answer, span)
            codes = _checked_codes(connection, answer.programme_id, code_ids)
            existing = connection.execute(
                select(coded_passage).where(
                    coded_passage.c.report_version_id == report_version_id,
                    coded_passage.c.question_id == question_id,
                    coded_passage.c.start_offset == span.start,
                    coded_passage.c.end_offset == span.end,
                )
            ).first()
            before: dict[str, Any] | None = None
            if existing is None:
                result = connection.execute(
                    insert(coded_passage).values(
                        guid=str(uuid.uuid4()),
                        report_version_id=report_version_id,
                        question_id=question_id,
                        start_offset=span.start,
                        end_offset=span.end,
                        example_quote=example_quote,
                        note=cleaned_note,
                        created_at=at,
                        created_by=actor.label,
                        created_by_account_id=actor.account_id,
                    )
                )
                passage_id = rows.inserted_id(result.inserted_primary_key)
                action = CodingAuditAction.PASSAGE_CODED
            else:
                passage_id = existing.id
                before = _passage_doc(_passage(connection, passage_id))
                connection.execute(
                    update(coded_passage)
                    .where(coded_passage.c.id == passage_id)
                    .values(example_quote=example_quote, note=cleaned_note)
                )
                action = CodingAuditAction.PASSAGE_CHANGED
            held = set(
                connection.scalars(
                    select(coded_passage_code.c.code_id).where(coded_passage_code.c.passage_id == passage_id)
                )
            )
            new = [code for code in codes if code not in held]
            if new:
                connection.execute(
                    insert(coded_passage_code), [{"passage_id": passage_id, "code_id": code} for code in new]
                )
            passage = _passage(connection, passage_id)
            _audit(connection, actor, action, "coded_passage", passage_id, before, _passage_doc(passage), at)
            return passage

    def change_passage(
        self,
        passage_id: int,
        code_ids: Sequence[int],
        *,
        actor: Actor,
        example_quote: bool,
        note: str | None = None,
    ) -> Passage:
        """Give a passage exactly these codes, example mark and note."""
        at = self._clock()
        cleaned_note = _optional_text(note, "note")
        with account_transaction(self._engine) as connection:
            before = _passage(connection, passage_id)
            answer = _open_answer(connection, before.report_version_id, before.question_id)
            codes = _checked_codes(connection, answer.programme_id, code_ids)
            connection.execute(
                update(coded_passage)
                .where(coded_passage.c.id == passage_id)
                .values(example_quote=example_quote, note=cleaned_note)
            )
            connection.execute(delete(coded_passage_code).where(coded_passage_code.c.passage_id == passage_id))
            connection.execute(
                insert(coded_passage_code), [{"passage_id": passage_id, "code_id": code} for code in codes]
            )
            after = _passage(connection, passage_id)
            _audit(
                connection,
                actor,
                CodingAuditAction.PASSAGE_CHANGED,
                "coded_passage",
                passage_id,
                _passage_doc(before),
                _passage_doc(after),
                at,
            )
            return after

    def remove_passage(self, passage_id: int, *, actor: Actor) -> None:
        at = self._clock()
        with account_transaction(self._engine) as connection:
            before = _passage(connection, passage_id)
            connection.execute(delete(coded_passage_code).where(coded_passage_code.c.passage_id == passage_id))
            connection.execute(delete(coded_passage).where(coded_passage.c.id == passage_id))
            _audit(
                connection,
                actor,
                CodingAuditAction.PASSAGE_REMOVED,
                "coded_passage",
                passage_id,
                _passage_doc(before),
                None,
                at,
            )

    # Redaction

    def redactions(self, report_id: int, question_id: str) -> list[Redaction]:
        query = (
            select(answer_redaction)
            .where(answer_redaction.c.report_id == report_id, answer_redaction.c.question_id == question_id)
            .order_by(answer_redaction.c.start_offset)
        )
        with account_reading(self._engine) as connection:
            return [_redaction(row) for row in connection.execute(query)]

    def redact(self, report_version_id: int, question_id: str, span: Span, reason: str, *, actor: Actor) -> Redaction:
        """Leave ``span`` of the answer out of every display, export and search, for personal data (``reason``
        required). Passages that reach into it keep their positions; what they show and export leaves it out.
        The search document is rewritten in the same transaction."""
        why = _optional_text(reason, "reason")
        if why is None:
            raise ReportingError("reason", "reason_required", "say why the span is redacted")
        at = self._clock()
        with account_transaction(self._engine) as connection:
            answer = _open_answer(connection, report_version_id, question_id)
            if not (0 <= span.start < span.end <= len(answer.text)):
                raise _bad_span(span, len(answer.text))
            result = connection.execute(
                insert(answer_redaction).values(
                    report_id=answer.report_id,
                    question_id=question_id,
                    start_offset=span.start,
                    end_offset=span.end,
                    span_sha256=span_digest(answer.text, span),
                    reason=why,
                    redacted_at=at,
                    redacted_by=actor.label,
                    redacted_by_account_id=actor.account_id,
                )
            )
            redaction_id = rows.inserted_id(result.inserted_primary_key)
            searching.refresh(connection)
            latest = _open_answer(connection, report_version_id, question_id)
            searching.rewrite(connection, report_version_id, question_id, latest.text, latest.redactions)
            _audit(
                connection,
                actor,
                CodingAuditAction.ANSWER_REDACTED,
                "answer_redaction",
                redaction_id,
                None,
                {
                    "report_id": answer.report_id,
                    "report_version_id": report_version_id,
                    "question_id": question_id,
                    "start": span.start,
                    "end": span.end,
                    "reason_characters": len(why),
                },
                at,
            )
            found = connection.execute(select(answer_redaction).where(answer_redaction.c.id == redaction_id)).one()
            return _redaction(found)

    # Search

    def refresh_search(self) -> None:
        """Bring the search documents in step with the kept versions (each search does this first)."""
        with account_reading(self._engine) as connection:
            wanted = set(connection.scalars(searching.latest_submitted_ids()))
            have = set(connection.scalars(select(open_answer_search.c.report_version_id).distinct()))
        if wanted != have:
            with account_transaction(self._engine) as connection:
                written = searching.refresh(connection)
            if written >= ANALYZE_AFTER and self._engine.dialect.name == "postgresql":
                # Fresh statistics after a large load (a first indexing, a restore): without them PostgreSQL
                # plans the search as if the table were empty and reads every document.
                with self._engine.begin() as connection:
                    connection.execute(text("ANALYZE open_answer_search"))

    def search(
        self,
        programme_id: str,
        query: str,
        *,
        municipalities: Collection[str] | None = None,
        year: int | None = None,
        question_id: str | None = None,
        limit: int = 50,
    ) -> list[SearchHit]:
        """The programme's open answers that match ``query`` (web-search syntax), best first, with a snippet of
        the redacted text; of ``municipalities`` only (None: all)."""
        self.refresh_search()
        with account_reading(self._engine) as connection:
            return searching.search(
                connection,
                programme_id,
                query,
                municipalities=municipalities,
                year=year,
                question_id=question_id,
                limit=limit,
            )


def _code(row: Any) -> Code:
    return Code(
        id=row.id,
        programme_id=row.programme_id,
        guid=row.guid,
        name=row.name,
        description=row.description,
        goal_id=row.goal_id,
        parent_id=row.parent_id,
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def _existing_code(connection: Connection, code_id: int) -> Code:
    row = connection.execute(select(coding_code).where(coding_code.c.id == code_id)).first()
    if row is None:
        raise ReportingError("code", "code_unknown", f"there is no code {code_id}", code_id=code_id)
    return _code(row)


def _code_doc(code: Code) -> dict[str, Any]:
    return {
        "programme_id": code.programme_id,
        "name": code.name,
        "description": code.description,
        "goal_id": code.goal_id,
        "parent_id": code.parent_id,
    }


def _checked_code(name: str, description: str | None) -> dict[str, Any]:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ReportingError("name", "code_name_required", "give the code a name")
    if len(cleaned) > MAX_NAME:
        raise ReportingError("name", "code_name_too_long", f"at most {MAX_NAME} characters", limit=MAX_NAME)
    return {"name": cleaned, "description": _optional_text(description, "description")}


def _optional_text(value: str | None, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    cleaned = value.strip()
    if len(cleaned) > MAX_TEXT:
        raise ReportingError(field, "text_too_long", f"at most {MAX_TEXT} characters", limit=MAX_TEXT)
    return cleaned


def _name_taken(name: str) -> ReportingError:
    return ReportingError("name", "code_name_taken", f"the codebook already has a code named {name!r}", name=name)


def _check_parent(connection: Connection, programme_id: str, parent_id: int | None, code_id: int | None) -> None:
    """The parent is a code of the same programme, and not the code itself or one of its descendants."""
    if parent_id is None:
        return
    seen: set[int] = set()
    current: int | None = parent_id
    while current is not None:
        if current == code_id or current in seen:
            raise ReportingError("parent_id", "code_parent_cycle", "a code cannot be under itself")
        seen.add(current)
        parent = _existing_code(connection, current)
        if parent.programme_id != programme_id:
            raise ReportingError(
                "parent_id", "code_unknown", f"there is no code {current} in {programme_id}", code_id=current
            )
        current = parent.parent_id


def _checked_codes(connection: Connection, programme_id: str, code_ids: Sequence[int]) -> list[int]:
    wanted = sorted(set(code_ids))
    if not wanted:
        raise ReportingError("codes", "codes_required", "choose at least one code")
    known = set(
        connection.scalars(
            select(coding_code.c.id).where(coding_code.c.programme_id == programme_id, coding_code.c.id.in_(wanted))
        )
    )
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise ReportingError(
            "codes", "code_unknown", f"there is no code {unknown[0]} in {programme_id}", code_id=unknown[0]
        )
    return wanted


def _open_answer(connection: Connection, report_version_id: int, question_id: str) -> OpenAnswer:
    row = connection.execute(
        select(
            report_version.c.id,
            report_version.c.report_id,
            report_version.c.version,
            report_version.c.state,
            report_version.c.recorded_at,
            report_version.c.answers_json,
            reporting_round.c.programme_id,
            reporting_round.c.year,
            report.c.municipality_code,
        )
        .select_from(
            report_version.join(report, report.c.id == report_version.c.report_id).join(
                reporting_round, reporting_round.c.id == report.c.round_id
            )
        )
        .where(report_version.c.id == report_version_id)
    ).first()
    texts = searching.open_texts(row.answers_json) if row is not None and row.state == "submitted" else {}
    if row is None or question_id not in texts:
        raise ReportingError(
            "answer",
            "answer_unknown",
            f"no open answer to {question_id!r} in submitted version {report_version_id}",
            question=question_id,
        )
    value = texts[question_id]
    redactions = searching.redactions_of(connection, {row.report_id}).get((row.report_id, question_id), [])
    return OpenAnswer(
        report_id=row.report_id,
        report_version_id=row.id,
        version=row.version,
        programme_id=row.programme_id,
        year=row.year,
        municipality_code=row.municipality_code,
        question_id=question_id,
        text=value,
        redactions=searching.applying(value, redactions),
        submitted_at=row.recorded_at,
    )


def _check_span(answer: OpenAnswer, span: Span) -> None:
    if not (0 <= span.start < span.end <= len(answer.text)):
        raise _bad_span(span, len(answer.text))
    if answer.hides(span):
        raise ReportingError("span", "span_redacted", "the passage lies wholly in a redacted part of the answer")


def _bad_span(span: Span, length: int) -> ReportingError:
    return ReportingError(
        "span",
        "span_invalid",
        f"characters {span.start}–{span.end} are not a passage of an answer of {length} characters",
        start=span.start,
        end=span.end,
        length=length,
    )


def _passages(connection: Connection, query: Any) -> list[Passage]:
    found = list(connection.execute(query))
    codes: dict[int, list[int]] = {}
    if found:
        links = select(coded_passage_code).where(coded_passage_code.c.passage_id.in_([row.id for row in found]))
        for link in connection.execute(links.order_by(coded_passage_code.c.code_id)):
            codes.setdefault(link.passage_id, []).append(link.code_id)
    return [
        Passage(
            id=row.id,
            guid=row.guid,
            report_version_id=row.report_version_id,
            question_id=row.question_id,
            start=row.start_offset,
            end=row.end_offset,
            code_ids=tuple(codes.get(row.id, ())),
            example_quote=bool(row.example_quote),
            note=row.note,
            created_at=row.created_at,
            created_by=row.created_by,
        )
        for row in found
    ]


def _passage(connection: Connection, passage_id: int) -> Passage:
    found = _passages(connection, select(coded_passage).where(coded_passage.c.id == passage_id))
    if not found:
        raise ReportingError(
            "passage", "passage_unknown", f"there is no coded passage {passage_id}", passage=passage_id
        )
    return found[0]


def _passage_doc(passage: Passage) -> dict[str, Any]:
    return {
        "report_version_id": passage.report_version_id,
        "question_id": passage.question_id,
        "start": passage.start,
        "end": passage.end,
        "codes": list(passage.code_ids),
        "example_quote": passage.example_quote,
        "note_characters": len(passage.note or ""),
    }


def _remove_uncoded(connection: Connection, passage_ids: list[int]) -> None:
    if not passage_ids:
        return
    still = set(
        connection.scalars(
            select(coded_passage_code.c.passage_id).where(coded_passage_code.c.passage_id.in_(passage_ids))
        )
    )
    empty = [passage for passage in passage_ids if passage not in still]
    if empty:
        connection.execute(delete(coded_passage).where(coded_passage.c.id.in_(empty)))


def _redaction(row: Any) -> Redaction:
    return Redaction(
        id=row.id,
        report_id=row.report_id,
        question_id=row.question_id,
        start=row.start_offset,
        end=row.end_offset,
        reason=row.reason,
        redacted_at=row.redacted_at,
        redacted_by=row.redacted_by,
    )


def _audit(
    connection: Connection,
    actor: Actor,
    action: CodingAuditAction,
    object_type: str,
    object_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: datetime,
) -> None:
    audit.record(connection, actor, action.value, object_type, str(object_id), before=before, after=after, at=at)


__all__ = ["CodingAuditAction", "CodingStore"]
