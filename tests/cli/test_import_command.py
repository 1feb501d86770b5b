"""`boligmonitor import`: the report on standard error, `--json` on standard output, exit status 2 with a message
(never a traceback) for a refused file, a dataset that exists with other provenance, or a busy database.

Every imported file is SYNTHETIC (named synthetic_*); the database is a copy of the session's real build.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from boligmonitor.cli.app import app
from boligmonitor.store import engine

runner = CliRunner()


@pytest.fixture
def database(built_database: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(built_database, copy)
    return copy


def synthetic_file(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "synthetic_cli.csv"
    path.write_text("indicator,region,year,value\n" + rows, encoding="utf-8")
    return path


def test_the_report_and_its_json(database: Path, tmp_path: Path) -> None:
    path = synthetic_file(tmp_path, "KB01,1001,2019,10\nKB01,1017,2019,3\nKB01,1018,2019,2\n")
    result = runner.invoke(app, ["import", str(path), "--json", "--database", f"sqlite:///{database}"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["read"], report["observations"], report["combined_rows"], report["combined_into"]) == (3, 1, 3, 1)
    assert "Imported 1 observations of 1 indicators (KB01)" in result.stderr
    assert "3 rows summed into 1 observations of merged municipalities" in result.stderr


def test_a_value_out_of_range_exits_2_naming_line_and_column(database: Path, tmp_path: Path) -> None:
    path = synthetic_file(tmp_path, "RU05,0301,2023,6\n")
    result = runner.invoke(app, ["import", str(path), "--database", f"sqlite:///{database}"])
    assert result.exit_code == 2
    assert "line 2, field 'value'" in result.output and "above 5" in result.output
    assert "Traceback" not in result.output


def test_a_dataset_with_other_provenance_exits_2(database: Path, tmp_path: Path) -> None:
    path = synthetic_file(tmp_path, "KB01,0301,2023,120\n")
    result = runner.invoke(app, ["import", str(path), "--dataset", "ssb:07459", "--database", f"sqlite:///{database}"])
    assert result.exit_code == 2
    assert "already exists with other provenance" in result.output and "an import cannot change it" in result.output


def test_a_busy_database_exits_2_with_what_to_do(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 50)  # instead of 30 s
    path = synthetic_file(tmp_path, "KB01,0301,2023,120\n")
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another build or import is writing
    try:
        result = runner.invoke(app, ["import", str(path), "--database", f"sqlite:///{database}"])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.exit_code == 2, result.output
    assert "another build or import" in result.output and "Try again" in result.output
    assert "Traceback" not in result.output and "database is locked" not in result.output
