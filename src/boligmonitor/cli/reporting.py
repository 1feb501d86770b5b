"""`boligmonitor reporting …`: back-up and restore of people's data (registered in cli/app.py).

    boligmonitor reporting backup people.jsonl           # accounts, the audit log and programme reporting
    boligmonitor reporting restore people.jsonl          # into a new database (migrated first)
    boligmonitor reporting round open --programme ID --year YYYY --opens DATE --closes DATE
    boligmonitor reporting round list | close ID | invite ID (--members | --municipality KNR ...)
    boligmonitor reporting remind [--days 7]              # reminders before the deadline (daily, from cron)
    boligmonitor reporting send-mail                      # the unsent notifications by e-mail (SMTP settings)
    boligmonitor reporting members import PROGRAMME FILE  # this year's member list from CSV or XLSX
    boligmonitor reporting members list PROGRAMME         # the members in effect and where they come from

The back-up file is described in docs/reporting-store.md. It holds password hashes and municipalities' answers, so
it is written readable by its owner only. The statistics are not in it: build them again from their input.
Rounds, invitations, reminders and e-mail are described in docs/notifications.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from boligmonitor.core.errors import InputError

if TYPE_CHECKING:  # the store (SQLAlchemy, Alembic) is imported by the commands that use it
    from sqlalchemy import Engine

    from boligmonitor.store.reporting import ReportingError, ReportStore

reporting_app = typer.Typer(
    name="reporting",
    help="Programme reporting: rounds, invitations, reminders, e-mail; back-up and restore of people's data.",
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


# Rounds, invitations, reminders and e-mail (docs/notifications.md)

round_app = typer.Typer(
    name="round",
    help="Reporting rounds: open, list, close, and invite the municipalities.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
reporting_app.add_typer(round_app, name="round")

NORWAY_TIME: Final = "Europe/Oslo"


@round_app.command("open")
def round_open_command(
    programme: Annotated[str, typer.Option("--programme", help="The programme's id, e.g. bolig_for_velferd")],
    year: Annotated[int, typer.Option("--year", help="The year reported on (the form's year)")],
    opens: Annotated[str, typer.Option("--opens", help="YYYY-MM-DD (from 00:00) or YYYY-MM-DDTHH:MM, Norway")],
    closes: Annotated[str, typer.Option("--closes", help="The deadline: YYYY-MM-DD (until 23:59) or YYYY-MM-DDTHH:MM")],
    database: DatabaseOption = None,
) -> None:
    """Open a programme's reporting round for YEAR with the packaged form of that year."""
    from boligmonitor.store.accounts import Actor
    from boligmonitor.store.reporting import ReportingError

    opens_at = _moment(opens, "--opens", end_of_day=False)
    closes_at = _moment(closes, "--closes", end_of_day=True)
    if closes_at <= opens_at:
        _fail(f"--closes ({closes}) must be after --opens ({opens})")
    store = _report_store(database)
    try:
        created = store.create_round(
            programme, year, opens_at=opens_at, closes_at=closes_at, actor=Actor.command_line()
        )
    except ReportingError as error:
        _fail(_option_message(error))
    except (InputError, KeyError, FileNotFoundError) as error:
        _fail(f"--programme {programme} --year {year}: {error}")
    finally:
        store.close()
    console.print(
        f"Opened round {created.id}: {created.programme_id} {created.year} (form {created.form_version}), "
        f"{_when(created.opens_at)} to {_when(created.closes_at)}.",
        highlight=False,
    )
    typer.echo(created.id)


@round_app.command("list")
def round_list_command(
    programme: Annotated[str | None, typer.Option("--programme", help="Only this programme's rounds")] = None,
    database: DatabaseOption = None,
) -> None:
    """Every round: id, programme, year, form version, opens, closes (Norwegian time), state; tab-separated."""
    store = _report_store(database)
    try:
        found = store.rounds(programme)
    finally:
        store.close()
    typer.echo("id\tprogramme\tyear\tform_version\topens\tcloses\tstate")
    for reporting in found:
        typer.echo(
            f"{reporting.id}\t{reporting.programme_id}\t{reporting.year}\t{reporting.form_version}\t"
            f"{_when(reporting.opens_at)}\t{_when(reporting.closes_at)}\t{reporting.state.value}"
        )


@round_app.command("close")
def round_close_command(
    round_id: Annotated[int, typer.Argument(help="The round's id (see `round list`)")],
    database: DatabaseOption = None,
) -> None:
    """Close a round: no report of it changes any more."""
    from boligmonitor.store.accounts import Actor
    from boligmonitor.store.reporting import ReportingError

    store = _report_store(database)
    try:
        closed = store.close_round(round_id, actor=Actor.command_line())
    except ReportingError as error:
        _fail(error.message)
    finally:
        store.close()
    console.print(f"Closed round {closed.id}: {closed.programme_id} {closed.year}.", highlight=False)


@round_app.command("invite")
def round_invite_command(
    round_id: Annotated[int, typer.Argument(help="The round's id (see `round list`)")],
    members: Annotated[
        bool, typer.Option("--members", help="The programme's members in the round's year (imported, or the package's)")
    ] = False,
    municipality: Annotated[
        list[str] | None, typer.Option("--municipality", help="A municipality number (repeat for more)")
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Queue invitations to the round for the reporters of the municipalities (each reporter once per round)."""
    from boligmonitor.catalog.reporting import load_programme
    from boligmonitor.pipeline.reporting.invitations import invite, members_in
    from boligmonitor.store.accounts import Actor
    from boligmonitor.store.reporting import ReportingError
    from boligmonitor.store.reporting.members import programme_in_effect

    if members == bool(municipality):
        _fail("give either --members or one or more --municipality KNR")
    store = _report_store(database)
    try:
        reporting = store.round(round_id)
        if members:
            try:
                in_effect = programme_in_effect(load_programme(reporting.programme_id), store)
                codes = members_in(in_effect, reporting.year)
            except (InputError, KeyError, FileNotFoundError) as error:
                _fail(f"--members: cannot read programme {reporting.programme_id}: {error}")
            if not codes:
                _fail(f"--members: {reporting.programme_id} has no members in {reporting.year}")
        else:
            codes = list(municipality or [])
        queued = invite(store, round_id, codes, actor=Actor.command_line())
    except ReportingError as error:
        _fail(_option_message(error))
    finally:
        store.close()
    console.print(
        f"Queued {queued.total} invitation(s) to round {round_id} for {len(queued.messages)} municipalities.",
        highlight=False,
    )
    _warn_without_reporters(queued.without_reporters)


@reporting_app.command("remind")
def remind_command(
    days: Annotated[int, typer.Option("--days", min=0, help="Remind for rounds closing within this many days")] = 7,
    database: DatabaseOption = None,
) -> None:
    """Queue a reminder for every invited municipality whose report is not submitted, in each open round that
    closes within DAYS days; once per municipality and round. Run it daily (cron or a systemd timer)."""
    from boligmonitor.pipeline.reporting.invitations import remind_due
    from boligmonitor.store.accounts import Actor

    store = _report_store(database)
    try:
        results = remind_due(store, days=days, actor=Actor.command_line())
    finally:
        store.close()
    total = sum(queued.total for queued in results)
    console.print(f"Queued {total} reminder(s) in {len(results)} round(s).", highlight=False)
    for queued in results:
        for code, count in queued.messages.items():
            typer.echo(f"{queued.round_id}\t{code}\t{count}")
        _warn_without_reporters(queued.without_reporters)


@reporting_app.command("send-mail")
def send_mail_command(
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many messages in one run")] = 500,
    database: DatabaseOption = None,
) -> None:
    """Send every unsent notification by e-mail once (SMTP settings from BOLIGMONITOR_SMTP_*; without
    BOLIGMONITOR_SMTP_HOST nothing is sent). Exits 1 when a message could not be sent: it stays unsent for the
    next run."""
    from boligmonitor.pipeline.reporting.mail import DeliveryError, deliver_unsent
    from boligmonitor.pipeline.reporting.mail_settings import HOST_VARIABLE, MailSettings, MailSettingsError

    try:
        settings = MailSettings.from_environment()
    except MailSettingsError as error:
        _fail(str(error))
    if settings is None:
        console.print(f"No SMTP server configured ({HOST_VARIABLE}): no e-mail sent.", highlight=False)
        return
    store = _report_store(database)
    try:
        result = deliver_unsent(store, settings, limit=limit)
    except DeliveryError as error:
        console.print(f"[bold red]error:[/] {escape(str(error))}; nothing sent", highlight=False, markup=True)
        raise typer.Exit(code=1) from None
    finally:
        store.close()
    console.print(f"Sent {len(result.sent)} message(s).", highlight=False)
    for failure in result.failed:
        console.print(
            f"[bold red]not sent:[/] message {failure.notification_id} to {escape(failure.recipient)}: "
            f"{escape(failure.reason)}",
            highlight=False,
            markup=True,
        )
    if not result.ok:
        left = len(result.failed) + result.not_tried
        console.print(
            f"[bold red]error:[/] {left} message(s) left unsent; they are tried again by the next run",
            highlight=False,
            markup=True,
        )
        raise typer.Exit(code=1)


def _report_store(database: str | None) -> ReportStore:
    from boligmonitor.store.reporting import ReportStore

    engine = _engine(database)
    return ReportStore(engine)


def _moment(text: str, option: str, *, end_of_day: bool) -> datetime:
    """A date (the start of the day, or its last minute for a deadline) or a date and time, in Norwegian time
    unless it names its offset."""
    from zoneinfo import ZoneInfo

    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time(23, 59) if end_of_day else time(0, 0))
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        _fail(f"{option}: {text!r} is not a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM)")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(NORWAY_TIME))
    return moment.astimezone(UTC)


def _when(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return f"{moment.astimezone(ZoneInfo(NORWAY_TIME)):%Y-%m-%d %H:%M}"


def _option_message(error: ReportingError) -> str:
    """The store's refusal, naming the command's option where it is about one."""
    options = {"closes_at": "--closes", "opens_at": "--opens", "municipality": "--municipality"}
    option = options.get(error.field)
    return f"{option}: {error.message}" if option else error.message


def _warn_without_reporters(codes: tuple[str, ...]) -> None:
    if codes:
        console.print(
            f"[yellow]warning:[/] no active reporter for {', '.join(codes)}: nobody there was told "
            "(add one with `boligmonitor user add EMAIL --role municipal_reporter --municipality KNR`)",
            highlight=False,
            markup=True,
        )


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


# A programme's members from a file (docs/reporting-forms.md, "Members")

members_app = typer.Typer(
    name="members",
    help="A programme's members: import this year's list from CSV or XLSX, list the members in effect.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
reporting_app.add_typer(members_app, name="members")


@members_app.command("import")
def members_import_command(
    programme: Annotated[str, typer.Argument(help="The programme's id, e.g. bolig_for_velferd")],
    file: Annotated[Path, typer.Argument(help="CSV or XLSX: municipality, level, from, to, status, name")],
    database: DatabaseOption = None,
) -> None:
    """Replace the programme's members with those in FILE (all or nothing). Every problem is listed with file,
    line and field, and exits 2 with nothing written."""
    from boligmonitor.catalog.reporting import load_programme, programme_ids
    from boligmonitor.catalog.reporting.members import read_member_lines
    from boligmonitor.store.accounts import Actor

    if programme not in programme_ids():
        _fail(f"unknown programme {programme!r}; known: {', '.join(programme_ids())}")
    try:
        rows = read_member_lines(file, programme=load_programme(programme))
    except InputError as error:
        _fail(str(error))
    store = _report_store(database)
    try:
        before = store.imported_members(programme)
        members = [member for _, member in rows]
        lines = [line for line, _ in rows]
        count = store.replace_members(programme, members, source=file.name, actor=Actor.command_line(), lines=lines)
    except InputError as error:
        _fail(str(error))
    finally:
        store.close()
    replaced = "the package's list" if before is None else f"{len(before)} imported before"
    console.print(
        f"Imported {count} member(s) of {programme} from {file.name} (replacing {replaced}).", highlight=False
    )


@members_app.command("list")
def members_list_command(
    programme: Annotated[str, typer.Argument(help="The programme's id, e.g. bolig_for_velferd")],
    database: DatabaseOption = None,
) -> None:
    """The members in effect, tab-separated (municipality, name, level, status, from, to, source): the imported
    list when there is one, else the package's."""
    from boligmonitor.catalog.reporting import load_programme, programme_ids

    if programme not in programme_ids():
        _fail(f"unknown programme {programme!r}; known: {', '.join(programme_ids())}")
    store = _report_store(database)
    try:
        imported = store.imported_members(programme)
    finally:
        store.close()
    if imported is None:
        rows = [(member, "package") for member in load_programme(programme).members]
        console.print(f"{programme}: {len(rows)} member(s) from the package (never imported).", highlight=False)
    else:
        rows = [(found.member, found.source) for found in imported]
        first = imported[0]
        console.print(
            f"{programme}: {len(rows)} member(s) imported from {first.source} by {first.imported_by} "
            f"at {_when(first.imported_at)}.",
            highlight=False,
        )
    typer.echo("municipality\tname\tlevel\tstatus\tfrom\tto\tsource")
    for member, source in rows:
        typer.echo(
            f"{member.municipality}\t{member.name or ''}\t{member.level or ''}\t{member.status.value}\t"
            f"{member.start.isoformat()}\t{'' if member.end is None else member.end.isoformat()}\t{source}"
        )


__all__ = ["reporting_app"]
