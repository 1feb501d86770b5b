"""Trend-break test: interrupted time series by segmented regression (`shared/docs/methods.md` §7).

Model, with t = year − T₀ and D = 1 from the tested year T₀ on::

    y = β₀ + β₁·t + β₂·D + β₃·(t − T₀)·D

β₂ is the level change at T₀ and β₃ the slope change. ``kind`` chooses the model:

* ``"value"``: OLS on the values; Newey–West (HAC, maxlags 1, small-sample correction) standard errors when
  ``hac`` is true, with t-distribution p-values and intervals; Durbin–Watson of the residuals is reported.
  HAC errors are liberal with short series: with 20 independent annual points the false-positive rate of
  the level-change test at 5 % is about 13 % (seeded simulation, see tests), against about 6 % with
  ``hac=False``. The caveats say so;
* ``"count"``: Poisson GLM on the numerators with a log(denominator) offset; coefficients are on the log
  scale (exp(β₂) is the rate ratio at T₀); HAC standard errors when ``hac`` is true (also robust to
  overdispersion);
* ``"proportion"``: binomial GLM on (numerator, denominator − numerator); coefficients are on the logit
  scale (exp(β₂) is an odds ratio).

The test is refused (``computed`` false, with a reason) when fewer than 3 usable years lie on either side of
T₀, or when a flagged series break lies inside the window at any year other than T₀: a definitional
break must be marked, not estimated as an effect. Every computed result carries the mandatory caveats of
§7 (few points, autocorrelation, concurrent events).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats  # type: ignore[import-untyped]
from statsmodels.genmod import families  # type: ignore[import-untyped]
from statsmodels.genmod.generalized_linear_model import GLM  # type: ignore[import-untyped]
from statsmodels.regression.linear_model import OLS  # type: ignore[import-untyped]
from statsmodels.stats.stattools import durbin_watson  # type: ignore[import-untyped]

from boligmonitor.analysis.trends import TrendPoint

BreakKind = Literal["value", "proportion", "count"]

MIN_POINTS_PER_SIDE = 3
HAC_MAXLAGS = 1

CONCURRENT_EVENTS = (
    "the 2016–2017 refugee-settlement peak, the 2020 municipal reform, COVID-19, the 2024 municipal splits, "
    "the 2020 merger of psyk/rus categories in KOSTRA skjema 13 and the 2022 temporary bostøtte changes"
)


@dataclass(frozen=True, slots=True)
class Estimate:
    """A coefficient on the model's scale with standard error, confidence interval and two-sided p-value."""

    estimate: float
    std_error: float
    lower: float
    upper: float
    p_value: float


@dataclass(frozen=True, slots=True)
class BreakResult:
    """Outcome of :func:`trend_break_test`; when ``computed`` is false only ``reason`` and counts are set."""

    break_year: int
    kind: BreakKind
    computed: bool
    reason: str
    method: str
    scale: str
    n_before: int
    n_after: int
    years: tuple[int, ...]
    level_change: Estimate | None = None
    slope_change: Estimate | None = None
    pre_slope: Estimate | None = None
    post_slope: Estimate | None = None
    durbin_watson: float | None = None
    caveats: tuple[str, ...] = ()


_SCALE: dict[BreakKind, str] = {
    "value": "identity (units of the value)",
    "count": "log (exp of a coefficient is a rate ratio)",
    "proportion": "logit (exp of a coefficient is an odds ratio)",
}


def trend_break_test(
    points: Sequence[TrendPoint],
    break_year: int,
    kind: BreakKind = "value",
    hac: bool = False,
    confidence: float = 0.95,
) -> BreakResult:
    """Segmented regression with the intervention at ``break_year`` (methods.md §7).

    Model-based standard errors are the default: with ~20 annual points, Newey–West (``hac=True``) rejected a
    true null 13–18 % of the time at 5 % in our simulations, against ~6 % model-based. Durbin–Watson is reported
    so that autocorrelation can be judged; ``hac=True`` remains available as a sensitivity check.
    """
    method = _method(kind, hac)
    used = [p for p in sorted(points, key=lambda p: p.year) if _usable(p, kind)]
    years = tuple(p.year for p in used)
    n_before = sum(1 for y in years if y < break_year)
    n_after = len(years) - n_before

    def refuse(reason: str) -> BreakResult:
        return BreakResult(break_year, kind, False, reason, method, _SCALE[kind], n_before, n_after, years)

    if n_before < MIN_POINTS_PER_SIDE or n_after < MIN_POINTS_PER_SIDE:
        return refuse(
            f"needs at least {MIN_POINTS_PER_SIDE} years on each side of {break_year}; "
            f"has {n_before} before and {n_after} from {break_year} on"
        )
    other_breaks = [p.year for p in used[1:] if p.series_break and p.year != break_year]
    if other_breaks:
        return refuse(
            f"flagged series break in {', '.join(map(str, other_breaks))} inside the window: "
            "a definitional break must be marked, not estimated as an effect"
        )

    t = np.array(years, dtype=float) - break_year
    after = (t >= 0).astype(float)
    design = np.column_stack([np.ones_like(t), t, after, t * after])
    result = _fit(used, design, kind, hac)
    params = np.asarray(result.params, dtype=float)
    cov = np.asarray(result.cov_params(), dtype=float)
    df = float(result.df_resid) if kind == "value" else None
    post = np.array([0.0, 1.0, 0.0, 1.0])
    dw = float(durbin_watson(np.asarray(result.resid, dtype=float))) if kind == "value" else None
    flagged_at_break = any(p.series_break and p.year == break_year for p in used)
    return BreakResult(
        break_year=break_year,
        kind=kind,
        computed=True,
        reason="computed",
        method=method,
        scale=_SCALE[kind],
        n_before=n_before,
        n_after=n_after,
        years=years,
        level_change=_estimate(params, cov, np.array([0.0, 0.0, 1.0, 0.0]), confidence, df),
        slope_change=_estimate(params, cov, np.array([0.0, 0.0, 0.0, 1.0]), confidence, df),
        pre_slope=_estimate(params, cov, np.array([0.0, 1.0, 0.0, 0.0]), confidence, df),
        post_slope=_estimate(params, cov, post, confidence, df),
        durbin_watson=dw,
        caveats=_caveats(n_before, n_after, hac, dw, flagged_at_break, break_year),
    )


def placebo_tests(
    points: Sequence[TrendPoint],
    years: Iterable[int],
    kind: BreakKind = "value",
    hac: bool = False,
    confidence: float = 0.95,
) -> list[BreakResult]:
    """The same test at other (placebo) years, e.g. 2011 and 2017, to show next to the pre-specified one."""
    return [trend_break_test(points, year, kind=kind, hac=hac, confidence=confidence) for year in years]


def _method(kind: BreakKind, hac: bool) -> str:
    errors = "Newey–West HAC (maxlags 1)" if hac else "model-based"
    model = {
        "value": "segmented OLS",
        "count": "segmented Poisson GLM with log(denominator) offset",
        "proportion": "segmented binomial GLM",
    }[kind]
    return f"{model}, {errors} standard errors"


def _usable(point: TrendPoint, kind: BreakKind) -> bool:
    if kind == "value":
        return point.value is not None and math.isfinite(point.value)
    return point.numerator is not None and point.denominator is not None and point.denominator > 0


def _fit(points: Sequence[TrendPoint], design: np.ndarray[Any, Any], kind: BreakKind, hac: bool) -> Any:
    covariance: dict[str, Any] = (
        {"cov_type": "HAC", "cov_kwds": {"maxlags": HAC_MAXLAGS, "use_correction": True}} if hac else {}
    )
    if kind == "value":
        y = np.array([p.value for p in points], dtype=float)
        # t-based inference even with HAC: with a handful of points the normal approximation is too liberal.
        return OLS(y, design).fit(use_t=True, **covariance)
    x = np.array([p.numerator for p in points], dtype=float)
    n = np.array([p.denominator for p in points], dtype=float)
    if kind == "count":
        return GLM(x, design, family=families.Poisson(), offset=np.log(n)).fit(**covariance)
    successes_failures = np.column_stack([x, n - x])
    return GLM(successes_failures, design, family=families.Binomial()).fit(**covariance)


def _estimate(
    params: np.ndarray[Any, Any],
    cov: np.ndarray[Any, Any],
    contrast: np.ndarray[Any, Any],
    confidence: float,
    df: float | None,
) -> Estimate:
    value = float(contrast @ params)
    se = float(math.sqrt(max(float(contrast @ cov @ contrast), 0.0)))
    distribution = stats.t(df) if df is not None else stats.norm
    critical = float(distribution.ppf(0.5 + confidence / 2))
    p_value = float(2 * distribution.sf(abs(value / se))) if se > 0 else float("nan")
    return Estimate(value, se, value - critical * se, value + critical * se, p_value)


def _caveats(
    n_before: int, n_after: int, hac: bool, dw: float | None, flagged_at_break: bool, break_year: int
) -> tuple[str, ...]:
    caveats = [
        f"Few points: {n_before} years before and {n_after} from {break_year} on; power is low, so read the "
        "confidence intervals, not only the p-values, and prefer national or county series.",
        (
            "Autocorrelation: "
            + (f"Durbin–Watson of the residuals is {dw:.2f} (about 2 means none). " if dw is not None else "")
            + (
                "Newey–West (HAC) standard errors are used; with few years they are too small (in simulations "
                "with 20 independent years about 13 % of tests were significant at 5 % without any break), so "
                "compare with hac=False and read p-values near 0.05 as inconclusive."
                if hac
                else "Model-based standard errors assume independent years."
            )
        ),
        f"Concurrent events can mimic a break: {CONCURRENT_EVENTS}. Compare with placebo years and, where "
        "data allow, a control series.",
        "Geography must be harmonised first: a change of municipality codes must never look like a break.",
    ]
    if flagged_at_break:
        caveats.append(
            f"The series has a flagged definitional break in {break_year}: the level change includes that "
            "change of definition and cannot be read as an effect."
        )
    return tuple(caveats)
