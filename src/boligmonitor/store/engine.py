"""Where the database is and how to connect to it: an SQLite file by default, PostgreSQL by URL."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import OperationalError

from boligmonitor.core.errors import InputError, InputProblem

DATABASE_URL_VARIABLE: Final = "BOLIGMONITOR_DATABASE_URL"
DEFAULT_SQLITE_PATH: Final = Path("var") / "boligmonitor.sqlite"

# How long an SQLite connection waits for another one's lock before giving up with "database is locked".
SQLITE_BUSY_TIMEOUT_MS: Final = 30_000

# Execution option set on a connection before it begins a write transaction (see _begin_sqlite).
WRITE_OPTION: Final = "boligmonitor_write"

# Key of the PostgreSQL advisory lock that serialises writers (any fixed 64-bit number: "bolig").
POSTGRES_WRITE_LOCK: Final = 0x626F6C6967

_POSTGRES_DRIVERS: Final = {"postgresql", "postgres", "postgresql+psycopg"}


def database_url(explicit: str | None = None) -> str:
    """The database URL to use: ``explicit``, else $BOLIGMONITOR_DATABASE_URL, else an SQLite file.

    The default file is ``var/boligmonitor.sqlite`` under the current working directory; the ``var``
    directory is created and the returned URL holds the absolute path, so it stays valid if the process
    changes directory later.
    """
    if explicit:
        return explicit
    configured = os.environ.get(DATABASE_URL_VARIABLE, "").strip()
    if configured:
        return configured
    path = Path.cwd() / DEFAULT_SQLITE_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    return URL.create("sqlite", database=str(path)).render_as_string()


def create_engine_for(url: str) -> Engine:
    """An engine for an SQLite file (``sqlite:///path``) or PostgreSQL (``postgresql://…``).

    PostgreSQL URLs without a driver get psycopg 3. In-memory SQLite is refused: each connection would
    see a different empty database, and the transaction guarantees below need a file.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if parsed.drivername in _POSTGRES_DRIVERS:
        return create_engine(parsed.set(drivername="postgresql+psycopg"), pool_pre_ping=True)
    raise ValueError(f"unsupported database URL {parsed!r}: use sqlite:///FILE or postgresql://…")


class DatabaseBusyError(InputError):
    """Another process held the SQLite database's write lock for longer than the busy timeout.

    An InputError so that every command that writes reports it as a message, not a traceback: nothing was
    written, and the remedy is to wait for the other build or import (or stop it) and try again.
    """

    def __init__(self, database: str) -> None:
        seconds = SQLITE_BUSY_TIMEOUT_MS / 1000
        message = (
            f"the database is busy: another build or import has been writing to it for more than {seconds:g} s. "
            "Nothing was written. Try again when it has finished (or stop it)"
        )
        super().__init__([InputProblem(file=database, message=message)])

    def _describe(self) -> str:
        return str(self.problems[0])


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that holds the database's single write lock.

    Commits when the block ends, rolls back if it raises. Writers queue behind each other, so data
    versions are numbered in commit order: SQLite takes its write lock with BEGIN IMMEDIATE, PostgreSQL
    with a transaction-scoped advisory lock, released at commit or rollback, or when a crashed client's
    connection closes. A writer that waited longer than the busy timeout raises :class:`DatabaseBusyError`.
    """
    with _busy_as_error(engine):
        connection = engine.connect().execution_options(**{WRITE_OPTION: True})
    with connection:
        with _busy_as_error(engine):
            transaction = connection.begin()
        with transaction:
            if connection.dialect.name == "postgresql":
                connection.execute(select(func.pg_advisory_xact_lock(POSTGRES_WRITE_LOCK)))
            yield connection


@contextmanager
def _busy_as_error(engine: Engine) -> Iterator[None]:
    """SQLite's "database is locked" after the busy timeout, as :class:`DatabaseBusyError`."""
    try:
        yield
    except OperationalError as error:
        if not isinstance(error.orig, sqlite3.OperationalError) or "locked" not in str(error.orig):
            raise
        raise DatabaseBusyError(engine.url.database or str(engine.url)) from None


def _sqlite_engine(url: URL) -> Engine:
    if url.database in (None, "", ":memory:") or url.query.get("mode") == "memory":
        raise ValueError("in-memory SQLite is not supported: use a file, e.g. sqlite:///var/boligmonitor.sqlite")
    engine = create_engine(url)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from the sqlite3 driver, which otherwise begins transactions only
    # before INSERT/UPDATE/DELETE and lets other statements run outside them; _begin_sqlite emits BEGIN
    # instead (the recipe in SQLAlchemy's SQLite dialect documentation, "Transactions with SQLite").
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # A writer waits up to 30 s for another writer before giving up with "database is locked".
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # WAL: readers keep reading the last committed data while one writer writes.
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        # NORMAL is durable against application crashes in WAL mode; only power loss may lose the last commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        # 64 MiB page cache (default 2 MiB): bulk upserts touch three B-trees of the observation table.
        cursor.execute("PRAGMA cache_size=-65536")
    finally:
        cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    # Turning a new file into WAL needs an exclusive lock, and SQLite answers "database is locked" at once,
    # without calling the busy handler, when another connection is switching or writing at that moment:
    # processes starting together on a new database failed about one time in ten. Retry up to the busy
    # timeout; once the file is in WAL (it stays so), the statement takes no lock and succeeds first time.
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def _begin_sqlite(connection: Connection) -> None:
    # A writer takes the write lock at BEGIN: it then never fails half way through with "database is
    # locked" when another writer got there first, it waits (busy_timeout) before doing anything.
    if connection.get_execution_options().get(WRITE_OPTION):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("BEGIN")
