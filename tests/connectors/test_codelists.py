"""Municipality codes over `agg_KommSummer` where a table offers it, with the table's own country and county
codes fetched beside them without the codelist; the codelist used is recorded per part with the data (archive
metadata, manifest entry, dataset row). And a 07459-shaped table whose `Kjonn` the recipes do not select is
fetched with `Kjonn` eliminated, so SSB sums both sexes as the catalogue's recipes expect.

Table 90002 and the `agg_KommSummer` values served by the fake are SYNTHETIC (tests/fakessb/catalogue.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from boligmonitor.catalog import load_catalog
from boligmonitor.core.flags import Flag
from boligmonitor.pipeline.derive import PreparedCube, derive
from boligmonitor.pipeline.fetch_plan import plan_fetch
from boligmonitor.pipeline.refresh import refresh
from boligmonitor.sources.connectors.http import ResponseArchive
from boligmonitor.sources.connectors.http.archive import ArchivedRequest, request_codelists
from boligmonitor.sources.connectors.ssb import pxweb
from boligmonitor.sources.manifest import read_manifest
from boligmonitor.sources.readers.jsonstat import read_jsonstat
from boligmonitor.store import Store
from tests.connectors.support import OUTSIDE_WINDOW, at, linked_input, no_build, polite_client
from tests.fakessb import FakeSsb, Fault, FaultKind, FaultPlan, ManualClock, SyntheticTable, TableCatalogue
from tests.fakessb.catalogue import synthetic_population_table, synthetic_population_value

TABLE = "90002"
K_3103 = ("0104", "0136", "3002", "3103")  # the SYNTHETIC valueMap of K-3103


def _value(codes: tuple[str, ...]) -> float:
    return synthetic_population_value(codes, 0)


def test_the_codelist_of_a_request_is_read_from_any_request_form() -> None:
    v2 = ArchivedRequest.of(
        "POST",
        "https://data.ssb.no/api/pxwebapi/v2/tables/07459/data",
        body={
            "selection": [
                {"variableCode": "Region", "valueCodes": ["K-0301"], pxweb.CODELIST_MEMBER: "agg_KommSummer"},
                {"variableCode": "Tid", "valueCodes": ["2024"]},
            ]
        },
    )
    assert request_codelists(v2) == {"Region": "agg_KommSummer", "Tid": "none"}
    spelled = ArchivedRequest.of("POST", "u", body={"selection": [{"variableCode": "Region", "codeList": "vs_X"}]})
    assert request_codelists(spelled) == {"Region": "vs_X"}
    get = ArchivedRequest.of("GET", "u", {"codelist[Region]": "agg_KommSummer", "valueCodes[Region]": "*"})
    assert request_codelists(get) == {"Region": "agg_KommSummer"}
    v0 = ArchivedRequest.of(
        "POST",
        "u",
        body={"query": [{"code": "Region", "selection": {"filter": "agg:KommSummer", "values": ["K-3103"]}}]},
    )
    assert request_codelists(v0) == {"Region": "agg:KommSummer"}
    assert request_codelists(ArchivedRequest.of("GET", "https://x/tables/1/metadata", {"lang": "no"})) == {}


def test_the_plan_selects_region_codes_over_agg_kommsummer(fake_ssb: FakeSsb) -> None:
    with polite_client(fake_ssb.base_url, ManualClock(), None) as http:
        plan = plan_fetch(http, load_catalog(), only=[TABLE, "90001"])
    assert plan.codelists == {TABLE: "agg_KommSummer", "90001": "none"}
    municipal, own = [r for r in plan.requests if r.table_id == TABLE]
    region = municipal.selection.get("Region")
    assert region is not None and region.codelist == "agg_KommSummer"
    assert region.values == ("K-0301", "K-3103", "K-4601")
    assert municipal.cells == 3 * 2 * 3 * 1 * 7  # no recipe uses 90002: Kjonn and Alder are kept whole
    # The country and the counties with the table's own codes, no codelist, the rest of the selection alike.
    assert own.selection.get("Region") == pxweb.VariableSelection("Region", ("0", "03", "31", "46"))
    assert own.selection.variables[1:] == municipal.selection.variables[1:]
    assert own.cells == 4 * 2 * 3 * 1 * 7
    lines = plan.describe()
    assert f"{TABLE}: 126 cells, region codelist agg_KommSummer for municipalities" in lines
    assert f"{TABLE}: 168 cells, region codelist none for country and counties" in lines
    assert "90001: 80 cells" in lines
    assert lines[-1].startswith("3 data requests, 374 cells")
    assert sum(1 for r in fake_ssb.requests if "/codelists/" in r.path) == 1


def test_without_the_codelist_the_codes_are_taken_as_published_with_a_warning(fake_ssb: FakeSsb) -> None:
    fake_ssb.set_fault_plan(FaultPlan.sequence([Fault(FaultKind.UNAVAILABLE)], path_contains="/codelists/"))
    with polite_client(fake_ssb.base_url, ManualClock(), None, attempts=1) as http:
        plan = plan_fetch(http, load_catalog(), only=[TABLE])
    assert plan.codelists == {TABLE: "none"}
    [request] = plan.requests  # the table's own codes, all levels in one request
    assert request.cells == 10 * 2 * 3 * 1 * 7
    assert any("agg_KommSummer not used" in warning for warning in plan.warnings)


def test_the_refresh_records_the_codelist_with_the_data(
    fake_ssb_catalogue: TableCatalogue, build_input: Path, tmp_path: Path
) -> None:
    input_directory = linked_input(build_input, tmp_path / "input")
    archive = ResponseArchive(tmp_path / "archive")
    store = Store.open(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    clock = ManualClock(1000.0)
    with FakeSsb(fake_ssb_catalogue, clock=clock) as server, polite_client(server.base_url, clock, archive) as client:
        summary = refresh(
            client,
            archive,
            store,
            input_directory,
            load_catalog(),
            [TABLE, "90001"],
            build=no_build,
            now=at(OUTSIDE_WINDOW),
        )
        municipal_request, own_request = [r for r in server.requests if r.path.endswith(f"/{TABLE}/data")]
    store.close()
    assert summary.codelists == {TABLE: "agg_KommSummer", "90001": "none"}
    assert summary.requests_sent == 3 and summary.requests_from_archive == 0
    assert municipal_request.json_body()["selection"][0] == {
        "variableCode": "Region",
        "valueCodes": ["K-0301", "K-3103", "K-4601"],
        "codelist": "agg_KommSummer",
    }
    # The country and counties: the table's own codes, no codelist member at all.
    assert own_request.json_body()["selection"][0] == {"variableCode": "Region", "valueCodes": ["0", "03", "31", "46"]}
    assert own_request.json_body()["selection"][1:] == municipal_request.json_body()["selection"][1:]

    entries = {entry.dataset: entry for entry in read_manifest(input_directory).files}
    entry = entries[f"ssb:{TABLE}"]
    assert entry.provenance.endswith("region codelist agg_KommSummer for municipalities; none for country and counties")
    assert entry.code_vintage == "2026"  # K-codes are the municipalities of the fetch date
    assert any("agg_KommSummer" in note for note in entry.notes)
    assert any("country and counties" in note and "without a codelist" in note for note in entry.notes)
    assert entries["ssb:90001"].provenance.endswith("region codelist none")
    assert entries["ssb:90001"].code_vintage == "as-published"

    cube = read_jsonstat(input_directory / entry.path)
    # One cube: SSB's own country and county rows first, then the municipalities summed to today's borders.
    assert cube.dimension("Region").codes == ("0", "03", "31", "46", "K-0301", "K-3103", "K-4601")
    assert len(list(cube.cells())) == 7 * 2 * 3 * 1 * 7
    cells = {cell.codes: cell for cell in cube.cells()}
    moss = cells[("K-3103", "1", "000", "Personer1", "2018")]
    assert moss.value == sum(_value((code, "1", "000", "Personer1", "2018")) for code in K_3103)
    assert Flag.HARMONISED_BY_PUBLISHER.value in moss.flags  # summed by SSB from other codes
    assert not cells[("K-0301", "1", "000", "Personer1", "2018")].flags  # Oslo's own series
    assert cells[("K-4601", "2", "002", "Personer1", "2018")].value is None  # the '..' member stays missing
    for region in ("0", "03", "31", "46"):  # SSB's published rows, never sums made by the client
        own = cells[(region, "2", "001", "Personer1", "2022")]
        assert own.value == _value((region, "2", "001", "Personer1", "2022")) and not own.flags
    national = cells[("0", "1", "000", "Personer1", "2018")].value
    assert national != sum(_value((code, "1", "000", "Personer1", "2018")) for code in ("0301", "3103", "4601"))

    archived = sorted(
        (a for a in archive.entries() if a.table_id == TABLE and a.request.method == "POST"),
        key=lambda a: a.codelists["Region"],
    )
    plain = {"Kjonn": "none", "Alder": "none", "ContentsCode": "none", "Tid": "none"}
    assert [a.codelists for a in archived] == [{"Region": "agg_KommSummer", **plain}, {"Region": "none", **plain}]
    for part in archived:
        metadata = json.loads((archive.directory / f"{part.key}.json").read_text(encoding="utf-8"))
        assert metadata["codelists"]["Region"] == part.codelists["Region"]
        assert metadata["table_updated"] == "2026-02-20T07:00:00Z"


def _live_shaped_07459() -> SyntheticTable:
    """The SYNTHETIC population table under the id 07459, so the catalogue's recipes apply to it."""
    table = synthetic_population_table()
    table.table_id = "07459"
    return table


def test_a_live_07459_is_fetched_with_both_sexes_summed_and_fits_the_recipes(
    fake_ssb_catalogue: TableCatalogue, build_input: Path, tmp_path: Path
) -> None:
    fake_ssb_catalogue.add_synthetic(_live_shaped_07459())
    input_directory = linked_input(build_input, tmp_path / "input")
    archive = ResponseArchive(tmp_path / "archive")
    store = Store.open(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    clock = ManualClock(1000.0)
    with FakeSsb(fake_ssb_catalogue, clock=clock) as server, polite_client(server.base_url, clock, archive) as client:
        plan = plan_fetch(client, load_catalog(), only=["07459"])
        summary = refresh(
            client, archive, store, input_directory, load_catalog(), ["07459"], build=no_build, now=at(OUTSIDE_WINDOW)
        )
        data_requests = [r for r in server.requests if r.path.endswith("/07459/data")]
    store.close()
    assert summary.changed == ["07459"]
    assert [r.selection.get("Kjonn") for r in plan.requests] == [None, None]  # eliminated: recipes select Alder
    assert [r.cells for r in plan.requests] == [3 * 3 * 1 * 7, 4 * 3 * 1 * 7]  # municipalities; country, counties
    for data_request in data_requests:
        variables = [item["variableCode"] for item in data_request.json_body()["selection"]]
        assert variables == ["Region", "Alder", "ContentsCode", "Tid"]
    entry = {e.dataset: e for e in read_manifest(input_directory).files}["ssb:07459"]
    assert "eliminated (totals from SSB): Kjonn" in entry.provenance
    cube = read_jsonstat(input_directory / entry.path)
    assert cube.ids == ("Region", "Alder", "ContentsCode", "Tid")  # the shape of the csdata 07459

    selections = [
        selection
        for indicator in load_catalog().indicators
        if indicator.recipe is not None
        for _, selection in indicator.recipe.selections()
        if selection.dataset == "ssb:07459"
    ]
    assert selections and all(set(selection.select) == {"Alder"} for selection in selections)  # never Kjonn
    population = next(selection for selection in selections if selection.select["Alder"] == "all")
    derived = derive(PreparedCube(cube, "ssb:07459"), population)
    expected = sum(
        _value((code, sex, age, "Personer1", "2020"))
        for code in K_3103
        for sex in ("1", "2")
        for age in ("000", "001", "002")
    )
    assert derived.cells[("3103", 2020)].value == expected  # both sexes, every age, summed to today's Moss
    national = sum(_value(("0", sex, age, "Personer1", "2020")) for sex in ("1", "2") for age in ("000", "001", "002"))
    assert derived.cells[("0", 2020)].value == national  # Norway as SSB publishes it, not summed by us
    assert ("46", 2020) in derived.cells and ("4601", 2020) in derived.cells
