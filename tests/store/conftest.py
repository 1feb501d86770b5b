"""Fixtures for the store tests: fresh, migrated databases on SQLite and on PostgreSQL.

PostgreSQL is reached through BOLIGMONITOR_TEST_POSTGRES_URL (start a throw-away server with
``scripts/postgres-test-server start``). Each test gets its own schema (via ``search_path``), dropped
afterwards. Without the variable, PostgreSQL tests are skipped locally but fail when CI=true, so CI cannot
silently stop testing PostgreSQL.

All data built here is synthetic (made-up indicator ids, values and dataset ids), named as such.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateSchema, DropSchema

from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status
from boligmonitor.store import DatasetRow, Store, create_engine_for, migrate

POSTGRES_URL_VARIABLE = "BOLIGMONITOR_TEST_POSTGRES_URL"

SYNTHETIC_DATASET_ID = "synthetic:dataset"
SYNTHETIC_FETCHED_AT = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)

ObservationFactory = Callable[[int, float], list[Observation]]


def synthetic_dataset(dataset_id: str = SYNTHETIC_DATASET_ID) -> DatasetRow:
    return DatasetRow(
        id=dataset_id,
        publisher="Synthetic publisher",
        title="Synthetic test table",
        table="00000",
        file="synthetic/table.json",
        sha256="0" * 64,
        fetched_at=SYNTHETIC_FETCHED_AT,
        updated="2025-02-28T08:00:00Z",
        code_vintage="as-published",
        licence="CC BY 4.0",
        provenance="made up for tests",
        notes=("synthetic",),
    )


def synthetic_observations(count: int, value_offset: float = 0.0) -> list[Observation]:
    """``count`` distinct synthetic observations: 10 indicators x 1000 regions per year, from 1990."""
    return [
        Observation(
            indicator_id=f"synthetic_{index % 10}",
            region_code=f"{(index // 10) % 1000:04d}",
            year=1990 + index // 10_000,
            value=index + value_offset,
            numerator=float(index),
            denominator=1000.0,
            unit="persons",
            status=Status.OK,
            dataset_id=SYNTHETIC_DATASET_ID,
            source_table="00000",
            fetched_at=SYNTHETIC_FETCHED_AT,
        )
        for index in range(count)
    ]


@pytest.fixture
def make_observations() -> ObservationFactory:
    return synthetic_observations


@pytest.fixture
def dataset_row() -> DatasetRow:
    return synthetic_dataset()


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite"


@pytest.fixture
def sqlite_url(sqlite_path: Path) -> str:
    """The URL of a new, empty SQLite file."""
    return f"sqlite:///{sqlite_path}"


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once per test session; tests get copies (migrating each costs ~0.1 s)."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite"
    engine = create_engine_for(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file and removes it
    assert not path.with_name(path.name + "-wal").exists()
    return path


def open_sqlite_copy(template: Path, url: str) -> Store:
    database = make_url(url).database
    assert database is not None
    shutil.copyfile(template, database)
    return Store(create_engine_for(url))


def postgres_server_url() -> str:
    """The test server's URL; the test is skipped without one (and fails in CI, where PostgreSQL must run)."""
    base_url = os.environ.get(POSTGRES_URL_VARIABLE, "").strip()
    if not base_url:
        message = f"{POSTGRES_URL_VARIABLE} is not set (run scripts/postgres-test-server start)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL tests must run in CI: {message}")
        pytest.skip(message)
    return base_url


@contextmanager
def fresh_postgres_schema(base_url: str) -> Iterator[str]:
    """The URL of a fresh, empty schema on the server at ``base_url``, dropped when the block ends."""
    schema_name = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_engine_for(base_url)
    with admin.begin() as connection:
        connection.execute(CreateSchema(schema_name))
    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema_name}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(DropSchema(schema_name, cascade=True))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a fresh, empty schema on the test server (dropped after the test)."""
    with fresh_postgres_schema(postgres_server_url()) as url:
        yield url


@pytest.fixture(scope="module")
def module_postgres_url() -> Iterator[str]:
    """A fresh, empty schema on the test server for one test module (dropped after it): for sites set up once per
    module."""
    with fresh_postgres_schema(postgres_server_url()) as url:
        yield url


@pytest.fixture
def store_sqlite(sqlite_url: str, migrated_sqlite_template: Path) -> Iterator[Store]:
    """A fresh, migrated SQLite store."""
    store = open_sqlite_copy(migrated_sqlite_template, sqlite_url)
    yield store
    store.close()


@pytest.fixture
def store_postgres(postgres_url: str) -> Iterator[Store]:
    store = Store.open(postgres_url)
    yield store
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend_url(request: pytest.FixtureRequest) -> str:
    """The URL of a fresh, empty database, once per backend."""
    url = request.getfixturevalue(f"{request.param}_url")
    assert isinstance(url, str)
    return url


@pytest.fixture
def store(backend_url: str, migrated_sqlite_template: Path) -> Iterator[Store]:
    """A fresh, migrated store at ``backend_url``, once per backend."""
    if make_url(backend_url).get_backend_name() == "sqlite":
        store = open_sqlite_copy(migrated_sqlite_template, backend_url)
    else:
        store = Store.open(backend_url)
    yield store
    store.close()
