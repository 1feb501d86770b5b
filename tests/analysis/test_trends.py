"""Recent trends, annual percent change and pooled series, on synthetic series (named as such)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest
import statsmodels.api as sm  # type: ignore[import-untyped]
from scipy import stats  # type: ignore[import-untyped]

from boligmonitor.analysis.trends import (
    CHI_SQUARE_THRESHOLD_998,
    TrendPoint,
    annual_percent_change,
    cochran_armitage_chi2,
    points_from_observations,
    pooled_series,
    recent_trend,
)
from boligmonitor.core.flags import Flag
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status


def synthetic_counts(
    years: range, numerators: Sequence[float], denominators: Sequence[float], break_year: int | None = None
) -> list[TrendPoint]:
    return [
        TrendPoint(year, x, n, x / n * 100, series_break=year == break_year)
        for year, x, n in zip(years, numerators, denominators, strict=True)
    ]


def synthetic_values(years: range, values: list[float | None], break_year: int | None = None) -> list[TrendPoint]:
    return [
        TrendPoint(year, None, None, v, series_break=year == break_year) for year, v in zip(years, values, strict=True)
    ]


RISING_SHARE = synthetic_counts(range(2018, 2023), [100, 130, 160, 190, 220], [1000] * 5)


def test_chi_square_matches_independent_score_test() -> None:
    years = [2018, 2019, 2020, 2021, 2022]
    x = np.array([100.0, 130, 160, 190, 220])
    n = np.array([1000.0] * 5)
    ours = cochran_armitage_chi2(years, x.tolist(), n.tolist())
    # Independent: the Cochran–Armitage χ² is the score test of β₁ = 0 in a binomial GLM, computed here
    # from the null model's fitted share p̄ with the observed information.
    p_bar = x.sum() / n.sum()
    t = np.array(years, dtype=float) - 2020
    score = np.sum(t * (x - n * p_bar))
    information = p_bar * (1 - p_bar) * (np.sum(n * t**2) - np.sum(n * t) ** 2 / n.sum())
    assert ours == pytest.approx(score**2 / information, abs=1e-6)
    # The binomial GLM Wald test of the same slope points the same way and is of the same size.
    glm = sm.GLM(np.column_stack([x, n - x]), sm.add_constant(t), family=sm.families.Binomial()).fit()
    assert (glm.params[1] / glm.bse[1]) ** 2 == pytest.approx(ours, rel=0.1)


def test_rising_share_is_increasing_and_falling_is_decreasing() -> None:
    trend = recent_trend(RISING_SHARE, kind="proportion")
    assert trend.direction == "increasing"
    assert trend.statistic is not None and trend.statistic >= CHI_SQUARE_THRESHOLD_998
    assert trend.years == (2018, 2019, 2020, 2021, 2022)
    falling = synthetic_counts(range(2018, 2023), [220, 190, 160, 130, 100], [1000] * 5)
    assert recent_trend(falling, kind="proportion").direction == "decreasing"


def test_small_change_is_not_significant() -> None:
    flat = synthetic_counts(range(2018, 2023), [10, 11, 10, 12, 11], [100] * 5)
    trend = recent_trend(flat, kind="proportion")
    assert trend.direction == "no_significant_change"
    assert trend.p_value is not None and trend.p_value > 0.002


def test_only_the_five_most_recent_points_are_used() -> None:
    long = synthetic_counts(range(2010, 2023), [500] * 8 + [100, 130, 160, 190, 220], [1000] * 13)
    assert recent_trend(long, kind="proportion").years == (2018, 2019, 2020, 2021, 2022)


def test_rate_trend_uses_poisson_glm_with_offset() -> None:
    points = synthetic_counts(range(2018, 2023), [50, 70, 90, 120, 150], [10000, 10100, 10200, 10300, 10400])
    trend = recent_trend(points, kind="rate")
    t = np.arange(2018, 2023, dtype=float) - 2020
    fit = sm.GLM(
        np.array([50.0, 70, 90, 120, 150]),
        sm.add_constant(t),
        family=sm.families.Poisson(),
        offset=np.log([10000.0, 10100, 10200, 10300, 10400]),
    ).fit()
    assert trend.slope == pytest.approx(fit.params[1], abs=1e-6)
    assert trend.statistic == pytest.approx((fit.params[1] / fit.bse[1]) ** 2, abs=1e-6)
    assert trend.direction == "increasing"


def test_value_trend_agrees_with_scipy() -> None:
    values: list[float | None] = [3.0, 2.5, 2.7, 2.0, 1.4]
    trend = recent_trend(synthetic_values(range(2018, 2023), values), kind="value")
    t = np.arange(2018, 2023, dtype=float)
    tau = stats.kendalltau(t, values)
    assert trend.statistic == pytest.approx(tau.statistic, abs=1e-12)
    assert trend.p_value == pytest.approx(tau.pvalue, abs=1e-12)
    assert trend.slope == pytest.approx(stats.theilslopes(values, t).slope, abs=1e-12)
    assert trend.direction == "no_significant_change"  # one reversal: p ≈ 0.08
    monotone = recent_trend(synthetic_values(range(2018, 2023), [1.0, 2, 3, 4, 5]), kind="value")
    assert monotone.direction == "increasing"
    assert monotone.p_value == pytest.approx(2 / 120)


def test_series_break_inside_window_stops_the_trend() -> None:
    broken = synthetic_counts(range(2018, 2023), [100, 130, 160, 190, 220], [1000] * 5, break_year=2020)
    trend = recent_trend(broken, kind="proportion")
    assert trend.direction == "cannot_be_calculated"
    assert "series break in 2020" in trend.reason and "never runs across" in trend.reason


def test_series_break_at_window_start_is_allowed() -> None:
    points = synthetic_counts(range(2018, 2023), [100, 130, 160, 190, 220], [1000] * 5, break_year=2018)
    assert recent_trend(points, kind="proportion").direction == "increasing"


@pytest.mark.parametrize(
    ("points", "reason"),
    [
        (RISING_SHARE[:4], "series has 4"),
        ([*RISING_SHARE[:2], *RISING_SHARE[3:], TrendPoint(2023, 250, 1000, 25, False)], "not consecutive"),
        ([*RISING_SHARE[:4], TrendPoint(2022, None, None, None, False)], "missing or suppressed value in 2022"),
    ],
)
def test_cannot_be_calculated(points: list[TrendPoint], reason: str) -> None:
    trend = recent_trend(points, kind="proportion")
    assert trend.direction == "cannot_be_calculated"
    assert reason in trend.reason


def test_points_from_observations_keep_missing_and_breaks() -> None:
    def obs(year: int, value: float | None, status: Status, flags: frozenset[Flag] = frozenset()) -> Observation:
        return Observation("SYNTH", "0301", year, value, value, 100.0, "prosent", status, "synthetic", flags=flags)

    points = points_from_observations(
        [
            obs(2021, 5.0, Status.OK, frozenset({Flag.SERIES_BREAK})),
            obs(2020, None, Status.CONFIDENTIAL),
            obs(2022, 4.0, Status.OK, frozenset({Flag.SUPPRESSED})),
        ]
    )
    assert [p.year for p in points] == [2020, 2021, 2022]
    assert points[0].value is None and points[2].value is None  # missing is never 0
    assert points[1].series_break and not points[0].series_break
    with pytest.raises(ValueError, match="more than once"):
        points_from_observations([obs(2020, 1.0, Status.OK), obs(2020, 2.0, Status.OK)])


@pytest.mark.filterwarnings("ignore:Perfect separation")  # an exact synthetic fit, by design
def test_annual_percent_change() -> None:
    # Synthetic: exactly 10 % growth a year on a constant denominator.
    points = synthetic_counts(range(2015, 2020), [1000 * 1.1**i for i in range(5)], [1e6] * 5)
    apc = annual_percent_change(points)
    assert apc.percent == pytest.approx(10.0, abs=1e-6)
    assert apc.lower is not None and apc.upper is not None and apc.lower < 10.0 < apc.upper
    broken = synthetic_counts(range(2015, 2020), [10, 11, 12, 13, 14], [100] * 5, break_year=2017)
    assert annual_percent_change(broken).percent is None
    assert annual_percent_change(points[:2]).percent is None


def test_pooled_series() -> None:
    points = [*synthetic_counts(range(2019, 2023), [1, 2, 3, 4], [10, 10, 10, 10])]
    points.append(TrendPoint(2023, None, None, None, False))
    pooled = pooled_series(points, k=3, multiplier=100)
    assert [p.period for p in pooled] == ["2019–2021", "2020–2022", "2021–2023"]
    assert pooled[0].numerator == 6 and pooled[0].denominator == 30
    assert pooled[1].value == pytest.approx(30.0)
    assert pooled[2].value is None and pooled[2].reason is not None
    broken = synthetic_counts(range(2019, 2022), [1, 2, 3], [10, 10, 10], break_year=2020)
    assert pooled_series(broken)[0].value is None
    assert math.isclose(pooled_series(broken, k=1)[1].value or 0, 0.2)
