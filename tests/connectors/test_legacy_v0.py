"""Tables only the legacy v0 API has: planned and fetched through pxweb_v0, tested with the recorded v0 responses
07221 (house price index, 24 cells '..') and 09895 (rents). The fake marks them v0-only, so PxWebApi v2
answers "Non-existent table" for them; their v0 metadata is built by the fake from the recordings ([I] shape).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from boligmonitor.catalog import Catalog, load_catalog
from boligmonitor.core.status import Status
from boligmonitor.pipeline.fetch_plan import plan_fetch, table_selection
from boligmonitor.pipeline.refresh import RefreshSummary, refresh
from boligmonitor.sources.connectors.http import ResponseArchive
from boligmonitor.sources.connectors.ssb import SsbApiError, pxweb
from boligmonitor.sources.connectors.ssb.pxweb_v0 import parse_v0_metadata, v0_query, v0_table_metadata
from boligmonitor.sources.manifest import read_manifest
from boligmonitor.sources.readers.jsonstat import read_jsonstat
from boligmonitor.store import Store
from boligmonitor.store.rows import DatasetRow
from tests.connectors.support import OUTSIDE_WINDOW, at, linked_input, no_build, polite_client, v0_base
from tests.fakessb import FakeSsb, ManualClock, TableCatalogue

LEGACY = ["07221", "09895"]
PRICE_AREA_INDICATORS = {"BEF12", "BEF13"}  # their recipes read the legacy tables


def catalogue_reading_them_whole() -> Catalog:
    """The catalogue without BEF12's and BEF13's recipes: no recipe reads 07221 or 09895, so each is fetched whole,
    the query equals the recorded one, and the fake answers with the recorded bytes."""
    catalog = load_catalog()
    indicators = tuple(
        i.model_copy(update={"recipe": None}) if i.id in PRICE_AREA_INDICATORS else i for i in catalog.indicators
    )
    return catalog.model_copy(update={"indicators": indicators})


RECORDED_07221 = "ssb_pxwebapi_v0_07221_jsonstat2_response.json"
RECORDED_07221_QUERY = "ssb_pxwebapi_v0_07221_query.json"


@pytest.fixture
def legacy_ssb(fake_ssb_catalogue: TableCatalogue) -> Iterator[FakeSsb]:
    for table_id in LEGACY:
        fake_ssb_catalogue.mark_v0_only(table_id)
    with FakeSsb(fake_ssb_catalogue) as server:
        yield server


def test_v0_metadata_and_the_query_built_from_it(legacy_ssb: FakeSsb, api_fixtures: Path) -> None:
    with polite_client(v0_base(legacy_ssb), ManualClock(), None) as v0:
        metadata = v0_table_metadata(v0, "no/table/07221", "07221")
    assert [v.id for v in metadata.variables] == ["Region", "Boligtype", "ContentsCode", "Tid"]
    time_variable = metadata.by_role("time")
    assert time_variable is not None and time_variable.id == "Tid"
    assert metadata.variable("Region").elimination and not metadata.variable("Boligtype").elimination
    assert metadata.updated is None  # v0 metadata has no `updated`
    chosen = table_selection(metadata, {"Boligindeks"})  # no recipe reads 07221: the whole table
    recorded = json.loads((api_fixtures / RECORDED_07221_QUERY).read_bytes())
    assert chosen.selection is not None
    assert v0_query(chosen.selection) == recorded  # so the fake answers with the recorded bytes


def test_v0_metadata_must_have_variables() -> None:
    with pytest.raises(SsbApiError, match="no 'variables' list"):
        parse_v0_metadata({"title": "x"}, "07221")
    with pytest.raises(SsbApiError, match="has no 'values'"):
        parse_v0_metadata({"variables": [{"code": "Tid", "values": []}]}, "07221")
    with pytest.raises(ValueError, match="no v0 filter"):
        v0_query(pxweb.Selection.of({"Region": ["K-0301"]}, {"Region": "KommSummer"}))
    body = v0_query(pxweb.Selection.of({"Region": ["K-0301"]}, {"Region": "agg_KommSummer"}))
    assert body["query"][0]["selection"] == {"filter": "agg:KommSummer", "values": ["K-0301"]}


def test_the_plan_shows_legacy_tables(legacy_ssb: FakeSsb) -> None:
    with (
        polite_client(legacy_ssb.base_url, ManualClock(), None) as http,
        polite_client(v0_base(legacy_ssb), ManualClock(), None) as v0,
    ):
        plan = plan_fetch(http, catalogue_reading_them_whole(), only=LEGACY, v0=v0)
        without = plan_fetch(http, catalogue_reading_them_whole(), only=LEGACY)
        with_recipes = plan_fetch(http, load_catalog(), only=LEGACY, v0=v0)
    assert {(r.table_id, r.api, r.cells) for r in plan.requests} == {("07221", "v0", 288), ("09895", "v0", 280)}
    # With BEF12's and BEF13's recipes: 09895's national row for two rooms (14 years), and 07221 not at all -- the
    # recorded metadata has Boligtype 01-03 only, not the total 00 that BEF13 assumes: a problem names both.
    assert {(r.table_id, r.cells) for r in with_recipes.requests} == {("09895", 14)}
    assert any("07221" in problem and "Boligtype" in problem for problem in with_recipes.problems)
    assert "07221: 288 cells via the legacy v0 API" in plan.describe()
    assert without.requests == []
    assert all("Non-existent table" in problem for problem in without.problems)
    assert not [r for r in legacy_ssb.requests if r.path.startswith("/api/v0/") and r.method == "POST"]


def test_the_refresh_fetches_legacy_tables_through_v0(
    legacy_ssb: FakeSsb, build_input: Path, tmp_path: Path, api_fixtures: Path
) -> None:
    input_directory = linked_input(build_input, tmp_path / "input")
    archive = ResponseArchive(tmp_path / "archive")
    store = Store.open(f"sqlite:///{tmp_path / 'db.sqlite'}")
    clock = ManualClock(1000.0)

    def run() -> RefreshSummary:
        with (
            polite_client(legacy_ssb.base_url, clock, archive) as client,
            polite_client(v0_base(legacy_ssb), clock, archive) as v0,
        ):
            return refresh(
                client,
                archive,
                store,
                input_directory,
                catalogue_reading_them_whole(),
                LEGACY,
                v0=v0,
                build=no_build,
                now=at(OUTSIDE_WINDOW),
            )

    summary = run()
    assert summary.changed == LEGACY and summary.legacy == LEGACY
    posts = [r for r in legacy_ssb.requests if r.method == "POST"]
    assert [r.path for r in posts] == ["/api/v0/no/table/07221", "/api/v0/no/table/09895"]
    assert posts[0].json_body() == json.loads((api_fixtures / RECORDED_07221_QUERY).read_bytes())

    entries = {entry.dataset: entry for entry in read_manifest(input_directory).files}
    entry = entries["ssb:07221"]
    assert entry.source_url == v0_base(legacy_ssb) + "/no/table/07221"
    assert "table updated 2024-01-12T07:00:00Z; region codelist none" in entry.provenance
    fetched = read_jsonstat(input_directory / entry.path)
    recorded = read_jsonstat(api_fixtures / RECORDED_07221)
    assert list(fetched.cells()) == list(recorded.cells())
    assert sum(1 for cell in fetched.cells() if cell.status is Status.MISSING) == 24

    # A v0 table's `updated` comes only with its data: asked again, and not rebuilt when it is the same.
    with store.write("refresh", "the datasets a build of the first refresh would store") as tx:
        tx.put_datasets(
            _row(table_id, entries[f"ssb:{table_id}"].path, updated) for table_id, updated in _UPDATED.items()
        )
    legacy_ssb.clear_requests()
    again = run()
    assert again.changed == [] and again.legacy == LEGACY
    assert len([r for r in legacy_ssb.requests if r.method == "POST"]) == 2
    store.close()


_UPDATED = {"07221": "2024-01-12T07:00:00Z", "09895": "2025-12-22T07:00:00Z"}


def _row(table_id: str, path: str, updated: str) -> DatasetRow:
    return DatasetRow(
        id=f"ssb:{table_id}",
        publisher="SSB",
        title=table_id,
        table=table_id,
        file=path,
        sha256="0" * 64,
        fetched_at=None,
        updated=updated,
        code_vintage="as-published",
        licence=None,
        provenance="test",
    )
