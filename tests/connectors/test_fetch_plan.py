"""`fetch --plan` against the fake SSB server: metadata only, requests split under the cell limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from boligmonitor.catalog import load_catalog
from boligmonitor.cli.app import app
from boligmonitor.pipeline.fetch_plan import plan_fetch, table_needs
from boligmonitor.sources.connectors.http import PoliteClient, RateLimiter, ResponseArchive, RetryPolicy
from tests.connectors.support import polite_client
from tests.fakessb import FakeSsb, ManualClock, TableCatalogue

# The requests `fetch --plan` counts for the whole catalogue against the fake server's SYNTHETIC recipe tables
# (tests/fakessb/recipe_tables.py): 26 tables; the 12 with a `Region` variable of municipalities come as two
# requests each (municipalities over agg_KommSummer; country, counties and districts with the table's own codes),
# the 12 KOSTRA ones and the two by price area (09895, 07221: the national row) as one; none needs splitting under
# 800 000 cells.
WHOLE_CATALOGUE_REQUESTS = 38


def test_catalogue_needs_cover_every_ssb_source() -> None:
    catalog = load_catalog()
    needs = table_needs(catalog)
    named = {need.table_id for need in needs if need.table_id}
    assert {"07459", "12008", "06035"} <= named
    by_code = {code for need in needs if need.table_id is None for code in need.contents_codes}
    assert "KOStotmidlbo0000" in by_code  # a KOSTRA code whose table must be found by search


def test_plan_reads_metadata_only_and_reports_tables_the_server_lacks(fake_ssb: FakeSsb, tmp_path: Path) -> None:
    with PoliteClient(
        fake_ssb.base_url, limiter=RateLimiter(), retry=RetryPolicy(attempts=1), archive=ResponseArchive(tmp_path)
    ) as http:
        plan = plan_fetch(http, load_catalog(), only=["90001", "12134", "07459"])
    cells = {r.table_id: r.cells for r in plan.requests}
    assert cells["90001"] == 4 * 2 * 10
    assert cells["12134"] == 3  # the recorded response knows only 3 regions, 1 ContentsCode, 1 year
    assert any("07459" in problem for problem in plan.problems)  # not on the fake server
    assert not [r for r in fake_ssb.requests if r.path.endswith("/data")]  # no data was requested


def test_plan_splits_under_the_cell_limit(fake_ssb: FakeSsb, tmp_path: Path) -> None:
    with PoliteClient(
        fake_ssb.base_url, limiter=RateLimiter(), retry=RetryPolicy(attempts=1), archive=ResponseArchive(tmp_path)
    ) as http:
        plan = plan_fetch(http, load_catalog(), only=["90001"], max_cells=25)
    assert sum(r.cells for r in plan.requests) == 80
    assert all(r.cells <= 25 for r in plan.requests)
    assert len(plan.requests) == 4  # ceil(80 / 25): the 10 years cut evenly into parts of 2 years × 8 cells


def test_fetch_plan_command(fake_ssb: FakeSsb, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["fetch", "--plan", "--tables", "90001", "--base-url", fake_ssb.base_url, "--archive", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "1 data requests, 80 cells" in result.stdout
    database = f"sqlite:///{tmp_path / 'db.sqlite'}"
    arguments = ["fetch", "--tables", "90001", "--base-url", fake_ssb.base_url, "--archive", str(tmp_path)]
    missing_input = CliRunner().invoke(app, [*arguments, "--input", str(tmp_path / "no-input"), "--database", database])
    assert missing_input.exit_code == 2
    assert "manifest.json" in missing_input.output


def test_the_plan_for_the_whole_catalogue(recipe_catalogue: TableCatalogue, capsys: pytest.CaptureFixture[str]) -> None:
    clock = ManualClock(1000.0)
    with FakeSsb(recipe_catalogue, clock=clock) as server, polite_client(server.base_url, clock, None) as http:
        plan = plan_fetch(http, load_catalog())
    lines = plan.describe()
    print("\n".join(lines))  # the figure for the record: pytest -s shows it
    assert plan.problems == [] and plan.warnings == []
    assert len(plan.requests) == WHOLE_CATALOGUE_REQUESTS
    assert f"{WHOLE_CATALOGUE_REQUESTS} data requests," in lines[-1 - len(plan.supplies)]
    assert len(plan.resolved) == 30  # ContentsCodes without a table id, each found by searching SSB
    assert all(r.cells <= plan.max_cells for r in plan.requests)
    assert "07459" in capsys.readouterr().out
