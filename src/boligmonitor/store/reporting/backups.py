"""Back-up and restore of people's data: accounts and access, the audit log, and everything of programme reporting.

The statistics are not in a back-up: a build makes them again from its input. Neither are sessions, sign-in
attempts and OpenID Connect sign-ins on their way: after a restore everybody signs in again.

The file is JSON Lines (UTF-8), documented in docs/reporting-store.md:

* line 1, the header: ``{"format": "boligmonitor-backup", "format_version": 1, "created_at": …, "app_version": …,
  "schema_revision": …, "tables": {table: rows, …}}``;
* one line per row, parents before children: ``{"table": "account", "row": {column: value, …}}``, timestamps
  as ISO 8601 text in UTC, JSON columns as the text they are stored as;
* the last line: ``{"end": true, "rows": N, "sha256": …}``, the SHA-256 of every line before it, so that a
  truncated or altered file is refused.

It holds password hashes (argon2id) and people's answers: it is written readable by its owner only; keep it so.

A restore goes into a database that has none of these rows (a new one, migrated): the audit log cannot be emptied
(its rows are never updated or deleted), so a restore only ever inserts. The whole file is checked first, every
problem named by line and field, and then written in one transaction, rows with the ids they had, followed by an
audit row of the restore itself.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Boolean, Connection, Double, Engine, Integer, Table, Text, func, insert, select, text

from boligmonitor import __version__
from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.store.accounts import audit
from boligmonitor.store.accounts.audit import Actor
from boligmonitor.store.accounts.tables import (
    account,
    adviser_region,
    adviser_region_area,
    audit_log,
    invitation,
    login_attempt,
    oidc_sign_in,
    session,
)
from boligmonitor.store.accounts.transactions import account_transaction
from boligmonitor.store.reporting.audit_actions import ReportingAuditAction
from boligmonitor.store.reporting.tables import REPORTING_TABLES
from boligmonitor.store.schema import UtcDateTime

BACKUP_FORMAT: Final = "boligmonitor-backup"
BACKUP_FORMAT_VERSION: Final = 1

# What a back-up holds, parents before children (the order rows are restored in).
BACKED_UP_TABLES: Final[tuple[Table, ...]] = (
    adviser_region,
    adviser_region_area,
    account,
    invitation,
    audit_log,
    *REPORTING_TABLES,
)
# Left out (they end at a restore), but must be empty too before one: they refer to accounts.
_TRANSIENT_TABLES: Final[tuple[Table, ...]] = (session, login_attempt, oidc_sign_in)
_TABLES_BY_NAME: Final = {table.name: table for table in BACKED_UP_TABLES}
_CHUNK: Final = 1000
_MAX_PROBLEMS: Final = 100


@dataclass(frozen=True, slots=True)
class BackupSummary:
    """What a back-up or restore held: rows per table, in restore order."""

    path: Path
    created_at: datetime
    rows: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def backup(engine: Engine, path: Path) -> BackupSummary:
    """Write every row of the backed-up tables, as one consistent snapshot, to ``path`` (replaced atomically;
    readable by its owner only)."""
    created_at = datetime.now(UTC)
    temporary = path.with_name(f".{path.name}.partial")
    counts: dict[str, int] = {}
    with _snapshot(engine) as connection:
        revision = _revision(connection)
        for table in BACKED_UP_TABLES:
            counts[table.name] = connection.scalar(select(func.count()).select_from(table)) or 0
        header = {
            "format": BACKUP_FORMAT,
            "format_version": BACKUP_FORMAT_VERSION,
            "created_at": created_at.isoformat(),
            "app_version": __version__,
            "schema_revision": revision,
            "tables": counts,
        }
        digest = hashlib.sha256()
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with open(descriptor, "w", encoding="utf-8", newline="\n") as out:
                total = 0
                for line in _lines(connection, header):
                    out.write(line)
                    digest.update(line.encode("utf-8"))
                    total += 1
                out.write(_dumps({"end": True, "rows": total - 1, "sha256": digest.hexdigest()}))
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    os.replace(temporary, path)
    return BackupSummary(path, created_at, counts)


def restore(engine: Engine, path: Path, *, actor: Actor | None = None) -> BackupSummary:
    """Insert every row of the back-up at ``path`` into a database (migrated to the newest schema) that has no
    accounts, audit rows or reporting rows yet. :class:`InputError` naming line and field when the file is not a
    whole, valid back-up, or when the database is not empty; then nothing is written."""
    parsed = _read(path)
    by = actor or Actor.command_line()
    with account_transaction(engine) as connection:
        occupied = [
            table.name
            for table in (*BACKED_UP_TABLES, *_TRANSIENT_TABLES)
            if connection.execute(select(table).limit(1)).first() is not None
        ]
        if occupied:
            raise InputError.single(
                str(engine.url.render_as_string(hide_password=True)),
                "a restore goes into a database without accounts, audit rows or reports, and this one has rows in "
                + ", ".join(occupied)
                + ": restore into a new database (the audit log is never emptied)",
            )
        for table in BACKED_UP_TABLES:
            table_rows = parsed.rows[table.name]
            for start in range(0, len(table_rows), _CHUNK):
                connection.execute(insert(table), table_rows[start : start + _CHUNK])
        if connection.dialect.name == "postgresql":
            _move_sequences_on(connection)
        audit.record(
            connection,
            by,
            ReportingAuditAction.RESTORED.value,
            "backup",
            path.name,
            before=None,
            after={"created_at": parsed.created_at.isoformat(), "rows": dict(parsed.counts)},
            at=datetime.now(UTC),
        )
    return BackupSummary(path, parsed.created_at, parsed.counts)


@dataclass(frozen=True, slots=True)
class _Parsed:
    created_at: datetime
    counts: dict[str, int]
    rows: dict[str, list[dict[str, Any]]]


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection inside one read transaction: on SQLite (WAL) and PostgreSQL (repeatable read) every query
    sees the same committed state."""
    connection = engine.connect()
    if connection.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
    with connection, connection.begin():
        yield connection


def _revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _lines(connection: Connection, header: Mapping[str, Any]) -> Iterator[str]:
    yield _dumps(header)
    for table in BACKED_UP_TABLES:
        key = list(table.primary_key.columns)
        for row in connection.execute(select(table).order_by(*key)):
            values = {column.name: _encoded(column.type, row._mapping[column.name]) for column in table.columns}
            yield _dumps({"table": table.name, "row": values})


def _dumps(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False) + "\n"


def _encoded(column_type: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, UtcDateTime):
        return value.astimezone(UTC).isoformat()
    return value


def _read(path: Path) -> _Parsed:
    source = str(path)
    try:
        content = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError.single(source, "file not found") from None
    except UnicodeDecodeError as error:
        raise InputError.single(source, f"not UTF-8 text: {error}") from None
    # Lines end at "\n" only: answers may hold other line separators (U+2028, U+0085), which JSON leaves as they are.
    pieces = content.split("\n")
    text_lines = [piece + "\n" for piece in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])
    if not text_lines:
        raise InputError.single(source, "the file is empty: not a back-up")
    header = _document(source, 1, text_lines[0])
    created_at = _check_header(source, header)
    *body, last = text_lines
    trailer = _document(source, len(text_lines), last)
    _check_trailer(source, len(text_lines), trailer, text_lines[:-1])
    problems: list[InputProblem] = []
    rows: dict[str, list[dict[str, Any]]] = {table.name: [] for table in BACKED_UP_TABLES}
    order = [table.name for table in BACKED_UP_TABLES]
    last_position = 0
    for number, line in enumerate(body[1:], start=2):
        if len(problems) >= _MAX_PROBLEMS:
            break
        document = _document(source, number, line)
        name = document.get("table")
        row = document.get("row")
        table = _TABLES_BY_NAME.get(name) if isinstance(name, str) else None
        if table is None or not isinstance(row, dict):
            problems.append(
                InputProblem(source, f"not a row of a backed-up table: {str(name)[:40]!r}", number, "table")
            )
            continue
        position = order.index(table.name)
        if position < last_position:
            problems.append(InputProblem(source, "rows out of order: parents come before children", number, "table"))
        last_position = max(last_position, position)
        decoded = _decoded_row(source, number, table, row, problems)
        if decoded is not None:
            rows[table.name].append(decoded)
    counts = {name: len(found) for name, found in rows.items()}
    declared = header.get("tables")
    if not problems and isinstance(declared, dict):
        for name, count in counts.items():
            if declared.get(name, 0) != count:
                problems.append(
                    InputProblem(source, f"the header says {declared.get(name, 0)} rows, found {count}", 1, name)
                )
    if problems:
        raise InputError(problems)
    return _Parsed(created_at, counts, rows)


def _document(source: str, number: int, line: str) -> dict[str, Any]:
    try:
        document = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError.single(source, f"not JSON: {error.msg}", number) from None
    if not isinstance(document, dict):
        raise InputError.single(source, "expected a JSON object", number)
    return document


def _check_header(source: str, header: Mapping[str, Any]) -> datetime:
    if header.get("format") != BACKUP_FORMAT:
        raise InputError.single(source, f"not a boligmonitor back-up (format {BACKUP_FORMAT!r} expected)", 1, "format")
    if header.get("format_version") != BACKUP_FORMAT_VERSION:
        raise InputError.single(
            source,
            f"back-up format version {header.get('format_version')!r}; "
            f"this program reads version {BACKUP_FORMAT_VERSION}",
            1,
            "format_version",
        )
    created = header.get("created_at")
    try:
        created_at = datetime.fromisoformat(created) if isinstance(created, str) else None
    except ValueError:
        created_at = None
    if created_at is None or created_at.tzinfo is None:
        raise InputError.single(source, "expected an ISO 8601 time with its zone", 1, "created_at")
    return created_at


def _check_trailer(source: str, number: int, trailer: Mapping[str, Any], before: list[str]) -> None:
    if trailer.get("end") is not True:
        raise InputError.single(source, "the file ends without its last line: it was cut short", number)
    digest = hashlib.sha256()
    for line in before:
        digest.update(line.encode("utf-8"))
    if trailer.get("sha256") != digest.hexdigest() or trailer.get("rows") != len(before) - 1:
        raise InputError.single(
            source, "the file's checksum does not match its lines: it was changed", number, "sha256"
        )


def _decoded_row(
    source: str, number: int, table: Table, row: Mapping[str, Any], problems: list[InputProblem]
) -> dict[str, Any] | None:
    decoded: dict[str, Any] = {}
    found = len(problems)
    for name in row:
        if name not in table.columns:
            problems.append(
                InputProblem(source, f"{table.name} has no column {name!r}", number, f"{table.name}.{name}")
            )
    for column in table.columns:
        field = f"{table.name}.{column.name}"
        if column.name not in row and column.server_default is not None:
            continue  # a back-up from before the column was added (account.language, 0008): the database's default
        value = row.get(column.name)
        if value is None:
            if not column.nullable:
                problems.append(InputProblem(source, "a value is required", number, field))
            decoded[column.name] = None
            continue
        try:
            decoded[column.name] = _decoded(column.type, value)
        except (TypeError, ValueError) as error:
            problems.append(InputProblem(source, str(error), number, field))
    return decoded if len(problems) == found else None


def _decoded(column_type: Any, value: Any) -> Any:
    if isinstance(column_type, UtcDateTime):
        if not isinstance(value, str):
            raise TypeError(f"expected a time as text, got {value!r}")
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(f"time without a zone: {value!r}")
        return parsed
    if isinstance(column_type, Boolean):
        if not isinstance(value, bool):
            raise TypeError(f"expected true or false, got {value!r}")
        return value
    if isinstance(column_type, Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"expected a whole number, got {value!r}")
        return value
    if isinstance(column_type, Double):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"expected a number, got {value!r}")
        return float(value)
    if isinstance(column_type, Text):
        if not isinstance(value, str):
            raise TypeError(f"expected text, got {value!r}")
        return value
    raise TypeError(f"no reading for column type {column_type!r}")


def _move_sequences_on(connection: Connection) -> None:
    """PostgreSQL: the id sequences go on after the restored ids (SQLite takes the largest id + 1 by itself)."""
    for table in BACKED_UP_TABLES:
        identity = [column for column in table.primary_key.columns if column.autoincrement is True]
        for column in identity:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                    f"COALESCE(MAX({column.name}), 1), MAX({column.name}) IS NOT NULL) FROM {table.name}"
                )
            )


__all__ = ["BACKED_UP_TABLES", "BACKUP_FORMAT", "BACKUP_FORMAT_VERSION", "BackupSummary", "backup", "restore"]
