"""Empirical-Bayes shrinkage of municipal shares and rates, for rankings (methods.md §9.3).

A share of 3 out of 40 in a small municipality is mostly chance; ranked as it stands, the smallest
municipalities fill both ends of a league table (Goldstein and Spiegelhalter 1996). Shrinkage pulls each
municipality's value towards the distribution of all municipalities, the more the fewer people it rests on:

* shares (x of n): a Beta(a, b) prior fitted to the municipal shares by the method of moments — mean μ of the
  shares, between-municipality variance v = variance of the shares minus their average binomial variance
  μ(1 − μ)/nᵢ, then a + b = μ(1 − μ)/v − 1 and a = μ(a + b) — and p̃ᵢ = (xᵢ + a) / (nᵢ + a + b);
* rates (x events among n people): the Poisson–gamma analogue (Clayton and Kaldor 1987), a Gamma(α, β)
  prior on the rate per person with mean μ and between variance v = variance of the rates minus μ/nᵢ on
  average, α = μ²/v, β = μ/v, and r̃ᵢ = (xᵢ + α) / (nᵢ + β).

a + b (or β) reads as the number of people the prior is worth: a municipality of that size is pulled half way.
When the municipalities differ no more than chance makes them (v ≤ 0) every value becomes the mean: the
indicator then says nothing about which municipality has the larger challenge.

:func:`posterior_draws` draws values from each municipality's posterior (Beta(xᵢ + a, nᵢ − xᵢ + b), or
Gamma(xᵢ + α, nᵢ + β)), so a sensitivity analysis can include the sampling noise of every value; without a
prior it draws from Beta(xᵢ + ½, nᵢ − xᵢ + ½) or Gamma(xᵢ + ½, nᵢ), the Jeffreys posteriors.
Pure functions on numpy arrays: no database, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
PriorKind = Literal["beta", "gamma"]

# Fewer municipalities than this give no usable estimate of how much they really differ.
MIN_REGIONS_FOR_PRIOR = 5


@dataclass(frozen=True)
class Prior:
    """The fitted distribution of the municipalities' true shares (``beta``) or rates per person (``gamma``).

    ``strength`` is a + b (beta) or β (gamma): the number of people the prior counts as; infinite when the
    municipalities differ no more than chance makes them (``between_variance`` 0).
    """

    kind: PriorKind
    mean: float
    between_variance: float
    strength: float
    n_regions: int

    @property
    def alpha(self) -> float:
        """a of Beta(a, b), or the shape α of Gamma(α, β)."""
        return self.mean * self.strength

    @property
    def beta(self) -> float:
        """b of Beta(a, b), or the rate β of Gamma(α, β)."""
        return (1.0 - self.mean) * self.strength if self.kind == "beta" else self.strength


def _usable(numerators: FloatArray, denominators: FloatArray, kind: PriorKind) -> npt.NDArray[np.bool_]:
    x, n = np.asarray(numerators, dtype=float), np.asarray(denominators, dtype=float)
    usable = np.isfinite(x) & np.isfinite(n) & (n > 0) & (x >= 0)
    if kind == "beta":
        usable &= x <= n
    return np.asarray(usable, dtype=np.bool_)


def fit_prior(numerators: FloatArray, denominators: FloatArray, kind: PriorKind) -> Prior | None:
    """The prior fitted to the municipalities with a count and a positive denominator; None when fewer than
    :data:`MIN_REGIONS_FOR_PRIOR` have one, or the mean is 0 (or 1 for shares): nothing to shrink towards."""
    usable = _usable(numerators, denominators, kind)
    x, n = np.asarray(numerators, dtype=float)[usable], np.asarray(denominators, dtype=float)[usable]
    if x.size < MIN_REGIONS_FOR_PRIOR:
        return None
    values = x / n
    mean = float(values.mean())
    if mean <= 0 or (kind == "beta" and mean >= 1):
        return None
    chance = float(np.mean(mean * (1.0 - mean) / n)) if kind == "beta" else float(np.mean(mean / n))
    between = float(values.var(ddof=1)) - chance
    if between <= 0:
        return Prior(kind, mean, 0.0, math.inf, int(x.size))
    strength = mean * (1.0 - mean) / between - 1.0 if kind == "beta" else mean / between
    if strength <= 0:  # more spread than a Beta with this mean can have: the data are left as they are
        return Prior(kind, mean, between, 0.0, int(x.size))
    return Prior(kind, mean, between, strength, int(x.size))


def shrink(numerators: FloatArray, denominators: FloatArray, prior: Prior) -> FloatArray:
    """Each municipality's posterior mean share (or rate per person); NaN where it has no usable count."""
    x, n = np.asarray(numerators, dtype=float), np.asarray(denominators, dtype=float)
    usable = _usable(x, n, prior.kind)
    result = np.full(x.shape, np.nan)
    if math.isinf(prior.strength):
        result[usable] = prior.mean
    else:
        result[usable] = (x[usable] + prior.alpha) / (n[usable] + prior.strength)
    return result


def posterior_draws(
    numerators: FloatArray,
    denominators: FloatArray,
    kind: PriorKind,
    prior: Prior | None,
    size: int,
    rng: np.random.Generator,
) -> FloatArray:
    """``size`` draws (rows) of every municipality's share or rate per person (columns) from its posterior;
    NaN columns where a municipality has no usable count."""
    x, n = np.asarray(numerators, dtype=float), np.asarray(denominators, dtype=float)
    usable = _usable(x, n, kind)
    draws = np.full((size, x.size), np.nan)
    if not usable.any():
        return draws
    xu, nu = x[usable], n[usable]
    if prior is not None and math.isinf(prior.strength):
        draws[:, usable] = prior.mean
        return draws
    alpha, beta = (prior.alpha, prior.beta) if prior is not None and prior.strength > 0 else (0.5, 0.5)
    if kind == "beta":
        draws[:, usable] = rng.beta(xu + alpha, nu - xu + beta, size=(size, xu.size))
    else:
        rate = nu + (beta if prior is not None and prior.strength > 0 else 0.0)
        draws[:, usable] = rng.gamma(xu + alpha, 1.0 / rate, size=(size, xu.size))
    return draws


__all__ = ["MIN_REGIONS_FOR_PRIOR", "Prior", "PriorKind", "fit_prior", "posterior_draws", "shrink"]
