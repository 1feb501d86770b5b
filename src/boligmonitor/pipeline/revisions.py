"""Revisions: what a new build changes in the values an earlier data version held.

A refresh that finds a publisher has revised a figure for an earlier year must not hide it: the new value is
stored flagged ``revised`` (and keeps the flag while it stays different from what was first shown), the earlier
value is kept as an observation change beside the version that replaced it, and `/endringer` and
``status --json`` list the changes of the last refresh. Values for keys the earlier version did not hold are new
data, not changes; they are only counted.

Values are equal when they agree to 1e-9 relative: a build recomputes every value from its inputs, so an
unchanged input gives the same float, while a publisher's revision changes a figure by far more.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from boligmonitor.core.flags import Flag, parse_flags
from boligmonitor.core.observation import Observation
from boligmonitor.store import ObservationChangeRow, StoredValue

ObservationKey = tuple[str, str, int]
_RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Revisions:
    """A new build's observations, flagged where revised, and the changes to record with its version."""

    observations: list[Observation]
    changes: list[ObservationChangeRow]
    new_values: int  # values for keys no earlier version held


def compare_with_stored(
    observations: Iterable[Observation], stored: Mapping[ObservationKey, StoredValue], data_version: int
) -> Revisions:
    """Compare a build's observations with what the database held before it (``stored``: empty for a first
    build, which then changes nothing)."""
    flagged: list[Observation] = []
    changes: list[ObservationChangeRow] = []
    new_values = 0
    seen: set[ObservationKey] = set()
    for observation in observations:
        key = observation.key()
        seen.add(key)
        before = stored.get(key)
        if before is None:
            new_values += observation.value is not None
            flagged.append(observation)
            continue
        kind = _kind_of_change(before.value, observation.value)
        if kind is not None:
            changes.append(_change(data_version, key, before, observation.value, observation.status.value, kind))
        if kind == "revised" or (kind is None and Flag.REVISED in parse_flags(before.flags)):
            observation = replace(observation, flags=observation.flags | {Flag.REVISED})
        flagged.append(observation)
    for key, before in stored.items():
        if key not in seen and before.value is not None:  # the new build has no row where a value was
            changes.append(_change(data_version, key, before, None, None, "withdrawn"))
    changes.sort(key=lambda change: (change.indicator_id, change.region_code, change.year))
    return Revisions(flagged, changes, new_values)


def _kind_of_change(before: float | None, after: float | None) -> str | None:
    if before is None:
        return None if after is None else "filled"
    if after is None:
        return "withdrawn"
    if math.isclose(before, after, rel_tol=_RELATIVE_TOLERANCE, abs_tol=0.0):
        return None
    return "revised"


def _change(
    data_version: int,
    key: ObservationKey,
    before: StoredValue,
    value: float | None,
    status: str | None,
    kind: str,
) -> ObservationChangeRow:
    indicator_id, region_code, year = key
    return ObservationChangeRow(
        data_version=data_version,
        indicator_id=indicator_id,
        region_code=region_code,
        year=year,
        kind=kind,
        previous_value=before.value,
        previous_status=before.status,
        previous_data_version=before.data_version,
        value=value,
        status=status,
    )


__all__ = ["Revisions", "compare_with_stored"]
