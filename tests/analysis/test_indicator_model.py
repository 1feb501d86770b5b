"""The indicator model on SYNTHETIC values, hand-computed (docs/methods/indicator-model.md).

Four made-up municipalities A–D and two indicators:

* X = 1, 3, 5, 7 — mean 4, population SD √5; min–max and percentile rank both 0, 1/3, 2/3, 1;
* Y = 8, 2, 4, 2 — mean 4, population SD √6; min–max 1, 0, 1/3, 0; percentile rank 1, 1/6, 2/3, 1/6
  (B and D tie at average rank 1.5).
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from boligmonitor.analysis.indicator_model.scoring import (
    NORMALISATIONS,
    ModelIndicator,
    ModelResult,
    ModelSpec,
    SampledValues,
    competition_ranks,
    normalise,
    score,
    sensitivity,
)
from boligmonitor.core.errors import InputError

Values = dict[str, dict[str, float | None]]
REGIONS = ("A", "B", "C", "D")
SYNTHETIC_VALUES: Values = {
    "X": {"A": 1.0, "B": 3.0, "C": 5.0, "D": 7.0},
    "Y": {"A": 8.0, "B": 2.0, "C": 4.0, "D": 2.0},
}
R5, R6 = math.sqrt(5), math.sqrt(6)


def two_indicator_spec(normalisation: str = "zscore", x_weight: float = 1.0, y_weight: float = 1.0) -> ModelSpec:
    return ModelSpec(
        indicators=(ModelIndicator("X", x_weight, 1), ModelIndicator("Y", y_weight, 1)),
        normalisation=normalisation,  # type: ignore[arg-type]
        name="synthetic",
    )


def ranks(result: ModelResult) -> dict[str, int | None]:
    return {row.region: row.rank for row in result.rows}


def scores(result: ModelResult) -> dict[str, float | None]:
    return {row.region: row.score for row in result.rows}


HAND_COMPUTED = {
    "zscore": {
        "A": (-3 / R5 + 4 / R6) / 2,
        "B": (-1 / R5 - 2 / R6) / 2,
        "C": (1 / R5 + 0) / 2,
        "D": (3 / R5 - 2 / R6) / 2,
    },
    "minmax": {"A": (0 + 1) / 2, "B": (1 / 3 + 0) / 2, "C": (2 / 3 + 1 / 3) / 2, "D": (1 + 0) / 2},
    "rank": {"A": (0 + 1) / 2, "B": (1 / 3 + 1 / 6) / 2, "C": (2 / 3 + 2 / 3) / 2, "D": (1 + 1 / 6) / 2},
}
HAND_RANKS = {
    "zscore": {"D": 1, "C": 2, "A": 3, "B": 4},
    # A, C and D all score exactly 0.5: they share rank 1 and the next rank is 4 (competition ranking).
    "minmax": {"A": 1, "C": 1, "D": 1, "B": 4},
    "rank": {"C": 1, "D": 2, "A": 3, "B": 4},
}


@pytest.mark.parametrize("method", NORMALISATIONS)
def test_scores_and_ranks_match_the_hand_computation(method: str) -> None:
    result = score(two_indicator_spec(method), SYNTHETIC_VALUES, REGIONS)
    assert scores(result) == pytest.approx(HAND_COMPUTED[method])
    assert ranks(result) == HAND_RANKS[method]
    assert [row.rank for row in result.rows] == sorted(HAND_RANKS[method].values())


@pytest.mark.parametrize("method", NORMALISATIONS)
def test_contributions_sum_to_the_score(method: str) -> None:
    result = score(two_indicator_spec(method, x_weight=3, y_weight=1), SYNTHETIC_VALUES, REGIONS)
    for row in result.rows:
        assert row.score is not None
        assert sum(part.contribution or 0.0 for part in row.parts) == pytest.approx(row.score)
        assert [part.weight_share for part in row.parts] == pytest.approx([0.75, 0.25])


def test_normalised_values_and_indicator_summary() -> None:
    result = score(two_indicator_spec("minmax"), SYNTHETIC_VALUES, REGIONS)
    assert [result.row(code).part("Y").normalised for code in REGIONS] == pytest.approx([1, 0, 1 / 3, 0])
    summary = result.indicators[1]
    assert (summary.key, summary.mean, summary.sd, summary.minimum, summary.maximum) == ("Y", 4.0, R6, 2.0, 8.0)
    assert summary.weight_share == 0.5
    assert result.available_weight_share == 1.0


def test_normalise_handles_constant_values_and_missing() -> None:
    constant = np.array([2.0, 2.0, np.nan, 2.0])
    assert np.isnan(normalise(constant, "zscore")[2])
    assert list(normalise(constant, "zscore")[[0, 1, 3]]) == [0.0, 0.0, 0.0]
    assert list(normalise(constant, "minmax")[[0, 1, 3]]) == [0.5, 0.5, 0.5]
    assert list(normalise(constant, "rank")[[0, 1, 3]]) == [0.5, 0.5, 0.5]
    with pytest.raises(ValueError, match="every value is missing"):
        normalise(np.array([np.nan, np.nan]), "zscore")


def test_competition_ranks_treat_floating_point_noise_as_a_tie() -> None:
    assert list(competition_ranks(np.array([0.3, 0.1 + 0.2, 0.9, 0.1]))) == [2, 2, 1, 4]


@pytest.mark.parametrize("method", NORMALISATIONS)
def test_flipping_every_direction_reverses_the_order(method: str) -> None:
    values: Values = {"X": SYNTHETIC_VALUES["X"], "Y": {"A": 8.0, "B": 2.0, "C": 4.0, "D": 3.0}}
    spec = two_indicator_spec(method, y_weight=1.7)  # a weight no pair of scores can tie under
    forward = score(spec, values, REGIONS)
    flipped_spec = spec.with_direction("X", -1).with_direction("Y", -1)
    backward = score(flipped_spec, values, REGIONS)
    assert [row.region for row in backward.rows] == [row.region for row in reversed(forward.rows)]


def test_flipping_one_indicator_reverses_its_normalised_values() -> None:
    spec = ModelSpec((ModelIndicator("X", 1.0, -1),), normalisation="minmax")
    result = score(spec, SYNTHETIC_VALUES, REGIONS)
    assert [row.region for row in result.rows] == ["A", "B", "C", "D"]
    assert [result.row(code).part("X").normalised for code in REGIONS] == pytest.approx([1, 2 / 3, 1 / 3, 0])


def test_doubling_a_weight_changes_the_ranking_as_documented() -> None:
    """score = Σ wₖ·Iₖ / Σ wₖ: doubling Y gives (z_X + 2·z_Y) / 3, which lifts A (high on Y) from 3rd to 1st."""
    equal = score(two_indicator_spec("zscore"), SYNTHETIC_VALUES, REGIONS)
    doubled = score(two_indicator_spec("zscore", y_weight=2), SYNTHETIC_VALUES, REGIONS)
    expected = {
        "A": (-3 / R5 + 2 * 4 / R6) / 3,
        "B": (-1 / R5 + 2 * -2 / R6) / 3,
        "C": (1 / R5 + 0) / 3,
        "D": (3 / R5 + 2 * -2 / R6) / 3,
    }
    assert scores(doubled) == pytest.approx(expected)
    assert ranks(equal) == {"D": 1, "C": 2, "A": 3, "B": 4}
    assert ranks(doubled) == {"A": 1, "C": 2, "D": 3, "B": 4}
    assert doubled.indicators[1].weight_share == pytest.approx(2 / 3)


WITH_GAP: Values = {
    **SYNTHETIC_VALUES,
    "Z": {"A": 1.0, "B": 2.0, "C": 3.0, "D": None},  # SYNTHETIC: D has no value for Z
}


def three_indicator_spec(min_coverage: float, basis: str = "weight") -> ModelSpec:
    return ModelSpec(
        indicators=(ModelIndicator("X", 1, 1), ModelIndicator("Y", 1, 1), ModelIndicator("Z", 2, 1)),
        min_coverage=min_coverage,
        coverage_basis=basis,  # type: ignore[arg-type]
        name="synthetic",
    )


def test_coverage_below_the_minimum_is_not_ranked_and_says_why() -> None:
    result = score(three_indicator_spec(0.75), WITH_GAP, REGIONS)
    d = result.row("D")
    assert (d.rank, d.score, d.coverage, d.missing) == (None, None, 0.5, ("Z",))
    assert d.reason is not None
    assert "50%" in d.reason
    assert "75%" in d.reason
    assert "Z" in d.reason
    assert result.rows[-1] is d
    assert [row.region for row in result.not_ranked] == ["D"]
    assert sorted(row.rank or 0 for row in result.ranked) == [1, 2, 3]
    assert d.part("X").normalised == pytest.approx(3 / R5)  # shown, but not turned into a score
    assert d.part("X").contribution is None


def test_coverage_counted_over_indicators() -> None:
    result = score(three_indicator_spec(0.7, basis="count"), WITH_GAP, REGIONS)
    assert result.row("D").coverage == pytest.approx(2 / 3)
    assert not result.row("D").ranked


def test_missing_values_are_not_imputed_but_weights_renormalised_and_reported() -> None:
    result = score(three_indicator_spec(0.5), WITH_GAP, REGIONS)
    d = result.row("D")
    assert d.ranked
    assert d.renormalised
    assert d.missing == ("Z",)
    z_part = d.part("Z")
    assert (z_part.value, z_part.normalised, z_part.weight_share, z_part.contribution) == (None, None, None, None)
    # D is scored on X and Y alone, each with half of its own weight: the two-indicator score of D.
    assert d.score == pytest.approx(HAND_COMPUTED["zscore"]["D"])
    assert [d.part(key).weight_share for key in ("X", "Y")] == [0.5, 0.5]
    # Z is normalised over A, B and C only (mean 2, not pulled towards a guessed value for D).
    z = result.indicators[2]
    assert (z.n_values, z.mean) == (3, 2.0)
    a = result.row("A")
    assert a.part("Z").weight_share == 0.5
    assert not a.renormalised


def test_an_indicator_without_data_is_left_out_and_reported() -> None:
    spec = ModelSpec(
        (ModelIndicator("X", 1, 1), ModelIndicator("Y", 1, 1), ModelIndicator("H", 2, -1)), name="synthetic"
    )
    values: Values = {**SYNTHETIC_VALUES, "H": {"A": 5.0}}  # SYNTHETIC: one value is too few to normalise
    result = score(spec, values, REGIONS)
    (h,) = result.unavailable
    assert (h.key, h.available, h.n_values, h.weight_share) == ("H", False, 1, 0.0)
    assert h.reason is not None
    assert "1 of 4" in h.reason
    assert result.available_weight_share == 0.5
    assert scores(result) == pytest.approx(HAND_COMPUTED["zscore"])
    assert all(row.ranked and not row.missing for row in result.rows)


def test_values_for_other_regions_are_ignored() -> None:
    values = {key: {**row, "E": 1000.0} for key, row in SYNTHETIC_VALUES.items()}
    assert scores(score(two_indicator_spec(), values, REGIONS)) == pytest.approx(HAND_COMPUTED["zscore"])


def test_bad_model_input_is_rejected_with_the_field_named() -> None:
    with pytest.raises(InputError) as error:
        ModelSpec((ModelIndicator("X", -1, 1), ModelIndicator("X", 1, 1)), normalisation="mean", min_coverage=1.5)  # type: ignore[arg-type]
    fields = {problem.field for problem in error.value.problems}
    assert fields == {"indicators", "weights.X", "normalisation", "min_coverage"}
    with pytest.raises(InputError, match="at least 2 municipalities"):
        score(two_indicator_spec(), SYNTHETIC_VALUES, ["A"])
    with pytest.raises(InputError, match="listed twice"):
        score(two_indicator_spec(), SYNTHETIC_VALUES, ["A", "B", "A"])
    with pytest.raises(InputError, match="infinite"):
        score(two_indicator_spec(), {**SYNTHETIC_VALUES, "X": {"A": math.inf, "B": 1.0}}, REGIONS)
    with pytest.raises(InputError, match="none of the model's indicators"):
        score(two_indicator_spec(), {}, REGIONS)


def test_sensitivity_is_deterministic_and_contains_the_point_rank() -> None:
    values: Values = {**SYNTHETIC_VALUES, "W": {"A": 3.0, "B": 9.0, "C": 1.0, "D": 4.0}}
    spec = ModelSpec(
        (ModelIndicator("X", 1, 1), ModelIndicator("Y", 2, 1), ModelIndicator("W", 1, -1)), name="synthetic"
    )
    first = sensitivity(spec, values, REGIONS, n=500, seed=7)
    again = sensitivity(spec, values, REGIONS, n=500, seed=7)
    assert first == again
    point = ranks(score(spec, values, REGIONS))
    for code, interval in first.items():
        assert interval.point_rank == point[code]
        assert interval.low <= interval.p05 <= interval.median <= interval.p95 <= interval.high
        assert interval.low <= interval.point_rank <= interval.high
        assert interval.draws == 500
    assert any(interval.high > interval.low for interval in first.values())  # the draws do move the ranks
    other_seed = sensitivity(spec, values, REGIONS, n=500, seed=8)
    assert {c: i.point_rank for c, i in other_seed.items()} == {c: i.point_rank for c, i in first.items()}


def test_a_municipality_dominating_every_indicator_has_rank_interval_one_to_one() -> None:
    values: Values = {
        "X": {"A": 1.0, "B": 3.0, "C": 5.0, "D": 7.0, "E": 9.0},
        "Y": {"A": 8.0, "B": 2.0, "C": 4.0, "D": 2.0, "E": 8.5},
        "W": {"A": 3.0, "B": 9.0, "C": 1.0, "D": 4.0, "E": 0.5},  # direction −1: E's low value dominates too
    }
    spec = ModelSpec((ModelIndicator("X", 1, 1), ModelIndicator("Y", 2, 1), ModelIndicator("W", 1, -1)))
    intervals = sensitivity(spec, values, [*REGIONS, "E"], n=1000, seed=1)
    e = intervals["E"]
    assert (e.point_rank, e.low, e.p05, e.median, e.p95, e.high, e.share_top_fifth) == (1, 1, 1, 1.0, 1, 1, 1.0)


def test_sensitivity_skips_unranked_municipalities_and_rejects_bad_settings() -> None:
    intervals = sensitivity(three_indicator_spec(0.75), WITH_GAP, REGIONS, n=50)
    assert sorted(intervals) == ["A", "B", "C"]
    with pytest.raises(InputError, match="draws"):
        sensitivity(two_indicator_spec(), SYNTHETIC_VALUES, REGIONS, n=0)
    with pytest.raises(InputError, match="spread"):
        sensitivity(two_indicator_spec(), SYNTHETIC_VALUES, REGIONS, spread=1.0)


def test_sensitivity_of_a_county_sized_model_is_fast() -> None:
    """SYNTHETIC: 60 municipalities × 12 indicators with 10 % missing; 1 000 draws well within a second."""
    rng = np.random.default_rng(3)
    regions = [f"M{i:02d}" for i in range(60)]
    values: Values = {
        f"I{k:02d}": {code: (None if rng.random() < 0.1 else float(rng.normal())) for code in regions}
        for k in range(12)
    }
    spec = ModelSpec(tuple(ModelIndicator(key, 1.0 + k % 3, 1 if k % 2 else -1) for k, key in enumerate(values)))
    started = time.perf_counter()
    intervals = sensitivity(spec, values, regions, n=1000, seed=0)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0
    assert len(intervals) == len(score(spec, values, regions).ranked)


def test_sampling_noise_widens_the_rank_interval_of_a_small_municipality_only() -> None:
    # SYNTHETIC: ten municipalities with one share each; "small" has 4 of 20, the others thousands of people.
    regions = [f"k{i}" for i in range(10)]
    sizes = {code: 5_000.0 + 1_000.0 * i for i, code in enumerate(regions)}
    sizes["k0"] = 20.0
    counts = {code: float(round(sizes[code] * (0.1 + 0.01 * i))) for i, code in enumerate(regions)}
    counts["k0"] = 4.0  # 20 %: the highest share, on 20 people
    values: Values = {"share": {code: 100.0 * counts[code] / sizes[code] for code in regions}}
    spec = ModelSpec((ModelIndicator("share", 1.0),), shrinkage="none")
    sampling = {"share": SampledValues("beta", 100.0, counts, sizes)}

    fixed = sensitivity(spec, values, regions, n=400, seed=3)
    noisy = sensitivity(spec, values, regions, n=400, seed=3, sampling=sampling)
    assert fixed["k0"].point_rank == noisy["k0"].point_rank == 1  # draw 0 is the model as specified
    assert fixed["k0"].p95 == 1  # weights alone cannot move a one-indicator ranking
    assert noisy["k0"].p95 >= 4  # 4 of 20 could well be 2 of 20
    assert noisy["k9"].high - noisy["k9"].low <= 2  # 14 000 people: the share hardly moves
    assert noisy == sensitivity(spec, values, regions, n=400, seed=3, sampling=sampling)  # deterministic


def test_a_spec_names_an_unknown_shrinkage() -> None:
    with pytest.raises(InputError) as caught:
        ModelSpec((ModelIndicator("a", 1.0),), shrinkage="lots")  # type: ignore[arg-type]
    assert caught.value.problems[0].field == "shrinkage"
