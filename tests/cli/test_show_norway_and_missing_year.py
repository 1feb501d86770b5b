"""`boligmonitor show` (issue 12): Norway in every spelling the web picker takes, and no year 0 for an indicator
without any value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from boligmonitor.catalog import load_catalog
from boligmonitor.cli.app import app

runner = CliRunner()


@pytest.fixture(scope="module")
def url(built_database: Path) -> str:
    return f"sqlite:///{built_database}"


@pytest.fixture(scope="module")
def without_values(url: str) -> str:
    """A catalogue indicator with no value and no observation in this build (no source loaded)."""
    status = runner.invoke(app, ["status", "--json", "--database", url])
    assert status.exit_code == 0, status.output
    report = json.loads(status.stdout)
    with_values = {item["id"] for item in report["indicators"] if item["n_values"] or item["n_missing"]}
    for indicator in load_catalog().indicators:
        if indicator.id not in with_values:
            return indicator.id
    pytest.fail("the offline build has no indicator without values to test with")


def _show(url: str, *arguments: str) -> dict[str, object]:
    result = runner.invoke(app, ["show", *arguments, "--json", "--database", url])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert isinstance(record, dict)
    return record


@pytest.mark.parametrize(
    "spelling", ["0000", "00", "EAK", "Hele landet", "Heile landet", "Norge", "Noreg", "Norway", " 0000 "]
)
def test_show_fl01_for_norway_in_every_spelling(url: str, spelling: str) -> None:
    """SSB's 0000 and Norway's names give Norway's row, exactly as 0 does."""
    norway = _show(url, "FL01", "0")
    assert norway["region"] == "0" and isinstance(norway["year"], int) and norway["value"] is not None
    assert _show(url, "FL01", spelling) == norway


def test_a_municipality_is_not_taken_for_norway(url: str) -> None:
    assert _show(url, "FL01", "K-0301")["region"] == "0301"
    result = runner.invoke(app, ["show", "FL01", "0001", "--database", url])
    assert result.exit_code == 2 and "unknown region code: 0001" in result.output


@pytest.mark.parametrize("region", ["0", "0000", "0301"])
def test_an_indicator_without_values_has_no_year_not_year_0(url: str, without_values: str, region: str) -> None:
    record = _show(url, without_values, region)
    assert record["year"] is None
    assert record["value"] is None and record["status"] == ".."
    table = runner.invoke(app, ["show", without_values, region, "--database", url])
    assert table.exit_code == 0, table.output
    year_cells = [line.split("│")[1:3] for line in table.output.splitlines() if line.startswith("│ year ")]
    assert [[cell.strip() for cell in cells] for cells in year_cells] == [["year", "–"]]


def test_all_regions_of_an_indicator_without_values_says_so(url: str, without_values: str) -> None:
    result = runner.invoke(app, ["show", without_values, "--all-regions", "--database", url])
    assert result.exit_code == 2
    assert f"{without_values} has no values in the database" in result.output
