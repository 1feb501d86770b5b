"""An analyst's override of a goal-attainment colour: a reason is required and the result shows the override beside
the rule's colour. The assessed results are SYNTHETIC."""

from __future__ import annotations

from datetime import date

import pytest

from boligmonitor.analysis.goals import Colour, GoalStatus
from boligmonitor.analysis.reporting import (
    PROGRAMME_SCOPE,
    AttainmentKey,
    AttainmentOverride,
    AttainmentResult,
    apply_overrides,
)
from boligmonitor.core.errors import InputError

KEY = AttainmentKey("mal_08_hjelp_til_kjop", "kp_startlan_barnefamilier", "BU08", PROGRAMME_SCOPE, 2019)
OTHER_KEY = AttainmentKey("mal_08_hjelp_til_kjop", "kp_startlan_barnefamilier", "BU08", "9101", 2019)
DAY = date(2026, 3, 2)


def assessed(key: AttainmentKey, colour: Colour) -> AttainmentResult:
    status = GoalStatus(colour, f"SYNTHETIC rule: {colour}", 2019, 46.7, 50.0, None, None, None, "towards")
    return AttainmentResult(key, status, None, "municipality", 3, 3, None, 5)


def test_an_override_needs_a_reason_and_an_analyst() -> None:
    with pytest.raises(InputError) as caught:
        AttainmentOverride(KEY, "green", "  ", "", DAY)
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("reason", "an override must give its reason"),
        ("analyst", "name the analyst who decided"),
    ]


def test_an_unknown_colour_is_refused() -> None:
    with pytest.raises(InputError, match="unknown colour 'blue'"):
        AttainmentOverride(KEY, "blue", "why", "analyst@husbanken.no", DAY)  # type: ignore[arg-type]


def test_the_override_shows_as_such_and_keeps_the_rules_colour() -> None:
    override = AttainmentOverride(KEY, "green", "the goal was lowered in 2018 (SYNTHETIC)", "analyst@husbanken.no", DAY)
    applied = apply_overrides([assessed(KEY, "yellow"), assessed(OTHER_KEY, "red")], [override])
    overridden, by_rule = applied.assessed
    assert (overridden.colour, overridden.overridden, overridden.decided_by) == ("green", True, "analyst")
    assert overridden.reason == "the goal was lowered in 2018 (SYNTHETIC)"
    assert (overridden.result.status.colour, overridden.result.status.reason) == ("yellow", "SYNTHETIC rule: yellow")
    assert overridden.override == override
    assert (by_rule.colour, by_rule.overridden, by_rule.decided_by, by_rule.reason) == (
        "red",
        False,
        "rule",
        "SYNTHETIC rule: red",
    )
    assert applied.unmatched == ()


def test_an_override_of_nothing_assessed_is_returned() -> None:
    elsewhere = AttainmentOverride(
        AttainmentKey("mal_08_hjelp_til_kjop", "kp_startlan_barnefamilier", "BU08", PROGRAMME_SCOPE, 2018),
        "red",
        "SYNTHETIC",
        "analyst@husbanken.no",
        DAY,
    )
    applied = apply_overrides([assessed(KEY, "yellow")], [elsewhere])
    assert applied.unmatched == (elsewhere,)
    assert not applied.assessed[0].overridden


def test_two_overrides_of_one_assessment_are_refused() -> None:
    first = AttainmentOverride(KEY, "green", "SYNTHETIC one", "a@husbanken.no", DAY)
    second = AttainmentOverride(KEY, "red", "SYNTHETIC two", "b@husbanken.no", DAY)
    with pytest.raises(InputError, match="two overrides of the same assessment"):
        apply_overrides([assessed(KEY, "yellow")], [first, second])
