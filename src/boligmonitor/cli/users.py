"""`boligmonitor user …`: accounts and access from the command line (registered in cli/app.py as ``user``).

    boligmonitor user add kari@kommune.no --role municipal_reporter --municipality 5001 [--language nn]
    boligmonitor user invite kari@kommune.no                 # a new link when the first one expired
    printf '%s\\n' "$PASSWORD" | boligmonitor user set-password kari@kommune.no
    boligmonitor user set-role kari@kommune.no --role municipal_reader --municipality 5001
    boligmonitor user set-language kari@kommune.no nn         # her e-mails in nynorsk (nb, nn or en)
    boligmonitor user deactivate kari@kommune.no
    boligmonitor user list [--json]
    boligmonitor user regions regions.yaml                   # adviser regions as data; without a file: list them

There are no default passwords: a new account has none until its invitation link is used (or set-password is
run). Every change is recorded in the audit log as made by "command line (<operating-system user>)".
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from boligmonitor.core.errors import InputError

if TYPE_CHECKING:  # the store (SQLAlchemy, Alembic, argon2) is imported by the commands that use it
    from boligmonitor.store.accounts import Account, AccountStore

BASE_URL_VARIABLE = "BOLIGMONITOR_BASE_URL"
_LANGUAGE_NAMES = {"nb": "bokmål (nb)", "nn": "nynorsk (nn)", "en": "English (en)"}
DEFAULT_BASE_URL = "http://127.0.0.1:8000"

users_app = typer.Typer(
    name="user",
    help="Accounts and access: add people, invite them, set roles and passwords, list accounts and regions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True, soft_wrap=True)

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help="SQLAlchemy URL; default BOLIGMONITOR_DATABASE_URL or var/boligmonitor.sqlite"),
]
RoleOption = Annotated[
    str,
    typer.Option(
        "--role",
        help="administrator, husbanken_analyst, regional_adviser, municipal_reporter or municipal_reader",
    ),
]
MunicipalityOption = Annotated[
    str | None, typer.Option("--municipality", help="Municipality number (4 digits), for the municipal roles")
]
RegionOption = Annotated[str | None, typer.Option("--region", help="Adviser region, for regional advisers")]
LanguageOption = Annotated[
    str, typer.Option("--language", help="The language of her e-mails: nb (bokmål), nn (nynorsk) or en (English)")
]
ValidDaysOption = Annotated[int, typer.Option("--valid-days", min=1, help="Days the invitation link works")]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--base-url", help=f"The site's address for the link; default ${BASE_URL_VARIABLE} or {DEFAULT_BASE_URL}"
    ),
]


@users_app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="The person's e-mail address (the account's name)")],
    role: RoleOption,
    municipality: MunicipalityOption = None,
    region: RegionOption = None,
    language: LanguageOption = "nb",
    valid_days: ValidDaysOption = 7,
    base_url: BaseUrlOption = None,
    database: DatabaseOption = None,
) -> None:
    """Create an account and print its one-time invitation link (the only output on standard output)."""
    from boligmonitor.store.accounts import Actor

    store = _open(database)
    try:
        account = store.create_account(
            email, role, municipality=municipality, region=region, language=language, actor=Actor.command_line()
        )
        invitation = store.invite(account.email, valid_for=timedelta(days=valid_days), actor=Actor.command_line())
    except ValueError as error:  # AccountError: a bad e-mail, role, municipality or region
        _fail(error)
    finally:
        store.close()
    _print_link(invitation.token, base_url, account.email, invitation.expires_at.isoformat(timespec="minutes"))


@users_app.command("invite")
def invite(
    email: Annotated[str, typer.Argument(help="The account's e-mail address")],
    valid_days: ValidDaysOption = 7,
    base_url: BaseUrlOption = None,
    database: DatabaseOption = None,
) -> None:
    """Print a new invitation link for an existing account; earlier links stop working."""
    from boligmonitor.store.accounts import Actor

    store = _open(database)
    try:
        invitation = store.invite(email, valid_for=timedelta(days=valid_days), actor=Actor.command_line())
    except ValueError as error:
        _fail(error)
    finally:
        store.close()
    _print_link(
        invitation.token, base_url, invitation.account.email, invitation.expires_at.isoformat(timespec="minutes")
    )


@users_app.command("set-password")
def set_password(
    email: Annotated[str, typer.Argument(help="The account's e-mail address")],
    database: DatabaseOption = None,
) -> None:
    """Set an account's password from standard input (its first line), ending her sessions. For scripts: the
    password is never an argument, so it stays out of the shell history and the process list."""
    from boligmonitor.store.accounts import Actor

    if sys.stdin.isatty():
        console.print("Password (then Enter):", highlight=False)
    password = sys.stdin.readline().rstrip("\r\n")
    store = _open(database)
    try:
        account = store.set_password(email, password, actor=Actor.command_line())
    except ValueError as error:
        _fail(error)
    finally:
        store.close()
    console.print(f"Password set for {account.email}.", highlight=False)


@users_app.command("set-role")
def set_role(
    email: Annotated[str, typer.Argument(help="The account's e-mail address")],
    role: RoleOption,
    municipality: MunicipalityOption = None,
    region: RegionOption = None,
    database: DatabaseOption = None,
) -> None:
    """Change an account's role (and municipality or region); her sessions end, she signs in again."""
    from boligmonitor.store.accounts import Actor

    store = _open(database)
    try:
        account = store.change_role(email, role, municipality=municipality, region=region, actor=Actor.command_line())
    except ValueError as error:
        _fail(error)
    finally:
        store.close()
    console.print(f"{account.email} is now {_describe_role(account)}.", highlight=False)


@users_app.command("set-language")
def set_language(
    email: Annotated[str, typer.Argument(help="The account's e-mail address")],
    language: Annotated[str, typer.Argument(help="nb (bokmål), nn (nynorsk) or en (English)")],
    database: DatabaseOption = None,
) -> None:
    """Set the language her e-mails (invitations, reminders, returned reports, comments) are written in."""
    from boligmonitor.store.accounts import Actor

    store = _open(database)
    try:
        account = store.set_language(email, language, actor=Actor.command_line())
    except ValueError as error:  # AccountError: an unknown account or language
        _fail(error)
    finally:
        store.close()
    console.print(f"E-mails to {account.email} are written in {_LANGUAGE_NAMES[account.language]}.", highlight=False)


@users_app.command("deactivate")
def deactivate(
    email: Annotated[str, typer.Argument(help="The account's e-mail address")],
    database: DatabaseOption = None,
) -> None:
    """Stop an account from signing in (its sessions end at once). Accounts are never deleted."""
    _set_active(email, False, database)


@users_app.command("reactivate")
def reactivate(
    email: Annotated[str, typer.Argument(help="The account's e-mail address")],
    database: DatabaseOption = None,
) -> None:
    """Let a deactivated account sign in again."""
    _set_active(email, True, database)


@users_app.command("list")
def list_accounts(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on standard output")] = False,
    database: DatabaseOption = None,
) -> None:
    """Every account: e-mail address, role, municipality or region, whether it is active and has a password."""
    store = _open(database)
    try:
        accounts = store.accounts()
    finally:
        store.close()
    records = [
        {
            "email": account.email,
            "role": account.role.value,
            "municipality": account.municipality_code,
            "region": account.adviser_region,
            "active": account.active,
            "has_password": account.has_password,
            "language": account.language,
            "created_at": account.created_at.isoformat(timespec="seconds"),
        }
        for account in accounts
    ]
    if as_json:
        typer.echo(json.dumps({"accounts": records}, ensure_ascii=False, indent=2))
        return
    if not records:
        console.print("No accounts yet: add one with `boligmonitor user add EMAIL --role ROLE`.", highlight=False)
        return
    for record in records:
        scope = record["municipality"] or record["region"] or ""
        flags = ("" if record["active"] else " deactivated") + ("" if record["has_password"] else " no-password")
        typer.echo(f"{record['email']}\t{record['role']}\t{scope}\t{flags.strip()}".rstrip())


@users_app.command("regions")
def regions(
    file: Annotated[
        Path | None,
        typer.Argument(help="YAML: region name -> county (2-digit) and municipality (4-digit) codes; replaces all"),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """List the adviser regions, or replace them all with those in FILE."""
    from boligmonitor.store.accounts import Actor
    from boligmonitor.store.accounts.regions import read_regions_file

    store = _open(database)
    try:
        if file is not None:
            loaded = read_regions_file(file)
            store.replace_regions(loaded, actor=Actor.command_line(), source=str(file))
            console.print(f"{len(loaded)} adviser regions in place.", highlight=False)
        current = store.regions()
    except InputError as error:
        _fail(error)
    finally:
        store.close()
    for name, codes in current.items():
        typer.echo(f"{name}\t{' '.join(sorted(codes))}")


def _open(database: str | None) -> AccountStore:
    from boligmonitor.store.accounts import AccountStore

    try:
        return AccountStore.open(database)
    except InputError as error:  # the database is busy (a build holds the lock)
        _fail(error)


def _set_active(email: str, active: bool, database: str | None) -> None:
    from boligmonitor.store.accounts import Actor

    store = _open(database)
    try:
        account = store.set_active(email, active, actor=Actor.command_line())
    except ValueError as error:
        _fail(error)
    finally:
        store.close()
    console.print(f"{account.email} is {'active' if account.active else 'deactivated'}.", highlight=False)


def _print_link(token: str, base_url: str | None, email: str, expires: str) -> None:
    base = (base_url or os.environ.get(BASE_URL_VARIABLE, "").strip() or DEFAULT_BASE_URL).rstrip("/")
    console.print(f"Invitation for {email}, valid until {expires} (UTC), to be used once:", highlight=False)
    typer.echo(f"{base}/invitasjon/{token}")


def _describe_role(account: Account) -> str:
    where = account.municipality_code or account.adviser_region
    return account.role.value + (f" ({where})" if where else "")


def _fail(error: Exception) -> NoReturn:
    console.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, markup=True)
    raise typer.Exit(code=2)


__all__ = ["users_app"]
