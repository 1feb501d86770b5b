"""`boligmonitor rank` on the built database, through a small Typer app that registers the command as
cli/app.py does (``app.command("rank")(rank)``)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import typer
from openpyxl import load_workbook
from typer.testing import CliRunner

from boligmonitor.cli.rank import rank

app = typer.Typer()
app.command("rank")(rank)


@app.callback()
def _group() -> None:
    """Keeps `rank` a sub-command, as in the real app."""


runner = CliRunner()


@pytest.fixture(scope="module")
def database(built_database: Path) -> str:
    return f"sqlite:///{built_database}"


def test_rank_a_county_as_json(database: str) -> None:
    result = runner.invoke(app, ["rank", "--region", "46", "--json", "--draws", "200", "--database", database])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    municipalities = document["municipalities"]
    assert len(municipalities) > 10
    assert all(m["region"].startswith("46") for m in municipalities)
    assert municipalities[0]["rank"] == 1
    assert municipalities[0]["rank_interval"]["draws"] == 200
    assert document["model"]["name"] == "husbanken"


def test_rank_prints_a_table_and_the_missing_data(database: str) -> None:
    result = runner.invoke(app, ["rank", "--region", "46", "--draws", "50", "--database", database])
    assert result.exit_code == 0, result.output
    assert "Indicator model husbanken for 46" in result.stdout
    assert "rank 5–95 %" in result.stdout
    assert "Missing data (never imputed)" in result.stdout


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rank_writes_csv_or_xlsx(database: str, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"ranking{suffix}"
    arguments = ["rank", "--region", "46", "--draws", "0", "--weights", "BEF03=6", "--out", str(out)]
    result = runner.invoke(app, [*arguments, "--normalisation", "rank", "--database", database])
    assert result.exit_code == 0, result.output
    if suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        header = list(rows[0])
    else:
        workbook = load_workbook(out)
        table = list(workbook["data"].values)
        header = [str(cell) for cell in table[0]]
        rows = [dict(zip(header, row, strict=True)) for row in table[1:]]
        about = dict(workbook["om"].values)
        assert about["normalisation"] == "rank"
        assert "weight 6" in str(about["indicator BEF03"])
    assert len(rows) > 10
    assert {"rank", "region", "score", "BEF03_contribution"} <= set(header)
    assert str(rows[0]["rank"]) == "1"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--region", "9999,4601"], "unknown municipality codes: 9999"),
        (["--region", "46", "--weights", "BEF03=lots"], "weight 'lots' is not a number"),
        (["--region", "46", "--normalisation", "median"], "unknown normalisation 'median'"),
        (["--region", "46", "--min-coverage", "3"], "minimum coverage is a share"),
        (["--region", "46", "--preset", "nope"], "unknown preset 'nope'"),
        (["--region", "46", "--out", "ranking.txt"], "--out must end in .csv or .xlsx"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(database: str, arguments: list[str], message: str) -> None:
    result = runner.invoke(app, ["rank", *arguments, "--draws", "0", "--database", database])
    assert result.exit_code == 2
    assert message in result.output


def test_rank_on_an_empty_database_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rank", "--region", "46", "--database", f"sqlite:///{tmp_path / 'empty.sqlite'}"])
    assert result.exit_code == 2
    assert "empty" in result.output


def test_rank_without_shrinkage_uses_the_published_figures(database: str) -> None:
    shrunk = runner.invoke(app, ["rank", "--region", "46", "--json", "--draws", "0", "--database", database])
    plain = runner.invoke(
        app, ["rank", "--region", "46", "--json", "--draws", "0", "--no-shrinkage", "--database", database]
    )
    assert shrunk.exit_code == 0 and plain.exit_code == 0, plain.output
    with_prior, without = json.loads(shrunk.stdout), json.loads(plain.stdout)
    assert with_prior["model"]["shrinkage"] == "empirical_bayes" and without["model"]["shrinkage"] == "none"
    assert "BEF03" in with_prior["priors"] and without["priors"] == {}
    parts = {m["region"]: m["parts"] for m in without["municipalities"]}
    assert all(part["observed"] == part["value"] for part in parts["4629"])
    assert (
        "Small numbers" in runner.invoke(app, ["rank", "--region", "46", "--draws", "0", "--database", database]).stdout
    )
