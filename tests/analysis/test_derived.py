"""Derived indicators from two observations (synthetic values for a real municipality code)."""

from __future__ import annotations

from datetime import datetime

import pytest

from boligmonitor.analysis.derived import ratio_observation, residence_time, throughput
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status


def count(
    indicator_id: str,
    value: float | None,
    status: Status = Status.OK,
    flags: frozenset[Flag] = frozenset(),
    region: str = "1101",
    year: int = 2024,
    fetched_at: datetime | None = None,
    harmonisation: Harmonisation = Harmonisation.ORIGINAL,
) -> Observation:
    return Observation(
        indicator_id,
        region,
        year,
        value,
        None,
        None,
        "count",
        status,
        "synthetic_kostra",
        fetched_at=fetched_at,
        flags=flags,
        harmonisation=harmonisation,
    )


def test_residence_time_and_throughput_are_inverse() -> None:
    dwellings = count("KB01", 200.0, fetched_at=datetime(2025, 3, 1))
    new_tenants = count("KB05", 25.0, fetched_at=datetime(2025, 2, 1))
    years = residence_time(dwellings, new_tenants)
    assert (years.indicator_id, years.value, years.unit) == ("KB07", 8.0, "years")
    assert (years.numerator, years.denominator) == (200.0, 25.0)
    assert years.fetched_at == datetime(2025, 2, 1)  # the older input
    turnover = throughput(new_tenants, dwellings)
    assert (turnover.indicator_id, turnover.value, turnover.unit) == ("KB06", 12.5, "percent")
    assert (turnover.numerator, turnover.denominator) == (25.0, 200.0)
    assert turnover.region_code == "1101"
    assert turnover.year == 2024
    assert turnover.dataset_id == "synthetic_kostra"


def test_status_flags_and_harmonisation_are_carried() -> None:
    dwellings = count(
        "KB01", 200.0, Status.PRELIMINARY, frozenset({Flag.SERIES_BREAK}), harmonisation=Harmonisation.SUMMED
    )
    new_tenants = count("KB05", 20.0, flags=frozenset({Flag.ESTIMATED}))
    years = residence_time(dwellings, new_tenants)
    assert years.value == 10.0
    assert years.status is Status.PRELIMINARY
    assert years.flags == frozenset({Flag.SERIES_BREAK, Flag.ESTIMATED})
    assert years.harmonisation is Harmonisation.SUMMED


def test_zero_new_tenants_is_not_applicable_never_a_number() -> None:
    years = residence_time(count("KB01", 200.0), count("KB05", 0.0, Status.NIL))
    assert years.value is None
    assert years.status is Status.NOT_APPLICABLE
    assert years.note == "not computed: KB05 is 0"
    assert years.denominator == 0.0


def test_a_missing_input_gives_a_missing_result_with_its_status() -> None:
    confidential = residence_time(count("KB01", 200.0), count("KB05", None, Status.CONFIDENTIAL))
    assert confidential.value is None
    assert confidential.status is Status.CONFIDENTIAL
    assert confidential.numerator == 200.0
    assert confidential.denominator is None
    assert confidential.note == "not computed: KB05 missing"
    unexplained = throughput(count("KB05", float("nan")), count("KB01", 200.0))
    assert unexplained.value is None
    assert unexplained.status is Status.MISSING


def test_ratio_observation_checks_region_and_year() -> None:
    with pytest.raises(ValueError, match="one region and year"):
        ratio_observation("x", count("KB05", 1.0), count("KB01", 2.0, region="1103"), 100.0, "percent")
    with pytest.raises(ValueError, match="one region and year"):
        ratio_observation("x", count("KB05", 1.0), count("KB01", 2.0, year=2023), 100.0, "percent")
    mixed = ratio_observation(
        "x", count("KB05", 1.0), count("KB01", 4.0), 1000.0, "per 1000", dataset_id="synthetic_derived"
    )
    assert mixed.value == 250.0
    assert mixed.dataset_id == "synthetic_derived"
