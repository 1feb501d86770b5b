"""The coded open answers counted and quoted: how many municipalities' answers carry each code, by size group
and year (the evaluation's "many municipalities mention …", seed report chapter 6), the coded passages with
their redacted text, and the analysts' example quotes. Pure functions over what
:class:`~boligmonitor.store.reporting.coding.CodingStore` reads; redacted spans never reach a result (the
passage's text is cut from the redacted answer, the marker in place of what was left out).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from boligmonitor.analysis.reporting.size_groups import SizeGroups
from boligmonitor.store.reporting.coding import Code, OpenAnswer, Passage

NO_SIZE_GROUP: Final = "unknown"  # a municipality without a population that year
SIZE_GROUP_ORDER: Final = ("small", "medium", "large", NO_SIZE_GROUP)


@dataclass(frozen=True, slots=True)
class CodedPassage:
    """A passage with where it is from, its codes and its text with redactions left out."""

    passage: Passage
    answer: OpenAnswer
    codes: tuple[Code, ...]
    text: str  # the passage in the redacted answer
    start: int  # in the redacted answer
    end: int


@dataclass(frozen=True, slots=True)
class CodeCount:
    """One code in one year and size group: how many municipalities' answers carry it (``municipalities``), out
    of how many answered an open question at all (``answering``), and in how many passages."""

    code_id: int
    year: int
    size_group: str  # geo.groups.SizeGroup's value, or NO_SIZE_GROUP
    municipalities: int
    answering: int
    passages: int

    @property
    def share(self) -> float | None:
        return self.municipalities / self.answering if self.answering else None


@dataclass(frozen=True, slots=True)
class CodeCounts:
    """Counts by code × size group × year, with each year's and group's answering municipalities, and each code's
    total over all groups per year."""

    codes: tuple[Code, ...]
    years: tuple[int, ...]
    size_groups: tuple[str, ...]
    cells: tuple[CodeCount, ...]
    answering: Mapping[tuple[int, str], int]  # (year, size group) -> municipalities with an open answer

    def cell(self, code_id: int, year: int, size_group: str) -> CodeCount:
        for found in self.cells:
            if (found.code_id, found.year, found.size_group) == (code_id, year, size_group):
                return found
        return CodeCount(code_id, year, size_group, 0, self.answering.get((year, size_group), 0), 0)

    def total(self, code_id: int, year: int) -> CodeCount:
        """The code in ``year`` over every size group."""
        cells = [self.cell(code_id, year, group) for group in self.size_groups]
        return CodeCount(
            code_id,
            year,
            "all",
            sum(cell.municipalities for cell in cells),
            sum(cell.answering for cell in cells),
            sum(cell.passages for cell in cells),
        )


def size_group_of(groups: Mapping[int, SizeGroups], year: int, municipality: str) -> str:
    found = groups.get(year)
    group = found.groups.get(municipality) if found is not None else None
    return group.value if group is not None else NO_SIZE_GROUP


def coded_passages(
    answers: Sequence[OpenAnswer], passages: Sequence[Passage], codes: Sequence[Code], *, marker: str
) -> list[CodedPassage]:
    """Each passage of one of ``answers`` with its codes and redacted text, in the answers' order."""
    by_answer = {(answer.report_version_id, answer.question_id): answer for answer in answers}
    order = {key: index for index, key in enumerate(by_answer)}
    by_id = {code.id: code for code in codes}
    result: list[CodedPassage] = []
    for passage in passages:
        answer = by_answer.get((passage.report_version_id, passage.question_id))
        if answer is None:
            continue
        shown = answer.redacted(marker)
        span = shown.span(passage.span)
        result.append(
            CodedPassage(
                passage=passage,
                answer=answer,
                codes=tuple(by_id[code_id] for code_id in passage.code_ids if code_id in by_id),
                text=shown.text[span.start : span.end],
                start=span.start,
                end=span.end,
            )
        )
    result.sort(key=lambda item: (order[(item.answer.report_version_id, item.answer.question_id)], item.passage.start))
    return result


def code_counts(
    answers: Sequence[OpenAnswer],
    passages: Sequence[Passage],
    codes: Sequence[Code],
    groups: Mapping[int, SizeGroups],
) -> CodeCounts:
    """How many municipalities' answers carry each code, by year and size group (a municipality counts once per
    code and year, however many passages or questions carry it)."""
    answering_sets: dict[tuple[int, str], set[str]] = {}
    for answer in answers:
        group = size_group_of(groups, answer.year, answer.municipality_code)
        answering_sets.setdefault((answer.year, group), set()).add(answer.municipality_code)
    by_answer = {(answer.report_version_id, answer.question_id): answer for answer in answers}
    mentioned: dict[tuple[int, int, str], set[str]] = {}
    passage_counts: dict[tuple[int, int, str], int] = {}
    for passage in passages:
        coded = by_answer.get((passage.report_version_id, passage.question_id))
        if coded is None:
            continue
        group = size_group_of(groups, coded.year, coded.municipality_code)
        for code_id in passage.code_ids:
            key = (code_id, coded.year, group)
            mentioned.setdefault(key, set()).add(coded.municipality_code)
            passage_counts[key] = passage_counts.get(key, 0) + 1
    answering = {key: len(found) for key, found in answering_sets.items()}
    cells = tuple(
        CodeCount(code_id, year, group, len(found), answering.get((year, group), 0), passage_counts[key])
        for key, found in sorted(mentioned.items())
        for code_id, year, group in [key]
    )
    present = {group for _, group in answering}
    return CodeCounts(
        codes=tuple(codes),
        years=tuple(sorted({answer.year for answer in answers})),
        size_groups=tuple(group for group in SIZE_GROUP_ORDER if group in present),
        cells=cells,
        answering=answering,
    )


def example_quotes(
    answers: Sequence[OpenAnswer], passages: Sequence[Passage], codes: Sequence[Code], *, marker: str
) -> list[CodedPassage]:
    """The passages the analysts marked as example quotes, with their notes, newest year first."""
    chosen = [item for item in coded_passages(answers, passages, codes, marker=marker) if item.passage.example_quote]
    chosen.sort(key=lambda item: (-item.answer.year, item.answer.municipality_code, item.passage.start))
    return chosen


__all__ = [
    "NO_SIZE_GROUP",
    "SIZE_GROUP_ORDER",
    "CodeCount",
    "CodeCounts",
    "CodedPassage",
    "code_counts",
    "coded_passages",
    "example_quotes",
    "size_group_of",
]
