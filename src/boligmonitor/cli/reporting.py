"""`boligmonitor reporting …`: back-up and restore of people's data (registered in cli/app.py).

    boligmonitor reporting backup people.jsonl           # accounts, the audit log and programme reporting
    boligmonitor reporting restore people.jsonl          # into a new database (migrated first)

The file is described in docs/reporting-store.md. It holds password hashes and municipalities' answers, so it is
written readable by its owner only. The statistics are not in it: build them again from their input.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from boligmonitor.core.errors import InputError

if TYPE_CHECKING:  # the store (SQLAlchemy, Alembic) is imported by the commands that use it
    from sqlalchemy import Engine

reporting_app = typer.Typer(
    name="reporting",
    help="Programme reporting: back-up and restore of accounts, the audit log and reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True, soft_wrap=True)

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help="SQLAlchemy URL; default BOLIGMONITOR_DATABASE_URL or var/boligmonitor.sqlite"),
]


@reporting_app.command("backup")
def backup_command(
    file: Annotated[Path, typer.Argument(help="The back-up file to write (JSON Lines)", dir_okay=False)],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists")] = False,
    database: DatabaseOption = None,
) -> None:
    """Write accounts, adviser regions, invitations, the audit log and every reporting row to FILE."""
    from boligmonitor.store.reporting.backups import backup

    if file.exists() and not force:
        _fail(f"{file} exists: choose another name, or --force to replace it")
    engine = _engine(database)
    try:
        summary = backup(engine, file)
    except OSError as error:
        _fail(f"cannot write {file}: {error.strerror or error}")
    finally:
        engine.dispose()
    console.print(f"Backed up {summary.total} rows to {file}:", highlight=False)
    _print_counts(summary.rows)


@reporting_app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="A back-up file written by `boligmonitor reporting backup`")],
    database: DatabaseOption = None,
) -> None:
    """Restore FILE into a database that has no accounts, audit rows or reports yet (a new one)."""
    from boligmonitor.store.accounts import Actor
    from boligmonitor.store.reporting.backups import restore

    engine = _engine(database)
    try:
        summary = restore(engine, file, actor=Actor.command_line())
    except InputError as error:
        _fail(str(error))
    finally:
        engine.dispose()
    backed_up = f"{summary.created_at:%Y-%m-%d %H:%M} UTC"
    console.print(f"Restored {summary.total} rows from {file} (backed up {backed_up}):", highlight=False)
    _print_counts(summary.rows)


def _engine(database: str | None) -> Engine:
    from boligmonitor.store import create_engine_for, database_url, migrate

    engine = create_engine_for(database_url(database))
    try:
        migrate(engine)
    except InputError as error:  # the database is busy (a build holds the lock)
        engine.dispose()
        _fail(str(error))
    return engine


def _print_counts(rows: Mapping[str, int]) -> None:
    for table, count in rows.items():
        typer.echo(f"{table}\t{count}")


def _fail(message: str) -> NoReturn:
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True)
    raise typer.Exit(code=2)


__all__ = ["reporting_app"]
