"""Goal attainment of a programme, per goal and indicator, for the programme as a whole and for each member, by the
written rules of :func:`boligmonitor.analysis.goals.attainment` (green / yellow / red / grey with a reason).

A programme goal links catalogue goals (docs/reporting-forms.md), which hold the ambition level (kind, target,
baseline year) and the indicators that measure it. The catalogue's kinds become
:class:`~boligmonitor.analysis.goals.Ambition`:

* ``at_least`` / ``at_most``: the same, with polarity higher / lower is better;
* ``relative_change``: per cent change from the baseline year, the direction given by the sign of the target (by
  the indicator's polarity for a target of 0). A goal without a baseline year is measured from the programme's
  first year for the programme, and from the year a member joined for that member;
* ``reach_share`` (a share of the members answering yes) needs the reported answers: grey here, with the reason;
* no kind (a qualitative goal, or a level the source does not fix): grey, with the reason.

The programme's series is the members' pooled rate Σx / Σn · m, or their summed count, in each year in which
**every** member has a value: a total over fewer members is not the programme's total (missing is never 0).
Goals that are a target for the programme as a whole (``applies_to: programme_aggregate``) are assessed for the
programme only; the others also for each member, on the member's own series.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from boligmonitor.analysis.goals import Ambition, GoalStatus, Polarity, attainment
from boligmonitor.analysis.reading import ObservationSource
from boligmonitor.analysis.reasons import Reason, reason, untranslated
from boligmonitor.analysis.reporting.common import (
    Aggregation,
    aggregation_of,
    by_region_and_year,
    data_version_of,
    pair_of,
)
from boligmonitor.analysis.reporting.membership import Membership
from boligmonitor.analysis.trends import TrendPoint, points_from_observations
from boligmonitor.catalog.models import AmbitionKind, Catalog, Goal, Indicator
from boligmonitor.catalog.models import Polarity as IndicatorPolarity
from boligmonitor.catalog.reporting import Programme
from boligmonitor.core.flags import Flag
from boligmonitor.core.observation import Observation

PROGRAMME_SCOPE: Final = "programme"
"""The scope of a result for the programme as a whole; a member's results have its municipality code."""

AppliesTo = Literal["municipality", "programme_aggregate"]


@dataclass(frozen=True, slots=True)
class AttainmentKey:
    """What one assessment is of: a programme goal, through one catalogue goal and indicator, for a scope and year.

    ``catalogue_goal_id`` and ``indicator_id`` are None for a goal that has none to measure it.
    """

    goal_id: str
    catalogue_goal_id: str | None
    indicator_id: str | None
    scope: str
    year: int


@dataclass(frozen=True, slots=True)
class AttainmentResult:
    """The rule's colour and reason for one :class:`AttainmentKey`, with what it rests on.

    ``n_municipalities`` is how many municipalities the scope covers (the members, or 1) and ``n_with_value`` how
    many of them have a value in the year; ``note`` says where the baseline or a missing programme value comes from
    (in English; ``notes`` are its sentences as :class:`~boligmonitor.analysis.reasons.Reason`, for a page to write
    in its language).
    """

    key: AttainmentKey
    status: GoalStatus
    ambition: Ambition | None
    applies_to: AppliesTo
    n_municipalities: int
    n_with_value: int
    note: str | None
    data_version: int | None
    notes: tuple[Reason, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class ProgrammeAttainment:
    programme_id: str
    membership: Membership
    year: int
    results: tuple[AttainmentResult, ...]
    data_version: int | None

    def result(self, key: AttainmentKey) -> AttainmentResult:
        for found in self.results:
            if found.key == key:
                return found
        raise KeyError(f"no assessment of {key}")


_BASELINE_SOURCES: Final[Mapping[str, str]] = {
    "the programme's first year": "ambition.relative.programme_start",
    "the year the member joined": "ambition.relative.member_joined",
    "the default given": "ambition.relative.default_given",
}


def ambition_for(
    goal: Goal,
    indicator: Indicator,
    default_baseline_year: int | None,
    default_baseline_source: str = "the default given",
) -> tuple[Ambition | None, str]:
    """The catalogue goal's ambition for ``indicator`` and a sentence on how it was read (or why there is none).

    ``default_baseline_year`` is the baseline of a relative goal without one (None leaves it unset: grey), and
    ``default_baseline_source`` says where it comes from ("the programme's first year")."""
    ambition, how = ambition_reason_for(goal, indicator, default_baseline_year, default_baseline_source)
    return ambition, how.text


def ambition_reason_for(
    goal: Goal,
    indicator: Indicator,
    default_baseline_year: int | None,
    default_baseline_source: str = "the default given",
) -> tuple[Ambition | None, Reason]:
    """:func:`ambition_for` with the sentence as a :class:`~boligmonitor.analysis.reasons.Reason`."""
    target = goal.target
    if goal.kind is None or target is None:
        return None, reason("ambition.none")
    name = goal.name.nb
    if goal.kind is AmbitionKind.REACH_SHARE:
        return None, reason("ambition.reach_share")
    if goal.kind is AmbitionKind.AT_LEAST:
        ambition = Ambition("at_least", target, None, goal.target_year, "higher_is_better", name, goal.id)
        return ambition, reason("ambition.at_least", target=target, unit=indicator.unit)
    if goal.kind is AmbitionKind.AT_MOST:
        ambition = Ambition("at_most", target, None, goal.target_year, "lower_is_better", name, goal.id)
        return ambition, reason("ambition.at_most", target=target, unit=indicator.unit)
    polarity: Polarity
    if target > 0:
        polarity = "higher_is_better"
    elif target < 0:
        polarity = "lower_is_better"
    elif indicator.polarity is IndicatorPolarity.HIGHER_IS_BETTER:
        polarity = "higher_is_better"
    elif indicator.polarity is IndicatorPolarity.LOWER_IS_BETTER:
        polarity = "lower_is_better"
    else:
        return None, reason("ambition.neutral_zero")
    baseline_year = goal.baseline_year if goal.baseline_year is not None else default_baseline_year
    ambition = Ambition("relative_change", target, baseline_year, goal.target_year, polarity, name, goal.id)
    if baseline_year is None:
        return ambition, reason("ambition.relative.no_baseline", target=target)
    if goal.baseline_year is not None:
        return ambition, reason("ambition.relative", target=target, baseline_year=baseline_year)
    key = _BASELINE_SOURCES.get(default_baseline_source)
    if key is None:  # a caller's own words for the default: known in English only
        change = reason("ambition.relative", target=target, baseline_year=baseline_year).text
        return ambition, untranslated(f"{change} (the goal gives no baseline year: {default_baseline_source})")
    return ambition, reason(key, target=target, baseline_year=baseline_year)


def goal_attainment(
    source: ObservationSource, catalog: Catalog, programme: Programme, membership: Membership, year: int
) -> ProgrammeAttainment:
    """Every goal's attainment in ``year`` for the programme and each member (rules in the module docstring)."""
    if membership.programme_id != programme.id:
        raise ValueError(f"the membership is of {membership.programme_id!r}, not of {programme.id!r}")
    version = data_version_of(source)
    members = sorted(membership.members)
    results: list[AttainmentResult] = []

    def unmeasured(goal_id: str, catalogue_goal: Goal | None, why: Reason) -> None:
        key = AttainmentKey(goal_id, None if catalogue_goal is None else catalogue_goal.id, None, PROGRAMME_SCOPE, year)
        applies_to: AppliesTo = "municipality" if catalogue_goal is None else catalogue_goal.applies_to
        results.append(AttainmentResult(key, _grey(why, year), None, applies_to, len(members), 0, None, version))

    for goal in programme.goals:
        if not goal.catalogue_goals:
            unmeasured(goal.id, None, reason("attainment.no_catalogue_goal"))
        for catalogue_goal_id in goal.catalogue_goals:
            catalogue_goal = catalog.goal(catalogue_goal_id)
            if not catalogue_goal.indicator_ids:
                unmeasured(goal.id, catalogue_goal, reason("attainment.no_indicator"))
            for indicator_id in catalogue_goal.indicator_ids:
                indicator = catalog.indicator(indicator_id)
                observations = by_region_and_year(source.indicator_observations(indicator_id, region_codes=members))
                results.append(
                    _programme_result(
                        goal.id, catalogue_goal, indicator, programme, members, observations, year, version
                    )
                )
                if catalogue_goal.applies_to == "municipality":
                    results.extend(
                        _member_result(
                            goal.id, catalogue_goal, indicator, code, membership, observations, year, version
                        )
                        for code in members
                    )
    return ProgrammeAttainment(programme.id, membership, year, tuple(results), version)


def _programme_result(
    goal_id: str,
    goal: Goal,
    indicator: Indicator,
    programme: Programme,
    members: Sequence[str],
    observations: Mapping[tuple[str, int], Observation],
    year: int,
    version: int | None,
) -> AttainmentResult:
    key = AttainmentKey(goal_id, goal.id, indicator.id, PROGRAMME_SCOPE, year)
    aggregation = aggregation_of(indicator)
    with_value = sum(1 for code in members if _pair(observations, code, year, aggregation) is not None)

    def result(status: GoalStatus, ambition: Ambition | None, notes: Sequence[Reason] = ()) -> AttainmentResult:
        note = "; ".join(part.text for part in notes) or None
        return AttainmentResult(
            key, status, ambition, goal.applies_to, len(members), with_value, note, version, tuple(notes)
        )

    if not members:
        return result(_grey(reason("attainment.no_members"), year), None)
    if aggregation is None:
        why = reason("attainment.not_additive", kind=indicator.kind.value, unit=indicator.unit)
        return result(_grey(why, year), None)
    ambition, how = ambition_reason_for(goal, indicator, programme.period.start, "the programme's first year")
    series = _programme_series(members, observations, aggregation, indicator.multiplier)
    notes = [how] if ambition else []
    if with_value < len(members):
        notes.append(reason("attainment.coverage", with_value=with_value, n=len(members), year=year))
    if ambition is None:
        value = next((p.value for p in series if p.year == year), None)
        return result(GoalStatus("grey", how.text, year, value, None, None, None, None, None, how), None, notes)
    return result(attainment(ambition, series, year), ambition, notes)


def _member_result(
    goal_id: str,
    goal: Goal,
    indicator: Indicator,
    code: str,
    membership: Membership,
    observations: Mapping[tuple[str, int], Observation],
    year: int,
    version: int | None,
) -> AttainmentResult:
    key = AttainmentKey(goal_id, goal.id, indicator.id, code, year)
    points = points_from_observations(o for (region, _), o in sorted(observations.items()) if region == code)
    value = next((p.value for p in points if p.year == year), None)
    joined = membership.joined.get(code)
    baseline_year = None if joined is None else joined.year
    ambition, how = ambition_reason_for(goal, indicator, baseline_year, "the year the member joined")
    n_with_value = 0 if value is None else 1
    if ambition is None:
        status = GoalStatus("grey", how.text, year, value, None, None, None, None, None, how)
        return AttainmentResult(key, status, None, goal.applies_to, 1, n_with_value, None, version)
    status = attainment(ambition, points, year)
    return AttainmentResult(key, status, ambition, goal.applies_to, 1, n_with_value, how.text, version, (how,))


def _pair(
    observations: Mapping[tuple[str, int], Observation], code: str, year: int, aggregation: Aggregation | None
) -> tuple[float, float] | None:
    return None if aggregation is None else pair_of(observations.get((code, year)), aggregation)


def _programme_series(
    members: Sequence[str],
    observations: Mapping[tuple[str, int], Observation],
    aggregation: Aggregation,
    multiplier: int | None,
) -> list[TrendPoint]:
    """The members' pooled value in each year, missing (None) in a year in which some member has none."""
    points: list[TrendPoint] = []
    for year in sorted({y for (_, y) in observations}):
        pairs = [pair_of(observations.get((code, year)), aggregation) for code in members]
        broken = any(Flag.SERIES_BREAK in o.flags for c in members if (o := observations.get((c, year))) is not None)
        complete = [pair for pair in pairs if pair is not None]
        if len(complete) < len(members):
            points.append(TrendPoint(year, None, None, None, broken))
            continue
        x = math.fsum(pair[0] for pair in complete)
        n = math.fsum(pair[1] for pair in complete)
        if aggregation == "summed_count":
            points.append(TrendPoint(year, None, None, x, broken))
        else:
            value = x / n * (multiplier or 1) if n else None
            points.append(TrendPoint(year, x, n, value, broken))
    return points


def _grey(why: Reason, year: int) -> GoalStatus:
    return GoalStatus("grey", why.text, year, None, None, None, None, None, None, why)


__all__ = [
    "PROGRAMME_SCOPE",
    "AppliesTo",
    "AttainmentKey",
    "AttainmentResult",
    "ProgrammeAttainment",
    "ambition_for",
    "ambition_reason_for",
    "goal_attainment",
]
