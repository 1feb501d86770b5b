"""A reporting form as HTML fields and back: the names of each question's fields, the values a form shows
(stored answers, or what the user typed), and a posted form read into the store's :class:`AnswerInput` —
with Norwegian numbers ("12,5", "1 234") and every unreadable number named by its question.

Field names: the question id for its answer (one value, or several for a multiple choice), and
``<id>__kommentar`` for the comment beside a prefilled statistic. Yes/no answers are ``ja``/``nei``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from boligmonitor.catalog.reporting import (
    Form,
    MultipleChoiceQuestion,
    OpenTextQuestion,
    OwnNumberQuestion,
    PrefilledStatisticQuestion,
    ScaleQuestion,
    SingleChoiceQuestion,
    YesNoQuestion,
)
from boligmonitor.store.reporting import Answer, AnswerInput

COMMENT_SUFFIX: Final = "__kommentar"
YES: Final = "ja"
NO: Final = "nei"
# What a person may type in a number: digits, one decimal comma or point, spaces as thousands separators.
_NUMBER: Final = re.compile(r"^[+-]?[0-9]+(?:[.,][0-9]+)?$")
_WHOLE: Final = re.compile(r"^-?[0-9]{1,6}$")
_SPACES: Final = re.compile(r"[\s\u00a0\u202f]")

# The values a form shows, by field name: one text, or several (multiple choice).
FieldValues = dict[str, str | list[str]]


def comment_field(question_id: str) -> str:
    return question_id + COMMENT_SUFFIX


def parse_number(raw: str) -> float | None:
    """A number as a Norwegian writes it ("1 234,5"), or None when it is not one. Blank is handled by the
    caller."""
    text = _SPACES.sub("", raw)
    if not _NUMBER.match(text):
        return None
    return float(text.replace(",", "."))


def number_text(value: float | None) -> str:
    """A stored number as the form shows it for editing: "12", "12,5" (no thousands separators)."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.10g}".replace(".", ",")


def values_from_answers(form: Form, answers: Mapping[str, Answer]) -> FieldValues:
    """The form's fields filled with the stored answers."""
    values: FieldValues = {}
    for entry in form.entries():
        question = entry.question
        answer = answers.get(question.id)
        if answer is None:
            continue
        if isinstance(question, PrefilledStatisticQuestion):
            values[question.id] = number_text(answer.number)
            values[comment_field(question.id)] = answer.comment or ""
        elif isinstance(question, OwnNumberQuestion):
            values[question.id] = number_text(answer.number)
        elif isinstance(question, YesNoQuestion):
            values[question.id] = "" if answer.yes_no is None else (YES if answer.yes_no else NO)
        elif isinstance(question, SingleChoiceQuestion):
            values[question.id] = answer.choices[0] if answer.choices else ""
        elif isinstance(question, MultipleChoiceQuestion):
            values[question.id] = list(answer.choices or ())
        elif isinstance(question, ScaleQuestion):
            values[question.id] = "" if answer.scale is None else str(answer.scale)
        elif isinstance(question, OpenTextQuestion):
            values[question.id] = answer.text or ""
    return values


def values_from_post(form: Form, posted: Mapping[str, list[str]]) -> FieldValues:
    """The form's fields as the user sent them (kept when the page is shown again with errors)."""
    values: FieldValues = {}
    for entry in form.entries():
        question = entry.question
        given = posted.get(question.id, [])
        if isinstance(question, MultipleChoiceQuestion):
            values[question.id] = [choice for choice in given if choice]
        else:
            values[question.id] = given[0] if given else ""
        if isinstance(question, PrefilledStatisticQuestion):
            comment = posted.get(comment_field(question.id), [])
            values[comment_field(question.id)] = comment[0] if comment else ""
    return values


@dataclass(frozen=True, slots=True)
class ReadAnswers:
    """A posted form read: the answers by question id, and the questions whose input could not be read (not a
    number, not a step of the scale, not yes or no) with the problem's code."""

    answers: dict[str, AnswerInput]
    unreadable: dict[str, str]


def read_answers(form: Form, values: FieldValues) -> ReadAnswers:
    """Every question's answer from the posted values; an unreadable input is left out of ``answers`` and
    named in ``unreadable`` (the store checks everything else: domain rules, categories, lengths)."""
    answers: dict[str, AnswerInput] = {}
    unreadable: dict[str, str] = {}
    for entry in form.entries():
        question = entry.question
        raw = values.get(question.id, "")
        single = raw.strip() if isinstance(raw, str) else ""
        if isinstance(question, PrefilledStatisticQuestion | OwnNumberQuestion):
            number = parse_number(single) if single else None
            if single and number is None:
                unreadable[question.id] = "number_invalid"
                continue
            comment: str | None = None
            if isinstance(question, PrefilledStatisticQuestion):
                given_comment = values.get(comment_field(question.id), "")
                comment = given_comment.strip() if isinstance(given_comment, str) and given_comment.strip() else None
            answers[question.id] = AnswerInput(number=number, comment=comment)
        elif isinstance(question, YesNoQuestion):
            if single not in ("", YES, NO):
                unreadable[question.id] = "yes_no_invalid"
                continue
            answers[question.id] = AnswerInput(yes_no=None if not single else single == YES)
        elif isinstance(question, SingleChoiceQuestion):
            answers[question.id] = AnswerInput(choices=(single,) if single else None)
        elif isinstance(question, MultipleChoiceQuestion):
            chosen = tuple(raw) if isinstance(raw, list) else ((single,) if single else ())
            answers[question.id] = AnswerInput(choices=chosen or None)
        elif isinstance(question, ScaleQuestion):
            if single and not _WHOLE.match(single):
                unreadable[question.id] = "scale_outside"
                continue
            answers[question.id] = AnswerInput(scale=int(single) if single else None)
        elif isinstance(question, OpenTextQuestion):
            text = raw if isinstance(raw, str) else ""
            answers[question.id] = AnswerInput(text=text if text.strip() else None)
    return ReadAnswers(answers, unreadable)


__all__ = [
    "COMMENT_SUFFIX",
    "NO",
    "YES",
    "FieldValues",
    "ReadAnswers",
    "comment_field",
    "number_text",
    "parse_number",
    "read_answers",
    "values_from_answers",
    "values_from_post",
]
