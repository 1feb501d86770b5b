"""Indicators derived from two observations of the same region and year (a ratio of two published values).

The result keeps its numerator and denominator, combines the inputs' status (the most restrictive wins,
status.py), keeps every flag and the less exact harmonisation. A missing input gives a missing result
with the input's status; a zero denominator gives no value and status ``.`` with a note, never a number.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime

from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status

# Catalog ids (catalog.yaml): KB06 turnover = KB05 / KB01 · 100; KB07 length of tenancy = KB01 / KB05.
THROUGHPUT_ID = "KB06"
RESIDENCE_TIME_ID = "KB07"


def ratio_observation(
    indicator_id: str,
    numerator_obs: Observation,
    denominator_obs: Observation,
    multiplier: float,
    unit: str,
    *,
    dataset_id: str | None = None,
) -> Observation:
    """``numerator_obs.value / denominator_obs.value · multiplier`` as a new observation.

    The inputs must be of the same region and year (ValueError otherwise). ``dataset_id`` defaults to the
    inputs' dataset ids joined with ``+``; ``fetched_at`` is the older of the two fetch times.
    """
    if numerator_obs.region_code != denominator_obs.region_code or numerator_obs.year != denominator_obs.year:
        raise ValueError(
            "a ratio needs observations of one region and year, got "
            f"{numerator_obs.region_code} {numerator_obs.year} and {denominator_obs.region_code} {denominator_obs.year}"
        )
    status = numerator_obs.status.combine(denominator_obs.status)
    base = Observation(
        indicator_id=indicator_id,
        region_code=numerator_obs.region_code,
        year=numerator_obs.year,
        value=None,
        numerator=numerator_obs.value,
        denominator=denominator_obs.value,
        unit=unit,
        status=status,
        dataset_id=dataset_id or _joined_dataset_ids(numerator_obs, denominator_obs),
        source_table=None,
        fetched_at=_older(numerator_obs.fetched_at, denominator_obs.fetched_at),
        harmonisation=numerator_obs.harmonisation.combine(denominator_obs.harmonisation),
        flags=numerator_obs.flags | denominator_obs.flags,
    )
    absent = [obs.indicator_id for obs in (numerator_obs, denominator_obs) if _is_missing(obs.value)]
    if absent:
        return replace(
            base,
            numerator=None if _is_missing(numerator_obs.value) else numerator_obs.value,
            denominator=None if _is_missing(denominator_obs.value) else denominator_obs.value,
            # An input with an ordinary status but no value is simply missing.
            status=status if not status.has_value else Status.MISSING,
            note=f"not computed: {' and '.join(absent)} missing",
        )
    assert numerator_obs.value is not None
    assert denominator_obs.value is not None
    if denominator_obs.value == 0:
        return replace(base, status=Status.NOT_APPLICABLE, note=f"not computed: {denominator_obs.indicator_id} is 0")
    return replace(base, value=numerator_obs.value / denominator_obs.value * multiplier)


def residence_time(
    dwellings: Observation, new_tenants: Observation, indicator_id: str = RESIDENCE_TIME_ID
) -> Observation:
    """Implied average length of tenancy in municipal dwellings, in years: dwellings ÷ new tenants per year.

    Missing when either input is missing; status ``.`` with a note when there were no new tenants.
    """
    return ratio_observation(indicator_id, dwellings, new_tenants, 1.0, "years")


def throughput(new_tenants: Observation, dwellings: Observation, indicator_id: str = THROUGHPUT_ID) -> Observation:
    """New tenants in the year as a percentage of municipal dwellings (the inverse of residence time)."""
    return ratio_observation(indicator_id, new_tenants, dwellings, 100.0, "percent")


def _is_missing(value: float | None) -> bool:
    return value is None or math.isnan(value)


def _joined_dataset_ids(first: Observation, second: Observation) -> str:
    return first.dataset_id if first.dataset_id == second.dataset_id else f"{first.dataset_id}+{second.dataset_id}"


def _older(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None or second is None:
        return first or second
    return min(first, second)
