"""A write is all or nothing, on SQLite and on PostgreSQL: readers see the old or the new data, never a mix,
whether the write fails, its process dies, or a reader looks while it runs. All data are synthetic.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest
from sqlalchemy import Engine, func, select

from boligmonitor.core.observation import Observation
from boligmonitor.store import (
    DatasetRow,
    DataVersion,
    Store,
    create_engine_for,
    current_revision,
    head_revision,
    migrate,
)
from boligmonitor.store.schema import observation

ObservationFactory = Callable[[int, float], list[Observation]]

INITIAL_COUNT = 2_000
# More rows than one executemany chunk (10 000), so a failure comes after several statements.
LARGE_COUNT = 12_000


class SyntheticFailureError(Exception):
    """Raised on purpose inside a write."""


@pytest.fixture
def initial(store: Store, dataset_row: DatasetRow, make_observations: ObservationFactory) -> DataVersion:
    """The committed data every test starts from: 2 000 synthetic observations."""
    with store.write("build", "synthetic initial data") as writer:
        writer.put_datasets([dataset_row])
        writer.put_observations(make_observations(INITIAL_COUNT, 0.0))
        return writer.version


def assert_initial_data_intact(store: Store, initial: DataVersion, make_observations: ObservationFactory) -> None:
    assert store.current_version() == initial
    assert store.versions() == [initial]
    assert store.observations() == sorted(make_observations(INITIAL_COUNT, 0.0), key=Observation.key)


def test_a_failing_write_leaves_the_previous_version_and_data(
    store: Store, initial: DataVersion, dataset_row: DatasetRow, make_observations: ObservationFactory
) -> None:
    def failing_rebuild() -> None:
        with store.write("build", "synthetic failing rebuild") as writer:
            writer.replace_everything()
            writer.put_datasets([dataset_row])
            writer.put_observations(make_observations(LARGE_COUNT, 0.5))
            writer.put_indicator_status([])
            raise SyntheticFailureError

    with pytest.raises(SyntheticFailureError):
        failing_rebuild()

    assert_initial_data_intact(store, initial, make_observations)
    assert len(store.datasets()) == 1

    with store.write("refresh", "synthetic write after the failure") as writer:
        writer.put_observations(make_observations(10, 0.25))
        after = writer.version
    assert store.current_version() == after
    assert store.observations(region_code="0000", year=1990)[0].value == 0.25


# The writing process dies (os._exit skips every clean-up) after inserting rows, before the commit.
DYING_WRITER = dedent(
    """
    import os
    import sys
    from datetime import UTC, datetime

    from boligmonitor.core.observation import Observation
    from boligmonitor.core.status import Status
    from boligmonitor.store import DatasetRow, Store, create_engine_for

    store = Store(create_engine_for(sys.argv[1]))
    with store.write("build", "synthetic write that dies") as writer:
        writer.replace_everything()
        writer.put_datasets([DatasetRow("synthetic:dataset", "p", "t", None, "f", "0" * 64,
                                        datetime.now(UTC), None, "2024", None, "", ())])
        written = writer.put_observations(
            Observation(f"synthetic_{i % 10}", f"{(i // 10) % 1000:04d}", 1990 + i // 10_000, -1.0,
                        None, None, "persons", Status.OK, "synthetic:dataset")
            for i in range(int(sys.argv[2]))
        )
        print("inserted", written, "rows for version", writer.version.id, flush=True)
        os._exit(1)
    """
)


def test_a_writer_process_dying_before_commit_leaves_the_previous_data(
    store: Store, backend_url: str, initial: DataVersion, make_observations: ObservationFactory
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", DYING_WRITER, backend_url, str(LARGE_COUNT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert f"inserted {LARGE_COUNT} rows" in result.stdout

    store.close()  # new connections: what a restarted application would see
    assert_initial_data_intact(store, initial, make_observations)
    with store.write("refresh", "synthetic write after the crash") as writer:
        writer.put_observations(make_observations(10, 0.25))
        after = writer.version
    assert store.current_version() == after


def test_readers_see_only_committed_data_while_a_write_runs(
    store: Store,
    backend_url: str,
    initial: DataVersion,
    dataset_row: DatasetRow,
    make_observations: ObservationFactory,
) -> None:
    other_process_like = Store(create_engine_for(backend_url))  # its own engine and connections
    try:
        with store.write("build", "synthetic rebuild") as writer:
            writer.replace_everything()
            writer.put_datasets([dataset_row])
            writer.put_observations(make_observations(LARGE_COUNT, 0.5))
            for reader in (store, other_process_like):
                assert_initial_data_intact(reader, initial, make_observations)
                assert reader.coverage()[0].n_values == INITIAL_COUNT // 10
            rebuilt = writer.version
            # Only the write itself sees its uncommitted data.
            assert writer.reader.current_version() == rebuilt
            assert sum(row.n_values for row in writer.reader.coverage()) == LARGE_COUNT
        for reader in (store, other_process_like):
            assert reader.current_version() == rebuilt
            assert sum(row.n_values for row in reader.coverage()) == LARGE_COUNT
    finally:
        other_process_like.close()


def test_a_snapshot_keeps_seeing_one_version_while_another_commits(
    store: Store, initial: DataVersion, make_observations: ObservationFactory
) -> None:
    with store.snapshot() as snapshot:
        assert snapshot.current_version() == initial
        with store.write("refresh", "synthetic revision") as writer:
            writer.put_observations(make_observations(INITIAL_COUNT, 0.5))
            revised = writer.version
        assert store.current_version() == revised
        assert snapshot.current_version() == initial
        assert snapshot.observations() == sorted(make_observations(INITIAL_COUNT, 0.0), key=Observation.key)
    assert store.observations(region_code="0000", year=1990)[0].value == 0.5


def test_writers_queue_behind_each_other(store: Store, initial: DataVersion) -> None:
    second_started = threading.Event()
    second_versions: list[DataVersion] = []

    def second_writer() -> None:
        with store.write("import", "synthetic second writer") as writer:
            second_started.set()
            second_versions.append(writer.version)

    thread = threading.Thread(target=second_writer)
    with store.write("refresh", "synthetic first writer") as writer:
        first = writer.version
        thread.start()
        assert not second_started.wait(0.3), "a second writer started while the first was open"
    thread.join(timeout=60)
    assert second_started.is_set()
    assert [version.id for version in store.versions()] == [initial.id, first.id, second_versions[0].id]
    assert first.id < second_versions[0].id


def test_many_observations_are_written_in_one_transaction(
    store: Store, dataset_row: DatasetRow, make_observations: ObservationFactory
) -> None:
    # Correctness of the bulk path only; its speed is measured in benchmarks/. PostgreSQL inserts about
    # 10 000 rows/s here (server-side index and foreign-key work), so it gets fewer rows to keep tests fast.
    count = 100_000 if store.engine.dialect.name == "sqlite" else 30_000
    observations = make_observations(count, 0.5)
    with store.write("build", "synthetic bulk write") as writer:
        writer.put_datasets([dataset_row])
        assert writer.put_observations(observations) == count
        version = writer.version

    coverage = store.coverage()
    assert [row.indicator_id for row in coverage] == [f"synthetic_{index}" for index in range(10)]
    assert all(row.n_values == count // 10 for row in coverage)
    assert all((row.first_year, row.last_year) == (1990, 1990 + (count - 1) // 10_000) for row in coverage)
    with store.engine.connect() as connection:
        stamped = connection.execute(
            select(func.count()).select_from(observation).where(observation.c.data_version == version.id)
        ).scalar_one()
    assert stamped == count
    for sample in (observations[0], observations[count // 2 + 1], observations[-1]):
        assert store.observations(sample.indicator_id, sample.region_code, sample.year) == [sample]


def test_processes_starting_at_once_can_all_migrate_a_new_database(backend_url: str) -> None:
    engines = [create_engine_for(backend_url) for _ in range(3)]
    errors: list[BaseException] = []

    def start_up(engine: Engine) -> None:
        try:
            migrate(engine)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=start_up, args=(engine,)) for engine in engines]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        assert {current_revision(engine) for engine in engines} == {head_revision()}
    finally:
        for engine in engines:
            engine.dispose()


def test_connections_opening_a_new_sqlite_file_at_once_all_switch_it_to_wal(tmp_path: Path) -> None:
    # Switching a new file to WAL raced between connections and failed with "database is locked" about one
    # time in ten (found by CI); twenty new files with four connections each make the race near certain.
    for round_number in range(20):
        engines = [create_engine_for(f"sqlite:///{tmp_path}/new-{round_number}.sqlite") for _ in range(4)]
        modes: list[str] = []
        errors: list[BaseException] = []

        def open_connection(engine: Engine, modes: list[str], errors: list[BaseException]) -> None:
            try:
                with engine.connect() as connection:
                    modes.append(connection.exec_driver_sql("PRAGMA journal_mode").scalar_one())
            except BaseException as error:  # reported below, in the test's thread
                errors.append(error)

        threads = [threading.Thread(target=open_connection, args=(engine, modes, errors)) for engine in engines]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            assert errors == []
            assert modes == ["wal"] * 4
        finally:
            for engine in engines:
                engine.dispose()
