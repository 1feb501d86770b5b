"""Checks that need more than one document: a programme against the catalogue, a form against its programme and
the catalogue, an own goal against its programme and the catalogue.

Each returns ``(path, message)`` problems with paths from the checked document's root, so that the loader can
name the file, line and field of each (:mod:`boligmonitor.catalog.reporting.loader`).
"""

from __future__ import annotations

from boligmonitor.catalog.models import UNIT_RULES, AmbitionKind, Catalog, FieldPath, Indicator, Problem
from boligmonitor.catalog.reporting.base import did_you_mean, number_text
from boligmonitor.catalog.reporting.forms import (
    Form,
    OwnNumberQuestion,
    PrefilledStatisticQuestion,
    Question,
    ScaleQuestion,
)
from boligmonitor.catalog.reporting.own_goals import OwnGoal, OwnTarget
from boligmonitor.catalog.reporting.programme import Programme
from boligmonitor.catalog.validation import value_rules


def programme_problems(programme: Programme, catalog: Catalog) -> list[Problem]:
    """Every catalogue goal a programme links to exists and belongs to the programme's catalogue programme."""
    problems: list[Problem] = []
    for m, main_goal in enumerate(programme.main_goals):
        if main_goal.catalogue_goal is not None:
            where: FieldPath = ("main_goals", m, "catalogue_goal")
            problems.extend(_catalogue_goal_problems(main_goal.catalogue_goal, programme, catalog, where))
    for g, goal in enumerate(programme.goals):
        for k, goal_id in enumerate(goal.catalogue_goals):
            problems.extend(_catalogue_goal_problems(goal_id, programme, catalog, ("goals", g, "catalogue_goals", k)))
    return problems


def form_problems(form: Form, programme: Programme, catalog: Catalog) -> list[Problem]:
    """The form belongs to the programme and a year of it, reports on its goals, and every indicator it names is
    in the catalogue and fits the question (unit, municipality level, possible values)."""
    problems: list[Problem] = []
    if form.programme != programme.id:
        problems.append((("programme",), f"the form is for programme {form.programme!r}, not {programme.id!r}"))
    if not programme.period.contains(form.year):
        end = programme.period.end if programme.period.end is not None else "…"
        problems.append((("year",), f"{form.year} is outside the programme's period {programme.period.start}–{end}"))
    goal_ids = [goal.id for goal in programme.goals]
    for s, section in enumerate(form.sections):
        for g, goal_id in enumerate(section.goals):
            if goal_id not in goal_ids:
                message = f"programme {programme.id!r} has no goal {goal_id!r}{did_you_mean(goal_id, goal_ids)}"
                problems.append((("sections", s, "goals", g), message))
        for q, question in enumerate(section.questions):
            where: FieldPath = ("sections", s, "questions", q)
            problems.extend((where + path, message) for path, message in _question_problems(question, form, catalog))
    return problems


def own_goal_problems(goal: OwnGoal, programme: Programme, catalog: Catalog) -> list[Problem]:
    """An own goal is in the programme, under one of its goals (if it names one), and each target is measured by
    a catalogue indicator or a catalogue unit and lies among its possible values."""
    problems: list[Problem] = []
    if goal.programme != programme.id:
        problems.append((("programme",), f"the goal is for programme {goal.programme!r}, not {programme.id!r}"))
    goal_ids = [programme_goal.id for programme_goal in programme.goals]
    if goal.programme_goal is not None and goal.programme_goal not in goal_ids:
        near = did_you_mean(goal.programme_goal, goal_ids)
        message = f"programme {programme.id!r} has no goal {goal.programme_goal!r}{near}"
        problems.append((("programme_goal",), message))
    for t, target in enumerate(goal.targets):
        problems.extend((("targets", t, *path), message) for path, message in _target_problems(target, catalog))
    return problems


def _catalogue_goal_problems(goal_id: str, programme: Programme, catalog: Catalog, where: FieldPath) -> list[Problem]:
    known = [goal.id for goal in catalog.goals]
    if goal_id not in known:
        return [(where, f"the catalogue has no goal {goal_id!r}{did_you_mean(goal_id, known)}")]
    goal = catalog.goal(goal_id)
    # Without a catalogue programme the programme's own check asks for one; every link need not say so again.
    if programme.catalogue_programme is not None and goal.programme != programme.catalogue_programme:
        return [(where, f"catalogue goal {goal_id!r} belongs to programme {goal.programme!r}")]
    return []


def _question_problems(question: Question, form: Form, catalog: Catalog) -> list[Problem]:
    """Paths relative to the question."""
    problems: list[Problem] = []
    if isinstance(question, PrefilledStatisticQuestion) and question.year is not None and question.year > form.year:
        message = f"the statistic's year {question.year} is after the year reported on ({form.year})"
        problems.append((("year",), message))
    if question.indicator is None:
        return problems + (_unit_bound_problems(question) if isinstance(question, OwnNumberQuestion) else [])
    indicator = _known_indicator(question.indicator, catalog)
    if indicator is None:
        near = did_you_mean(question.indicator, [item.id for item in catalog.indicators])
        if isinstance(question, PrefilledStatisticQuestion):
            message = f"a prefilled statistic shows a catalogue indicator: {question.indicator!r} is not one{near}"
        else:
            message = f"unknown indicator {question.indicator!r}{near}"
        return [*problems, (("indicator",), message)]
    if isinstance(question, PrefilledStatisticQuestion) and "municipality" not in indicator.geo_levels:
        problems.append((("indicator",), f"{indicator.id} has no figures for municipalities to prefill"))
    if isinstance(question, OwnNumberQuestion):
        if question.unit != indicator.unit:
            message = f"{indicator.id} is in {indicator.unit!r}, so the answer is too, not {question.unit!r}"
            problems.append((("unit",), message))
        else:
            problems.extend(_bound_problems(question.min, question.max, indicator))
    if isinstance(question, ScaleQuestion):
        problems.extend(_bound_problems(question.min, question.max, indicator))
    return problems


def _known_indicator(indicator_id: str, catalog: Catalog) -> Indicator | None:
    try:
        return catalog.indicator(indicator_id)
    except KeyError:
        return None


def _bound_problems(low: float | None, high: float | None, indicator: Indicator) -> list[Problem]:
    """A question's min and max must be possible values of the indicator (its domain rules)."""
    rules = value_rules(indicator)
    return _outside_problems(low, high, rules.lowest, rules.highest, indicator.id)


def _unit_bound_problems(question: OwnNumberQuestion) -> list[Problem]:
    """Without an indicator, the unit's rule bounds the answer; a unit that sets no upper bound needs ``max``."""
    rule = UNIT_RULES[question.unit]
    problems: list[Problem] = []
    if question.max is None and rule.highest is None:
        problems.append((("max",), f"unit {question.unit!r} ({rule.about}) sets no upper bound: give max"))
    what = f"unit {question.unit!r}"
    problems.extend(_outside_problems(question.min, question.max, rule.lowest, rule.highest, what))
    return problems


def _outside_problems(
    low: float | None, high: float | None, lowest: float | None, highest: float | None, what: str
) -> list[Problem]:
    """``min`` and ``max`` (``low``, ``high``) that lie outside the possible values of ``what``."""
    problems: list[Problem] = []
    for name, bound in (("min", low), ("max", high)):
        if bound is None:
            continue
        if lowest is not None and bound < lowest:
            message = f"{number_text(bound)} is below {number_text(lowest)}, the lowest possible value of {what}"
            problems.append(((name,), message))
        if highest is not None and bound > highest:
            message = f"{number_text(bound)} is above {number_text(highest)}, the highest possible value of {what}"
            problems.append(((name,), message))
    return problems


def _target_problems(target: OwnTarget, catalog: Catalog) -> list[Problem]:
    """Paths relative to the target."""
    if target.indicator is not None:
        indicator = _known_indicator(target.indicator, catalog)
        if indicator is None:
            near = did_you_mean(target.indicator, [item.id for item in catalog.indicators])
            return [(("indicator",), f"unknown indicator {target.indicator!r}{near}")]
        if target.kind in (AmbitionKind.AT_LEAST, AmbitionKind.AT_MOST):
            return [(("target",), message) for _, message in _bound_problems(target.target, None, indicator)]
        return []
    if target.unit is None or target.kind not in (AmbitionKind.AT_LEAST, AmbitionKind.AT_MOST):
        return []
    rule = UNIT_RULES[target.unit]
    outside = _outside_problems(target.target, None, rule.lowest, rule.highest, f"unit {target.unit!r}")
    return [(("target",), message) for _, message in outside]
