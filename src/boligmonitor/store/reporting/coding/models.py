"""What the coding store hands out: codes, coded passages, redactions, open answers and search hits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from boligmonitor.store.reporting.coding.spans import Piece, RedactedText, Span, merged, pieces, redacted


@dataclass(frozen=True, slots=True)
class Code:
    """A code of a programme's codebook, under one of the programme's goals and/or a parent code."""

    id: int
    programme_id: str
    guid: str
    name: str
    description: str | None
    goal_id: str | None
    parent_id: int | None
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True, slots=True)
class Passage:
    """A coded passage of one open answer (one report's kept version and question): characters
    ``[start, end)`` of the answer's original text, its codes, and whether it is an example quote."""

    id: int
    guid: str
    report_version_id: int
    question_id: str
    start: int
    end: int
    code_ids: tuple[int, ...]
    example_quote: bool
    note: str | None
    created_at: datetime
    created_by: str

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Redaction:
    """A span of a report's answer left out everywhere, with the reason (never the span's text)."""

    id: int
    report_id: int
    question_id: str
    start: int
    end: int
    reason: str
    redacted_at: datetime
    redacted_by: str

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


@dataclass(frozen=True, slots=True)
class OpenAnswer:
    """An open answer in a report's latest submitted version. ``text`` is the original (positions refer to it);
    show it only through :meth:`pieces` or :meth:`redacted`, which leave ``redactions`` out."""

    report_id: int
    report_version_id: int
    version: int
    programme_id: str
    year: int
    municipality_code: str
    question_id: str
    text: str
    redactions: tuple[Span, ...]
    submitted_at: datetime

    def pieces(self) -> list[Piece]:
        return pieces(self.text, self.redactions)

    def redacted(self, marker: str) -> RedactedText:
        return redacted(self.text, self.redactions, marker)

    def is_redacted(self, span: Span) -> bool:
        """Whether any of the span is redacted."""
        return any(span.overlaps(found) for found in self.redactions)

    def hides(self, span: Span) -> bool:
        """Whether all of the span is redacted (a passage there would show nothing but the marker)."""
        return any(found.start <= span.start and span.end <= found.end for found in merged(self.redactions))


@dataclass(frozen=True, slots=True)
class SearchHit:
    """An answer the search found: where it is from, and the database's snippet of its (redacted) text with the
    matched words between :data:`HIT_START` and :data:`HIT_END`. Hits come newest first."""

    report_version_id: int
    question_id: str
    programme_id: str
    year: int
    municipality_code: str
    snippet: str


HIT_START = "\u27e6"  # ⟦ : a matched word starts (the page turns it into <mark>)
HIT_END = "\u27e7"  # ⟧

__all__ = ["HIT_END", "HIT_START", "Code", "OpenAnswer", "Passage", "Redaction", "SearchHit"]
