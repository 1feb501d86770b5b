"""Goal-attainment rules at their boundaries, on synthetic series (named as such)."""

from __future__ import annotations

import dataclasses

import pytest

from boligmonitor.analysis.goals import BOLIG_FOR_VELFERD_PRESET, Ambition, attainment
from boligmonitor.analysis.trends import TrendPoint

MINUS_30_FROM_2014 = Ambition("relative_change", -30.0, 2014, 2020, "lower_is_better")
AT_LEAST_50 = Ambition("at_least", 50.0, None, None, "higher_is_better")


def test_exactly_on_target_is_green() -> None:
    # Synthetic: 100 in 2014, exactly 70 (= −30 %) in 2020.
    status = attainment(MINUS_30_FROM_2014, [(2014, 100.0), (2020, 70.0)], 2020)
    assert status.colour == "green"
    assert status.target_value == pytest.approx(70.0)
    assert attainment(AT_LEAST_50, [(2020, 50.0)], 2020).colour == "green"


def test_exactly_half_way_is_yellow_and_just_below_is_red() -> None:
    # Synthetic: flat recent years, so only progress decides; half-way from 100 to 70 is 85.
    half_way: list[tuple[int, float | None]] = [(2014, 100.0), *((year, 85.0) for year in range(2015, 2021))]
    status = attainment(MINUS_30_FROM_2014, half_way, 2020)
    assert status.colour == "yellow"
    assert status.progress == pytest.approx(0.5)
    assert status.direction == "flat"
    less: list[tuple[int, float | None]] = [(2014, 100.0), *((year, 85.5) for year in range(2015, 2021))]
    assert attainment(MINUS_30_FROM_2014, less, 2020).colour == "red"


def test_moving_towards_goal_is_yellow_even_when_far_off() -> None:
    series = [(2014, 100.0), (2018, 99.0), (2019, 98.0), (2020, 97.0)]
    status = attainment(MINUS_30_FROM_2014, series, 2020)
    assert status.colour == "yellow" and status.direction == "towards"
    assert status.progress is not None and status.progress < 0.5


def test_moving_away_is_red_even_past_half_way() -> None:
    series = [(2014, 100.0), (2016, 74.0), (2017, 75.0), (2018, 76.0), (2019, 78.0), (2020, 80.0)]
    status = attainment(MINUS_30_FROM_2014, series, 2020)
    assert status.colour == "red" and status.direction == "away"
    assert "moving away" in status.reason


def test_grey_without_data() -> None:
    assert attainment(MINUS_30_FROM_2014, [(2014, 100.0), (2020, None)], 2020).colour == "grey"
    assert attainment(MINUS_30_FROM_2014, [(2020, 60.0)], 2020).colour == "grey"  # no baseline value
    no_baseline_year = BOLIG_FOR_VELFERD_PRESET["KB01"]
    status = attainment(no_baseline_year, [(2018, 100.0), (2020, 105.0)], 2020)
    assert status.colour == "grey" and "baseline year" in status.reason
    with_start = dataclasses.replace(no_baseline_year, baseline_year=2018)
    reached = attainment(with_start, [(2018, 100.0), (2020, 110.0)], 2020)
    assert reached.colour == "green"
    assert attainment(AT_LEAST_50, [(2020, 40.0)], 2020).colour == "grey"  # one year only: nothing to judge


def test_direction_does_not_run_across_a_series_break() -> None:
    # Synthetic: values rose before a definitional break in 2019, then fell towards 50 %.
    series = [
        TrendPoint(2016, None, None, 30.0),
        TrendPoint(2017, None, None, 35.0),
        TrendPoint(2018, None, None, 40.0),
        TrendPoint(2019, None, None, 45.0, series_break=True),
        TrendPoint(2020, None, None, 44.0),
    ]
    status = attainment(AT_LEAST_50, series, 2020)
    assert status.direction == "away" and status.colour == "red"


def test_at_least_without_baseline_year_uses_earliest_value() -> None:
    status = attainment(AT_LEAST_50, [(2016, 30.0), (2018, 40.0), (2020, 40.0)], 2020)
    assert status.baseline_year == 2016 and status.progress == pytest.approx(0.5)
    assert status.colour == "yellow"


def test_ambition_validation_and_preset() -> None:
    with pytest.raises(ValueError, match="polarity"):
        Ambition("at_least", 50.0, None, None, "lower_is_better")
    with pytest.raises(ValueError, match="sign"):
        Ambition("relative_change", -30.0, 2014, None, "higher_is_better")
    assert BOLIG_FOR_VELFERD_PRESET["BL05"].target == -30.0
    assert BOLIG_FOR_VELFERD_PRESET["BL05"].baseline_year == 2014
    assert BOLIG_FOR_VELFERD_PRESET["RU01"].target == 85.0
    assert all(a.source for a in BOLIG_FOR_VELFERD_PRESET.values())
    assert "NF01" not in BOLIG_FOR_VELFERD_PRESET  # two levels the source does not explain
