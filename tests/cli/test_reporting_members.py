"""`boligmonitor reporting members import|list` run in-process on SQLite files: a SYNTHETIC member list imported
from CSV, listed with where it comes from, a bad file refused by file, line and field (exit 2, nothing written), and
`round invite --members` taking the imported members."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from boligmonitor.cli.reporting import reporting_app
from boligmonitor.store import Store
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.synthetic import make_accounts

runner = CliRunner()
PROGRAMME = "bolig_for_velferd"
GOOD_CSV = (
    "municipality;level;from;to;name\n"
    "5001;storbyprogram;2014;2020;SYNTHETIC Storby\n"
    "5006;by_og_tettstedsprogram;2016-01-01;2020;SYNTHETIC Tettsted\n"
)


@pytest.fixture(scope="module")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the SYNTHETIC people (Kari reports for 5001, Per for 5006)."""
    path = tmp_path_factory.mktemp("members") / "template.sqlite"
    store = Store.open(f"sqlite:///{path}")
    try:
        make_accounts(store.engine, FakeClock())
    finally:
        store.close()
    return path


@pytest.fixture
def database(tmp_path: Path, database_template: Path) -> str:
    path = tmp_path / "members.sqlite"
    shutil.copyfile(database_template, path)
    return f"sqlite:///{path}"


def run(*arguments: str) -> tuple[int, str, str]:
    result = runner.invoke(reporting_app, list(arguments), env={"BOLIGMONITOR_SMTP_HOST": None})
    return result.exit_code, result.stdout, result.stderr


def test_import_then_list_shows_the_imported_members_and_their_file(database: str, tmp_path: Path) -> None:
    code, out, err = run("members", "list", PROGRAMME, "--database", database)
    assert code == 0, err
    assert "0 member(s) from the package (never imported)" in err
    assert out.strip() == "municipality\tname\tlevel\tstatus\tfrom\tto\tsource"

    path = tmp_path / "synthetic_members.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    code, _, err = run("members", "import", PROGRAMME, str(path), "--database", database)
    assert code == 0, err
    assert "Imported 2 member(s) of bolig_for_velferd from synthetic_members.csv" in err

    code, out, err = run("members", "list", PROGRAMME, "--database", database)
    assert code == 0, err
    assert "2 member(s) imported from synthetic_members.csv by command line" in err
    assert out.strip().splitlines()[1:] == [
        "5001\tSYNTHETIC Storby\tstorbyprogram\tmember\t2014-01-01\t2020-12-31\tsynthetic_members.csv",
        "5006\tSYNTHETIC Tettsted\tby_og_tettstedsprogram\tmember\t2016-01-01\t2020-12-31\tsynthetic_members.csv",
    ]


def test_a_bad_file_exits_2_naming_file_line_and_field_and_writes_nothing(database: str, tmp_path: Path) -> None:
    path = tmp_path / "bad_members.csv"
    path.write_text(GOOD_CSV + "5001;storbyprogram;2015;2016;SYNTHETIC twice\n5010;metropol;2014;2020;\n", "utf-8")
    code, _, err = run("members", "import", PROGRAMME, str(path), "--database", database)
    assert code == 2
    assert "nothing was written (2 problems)" in err
    assert "bad_members.csv, line 4, field 'from': municipality 5001 is already a member then (line 2)" in err
    assert "bad_members.csv, line 5, field 'level': unknown level 'metropol'" in err
    assert "never imported" in run("members", "list", PROGRAMME, "--database", database)[2]
    assert "unknown programme 'nope'" in run("members", "import", "nope", str(path), "--database", database)[2]


def test_round_invite_members_takes_the_imported_members(database: str, tmp_path: Path) -> None:
    today = datetime.now(ZoneInfo("Europe/Oslo")).date()
    opened = run("round", "open", "--programme", PROGRAMME, "--year", "2018", "--opens",
                 f"{today - timedelta(days=1):%Y-%m-%d}", "--closes", f"{today + timedelta(days=3):%Y-%m-%d}",
                 "--database", database)  # fmt: skip
    assert opened[0] == 0, opened[2]
    round_id = opened[1].strip()
    assert "has no members in 2018" in run("round", "invite", round_id, "--members", "--database", database)[2]
    path = tmp_path / "synthetic_members.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    assert run("members", "import", PROGRAMME, str(path), "--database", database)[0] == 0
    code, _, err = run("round", "invite", round_id, "--members", "--database", database)
    assert code == 0, err
    assert "Queued 2 invitation(s)" in err and "for 2 municipalities" in err
