"""Measures pick the right interval for each kind of value and carry every caveat (synthetic observations)."""

from __future__ import annotations

import pytest

from boligmonitor.analysis.intervals import BYARS, EXACT, WILSON, byar, poisson_exact, wilson
from boligmonitor.analysis.measures import (
    NO_INTERVAL_BY_KIND,
    NO_INTERVAL_MISSING,
    NO_INTERVAL_PUBLISHED,
    NO_INTERVAL_RATIO_ABOVE_WHOLE,
    NO_INTERVAL_ZERO_DENOMINATOR,
    has_interval,
    inferred_kind,
    measure,
    ratio_to_benchmark,
)
from boligmonitor.catalog.models import QuantityKind
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status


def synthetic_observation(
    value: float | None,
    numerator: float | None,
    denominator: float | None,
    unit: str,
    status: Status = Status.OK,
    flags: frozenset[Flag] = frozenset(),
) -> Observation:
    return Observation(
        indicator_id="SYNTHETIC",
        region_code="3301",
        year=2024,
        value=value,
        numerator=numerator,
        denominator=denominator,
        unit=unit,
        status=status,
        dataset_id="synthetic",
        harmonisation=Harmonisation.SUMMED,
        flags=flags,
    )


def test_share_gets_wilson_in_per_cent_and_carries_caveats() -> None:
    obs = synthetic_observation(65.0, 65, 100, "percent", flags=frozenset({Flag.PRELIMINARY}))
    result = measure(obs, 100)
    assert result.value == 65.0
    assert (result.count, result.denominator, result.multiplier) == (65, 100, 100)
    assert result.ci_low == pytest.approx(55.2544, abs=1e-4)
    assert result.ci_high == pytest.approx(73.6358, abs=1e-4)
    assert result.method == WILSON
    assert (result.status, result.harmonisation, result.flags) == (
        Status.OK,
        Harmonisation.SUMMED,
        frozenset({Flag.PRELIMINARY}),
    )
    assert (result.indicator_id, result.region_code, result.year, result.unit) == ("SYNTHETIC", "3301", 2024, "percent")
    assert result.interval is not None
    assert result.interval.contains(65.0)


def test_rate_per_1000_uses_byar_on_the_count() -> None:
    result = measure(synthetic_observation(3.25, 65, 20_000, "per_1000"), 1000)
    expected = byar(65)
    assert result.method == BYARS
    assert result.ci_low == pytest.approx(expected.low / 20, abs=1e-12)
    assert result.ci_high == pytest.approx(expected.high / 20, abs=1e-12)


def test_small_rate_uses_the_exact_interval() -> None:
    result = measure(synthetic_observation(0.4, 4, 10_000, "per_1000"), 1000)
    assert result.method == EXACT
    assert result.ci_high == pytest.approx(poisson_exact(4).high / 10, abs=1e-12)


def test_count_gets_a_poisson_interval_on_itself() -> None:
    result = measure(synthetic_observation(7, 7, None, "count"), None)
    assert (result.value, result.method) == (7, EXACT)
    assert result.ci_high == pytest.approx(poisson_exact(7).high, abs=1e-12)


def test_count_published_as_value_only() -> None:
    result = measure(synthetic_observation(120, None, None, "count"), None)
    assert (result.value, result.method) == (120, BYARS)


def test_nil_count_is_a_real_zero_with_an_interval() -> None:
    result = measure(synthetic_observation(0, 0, None, "count", status=Status.NIL), None)
    assert result.value == 0
    assert result.ci_low == 0.0
    assert result.ci_high == pytest.approx(poisson_exact(0).high)


@pytest.mark.parametrize(("unit", "multiplier"), [("nok_per_m2", None), ("percent", 100), ("per_1000", 1000)])
def test_published_value_without_counts_has_no_interval(unit: str, multiplier: int | None) -> None:
    result = measure(synthetic_observation(41_250.0, None, None, unit), multiplier)
    assert result.value == 41_250.0
    assert result.ci_low is None
    assert result.ci_high is None
    assert result.interval is None
    assert result.method == NO_INTERVAL_PUBLISHED


@pytest.mark.parametrize(
    "status", [Status.CONFIDENTIAL, Status.MISSING, Status.NOT_APPLICABLE, Status.NOT_YET_AVAILABLE]
)
def test_missing_or_confidential_gives_no_value_never_zero(status: Status) -> None:
    result = measure(synthetic_observation(None, None, None, "percent", status=status), 100)
    assert result.value is None
    assert result.interval is None
    assert result.method == NO_INTERVAL_MISSING
    assert result.status is status


def test_our_own_suppression_hides_value_and_counts() -> None:
    obs = synthetic_observation(2.0, 2, 100, "percent", flags=frozenset({Flag.SUPPRESSED}))
    result = measure(obs, 100)
    assert (result.value, result.count, result.denominator, result.interval) == (None, None, None, None)
    assert Flag.SUPPRESSED in result.flags


def test_zero_denominator_gives_no_value() -> None:
    result = measure(synthetic_observation(None, 0, 0, "percent"), 100)
    assert result.value is None
    assert result.method == NO_INTERVAL_ZERO_DENOMINATOR


def test_value_is_computed_from_counts_when_not_stored() -> None:
    result = measure(synthetic_observation(None, 1, 4, "percent"), 100)
    assert result.value == 25.0
    interval = wilson(1, 4)
    assert interval is not None
    assert result.ci_low == pytest.approx(interval.low * 100)


def test_percentage_above_100_gets_no_binomial_interval() -> None:
    """E.g. settled refugees as a percent of those requested can exceed 100: a ratio, not a share."""
    result = measure(synthetic_observation(110.0, 11, 10, "percent"), 100)
    assert result.value == 110.0
    assert result.ci_low is None
    assert result.ci_high is None
    assert result.method == NO_INTERVAL_RATIO_ABOVE_WHOLE


def test_level_998_is_wider() -> None:
    obs = synthetic_observation(65.0, 65, 100, "percent")
    narrow, wide = measure(obs, 100), measure(obs, 100, level=0.998)
    assert wide.level == 0.998
    assert narrow.ci_low is not None
    assert wide.ci_low is not None
    assert wide.ci_low < narrow.ci_low


def test_ratio_to_benchmark() -> None:
    assert ratio_to_benchmark(12.0, 10.0) == pytest.approx(120.0)
    assert ratio_to_benchmark(None, 10.0) is None
    assert ratio_to_benchmark(12.0, None) is None
    assert ratio_to_benchmark(12.0, 0.0) is None


# --------------------------------------------------------------------------------------- kinds of quantity


def test_a_stock_gets_no_interval() -> None:
    """A municipality's whole population (a register stock) is not a chance outcome: no "5 976 (5 825–6 129)"."""
    result = measure(synthetic_observation(5976, 5976, None, "count"), None, kind=QuantityKind.STOCK)
    assert result.value == 5976
    assert (result.ci_low, result.ci_high, result.interval) == (None, None, None)
    assert result.method == NO_INTERVAL_BY_KIND[QuantityKind.STOCK]
    assert result.method.startswith("none:")


def test_an_administrative_number_gets_no_interval() -> None:
    """IMDi's request to settle 75 refugees is a target it set, not a random count: no "KI 59–94"."""
    request = measure(synthetic_observation(75, 75, None, "count"), None, kind=QuantityKind.ADMINISTRATIVE)
    assert (request.value, request.interval) == (75, None)
    assert request.method == NO_INTERVAL_BY_KIND[QuantityKind.ADMINISTRATIVE]
    # The decision as a percentage of the request keeps its value and counts, without an interval.
    decision = measure(synthetic_observation(80.0, 60, 75, "percent"), 100, kind=QuantityKind.ADMINISTRATIVE)
    assert (decision.value, decision.count, decision.denominator, decision.interval) == (80.0, 60, 75, None)


@pytest.mark.parametrize(
    ("kind", "unit", "multiplier"), [(QuantityKind.PROJECTION, "percent", 100), (QuantityKind.SUMMARY, "nok", None)]
)
def test_projections_and_summaries_get_no_interval(kind: QuantityKind, unit: str, multiplier: int | None) -> None:
    result = measure(synthetic_observation(12.5, 25, 200, unit), multiplier, kind=kind)
    assert result.interval is None
    assert result.method.startswith("none:")


def test_an_event_count_and_a_share_keep_their_intervals() -> None:
    count = measure(synthetic_observation(7, 7, None, "count"), None, kind=QuantityKind.EVENT_COUNT)
    assert count.method == EXACT
    assert count.ci_high == pytest.approx(poisson_exact(7).high)
    share = measure(synthetic_observation(65.0, 65, 100, "percent"), 100, kind=QuantityKind.SHARE)
    assert share.method == WILSON


def test_a_rate_per_hundred_gets_a_poisson_interval_not_wilson() -> None:
    """Turnover (new tenants per 100 dwellings) is events per stock: Byar on the count, not a binomial share."""
    result = measure(synthetic_observation(13.0, 65, 500, "percent"), 100, kind=QuantityKind.RATE)
    expected = byar(65)
    assert result.method == BYARS
    assert result.ci_low == pytest.approx(expected.low / 5, abs=1e-12)
    assert result.ci_high == pytest.approx(expected.high / 5, abs=1e-12)


def test_without_a_kind_the_multiplier_and_unit_decide_as_before() -> None:
    assert inferred_kind(100, "percent") is QuantityKind.SHARE
    assert inferred_kind(1000, "per_1000") is QuantityKind.RATE
    assert inferred_kind(None, "count") is QuantityKind.EVENT_COUNT
    assert inferred_kind(None, "nok") is QuantityKind.SUMMARY
    assert [kind for kind in QuantityKind if has_interval(kind)] == [
        QuantityKind.EVENT_COUNT,
        QuantityKind.RATE,
        QuantityKind.SHARE,
    ]
