"""A writer that waits longer than SQLite's busy timeout gets a clear error, not a "database is locked" traceback.

The database is a fresh, migrated file with SYNTHETIC data; the other writer is a plain sqlite3 connection that
holds the write lock (BEGIN IMMEDIATE), as a running build or import does.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from boligmonitor.store import Store, engine
from boligmonitor.store.engine import DatabaseBusyError
from tests.store.conftest import open_sqlite_copy, synthetic_dataset


def test_a_writer_blocked_past_the_busy_timeout_is_told_what_to_do(
    migrated_sqlite_template: Path, sqlite_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 50)  # instead of 30 s
    store: Store = open_sqlite_copy(migrated_sqlite_template, f"sqlite:///{sqlite_path}")
    other = sqlite3.connect(sqlite_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another build or import is writing
    try:
        with pytest.raises(DatabaseBusyError) as caught, store.write("import", "synthetic blocked import") as writer:
            writer.put_datasets([synthetic_dataset()])
    finally:
        other.execute("ROLLBACK")
        other.close()
    message = str(caught.value)
    assert message.startswith(str(sqlite_path))
    assert "another build or import" in message and "Try again" in message and "Nothing was written" in message
    assert "Input rejected" not in message
    assert store.current_version() is None
    with store.write("import", "synthetic import once the other has finished") as writer:
        writer.put_datasets([synthetic_dataset()])
    assert store.current_version() is not None
    store.close()
