"""The web's view of the database: one data version loaded whole, swapped when a newer one is committed.

Every page is a pure function of its URL and one data version. All observations are read in one database
snapshot when a version is loaded, so a page never mixes values from two builds; when a build or refresh
commits a new version, the next request after :data:`VERSION_CHECK_SECONDS` loads it in full and then swaps
it in, while requests already running finish on the old one.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from boligmonitor.analysis.indicator_tables import IndicatorRow, IndicatorTables
from boligmonitor.analysis.peers import BenchmarkKind
from boligmonitor.catalog.models import Catalog, Indicator, Theme
from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import NORWAY, RegionLevel
from boligmonitor.core.status import Status
from boligmonitor.store import DatasetRow, DataVersion, IndicatorStatusRow, RegionRow, Store

VERSION_CHECK_SECONDS = 2.0


class MissingReason(StrEnum):
    """Why a value is not shown (issue: a missing value says why; never shown as zero)."""

    NOT_LOADED = "not_loaded"  # the monitor has no source for it yet, or none for this region/year
    SUPPRESSED = "suppressed"  # hidden for confidentiality (":")
    NOT_REPORTED = "not_reported"  # the publisher has no figure ("..")
    NOT_APPLICABLE = "not_applicable"  # the figure cannot exist (".")
    NOT_YET_AVAILABLE = "not_yet_available"  # "..."


_REASON_BY_STATUS = {
    Status.CONFIDENTIAL: MissingReason.SUPPRESSED,
    Status.NOT_APPLICABLE: MissingReason.NOT_APPLICABLE,
    Status.NOT_YET_AVAILABLE: MissingReason.NOT_YET_AVAILABLE,
}


class UnknownPageError(LookupError):
    """An unknown municipality, theme or indicator in a URL: shown as a 404 page, never a 500."""

    def __init__(self, kind: str, value: str) -> None:
        super().__init__(f"unknown {kind}: {value}")
        self.kind = kind
        self.value = value


@dataclass
class MonitorData:
    """Everything the pages read, for one data version."""

    version: DataVersion | None
    catalog: Catalog
    tables: IndicatorTables
    statuses: dict[str, IndicatorStatusRow]
    datasets: dict[str, DatasetRow]
    geometries: dict[str, str] = field(default_factory=dict)  # region code -> GeoJSON geometry text (latest vintage)
    _rows: dict[tuple[str, str, int | None, BenchmarkKind], IndicatorRow] = field(default_factory=dict)
    _all_regions: dict[tuple[str, int], list[IndicatorRow]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------------------------------------ look-ups

    @property
    def regions(self) -> dict[str, RegionRow]:
        return self.tables.regions

    def region(self, code: str) -> RegionRow:
        region = self.tables.regions.get(code)
        if region is None or region.level not in _PAGE_LEVELS:
            raise UnknownPageError("region", code)
        return region

    def theme(self, theme_id: str) -> Theme:
        for theme in self.catalog.themes:
            if theme.id == theme_id:
                return theme
        raise UnknownPageError("theme", theme_id)

    def indicator(self, indicator_id: str) -> Indicator:
        try:
            return self.catalog.indicator(indicator_id)
        except KeyError:
            raise UnknownPageError("indicator", indicator_id) from None

    def theme_indicators(self, theme_id: str) -> list[Indicator]:
        return [indicator for indicator in self.catalog.indicators if indicator.theme == theme_id]

    def municipalities(self) -> list[RegionRow]:
        return [r for r in self.tables.regions.values() if r.level == RegionLevel.MUNICIPALITY]

    def counties(self) -> list[RegionRow]:
        return [r for r in self.tables.regions.values() if r.level == RegionLevel.COUNTY]

    def has_data(self, indicator_id: str) -> bool:
        return bool(self.tables.years(indicator_id))

    # analysis.reading.ObservationSource: the indicator model reads the loaded version through these two.

    def regions_of_level(self, level: RegionLevel) -> list[RegionRow]:
        return sorted((r for r in self.tables.regions.values() if r.level == level), key=lambda r: r.code)

    def indicator_observations(
        self, indicator_id: str, *, year: int | None = None, region_codes: Collection[str] | None = None
    ) -> list[Observation]:
        wanted = None if region_codes is None else set(region_codes)
        return [
            observation
            for (code, observed_year), observation in sorted(self.tables.observations(indicator_id).items())
            if (year is None or observed_year == year) and (wanted is None or code in wanted)
        ]

    def dataset_of(self, observation_dataset: str | None) -> DatasetRow | None:
        return self.datasets.get(observation_dataset or "")

    # ------------------------------------------------------------------------------------------- rows

    def row(
        self, indicator_id: str, region: str, year: int | None = None, benchmark: BenchmarkKind = BenchmarkKind.NORWAY
    ) -> IndicatorRow:
        """One indicator for one region (latest year by default) with interval, comparison and trend; cached
        for the data version because every value in it is fixed by the version."""
        key = (indicator_id, region, year, benchmark)
        cached = self._rows.get(key)
        if cached is None:
            with self._lock:  # the analysis caches are plain dicts: fill them one thread at a time
                cached = self.tables.row(indicator_id, region, year, benchmark=benchmark)
            self._rows[key] = cached
        return cached

    def all_regions(self, indicator_id: str, year: int) -> list[IndicatorRow]:
        key = (indicator_id, year)
        cached = self._all_regions.get(key)
        if cached is None:
            with self._lock:
                cached = self.tables.all_regions(indicator_id, year)
            self._all_regions[key] = cached
        return cached

    def series(self, indicator_id: str, region: str) -> list[Observation]:
        with self._lock:
            return self.tables.series(indicator_id, region)

    def latest_year(self, indicator_id: str) -> int | None:
        years = self.tables.years(indicator_id)
        return years[-1] if years else None

    def missing_reason(self, indicator_id: str, status: Status) -> MissingReason:
        if not self.has_data(indicator_id):
            return MissingReason.NOT_LOADED
        if status in _REASON_BY_STATUS:
            return _REASON_BY_STATUS[status]
        return MissingReason.NOT_REPORTED if status is Status.MISSING else MissingReason.NOT_LOADED

    def warm(self, regions: Sequence[str] | None = None) -> None:
        """Compute the theme rows of the given regions (default: Norway, counties and municipalities) ahead of
        the first visitor, so the first page of each is as fast as later ones."""
        codes = regions or [NORWAY, *(r.code for r in self.counties()), *(r.code for r in self.municipalities())]
        for code in codes:
            for indicator in self.catalog.indicators:
                if self.has_data(indicator.id):
                    self.row(indicator.id, code)


_PAGE_LEVELS = frozenset({RegionLevel.COUNTRY, RegionLevel.COUNTY, RegionLevel.MUNICIPALITY})


def load_monitor_data(store: Store, catalog: Catalog) -> MonitorData:
    """Read one data version whole, inside one snapshot."""
    with store.snapshot() as reader:
        version = reader.current_version()
        tables = IndicatorTables(reader, catalog)
        for indicator in catalog.indicators:
            tables.observations(indicator.id)
        statuses = {row.indicator_id: row for row in reader.indicator_status()}
        datasets = {row.id: row for row in reader.datasets()}
        geometry_rows = reader.geometries()
    latest_vintage = max((row.vintage for row in geometry_rows), default=None)
    geometries = {row.region_code: row.geojson for row in geometry_rows if row.vintage == latest_vintage}
    return MonitorData(
        version=version, catalog=catalog, tables=tables, statuses=statuses, datasets=datasets, geometries=geometries
    )


class Monitor:
    """Hands out the current :class:`MonitorData`, loading a newer data version when one is committed."""

    def __init__(self, store: Store, catalog: Catalog, *, freeze_heap: bool = False) -> None:
        """``freeze_heap`` (a long-running server): keep the loaded data out of the cyclic garbage collector's
        full collections, which otherwise walk all of it (about 0.4 s, while a visitor waits) every so often.
        The data is frozen once loaded and again by :meth:`freeze_heap` after warming; a newer version's
        loading unfreezes it, so the old version can be collected."""
        self.store = store
        self.catalog = catalog
        self._freeze = freeze_heap
        self._data = load_monitor_data(store, catalog)
        self._checked_at = time.monotonic()
        self._reloading = threading.Lock()
        if freeze_heap:
            self.freeze_heap()

    @property
    def data(self) -> MonitorData:
        """The latest loaded version; checks the database at most every VERSION_CHECK_SECONDS."""
        now = time.monotonic()
        if now - self._checked_at >= VERSION_CHECK_SECONDS and self._reloading.acquire(blocking=False):
            try:
                self._checked_at = now
                latest = self.store.current_version()
                loaded = self._data.version
                if latest is not None and (loaded is None or latest.id != loaded.id):
                    self._swap(load_monitor_data(self.store, self.catalog))
            finally:
                self._reloading.release()
        return self._data

    def reload(self) -> MonitorData:
        """Load the latest version now (used by tests and after a refresh in the same process)."""
        with self._reloading:
            self._swap(load_monitor_data(self.store, self.catalog))
            self._checked_at = time.monotonic()
        return self._data

    def freeze_heap(self) -> None:
        """Collect garbage, then exempt every object alive now from later collections (``gc.freeze``)."""
        gc.collect()
        gc.freeze()

    def _swap(self, data: MonitorData) -> None:
        if self._freeze:
            gc.unfreeze()  # the old version must become collectable once nothing refers to it
        self._data = data
        if self._freeze:
            self.freeze_heap()


__all__ = [
    "MissingReason",
    "Monitor",
    "MonitorData",
    "UnknownPageError",
    "load_monitor_data",
]
