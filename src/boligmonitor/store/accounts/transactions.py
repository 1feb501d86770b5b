"""Short write transactions for accounts, sessions and the audit log.

Unlike a data write (:func:`boligmonitor.store.engine.write_transaction`), these do not take PostgreSQL's
advisory lock that queues data builds: a sign-in must not wait for a build of the statistics. On SQLite there is
one write lock for the whole file, so they begin with ``BEGIN IMMEDIATE`` (no deadlock when a read turns into a
write) and wait behind a build up to the busy timeout, or ``wait`` when given, then fail with
:class:`DatabaseBusyError`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from boligmonitor.store.engine import SQLITE_BUSY_TIMEOUT_MS, WRITE_OPTION, DatabaseBusyError


@contextmanager
def account_transaction(engine: Engine, *, wait: timedelta | None = None) -> Iterator[Connection]:
    """A connection in a write transaction: commits when the block ends, rolls back if it raises."""
    try:
        with engine.connect() as connection:
            shortened = wait is not None and connection.dialect.name == "sqlite"
            if shortened:
                assert wait is not None
                _set_busy_timeout(connection, int(wait.total_seconds() * 1000))
            try:
                with connection.execution_options(**{WRITE_OPTION: True}).begin():
                    yield connection
            finally:
                if shortened:
                    _set_busy_timeout(connection, SQLITE_BUSY_TIMEOUT_MS)
    except OperationalError as error:
        if isinstance(error.orig, sqlite3.OperationalError) and "locked" in str(error.orig):
            raise DatabaseBusyError(engine.url.database or str(engine.url)) from None
        raise


@contextmanager
def account_reading(engine: Engine) -> Iterator[Connection]:
    """A connection for reading (its own short transaction)."""
    with engine.connect() as connection, connection.begin():
        yield connection


def _set_busy_timeout(connection: Connection, milliseconds: int) -> None:
    # Straight on the driver's connection, which runs in autocommit mode (store.engine): through SQLAlchemy the
    # PRAGMA would begin a transaction first.
    driver_connection = connection.connection.driver_connection
    assert isinstance(driver_connection, sqlite3.Connection)
    driver_connection.execute(f"PRAGMA busy_timeout={milliseconds}")


__all__ = ["account_reading", "account_transaction"]
