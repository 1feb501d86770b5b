"""A table fetched over `agg_KommSummer` keeps its country and county rows: they are fetched with the table's
own codes in a separate request (the codelist returns municipalities only, and the build never sums
municipalities into Norway or a county), planned and counted by `fetch --plan`, archived part by part so an
interrupted refresh resumes, and merged with the municipalities into one staged cube.

Table 90002 and the `agg_KommSummer` values served by the fake are SYNTHETIC (tests/fakessb/catalogue.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from boligmonitor.catalog import load_catalog
from boligmonitor.cli.app import app
from boligmonitor.core.errors import InputError
from boligmonitor.pipeline.fetch_plan import describe_region_levels, plan_fetch
from boligmonitor.pipeline.refresh import RefreshSummary, refresh
from boligmonitor.sources.connectors.http import FetchError, ResponseArchive
from boligmonitor.sources.connectors.ssb import SsbApiError
from boligmonitor.sources.connectors.ssb.merge import merge_cubes
from boligmonitor.sources.cube import Cube, Dimension
from boligmonitor.sources.manifest import read_manifest
from boligmonitor.sources.readers.jsonstat import read_jsonstat
from boligmonitor.store import Store
from tests.connectors.support import OUTSIDE_WINDOW, at, linked_input, no_build, polite_client
from tests.fakessb import FakeSsb, Fault, FaultKind, FaultPlan, ManualClock, TableCatalogue
from tests.fakessb.catalogue import synthetic_population_value

TABLE = "90002"
DATA_PATH = f"/tables/{TABLE}/data"
OWN_REGIONS = ("0", "03", "31", "46")
ALL_REGIONS = (*OWN_REGIONS, "K-0301", "K-3103", "K-4601")
# Under 50 cells per request the municipal selection (126 cells) is cut into 3 requests by region and the
# country-and-county one (168 cells) into 4 by year.
SMALL_LIMIT = 50
SMALL_LIMIT_REQUESTS = 3 + 4


def _data_requests(server: FakeSsb) -> int:
    return sum(1 for r in server.requests if r.path.endswith(DATA_PATH))


def _refresh(
    server: FakeSsb,
    clock: ManualClock,
    archive: ResponseArchive,
    store: Store,
    input_directory: Path,
    *,
    attempts: int = 6,
    max_cells: int = 800_000,
    with_klass: bool = False,
) -> RefreshSummary:
    with (
        polite_client(server.base_url, clock, archive, attempts=attempts) as client,
        polite_client(server.klass_url, clock, archive, attempts=attempts) as klass,
    ):
        return refresh(
            client,
            archive,
            store,
            input_directory,
            load_catalog(),
            [TABLE],
            max_cells=max_cells,
            klass=klass if with_klass else None,
            build=no_build,
            now=at(OUTSIDE_WINDOW),
        )


def _staged_regions(input_directory: Path) -> tuple[str, ...]:
    entry = {e.dataset: e for e in read_manifest(input_directory).files}[f"ssb:{TABLE}"]
    return read_jsonstat(input_directory / entry.path).dimension("Region").codes


def test_the_levels_of_region_codes_are_named() -> None:
    assert describe_region_levels(["0", "03", "31"]) == "country and counties"
    assert describe_region_levels(["EAK"]) == "country"
    assert describe_region_levels(["0", "46", "030101", "EKG05"]) == "country, counties, districts and KOSTRA groups"


def test_the_plan_counts_the_country_and_county_requests(fake_ssb: FakeSsb, tmp_path: Path) -> None:
    with polite_client(fake_ssb.base_url, ManualClock(), None) as http:
        plan = plan_fetch(http, load_catalog(), only=[TABLE], max_cells=SMALL_LIMIT)
    assert len(plan.requests) == SMALL_LIMIT_REQUESTS
    assert all(request.cells <= SMALL_LIMIT for request in plan.requests)
    assert sum(request.cells for request in plan.requests) == 3 * 42 + 4 * 42  # every cell once
    over_codelist = [r for r in plan.requests if r.selection.codelists() == {"Region": "agg_KommSummer"}]
    assert len(over_codelist) == 3
    own = [r.selection.get("Region") for r in plan.requests if not r.selection.codelists()]
    assert [region.values for region in own if region is not None] == [OWN_REGIONS] * 4
    assert plan.own_regions == {TABLE: "country and counties"}
    assert f"{SMALL_LIMIT_REQUESTS} data requests, 294 cells" in plan.describe()[-1]

    result = CliRunner().invoke(
        app, ["fetch", "--plan", "--tables", TABLE, "--base-url", fake_ssb.base_url, "--archive", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "2 data requests, 294 cells" in result.stdout
    assert "region codelist none for country and counties" in result.stdout


def test_a_failure_in_the_country_and_county_request_changes_nothing_and_resumes(
    workspace: tuple[Path, Store], fake_ssb_catalogue: TableCatalogue, tmp_path: Path
) -> None:
    input_directory, store = workspace
    before = store.current_version()
    datasets_before = [(d.id, d.updated, d.provenance) for d in store.datasets()]
    manifest_before = (input_directory / "manifest.json").read_bytes()
    clock = ManualClock(1000.0)
    archive = ResponseArchive(tmp_path / "archive")
    with FakeSsb(fake_ssb_catalogue, clock=clock) as server:
        # The municipalities (request 1) are answered; the country and counties (request 2) fail for good.
        server.set_fault_plan(FaultPlan.at({2: Fault(FaultKind.UNAVAILABLE)}, path_contains=DATA_PATH))
        with pytest.raises((SsbApiError, FetchError)):
            _refresh(server, clock, archive, store, input_directory, attempts=1)
        [failed] = [r for r in server.requests if r.path.endswith(DATA_PATH) and r.fault is not None]
        assert "codelist" not in failed.json_body()["selection"][0]  # it was the request without the codelist
        assert store.current_version() == before
        assert [(d.id, d.updated, d.provenance) for d in store.datasets()] == datasets_before
        assert (input_directory / "manifest.json").read_bytes() == manifest_before
        assert not (input_directory / "ssb-live" / f"{TABLE}.json").exists()
        assert not input_directory.with_name("input.staging").exists()

        server.set_fault_plan(None)
        server.clear_requests()
        resumed = _refresh(server, clock, archive, store, input_directory)
        [sent] = [r for r in server.requests if r.path.endswith(DATA_PATH)]
    assert resumed.requests_from_archive == 1  # the municipalities, archived before the failure
    assert resumed.requests_sent == 1
    assert sent.json_body()["selection"][0] == {"variableCode": "Region", "valueCodes": list(OWN_REGIONS)}
    assert _staged_regions(input_directory) == ALL_REGIONS


def test_an_interrupted_refresh_takes_both_parts_from_the_archive(
    fake_ssb_catalogue: TableCatalogue, build_input: Path, tmp_path: Path
) -> None:
    input_directory = linked_input(build_input, tmp_path / "input")
    manifest_before = (input_directory / "manifest.json").read_bytes()
    archive = ResponseArchive(tmp_path / "archive")
    store = Store.open(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    clock = ManualClock(1000.0)
    with FakeSsb(fake_ssb_catalogue, clock=clock) as server:
        # Both parts are fetched and archived; then KLASS fails, before anything is staged.
        server.set_fault_plan(FaultPlan.at({1: Fault(FaultKind.UNAVAILABLE)}, path_contains="codesAt"))
        with pytest.raises((SsbApiError, FetchError)):
            _refresh(server, clock, archive, store, input_directory, attempts=1, with_klass=True)
        assert _data_requests(server) == 2
        assert (input_directory / "manifest.json").read_bytes() == manifest_before

        server.set_fault_plan(None)
        server.clear_requests()
        resumed = _refresh(server, clock, archive, store, input_directory)
        assert _data_requests(server) == 0  # nothing is asked again
    store.close()
    assert (resumed.requests_sent, resumed.requests_from_archive) == (0, 2)
    assert _staged_regions(input_directory) == ALL_REGIONS
    entry = {e.dataset: e for e in read_manifest(input_directory).files}[f"ssb:{TABLE}"]
    assert "region codelist agg_KommSummer for municipalities; none for country and counties" in entry.provenance


def test_parts_from_two_publications_are_never_merged(
    fake_ssb_catalogue: TableCatalogue, build_input: Path, tmp_path: Path
) -> None:
    """SSB republishes between the municipal and the national request: the refresh stops with nothing written,
    and the next run fetches the stale part again instead of mixing publications."""
    input_directory = linked_input(build_input, tmp_path / "input")
    manifest_before = (input_directory / "manifest.json").read_bytes()
    archive = ResponseArchive(tmp_path / "archive")
    store = Store.open(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    clock = ManualClock(1000.0)
    with FakeSsb(fake_ssb_catalogue, clock=clock) as server:
        server.set_fault_plan(FaultPlan.at({2: Fault(FaultKind.UNAVAILABLE)}, path_contains=DATA_PATH))
        with pytest.raises((SsbApiError, FetchError)):
            _refresh(server, clock, archive, store, input_directory, attempts=1)
        fake_ssb_catalogue.publish(TABLE)
        republished = fake_ssb_catalogue.table(TABLE).header["updated"]
        server.set_fault_plan(None)
        server.clear_requests()
        resumed = _refresh(server, clock, archive, store, input_directory)
    store.close()
    assert (input_directory / "manifest.json").read_bytes() != manifest_before
    assert (resumed.requests_sent, resumed.requests_from_archive) == (2, 0)  # the archived part is stale
    entry = {e.dataset: e for e in read_manifest(input_directory).files}[f"ssb:{TABLE}"]
    assert read_jsonstat(input_directory / entry.path).updated == republished


def _region_part(codes: tuple[str, ...], updated: str) -> Cube:
    """A SYNTHETIC one-year cube over ``codes``."""
    region = Dimension("Region", "region", codes, codes, role="geo")
    year = Dimension("Tid", "år", ("2024",), ("2024",), role="time")
    return Cube(dimensions=(region, year), values=[1.0] * len(codes), updated=updated)


def test_merging_keeps_first_seen_region_order_and_refuses_mixed_publications() -> None:
    own, municipal = (
        _region_part(("0", "46"), "2026-02-20T07:00:00Z"),
        _region_part(("K-4601",), "2026-02-20T07:00:00Z"),
    )
    assert merge_cubes([own, municipal]).dimension("Region").codes == ("0", "46", "K-4601")
    newer = _region_part(("K-4601",), "2026-02-21T07:00:00Z")
    with pytest.raises(InputError, match="different publications"):
        merge_cubes([own, newer], name="SSB table 90002")


@pytest.mark.parametrize("seed", range(20))
def test_randomized_faults_give_the_whole_table_or_nothing_and_resume(
    seed: int, fake_ssb_catalogue: TableCatalogue, build_input: Path, tmp_path: Path
) -> None:
    input_directory = linked_input(build_input, tmp_path / "input")
    manifest_before = (input_directory / "manifest.json").read_bytes()
    archive = ResponseArchive(tmp_path / "archive")
    store = Store.open(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    clock = ManualClock(1000.0)
    faults = [
        (Fault(FaultKind.RATE_LIMITED, retry_after=5), 0.15),
        (Fault(FaultKind.UNAVAILABLE), 0.15),
        (Fault(FaultKind.TRUNCATED), 0.1),
        (Fault(FaultKind.SERVER_ERROR), 0.1),
    ]
    with FakeSsb(fake_ssb_catalogue, clock=clock) as server:
        # Faults on the data requests only: a codelist that cannot be loaded is a different case (the table is
        # then fetched with its own codes, with a warning; tests/connectors/test_codelists.py).
        server.set_fault_plan(FaultPlan.seeded(seed, faults, path_contains=DATA_PATH))
        try:
            first = _refresh(server, clock, archive, store, input_directory, attempts=2, max_cells=SMALL_LIMIT)
        except (SsbApiError, FetchError):
            assert (input_directory / "manifest.json").read_bytes() == manifest_before
            archived = sum(1 for a in archive.entries() if a.table_id == TABLE and a.request.method == "POST")
            server.set_fault_plan(None)
            resumed = _refresh(server, clock, archive, store, input_directory, max_cells=SMALL_LIMIT)
            # What was archived before the failure is not asked again; the rest is.
            assert resumed.requests_from_archive == archived
            assert resumed.requests_sent == SMALL_LIMIT_REQUESTS - archived
        else:
            assert first.requests_sent == SMALL_LIMIT_REQUESTS
        assert server.max_requests_in_any_window(60.0) <= 30
    store.close()
    assert _staged_regions(input_directory) == ALL_REGIONS
    entry = {e.dataset: e for e in read_manifest(input_directory).files}[f"ssb:{TABLE}"]
    cells = {cell.codes: cell.value for cell in read_jsonstat(input_directory / entry.path).cells()}
    assert len(cells) == len(ALL_REGIONS) * 2 * 3 * 7
    assert cells[("0", "2", "001", "Personer1", "2024")] == synthetic_population_value(
        ("0", "2", "001", "Personer1", "2024"), 0
    )
