"""A run whose data cover less of the model than its minimum coverage is partial (issue 12, finding 4).

Synthetic values: three municipalities, three domains, one domain without any values.
"""

from __future__ import annotations

from boligmonitor.analysis.indicator_model.scoring import ModelIndicator, ModelSpec, score

REGIONS = ("0001", "0002", "0003")
VALUES: dict[str, dict[str, float | None]] = {
    "A": {"0001": 1.0, "0002": 2.0, "0003": 3.0},
    "B": {"0001": 3.0, "0002": 1.0, "0003": 2.0},
    "C": {},  # no municipality has a value: its domain is missing
    "D": {"0001": 5.0},  # one value is too few to normalise
}


def _spec(min_coverage: float, basis: str = "weight") -> ModelSpec:
    return ModelSpec(
        indicators=(
            ModelIndicator("A", 2.0, domain="people"),
            ModelIndicator("B", 2.0, domain="market"),
            ModelIndicator("C", 3.0, domain="instruments"),
            ModelIndicator("D", 1.0, domain="market"),
        ),
        min_coverage=min_coverage,
        coverage_basis=basis,  # type: ignore[arg-type]
    )


def test_below_the_minimum_share_of_weight_the_run_is_partial() -> None:
    result = score(_spec(0.75), VALUES, REGIONS)
    assert result.available_weight_share == 0.5  # A and B: 4 of 8
    assert result.data_share == 0.5
    assert result.partial
    assert result.missing_by_domain == {"instruments": ("C",), "market": ("D",)}
    assert result.missing_domains == ("instruments",)


def test_at_the_minimum_the_run_is_not_partial() -> None:
    assert not score(_spec(0.5), VALUES, REGIONS).partial


def test_on_the_count_basis_the_share_of_indicators_counts() -> None:
    result = score(_spec(0.5, "count"), VALUES, REGIONS)
    assert result.data_share == 0.5 and not result.partial
    assert score(_spec(0.6, "count"), VALUES, REGIONS).partial
