"""The open-answer pages' content as plain data for the templates: answers with their redacted text, sentences to
pick a passage from, passages with their codes, the codebook by goal, search hits with marked words, counts.
Everything shown goes through the redaction: the original text of a redacted span is never put in a page."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from markupsafe import Markup, escape

from boligmonitor.catalog.reporting import Programme
from boligmonitor.store.reporting.coding import (
    HIT_END,
    HIT_START,
    Code,
    OpenAnswer,
    Passage,
    SearchHit,
    Span,
    sentences,
)
from boligmonitor.store.reporting.coding.spans import INDEX_MARKER

EXCERPT: Final = 280  # characters of an answer shown in a list
OPTION_TEXT: Final = 90  # characters of a sentence shown as a choice
_HITS: Final = re.compile(f"({HIT_START}|{HIT_END})")


@dataclass(frozen=True, slots=True)
class SentenceChoice:
    index: int
    span: Span
    label: str  # "3: the sentence…" (redacted)


@dataclass(frozen=True, slots=True)
class CodeGroup:
    """The codes under one programme goal (``goal_id`` None: under none), parents before their children."""

    goal_id: str | None
    title: str
    codes: list[tuple[Code, int]] = field(default_factory=list)  # code, depth


def shown_text(answer: OpenAnswer, marker: str) -> str:
    return answer.redacted(marker).text


def excerpt(answer: OpenAnswer, marker: str, limit: int = EXCERPT) -> str:
    text = shown_text(answer, marker)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def sentence_choices(answer: OpenAnswer, marker: str) -> list[SentenceChoice]:
    choices: list[SentenceChoice] = []
    for index, span in enumerate(sentences(answer.text), start=1):
        shown = answer.redacted(marker)
        part = shown.text[shown.position(span.start) : shown.position(span.end)]
        short = part if len(part) <= OPTION_TEXT else part[: OPTION_TEXT - 1].rstrip() + "…"
        choices.append(SentenceChoice(index, span, f"{index}: {short}"))
    return choices


def passage_text(answer: OpenAnswer, passage: Passage, marker: str) -> str:
    shown = answer.redacted(marker)
    span = shown.span(passage.span)
    return shown.text[span.start : span.end]


def code_groups(codes: Sequence[Code], programme: Programme, language: str, ungrouped: str) -> list[CodeGroup]:
    """The codebook by the programme's goals (in the programme's order), codes without a goal last."""
    goals = {goal.id: f"{goal.number}. {goal.name.get(language)}" for goal in programme.goals}  # type: ignore[arg-type]
    order = {goal.id: index for index, goal in enumerate(programme.goals)}
    by_parent: dict[int | None, list[Code]] = {}
    known = {code.id for code in codes}
    for code in codes:
        by_parent.setdefault(code.parent_id if code.parent_id in known else None, []).append(code)
    groups: dict[str | None, CodeGroup] = {}

    def walk(code: Code, depth: int, group: CodeGroup) -> None:
        group.codes.append((code, depth))
        for child in by_parent.get(code.id, []):
            walk(child, depth + 1, group)

    for code in by_parent.get(None, []):
        goal = code.goal_id
        group = groups.setdefault(goal, CodeGroup(goal, goals.get(goal, goal) if goal else ungrouped))
        walk(code, 0, group)
    return sorted(groups.values(), key=lambda group: (group.goal_id is None, order.get(group.goal_id or "", 999)))


def marked_snippet(hit: SearchHit, marker: str) -> Markup:
    """The database's snippet, escaped, its matched words in ``<mark>``, the index's redaction marker in words."""
    parts: list[Markup] = []
    for part in _HITS.split(hit.snippet.replace(INDEX_MARKER, marker)):
        if part == HIT_START:
            parts.append(Markup("<mark>"))
        elif part == HIT_END:
            parts.append(Markup("</mark>"))
        else:
            parts.append(escape(part))
    return Markup("").join(parts)


def code_names(passage: Passage, codes: Mapping[int, Code]) -> list[str]:
    return [codes[code_id].name for code_id in passage.code_ids if code_id in codes]


def answer_markup(answer: OpenAnswer, marker: str) -> Markup:
    """The answer as HTML: its text escaped with line breaks kept, each redacted span as the marker."""
    parts: list[Markup] = []
    for piece in answer.pieces():
        if piece.redacted:
            parts.append(Markup('<span class="bm-redacted">{}</span>').format(marker))
            continue
        lines = piece.text.split("\n")
        for index, line in enumerate(lines):
            if index:
                parts.append(Markup("<br>"))
            parts.append(escape(line))
    return Markup("").join(parts)


__all__ = [
    "CodeGroup",
    "SentenceChoice",
    "answer_markup",
    "code_groups",
    "code_names",
    "excerpt",
    "marked_snippet",
    "passage_text",
    "sentence_choices",
    "shown_text",
]
