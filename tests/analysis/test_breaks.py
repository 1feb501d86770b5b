"""Segmented-regression trend-break test on synthetic series (named as such; seeded noise)."""

from __future__ import annotations

import numpy as np
import pytest

from boligmonitor.analysis.breaks import BreakResult, placebo_tests, trend_break_test
from boligmonitor.analysis.trends import TrendPoint

YEARS = np.arange(2005, 2025)  # 9 years before 2014, 11 from 2014 on


def synthetic_linear(seed: int, level_shift_sd: float = 0.0, sd: float = 1.0) -> list[TrendPoint]:
    """Synthetic: y = 50 + 0.5·(year − 2005) + shift·D(year ≥ 2014) + N(0, sd²) noise."""
    rng = np.random.default_rng(seed)
    y = 50 + 0.5 * (YEARS - 2005) + level_shift_sd * sd * (YEARS >= 2014) + rng.normal(0, sd, YEARS.size)
    return [TrendPoint(int(year), None, None, float(value)) for year, value in zip(YEARS, y, strict=True)]


def estimates(result: BreakResult) -> tuple[float, float, float, float]:
    assert result.computed, result.reason
    assert result.level_change and result.slope_change and result.pre_slope and result.post_slope
    return (
        result.level_change.p_value,
        result.level_change.estimate,
        result.slope_change.estimate,
        result.pre_slope.estimate,
    )


def test_finds_planted_level_shift() -> None:
    result = trend_break_test(synthetic_linear(seed=1, level_shift_sd=5.0), 2014)
    p_level, level, _, _ = estimates(result)
    assert p_level < 0.01
    assert result.level_change is not None and result.level_change.lower < 5.0 < result.level_change.upper
    assert level == pytest.approx(5.0, abs=2.0)
    assert (result.n_before, result.n_after) == (9, 11)
    assert result.durbin_watson is not None and 0 < result.durbin_watson < 4


def test_false_positive_rate_near_nominal_without_break() -> None:
    """200 seeded synthetic series without a break: model-based errors keep the nominal 5 % level."""
    p_values = np.array(
        [estimates(trend_break_test(synthetic_linear(seed=seed), 2014, hac=False))[0] for seed in range(200)]
    )
    assert 0.01 <= np.mean(p_values < 0.05) <= 0.10
    assert np.mean(p_values > 0.05) > 0.9


def test_hac_false_positive_rate_is_liberal_but_bounded() -> None:
    """Newey–West errors with 20 points are known to be liberal; the caveat states it, this bounds it."""
    p_values = np.array(
        [estimates(trend_break_test(synthetic_linear(seed=seed), 2014, hac=True))[0] for seed in range(200)]
    )
    assert np.mean(p_values < 0.05) < 0.20
    assert np.mean(p_values > 0.05) > 0.8
    caveats = " ".join(trend_break_test(synthetic_linear(seed=0), 2014, hac=True).caveats)
    assert "too small" in caveats


@pytest.mark.parametrize("hac", [True, False])
def test_coefficients_agree_with_numpy_least_squares(hac: bool) -> None:
    points = synthetic_linear(seed=7, level_shift_sd=2.0)
    result = trend_break_test(points, 2014, hac=hac)
    t = YEARS.astype(float) - 2014
    after = (t >= 0).astype(float)
    design = np.column_stack([np.ones_like(t), t, after, t * after])
    y = np.array([p.value for p in points], dtype=float)
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    _, level, slope_change, pre_slope = estimates(result)
    assert level == pytest.approx(beta[2], abs=1e-6)
    assert slope_change == pytest.approx(beta[3], abs=1e-6)
    assert pre_slope == pytest.approx(beta[1], abs=1e-6)
    assert result.post_slope is not None
    assert result.post_slope.estimate == pytest.approx(beta[1] + beta[3], abs=1e-6)
    if not hac:
        residuals = y - design @ beta
        sigma2 = residuals @ residuals / (len(y) - 4)
        se = np.sqrt(np.diag(sigma2 * np.linalg.inv(design.T @ design)))
        assert result.level_change is not None
        assert result.level_change.std_error == pytest.approx(se[2], abs=1e-6)


@pytest.mark.filterwarnings("ignore:Perfect separation")  # noiseless synthetic counts fit exactly
def test_count_and_proportion_models_find_a_planted_jump() -> None:
    # Synthetic counts: rate 2 % before 2014, 3 % from 2014 on, denominators 100 000 (expected values, no noise).
    denominators = np.full(YEARS.size, 100_000.0)
    numerators = np.where(YEARS >= 2014, 3000.0, 2000.0)
    points = [
        TrendPoint(int(y), float(x), float(n), x / n * 100)
        for y, x, n in zip(YEARS, numerators, denominators, strict=True)
    ]
    for kind in ("count", "proportion"):
        result = trend_break_test(points, 2014, kind=kind)
        assert result.computed and result.level_change is not None, result.reason
        assert result.level_change.p_value < 0.01
        assert result.durbin_watson is None
    count = trend_break_test(points, 2014, kind="count", hac=False)
    assert count.level_change is not None
    assert np.exp(count.level_change.estimate) == pytest.approx(1.5, rel=1e-6)  # the rate ratio


def test_refuses_with_too_few_points_on_a_side() -> None:
    points = synthetic_linear(seed=3)
    result = trend_break_test(points, 2023)
    assert not result.computed and "at least 3 years on each side" in result.reason
    assert result.level_change is None


def test_refuses_series_break_inside_window_but_not_at_tested_year() -> None:
    points = synthetic_linear(seed=4)
    flagged_2018 = [TrendPoint(p.year, None, None, p.value, p.year == 2018) for p in points]
    refused = trend_break_test(flagged_2018, 2014)
    assert not refused.computed and "2018" in refused.reason
    flagged_2014 = [TrendPoint(p.year, None, None, p.value, p.year == 2014) for p in points]
    at_tested_year = trend_break_test(flagged_2014, 2014)
    assert at_tested_year.computed
    assert any("definitional break in 2014" in caveat for caveat in at_tested_year.caveats)


def test_missing_years_are_skipped_not_zero() -> None:
    points = synthetic_linear(seed=5, level_shift_sd=5.0)
    with_gap = [TrendPoint(p.year, None, None, None if p.year == 2010 else p.value) for p in points]
    result = trend_break_test(with_gap, 2014)
    assert result.computed and 2010 not in result.years and result.n_before == 8


def test_caveats_and_placebos() -> None:
    points = synthetic_linear(seed=6, level_shift_sd=5.0)
    result = trend_break_test(points, 2014)
    text = " ".join(result.caveats)
    assert "Few points" in text and "Autocorrelation" in text and "Concurrent events" in text
    placebos = placebo_tests(points, [2011, 2017])
    assert [p.break_year for p in placebos] == [2011, 2017]
    assert all(p.computed for p in placebos)
