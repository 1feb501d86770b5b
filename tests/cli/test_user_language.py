"""`boligmonitor user add --language` and `boligmonitor user set-language`, run in-process on a fresh SQLite file
(the store's behaviour on PostgreSQL too: tests/store/accounts/test_account_language.py). All people are
SYNTHETIC."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from boligmonitor.cli.users import users_app
from boligmonitor.store.accounts import AccountStore, AuditAction

runner = CliRunner()
KARI = "kari@kommune.example"


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'users.sqlite'}"


def run(database: str, *arguments: str) -> tuple[int, str, str]:
    result = runner.invoke(users_app, [*arguments, "--database", database])
    return result.exit_code, result.stdout, result.stderr


def languages(database: str) -> dict[str, str]:
    listed = json.loads(run(database, "list", "--json")[1])["accounts"]
    return {record["email"]: record["language"] for record in listed}


def test_add_keeps_the_language_given_and_bokmal_otherwise(database: str) -> None:
    code, out, err = run(
        database, "add", KARI, "--role", "municipal_reporter", "--municipality", "5001", "--language", "nn"
    )
    assert code == 0, err
    assert out.strip().rsplit("/", 2)[1] == "invitasjon"  # the link, as without --language
    assert run(database, "add", "per@kommune.example", "--role", "husbanken_analyst")[0] == 0
    assert languages(database) == {KARI: "nn", "per@kommune.example": "nb"}


def test_set_language_changes_it_and_the_audit_log_says_who(database: str) -> None:
    run(database, "add", KARI, "--role", "husbanken_analyst")
    code, out, err = run(database, "set-language", KARI, "en")
    assert code == 0, err
    assert out == ""
    assert f"E-mails to {KARI} are written in English (en)." in err
    assert languages(database) == {KARI: "en"}
    store = AccountStore.open(database)
    try:
        [entry] = [entry for entry in store.audit_entries() if entry.action == AuditAction.ACCOUNT_LANGUAGE_CHANGED]
        assert entry.actor.startswith("command line (")
        assert (entry.before, entry.after) == ({"email": KARI, "language": "nb"}, {"email": KARI, "language": "en"})
    finally:
        store.close()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["set-language", KARI, "se"], "unknown language 'se'; expected one of nb, nn, en"),
        (["set-language", "nobody@kommune.example", "nn"], "no account for nobody@kommune.example"),
        (["add", "per@kommune.example", "--role", "husbanken_analyst", "--language", "no"], "unknown language 'no'"),
    ],
)
def test_a_bad_language_or_account_is_refused_and_nothing_changes(
    database: str, arguments: list[str], message: str
) -> None:
    run(database, "add", KARI, "--role", "husbanken_analyst")
    code, out, err = run(database, *arguments)
    assert code == 2
    assert out == ""
    assert message in err
    assert languages(database) == {KARI: "nb"}
