"""A tiny SYNTHETIC observation source for the programme-analysis tests: made-up municipalities (codes 9xxx, names
"SYNTHETIC …") with made-up numbers, small enough to compute every expected figure by hand.

It satisfies :class:`boligmonitor.analysis.reading.ObservationSource` and, when given a version, tells its data
version the way the web's loaded data does (a ``version`` attribute).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime

from boligmonitor.catalog.reporting import Member, MemberStatus, Programme
from boligmonitor.core.flags import Flag
from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import RegionLevel
from boligmonitor.core.status import Status
from boligmonitor.store.rows import DataVersion, RegionRow

SYNTHETIC_DATASET = "synthetic:programme-analysis-tests"


class SyntheticSource:
    """SYNTHETIC municipalities and observations behind the ObservationSource protocol."""

    def __init__(
        self, municipalities: Iterable[str], observations: Iterable[Observation], version_id: int | None = None
    ) -> None:
        self.regions = [RegionRow(code, f"SYNTHETIC {code}", RegionLevel.MUNICIPALITY.value) for code in municipalities]
        self.observations = sorted(observations, key=lambda o: (o.indicator_id, o.region_code, o.year))
        self.version = (
            None
            if version_id is None
            else DataVersion(version_id, datetime(2026, 1, 1, tzinfo=UTC), "build", "SYNTHETIC", None, "test")
        )

    def regions_of_level(self, level: RegionLevel) -> list[RegionRow]:
        return sorted((r for r in self.regions if r.level == level.value), key=lambda r: r.code)

    def indicator_observations(
        self, indicator_id: str, *, year: int | None = None, region_codes: Collection[str] | None = None
    ) -> list[Observation]:
        wanted = None if region_codes is None else set(region_codes)
        return [
            o
            for o in self.observations
            if o.indicator_id == indicator_id
            and (year is None or o.year == year)
            and (wanted is None or o.region_code in wanted)
        ]


def share(
    indicator_id: str,
    code: str,
    year: int,
    numerator: float,
    denominator: float,
    *,
    multiplier: float = 100.0,
    unit: str = "percent",
    flags: Iterable[Flag] = (),
) -> Observation:
    """A SYNTHETIC rate or share: value = numerator / denominator × multiplier."""
    value = numerator / denominator * multiplier
    return Observation(
        indicator_id,
        code,
        year,
        value,
        numerator,
        denominator,
        unit,
        Status.OK,
        SYNTHETIC_DATASET,
        flags=frozenset(flags),
    )


def count(indicator_id: str, code: str, year: int, value: float, *, flags: Iterable[Flag] = ()) -> Observation:
    """A SYNTHETIC count (its numerator is the count, as the pipeline stores counts)."""
    return Observation(
        indicator_id, code, year, value, value, None, "count", Status.OK, SYNTHETIC_DATASET, flags=frozenset(flags)
    )


def missing(
    indicator_id: str, code: str, year: int, status: Status = Status.MISSING, unit: str = "count"
) -> Observation:
    """A SYNTHETIC missing value: a status symbol and no number."""
    return Observation(indicator_id, code, year, None, None, None, unit, status, SYNTHETIC_DATASET)


def member(code: str, start: int | date, end: int | date | None = None, *, invited: bool = False) -> Member:
    """A SYNTHETIC membership."""
    fields: dict[str, object] = {"municipality": code, "from": start, "to": end, "level": "storbyprogram"}
    if invited:
        fields["status"] = MemberStatus.INVITED
    return Member.model_validate(fields)


def with_members(programme: Programme, members: Iterable[Member]) -> Programme:
    """A copy of a real programme with a SYNTHETIC member list (the real lists are not published)."""
    return programme.model_copy(update={"members": tuple(members)})
