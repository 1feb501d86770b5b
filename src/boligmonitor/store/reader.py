"""Typed queries on the store: every method returns row types or observations, never raw SQL rows.

All SQL is built from SQLAlchemy Core expressions with bound parameters.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Row, and_, case, distinct, func, select

from boligmonitor.core.flags import Flag, Harmonisation, parse_flags
from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import RegionLevel
from boligmonitor.core.status import Status
from boligmonitor.store import schema
from boligmonitor.store.rows import (
    CoverageRow,
    DatasetRow,
    DataVersion,
    GeometryRow,
    IndicatorStatusRow,
    RegionAttributeRow,
    RegionChangeRow,
    RegionRow,
)


class Reader:
    """Queries on the stored data. Subclasses say which connection each query runs on.

    On :class:`~boligmonitor.store.writer.Store` every call reads the latest committed data on its own;
    several calls that must agree with each other (a page showing the data version and the values) should
    run on one ``Store.snapshot()``.
    """

    def _reading(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def current_version(self) -> DataVersion | None:
        """The latest committed data version, or None for a database nothing was written to."""
        query = select(schema.data_version).order_by(schema.data_version.c.id.desc()).limit(1)
        with self._reading() as connection:
            row = connection.execute(query).first()
        return None if row is None else _data_version(row)

    def versions(self) -> list[DataVersion]:
        """Every committed data version, oldest first."""
        query = select(schema.data_version).order_by(schema.data_version.c.id)
        with self._reading() as connection:
            return [_data_version(row) for row in connection.execute(query)]

    def regions(self, level: str | None = None) -> list[RegionRow]:
        """All regions, or those of one level (e.g. "municipality"), ordered by code."""
        table = schema.region
        query = select(table).order_by(table.c.code)
        if level is not None:
            query = query.where(table.c.level == level)
        with self._reading() as connection:
            return [
                RegionRow(
                    code=row.code,
                    name=row.name,
                    level=row.level,
                    parent_code=row.parent_code,
                    names=_json_object(row.names),
                    valid_from=row.valid_from,
                    valid_to=row.valid_to,
                )
                for row in connection.execute(query)
            ]

    def regions_of_level(self, level: RegionLevel) -> list[RegionRow]:
        """The regions of one level, ordered by code (analysis.reading.ObservationSource)."""
        return self.regions(level.value)

    def region_attributes(self, attribute: str | None = None) -> list[RegionAttributeRow]:
        """Yearly region attributes, or those of one attribute, ordered by attribute, region and year."""
        table = schema.region_attribute
        query = select(table).order_by(table.c.attribute, table.c.region_code, table.c.year)
        if attribute is not None:
            query = query.where(table.c.attribute == attribute)
        with self._reading() as connection:
            return [
                RegionAttributeRow(
                    region_code=row.region_code,
                    attribute=row.attribute,
                    year=row.year,
                    value=row.value,
                    source=row.source,
                )
                for row in connection.execute(query)
            ]

    def region_changes(self) -> list[RegionChangeRow]:
        """Every region code change, in date order."""
        table = schema.region_change
        query = select(table).order_by(table.c.changed_on, table.c.old_code, table.c.new_code)
        with self._reading() as connection:
            return [
                RegionChangeRow(
                    old_code=row.old_code,
                    old_name=row.old_name,
                    new_code=row.new_code,
                    new_name=row.new_name,
                    changed_on=row.changed_on,
                    kind=row.kind,
                )
                for row in connection.execute(query)
            ]

    def datasets(self) -> list[DatasetRow]:
        """Every dataset, ordered by id."""
        table = schema.dataset
        query = select(table).order_by(table.c.id)
        with self._reading() as connection:
            return [
                DatasetRow(
                    id=row.id,
                    publisher=row.publisher,
                    title=row.title,
                    table=row.source_table,
                    file=row.file,
                    sha256=row.sha256,
                    fetched_at=row.fetched_at,
                    updated=row.updated,
                    code_vintage=row.code_vintage,
                    licence=row.licence,
                    provenance=row.provenance,
                    notes=_json_strings(row.notes),
                )
                for row in connection.execute(query)
            ]

    def observations(
        self,
        indicator_id: str | None = None,
        region_code: str | None = None,
        year: int | None = None,
        region_codes: Collection[str] | None = None,
    ) -> list[Observation]:
        """Observations matching every given filter, ordered by indicator, region and year.

        ``region_codes`` restricts to several regions (an empty collection matches nothing).
        """
        table = schema.observation
        query = select(*_OBSERVATION_COLUMNS).order_by(table.c.indicator_id, table.c.region_code, table.c.year)
        if indicator_id is not None:
            query = query.where(table.c.indicator_id == indicator_id)
        if region_code is not None:
            query = query.where(table.c.region_code == region_code)
        if year is not None:
            query = query.where(table.c.year == year)
        if region_codes is not None:
            if not region_codes:
                return []
            query = query.where(table.c.region_code.in_(sorted(set(region_codes))))
        with self._reading() as connection:
            return [_observation(*row) for row in connection.execute(query)]

    def indicator_observations(
        self, indicator_id: str, *, year: int | None = None, region_codes: Collection[str] | None = None
    ) -> list[Observation]:
        """One indicator's observations, ordered by region and year (analysis.reading.ObservationSource)."""
        return self.observations(indicator_id=indicator_id, year=year, region_codes=region_codes)

    def years(self, indicator_id: str) -> list[int]:
        """The years stored for an indicator (with a value or with only a status), ascending."""
        table = schema.observation
        query = select(table.c.year).distinct().where(table.c.indicator_id == indicator_id).order_by(table.c.year)
        with self._reading() as connection:
            return [int(year) for year in connection.execute(query).scalars()]

    def coverage(self) -> list[CoverageRow]:
        """Per indicator: how many values and missing values are stored, for which regions and years."""
        obs = schema.observation
        has_value = obs.c.value.is_not(None)
        is_municipality = and_(has_value, schema.region.c.level == RegionLevel.MUNICIPALITY.value)
        n_values = func.count(obs.c.value)
        query = (
            select(
                obs.c.indicator_id,
                n_values.label("n_values"),
                (func.count() - n_values).label("n_missing"),
                func.count(distinct(case((has_value, obs.c.region_code)))).label("n_regions"),
                func.count(distinct(case((is_municipality, obs.c.region_code)))).label("n_municipalities"),
                func.min(case((has_value, obs.c.year))).label("first_year"),
                func.max(case((has_value, obs.c.year))).label("last_year"),
            )
            .select_from(obs.outerjoin(schema.region, schema.region.c.code == obs.c.region_code))
            .group_by(obs.c.indicator_id)
            .order_by(obs.c.indicator_id)
        )
        with self._reading() as connection:
            return [
                CoverageRow(
                    indicator_id=row.indicator_id,
                    n_values=row.n_values,
                    n_missing=row.n_missing,
                    n_regions=row.n_regions,
                    n_municipalities=row.n_municipalities,
                    first_year=row.first_year,
                    last_year=row.last_year,
                )
                for row in connection.execute(query)
            ]

    def indicator_status(self) -> list[IndicatorStatusRow]:
        """The status of every indicator the last build considered, ordered by indicator id."""
        table = schema.indicator_status
        query = select(table).order_by(table.c.indicator_id)
        with self._reading() as connection:
            return [
                IndicatorStatusRow(
                    indicator_id=row.indicator_id,
                    state=row.state,
                    reason=row.reason,
                    n_values=row.n_values,
                    n_regions=row.n_regions,
                    n_municipalities=row.n_municipalities,
                    first_year=row.first_year,
                    last_year=row.last_year,
                )
                for row in connection.execute(query)
            ]

    def geometries(self, vintage: str | None = None) -> list[GeometryRow]:
        """Region boundaries, or those of one vintage, ordered by vintage and region code."""
        table = schema.geometry
        query = select(table).order_by(table.c.vintage, table.c.region_code)
        if vintage is not None:
            query = query.where(table.c.vintage == vintage)
        with self._reading() as connection:
            return [
                GeometryRow(region_code=row.region_code, vintage=row.vintage, geojson=row.geojson)
                for row in connection.execute(query)
            ]


class ConnectionReader(Reader):
    """A reader whose queries all run on one connection (and so in one transaction and snapshot)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        yield self._connection


def _data_version(row: Row[Any]) -> DataVersion:
    return DataVersion(
        id=row.id,
        created_at=row.created_at,
        kind=row.kind,
        description=row.description,
        catalog_version=row.catalog_version,
        app_version=row.app_version,
        input_fingerprint=row.input_fingerprint,
    )


_OBSERVATION_COLUMNS = tuple(
    schema.observation.c[name]
    for name in (
        "indicator_id",
        "region_code",
        "year",
        "value",
        "numerator",
        "denominator",
        "unit",
        "status",
        "dataset_id",
        "source_table",
        "fetched_at",
        "harmonisation",
        "flags",
        "note",
    )
)
# Lookups by stored text; a text that is no member raises KeyError (the database holds something unknown).
_STATUS: dict[str, Status] = {status.value: status for status in Status}
_HARMONISATION: dict[str, Harmonisation] = {item.value: item for item in Harmonisation}


def _observation(
    indicator_id: str,
    region_code: str,
    year: int,
    value: float | None,
    numerator: float | None,
    denominator: float | None,
    unit: str,
    status: str,
    dataset_id: str,
    source_table: str | None,
    fetched_at: datetime | None,
    harmonisation: str,
    flags: str,
    note: str | None,
) -> Observation:
    return Observation(
        indicator_id=indicator_id,
        region_code=region_code,
        year=year,
        value=value,
        numerator=numerator,
        denominator=denominator,
        unit=unit,
        status=_STATUS[status],
        dataset_id=dataset_id,
        source_table=source_table,
        fetched_at=fetched_at,
        harmonisation=_HARMONISATION[harmonisation],
        flags=_flags(flags),
        note=note,
    )


@lru_cache(maxsize=256)
def _flags(text: str) -> frozenset[Flag]:
    # Few distinct flag combinations exist; parse each once.
    return parse_flags(text)


def _json_object(text: str) -> dict[str, str]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError(f"expected a JSON object in the database, got {text!r}")
    return {str(key): str(item) for key, item in value.items()}


def _json_strings(text: str) -> tuple[str, ...]:
    value = json.loads(text)
    if not isinstance(value, list):
        raise ValueError(f"expected a JSON array in the database, got {text!r}")
    return tuple(str(item) for item in value)
