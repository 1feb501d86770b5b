"""Reasons as data (boligmonitor.analysis.reasons): every key the analyses name is in REASONS with its parameters,
every English sentence formats, and goal attainment gives each of its keys where the rules say (SYNTHETIC series)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Final

import pytest

import boligmonitor.analysis
from boligmonitor.analysis.goals import Ambition, attainment
from boligmonitor.analysis.reasons import REASONS, UNTRANSLATED, ParamKind, ParamValue, reason, untranslated
from boligmonitor.analysis.trends import TrendPoint

ANALYSIS: Final = Path(boligmonitor.analysis.__file__).parent
PRODUCERS: Final = [ANALYSIS / "goals.py", *sorted((ANALYSIS / "reporting").glob("*.py"))]
SAMPLES: Final[dict[ParamKind, ParamValue]] = {
    "year": 2019,
    "count": 12,
    "number": 46.7,
    "value": 46.7,
    "signed": -30.0,
    "percent_0": 0.5,
    "percent_1": 0.188,
    "decimal_2": 1.234,
    "text": "2014, 2016",
}

MINUS_30_FROM_2014 = Ambition("relative_change", -30.0, 2014, None, "lower_is_better")
AT_LEAST_50 = Ambition("at_least", 50.0, None, None, "higher_is_better")
NO_BASELINE = Ambition("relative_change", 10.0, None, None, "higher_is_better")
BASELINE_2019 = Ambition("relative_change", -30.0, 2019, None, "lower_is_better")
BROKEN_2019 = TrendPoint(2019, None, None, 90.0, True)


GOAL_CASES: Final[list[tuple[Ambition, list[tuple[int, float | None] | TrendPoint], str]]] = [
    (AT_LEAST_50, [(2018, 40.0)], "goal.no_value"),
    (NO_BASELINE, [(2019, 40.0)], "goal.no_baseline_year"),
    (MINUS_30_FROM_2014, [(2015, 90.0), (2019, 80.0)], "goal.no_baseline_value"),
    (MINUS_30_FROM_2014, [(2014, 0.0), (2019, 80.0)], "goal.zero_baseline"),
    (AT_LEAST_50, [(2019, 50.0)], "goal.reached"),
    (AT_LEAST_50, [(2017, 40.0), (2018, 30.0), (2019, 20.0)], "goal.away.progress"),
    (AT_LEAST_50, [(2017, 30.0), (2018, 35.0), (2019, 40.0)], "goal.towards.progress"),
    (MINUS_30_FROM_2014, [(2014, 100.0), *((y, 85.0) for y in range(2016, 2020))], "goal.half_way"),
    (AT_LEAST_50, [(2019, 40.0)], "goal.too_few_years"),
    (MINUS_30_FROM_2014, [(2014, 100.0), *((y, 90.0) for y in range(2016, 2020))], "goal.less_than_half.flat.progress"),
    # assessed in the baseline year itself: no progress to measure, only the direction before it
    (BASELINE_2019, [(2017, 120.0), (2018, 110.0), (2019, 100.0)], "goal.towards.no_progress"),
    (BASELINE_2019, [(2017, 80.0), (2018, 90.0), (2019, 100.0)], "goal.away.no_progress"),
    (BASELINE_2019, [(2017, 100.0), (2018, 100.0), (2019, 100.0)], "goal.less_than_half.flat.no_progress"),
    # a flagged series break in 2019: no direction across it
    (MINUS_30_FROM_2014, [(2014, 100.0), BROKEN_2019], "goal.less_than_half.unknown.progress"),
]


def _named_keys() -> tuple[set[str], set[str]]:
    """The keys the producers pass to ``reason(...)`` (as literals) and the prefixes they complete at run time
    (f-strings, and the goal rule's ``judged(colour, "goal.away.")``)."""
    literal: set[str] = set()
    prefixes: set[str] = set()
    for path in PRODUCERS:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name) or not node.args:
                continue
            if node.func.id not in {"reason", "judged"}:
                continue
            first = node.args[-1] if node.func.id == "judged" else node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                (prefixes if first.value.endswith(".") else literal).add(first.value)
            elif isinstance(first, ast.JoinedStr) and isinstance(first.values[0], ast.Constant):
                prefixes.add(str(first.values[0].value))
    return literal, prefixes


def test_every_key_the_analyses_name_is_known_and_every_known_key_is_named() -> None:
    literal, prefixes = _named_keys()
    assert literal, "no reason(...) calls found: the scan is broken"
    assert literal - set(REASONS) == set()
    for prefix in prefixes:
        assert any(key.startswith(prefix) for key in REASONS), prefix
    unnamed = {
        key
        for key in REASONS
        if key != UNTRANSLATED and key not in literal and not any(key.startswith(p) for p in prefixes)
    }
    # ambition.relative.* are chosen through a table of baseline sources
    assert unnamed == {
        "ambition.relative.programme_start",
        "ambition.relative.member_joined",
        "ambition.relative.default_given",
    }


def test_every_goal_key_is_reached_by_a_case_below() -> None:
    goal_keys = {key for key in REASONS if key.startswith("goal.")}
    assert goal_keys == {key for _, _, key in GOAL_CASES}


@pytest.mark.parametrize("key", sorted(REASONS))
def test_every_english_sentence_formats(key: str) -> None:
    spec = REASONS[key]
    found = reason(key, **{name: SAMPLES[kind] for name, kind in spec.params.items()})
    assert found.text and "{" not in found.text
    assert found.translated is (key != UNTRANSLATED)


def test_a_reason_needs_a_known_key_and_exactly_its_parameters() -> None:
    with pytest.raises(KeyError):
        reason("goal.no_such_key")
    with pytest.raises(ValueError, match="takes"):
        reason("goal.no_value")
    with pytest.raises(ValueError, match="takes"):
        reason("goal.no_value", year=2019, extra=1)
    assert reason("goal.no_value", year=2019) == reason("goal.no_value", year=2019)
    assert hash(reason("goal.no_value", year=2019)) == hash(reason("goal.no_value", year=2019))
    assert untranslated("SYNTHETIC words").text == "SYNTHETIC words"


@pytest.mark.parametrize(("ambition", "series", "key"), GOAL_CASES)
def test_goal_attainment_gives_each_key_where_its_rule_applies(
    ambition: Ambition, series: list[tuple[int, float | None] | TrendPoint], key: str
) -> None:
    # SYNTHETIC series
    points = [p if isinstance(p, TrendPoint) else TrendPoint(p[0], None, None, p[1], False) for p in series]
    status = attainment(ambition, points, 2019)
    assert status.why is not None and status.why.key == key
    assert status.why.text == status.reason


def test_the_reached_reason_carries_the_numbers_it_names() -> None:
    status = attainment(MINUS_30_FROM_2014, [(2014, 100.0), (2019, 62.5)], 2019)  # SYNTHETIC
    assert status.why is not None
    assert dict(status.why.params) == {"value": 62.5, "target": pytest.approx(70.0)}
    assert status.reason == "goal reached: 62.5 against a target of 70"
