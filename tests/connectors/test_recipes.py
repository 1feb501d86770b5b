"""Every SSB recipe of the catalogue against the fake server's SYNTHETIC tables generated from the recipes
(tests/fakessb/recipe_tables.py): each query builds from the fake metadata, and a recipe's table with a marked
total or a variable the recipe must settle is handled as the query rules say. The fetch of the whole catalogue
followed by `status` (every SSB and Husbanken indicator with data, but the known exceptions) is in
tests/connectors/test_all_sources.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from boligmonitor.catalog import Catalog, Recipe, Selection, load_catalog
from boligmonitor.pipeline.fetch_plan import RecipePart, plan_fetch, recipe_parts
from boligmonitor.pipeline.refresh import refresh
from boligmonitor.sources.connectors.http import ResponseArchive
from boligmonitor.sources.manifest import read_manifest
from boligmonitor.store import Store
from tests.connectors.support import OUTSIDE_WINDOW, at, linked_input, no_build, polite_client
from tests.fakessb import FakeSsb, ManualClock, TableCatalogue
from tests.fakessb.catalogue import SYNTHETIC_NO_TOTAL_TABLE_ID, SYNTHETIC_TOTAL_TABLE_ID


def test_every_ssb_recipe_query_builds_against_the_fake_metadata(recipe_catalogue: TableCatalogue) -> None:
    catalog = load_catalog()
    clock = ManualClock(1000.0)
    with FakeSsb(recipe_catalogue, clock=clock) as server, polite_client(server.base_url, clock, None) as http:
        plan = plan_fetch(http, catalog)
    assert plan.problems == []
    parts = recipe_parts(catalog)

    def table_of(part: RecipePart) -> str:
        return part.table or plan.resolved[part.selection.measure or ""]

    assert {table_of(part) for part in parts} == set(plan.queries)
    for table_id, query in plan.queries.items():
        assert query.selection is not None, table_id
        contents = query.selection.get("ContentsCode")
        assert contents is not None
        wanted = {part.selection.measure for part in parts if table_of(part) == table_id}
        assert wanted <= set(contents.values), table_id
    assert plan.queries["12362"].totals == {"KOKregnskapsomfa0000": "SYNT_T"}
    assert {supply.dataset for supply in plan.supplies} >= {"ssb:kostra_midlertidige_botilbud", "ssb:vanskeligstilte"}


def _reading(table: str, measure: str) -> Catalog:
    """The packaged catalogue cut down to one indicator whose recipe reads ``table`` (synthetic)."""
    catalog = load_catalog()
    base = catalog.indicator("BEF16")
    source = base.sources[0].model_copy(update={"dataset": f"ssb:{table}", "table": table})
    recipe = Recipe(published_value=Selection(dataset=f"ssb:{table}", measure=measure))
    indicator = base.model_copy(update={"sources": (source,), "recipe": recipe})
    return catalog.model_copy(update={"indicators": (indicator,)})


@pytest.mark.parametrize(
    ("table", "measure", "fetched"),
    [(SYNTHETIC_TOTAL_TABLE_ID, "SYNT03", True), (SYNTHETIC_NO_TOTAL_TABLE_ID, "SYNT04", False)],
)
def test_the_refresh_takes_a_marked_total_and_stops_at_a_variable_the_recipe_must_settle(
    fake_ssb_catalogue: TableCatalogue, build_input: Path, tmp_path: Path, table: str, measure: str, fetched: bool
) -> None:
    input_directory = linked_input(build_input, tmp_path / "input")
    store = Store.open(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    clock = ManualClock(1000.0)
    archive = ResponseArchive(tmp_path / "archive")
    with FakeSsb(fake_ssb_catalogue, clock=clock) as server, polite_client(server.base_url, clock, archive) as http:
        summary = refresh(
            http, archive, store, input_directory, _reading(table, measure), build=no_build, now=at(OUTSIDE_WINDOW)
        )
        data_requests = [r for r in server.requests if r.path.endswith(f"/tables/{table}/data")]
    store.close()
    if fetched:
        assert summary.problems == [] and summary.changed == [table]
        [request] = data_requests
        selected = {item["variableCode"]: item["valueCodes"] for item in request.json_body()["selection"]}
        assert selected["Eierform"] == ["SYNT_T"]
        entry = {e.dataset: e for e in read_manifest(input_directory).files}[f"ssb:{table}"]
        assert "total category: Eierform SYNT_T" in entry.provenance
    else:
        assert summary.changed == [] and data_requests == []
        [problem] = summary.problems
        assert f"table {table}: variable AntRom" in problem and "the recipe must settle" in problem
        assert "BEF16" in problem
