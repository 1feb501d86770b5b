"""`boligmonitor user …` run in-process on a fresh SQLite file. All people and regions are SYNTHETIC."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from boligmonitor.cli.users import users_app
from boligmonitor.store.accounts import AccountStore, AuditAction, IssuedSession, Role

runner = CliRunner()
PASSWORD = "synthetic command-line passphrase"


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'users.sqlite'}"


def run(database: str, *arguments: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(users_app, [*arguments, "--database", database], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_add_prints_a_one_time_invitation_link_and_nothing_else(database: str) -> None:
    code, out, err = run(
        database, "add", "Kari@Kommune.example", "--role", "husbanken_analyst", "--base-url", "https://monitor.example/"
    )
    assert code == 0, err
    link = out.strip()
    assert link.startswith("https://monitor.example/invitasjon/")
    assert "\n" not in link
    assert "kari@kommune.example" in err  # what the link is for, on standard error
    token = link.rsplit("/", 1)[1]
    store = AccountStore.open(database)
    try:
        account = store.invited_account(token)
        assert account is not None
        assert (account.email, account.role, account.has_password) == (
            "kari@kommune.example",
            Role.HUSBANKEN_ANALYST,
            False,
        )
        assert store.audit_entries()[-1].actor.startswith("command line (")
    finally:
        store.close()


def test_the_link_uses_the_configured_base_url(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOLIGMONITOR_BASE_URL", "https://bolig.example")
    code, out, _ = run(database, "add", "kari@kommune.example", "--role", "administrator")
    assert code == 0
    assert out.startswith("https://bolig.example/invitasjon/")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--role", "owner"], "unknown role 'owner'"),
        (["--role", "municipal_reporter"], "needs a municipality"),
        (["--role", "municipal_reporter", "--municipality", "50"], "not a municipality number"),
        (["--role", "regional_adviser", "--region", "Vest (synthetic)"], "unknown adviser region"),
    ],
)
def test_add_refuses_what_the_role_cannot_have(database: str, arguments: list[str], message: str) -> None:
    code, out, err = run(database, "add", "kari@kommune.example", *arguments)
    assert code == 2
    assert out == ""
    assert message in err
    assert json.loads(run(database, "list", "--json")[1]) == {"accounts": []}


def test_set_password_reads_standard_input_and_never_echoes_it(database: str) -> None:
    assert run(database, "add", "kari@kommune.example", "--role", "husbanken_analyst")[0] == 0
    code, out, err = run(database, "set-password", "kari@kommune.example", stdin=PASSWORD + "\n")
    assert code == 0, err
    assert PASSWORD not in out + err
    store = AccountStore.open(database)
    try:
        assert isinstance(store.sign_in("kari@kommune.example", PASSWORD, client_address=None), IssuedSession)
        assert AuditAction.PASSWORD_SET in [entry.action for entry in store.audit_entries()]
    finally:
        store.close()


def test_a_short_password_from_standard_input_is_refused(database: str) -> None:
    run(database, "add", "kari@kommune.example", "--role", "husbanken_analyst")
    code, _, err = run(database, "set-password", "kari@kommune.example", stdin="short\n")
    assert code == 2
    assert "at least 12 characters" in err
    assert "short" not in err.replace("at least", "")


def test_list_set_role_deactivate_and_invite_again(database: str, tmp_path: Path) -> None:
    regions = tmp_path / "regions.yaml"
    regions.write_text("# SYNTHETIC regions\nMidt (synthetic): [50]\nØst (synthetic): ['0301', 32]\n", encoding="utf-8")
    code, out, err = run(database, "regions", str(regions))
    assert code == 0, err
    assert out.splitlines() == ["Midt (synthetic)\t50", "Øst (synthetic)\t0301 32"]
    run(database, "add", "kari@kommune.example", "--role", "municipal_reader", "--municipality", "5001")
    run(database, "add", "adviser@husbanken.example", "--role", "regional_adviser", "--region", "Midt (synthetic)")
    code, _, err = run(
        database, "set-role", "kari@kommune.example", "--role", "municipal_reporter", "--municipality", "5006"
    )
    assert code == 0, err
    assert "municipal_reporter (5006)" in err
    assert run(database, "deactivate", "adviser@husbanken.example")[0] == 0
    listed = json.loads(run(database, "list", "--json")[1])["accounts"]
    assert [(a["email"], a["role"], a["municipality"], a["region"], a["active"]) for a in listed] == [
        ("adviser@husbanken.example", "regional_adviser", None, "Midt (synthetic)", False),
        ("kari@kommune.example", "municipal_reporter", "5006", None, True),
    ]
    code, out, _ = run(database, "list")
    assert out.splitlines() == [
        "adviser@husbanken.example\tregional_adviser\tMidt (synthetic)\tdeactivated no-password",
        "kari@kommune.example\tmunicipal_reporter\t5006\tno-password",
    ]
    first = run(database, "invite", "kari@kommune.example")[1].strip()
    second = run(database, "invite", "kari@kommune.example")[1].strip()
    store = AccountStore.open(database)
    try:
        assert store.invited_account(first.rsplit("/", 1)[1]) is None  # the newer link ends the older one
        assert store.invited_account(second.rsplit("/", 1)[1]) is not None
    finally:
        store.close()


def test_a_bad_regions_file_names_line_and_field(database: str, tmp_path: Path) -> None:
    regions = tmp_path / "regions.yaml"
    regions.write_text("Midt (synthetic): ['50', '5']\n", encoding="utf-8")
    code, _, err = run(database, "regions", str(regions))
    assert code == 2
    assert "line 1, field 'Midt (synthetic)[1]'" in err


def test_users_app_registers_as_a_sub_command() -> None:
    main = typer.Typer()

    @main.command()
    def other() -> None: ...

    main.add_typer(users_app, name="user")
    result = runner.invoke(main, ["user", "--help"])
    assert result.exit_code == 0
    for command in ("add", "invite", "set-password", "set-role", "deactivate", "reactivate", "list", "regions"):
        assert command in result.stdout
