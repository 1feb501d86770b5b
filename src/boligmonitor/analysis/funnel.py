"""Funnel plots: control limits around a target, outliers and overdispersion (methods.md §5).

Choices (see docs/methods/intervals-and-comparisons.md §4 for the derivations):

- **Proportions**: limits p₀ ± z·√(p₀(1 − p₀)/n), clipped to [0, 1]. This is the score-test acceptance region,
  algebraically identical to PHEindicatormethods' ``sigma_adjustment()`` (R/Funnels.R), and it is exactly the
  set of shares whose Wilson interval contains p₀: a point lies outside the funnel if and only if the
  benchmark-in-CI rule calls it higher/lower at the same level.
- **Rates and counts**: the limits are where the exact Poisson test of the observed count O against the expected
  count E = n·r₀ has a tail probability of exactly α/2, as a smooth function of E: the upper count limit is the
  O* with P(Gamma(O*) ≤ E) = α/2 — for a whole count O, P(X ≥ O | E) = P(Gamma(O) ≤ E), so O > O* exactly when
  P(X ≥ O | E) < α/2 — and the lower one is O* − 1 with P(Gamma(O*) ≤ E) = 1 − α/2 (O below it exactly when
  P(X ≤ O | E) < α/2); divided by n. A point is therefore outside the funnel exactly when the exact test rejects,
  and the funnel agrees with the exact (Garwood) interval's benchmark-in-CI rule. (Interpolating between the
  Poisson quantiles, Spiegelhalter 2005's appendix, put every upper limit one event too low.)
- **Overdispersion**: φ̂ = Σzᵢ²/k over z-scores winsorised at the 10th/90th percentiles (Spiegelhalter 2005,
  *Qual Saf Health Care* 14:347). When φ̂ > 1 the caller may pass it as ``dispersion``: the distance of each
  limit from the target is multiplied by √φ̂ (the multiplicative model). φ̂ ≤ 1 never narrows the limits.
  Or, the additive random-effects model the monitor uses for its funnels (:func:`between_variance`):
  τ̂² = max(0, (kφ̂ − (k − 1)) / (Σwᵢ − Σwᵢ²/Σwᵢ)) with wᵢ = 1/sᵢ², and limits p₀ ± z·√(sᵢ² + τ̂²) (normal
  approximation; ``tau2``). Municipalities differ for real reasons, not only by chance: with a floor of τ̂² under
  the limits, a large municipality is not flagged for a difference that is ordinary among municipalities, while
  multiplicative inflation would still narrow its limits to nothing.

``target`` and the limits are in the indicator's unit: a share with ``multiplier=100`` takes and returns
per cent; with the default ``multiplier=1`` a fraction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from scipy import optimize, special  # type: ignore[import-untyped, unused-ignore]

from boligmonitor.analysis.intervals import check_level, z_value

FunnelKind = Literal["proportion", "rate"]
Side = Literal["high", "low"]

WINSOR_FRACTION = 0.10


@dataclass(frozen=True, slots=True)
class FunnelLimit:
    """The control limits at one denominator and one level, in the indicator's unit."""

    denominator: float
    level: float
    low: float
    high: float


def funnel_limits(
    target: float,
    denominators: Sequence[float],
    levels: Sequence[float] = (0.95, 0.998),
    kind: FunnelKind = "proportion",
    multiplier: float = 1.0,
    dispersion: float = 1.0,
    tau2: float = 0.0,
) -> list[FunnelLimit]:
    """Control limits for each denominator (in the given order) and each level (in the given order).

    ``tau2`` > 0 (from :func:`between_variance`, on the fraction or per-person scale) gives the additive
    random-effects limits. Raises ValueError for a denominator that is not positive, a target outside
    [0, multiplier] for proportions or below 0 for rates, or a level outside (0, 1).
    """
    base = _base_rate(target, multiplier, kind)
    return [_limit(base, n, level, kind, multiplier, dispersion, tau2) for n in denominators for level in levels]


def funnel_outliers(
    points: Sequence[tuple[str, float | None, float | None]],
    target: float,
    level: float = 0.998,
    kind: FunnelKind = "proportion",
    multiplier: float = 1.0,
    dispersion: float = 1.0,
    tau2: float = 0.0,
) -> list[tuple[str, Side, float]]:
    """Regions ``(region, x, n)`` strictly outside the funnel at ``level``: ``(region, "high"|"low", level)``.

    Points with a missing x or n, or n ≤ 0, cannot be placed on the plot and are never outliers. A point
    exactly on a limit is inside.
    """
    base = _base_rate(target, multiplier, kind)
    outliers: list[tuple[str, Side, float]] = []
    for region, x, n in points:
        if x is None or n is None or math.isnan(x) or math.isnan(n) or n <= 0:
            continue
        limit = _limit(base, n, level, kind, multiplier, dispersion, tau2)
        value = x / n * multiplier
        if value > limit.high:
            outliers.append((region, "high", level))
        elif value < limit.low:
            outliers.append((region, "low", level))
    return outliers


def overdispersion(
    points: Sequence[tuple[str, float | None, float | None]],
    target: float,
    kind: FunnelKind = "proportion",
    multiplier: float = 1.0,
) -> float:
    """Overdispersion φ̂ = Σzᵢ²/k with z-scores winsorised at 10 % in each tail (methods.md §5).

    zᵢ = (p̂ᵢ − p₀)/√(p₀(1 − p₀)/nᵢ) for proportions, (xᵢ − Eᵢ)/√Eᵢ with Eᵢ = nᵢr₀ for rates. Points with a
    missing x or n, or n ≤ 0, are left out. Raises ValueError when no point is usable or the target leaves
    no variance (p₀ of 0 or 1, r₀ of 0).
    """
    scores = [z for z, _ in _scores(points, target, kind, multiplier)]
    winsorised = winsorise(scores, WINSOR_FRACTION)
    return sum(z * z for z in winsorised) / len(winsorised)


def between_variance(
    points: Sequence[tuple[str, float | None, float | None]],
    target: float,
    kind: FunnelKind = "proportion",
    multiplier: float = 1.0,
) -> tuple[float, float]:
    """(φ̂, τ̂²): the overdispersion and the additive between-region variance (methods.md §5).

    τ̂² = max(0, (kφ̂ − (k − 1)) / (Σwᵢ − Σwᵢ²/Σwᵢ)), wᵢ = 1/sᵢ², sᵢ² = p₀(1 − p₀)/nᵢ for proportions and r₀/nᵢ for
    rates (fraction or per-person scale); 0 when φ̂ ≤ 1 (no more spread than chance). Same errors as
    :func:`overdispersion`.
    """
    scored = _scores(points, target, kind, multiplier)
    winsorised = winsorise([z for z, _ in scored], WINSOR_FRACTION)
    k = len(winsorised)
    phi = sum(z * z for z in winsorised) / k
    weights = [1.0 / variance for _, variance in scored]
    spread = sum(weights) - sum(w * w for w in weights) / sum(weights)
    if phi <= 1.0 or spread <= 0:
        return phi, 0.0
    return phi, max(0.0, (k * phi - (k - 1)) / spread)


def _scores(
    points: Sequence[tuple[str, float | None, float | None]], target: float, kind: FunnelKind, multiplier: float
) -> list[tuple[float, float]]:
    """(z-score, sampling variance sᵢ² on the fraction or per-person scale) of every usable point."""
    base = _base_rate(target, multiplier, kind)
    if (kind == "proportion" and base in (0.0, 1.0)) or base == 0.0:
        raise ValueError(f"target {target} has no sampling variance: overdispersion is undefined")
    scored: list[tuple[float, float]] = []
    for _region, x, n in points:
        if x is None or n is None or math.isnan(x) or math.isnan(n) or n <= 0:
            continue
        variance = base * (1.0 - base) / n if kind == "proportion" else base / n
        scored.append(((x / n - base) / math.sqrt(variance), variance))
    if not scored:
        raise ValueError("no usable points to estimate overdispersion")
    return scored


def winsorise(values: Sequence[float], fraction: float) -> list[float]:
    """Replace the ⌊fraction·k⌋ smallest and largest values by the nearest value kept (order preserved)."""
    if not 0.0 <= fraction < 0.5:
        raise ValueError(f"winsorising fraction must lie in [0, 0.5), got {fraction}")
    k = len(values)
    cut = math.floor(fraction * k)
    if cut == 0:
        return list(values)
    ordered = sorted(values)
    low, high = ordered[cut], ordered[k - 1 - cut]
    return [min(max(v, low), high) for v in values]


def _base_rate(target: float, multiplier: float, kind: FunnelKind) -> float:
    if multiplier <= 0:
        raise ValueError(f"multiplier must be positive, got {multiplier}")
    if kind not in ("proportion", "rate"):
        raise ValueError(f"kind must be 'proportion' or 'rate', got {kind!r}")
    base = target / multiplier
    if math.isnan(base) or base < 0 or (kind == "proportion" and base > 1):
        raise ValueError(f"target {target} is outside the possible range for a {kind} with multiplier {multiplier}")
    return base


def _limit(
    base: float, n: float, level: float, kind: FunnelKind, multiplier: float, dispersion: float, tau2: float = 0.0
) -> FunnelLimit:
    if math.isnan(n) or n <= 0:
        raise ValueError(f"a funnel denominator must be positive, got {n}")
    check_level(level)
    if tau2 < 0 or math.isnan(tau2):
        raise ValueError(f"a between-region variance cannot be negative, got {tau2}")
    inflation = math.sqrt(dispersion) if dispersion > 1 else 1.0
    if tau2 > 0:
        # Additive random effects: sampling variance plus the between-region variance, normal approximation.
        variance = (base * (1.0 - base) if kind == "proportion" else base) / n
        half_width = inflation * z_value(level) * math.sqrt(variance + tau2)
        low, high = max(0.0, base - half_width), base + half_width
        if kind == "proportion":
            high = min(1.0, high)
        return FunnelLimit(n, level, low * multiplier, high * multiplier)
    if kind == "proportion":
        half_width = inflation * z_value(level) * math.sqrt(base * (1.0 - base) / n)
        low, high = max(0.0, base - half_width), min(1.0, base + half_width)
    else:
        expected = n * base
        low_count = max(0.0, _gamma_shape((1.0 + level) / 2.0, expected) - 1.0)
        high_count = _gamma_shape((1.0 - level) / 2.0, expected)
        low = max(0.0, expected - inflation * (expected - low_count)) / n
        high = (expected + inflation * (high_count - expected)) / n
    return FunnelLimit(n, level, low * multiplier, high * multiplier)


def _gamma_shape(probability: float, expected: float) -> float:
    """The shape a with P(Gamma(a) ≤ E) = ``probability``: the count at which the exact Poisson test's tail is
    exactly that probability, continuous in E. 0 when E is 0 (no event is then expected, and any is too many)."""
    if expected == 0:
        return 0.0
    # P(Gamma(a) <= E) falls from 1 (a -> 0) to 0 (a -> infinity); bracket the root, then solve.
    high = max(1.0, 2.0 * expected)
    while special.gammainc(high, expected) > probability:
        high *= 2.0
    return float(optimize.brentq(lambda a: special.gammainc(a, expected) - probability, 1e-12, high, xtol=1e-12))
