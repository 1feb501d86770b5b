"""Empirical-Bayes shrinkage of small-number shares and rates (methods.md §9.3). All data are SYNTHETIC."""

from __future__ import annotations

import math

import numpy as np
import pytest

from boligmonitor.analysis.indicator_model.scoring import normalise, normalise_rows
from boligmonitor.analysis.shrinkage import MIN_REGIONS_FOR_PRIOR, fit_prior, posterior_draws, shrink


def synthetic_shares(seed: int = 1, regions: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """SYNTHETIC municipalities: true shares from Beta(20, 80) (mean 0.2, strength 100), sizes 50–50 000."""
    rng = np.random.default_rng(seed)
    sizes = np.round(np.exp(rng.uniform(np.log(50), np.log(50_000), regions))).astype(np.float64)
    truth = rng.beta(20, 80, regions)
    return rng.binomial(sizes.astype(int), truth).astype(float), sizes


def test_the_beta_prior_fitted_by_moments_recovers_the_true_distribution() -> None:
    x, n = synthetic_shares()
    prior = fit_prior(x, n, "beta")
    assert prior is not None and prior.kind == "beta" and prior.n_regions == 400
    assert prior.mean == pytest.approx(0.2, abs=0.01)
    assert prior.strength == pytest.approx(100, rel=0.25)
    assert prior.alpha == pytest.approx(prior.mean * prior.strength)
    assert prior.alpha + prior.beta == pytest.approx(prior.strength)


def test_shrinkage_pulls_small_municipalities_much_more_than_large_ones() -> None:
    x, n = synthetic_shares()
    prior = fit_prior(x, n, "beta")
    assert prior is not None
    small, large = np.array([3.0, 3_000.0]), np.array([40.0, 40_000.0])  # the same share, 7.5 %
    shrunk = shrink(small, large, prior)
    assert shrunk[0] == pytest.approx((3 + prior.alpha) / (40 + prior.strength))
    assert abs(shrunk[0] - prior.mean) < abs(0.075 - prior.mean) / 2  # pulled more than half way
    assert shrunk[1] == pytest.approx(0.075, abs=0.001)  # 40 000 people: hardly moved
    # Shrinkage cuts the error against the truth, on average, for the small municipalities.
    rng = np.random.default_rng(7)
    truth = rng.beta(20, 80, 2_000)
    sizes = np.full(2_000, 30.0)
    counts = rng.binomial(30, truth).astype(float)
    raw_error = np.mean((counts / sizes - truth) ** 2)
    shrunk_error = np.mean((shrink(counts, sizes, prior) - truth) ** 2)
    assert shrunk_error < raw_error / 2


def test_no_variation_beyond_chance_shrinks_every_value_to_the_mean() -> None:
    rng = np.random.default_rng(3)
    n = np.full(50, 1_000.0)
    x = np.resize([295.0, 300.0, 305.0], 50)  # spread far less than binomial noise alone would give
    prior = fit_prior(x, n, "beta")
    assert prior is not None and prior.between_variance == 0 and math.isinf(prior.strength)
    assert np.allclose(shrink(x, n, prior), prior.mean)
    draws = posterior_draws(x, n, "beta", prior, 5, rng)
    assert np.allclose(draws, prior.mean)


def test_no_prior_without_enough_municipalities_or_with_nothing_to_shrink_towards() -> None:
    few = MIN_REGIONS_FOR_PRIOR - 1
    assert fit_prior(np.ones(few), np.full(few, 10.0), "beta") is None
    assert fit_prior(np.zeros(20), np.full(20, 10.0), "beta") is None  # mean 0
    assert fit_prior(np.full(20, 10.0), np.full(20, 10.0), "beta") is None  # mean 1
    # Missing counts, zero denominators and shares above 1 are left out of the fit, never taken as zero.
    x, n = synthetic_shares(regions=30)
    gaps_x = np.concatenate([x, np.array([np.nan, 5.0, 12.0])])
    gaps_n = np.concatenate([n, np.array([100.0, 0.0, 10.0])])
    with_gaps = fit_prior(gaps_x, gaps_n, "beta")
    assert with_gaps is not None and with_gaps.n_regions == 30


def test_the_gamma_prior_shrinks_rates_of_events_among_people() -> None:
    rng = np.random.default_rng(5)
    people = np.round(np.exp(rng.uniform(np.log(200), np.log(100_000), 300))).astype(np.float64)
    true_rates = rng.gamma(8.0, 0.004 / 8.0, 300)  # mean 4 per 1 000, shape 8: strength 2 000 people
    events = rng.poisson(people * true_rates).astype(float)
    prior = fit_prior(events, people, "gamma")
    assert prior is not None and prior.kind == "gamma"
    assert prior.mean == pytest.approx(0.004, rel=0.1)
    assert prior.strength == pytest.approx(2_000, rel=0.4)
    assert prior.beta == prior.strength and prior.alpha == pytest.approx(prior.mean * prior.strength)
    shrunk = shrink(np.array([0.0, 400.0]), np.array([300.0, 100_000.0]), prior)
    assert shrunk[0] > 0  # no events among 300 people is not a rate of zero
    assert shrunk[0] == pytest.approx(prior.alpha / (300 + prior.strength))
    assert shrunk[1] == pytest.approx(0.004, rel=0.05)


def test_posterior_draws_centre_on_the_shrunk_value_and_spread_with_small_numbers() -> None:
    x, n = synthetic_shares()
    prior = fit_prior(x, n, "beta")
    rng = np.random.default_rng(11)
    counts, sizes = np.array([3.0, 3_000.0, np.nan]), np.array([40.0, 40_000.0, 100.0])
    draws = posterior_draws(counts, sizes, "beta", prior, 20_000, rng)
    assert draws.shape == (20_000, 3)
    assert np.isnan(draws[:, 2]).all()  # no count: nothing drawn, nothing invented
    assert prior is not None
    assert draws[:, 0].mean() == pytest.approx(shrink(counts, sizes, prior)[0], abs=0.003)
    assert draws[:, 0].std() > 10 * draws[:, 1].std()
    jeffreys = posterior_draws(counts, sizes, "beta", None, 20_000, rng)  # without a prior: Beta(x + ½, n − x + ½)
    assert jeffreys[:, 0].mean() == pytest.approx(3.5 / 41, abs=0.003)
    gamma = posterior_draws(np.array([2.0]), np.array([1_000.0]), "gamma", None, 20_000, rng)
    assert gamma.mean() == pytest.approx(2.5 / 1_000, rel=0.05)


@pytest.mark.parametrize("method", ["zscore", "minmax", "rank"])
def test_normalising_many_draws_at_once_equals_normalising_each(method: str) -> None:
    rng = np.random.default_rng(2)
    values = rng.normal(size=(6, 9))
    values[:, 4] = np.nan  # a municipality without a value stays without one
    values[2] = 1.5  # a draw in which nothing varies
    values[2, 4] = np.nan
    values[3, :3] = values[3, 0]  # ties
    rows = normalise_rows(values, method)  # type: ignore[arg-type]
    for d in range(values.shape[0]):
        assert np.allclose(rows[d], normalise(values[d], method), equal_nan=True)  # type: ignore[arg-type]
