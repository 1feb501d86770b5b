"""The web's view of the database: one data version loaded whole, swapped when a newer one is committed.

Every page is a pure function of its URL and one data version. All observations are read in one database
snapshot when a version is loaded, so a page never mixes values from two builds. When a build, import or
refresh commits a new version, the monitor's watcher thread (which asks the database every
:data:`VERSION_CHECK_SECONDS`) loads it in full beside the served one and then swaps it in; requests keep
being answered from the old version meanwhile, and those already running finish on it.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from enum import StrEnum

from boligmonitor.analysis.indicator_tables import IndicatorRow, IndicatorTables
from boligmonitor.analysis.peers import BenchmarkKind
from boligmonitor.catalog.models import Catalog, Indicator, Theme
from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import NORWAY, RegionLevel, normalise_region_code
from boligmonitor.core.status import Status
from boligmonitor.store import BuildChanges, DatasetRow, DataVersion, IndicatorStatusRow, RegionRow, Store

VERSION_CHECK_SECONDS = 2.0
WATCHER_THREAD = "boligmonitor-data-version"


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
    changes: BuildChanges | None = None  # what the last build or refresh changed in earlier values (/endringer)
    _rows: dict[tuple[str, str, int | None, BenchmarkKind], IndicatorRow] = field(default_factory=dict)
    _all_regions: dict[tuple[str, int | None], list[IndicatorRow]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------------------------------------ look-ups

    @property
    def regions(self) -> dict[str, RegionRow]:
        return self.tables.regions

    def region(self, code: str) -> RegionRow:
        """The region of a page's URL; Norway also as SSB writes it ("0000", "00", "Hele landet")."""
        region = self.tables.regions.get(code) or self.tables.regions.get(normalise_region_code(code))
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
        """The theme's indicators in catalogue order, also those of other themes it shows (``also_in_themes``)."""
        return [indicator for indicator in self.catalog.indicators if theme_id in indicator.themes]

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

    def all_regions(self, indicator_id: str, year: int | None) -> list[IndicatorRow]:
        """Every municipality in ``year``; None (an indicator without any value): every one missing, year None."""
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


# Every region in the database has its pages, urban districts too (/region/030101).
_PAGE_LEVELS = frozenset({RegionLevel.COUNTRY, RegionLevel.COUNTY, RegionLevel.MUNICIPALITY, RegionLevel.DISTRICT})


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
        changes = reader.last_build_changes()
    latest_vintage = max((row.vintage for row in geometry_rows), default=None)
    geometries = {row.region_code: row.geojson for row in geometry_rows if row.vintage == latest_vintage}
    return MonitorData(
        version=version,
        catalog=catalog,
        tables=tables,
        statuses=statuses,
        datasets=datasets,
        geometries=geometries,
        changes=changes,
    )


class Monitor:
    """Hands out the loaded :class:`MonitorData`; a background thread swaps in a newer committed version.

    Requests only read :attr:`data`, a plain attribute: they never query the database and never wait for a
    load. The watcher thread (:meth:`start`) asks the database for its latest version every
    ``check_seconds`` and, when it is newer, loads it whole (and ``prepare``s it: warming the rows) beside
    the one being served, then swaps it in with one assignment. Requests that began on the old version
    finish on it; the old version is freed by reference counting when the last of them ends.
    """

    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        *,
        freeze_heap: bool = False,
        prepare: Callable[[MonitorData], None] | None = None,
        check_seconds: float = VERSION_CHECK_SECONDS,
    ) -> None:
        """``freeze_heap`` (a long-running server): keep the loaded data out of the cyclic garbage collector's
        full collections, which otherwise walk all of it (about 0.4 s, while a visitor waits) every so often.
        ``prepare`` runs on every version before it is served (the server warms its rows there)."""
        self.store = store
        self.catalog = catalog
        self._freeze = freeze_heap
        self._prepare = prepare
        self._check_seconds = check_seconds
        self._loading = threading.Lock()  # one load at a time: the watcher's or reload()'s
        self._sibling_loads: AbstractContextManager[object] = nullcontext()
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None
        self._data = self._load()
        if freeze_heap:
            self.freeze_heap()

    @property
    def data(self) -> MonitorData:
        """The loaded version: an attribute read, never a database query and never a wait for a load."""
        return self._data

    # ----------------------------------------------------------------------------------- new versions

    def start(self) -> None:
        """Start the watcher thread that loads newer versions in the background (idempotent)."""
        if self._watcher is not None and self._watcher.is_alive():
            return
        self._stopping.clear()
        self._watcher = threading.Thread(target=self._watch, name=WATCHER_THREAD, daemon=True)
        self._watcher.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop the watcher; waits up to ``timeout`` seconds for a load in progress to finish."""
        self._stopping.set()
        if self._watcher is not None:
            self._watcher.join(timeout)
            self._watcher = None

    def check(self) -> bool:
        """Load and swap in the latest committed version if it differs from the loaded one; True if it did.

        Blocks for the whole load (seconds): the watcher thread calls it, and tests; never a request."""
        with self._loading:
            latest = self.store.current_version()
            loaded = self._data.version
            if latest is None or (loaded is not None and latest.id == loaded.id):
                return False
            with self._sibling_loads:
                self._swap(self._load())
            return True

    def reload(self) -> MonitorData:
        """Load the latest version now (tests; a refresh in the same process), whether or not it is newer."""
        with self._loading:
            self._swap(self._load())
        return self._data

    def take_turns_with_siblings(self, lock: AbstractContextManager[object]) -> None:
        """Load new versions only while holding ``lock``, shared with the other worker processes of the same
        server, so the workers load one after another: while one loads, the others keep whole cores for the
        visitors instead of all loading at once on the same cores (:mod:`.worker_turns`)."""
        self._sibling_loads = lock

    def freeze_heap(self) -> None:
        """Collect garbage, then exempt every object alive now from later collections (``gc.freeze``)."""
        gc.collect()
        gc.freeze()

    def _watch(self) -> None:
        failures = 0
        while not self._stopping.wait(self._check_seconds * 2 ** min(failures, _MAX_BACKOFF_DOUBLINGS)):
            try:
                self.check()
                failures = 0
            except Exception:  # a database briefly away, a broken build: keep serving the loaded version
                failures += 1
                _log.exception("loading the latest data version failed; still serving the loaded one")

    def _load(self) -> MonitorData:
        with self._young_collections_only():
            data = load_monitor_data(self.store, self.catalog)
            if self._prepare is not None:
                self._prepare(data)
        return data

    @contextmanager
    def _young_collections_only(self) -> Iterator[None]:
        """While a version loads beside the served one, a full collection would walk the half-loaded version
        (hundreds of thousands of objects) holding the interpreter lock, so every request would wait for it.
        Young generations are still collected, so requests' short-lived garbage does not pile up."""
        if not self._freeze:
            yield
            return
        thresholds = gc.get_threshold()
        gc.set_threshold(thresholds[0], thresholds[1], _NO_FULL_COLLECTIONS)
        try:
            yield
        finally:
            gc.set_threshold(*thresholds)

    def _swap(self, data: MonitorData) -> None:
        self._data = data  # one assignment: a request reads the old version or the new one, whole
        if self._freeze:
            # The new version joins the frozen heap. No full collection (it would hold the interpreter lock
            # for ~0.4 s): the old version holds no reference cycles (tests/web/test_monitor.py checks it),
            # so reference counting frees it, frozen or not, once the last request using it ends.
            gc.collect(1)  # the young generations only: requests' garbage, not the new version
            gc.freeze()


_log = logging.getLogger(__name__)
_NO_FULL_COLLECTIONS = 2**30  # a gen-2 threshold never reached
_MAX_BACKOFF_DOUBLINGS = 5  # after repeated failures, check every 2 s x 32 at the slowest


__all__ = [
    "VERSION_CHECK_SECONDS",
    "WATCHER_THREAD",
    "MissingReason",
    "Monitor",
    "MonitorData",
    "UnknownPageError",
    "load_monitor_data",
]
