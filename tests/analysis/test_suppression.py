"""Disclosure control: primary, series and secondary suppression, and hiding observations.

All tables here are synthetic (made-up counts on a made-up Norway–county–municipality–district tree):
disclosure control is about edge cases that real published tables, already suppressed by SSB, do not show.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable

import pytest

from boligmonitor.analysis.suppression import (
    NOTES,
    Cell,
    Decision,
    Relation,
    SuppressionRules,
    apply,
    geographic_relations,
    merge,
    primary,
    primary_decision,
    secondary,
    series,
)
from boligmonitor.core.flags import Flag
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status

RULES = SuppressionRules()


def decide(numerator: float | None, denominator: float | None = None, status: Status = Status.OK) -> Decision:
    return primary_decision(Cell("synthetic", numerator, denominator, status), RULES)


# --- primary -------------------------------------------------------------------------------------------


def test_counts_below_three_are_hidden_and_three_is_shown() -> None:
    assert decide(1).reason == "primary_numerator"
    assert decide(2).hidden
    assert decide(2).reason == "primary_numerator"
    assert not decide(3).hidden
    assert decide(3).reason is None


def test_a_true_zero_is_not_hidden() -> None:
    assert not decide(0).hidden
    assert not decide(0, 40).hidden


def test_shares_on_denominators_below_ten_are_hidden_and_ten_is_shown() -> None:
    assert decide(5, 9).reason == "primary_denominator"
    assert not decide(5, 10).hidden


def test_a_small_complement_is_hidden() -> None:
    # 48 of 50 crowded: the two who are not are as identifiable as a count of 2.
    assert decide(48, 50).reason == "primary_complement"
    assert decide(49, 50).reason == "primary_complement"
    assert not decide(47, 50).hidden  # complement 3
    assert not decide(50, 50).hidden  # complement 0: a true zero, like a numerator of 0


def test_publisher_confidential_cells_are_hidden_with_their_own_reason() -> None:
    assert decide(None, None, Status.CONFIDENTIAL) == Decision("synthetic", hidden=True, reason="publisher")


def test_missing_is_not_hidden_and_not_treated_as_zero() -> None:
    assert not decide(None, None, Status.MISSING).hidden


def test_thresholds_are_configurable_and_validated() -> None:
    rules = SuppressionRules(threshold=5, min_denominator=20)
    assert primary([Cell("a", 4, None, Status.OK)], rules)["a"].reason == "primary_numerator"
    assert primary([Cell("b", 5, 19, Status.OK)], rules)["b"].reason == "primary_denominator"
    with pytest.raises(ValueError, match="threshold"):
        SuppressionRules(threshold=0)
    with pytest.raises(ValueError, match="series_share"):
        SuppressionRules(series_share=1.5)


# --- series --------------------------------------------------------------------------------------------


def yearly(*numerators: float) -> dict[int, Cell]:
    return {2020 + i: Cell(("synthetic", 2020 + i), n, 100, Status.OK) for i, n in enumerate(numerators)}


def test_series_with_exactly_half_weak_points_is_kept() -> None:
    decisions = series(yearly(2, 1, 10, 12), RULES)
    assert [d.hidden for d in decisions.values()] == [True, True, False, False]
    assert decisions[("synthetic", 2020)].reason == "primary_numerator"


def test_series_with_more_than_half_weak_points_is_hidden_whole() -> None:
    # 0 is not hidden by primary suppression, but a point resting on no cases is weak.
    decisions = series(yearly(2, 1, 0, 12), RULES)
    assert all(d.hidden for d in decisions.values())
    assert decisions[("synthetic", 2020)].reason == "primary_numerator"
    assert decisions[("synthetic", 2022)].reason == "series"
    assert decisions[("synthetic", 2023)].reason == "series"


def test_series_share_is_configurable() -> None:
    strict = SuppressionRules(series_share=0.2)
    assert all(d.hidden for d in series(yearly(2, 10, 10, 10), strict).values())  # 25 % > 20 %
    assert not any(d.hidden for d in series(yearly(10, 10, 10, 10, 10), strict).values())
    assert series({}, strict) == {}


def test_merge_keeps_the_first_hiding_reason() -> None:
    shown = {"a": Decision("a", hidden=False)}
    by_series = {"a": Decision("a", hidden=True, reason="series")}
    by_primary = {"a": Decision("a", hidden=True, reason="primary_numerator")}
    assert merge(shown, by_series, by_primary)["a"].reason == "series"


# --- secondary -----------------------------------------------------------------------------------------

# Synthetic hierarchy: land N; counties F1, F2; municipalities K11, K12, K21, K22; districts of K11.
SYNTHETIC_PARENT = {
    "F1": "N",
    "F2": "N",
    "K11": "F1",
    "K12": "F1",
    "K21": "F2",
    "K22": "F2",
    "B111": "K11",
    "B112": "K11",
    "B113": "K11",
}
SYNTHETIC_LEAF_COUNTS = {"B111": 2, "B112": 7, "B113": 5, "K12": 40, "K21": 30, "K22": 25}


def synthetic_cells() -> list[Cell]:
    counts: dict[str, float] = dict(SYNTHETIC_LEAF_COUNTS)
    for region in ("K11", "F1", "F2", "N"):
        counts[region] = sum(counts[child] for child, parent in SYNTHETIC_PARENT.items() if parent == region)
    return [Cell(region, count, None, Status.OK) for region, count in counts.items()]


def test_geographic_relations_group_children_under_their_parent() -> None:
    relations = geographic_relations(SYNTHETIC_PARENT)
    assert Relation("K11", ("B111", "B112", "B113")) in relations
    assert Relation("N", ("F1", "F2")) in relations
    assert len(relations) == 4


def test_secondary_hides_the_smallest_visible_sibling_and_says_what_it_protects() -> None:
    cells = synthetic_cells()
    decisions = secondary(primary(cells), geographic_relations(SYNTHETIC_PARENT), cells, RULES)
    assert decisions["B111"].reason == "primary_numerator"
    assert decisions["B113"] == Decision("B113", hidden=True, reason="secondary", protects="B111")
    assert not decisions["B112"].hidden
    assert not decisions["K11"].hidden  # two hidden districts: K11 − B112 gives only their sum
    assert sum(d.hidden for d in decisions.values()) == 2


def test_secondary_cascades_up_the_hierarchy() -> None:
    # K12 is small: hiding it forces a second county-level cell, whose hiding forces one at land level.
    cells = [Cell("K12", 2, None), Cell("K11", 14, None), Cell("F1", 16, None), Cell("F2", 55, None)]
    cells += [Cell("K21", 30, None), Cell("K22", 25, None), Cell("N", 71, None)]
    parent = {key: value for key, value in SYNTHETIC_PARENT.items() if not key.startswith("B")}
    decisions = secondary(primary(cells), geographic_relations(parent), cells, RULES)
    hidden = {key for key, d in decisions.items() if d.hidden}
    assert hidden == {"K12", "K11"}  # F1 stays visible: F1 − K11 − K12 has two unknowns

    cells = [dataclasses.replace(c, numerator=2) if c.key == "F1" else c for c in cells]
    decisions = secondary(primary(cells), geographic_relations(parent), cells, RULES)
    assert decisions["F1"].reason == "primary_numerator"
    assert decisions["F2"] == Decision("F2", hidden=True, reason="secondary", protects="F1")
    assert decisions["K22"].protects == "F2"  # F2 hidden alone among F2, K21, K22


def test_secondary_hides_the_total_when_no_visible_part_is_left() -> None:
    relation = Relation("T", ("a", "b"))
    cells = [Cell("T", 20, None), Cell("a", 2, None), Cell("b", None, None, Status.CONFIDENTIAL)]
    decisions = secondary({}, [relation], cells, RULES)
    assert decisions["b"].reason == "publisher"
    assert decisions["a"] == Decision("a", hidden=True, reason="secondary", protects="b")
    decisions = secondary(primary(cells), [relation], cells, RULES)
    assert not decisions["T"].hidden

    only_part = [Cell("T", 2, None), Cell("a", 2, None)]
    decisions = secondary({"a": Decision("a", hidden=True, reason="series")}, [Relation("T", ("a",))], only_part)
    assert decisions["T"] == Decision("T", hidden=True, reason="secondary", protects="a")


def test_secondary_counts_publisher_cells_as_hidden() -> None:
    cells = [Cell("T", 20, None), Cell("a", None, None, Status.CONFIDENTIAL), Cell("b", 9, None), Cell("c", 8, None)]
    decisions = secondary(primary(cells), [Relation("T", ("a", "b", "c"))], cells, RULES)
    assert decisions["c"] == Decision("c", hidden=True, reason="secondary", protects="a")


def test_secondary_breaks_ties_by_key() -> None:
    cells = [Cell("T", 22, None), Cell("x", 2, None), Cell("c", 10, None), Cell("b", 10, None)]
    decisions = secondary(primary(cells), [Relation("T", ("x", "c", "b"))], cells, RULES)
    assert decisions["b"].hidden
    assert not decisions["c"].hidden


# --- apply ---------------------------------------------------------------------------------------------


def observation(region: str, numerator: float, denominator: float, note: str | None = None) -> Observation:
    return Observation(
        indicator_id="synthetic_share",
        region_code=region,
        year=2024,
        value=numerator / denominator * 100,
        numerator=numerator,
        denominator=denominator,
        unit="prosent",
        status=Status.OK,
        dataset_id="synthetic",
        note=note,
    )


def test_apply_removes_value_numerator_and_denominator_and_says_why() -> None:
    small = observation("0301", 2, 50)
    protector = observation("1103", 9, 60, note="synthetic note")
    shown = observation("4601", 30, 90)
    decisions: dict[Hashable, Decision] = {
        small.key(): Decision(small.key(), hidden=True, reason="primary_numerator"),
        protector.key(): Decision(protector.key(), hidden=True, reason="secondary", protects=small.key()),
    }
    hidden_small, hidden_protector, still_shown = apply([small, protector, shown], decisions)
    for hidden in (hidden_small, hidden_protector):
        # Neither the share nor the count nor the denominator survives: the antall/andel toggle shows ':'.
        assert (hidden.value, hidden.numerator, hidden.denominator) == (None, None, None)
        assert hidden.status is Status.CONFIDENTIAL
        assert Flag.SUPPRESSED in hidden.flags
    assert hidden_small.note == NOTES["primary_numerator"]
    assert hidden_protector.note == "skjult for å beskytte et annet tall; synthetic note"
    assert still_shown == shown


def test_apply_does_not_flag_cells_the_publisher_hid() -> None:
    obs = dataclasses.replace(
        observation("0301", 2, 50), value=None, numerator=None, denominator=None, status=Status.CONFIDENTIAL
    )
    (result,) = apply([obs], {obs.key(): Decision(obs.key(), hidden=True, reason="publisher")})
    assert Flag.SUPPRESSED not in result.flags
    assert result.status is Status.CONFIDENTIAL
    assert result.note == NOTES["publisher"]
