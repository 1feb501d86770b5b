"""Answers checked against their question's type and the catalogue's domain rules, before anything is written.

Pure functions: :func:`checked_answers` returns the answers cleaned (blank text is no text, whole numbers are
floats) or the problems, each naming its question id. Numbers go through the catalogue's
:func:`~boligmonitor.catalog.reporting.check_number` (the indicator's possible values, or the unit's, within the
question's own limits); corrections and self-reported figures beside a prefilled statistic get the statistic's
rules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Final

from boligmonitor.catalog.models import Catalog
from boligmonitor.catalog.reporting import (
    Form,
    MultipleChoiceQuestion,
    OpenTextQuestion,
    OwnNumberQuestion,
    PrefilledStatisticQuestion,
    Question,
    ScaleQuestion,
    SingleChoiceQuestion,
    YesNoQuestion,
    check_number,
)
from boligmonitor.store.reporting.models import Answer, AnswerInput, FigureState, OfficialFigure
from boligmonitor.store.reporting.problems import AnswerProblem

# Longest text kept for an open answer without its own max_length, and for a comment beside a figure.
MAX_TEXT_LENGTH: Final = 100_000
MAX_COMMENT_LENGTH: Final = 10_000

# Which fields of an AnswerInput each question type takes.
_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "prefilled_statistic": frozenset({"number", "comment"}),
    "own_number": frozenset({"number"}),
    "yes_no": frozenset({"yes_no"}),
    "single_choice": frozenset({"choices"}),
    "multiple_choice": frozenset({"choices"}),
    "scale": frozenset({"scale"}),
    "open_text": frozenset({"text"}),
}
_INPUT_FIELDS: Final = ("number", "text", "choices", "yes_no", "scale", "comment")


def cleaned(given: AnswerInput) -> AnswerInput:
    """Blank texts and empty choices as nothing, numbers as floats (an int from a form is a float here)."""
    text = given.text if given.text is not None and given.text.strip() else None
    comment = given.comment if given.comment is not None and given.comment.strip() else None
    choices = tuple(given.choices) if given.choices else None
    number = given.number
    if isinstance(number, int) and not isinstance(number, bool):
        number = float(number)  # a whole number typed into a form
    return replace(given, text=text, comment=comment, choices=choices, number=number)


def checked_answers(
    form: Form,
    answers: Mapping[str, AnswerInput],
    *,
    officials: Mapping[str, OfficialFigure],
    catalog: Catalog,
    today: date,
) -> tuple[dict[str, AnswerInput], list[AnswerProblem]]:
    """The answers cleaned, and every problem with them (in form order, unknown question ids last).

    ``officials`` holds the official figure stored with each prefilled statistic of the report.
    """
    questions = {entry.question.id: entry.question for entry in form.entries()}
    result: dict[str, AnswerInput] = {}
    problems: list[AnswerProblem] = []
    for question_id, question in questions.items():
        if question_id not in answers:
            continue
        given = cleaned(answers[question_id])
        result[question_id] = given
        problems.extend(
            answer_problems(
                question, given, form_year=form.year, official=officials.get(question_id), catalog=catalog, today=today
            )
        )
    for question_id in answers:
        if question_id not in questions:
            problems.append(
                AnswerProblem(
                    question_id,
                    "question_unknown",
                    f"the {form.programme} form for {form.year} has no question {question_id!r}",
                )
            )
    return result, problems


def answer_problems(
    question: Question,
    given: AnswerInput,
    *,
    form_year: int,
    official: OfficialFigure | None,
    catalog: Catalog,
    today: date,
) -> list[AnswerProblem]:
    """Every problem of one (cleaned) answer; empty when it is a possible answer. An empty answer is always
    possible here (whether one is required is checked at submission)."""
    qid = question.id
    allowed = _FIELDS[question.type]
    problems = [
        AnswerProblem(qid, "field_not_allowed", f"a {question.type} question takes no {name}", (("field", name),))
        for name in _INPUT_FIELDS
        if name not in allowed and not _blank(getattr(given, name))
    ]
    if problems:
        return problems
    if isinstance(question, PrefilledStatisticQuestion):
        return _prefilled_problems(question, given, form_year, official, catalog, today)
    if isinstance(question, OwnNumberQuestion):
        return _number_problems(question, given.number, form_year, catalog, today)
    if isinstance(question, YesNoQuestion):
        if given.yes_no is not None and not isinstance(given.yes_no, bool):
            return [AnswerProblem(qid, "yes_no_invalid", "the answer is yes or no")]
        return []
    if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
        return _choice_problems(question, given.choices)
    if isinstance(question, ScaleQuestion):
        return _scale_problems(question, given.scale)
    if isinstance(question, OpenTextQuestion):
        limit = question.max_length or MAX_TEXT_LENGTH
        if given.text is not None and len(given.text) > limit:
            return [
                AnswerProblem(
                    qid,
                    "text_too_long",
                    f"the answer has {len(given.text)} characters; at most {limit}",
                    (("max", str(limit)),),
                )
            ]
    return []


def missing_required(form: Form, answers: Mapping[str, Answer]) -> list[AnswerProblem]:
    """The required questions without an answer (an official figure shown is an answer to a prefilled one)."""
    return [
        AnswerProblem(entry.question.id, "answer_required", "an answer is required")
        for entry in form.entries()
        if entry.question.required and (entry.question.id not in answers or not answers[entry.question.id].has_answer())
    ]


def _blank(value: object) -> bool:
    return value is None or value == "" or value == ()


def _prefilled_problems(
    question: PrefilledStatisticQuestion,
    given: AnswerInput,
    form_year: int,
    official: OfficialFigure | None,
    catalog: Catalog,
    today: date,
) -> list[AnswerProblem]:
    qid = question.id
    problems: list[AnswerProblem] = []
    if given.comment is not None:
        if not question.comment:
            problems.append(AnswerProblem(qid, "comment_not_allowed", "this figure takes no comment"))
        elif len(given.comment) > MAX_COMMENT_LENGTH:
            problems.append(
                AnswerProblem(
                    qid,
                    "text_too_long",
                    f"the comment has {len(given.comment)} characters; at most {MAX_COMMENT_LENGTH}",
                    (("max", str(MAX_COMMENT_LENGTH)),),
                )
            )
    if given.number is None:
        return problems
    published = official is not None and official.state is FigureState.PUBLISHED
    if published and not question.correction:
        problems.append(AnswerProblem(qid, "correction_not_allowed", "this figure takes no correction"))
    elif not published and not question.self_report_when_missing:
        problems.append(
            AnswerProblem(
                qid, "self_report_not_allowed", "no figure is published, and this question takes no own figure"
            )
        )
    year = official.year if official is not None else (question.year or form_year)
    problems.extend(_number_problems(question, given.number, year, catalog, today))
    return problems


def _number_problems(
    question: OwnNumberQuestion | PrefilledStatisticQuestion,
    number: float | None,
    year: int,
    catalog: Catalog,
    today: date,
) -> list[AnswerProblem]:
    if number is None:
        return []
    if isinstance(number, bool) or not isinstance(number, float) or not math.isfinite(number):
        return [AnswerProblem(question.id, "number_invalid", f"{number!r} is not a number")]
    return [
        AnswerProblem(question.id, "number_rule", violation.message, (("rule", violation.field),))
        for violation in check_number(question, number, year=year, catalog=catalog, today=today)
    ]


def _choice_problems(
    question: SingleChoiceQuestion | MultipleChoiceQuestion, choices: tuple[str, ...] | None
) -> list[AnswerProblem]:
    if choices is None:
        return []
    qid = question.id
    known = [category.id for category in question.categories]
    problems = [
        AnswerProblem(qid, "choice_unknown", f"{choice!r} is not one of {', '.join(known)}", (("choice", str(choice)),))
        for choice in choices
        if choice not in known
    ]
    if len(set(choices)) != len(choices):
        problems.append(AnswerProblem(qid, "choice_repeated", "a category is chosen twice"))
    if isinstance(question, SingleChoiceQuestion) and len(choices) > 1:
        problems.append(AnswerProblem(qid, "choice_single", f"choose one category, not {len(choices)}"))
    limit = question.max_choices if isinstance(question, MultipleChoiceQuestion) else None
    if limit is not None and len(choices) > limit:
        problems.append(
            AnswerProblem(
                qid, "choice_too_many", f"at most {limit} categories, not {len(choices)}", (("max", str(limit)),)
            )
        )
    return problems


def _scale_problems(question: ScaleQuestion, scale: int | None) -> list[AnswerProblem]:
    if scale is None:
        return []
    if isinstance(scale, bool) or not isinstance(scale, int) or not question.min <= scale <= question.max:
        return [
            AnswerProblem(
                question.id,
                "scale_outside",
                f"{scale!r} is not a step of the scale {question.min}–{question.max}",
                (("min", str(question.min)), ("max", str(question.max))),
            )
        ]
    return []


__all__ = ["MAX_COMMENT_LENGTH", "MAX_TEXT_LENGTH", "answer_problems", "checked_answers", "cleaned", "missing_required"]
