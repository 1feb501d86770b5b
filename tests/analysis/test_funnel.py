"""Funnel limits, outliers and overdispersion (methods.md §5); all points are synthetic."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped, unused-ignore]

from boligmonitor.analysis.benchmark_comparison import Comparison, compare_to_benchmark
from boligmonitor.analysis.funnel import between_variance, funnel_limits, funnel_outliers, overdispersion, winsorise
from boligmonitor.analysis.intervals import wilson, z_value

DENOMINATORS = (5.0, 50.0, 500.0, 5000.0, 50_000.0)


def test_proportion_limits_are_symmetric_around_the_target_and_nest() -> None:
    limits = funnel_limits(0.3, DENOMINATORS)
    assert [(limit.denominator, limit.level) for limit in limits[:2]] == [(5.0, 0.95), (5.0, 0.998)]
    for limit in limits:
        half = z_value(limit.level) * math.sqrt(0.3 * 0.7 / limit.denominator)
        assert limit.low == pytest.approx(max(0.0, 0.3 - half), abs=1e-12)
        assert limit.high == pytest.approx(min(1.0, 0.3 + half), abs=1e-12)
        assert limit.low <= 0.3 <= limit.high
    for narrow, wide in zip(limits[::2], limits[1::2], strict=True):
        assert wide.low <= narrow.low
        assert narrow.high <= wide.high


def test_proportion_limits_narrow_with_the_denominator_and_follow_the_multiplier() -> None:
    fractions = funnel_limits(0.3, DENOMINATORS, levels=(0.95,))
    widths = [limit.high - limit.low for limit in fractions]
    assert widths == sorted(widths, reverse=True)
    per_cent = funnel_limits(30.0, DENOMINATORS, levels=(0.95,), multiplier=100)
    for fraction, percent in zip(fractions, per_cent, strict=True):
        assert percent.high == pytest.approx(fraction.high * 100)


@given(
    st.integers(min_value=1, max_value=5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.floats(min_value=0.01, max_value=0.99),
)
def test_outside_the_funnel_exactly_when_the_wilson_interval_excludes_the_target(
    share: tuple[int, int], target: float
) -> None:
    x, n = share
    interval = wilson(x, n, 0.95)
    comparison = compare_to_benchmark(interval, x / n, target, "neutral")
    outliers = funnel_outliers([("synthetic", x, n)], target, level=0.95)
    # Skip numerical ties where the point sits on the limit within rounding.
    limit = funnel_limits(target, [n], levels=(0.95,))[0]
    if min(abs(x / n - limit.low), abs(x / n - limit.high)) < 1e-9:
        return
    if comparison is Comparison.SIMILAR:
        assert outliers == []
    else:
        expected = "high" if comparison is Comparison.HIGHER else "low"
        assert outliers == [("synthetic", expected, 0.95)]


def test_rate_limits_contain_the_target() -> None:
    target = 5.0  # per 1 000
    for limit in funnel_limits(target, DENOMINATORS, kind="rate", multiplier=1000):
        assert limit.low <= target <= limit.high


@pytest.mark.parametrize("level", [0.95, 0.998])
@pytest.mark.parametrize("expected", [0.5, 1.0, 2.5, 7.3, 10.0, 33.0, 98.015, 253.8, 1000.0, 4321.0, 10_000.0])
def test_a_point_is_outside_the_rate_funnel_exactly_when_the_exact_poisson_test_rejects(
    expected: float, level: float
) -> None:
    """Over every count that could be observed near E: high exactly when P(X >= O | E) < alpha/2, low exactly
    when P(X <= O | E) < alpha/2 (the population is 1 000, the target E per 1 000)."""
    alpha = 1 - level
    n = 1000.0
    spread = int(10 * math.sqrt(expected)) + 10
    counts = range(max(0, int(expected) - spread), int(expected) + spread)
    points: list[tuple[str, float | None, float | None]] = [(str(o), float(o), n) for o in counts]
    flagged = {
        region: side for region, side, _ in funnel_outliers(points, expected, level=level, kind="rate", multiplier=n)
    }
    for o in counts:
        upper_tail = float(stats.poisson.sf(o - 1, expected))  # P(X >= o)
        lower_tail = float(stats.poisson.cdf(o, expected))  # P(X <= o)
        should = "high" if upper_tail < alpha / 2 else "low" if lower_tail < alpha / 2 else None
        assert flagged.get(str(o)) == should, (o, expected, level, upper_tail, lower_tail)


def test_the_issue_reproductions_are_no_longer_flagged() -> None:
    # O = 118 against E = 98.015 (p = 0.027 two-sided half 0.025: not significant); O = 3 against E = 1 (p = 0.080).
    for observed, expected in ((118.0, 98.015), (3.0, 1.0)):
        points: list[tuple[str, float | None, float | None]] = [("x", observed, 1.0)]
        assert funnel_outliers(points, expected, level=0.95, kind="rate") == []


def test_rate_limit_agrees_with_pheindicatormethods_reference() -> None:
    """PHEindicatormethods' published funnel test data: population 265 485, target 95.60 per 100 000, 95 %:
    upper limit 107.7274 (ours was one event lower, 107.3508, before the limits followed the exact test)."""
    limit = funnel_limits(95.60, [265_485.0], levels=(0.95,), kind="rate", multiplier=100_000)[0]
    assert limit.high == pytest.approx(107.7274, abs=0.01)


def test_dispersion_inflates_only_when_above_one() -> None:
    plain = funnel_limits(0.3, [500.0], levels=(0.95,))[0]
    inflated = funnel_limits(0.3, [500.0], levels=(0.95,), dispersion=4.0)[0]
    deflated = funnel_limits(0.3, [500.0], levels=(0.95,), dispersion=0.25)[0]
    assert inflated.high - 0.3 == pytest.approx(2 * (plain.high - 0.3))
    assert deflated == plain
    rate_plain = funnel_limits(5.0, [5000.0], levels=(0.95,), kind="rate", multiplier=1000)[0]
    rate_inflated = funnel_limits(5.0, [5000.0], levels=(0.95,), kind="rate", multiplier=1000, dispersion=4.0)[0]
    assert rate_inflated.high - 5.0 == pytest.approx(2 * (rate_plain.high - 5.0))


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="denominator"):
        funnel_limits(0.3, [0.0])
    with pytest.raises(ValueError, match="outside"):
        funnel_limits(1.5, [10.0])
    with pytest.raises(ValueError, match="outside"):
        funnel_limits(-1.0, [10.0], kind="rate")
    with pytest.raises(ValueError, match="confidence level"):
        funnel_limits(0.3, [10.0], levels=(1.0,))


def test_outliers_skip_missing_and_empty_points_and_keep_points_on_the_limit() -> None:
    target = 0.3
    on_limit = funnel_limits(target, [1.0], levels=(0.95,))[0].high  # n = 1: the value is x itself, exactly
    points: list[tuple[str, float | None, float | None]] = [
        ("high", 60.0, 100.0),
        ("low", 5.0, 100.0),
        ("inside", 31.0, 100.0),
        ("suppressed", None, 100.0),
        ("no denominator", 3.0, None),
        ("empty", 0.0, 0.0),
        ("on limit", on_limit, 1.0),
    ]
    assert funnel_outliers(points, target, level=0.95) == [("high", "high", 0.95), ("low", "low", 0.95)]


def test_rate_outliers() -> None:
    points: list[tuple[str, float | None, float | None]] = [("many", 60.0, 5000.0), ("few", 1.0, 5000.0)]
    result = funnel_outliers(points, 5.0, level=0.998, kind="rate", multiplier=1000)
    assert result == [("many", "high", 0.998), ("few", "low", 0.998)]


def test_winsorise_replaces_ten_percent_in_each_tail() -> None:
    values = [float(v) for v in range(20)]  # k = 20: two values in each tail are pulled in
    assert winsorise(values, 0.1) == [2.0, 2.0, *values[2:18], 17.0, 17.0]
    assert winsorise([3.0, 1.0], 0.1) == [3.0, 1.0]


def test_overdispersion_by_hand() -> None:
    target = 0.2
    points: list[tuple[str, float | None, float | None]] = [
        (f"synthetic{i}", x, 100.0) for i, x in enumerate([10, 14, 18, 20, 20, 21, 22, 26, 30, 40])
    ] + [("suppressed", None, 100.0)]
    scores = [
        (x / 100 - target) / math.sqrt(target * (1 - target) / 100) for x in [10, 14, 18, 20, 20, 21, 22, 26, 30, 40]
    ]
    scores[0] = scores[1]  # winsorised: k = 10, one value in each tail
    scores[-1] = scores[-2]
    assert overdispersion(points, target) == pytest.approx(sum(z * z for z in scores) / 10, abs=1e-12)


def test_overdispersion_of_rates_and_of_undefined_targets() -> None:
    points: list[tuple[str, float | None, float | None]] = [("a", 10.0, 1000.0), ("b", 30.0, 1000.0)]
    # E = 20 for both: z = ±√5, no winsorising with k = 2.
    assert overdispersion(points, 20.0, kind="rate", multiplier=1000) == pytest.approx(5.0)
    with pytest.raises(ValueError, match="variance"):
        overdispersion(points, 0.0, kind="rate")
    with pytest.raises(ValueError, match="usable"):
        overdispersion([("a", None, 10.0)], 0.2)


def test_the_additive_between_region_variance_is_recovered_and_widens_the_limits() -> None:
    import numpy as np

    # SYNTHETIC: 400 regions of 2 000–200 000 people whose true shares vary around 20 % with SD 2 points.
    rng = np.random.default_rng(4)
    sizes = np.round(np.exp(rng.uniform(np.log(2_000), np.log(200_000), 400)))
    truth = np.clip(rng.normal(0.20, 0.02, 400), 0.01, 0.99)
    counts = rng.binomial(sizes.astype(int), truth)
    points = [(f"r{i}", float(x), float(n)) for i, (x, n) in enumerate(zip(counts, sizes, strict=True))]
    phi, tau2 = between_variance(points, 20.0, "proportion", 100.0)
    assert phi == pytest.approx(overdispersion(points, 20.0, "proportion", 100.0))
    assert phi > 10
    # Winsorising the z-scores (methods.md §5: robustness to outliers) clips the large regions' scores, which
    # carry most of the signal, so τ̂² runs low: here about 0.4 of the true 0.02².
    assert 0.25 * 0.02**2 < tau2 < 0.02**2
    plain, additive = (
        funnel_limits(20.0, [200_000], [0.998], multiplier=100.0),
        funnel_limits(20.0, [200_000], [0.998], multiplier=100.0, tau2=tau2),
    )
    assert additive[0].high - additive[0].low > 5 * (plain[0].high - plain[0].low)
    # The floor: however large the region, the limits stay at least z·τ̂ from the target.
    huge = funnel_limits(20.0, [1e9], [0.998], multiplier=100.0, tau2=tau2)[0]
    assert huge.high - 20.0 == pytest.approx(100 * z_value(0.998) * math.sqrt(tau2), rel=1e-3)
    outside_plain = funnel_outliers(points, 20.0, 0.998, multiplier=100.0)
    outside_additive = funnel_outliers(points, 20.0, 0.998, multiplier=100.0, tau2=tau2)
    assert len(outside_additive) < len(outside_plain) / 4


def test_no_between_region_variance_when_regions_differ_only_by_chance() -> None:
    points = [(f"r{i}", x, 1_000.0) for i, x in enumerate([200.0, 195.0, 205.0, 199.0, 201.0] * 10)]
    phi, tau2 = between_variance(points, 20.0, "proportion", 100.0)
    assert phi < 1 and tau2 == 0.0
    assert funnel_limits(20.0, [1_000], [0.95], multiplier=100.0, tau2=tau2) == funnel_limits(
        20.0, [1_000], [0.95], multiplier=100.0
    )
    with pytest.raises(ValueError, match="negative"):
        funnel_limits(20.0, [1_000], [0.95], multiplier=100.0, tau2=-1.0)
