"""Character spans of an answer's text: redacted text (with a map from the original's positions to the redacted
text's), the pieces a page shows, the answer's sentences and finding a quoted passage.

Positions are Python string indices: Unicode code points, which is what REFI-QDA calls characters. Pure
functions, no database.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

# What the search index holds where a redacted span was: no letters or digits, so no search term matches it.
INDEX_MARKER: Final = "[▇▇▇]"

_SENTENCE_END: Final = re.compile(r"(?<=[.!?…])[\"»”')\]]*\s+|\n+")


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """The characters ``[start, end)`` of a text."""

    start: int
    end: int

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of an answer as a page shows it: its text, or (``redacted``) the marker in its place."""

    text: str
    redacted: bool
    start: int  # in the original text
    end: int


def span_digest(text: str, span: Span) -> str:
    """The SHA-256 of the span's characters: a redaction applies to a text that holds them at the same place."""
    return hashlib.sha256(text[span.start : span.end].encode("utf-8")).hexdigest()


def merged(spans: Iterable[Span]) -> list[Span]:
    """Spans in order, overlapping or touching ones joined."""
    result: list[Span] = []
    for span in sorted(spans):
        if result and span.start <= result[-1].end:
            last = result[-1]
            result[-1] = Span(last.start, max(last.end, span.end))
        else:
            result.append(span)
    return result


def pieces(text: str, redactions: Sequence[Span]) -> list[Piece]:
    """The text cut at its redactions: plain runs and redacted runs (whose ``text`` is empty)."""
    result: list[Piece] = []
    position = 0
    for span in merged(redactions):
        if span.start > position:
            result.append(Piece(text[position : span.start], False, position, span.start))
        result.append(Piece("", True, span.start, span.end))
        position = span.end
    if position < len(text):
        result.append(Piece(text[position:], False, position, len(text)))
    return result


@dataclass(frozen=True, slots=True)
class RedactedText:
    """A text with its redactions replaced by a marker, and where each original position went."""

    text: str
    _starts: tuple[int, ...]  # original position -> position in ``text`` (len(original) + 1 entries)

    def position(self, original: int) -> int:
        return self._starts[original]

    def span(self, original: Span) -> Span:
        """Where an original span lies in the redacted text (a redacted part inside it is the marker)."""
        return Span(self.position(original.start), self.position(original.end))


def redacted(text: str, redactions: Sequence[Span], marker: str) -> RedactedText:
    """``text`` with each (merged) redaction replaced by ``marker``. A position inside a redaction maps to the
    marker's start, the redaction's end to the marker's end, so a passage never reaches into redacted text."""
    out: list[str] = []
    starts: list[int] = []
    length = 0
    for piece in pieces(text, redactions):
        if piece.redacted:
            starts.extend([length] * (piece.end - piece.start))
            out.append(marker)
            length += len(marker)
        else:
            starts.extend(range(length, length + len(piece.text)))
            out.append(piece.text)
            length += len(piece.text)
    starts.append(length)
    return RedactedText("".join(out), tuple(starts))


def sentences(text: str) -> list[Span]:
    """The text's sentences (and lines), without the spaces between them: what a page offers to code."""
    result: list[Span] = []
    start = 0
    for found in _SENTENCE_END.finditer(text):
        _add_trimmed(text, start, found.start(), result)
        start = found.end()
    _add_trimmed(text, start, len(text), result)
    return result


def _add_trimmed(text: str, start: int, end: int, into: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        into.append(Span(start, end))


def locate(text: str, quote: str) -> Span | None:
    """Where ``quote`` (copied from the page) first occurs in ``text``; spaces and line breaks in either may
    differ. None when it does not occur or is blank."""
    words = quote.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(word) for word in words)
    found = re.search(pattern, text)
    return Span(found.start(), found.end()) if found else None


__all__ = [
    "INDEX_MARKER",
    "Piece",
    "RedactedText",
    "Span",
    "locate",
    "merged",
    "pieces",
    "redacted",
    "sentences",
    "span_digest",
]
