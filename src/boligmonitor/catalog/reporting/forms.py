"""A reporting form per programme year as data: sections per goal, and questions of seven types.

* ``prefilled_statistic`` shows a catalogue indicator's official figure (with its source, year and the data
  version, from the monitor's store); the municipality may comment on it or give a correction beside it, never
  over it; where the figure is not loaded or not published, the form says so and the municipality may give its
  own figure, which is kept and shown as self-reported (:class:`FigureOrigin`);
* ``own_number``: the municipality's own figure in one of the catalogue's units, checked by the catalogue's
  domain rules (:mod:`boligmonitor.catalog.reporting.numbers`);
* ``yes_no``; ``single_choice`` / ``multiple_choice`` among predefined categories; ``scale`` (min, max, labels);
* ``open_text`` of one of the two kinds the 2018 form asked: activities, measures and organisation, or an
  assessment of results and effort.

Every question has an id, texts in bokmål and nynorsk (English optional), an optional help text, whether an
answer is required, the goal(s) it reports on (its section's, or one of them), whether it is a quantitative or
qualitative result indicator, optionally the catalogue indicator it belongs to, and optionally where it comes
from (:class:`QuestionSource`: whether the text is quoted from a document or only described there).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from boligmonitor.catalog.models import CatalogModel, FieldPath, IndicatorId, Problem, Unit
from boligmonitor.catalog.reporting.base import (
    REPORTING_SCHEMA_VERSION,
    Citation,
    Document,
    DocumentKey,
    ProgrammeId,
    ReportingText,
    Slug,
    Version,
    citation_problems,
    duplicates,
)

Year = Annotated[int, Field(ge=1970, le=2100)]
FiniteNumber = Annotated[float, Field(allow_inf_nan=False)]

QuestionType = Literal[
    "prefilled_statistic", "own_number", "yes_no", "single_choice", "multiple_choice", "scale", "open_text"
]
# As the evaluation counts them: 21 quantitative and 24 qualitative result indicators in 2018.
ResultIndicatorKind = Literal["quantitative", "qualitative"]
OpenTextKind = Literal["activities_and_organisation", "assessment_of_results"]
# How a question's text relates to the document it is cited from:
# quoted -- the document gives the question in these words; quoted_in_part -- it quotes part of it (the rest
# is ours, and the note says which); template -- it gives the wording of this kind of question and names the
# area, which we put in; described -- it describes what was asked, the words are ours; inferred -- it counts a
# question here without naming it, and the note says how we arrived at the text.
Wording = Literal["quoted", "quoted_in_part", "template", "described", "inferred"]
# A scale is a few ordered answers, not a number: at most this many steps.
MAX_SCALE_STEPS = 11
SYNTHETIC_MARK = "SYNTHETIC"


class FigureOrigin(StrEnum):
    """Where a figure in an answer comes from; a page shows the origin beside every figure."""

    OFFICIAL = "official"  # the statistic as published, read from the monitor's store
    CORRECTION = "correction"  # the municipality's correction, kept beside the official figure
    SELF_REPORTED = "self_reported"  # the municipality's own figure where no official one is loaded


class QuestionSource(Citation):
    wording: Wording


class _Question(CatalogModel):
    id: Slug
    text: ReportingText
    help: ReportingText | None = None
    required: bool = False
    goal: Slug | None = Field(default=None, description="One of the section's goals; None: all of them")
    result_indicator: ResultIndicatorKind
    indicator: IndicatorId | None = Field(default=None, description="The catalogue indicator the question belongs to")
    source: QuestionSource | None = None

    def _must_be(self, kind: ResultIndicatorKind, why: str) -> list[Problem]:
        if self.result_indicator != kind:
            return [(("result_indicator",), f"{why}: it is a {kind} result indicator")]
        return []


class PrefilledStatisticQuestion(_Question):
    type: Literal["prefilled_statistic"]
    indicator: IndicatorId = Field(description="The catalogue indicator whose official figure is shown")
    year: Year | None = Field(default=None, description="The statistic's year; None: the form's year")
    comment: bool = Field(default=True, description="The municipality may comment on the figure")
    correction: bool = Field(default=True, description="The municipality may give a correction beside it")
    self_report_when_missing: bool = Field(
        default=True, description="Where no figure is loaded, the municipality may give its own (self-reported)"
    )

    def own_problems(self) -> list[Problem]:
        return self._must_be("quantitative", "a statistic is a number")


class OwnNumberQuestion(_Question):
    type: Literal["own_number"]
    unit: Unit
    decimals: Annotated[int, Field(ge=0, le=6)] = 0
    min: FiniteNumber | None = Field(default=None, description="Narrows the unit's (or indicator's) lowest value")
    max: FiniteNumber | None = Field(
        default=None, description="Narrows the highest; required where the unit sets none (docs/catalog.md)"
    )

    def own_problems(self) -> list[Problem]:
        problems = self._must_be("quantitative", "an own number is a number")
        if self.min is not None and self.max is not None and self.min >= self.max:
            problems.append((("max",), f"max {self.max:g} is not above min {self.min:g}"))
        if self.unit == "count" and self.decimals:
            problems.append((("decimals",), "a count is a whole number: decimals 0"))
        return problems


class YesNoQuestion(_Question):
    type: Literal["yes_no"]


class Category(CatalogModel):
    id: Slug
    label: ReportingText


def _category_problems(categories: tuple[Category, ...]) -> list[Problem]:
    ids = [category.id for category in categories]
    return duplicates(ids, [("categories", i, "id") for i in range(len(ids))], "category id")


class SingleChoiceQuestion(_Question):
    type: Literal["single_choice"]
    categories: tuple[Category, ...] = Field(min_length=2)

    def own_problems(self) -> list[Problem]:
        return _category_problems(self.categories)


class MultipleChoiceQuestion(_Question):
    type: Literal["multiple_choice"]
    categories: tuple[Category, ...] = Field(min_length=2)
    max_choices: Annotated[int, Field(ge=1)] | None = Field(default=None, description="None: any number")

    def own_problems(self) -> list[Problem]:
        problems = _category_problems(self.categories)
        if self.max_choices is not None and self.max_choices > len(self.categories):
            problems.append((("max_choices",), f"there are only {len(self.categories)} categories"))
        return problems


class ScaleLabel(CatalogModel):
    value: int
    label: ReportingText


class ScaleQuestion(_Question):
    type: Literal["scale"]
    min: int
    max: int
    labels: tuple[ScaleLabel, ...] = Field(default=(), description="Labels of some or all steps")

    def own_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        if self.max <= self.min:
            return [(("max",), f"max {self.max} is not above min {self.min}")]
        if self.max - self.min + 1 > MAX_SCALE_STEPS:
            problems.append((("max",), f"a scale has at most {MAX_SCALE_STEPS} steps; use own_number for a number"))
        for i, label in enumerate(self.labels):
            if not self.min <= label.value <= self.max:
                problems.append((("labels", i, "value"), f"{label.value} is outside the scale {self.min}–{self.max}"))
        values = [label.value for label in self.labels]
        problems.extend(duplicates(values, [("labels", i, "value") for i in range(len(values))], "label for value"))
        return problems


class OpenTextQuestion(_Question):
    type: Literal["open_text"]
    kind: OpenTextKind
    max_length: Annotated[int, Field(ge=1, le=100_000)] | None = None

    def own_problems(self) -> list[Problem]:
        return self._must_be("qualitative", "an open answer is not a number")


Question = Annotated[
    PrefilledStatisticQuestion
    | OwnNumberQuestion
    | YesNoQuestion
    | SingleChoiceQuestion
    | MultipleChoiceQuestion
    | ScaleQuestion
    | OpenTextQuestion,
    Field(discriminator="type"),
]
QUESTION_TYPES: tuple[QuestionType, ...] = (
    "prefilled_statistic",
    "own_number",
    "yes_no",
    "single_choice",
    "multiple_choice",
    "scale",
    "open_text",
)


class Section(CatalogModel):
    """The questions on one goal of the programme (or on goals the form asks about together)."""

    goals: tuple[Slug, ...] = Field(min_length=1)
    title: ReportingText | None = Field(default=None, description="None: the goals' names")
    questions: tuple[Question, ...] = Field(min_length=1)

    def own_problems(self) -> list[Problem]:
        problems = duplicates(list(self.goals), [("goals", i) for i in range(len(self.goals))], "goal")
        for q, question in enumerate(self.questions):
            if question.goal is not None and question.goal not in self.goals:
                message = f"goal {question.goal!r} is not one of the section's goals ({', '.join(self.goals)})"
                problems.append((("questions", q, "goal"), message))
        return problems


@dataclass(frozen=True)
class FormEntry:
    """A question with its place: the section and the goals it reports on."""

    section: int
    question: Question
    goals: tuple[str, ...]


class Form(CatalogModel):
    """A programme's reporting form for one year, as in ``catalog/reporting/data/forms/<programme>_<year>.yaml``."""

    schema_version: Literal[1] = REPORTING_SCHEMA_VERSION
    version: Version
    programme: ProgrammeId
    year: Year = Field(description="The year reported on")
    title: ReportingText
    description: ReportingText | None = None
    synthetic: bool = Field(
        default=False, description="Made up for tests or demonstrations: its title says SYNTHETIC wherever shown"
    )
    documents: dict[DocumentKey, Document] = Field(default_factory=dict)
    sections: tuple[Section, ...] = Field(min_length=1)
    note: str | None = Field(default=None, description="For maintainers (English): how the form was reconstructed")

    def entries(self) -> list[FormEntry]:
        """Every question in form order, with its section and goals."""
        return [
            FormEntry(s, question, (question.goal,) if question.goal is not None else section.goals)
            for s, section in enumerate(self.sections)
            for question in section.questions
        ]

    def question(self, question_id: str) -> Question:
        for entry in self.entries():
            if entry.question.id == question_id:
                return entry.question
        raise KeyError(f"no question {question_id!r} in the {self.programme} form for {self.year}")

    def own_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        paths: list[FieldPath] = []
        ids: list[str] = []
        for s, section in enumerate(self.sections):
            for q, question in enumerate(section.questions):
                paths.append(("sections", s, "questions", q, "id"))
                ids.append(question.id)
        problems.extend(duplicates(ids, paths, "question id"))
        goal_paths: list[FieldPath] = []
        goals: list[str] = []
        for s, section in enumerate(self.sections):
            goal_paths.extend(("sections", s, "goals", g) for g in range(len(section.goals)))
            goals.extend(section.goals)
        problems.extend(duplicates(goals, goal_paths, "section for goal"))
        for s, section in enumerate(self.sections):
            for q, question in enumerate(section.questions):
                where: FieldPath = ("sections", s, "questions", q, "source")
                problems.extend(citation_problems(question.source, self.documents, where))
        if self.synthetic:
            for language in ("nb", "nn", "en"):
                text = getattr(self.title, language)
                if text is not None and SYNTHETIC_MARK not in text:
                    problems.append((("title", language), f"a synthetic form says {SYNTHETIC_MARK} in its title"))
        return problems
