"""An analyst's override of a goal-attainment colour: the evaluation chose its colours by judgement ("Fargene er
skjønnsmessig valgt", seed report, avsnitt 5.3), so an analyst may set another colour — but only with a reason,
and the result always shows that it was overridden and keeps the rule's colour and reason beside it.

Storing overrides is the reporting store's; here are the record and the function that applies them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal, get_args

from boligmonitor.analysis.goals import Colour
from boligmonitor.analysis.reasons import Reason
from boligmonitor.analysis.reporting.attainment import AttainmentKey, AttainmentResult
from boligmonitor.core.errors import InputError, InputProblem

OVERRIDE_INPUT: Final = "<goal attainment override>"
COLOURS: Final = frozenset(get_args(Colour))


@dataclass(frozen=True, slots=True)
class AttainmentOverride:
    """An analyst's colour for one assessment. ``reason`` is required: an override without one is refused."""

    key: AttainmentKey
    colour: Colour
    reason: str
    analyst: str
    decided_on: date

    def __post_init__(self) -> None:
        problems: list[InputProblem] = []
        if self.colour not in COLOURS:
            message = f"unknown colour {self.colour!r}: use one of {', '.join(sorted(COLOURS))}"
            problems.append(InputProblem(OVERRIDE_INPUT, message, field="colour"))
        if not self.reason.strip():
            problems.append(InputProblem(OVERRIDE_INPUT, "an override must give its reason", field="reason"))
        if not self.analyst.strip():
            problems.append(InputProblem(OVERRIDE_INPUT, "name the analyst who decided", field="analyst"))
        if problems:
            raise InputError(problems)


@dataclass(frozen=True, slots=True)
class AssessedAttainment:
    """An assessment as shown: the analyst's colour and reason when overridden, else the rule's.

    ``result`` keeps the rule's colour and reason either way.
    """

    result: AttainmentResult
    override: AttainmentOverride | None = None

    @property
    def overridden(self) -> bool:
        return self.override is not None

    @property
    def decided_by(self) -> Literal["rule", "analyst"]:
        return "rule" if self.override is None else "analyst"

    @property
    def colour(self) -> Colour:
        return self.result.status.colour if self.override is None else self.override.colour

    @property
    def reason(self) -> str:
        return self.result.status.reason if self.override is None else self.override.reason

    @property
    def why(self) -> Reason | None:
        """The rule's reason as a key with parameters; None when the analyst's own words (``reason``) are shown."""
        return self.result.status.why if self.override is None else None


@dataclass(frozen=True, slots=True)
class AppliedOverrides:
    """Every result with its override, if any, and the overrides that match no result (e.g. of another year)."""

    assessed: tuple[AssessedAttainment, ...]
    unmatched: tuple[AttainmentOverride, ...]


def apply_overrides(results: Iterable[AttainmentResult], overrides: Iterable[AttainmentOverride]) -> AppliedOverrides:
    """Pair each result with the override of its key. Raises :class:`InputError` when two overrides share a key:
    which one holds is for whoever stores them to say (the latest decision), not to be guessed here."""
    by_key: dict[AttainmentKey, AttainmentOverride] = {}
    problems: list[InputProblem] = []
    for override in overrides:
        if override.key in by_key:
            message = f"two overrides of the same assessment: {override.key}"
            problems.append(InputProblem(OVERRIDE_INPUT, message, field="key"))
        by_key[override.key] = override
    if problems:
        raise InputError(problems)
    assessed = tuple(AssessedAttainment(result, by_key.pop(result.key, None)) for result in results)
    return AppliedOverrides(assessed, tuple(by_key.values()))


__all__ = ["COLOURS", "AppliedOverrides", "AssessedAttainment", "AttainmentOverride", "apply_overrides"]
