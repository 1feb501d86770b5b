"""A municipality's own goals and targets: the model and its checks against the programme and the catalogue."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from boligmonitor.catalog import AmbitionKind, Catalog
from boligmonitor.catalog.models import DEFER_CROSS_CHECKS
from boligmonitor.catalog.reporting import OwnGoal, OwnTarget, Programme, own_goal_problems

NAME = {"nb": "SYNTHETIC eget mål", "nn": "SYNTHETIC eige mål"}


def _goal(*targets: dict[str, Any], **fields: Any) -> OwnGoal:
    data = {
        "id": "flere_barnefamilier_eier",
        "programme": "bolig_for_velferd",
        "municipality": "K-4601",
        "programme_goal": "mal_08_hjelp_til_kjop",
        "name": NAME,
        "targets": list(targets),
        **fields,
    }
    return OwnGoal.model_validate(data, context={DEFER_CROSS_CHECKS: True})


def test_an_own_goal_under_a_programme_goal(programme: Programme, catalog: Catalog) -> None:
    goal = _goal(
        {"kind": "at_least", "target": 60, "indicator": "HB03", "target_year": 2020},
        {"kind": "relative_change", "target": 20, "baseline_year": 2017, "measure": NAME, "unit": "count"},
    )
    assert goal.municipality == "4601"
    assert goal.targets[0].kind is AmbitionKind.AT_LEAST
    assert goal.problems() == []
    assert own_goal_problems(goal, programme, catalog) == []


def test_checks_against_the_programme_and_the_catalogue(programme: Programme, catalog: Catalog) -> None:
    goal = _goal(
        {"kind": "at_least", "target": 120, "indicator": "HB03"},
        {"kind": "at_most", "target": 5, "indicator": "HB99"},
        {"kind": "at_least", "target": -5, "measure": NAME, "unit": "percent"},
        programme_goal="mal_08_hjelp",
    )
    assert own_goal_problems(goal, programme, catalog) == [
        (
            ("programme_goal",),
            "programme 'bolig_for_velferd' has no goal 'mal_08_hjelp'; did you mean mal_08_hjelp_til_kjop?",
        ),
        (("targets", 0, "target"), "120 is above 100, the highest possible value of HB03"),
        (("targets", 1, "indicator"), "unknown indicator 'HB99'; did you mean HB09?"),
        (("targets", 2, "target"), "-5 is below 0, the lowest possible value of unit 'percent'"),
    ]
    other = _goal(programme="boligsosialt_utviklingsprogram_midt_norge", programme_goal=None)
    assert own_goal_problems(other, programme, catalog) == [
        (
            ("programme",),
            "the goal is for programme 'boligsosialt_utviklingsprogram_midt_norge', not 'bolig_for_velferd'",
        )
    ]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({"kind": "at_least", "target": 1}, "measure the target by a catalogue indicator, or give an own measure"),
        ({"kind": "at_least", "target": 1, "indicator": "HB03", "unit": "percent"}, "has its own definition and unit"),
        ({"kind": "relative_change", "target": 10, "indicator": "HB01"}, "measured from a baseline year"),
        ({"kind": "at_least", "target": 1, "indicator": "HB01", "baseline_year": 2017}, "belongs to a relative_change"),
        ({"kind": "reach_share", "target": 120, "indicator": "RU01"}, "reach_share is a percentage between 0 and 100"),
        ({"kind": "relative_change", "target": -100, "indicator": "HB01", "baseline_year": 2017}, "a fall of 100 %"),
        (
            {"kind": "relative_change", "target": 5, "indicator": "HB01", "baseline_year": 2017, "target_year": 2016},
            "the target year comes after the baseline year",
        ),
    ],
)
def test_a_target_that_cannot_be_read_is_refused(target: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        OwnTarget.model_validate(target)


def test_the_municipality_code_is_checked_for_its_form() -> None:
    with pytest.raises(ValidationError, match="'46' is not a municipality code"):
        _goal(municipality="46")
