"""Benchmark comparisons follow methods.md §4 and agree with statsmodels."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import (  # type: ignore[import-untyped, unused-ignore]
    confint_proportions_2indep,
    proportions_ztest,
)

from boligmonitor.analysis.benchmark_comparison import (
    Comparison,
    compare_to_benchmark,
    newcombe_difference,
    pooled_benchmark,
    top_n_range,
    two_proportion_test,
)
from boligmonitor.analysis.intervals import Interval

CI = Interval(40.0, 50.0, 0.95, "Wilson")


@pytest.mark.parametrize(
    ("benchmark", "polarity", "expected"),
    [
        (30.0, "higher_is_better", Comparison.BETTER),
        (30.0, "lower_is_better", Comparison.WORSE),
        (30.0, "neutral", Comparison.HIGHER),
        (60.0, "higher_is_better", Comparison.WORSE),
        (60.0, "lower_is_better", Comparison.BETTER),
        (60.0, "neutral", Comparison.LOWER),
        (45.0, "higher_is_better", Comparison.SIMILAR),
        (45.0, "neutral", Comparison.SIMILAR),
        (40.0, "higher_is_better", Comparison.SIMILAR),  # exactly on the lower limit: inside
        (50.0, "lower_is_better", Comparison.SIMILAR),  # exactly on the upper limit: inside
    ],
)
def test_benchmark_in_ci_rule(benchmark: float, polarity: str, expected: Comparison) -> None:
    assert compare_to_benchmark(CI, 45.0, benchmark, polarity) is expected


def test_neutral_never_uses_value_words() -> None:
    outcomes = {compare_to_benchmark(CI, 45.0, b, "neutral") for b in (0.0, 45.0, 100.0)}
    assert outcomes.isdisjoint({Comparison.BETTER, Comparison.WORSE})


def test_missing_anything_means_not_compared() -> None:
    assert compare_to_benchmark(None, 45.0, 30.0, "higher_is_better") is Comparison.NOT_COMPARED
    assert compare_to_benchmark(CI, None, 30.0, "higher_is_better") is Comparison.NOT_COMPARED
    assert compare_to_benchmark(CI, 45.0, None, "higher_is_better") is Comparison.NOT_COMPARED


def test_unknown_polarity_is_refused() -> None:
    with pytest.raises(ValueError, match="polarity"):
        compare_to_benchmark(CI, 45.0, 30.0, "up")


def test_pooled_benchmark_pools_and_excludes_the_municipality() -> None:
    numerators = [1.0, 50.0, 9.0]
    denominators = [10.0, 100.0, 90.0]
    assert pooled_benchmark(numerators, denominators) == pytest.approx(60 / 200)
    assert pooled_benchmark(numerators, denominators, exclude_index=1) == pytest.approx(10 / 100)
    assert pooled_benchmark(numerators, denominators, multiplier=100) == pytest.approx(30.0)
    # Pooling is not averaging: the mean of the three shares would be 0.1333.
    assert pooled_benchmark(numerators, denominators) != pytest.approx((0.1 + 0.5 + 0.1) / 3)


def test_pooled_benchmark_missing_members() -> None:
    assert pooled_benchmark([1.0, None], [10.0, 20.0]) is None
    assert pooled_benchmark([1.0, None], [10.0, 20.0], exclude_index=1) == pytest.approx(0.1)
    assert pooled_benchmark([1.0, None], [10.0, 20.0], skip_missing=True) == pytest.approx(0.1)
    assert pooled_benchmark([0.0], [0.0]) is None
    assert pooled_benchmark([1.0], [10.0], exclude_index=0) is None
    with pytest.raises(ValueError, match="exclude_index"):
        pooled_benchmark([1.0], [10.0], exclude_index=3)
    with pytest.raises(ValueError, match="denominators"):
        pooled_benchmark([1.0], [10.0, 2.0])


small_shares = st.integers(min_value=1, max_value=400).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)


@given(small_shares, small_shares)
def test_two_proportion_test_agrees_with_statsmodels(first: tuple[int, int], second: tuple[int, int]) -> None:
    (x1, n1), (x2, n2) = first, second
    z, p_value = two_proportion_test(x1, n1, x2, n2)
    if (x1 + x2) in (0, n1 + n2):
        assert (z, p_value) == (0.0, 1.0)
        return
    expected_z, expected_p = proportions_ztest([x1, x2], [n1, n2])
    assert z == pytest.approx(float(expected_z), abs=1e-6)
    assert p_value == pytest.approx(float(expected_p), abs=1e-6)


@pytest.mark.parametrize("level", [0.95, 0.998])
@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), [(15, 40, 8, 35), (0, 10, 0, 12), (10, 10, 0, 7), (1, 1, 3, 90)])
def test_newcombe_agrees_with_statsmodels(x1: int, n1: int, x2: int, n2: int, level: float) -> None:
    interval = newcombe_difference(x1, n1, x2, n2, level)
    low, high = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff", alpha=1 - level)
    assert interval.low == pytest.approx(float(low), abs=1e-6)
    assert interval.high == pytest.approx(float(high), abs=1e-6)
    assert interval.method == "Newcombe"


def test_peer_tests_refuse_empty_groups() -> None:
    with pytest.raises(ValueError, match="proportion"):
        two_proportion_test(1, 0, 1, 10)
    with pytest.raises(ValueError, match="proportion"):
        newcombe_difference(5, 4, 1, 10)


def test_top_n_range() -> None:
    values: list[float | None] = [float(v) for v in range(1, 21)] + [None]
    assert top_n_range(values, "higher_is_better") == (11.0, 20.0)
    assert top_n_range(values, "lower_is_better") == (1.0, 10.0)
    assert top_n_range(values, "lower_is_better", n=3) == (1.0, 3.0)
    assert top_n_range(values, "neutral") is None
    assert top_n_range([None, None], "higher_is_better") is None
    assert top_n_range([5.0, 2.0], "higher_is_better") == (2.0, 5.0)
