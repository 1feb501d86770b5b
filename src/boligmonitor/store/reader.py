"""Typed queries on the store: every method returns row types or observations, never raw SQL rows.

All SQL is built from SQLAlchemy Core expressions with bound parameters.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import fields
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Row, and_, case, distinct, func, select

from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import RegionLevel
from boligmonitor.store import observation_rows, schema
from boligmonitor.store.rows import (
    BuildChanges,
    CoverageRow,
    DatasetRow,
    DataVersion,
    GeometryRow,
    IndicatorStatusRow,
    ObservationChangeRow,
    RegionAttributeRow,
    RegionChangeRow,
    RegionRow,
    StoredValue,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

BUILDING_KINDS = frozenset(
    {"build", "refresh"}
)  # data versions that rebuild every value (store.rows.DATA_VERSION_KINDS)


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
        return None if row is None else _from_columns(DataVersion, row)

    def versions(self) -> list[DataVersion]:
        """Every committed data version, oldest first."""
        query = select(schema.data_version).order_by(schema.data_version.c.id)
        with self._reading() as connection:
            return [_from_columns(DataVersion, row) for row in connection.execute(query)]

    def regions(self, level: str | None = None) -> list[RegionRow]:
        """All regions, or those of one level (e.g. "municipality"), ordered by code."""
        table = schema.region
        query = select(table).order_by(table.c.code)
        if level is not None:
            query = query.where(table.c.level == level)
        with self._reading() as connection:
            return [_from_columns(RegionRow, row, names=_json_object(row.names)) for row in connection.execute(query)]

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
            return [_from_columns(RegionAttributeRow, row) for row in connection.execute(query)]

    def region_changes(self) -> list[RegionChangeRow]:
        """Every region code change, in date order."""
        table = schema.region_change
        query = select(table).order_by(table.c.changed_on, table.c.old_code, table.c.new_code)
        with self._reading() as connection:
            return [_from_columns(RegionChangeRow, row) for row in connection.execute(query)]

    def datasets(self) -> list[DatasetRow]:
        """Every dataset, ordered by id."""
        table = schema.dataset
        query = select(table).order_by(table.c.id)
        with self._reading() as connection:
            return [
                _from_columns(DatasetRow, row, table=row.source_table, notes=_json_strings(row.notes))
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
        query = select(*observation_rows.COLUMNS).order_by(table.c.indicator_id, table.c.region_code, table.c.year)
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
            return list(map(observation_rows.from_row, connection.execute(query)))

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
            return [_from_columns(CoverageRow, row) for row in connection.execute(query)]

    def indicator_status(self) -> list[IndicatorStatusRow]:
        """The status of every indicator the last build considered, ordered by indicator id."""
        table = schema.indicator_status
        query = select(table).order_by(table.c.indicator_id)
        with self._reading() as connection:
            return [_from_columns(IndicatorStatusRow, row) for row in connection.execute(query)]

    def stored_values(self) -> dict[tuple[str, str, int], StoredValue]:
        """Every observation's value, status, flags and data version by (indicator, region, year): what a new
        build is compared with (pipeline/revisions.py). Reads only those columns, not whole observations."""
        table = schema.observation
        query = select(
            table.c.indicator_id,
            table.c.region_code,
            table.c.year,
            table.c.value,
            table.c.status,
            table.c.flags,
            table.c.data_version,
        )
        with self._reading() as connection:
            return {
                (indicator, region, int(year)): StoredValue(value, status, flags, int(version))
                for indicator, region, year, value, status, flags, version in connection.execute(query)
            }

    def observation_changes(self, data_version: int | None = None) -> list[ObservationChangeRow]:
        """The changes one data version made to values an earlier version held (default: the latest version
        that changed any), ordered by indicator, region and year."""
        table = schema.observation_change
        with self._reading() as connection:
            if data_version is None:
                data_version = connection.execute(select(func.max(table.c.data_version))).scalar()
                if data_version is None:
                    return []
            query = (
                select(table)
                .where(table.c.data_version == data_version)
                .order_by(table.c.indicator_id, table.c.region_code, table.c.year)
            )
            return [_from_columns(ObservationChangeRow, row) for row in connection.execute(query)]

    def last_build_changes(self) -> BuildChanges | None:
        """What the latest build or refresh changed in values the build before it held; None until there have
        been two (imports add values beside a build and are not compared)."""
        builds = [version for version in self.versions() if version.kind in BUILDING_KINDS]
        if len(builds) < 2:
            return None
        return BuildChanges(builds[-1], builds[-2], tuple(self.observation_changes(builds[-1].id)))

    def geometries(self, vintage: str | None = None) -> list[GeometryRow]:
        """Region boundaries, or those of one vintage, ordered by vintage and region code."""
        table = schema.geometry
        query = select(table).order_by(table.c.vintage, table.c.region_code)
        if vintage is not None:
            query = query.where(table.c.vintage == vintage)
        with self._reading() as connection:
            return [_from_columns(GeometryRow, row) for row in connection.execute(query)]


class ConnectionReader(Reader):
    """A reader whose queries all run on one connection (and so in one transaction and snapshot)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        yield self._connection


_RowType = TypeVar("_RowType", bound="DataclassInstance")


def _from_columns(row_type: type[_RowType], row: Row[Any], **stored_otherwise: Any) -> _RowType:
    """A ``row_type`` from a database row that has a column named like each of its fields.

    ``stored_otherwise`` gives, already decoded, the fields whose column has another name or holds JSON.
    """
    columns = row._mapping
    values = {name: columns[name] for name in _field_names(row_type) if name not in stored_otherwise}
    return row_type(**values, **stored_otherwise)


@cache
def _field_names(row_type: type[DataclassInstance]) -> tuple[str, ...]:
    return tuple(field.name for field in fields(row_type))


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
