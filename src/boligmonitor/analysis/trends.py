"""Recent-trend tests, annual percent change and pooled (rolling k-year) series.

Methods follow `shared/docs/methods.md` §6 (Fingertips-style recent trend on the five most recent points):

* proportions: chi-square test for linear trend (Cochran–Armitage), significant when χ² ≥ 9.5495
  (χ²₁ at 99.8 %);
* rates: Poisson GLM, log link, log(denominator) offset; significant when the Wald χ² of the year
  coefficient is ≥ 9.5495 (the same 99.8 % level);
* values only: Mann–Kendall (Kendall's τ between year and value, ``scipy.stats.kendalltau``) with a
  Theil–Sen slope (``scipy.stats.theilslopes``). With five points the exact Mann–Kendall test cannot reach
  p < 0.002 (its smallest two-sided p-value is 2/5! ≈ 0.0167), so value trends are judged at the 5 % level
  (:data:`VALUE_TREND_ALPHA`): only a strictly monotone five-point series is flagged.

A trend never runs across a series break: a point flagged :attr:`Flag.SERIES_BREAK` is not comparable with
the year before it, so a window containing such a point after its first year is refused. Missing or
suppressed values are never treated as zero: a window containing one is refused.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

import numpy as np
from scipy import stats  # type: ignore[import-untyped]
from statsmodels.genmod import families  # type: ignore[import-untyped]
from statsmodels.genmod.generalized_linear_model import GLM  # type: ignore[import-untyped]

from boligmonitor.core.flags import Flag
from boligmonitor.core.observation import Observation

TrendKind = Literal["proportion", "rate", "value"]
Direction = Literal["increasing", "decreasing", "no_significant_change", "cannot_be_calculated"]

CHI_SQUARE_THRESHOLD_998 = 9.5495
"""χ²₁ at 99.8 % (= 3.0902²), the Fingertips recent-trend threshold."""

TREND_ALPHA = 0.002
"""Two-sided significance level matching :data:`CHI_SQUARE_THRESHOLD_998`."""

VALUE_TREND_ALPHA = 0.05
"""Mann–Kendall level for value-only series; 0.002 is unreachable with five points (see module docstring)."""

RECENT_POINTS = 5


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One year of a series: counts where known, the value, and whether the year starts a new series."""

    year: int
    numerator: float | None
    denominator: float | None
    value: float | None
    series_break: bool = False


@dataclass(frozen=True, slots=True)
class Trend:
    """The outcome of :func:`recent_trend`.

    ``statistic`` is χ² (proportions), the Wald χ² of the year coefficient (rates) or Kendall's τ (values);
    ``slope`` is the Poisson year coefficient β₁ (rates, log scale) or the Theil–Sen slope per year (values).
    """

    direction: Direction
    statistic: float | None
    p_value: float | None
    method: str
    years: tuple[int, ...]
    reason: str
    slope: float | None = None


@dataclass(frozen=True, slots=True)
class AnnualPercentChange:
    """(e^β₁ − 1)·100 from a Poisson GLM with its confidence interval; ``None`` values with a reason if refused."""

    percent: float | None
    lower: float | None
    upper: float | None
    confidence: float
    years: tuple[int, ...]
    method: str
    reason: str


@dataclass(frozen=True, slots=True)
class PooledPoint:
    """A rolling k-year pool: Σ numerators / Σ denominators over ``period`` (e.g. "2021–2023")."""

    period: str
    first_year: int
    last_year: int
    numerator: float | None
    denominator: float | None
    value: float | None
    reason: str | None = None


def points_from_observations(observations: Iterable[Observation]) -> list[TrendPoint]:
    """One region's series of one indicator as trend points, sorted by year.

    A value whose status carries no number, or that we suppressed, becomes missing (``None``), never 0.
    Raises ValueError when the observations mix indicators or regions, or repeat a year.
    """
    observations = list(observations)
    series = {(o.indicator_id, o.region_code) for o in observations}
    if len(series) > 1:
        raise ValueError(f"observations mix several series: {sorted(series)}")
    points: dict[int, TrendPoint] = {}
    for obs in observations:
        if obs.year in points:
            raise ValueError(f"year {obs.year} occurs more than once in the series")
        usable = obs.status.has_value and Flag.SUPPRESSED not in obs.flags
        points[obs.year] = TrendPoint(
            year=obs.year,
            numerator=obs.numerator if usable else None,
            denominator=obs.denominator if usable else None,
            value=obs.value if usable else None,
            series_break=Flag.SERIES_BREAK in obs.flags,
        )
    return [points[year] for year in sorted(points)]


def break_inside(points: Sequence[TrendPoint]) -> int | None:
    """The first year after the start of ``points`` (sorted) that is flagged as a series break, if any."""
    for point in points[1:]:
        if point.series_break:
            return point.year
    return None


def recent_trend(points: Sequence[TrendPoint], n_points: int = RECENT_POINTS, kind: TrendKind = "proportion") -> Trend:
    """Direction of the ``n_points`` most recent years (Fingertips style, methods.md §6)."""
    method = _METHOD[kind]
    ordered = sorted(points, key=lambda p: p.year)
    window = ordered[-n_points:]
    years = tuple(p.year for p in window)

    def refuse(reason: str) -> Trend:
        return Trend("cannot_be_calculated", None, None, method, years, reason)

    if len(window) < n_points:
        return refuse(f"needs {n_points} consecutive years, the series has {len(window)}")
    if any(b - a != 1 for a, b in pairwise(years)):
        return refuse(f"the {n_points} most recent years {years[0]}–{years[-1]} are not consecutive")
    missing = [p.year for p in window if not _complete(p, kind)]
    if missing:
        return refuse(f"missing or suppressed value in {', '.join(map(str, missing))}")
    broken = break_inside(window)
    if broken is not None:
        return refuse(f"series break in {broken}: a trend never runs across a series break")
    if kind == "proportion":
        return _proportion_trend(window, years, method)
    if kind == "rate":
        return _rate_trend(window, years, method)
    return _value_trend(window, years, method)


def cochran_armitage_chi2(years: Sequence[float], numerators: Sequence[float], denominators: Sequence[float]) -> float:
    """χ² for linear trend in proportions (methods.md §6) with scores = years; 1 degree of freedom."""
    t = np.asarray(years, dtype=float)
    x = np.asarray(numerators, dtype=float)
    n = np.asarray(denominators, dtype=float)
    p_bar = x.sum() / n.sum()
    numerator = (np.sum(x * t) - p_bar * np.sum(n * t)) ** 2
    denominator = p_bar * (1 - p_bar) * (np.sum(n * t**2) - np.sum(n * t) ** 2 / n.sum())
    return float(numerator / denominator)


def annual_percent_change(points: Sequence[TrendPoint], confidence: float = 0.95) -> AnnualPercentChange:
    """(e^β₁ − 1)·100 from log(μ) = log(n) + β₀ + β₁·year, over the years with counts (gaps allowed)."""
    method = "Poisson GLM, log(denominator) offset, Wald CI"
    used = [p for p in sorted(points, key=lambda p: p.year) if _complete(p, "rate")]
    years = tuple(p.year for p in used)

    def refuse(reason: str) -> AnnualPercentChange:
        return AnnualPercentChange(None, None, None, confidence, years, method, reason)

    if len(used) < 3:
        return refuse(f"needs at least 3 years with numerator and denominator, has {len(used)}")
    broken = break_inside(used)
    if broken is not None:
        return refuse(f"series break in {broken}: a trend never runs across a series break")
    fit = _poisson_year_fit(used)
    if fit is None:
        return refuse("all numerators are 0: no change can be estimated")
    beta, se = fit
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    return AnnualPercentChange(
        percent=math.expm1(beta) * 100,
        lower=math.expm1(beta - z * se) * 100,
        upper=math.expm1(beta + z * se) * 100,
        confidence=confidence,
        years=years,
        method=method,
        reason="computed",
    )


def pooled_series(points: Sequence[TrendPoint], k: int = 3, multiplier: float = 1.0) -> list[PooledPoint]:
    """Rolling k-year sums of numerators and denominators, value = Σx / Σn · ``multiplier``.

    A pool is computed only from k consecutive complete years without a series break inside; otherwise its
    value is ``None`` with a reason (never a pool of fewer years). Overlapping pools are not independent:
    do not feed them to :func:`recent_trend`.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    ordered = sorted(points, key=lambda p: p.year)
    pooled: list[PooledPoint] = []
    for end in range(k - 1, len(ordered)):
        window = ordered[end - k + 1 : end + 1]
        first, last = window[0].year, window[-1].year
        period = f"{first}–{last}" if k > 1 else str(last)
        reason: str | None = None
        if last - first != k - 1:
            reason = "years are not consecutive"
        elif any(not _complete(p, "rate") for p in window):
            reason = "a year lacks its numerator or denominator"
        elif (broken := break_inside(window)) is not None:
            reason = f"series break in {broken}"
        elif sum(p.denominator or 0.0 for p in window) == 0:
            reason = "the pooled denominator is 0"
        if reason is not None:
            pooled.append(PooledPoint(period, first, last, None, None, None, reason))
            continue
        x = sum(p.numerator or 0.0 for p in window)
        n = sum(p.denominator or 0.0 for p in window)
        pooled.append(PooledPoint(period, first, last, x, n, x / n * multiplier))
    return pooled


_METHOD: dict[TrendKind, str] = {
    "proportion": "chi-square test for linear trend (Cochran–Armitage), 99.8 %",
    "rate": "Poisson GLM with log(denominator) offset, Wald test, 99.8 %",
    "value": "Mann–Kendall (Kendall's tau) with Theil–Sen slope, 95 %",
}


def _complete(point: TrendPoint, kind: TrendKind) -> bool:
    if kind == "value":
        return point.value is not None and math.isfinite(point.value)
    return point.numerator is not None and point.denominator is not None and point.denominator > 0


def _direction(sign: float, significant: bool) -> Direction:
    if not significant or sign == 0:
        return "no_significant_change"
    return "increasing" if sign > 0 else "decreasing"


def _proportion_trend(window: Sequence[TrendPoint], years: tuple[int, ...], method: str) -> Trend:
    x = [p.numerator or 0.0 for p in window]
    n = [p.denominator or 0.0 for p in window]
    if any(xi < 0 or xi > ni for xi, ni in zip(x, n, strict=True)):
        return Trend(
            "cannot_be_calculated", None, None, method, years, "a numerator is negative or exceeds its denominator"
        )
    p_bar = sum(x) / sum(n)
    if p_bar in (0.0, 1.0):
        return Trend("no_significant_change", None, None, method, years, f"the share is constant at {p_bar:.0%}")
    chi2 = cochran_armitage_chi2(years, x, n)
    t_mean = sum(ni * ti for ni, ti in zip(n, years, strict=True)) / sum(n)
    sign = sum(xi * (ti - t_mean) for xi, ti in zip(x, years, strict=True))
    significant = chi2 >= CHI_SQUARE_THRESHOLD_998
    p_value = float(stats.chi2.sf(chi2, 1))
    return Trend(_direction(sign, significant), chi2, p_value, method, years, _verdict(significant), None)


def _rate_trend(window: Sequence[TrendPoint], years: tuple[int, ...], method: str) -> Trend:
    fit = _poisson_year_fit(window)
    if fit is None:
        return Trend("no_significant_change", None, None, method, years, "all numerators are 0")
    beta, se = fit
    wald = (beta / se) ** 2
    significant = wald >= CHI_SQUARE_THRESHOLD_998
    p_value = float(stats.chi2.sf(wald, 1))
    return Trend(_direction(beta, significant), wald, p_value, method, years, _verdict(significant), beta)


def _value_trend(window: Sequence[TrendPoint], years: tuple[int, ...], method: str) -> Trend:
    y = np.array([p.value for p in window], dtype=float)
    t = np.array(years, dtype=float)
    if np.all(y == y[0]):
        return Trend("no_significant_change", 0.0, 1.0, method, years, "the values are constant", 0.0)
    tau = stats.kendalltau(t, y)
    slope = float(stats.theilslopes(y, t).slope)
    p_value = float(tau.pvalue)
    significant = p_value < VALUE_TREND_ALPHA
    reason = _verdict(significant, level="5 %")
    return Trend(
        _direction(float(tau.statistic), significant), float(tau.statistic), p_value, method, years, reason, slope
    )


def _verdict(significant: bool, level: str = "99.8 %") -> str:
    return f"significant at the {level} level" if significant else f"not significant at the {level} level"


def _poisson_year_fit(points: Sequence[TrendPoint]) -> tuple[float, float] | None:
    """β₁ and its standard error from log(μ) = log(n) + β₀ + β₁·(year − mean year); None if all x are 0."""
    x = np.array([p.numerator for p in points], dtype=float)
    if not np.any(x > 0):
        return None
    n = np.array([p.denominator for p in points], dtype=float)
    t = np.array([p.year for p in points], dtype=float)
    design = np.column_stack([np.ones_like(t), t - t.mean()])
    result = GLM(x, design, family=families.Poisson(), offset=np.log(n)).fit()
    return float(result.params[1]), float(result.bse[1])
