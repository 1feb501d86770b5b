"""What the reporting store hands out and takes in: rounds, reports, answers, kept versions, comments, own goals
and notifications, as frozen dataclasses (never raw rows)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from boligmonitor.catalog.reporting import FigureOrigin, OwnGoal


class RoundState(StrEnum):
    """``open``: reports may be edited and submitted from ``opens_at`` (drafts until ``closes_at``; a returned
    report also after it); ``closed``: nothing is changed any more."""

    OPEN = "open"
    CLOSED = "closed"


class ReportState(StrEnum):
    DRAFT = "draft"  # being filled in
    SUBMITTED = "submitted"  # sent to Husbanken; not editable until returned
    RETURNED = "returned"  # sent back by the adviser with a comment; editable, to be submitted again


EDITABLE_STATES = frozenset({ReportState.DRAFT, ReportState.RETURNED})


class FigureState(StrEnum):
    """What the monitor's store held for a prefilled statistic when the draft was opened."""

    PUBLISHED = "published"  # a value (status '' or an SSB symbol that carries a value: '-', '*')
    NOT_PUBLISHED = "not_published"  # a row without a value: its SSB symbol says why (':' confidential, '..' …)
    NOT_LOADED = "not_loaded"  # no row for the municipality and year: the statistic is not in the store


class NotificationKind(StrEnum):
    INVITATION = "invitation"  # a round is open for the municipality
    REMINDER = "reminder"  # the deadline is near and the report is not submitted
    RETURNED = "returned"  # the adviser returned the report
    COMMENT = "comment"  # a new comment in the report's thread


@dataclass(frozen=True, slots=True)
class ReportingRound:
    id: int
    programme_id: str
    year: int
    form_version: str
    opens_at: datetime
    closes_at: datetime
    state: RoundState
    created_at: datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class OfficialFigure:
    """The official figure of a prefilled statistic as the monitor's store held it when the draft was opened."""

    indicator: str
    year: int
    state: FigureState
    value: float | None  # None unless PUBLISHED
    status: str | None  # the SSB symbol of the stored row; None when NOT_LOADED
    unit: str | None
    dataset: str | None
    data_version: int | None  # the data version that wrote the row; None when NOT_LOADED


@dataclass(frozen=True, slots=True)
class AnswerInput:
    """A municipality's answer to one question as given (a form field, an autosave, a script).

    Give the field of the question's type: ``number`` (own number; a correction beside a prefilled statistic's
    official figure, or the municipality's own figure where none is published), ``text`` (open text), ``choices``
    (category ids: one for a single choice), ``yes_no`` or ``scale``; ``comment`` on a prefilled statistic. An
    input with nothing in it clears the answer (a prefilled statistic keeps its official figure).
    """

    number: float | None = None
    text: str | None = None
    choices: tuple[str, ...] | None = None
    yes_no: bool | None = None
    scale: int | None = None
    comment: str | None = None

    def is_empty(self) -> bool:
        return (
            self.number is None
            and not self.text
            and not self.choices
            and self.yes_no is None
            and self.scale is None
            and not self.comment
        )


@dataclass(frozen=True, slots=True)
class Answer:
    """A stored answer. ``origin`` (prefilled statistics only) says what the figure to use is: the official one,
    the municipality's correction beside it (``number``), or its own figure where none was published."""

    question_id: str
    number: float | None
    text: str | None
    choices: tuple[str, ...] | None
    yes_no: bool | None
    scale: int | None
    comment: str | None
    origin: FigureOrigin | None
    official: OfficialFigure | None
    updated_at: datetime
    updated_by: str

    def has_answer(self) -> bool:
        """Whether the question is answered: by anything the municipality gave, or (a prefilled statistic) by
        the published official figure."""
        given = AnswerInput(self.number, self.text, self.choices, self.yes_no, self.scale, self.comment)
        return not given.is_empty() or self.origin is FigureOrigin.OFFICIAL

    def as_json(self) -> dict[str, Any]:
        """The answer as kept in a version's snapshot (and in a back-up)."""
        official = self.official
        return {
            "number": self.number,
            "text": self.text,
            "choices": list(self.choices) if self.choices is not None else None,
            "yes_no": self.yes_no,
            "scale": self.scale,
            "comment": self.comment,
            "origin": self.origin.value if self.origin is not None else None,
            "official": None
            if official is None
            else {
                "indicator": official.indicator,
                "year": official.year,
                "state": official.state.value,
                "value": official.value,
                "status": official.status,
                "unit": official.unit,
                "dataset": official.dataset,
                "data_version": official.data_version,
            },
            "updated_at": self.updated_at.isoformat(),
            "updated_by": self.updated_by,
        }


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """A report without its answers, for lists."""

    id: int
    round_id: int
    programme_id: str
    year: int
    form_version: str
    municipality_code: str
    state: ReportState
    version: int
    data_version: int | None
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    submitted_at: datetime | None
    submitted_by: str | None
    returned_at: datetime | None
    returned_by: str | None
    return_comment: str | None


@dataclass(frozen=True, slots=True)
class Report:
    """A report with its current answers by question id."""

    summary: ReportSummary
    answers: Mapping[str, Answer] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.summary.id

    @property
    def version(self) -> int:
        return self.summary.version

    @property
    def state(self) -> ReportState:
        return self.summary.state


@dataclass(frozen=True, slots=True)
class ReportVersion:
    """A submitted or returned state of a report, kept whole. ``answers`` holds :meth:`Answer.as_json` documents
    by question id."""

    id: int
    report_id: int
    version: int
    state: ReportState
    form_version: str
    recorded_at: datetime
    actor: str
    comment: str | None
    answers: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class ReportComment:
    id: int
    report_id: int
    goal_id: str | None
    author: str
    author_account_id: int | None
    written_at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class StoredOwnGoal:
    """An own goal as stored: the catalogue's model, with the row's id and version (for optimistic locking)."""

    id: int
    version: int
    goal: OwnGoal
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True, slots=True)
class Notification:
    """A message to one account: what happened (``kind``) and a link; never an answer or a comment's text."""

    id: int
    recipient_account_id: int
    kind: NotificationKind
    link: str
    round_id: int | None
    municipality_code: str | None
    created_at: datetime
    sent_at: datetime | None
    read_at: datetime | None


__all__ = [
    "EDITABLE_STATES",
    "Answer",
    "AnswerInput",
    "FigureState",
    "Notification",
    "NotificationKind",
    "OfficialFigure",
    "Report",
    "ReportComment",
    "ReportState",
    "ReportSummary",
    "ReportVersion",
    "ReportingRound",
    "RoundState",
    "StoredOwnGoal",
]
