"""PostgreSQL specifics: types, time zones, drivers. The shared behaviour tests run on PostgreSQL too
(see test_store_sqlite.py and test_transactions.py); these need BOLIGMONITOR_TEST_POSTGRES_URL.

All data are synthetic.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.dialects.postgresql import TIMESTAMP
from sqlalchemy.engine import make_url

from boligmonitor.store import DatasetRow, Store, create_engine_for

pytestmark = pytest.mark.postgres


def with_session_option(url: str, option: str) -> str:
    parsed = make_url(url)
    options = " ".join(filter(None, [str(parsed.query.get("options", "")), option]))
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


@pytest.fixture
def store_in_auckland(store_postgres: Store) -> Iterator[Store]:
    """A second store on the same schema whose sessions use a time zone far from UTC."""
    url = with_session_option(
        store_postgres.engine.url.render_as_string(hide_password=False), "-ctimezone=Pacific/Auckland"
    )
    store = Store(create_engine_for(url))
    yield store
    store.close()


def test_the_schema_uses_native_postgresql_types(store_postgres: Store) -> None:
    inspector = inspect(store_postgres.engine)
    columns = {column["name"]: column["type"] for column in inspector.get_columns("observation")}
    assert str(columns["value"]) == "DOUBLE PRECISION"
    assert isinstance(columns["fetched_at"], TIMESTAMP)
    assert columns["fetched_at"].timezone
    assert str(columns["flags"]) == "TEXT"
    assert {index["name"] for index in inspector.get_indexes("observation")} == {
        "ix_observation_region_code_year",
        "ix_observation_indicator_id_year",
    }


def test_timestamps_are_utc_whatever_the_session_time_zone(
    store_postgres: Store, store_in_auckland: Store, dataset_row: DatasetRow
) -> None:
    fetched = datetime(2025, 3, 1, 8, 30, tzinfo=timezone(timedelta(hours=-5)))
    with store_in_auckland.write("build", "synthetic") as writer:
        writer.put_datasets([dataclasses.replace(dataset_row, fetched_at=fetched)])

    for store in (store_postgres, store_in_auckland):
        (stored,) = store.datasets()
        assert stored.fetched_at == fetched
        assert stored.fetched_at is not None
        assert stored.fetched_at.tzinfo == UTC
        assert stored.fetched_at.hour == 13
    with store_in_auckland.engine.connect() as connection:
        assert connection.execute(text("SHOW timezone")).scalar_one() == "Pacific/Auckland"


def test_a_url_without_driver_connects_through_psycopg(postgres_url: str) -> None:
    plain = make_url(postgres_url).set(drivername="postgresql").render_as_string(hide_password=False)
    store = Store.open(plain)
    try:
        assert store.engine.dialect.driver == "psycopg"
        assert store.current_version() is None
    finally:
        store.close()


def test_the_test_server_is_reached_through_a_unix_socket(store_postgres: Store) -> None:
    # pytest-socket blocks TCP; the server must not need it (and listens on no TCP address).
    with store_postgres.engine.connect() as connection:
        assert connection.execute(text("SELECT inet_server_addr()")).scalar_one() is None
