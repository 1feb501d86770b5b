"""Intervals agree with independent implementations (SciPy, statsmodels) and with methods.md §1–§2."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped, unused-ignore]
from statsmodels.stats.rates import confint_poisson  # type: ignore[import-untyped, unused-ignore]

from boligmonitor.analysis.intervals import (
    BYARS,
    EXACT,
    WILSON,
    byar,
    count_interval,
    poisson_exact,
    pooled,
    proportion_interval,
    rate_interval,
    wilson,
    z_value,
)

LEVELS = (0.95, 0.998)
TOLERANCE = 1e-6


def test_z_values_match_methods_notation() -> None:
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.998) == pytest.approx(3.090232, abs=1e-6)


@pytest.mark.parametrize("level", [0.0, 1.0, -0.5, 95.0])
def test_level_outside_0_1_is_refused(level: float) -> None:
    with pytest.raises(ValueError, match="confidence level"):
        z_value(level)


def test_wilson_worked_example() -> None:
    interval = wilson(65, 100)
    assert interval is not None
    assert interval.low == pytest.approx(0.552544, abs=1e-6)
    assert interval.high == pytest.approx(0.736358, abs=1e-6)
    assert (interval.level, interval.method) == (0.95, WILSON)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(
    ("x", "n"), [(0, 1), (1, 1), (0, 7), (7, 7), (1, 2), (3, 17), (65, 100), (0, 5000), (4999, 5000)]
)
def test_wilson_agrees_with_scipy(x: int, n: int, level: float) -> None:
    expected = stats.binomtest(x, n).proportion_ci(confidence_level=level, method="wilson")
    interval = wilson(x, n, level)
    assert interval is not None
    assert interval.low == pytest.approx(expected.low, abs=TOLERANCE)
    assert interval.high == pytest.approx(expected.high, abs=TOLERANCE)


def test_wilson_edges_are_exact() -> None:
    none_of = wilson(0, 12)
    all_of = wilson(12, 12)
    assert none_of is not None
    assert all_of is not None
    assert none_of.low == 0.0
    assert all_of.high == 1.0


@pytest.mark.parametrize(("x", "n"), [(None, 10), (3, None), (0, 0), (float("nan"), 10)])
def test_wilson_missing_or_empty_denominator_gives_none(x: float | None, n: float | None) -> None:
    assert wilson(x, n) is None


@pytest.mark.parametrize(("x", "n"), [(11, 10), (-1, 10), (1, -5)])
def test_wilson_refuses_impossible_shares(x: float, n: float) -> None:
    with pytest.raises(ValueError, match="proportion"):
        wilson(x, n)


def test_exact_and_byar_worked_examples() -> None:
    exact = poisson_exact(65)
    approx = byar(65)
    assert (exact.low, exact.high) == pytest.approx((50.166, 82.848), abs=1e-3)
    assert (approx.low, approx.high) == pytest.approx((50.163, 82.849), abs=1e-3)
    assert (exact.method, approx.method) == (EXACT, BYARS)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("x", [0, 1, 2, 9, 10, 65, 1000])
def test_exact_agrees_with_statsmodels_and_with_the_poisson_tails(x: int, level: float) -> None:
    interval = poisson_exact(x, level)
    low, high = confint_poisson(x, 1, method="exact-c", alpha=1 - level)
    assert interval.low == pytest.approx(float(low) if x > 0 else 0.0, abs=TOLERANCE)
    assert interval.high == pytest.approx(float(high), abs=TOLERANCE)
    # Garwood's limits are the means at which the observed count sits exactly at each tail probability.
    tail = (1 - level) / 2
    assert stats.poisson.cdf(x, interval.high) == pytest.approx(tail, abs=1e-9)
    if x > 0:
        assert stats.poisson.sf(x - 1, interval.low) == pytest.approx(tail, abs=1e-9)


def test_byar_formula_by_hand() -> None:
    z = 1.959963984540054
    x = 12.0
    low = x * (1 - 1 / (9 * x) - z / (3 * x**0.5)) ** 3
    high = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * (x + 1) ** 0.5)) ** 3
    interval = byar(x)
    assert (interval.low, interval.high) == pytest.approx((low, high), abs=1e-9)
    assert byar(0).low == 0.0


@pytest.mark.parametrize(("x", "method"), [(0, EXACT), (9, EXACT), (9.5, EXACT), (10, BYARS), (250, BYARS)])
def test_count_interval_follows_the_phe_rule(x: float, method: str) -> None:
    interval = count_interval(x)
    assert interval is not None
    assert interval.method == method


def test_count_interval_missing_is_none_and_negative_is_refused() -> None:
    assert count_interval(None) is None
    with pytest.raises(ValueError, match="non-negative"):
        count_interval(-1)


def test_rate_interval_is_the_count_interval_per_denominator() -> None:
    interval = rate_interval(65, 20_000, 1000)
    count = byar(65)
    assert interval is not None
    assert interval.low == pytest.approx(count.low / 20_000 * 1000, abs=1e-12)
    assert interval.high == pytest.approx(count.high / 20_000 * 1000, abs=1e-12)
    assert rate_interval(3, 0, 1000) is None
    assert rate_interval(None, 100, 1000) is None
    assert rate_interval(3, None, 1000) is None


def test_proportion_interval_is_scaled_wilson() -> None:
    interval = proportion_interval(65, 100, 100)
    assert interval is not None
    assert (interval.low, interval.high) == pytest.approx((55.2544, 73.6358), abs=1e-4)
    assert proportion_interval(1, 0, 100) is None


def test_pooled_sums_years_and_missing_year_makes_it_missing() -> None:
    assert pooled([3, 4, 5], [100, 110, 120]) == (12.0, 330.0)
    assert pooled([3, None, 5], [100, 110, 120]) is None
    assert pooled([3, 4, 5], [100, 110, None]) is None
    with pytest.raises(ValueError, match="numerators"):
        pooled([1, 2], [10])
    with pytest.raises(ValueError, match="nothing"):
        pooled([], [])


shares = st.integers(min_value=1, max_value=100_000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)


@given(shares)
def test_wilson_properties(share: tuple[int, int]) -> None:
    x, n = share
    narrow = wilson(x, n, 0.95)
    wide = wilson(x, n, 0.998)
    assert narrow is not None
    assert wide is not None
    assert 0.0 <= wide.low <= narrow.low <= x / n <= narrow.high <= wide.high <= 1.0


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_count_interval_properties(x: float) -> None:
    for compute in (poisson_exact, byar):
        narrow = compute(x, 0.95)
        wide = compute(x, 0.998)
        assert 0.0 <= wide.low <= narrow.low <= x <= narrow.high <= wide.high
