"""The open answers as JSON: the pieces of the documents :mod:`.open_answers` answers with — codes, answers with
their coded passages, counts, example quotes and search hits. Everything textual goes through the redaction
first (the answer's text with the marker in place of each redacted span, passages cut from that text, the search
index's marker replaced by the marker in words): a redacted span's characters never reach a document.
Pure functions."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from boligmonitor.analysis.reporting.open_answers import CodeCounts, CodedPassage
from boligmonitor.catalog.reporting import Programme
from boligmonitor.store.reporting.coding import HIT_END, HIT_START, Code, OpenAnswer, Passage, SearchHit
from boligmonitor.store.reporting.coding.spans import INDEX_MARKER
from boligmonitor.web.i18n import Language

ALL_GROUPS: Final = "all"  # a count over every size group
COUNT_COLUMNS: Final = (
    "code_id",
    "code",
    "year",
    "size_group",
    "municipalities",
    "answering",
    "share",
    "passages",
)
_HITS: Final = re.compile(f"({HIT_START}|{HIT_END})")


def goal_of(programme: Programme, goal_id: str | None, language: Language) -> dict[str, Any] | None:
    """The programme goal a code is under (a goal the programme no longer has: its id only)."""
    for goal in programme.goals:
        if goal.id == goal_id:
            return {"id": goal.id, "number": goal.number, "name": goal.name.get(language)}
    return None if goal_id is None else {"id": goal_id, "number": None, "name": None}


def code_entry(code: Code, programme: Programme, language: Language, uses: int) -> dict[str, Any]:
    """A code of the codebook: its goal (or none), its parent code (or none), and how many coded passages of the
    answers the reader may see carry it."""
    return {
        "id": code.id,
        "guid": code.guid,
        "name": code.name,
        "description": code.description,
        "goal": goal_of(programme, code.goal_id, language),
        "parent_id": code.parent_id,
        "n_passages": uses,
    }


def code_refs(code_ids: Sequence[int], codes: Mapping[int, Code]) -> list[dict[str, Any]]:
    return [{"id": code_id, "name": codes[code_id].name} for code_id in code_ids if code_id in codes]


def passage_entry(answer: OpenAnswer, passage: Passage, codes: Mapping[int, Code], marker: str) -> dict[str, Any]:
    """A coded passage: where it lies in the answer's redacted text, that text, its codes, example mark, note."""
    shown = answer.redacted(marker)
    span = shown.span(passage.span)
    return {
        "id": passage.id,
        "start": span.start,
        "end": span.end,
        "text": shown.text[span.start : span.end],
        "codes": code_refs(passage.code_ids, codes),
        "example_quote": passage.example_quote,
        "note": passage.note,
    }


def answer_entry(
    answer: OpenAnswer,
    passages: Sequence[Passage],
    codes: Mapping[int, Code],
    *,
    marker: str,
    municipality: str,
    size_group: str,
    synthetic: bool,
) -> dict[str, Any]:
    """One municipality's open answer in one year (its latest submitted version), redacted, with its passages."""
    shown = answer.redacted(marker)
    carried = sorted({code_id for passage in passages for code_id in passage.code_ids})
    return {
        "year": answer.year,
        "municipality": {"code": answer.municipality_code, "name": municipality},
        "size_group": size_group,
        "question_id": answer.question_id,
        "report_version": answer.version,
        "submitted_at": answer.submitted_at.isoformat(),
        "synthetic": synthetic,
        "text": shown.text,
        "n_redacted": sum(1 for piece in answer.pieces() if piece.redacted),
        "codes": code_refs(carried, codes),
        "passages": [passage_entry(answer, passage, codes, marker) for passage in passages],
    }


def count_rows(counts: CodeCounts) -> list[dict[str, Any]]:
    """Every code × year × size group (and each year's total over the groups, ``size_group`` "all"), the
    municipalities whose answers carry the code beside those that answered (``answering``)."""
    rows: list[dict[str, Any]] = []
    for year in counts.years:
        for code in counts.codes:
            cells = [counts.cell(code.id, year, group) for group in counts.size_groups]
            for cell in [*cells, counts.total(code.id, year)]:
                rows.append(
                    {
                        "code_id": code.id,
                        "code": code.name,
                        "year": year,
                        "size_group": cell.size_group,
                        "municipalities": cell.municipalities,
                        "answering": cell.answering,
                        "share": None if cell.share is None else round(cell.share, 4),
                        "passages": cell.passages,
                    }
                )
    return rows


def answering_rows(counts: CodeCounts) -> list[dict[str, Any]]:
    """How many municipalities answered an open question, per year and size group (the group sizes)."""
    rows = [
        {"year": year, "size_group": group, "municipalities": counts.answering.get((year, group), 0)}
        for year in counts.years
        for group in counts.size_groups
    ]
    for year in counts.years:
        total = sum(counts.answering.get((year, group), 0) for group in counts.size_groups)
        rows.append({"year": year, "size_group": ALL_GROUPS, "municipalities": total})
    return rows


def quote_entry(quote: CodedPassage, *, municipality: str, question: str, synthetic: bool) -> dict[str, Any]:
    """An example quote: the passage's redacted text, where it is from, its codes and the analyst's note."""
    return {
        "year": quote.answer.year,
        "municipality": {"code": quote.answer.municipality_code, "name": municipality},
        "question_id": quote.answer.question_id,
        "question": question,
        "passage_id": quote.passage.id,
        "text": quote.text,
        "start": quote.start,
        "end": quote.end,
        "codes": [{"id": code.id, "name": code.name} for code in quote.codes],
        "note": quote.passage.note,
        "synthetic": synthetic,
    }


def highlighted(snippet: str, marker: str) -> tuple[str, list[list[int]]]:
    """The database's snippet as plain text (the index's redaction marker in words) and the ``[start, end)``
    character ranges of the matched words in it."""
    text: list[str] = []
    ranges: list[list[int]] = []
    length = 0
    opened: int | None = None
    for part in _HITS.split(snippet.replace(INDEX_MARKER, marker)):
        if part == HIT_START:
            opened = length
        elif part == HIT_END:
            if opened is not None and length > opened:
                ranges.append([opened, length])
            opened = None
        else:
            text.append(part)
            length += len(part)
    return "".join(text), ranges


def hit_entry(hit: SearchHit, *, marker: str, municipality: str, question: str, synthetic: bool) -> dict[str, Any]:
    """A search hit: where the answer is from and the engine's snippet of its redacted text with the matches."""
    snippet, matches = highlighted(hit.snippet, marker)
    return {
        "year": hit.year,
        "municipality": {"code": hit.municipality_code, "name": municipality},
        "question_id": hit.question_id,
        "question": question,
        "snippet": snippet,
        "matches": matches,
        "synthetic": synthetic,
    }


__all__ = [
    "ALL_GROUPS",
    "COUNT_COLUMNS",
    "answer_entry",
    "answering_rows",
    "code_entry",
    "code_refs",
    "count_rows",
    "goal_of",
    "highlighted",
    "hit_entry",
    "passage_entry",
    "quote_entry",
]
