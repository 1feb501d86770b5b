"""The catalogue's domain rules (:mod:`boligmonitor.catalog.validation`) for the numbers a form asks for.

A figure a municipality gives for a prefilled statistic (a correction, or its own figure where none is loaded)
must be a value the statistic's indicator can take. An own number must be a value of its indicator, if it
names one, or of its unit (docs/catalog.md, "Domain rules"), within the question's own ``min`` and ``max``,
and written with no more decimals than the question allows. The same rules check the form's limits when it
is loaded (:mod:`boligmonitor.catalog.reporting.cross_checks`), so a form cannot ask for an impossible value.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from boligmonitor.catalog.models import UNIT_MULTIPLIER, UNIT_RULES, Catalog
from boligmonitor.catalog.reporting.forms import OwnNumberQuestion, PrefilledStatisticQuestion
from boligmonitor.catalog.validation import ValueRules, Violation, decimals_written, value_rules

NumberQuestion = OwnNumberQuestion | PrefilledStatisticQuestion


def number_rules(question: NumberQuestion, catalog: Catalog, *, today: date | None = None) -> ValueRules:
    """The possible values of an answer to ``question``: its indicator's rules (:func:`value_rules`) or, for an
    own number without an indicator, its unit's; narrowed by an own number's ``min`` and ``max``.

    KeyError for an indicator the catalogue does not have, ValueError for an own number whose unit sets no
    upper bound and that gives no ``max``: a loaded form has neither (the loader refuses them).
    """
    if question.indicator is not None:
        rules = value_rules(catalog.indicator(question.indicator), today=today)
    else:
        assert isinstance(question, OwnNumberQuestion)  # a prefilled statistic always names its indicator
        rules = _unit_rules(question, today)
    if isinstance(question, OwnNumberQuestion) and (question.min is not None or question.max is not None):
        lowest = rules.lowest
        if question.min is not None:
            lowest = question.min if lowest is None else max(lowest, question.min)
        highest = rules.highest if question.max is None else min(rules.highest, question.max)
        rules = dataclasses.replace(
            rules, lowest=lowest, highest=highest, bound_reason=f"question {question.id} sets its own limits"
        )
    return rules


def check_number(
    question: NumberQuestion, value: float, *, year: int, catalog: Catalog, today: date | None = None
) -> list[Violation]:
    """Every rule ``value`` (an answer for ``year``) breaks; empty when it is a possible answer."""
    found = number_rules(question, catalog, today=today).check(
        year=year, value=value, numerator=None, denominator=None, as_read=True
    )
    if isinstance(question, OwnNumberQuestion) and not found and decimals_written(value) > question.decimals:
        allowed = "no decimals" if question.decimals == 0 else f"at most {question.decimals} decimals"
        found.append(Violation("value", f"value {value!r} has more decimals than the question allows ({allowed})"))
    return found


def _unit_rules(question: OwnNumberQuestion, today: date | None) -> ValueRules:
    rule = UNIT_RULES[question.unit]
    highest = question.max if question.max is not None else rule.highest
    if highest is None:
        raise ValueError(f"question {question.id}: unit {question.unit!r} ({rule.about}) sets no upper bound: give max")
    return ValueRules(
        indicator_id=f"question {question.id}",
        unit=question.unit,
        multiplier=UNIT_MULTIPLIER[question.unit],
        lowest=rule.lowest,
        highest=highest,
        whole=rule.whole,
        counts=question.unit == "count",
        whole_counts=True,
        part_of_whole=False,
        last_year=(today or date.today()).year + 1,
        bound_reason=rule.about,
    )
