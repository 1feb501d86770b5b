"""Full-text search of open answers with the database's own engine, and the search documents it reads.

* PostgreSQL: ``to_tsvector('norwegian', search_text) @@ websearch_to_tsquery('norwegian', query)`` through the GIN
  index of migration 0006 (Snowball's Norwegian stemmer: "boliger" finds "bolig"), the snippet by
  ``ts_headline``.
* SQLite: the FTS5 table ``open_answer_fts`` (unicode61 tokenizer), the snippet by ``snippet()``. FTS5 has no
  Norwegian stemmer: each plain word matches as a prefix ("bolig" finds "boliger"
  and "boligsosial"); the same web-search syntax is read (``"a phrase"``, ``-without``, ``or``).

The documents (``open_answer_search``) are each report's latest submitted version's open answers, with redacted
spans replaced by :data:`~.spans.INDEX_MARKER` (no letters: no redacted word is ever found). They are derived: a
read brings them in step with the kept versions first (:func:`refresh`), and a redaction rewrites its answer's
document in its own transaction. A version without open answers gets one empty document (question "") so that it
is not looked at again.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Collection, Mapping
from typing import Any, Final

from sqlalchemy import Connection, bindparam, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from boligmonitor.store.reporting.coding.models import HIT_END, HIT_START, SearchHit
from boligmonitor.store.reporting.coding.spans import INDEX_MARKER, Span, redacted
from boligmonitor.store.reporting.models import ReportState
from boligmonitor.store.reporting.tables import (
    answer_redaction,
    open_answer_search,
    report_version,
)

SQLITE_FTS_TABLE: Final = "open_answer_fts"
# The FTS5 table and the shadow tables SQLite makes for it: in the database, in no schema metadata.
SQLITE_FTS_TABLES: Final = frozenset(
    {SQLITE_FTS_TABLE, *(f"{SQLITE_FTS_TABLE}_{part}" for part in ("data", "idx", "docsize", "config", "content"))}
)
NO_OPEN_ANSWERS: Final = ""  # the question id of a version's placeholder document
_TOKEN: Final = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def include_in_schema_comparison(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's ``include_name`` hook: everything but SQLite's FTS5 table and its shadow tables, which migration
    0006 makes and no schema metadata describes (for ``compare_metadata`` and autogenerate)."""
    return not (type_ == "table" and name in SQLITE_FTS_TABLES)


def latest_submitted_ids() -> Any:
    """Each report's latest submitted version's id."""
    latest = (
        select(report_version.c.report_id, func.max(report_version.c.version).label("version"))
        .where(report_version.c.state == ReportState.SUBMITTED.value)
        .group_by(report_version.c.report_id)
        .subquery()
    )
    return select(report_version.c.id).join(
        latest,
        (latest.c.report_id == report_version.c.report_id) & (latest.c.version == report_version.c.version),
    )


def open_texts(answers_json: str) -> dict[str, str]:
    """The open answers (non-empty ``text``) of a kept version's answers, by question id."""
    answers = json.loads(answers_json)
    found: dict[str, str] = {}
    if isinstance(answers, dict):
        for question_id, answer in answers.items():
            value = answer.get("text") if isinstance(answer, dict) else None
            if isinstance(value, str) and value.strip():
                found[question_id] = value
    return found


def redactions_of(connection: Connection, report_ids: Collection[int]) -> dict[tuple[int, str], list[Any]]:
    """The redaction rows of these reports, by (report id, question id)."""
    if not report_ids:
        return {}
    found: dict[tuple[int, str], list[Any]] = {}
    query = select(answer_redaction).where(answer_redaction.c.report_id.in_(sorted(report_ids)))
    for row in connection.execute(query.order_by(answer_redaction.c.id)):
        found.setdefault((row.report_id, row.question_id), []).append(row)
    return found


def applying(text_value: str, rows: list[Any]) -> tuple[Span, ...]:
    """The spans of this text that redactions (rows of ``answer_redaction``) hide: every place where the text
    holds the redacted characters (found by their SHA-256), in this version or a later one where they moved."""
    from boligmonitor.store.reporting.coding.spans import span_digest

    spans: set[Span] = set()
    for row in rows:
        length = row.end_offset - row.start_offset
        if length <= 0 or length > len(text_value):
            continue
        for start in range(len(text_value) - length + 1):
            span = Span(start, start + length)
            if span_digest(text_value, span) == row.span_sha256:
                spans.add(span)
    return tuple(sorted(spans))


def refresh(connection: Connection) -> int:
    """Bring the search documents in step with the reports' latest submitted versions (a no-op read when they
    are); returns how many documents were written. Safe to run from two writers at once: a document another made
    first is left as it is."""
    wanted = set(connection.scalars(latest_submitted_ids()))
    have = set(connection.scalars(select(open_answer_search.c.report_version_id).distinct()))
    stale, missing = have - wanted, wanted - have
    if not stale and not missing:
        return 0
    if stale:
        connection.execute(delete(open_answer_search).where(open_answer_search.c.report_version_id.in_(sorted(stale))))
    if missing:
        rows = list(
            connection.execute(
                select(report_version.c.id, report_version.c.report_id, report_version.c.answers_json).where(
                    report_version.c.id.in_(sorted(missing))
                )
            )
        )
        redactions = redactions_of(connection, {row.report_id for row in rows})
        documents: list[dict[str, Any]] = []
        for row in rows:
            texts = open_texts(row.answers_json)
            for question_id, value in sorted(texts.items()):
                spans = applying(value, redactions.get((row.report_id, question_id), []))
                documents.append(_document(row.id, question_id, value, spans))
            if not texts:
                documents.append(_document(row.id, NO_OPEN_ANSWERS, "", ()))
        _insert_all(connection, documents)
        return len(documents)
    return 0


def rewrite(
    connection: Connection, report_version_id: int, question_id: str, value: str, spans: tuple[Span, ...]
) -> None:
    """Write one answer's document again (after a redaction)."""
    document = _document(report_version_id, question_id, value, spans)
    changed = connection.execute(
        update(open_answer_search)
        .where(
            open_answer_search.c.report_version_id == report_version_id,
            open_answer_search.c.question_id == question_id,
        )
        .values(search_text=document["search_text"], redactions=document["redactions"])
    )
    if changed.rowcount == 0:
        _insert_quietly(connection, document)


def _document(report_version_id: int, question_id: str, value: str, spans: tuple[Span, ...]) -> dict[str, Any]:
    return {
        "report_version_id": report_version_id,
        "question_id": question_id,
        "search_text": redacted(value, spans, INDEX_MARKER).text,
        "redactions": len(spans),
    }


def _insert_all(connection: Connection, documents: list[dict[str, Any]]) -> None:
    """All at once; if another writer indexed some of them meanwhile, one by one, leaving its documents."""
    if not documents:
        return
    savepoint = connection.begin_nested()
    try:
        connection.execute(insert(open_answer_search), documents)
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        for document in documents:
            _insert_quietly(connection, document)


def _insert_quietly(connection: Connection, document: Mapping[str, Any]) -> None:
    savepoint = connection.begin_nested()
    try:
        connection.execute(insert(open_answer_search).values(**document))
        savepoint.commit()
    except IntegrityError:  # another writer indexed it first
        savepoint.rollback()


def fts5_query(query: str) -> str | None:
    """The web-search syntax (words, ``"phrases"``, ``-word``, ``or``) as an FTS5 expression: each word a quoted
    prefix term, all required; None when nothing positive is asked for."""
    groups: list[list[str]] = [[]]
    negatives: list[str] = []
    for match in _TOKEN.finditer(query):
        negative, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None and word.lower() == "or":
            if groups[-1]:
                groups.append([])
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            negative, word = "-", word[1:]
        value = phrase if phrase is not None else word
        if value is None or not re.search(r"\w", value):
            continue
        quoted = '"' + value.replace('"', '""') + '"'
        term = quoted if phrase is not None else quoted + " *"
        if negative:
            negatives.append(term)
        else:
            groups[-1].append(term)
    alternatives = [" AND ".join(group) for group in groups if group]
    if not alternatives:
        return None
    positive = alternatives[0] if len(alternatives) == 1 else " OR ".join(f"({part})" for part in alternatives)
    if not negatives:
        return positive
    return f"({positive}) NOT ({' OR '.join(negatives)})"


def search(
    connection: Connection,
    programme_id: str,
    query: str,
    *,
    municipalities: Collection[str] | None,
    year: int | None,
    question_id: str | None,
    limit: int,
) -> list[SearchHit]:
    """The programme's open answers that match (of those municipalities, that year, that question), newest first."""
    # Control characters are no part of a word; PostgreSQL refuses a NUL in text and FTS5 a malformed query.
    query = "".join(" " if unicodedata.category(character) == "Cc" else character for character in query)
    if not query.strip():
        return []
    conditions = ["r.programme_id = :programme_id"]
    parameters: dict[str, Any] = {"programme_id": programme_id, "limit": limit}
    if year is not None:
        conditions.append("r.year = :year")
        parameters["year"] = year
    if question_id is not None:
        conditions.append("s.question_id = :question_id")
        parameters["question_id"] = question_id
    expanding: list[str] = []
    if municipalities is not None:
        if not municipalities:
            return []
        conditions.append("p.municipality_code IN :codes")
        parameters["codes"] = sorted(municipalities)
        expanding.append("codes")
    where = " AND ".join(conditions)
    joins = (
        "JOIN report_version v ON v.id = s.report_version_id "
        "JOIN report p ON p.id = v.report_id "
        "JOIN reporting_round r ON r.id = p.round_id"
    )
    # Newest first (the latest submissions, then question order): both engines stop after ``limit`` matches in
    # the order of the documents' ids, instead of ranking every match (see docs/reporting-coding.md).
    if connection.dialect.name == "postgresql":
        parameters["query"] = query
        # The matches come from the GIN index first (MATERIALIZED: never re-checked row by row by computing each
        # document's tsvector), then the filters, the order and the limit; the snippet for those only.
        statement = (
            "WITH matched AS MATERIALIZED (SELECT id FROM open_answer_search "
            "WHERE to_tsvector('norwegian', search_text) @@ websearch_to_tsquery('norwegian', :query)) "
            "SELECT found.*, ts_headline('norwegian', found.search_text, websearch_to_tsquery('norwegian', :query), "
            f"'StartSel={HIT_START}, StopSel={HIT_END}, MaxWords=24, MinWords=10, MaxFragments=2, "
            'FragmentDelimiter=" … "\') AS snippet FROM ('
            "SELECT s.id, s.report_version_id, s.question_id, s.search_text, r.programme_id, r.year, "
            f"p.municipality_code FROM matched JOIN open_answer_search s ON s.id = matched.id {joins} "
            f"WHERE {where} ORDER BY s.id DESC LIMIT :limit) AS found ORDER BY found.id DESC"
        )
    else:
        expression = fts5_query(query)
        if expression is None:
            return []
        parameters["query"] = expression
        statement = (
            "SELECT s.report_version_id, s.question_id, r.programme_id, r.year, p.municipality_code, "
            f"snippet({SQLITE_FTS_TABLE}, 0, '{HIT_START}', '{HIT_END}', ' … ', 24) AS snippet "
            f"FROM {SQLITE_FTS_TABLE} JOIN open_answer_search s ON s.id = {SQLITE_FTS_TABLE}.rowid {joins} "
            f"WHERE {SQLITE_FTS_TABLE} MATCH :query AND {where} "
            f"ORDER BY {SQLITE_FTS_TABLE}.rowid DESC LIMIT :limit"
        )
    compiled = text(statement)
    for name in expanding:
        compiled = compiled.bindparams(bindparam(name, expanding=True))
    return [
        SearchHit(
            report_version_id=row.report_version_id,
            question_id=row.question_id,
            programme_id=row.programme_id,
            year=row.year,
            municipality_code=row.municipality_code,
            snippet=row.snippet,
        )
        for row in connection.execute(compiled, parameters)
    ]


__all__ = [
    "NO_OPEN_ANSWERS",
    "SQLITE_FTS_TABLE",
    "SQLITE_FTS_TABLES",
    "applying",
    "fts5_query",
    "include_in_schema_comparison",
    "latest_submitted_ids",
    "open_texts",
    "redactions_of",
    "refresh",
    "rewrite",
    "search",
]
