"""The store's own row types: what goes into and comes out of the database besides observations.

The store depends on no catalog or geo types; the pipeline converts its objects into these rows.
Observations use :class:`boligmonitor.core.observation.Observation` directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

DATA_VERSION_KINDS: Final = frozenset({"build", "import", "refresh"})
"""``build``: the whole database rebuilt from a build input; ``import``: a user's own file added;
``refresh``: some datasets fetched again and replaced."""

INDICATOR_STATES: Final = frozenset({"loaded", "partial", "not_loaded", "no_source", "failed"})

OBSERVATION_CHANGE_KINDS: Final = frozenset({"revised", "withdrawn", "filled"})
"""``revised``: a value replaced by a different value; ``withdrawn``: a value replaced by a missing value or
no row; ``filled``: a missing value (a status symbol) replaced by a value."""


@dataclass(frozen=True, slots=True)
class RegionRow:
    """A region (country, county, municipality, district, KOSTRA group) as valid from/to a date.

    ``names`` holds the official names by language code (e.g. ``{"nb": …, "se": …}``); ``name`` is the
    combined official name as published (e.g. "Nordreisa - Ráisa - Raisi").
    """

    code: str
    name: str
    level: str
    parent_code: str | None = None
    names: Mapping[str, str] = field(default_factory=dict, hash=False)
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True, slots=True)
class RegionAttributeRow:
    """A yearly attribute of a region, e.g. its KOSTRA group or centrality class."""

    region_code: str
    attribute: str
    year: int
    value: str
    source: str


@dataclass(frozen=True, slots=True)
class RegionChangeRow:
    """One code change between two region versions (merger, split, renumbering, name change)."""

    old_code: str
    old_name: str
    new_code: str
    new_name: str
    changed_on: date
    kind: str


@dataclass(frozen=True, slots=True)
class DatasetRow:
    """Where values came from: one published table or file, as fetched."""

    id: str
    publisher: str
    title: str
    table: str | None
    file: str
    sha256: str
    fetched_at: datetime | None
    updated: str | None
    code_vintage: str
    licence: str | None
    provenance: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IndicatorStatusRow:
    """Whether an indicator could be built, and how much of it: shown beside every indicator.

    ``state`` is one of :data:`INDICATOR_STATES`; ``reason`` says why it is not (fully) loaded.
    """

    indicator_id: str
    state: str
    reason: str
    n_values: int
    n_regions: int
    n_municipalities: int
    first_year: int | None
    last_year: int | None


@dataclass(frozen=True, slots=True)
class GeometryRow:
    """A region's boundary for one vintage of the region structure (e.g. "2024"), as GeoJSON text."""

    region_code: str
    vintage: str
    geojson: str


@dataclass(frozen=True, slots=True)
class DataVersion:
    """One committed write: every observation records the version that last wrote it.

    ``input_fingerprint`` identifies the build input a build was made from (given by the caller), so a
    build of unchanged input can be skipped.
    """

    id: int
    created_at: datetime
    kind: str
    description: str
    catalog_version: str | None
    app_version: str
    input_fingerprint: str | None = None


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """How much of an indicator is stored, computed from the observation table.

    ``n_values`` counts rows with a value, ``n_missing`` rows without one (their status says why);
    ``n_regions``, ``n_municipalities``, ``first_year`` and ``last_year`` consider rows with a value only.
    A region counts as a municipality when the region table says so.
    """

    indicator_id: str
    n_values: int
    n_missing: int
    n_regions: int
    n_municipalities: int
    first_year: int | None
    last_year: int | None


@dataclass(frozen=True, slots=True)
class ObservationChangeRow:
    """A value an earlier data version held that ``data_version`` changed, with both values and statuses.

    ``previous_status``/``status`` are SSB symbols ('' for an ordinary value); None means no row at all."""

    data_version: int
    indicator_id: str
    region_code: str
    year: int
    kind: str
    previous_value: float | None
    previous_status: str | None
    previous_data_version: int | None
    value: float | None
    status: str | None


@dataclass(frozen=True, slots=True)
class StoredValue:
    """What the database holds for one observation key, for comparing a new build with it."""

    value: float | None
    status: str
    flags: str
    data_version: int


@dataclass(frozen=True, slots=True)
class BuildChanges:
    """What the last build or refresh (``version``) changed in values the build before it (``previous``) held."""

    version: DataVersion
    previous: DataVersion
    changes: tuple[ObservationChangeRow, ...]
