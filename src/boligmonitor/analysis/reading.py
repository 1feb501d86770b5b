"""What analysis reads stored data through: a small protocol that the store's :class:`~boligmonitor.store.Reader`
and the web's loaded data version both satisfy, so that a page ranks exactly the values it shows (no second
database read that could see a newer build) and the CLI ranks what the database holds."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import RegionLevel
from boligmonitor.store.rows import RegionRow


class ObservationSource(Protocol):
    def regions_of_level(self, level: RegionLevel) -> list[RegionRow]:
        """The regions of one level, ordered by code."""
        ...

    def indicator_observations(
        self, indicator_id: str, *, year: int | None = None, region_codes: Collection[str] | None = None
    ) -> list[Observation]:
        """One indicator's observations, all years or one, all regions or some, ordered by region and year."""
        ...


__all__ = ["ObservationSource"]
