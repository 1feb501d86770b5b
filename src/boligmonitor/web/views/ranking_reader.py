"""The loaded data version seen through the store's Reader interface, for pipeline code that reads through
one (the indicator model): the page then ranks exactly the values the rest of the monitor shows, with no
second database read that could see a newer build."""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractContextManager

from sqlalchemy import Connection

from boligmonitor.core.observation import Observation
from boligmonitor.store import Reader, RegionRow
from boligmonitor.web.monitor import MonitorData


class LoadedDataReader(Reader):
    """Answers ``regions`` and ``observations`` from memory; any other query is a programming error."""

    def __init__(self, data: MonitorData) -> None:
        self.data = data

    def _reading(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError("LoadedDataReader answers from the loaded data version only")

    def regions(self, level: str | None = None) -> list[RegionRow]:
        rows = sorted(self.data.regions.values(), key=lambda region: region.code)
        return [region for region in rows if level is None or region.level == level]

    def observations(
        self,
        indicator_id: str | None = None,
        region_code: str | None = None,
        year: int | None = None,
        region_codes: Collection[str] | None = None,
    ) -> list[Observation]:
        if indicator_id is None:
            raise NotImplementedError("LoadedDataReader reads one indicator at a time")
        wanted = None if region_codes is None else set(region_codes)
        return [
            observation
            for (code, observed_year), observation in sorted(self.data.tables.observations(indicator_id).items())
            if (region_code is None or code == region_code)
            and (year is None or observed_year == year)
            and (wanted is None or code in wanted)
        ]


__all__ = ["LoadedDataReader"]
