"""Writing to the store: every write is one transaction that creates one data version.

Readers see the data as it was before a write or after it, never a mix: the write commits at the end of
its ``with`` block and rolls back on any exception, including a crash of the writing process.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from itertools import islice
from operator import itemgetter
from typing import Any, Final, TypeVar

from sqlalchemy import Connection, Engine, Table, delete, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.dml import Insert

from boligmonitor import __version__
from boligmonitor.core.observation import Observation
from boligmonitor.store import observation_rows, schema
from boligmonitor.store.engine import create_engine_for, database_url, write_transaction
from boligmonitor.store.migrate import migrate
from boligmonitor.store.reader import ConnectionReader, Reader
from boligmonitor.store.rows import (
    DATA_VERSION_KINDS,
    INDICATOR_STATES,
    OBSERVATION_CHANGE_KINDS,
    DatasetRow,
    DataVersion,
    GeometryRow,
    IndicatorStatusRow,
    ObservationChangeRow,
    RegionAttributeRow,
    RegionChangeRow,
    RegionRow,
)

# Rows per executemany call: large enough to amortise the round trip, small enough to bound memory.
CHUNK_SIZE: Final = 10_000

_Item = TypeVar("_Item")
Row = tuple[Any, ...]  # values in a table's column order


class Store(Reader):
    """The database: typed readers (see :class:`Reader`) and transactional writes.

    Create it on a migrated engine (``Store.open()`` does both), then::

        with store.write("build", "full build from build-input/") as writer:
            writer.replace_everything()
            writer.put_datasets(datasets)
            writer.put_observations(observations)
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @classmethod
    def open(cls, url: str | None = None, *, upgrade: bool = True) -> Store:
        """Open the database at ``url`` (see :func:`database_url`), migrating it to the newest schema."""
        engine = create_engine_for(database_url(url))
        if upgrade:
            migrate(engine)
        return cls(engine)

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        """Close the pooled connections (the store stays usable; new connections open on demand)."""
        self._engine.dispose()

    @contextmanager
    def write(
        self,
        kind: str,
        description: str,
        catalog_version: str | None = None,
        *,
        input_fingerprint: str | None = None,
    ) -> Iterator[Writer]:
        """One transaction creating one data version; commits at the end of the block, rolls back on error.

        Writers queue behind each other (one at a time per database); readers are never blocked.
        """
        if kind not in DATA_VERSION_KINDS:
            raise ValueError(f"unknown data version kind {kind!r}; expected one of {sorted(DATA_VERSION_KINDS)}")
        with write_transaction(self._engine) as connection:
            table = schema.data_version
            created_at = datetime.now(UTC)
            result = connection.execute(
                insert(table).values(
                    created_at=created_at,
                    kind=kind,
                    description=description,
                    catalog_version=catalog_version,
                    app_version=__version__,
                    input_fingerprint=input_fingerprint,
                )
            )
            version_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
            if not isinstance(version_id, int):
                raise RuntimeError(f"the database returned no data version id (got {version_id!r})")
            version = DataVersion(
                version_id, created_at, kind, description, catalog_version, __version__, input_fingerprint
            )
            writer = Writer(connection, version)
            try:
                yield writer
            finally:
                writer._close()

    @contextmanager
    def snapshot(self) -> Iterator[Reader]:
        """A reader whose queries all see the same committed state, even if a write commits meanwhile."""
        connection = self._engine.connect()
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        # SQLite (WAL) reads a snapshot from the first SELECT to the end of the transaction by itself.
        with connection, connection.begin():
            yield ConnectionReader(connection)

    def _reading(self) -> AbstractContextManager[Connection]:
        return self._engine.connect()


class Writer:
    """Puts rows into the store inside one write transaction (obtained from :meth:`Store.write`).

    Every ``put_*`` method upserts by the table's key (a row with the same key is replaced) and returns the
    number of rows given. The writer cannot be used once its ``with`` block has ended.
    """

    def __init__(self, connection: Connection, version: DataVersion) -> None:
        self._connection: Connection | None = connection
        self._version = version

    @property
    def version(self) -> DataVersion:
        """The data version this write creates."""
        return self._version

    @property
    def reader(self) -> Reader:
        """Queries inside this write's transaction: they see what it has written so far (nobody else does)."""
        return ConnectionReader(self._open())

    def replace_everything(self) -> None:
        """Delete every row of every data table (data versions stay): the start of a full build."""
        connection = self._open()
        for table in schema.DATA_TABLES:
            connection.execute(delete(table))

    def put_regions(self, rows: Iterable[RegionRow]) -> int:
        table = schema.region
        return self._upsert(
            table,
            (
                _stored(table, row, names=json.dumps(dict(row.names), ensure_ascii=False, sort_keys=True))
                for row in rows
            ),
        )

    def put_region_attributes(self, rows: Iterable[RegionAttributeRow]) -> int:
        table = schema.region_attribute
        return self._upsert(table, (_stored(table, row) for row in rows))

    def put_region_changes(self, rows: Iterable[RegionChangeRow]) -> int:
        table = schema.region_change
        return self._upsert(table, (_stored(table, row) for row in rows))

    def put_datasets(self, rows: Iterable[DatasetRow]) -> int:
        """Upsert datasets by id; put a dataset before the observations that refer to it."""
        table = schema.dataset
        return self._upsert(
            table,
            (
                _stored(table, row, source_table=row.table, notes=json.dumps(list(row.notes), ensure_ascii=False))
                for row in rows
            ),
        )

    def put_observations(self, observations: Iterable[Observation]) -> int:
        """Upsert observations by (indicator, region, year), marking them with this write's data version.

        Their datasets must already be stored. Raises ValueError for a NaN or infinite number (a missing
        value is None with a status saying why) and for a naive ``fetched_at``.
        """
        data_version = self._version.id
        return self._upsert(
            schema.observation,
            (observation_rows.to_row(observation, data_version) for observation in observations),
        )

    def delete_observations(self, indicator_id: str, dataset_id: str | None = None) -> int:
        """Delete an indicator's observations (only those from one dataset, if given); returns how many."""
        table = schema.observation
        statement = delete(table).where(table.c.indicator_id == indicator_id)
        if dataset_id is not None:
            statement = statement.where(table.c.dataset_id == dataset_id)
        return self._open().execute(statement).rowcount

    def put_observation_changes(self, rows: Iterable[ObservationChangeRow]) -> int:
        """Record what this write changed in values an earlier version held (history: never replaced by a
        build). Every row must carry this write's data version and a kind of :data:`OBSERVATION_CHANGE_KINDS`."""
        table = schema.observation_change
        stored_rows: list[Row] = []
        for row in rows:
            if row.kind not in OBSERVATION_CHANGE_KINDS:
                raise ValueError(
                    f"unknown kind of change {row.kind!r}; expected one of {sorted(OBSERVATION_CHANGE_KINDS)}"
                )
            if row.data_version != self._version.id:
                raise ValueError(f"a change of data version {row.data_version} written by version {self._version.id}")
            stored_rows.append(_stored(table, row))
        return self._upsert(table, stored_rows)

    def put_indicator_status(self, rows: Iterable[IndicatorStatusRow]) -> int:
        """Replace the whole indicator status table with ``rows``."""
        table = schema.indicator_status
        stored_rows: list[Row] = []
        for row in rows:
            if row.state not in INDICATOR_STATES:
                raise ValueError(
                    f"indicator {row.indicator_id}: unknown state {row.state!r}; "
                    f"expected one of {sorted(INDICATOR_STATES)}"
                )
            stored_rows.append(_stored(table, row))
        self._open().execute(delete(table))
        return self._upsert(table, stored_rows)

    def put_geometries(self, rows: Iterable[GeometryRow]) -> int:
        table = schema.geometry
        return self._upsert(table, (_stored(table, row) for row in rows))

    def _open(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("this writer's transaction has ended; start a new Store.write()")
        return self._connection

    def _close(self) -> None:
        self._connection = None

    def _upsert(self, table: Table, rows: Iterable[Row]) -> int:
        """Upsert ``rows``, tuples of values in the table's column order."""
        connection = self._open()
        upsert = _BulkUpsert(connection.dialect, table)
        count = 0
        for chunk in _chunks(rows, CHUNK_SIZE):
            connection.exec_driver_sql(upsert.sql, upsert.parameters(chunk))
            count += len(chunk)
        return count


class _BulkUpsert:
    """``INSERT … ON CONFLICT (key) DO UPDATE`` compiled once, then run by the driver's executemany.

    SQLAlchemy's own executemany builds and type-processes the parameters of every row in Python, which
    costs more than SQLite's insert itself. Here the Core statement is compiled once for the dialect and
    the parameters go to the driver directly, processed column by column with the bind processors of the
    column types (e.g. :class:`~boligmonitor.store.schema.UtcDateTime`), each distinct value once.
    """

    def __init__(self, dialect: Dialect, table: Table) -> None:
        compiled = _upsert_statement(dialect.name, table).compile(dialect=dialect)
        self.sql = str(compiled)
        self._positional = compiled.positional
        self._names = list(compiled.positiontup or []) if compiled.positional else list(compiled.binds)
        column_names = list(table.columns.keys())
        if sorted(self._names) != sorted(column_names):
            raise RuntimeError(f"unexpected parameters in the upsert of {table.name}: {self._names}")
        # From the table's column order to the statement's parameter order (the same, in practice).
        self._reorder: Callable[[Row], Row] | None = (
            None if self._names == column_names else itemgetter(*(column_names.index(n) for n in self._names))
        )
        key_positions = [index for index, name in enumerate(self._names) if table.c[name].primary_key]
        self._key = itemgetter(*key_positions)
        self._processors: list[tuple[int, Callable[[Any], Any]]] = []
        for index, name in enumerate(self._names):
            processor = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self._processors.append((index, processor))

    def parameters(self, chunk: Sequence[Row]) -> list[Any]:
        """Driver parameters for ``chunk``.

        When a key repeats, the last row wins (as it does across chunks); this also keeps PostgreSQL
        from refusing to update one row twice in one statement.
        """
        rows = chunk if self._reorder is None else list(map(self._reorder, chunk))
        key = self._key
        rows = list({key(row): row for row in rows}.values())
        if self._processors and rows:
            columns = list(zip(*rows, strict=True))
            for index, processor in self._processors:
                processed = {value: processor(value) for value in set(columns[index]) if value is not None}
                processed[None] = None
                columns[index] = tuple(map(processed.__getitem__, columns[index]))
            rows = list(zip(*columns, strict=True))
        if self._positional:
            return list(rows)
        return [dict(zip(self._names, row, strict=True)) for row in rows]


def _stored(table: Table, row: object, **stored_otherwise: Any) -> Row:
    """``row``'s values in ``table``'s column order: its attribute named like each column.

    ``stored_otherwise`` gives, already encoded, the columns whose attribute has another name or is stored
    as JSON.
    """
    column_names = table.columns.keys()
    return tuple(stored_otherwise[name] if name in stored_otherwise else getattr(row, name) for name in column_names)


def _upsert_statement(dialect_name: str, table: Table) -> Insert:
    """INSERT … ON CONFLICT (primary key) DO UPDATE SET every other column."""
    statement: sqlite.Insert | postgresql.Insert
    if dialect_name == "sqlite":
        statement = sqlite.insert(table)
    elif dialect_name == "postgresql":
        statement = postgresql.insert(table)
    else:
        raise ValueError(f"unsupported database dialect {dialect_name!r}")
    key_columns = [column.name for column in table.primary_key.columns]
    updates = {column.name: statement.excluded[column.name] for column in table.columns if not column.primary_key}
    return statement.on_conflict_do_update(index_elements=key_columns, set_=updates)


def _chunks(items: Iterable[_Item], size: int) -> Iterator[Sequence[_Item]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
