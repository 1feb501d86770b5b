"""What is wrong with a reporting change: refused answers (named by question id), a refused state change, and a
conflict with someone who saved in between. In every case nothing was written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from boligmonitor.core.errors import InputError, InputProblem


class ReportingError(ValueError):
    """A refused change: ``field`` names what it is about (``report``, ``round``, ``comment``, a goal's field …),
    ``code`` the problem (the web shows the text ``reporting.problem.<code>`` in the page's language, with
    ``values`` filled in), and the message says the same in English. Nothing was written."""

    def __init__(self, field: str, code: str, message: str, **values: str | int) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.code = code
        self.message = message
        self.values = values


class ConflictError(ReportingError):
    """Someone else changed the report (or own goal) after the version the writer started from: nothing was
    saved. Names who saved in between and when, so the page can say so; the writer reloads and applies her
    changes again. Never a silent overwrite."""

    def __init__(
        self,
        what: str,
        object_id: int,
        *,
        expected_version: int,
        current_version: int,
        saved_by: str,
        saved_at: datetime,
    ) -> None:
        when = saved_at.isoformat(sep=" ", timespec="seconds")
        super().__init__(
            what,
            "conflict",
            f"{what} {object_id} was saved by {saved_by} at {when} (now version {current_version}; you started from "
            f"version {expected_version}): nothing was saved. Reload it and make your changes again",
            saved_by=saved_by,
            saved_at=when,
            current_version=current_version,
            expected_version=expected_version,
        )
        self.object_id = object_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.saved_by = saved_by
        self.saved_at = saved_at


@dataclass(frozen=True, slots=True)
class AnswerProblem:
    """One refused answer: the question's id (the form field), a code the web translates (``values`` fill it
    in) and an English message."""

    question_id: str
    code: str
    message: str
    values: tuple[tuple[str, str], ...] = field(default=())


class AnswerError(InputError):
    """Answers refused by the form's question types and the catalogue's domain rules, every problem at once,
    each naming its question id (the ``field`` of its :class:`InputProblem`; ``file`` names the report and
    form). Nothing was saved."""

    def __init__(self, where: str, problems: Sequence[AnswerProblem]) -> None:
        self.answer_problems: tuple[AnswerProblem, ...] = tuple(problems)
        super().__init__([InputProblem(file=where, message=p.message, field=p.question_id) for p in problems])

    def by_question(self) -> dict[str, list[AnswerProblem]]:
        """The problems grouped by question id, for showing each next to its field."""
        grouped: dict[str, list[AnswerProblem]] = {}
        for problem in self.answer_problems:
            grouped.setdefault(problem.question_id, []).append(problem)
        return grouped


__all__ = ["AnswerError", "AnswerProblem", "ConflictError", "ReportingError"]
