"""Group changes between two years and shares of the national total, on small hand-computed synthetic data
(municipality codes are real, all numbers are synthetic)."""

from __future__ import annotations

import math

import pytest

from boligmonitor.analysis.group_change import (
    MissingCountsError,
    group_change,
    group_key,
    group_shares,
    share_of_national_total,
)
from boligmonitor.geo.groups import SizeGroup

SMALL_PROGRAMME = group_key(SizeGroup.SMALL, member=True)
SMALL_OTHER = group_key(SizeGroup.SMALL, member=False)
LARGE_PROGRAMME = group_key(SizeGroup.LARGE, member=True)

GROUPS = {"1151": SMALL_PROGRAMME, "1111": SMALL_PROGRAMME, "1133": SMALL_OTHER, "0301": LARGE_PROGRAMME}


def test_group_key_labels() -> None:
    assert SMALL_PROGRAMME == "under 5,000 × programme"
    assert SMALL_OTHER == "under 5,000 × not in programme"
    assert group_key(SizeGroup.MEDIUM, True, "nb") == "5 000–19 999 × programkommune"
    assert group_key(SizeGroup.LARGE, False, "nn") == "20 000 og fleire × ikkje programkommune"
    with pytest.raises(ValueError, match="language"):
        group_key(SizeGroup.SMALL, True, "sv")


def test_group_change_hand_computed() -> None:
    # Synthetic 2015 and 2019 (numerator, denominator) pairs.
    start = {"1151": (2.0, 10.0), "1111": (8.0, 90.0), "1133": (5.0, 50.0), "0301": (100.0, 1000.0)}
    end = {"1151": (4.0, 10.0), "1111": (11.0, 90.0), "1133": None, "0301": (120.0, 1000.0)}
    changes = {c.group: c for c in group_change(start, end, GROUPS)}
    assert list(changes) == sorted(changes)

    small = changes[SMALL_PROGRAMME]
    # Start: (2 + 8) / (10 + 90) = 10 %; end: (4 + 11) / 100 = 15 %: +5 points, +50 %.
    assert small.start_value == pytest.approx(10.0)
    assert small.end_value == pytest.approx(15.0)
    assert small.absolute_change == pytest.approx(5.0)
    assert small.relative_change == pytest.approx(0.5)
    assert (small.n_complete, small.n_left_out, small.left_out) == (2, 0, ())
    assert (small.start_numerator, small.start_denominator, small.end_numerator, small.end_denominator) == (
        10.0,
        100.0,
        15.0,
        100.0,
    )

    large = changes[LARGE_PROGRAMME]
    assert large.absolute_change == pytest.approx(2.0)
    assert large.relative_change == pytest.approx(0.2)

    other = changes[SMALL_OTHER]  # its only member has no 2019 value: left out, never counted as 0
    assert other.start_value is None
    assert other.end_value is None
    assert other.absolute_change is None
    assert (other.n_complete, other.n_left_out, other.left_out) == (0, 1, ("1133",))


def test_group_change_uses_municipalities_complete_in_both_years() -> None:
    start = {"1151": (2.0, 10.0), "1111": (8.0, 90.0)}
    end = {"1151": (4.0, 10.0), "1111": (float("nan"), 90.0)}
    (change,) = group_change(start, end, {"1151": "g", "1111": "g"})
    # Only 1151 is complete in both years: 20 % → 40 %, not a 2015 value over both and a 2019 value over one.
    assert change.start_value == pytest.approx(20.0)
    assert change.end_value == pytest.approx(40.0)
    assert change.left_out == ("1111",)


def test_group_change_zero_start_and_negative_values() -> None:
    (zero,) = group_change({"1151": (0.0, 10.0)}, {"1151": (1.0, 10.0)}, {"1151": "g"})
    assert zero.absolute_change == pytest.approx(10.0)
    assert zero.relative_change is None  # no relative change from 0
    with pytest.raises(ValueError, match="negative"):
        group_change({"1151": (-1.0, 10.0)}, {"1151": (1.0, 10.0)}, {"1151": "g"})


def test_shares_sum_to_one_over_complete_data() -> None:
    counts: dict[str, float | None] = {"1151": 10.0, "1111": 30.0, "1133": 60.0, "0301": 900.0}
    shares = share_of_national_total(counts, GROUPS)
    assert shares == {
        LARGE_PROGRAMME: pytest.approx(0.9),
        SMALL_OTHER: pytest.approx(0.06),
        SMALL_PROGRAMME: pytest.approx(0.04),
    }
    assert math.fsum(shares.values()) == pytest.approx(1.0)


def test_missing_counts_are_reported_never_zero() -> None:
    counts: dict[str, float | None] = {"1151": 10.0, "1111": None, "1133": 60.0}  # 0301 absent
    with pytest.raises(MissingCountsError) as caught:
        share_of_national_total(counts, GROUPS)
    assert caught.value.codes == ("0301", "1111")
    partial = group_shares(counts, GROUPS)
    assert partial.missing == ("0301", "1111")
    assert partial.national_total == 70.0
    assert partial.shares[SMALL_PROGRAMME] == pytest.approx(10 / 70)


def test_ungrouped_municipalities_count_in_the_national_total_only() -> None:
    counts: dict[str, float | None] = {"1151": 10.0, "5001": 90.0}
    assert share_of_national_total(counts, {"1151": "g"}) == {"g": pytest.approx(0.1)}
    with pytest.raises(ValueError, match="national total is 0"):
        share_of_national_total({"1151": 0.0}, {"1151": "g"})
