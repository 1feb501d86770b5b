"""`fetch` (refresh): incremental, one data version, resumable from the archive, never a half-updated input.

The fake SSB server serves its synthetic table 90001 (named SYNTHETIC in its title); it has no catalogue
recipe, so a refresh adds the dataset (with its `updated`) and rebuilds everything else unchanged.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from boligmonitor.catalog import load_catalog
from boligmonitor.pipeline.build import BuildSummary
from boligmonitor.pipeline.refresh import refresh
from boligmonitor.sources.connectors.http import FetchError, PoliteClient, RateLimiter, ResponseArchive, RetryPolicy
from boligmonitor.sources.connectors.ssb import SsbApiError
from boligmonitor.sources.manifest import read_manifest
from boligmonitor.store import Store
from tests.connectors.support import OUTSIDE_WINDOW, at
from tests.fakessb import FakeSsb, Fault, FaultKind, FaultPlan, ManualClock, TableCatalogue

TABLE = "90001"
KOMMSUMMER_TABLE = "90002"  # SYNTHETIC; its region variable offers agg_KommSummer


def _client(server: FakeSsb, clock: ManualClock, archive: ResponseArchive, attempts: int = 6) -> PoliteClient:
    limiter = RateLimiter(calls=30, per_seconds=60.0, clock=clock, sleep=clock.advance, wall_clock=clock)
    retry = RetryPolicy(attempts=attempts, base_delay=1.0, random=random.Random(7).random)
    return PoliteClient(
        server.base_url, limiter=limiter, retry=retry, archive=archive, timeout=1.0, sleep=clock.advance
    )


def _data_requests(server: FakeSsb) -> int:
    return sum(1 for r in server.requests if r.path.endswith("/data"))


def test_refresh_is_incremental_and_one_data_version(
    workspace: tuple[Path, Store], fake_ssb_catalogue: TableCatalogue, tmp_path: Path
) -> None:
    input_directory, store = workspace
    before = store.current_version()
    assert before is not None
    clock = ManualClock(1000.0)
    archive = ResponseArchive(tmp_path / "archive")
    with FakeSsb(fake_ssb_catalogue, clock=clock) as server, _client(server, clock, archive) as client:
        first = refresh(
            client,
            archive,
            store,
            input_directory,
            load_catalog(),
            only=[TABLE, KOMMSUMMER_TABLE],
            now=at(OUTSIDE_WINDOW),
        )
        assert first.changed == [TABLE, KOMMSUMMER_TABLE]
        version = store.current_version()
        assert version is not None and version.id == before.id + 1
        datasets = {d.id: d for d in store.datasets()}
        assert datasets[f"ssb:{TABLE}"].updated == "2026-03-16T07:00:00Z"  # the synthetic table's `updated`
        # The region codelist is traceable from every value's dataset row (free-text provenance, and a note).
        assert datasets[f"ssb:{TABLE}"].provenance.endswith("region codelist none")
        summed = datasets[f"ssb:{KOMMSUMMER_TABLE}"]
        assert "region codelist agg_KommSummer" in summed.provenance
        assert summed.code_vintage == "2026" and any("agg_KommSummer" in note for note in summed.notes)
        assert f"ssb:{TABLE}" in {f.dataset for f in read_manifest(input_directory).files}

        server.clear_requests()
        second = refresh(client, archive, store, input_directory, load_catalog(), only=[TABLE], now=at(OUTSIDE_WINDOW))
        assert second.changed == []
        assert _data_requests(server) == 0  # only metadata was read
        assert store.current_version() == version

        fake_ssb_catalogue.publish(TABLE)
        third = refresh(client, archive, store, input_directory, load_catalog(), only=[TABLE], now=at(OUTSIDE_WINDOW))
        assert third.changed == [TABLE]
        assert third.requests_sent == 1
        newest = store.current_version()
        assert newest is not None and newest.id == version.id + 1


def test_failed_refresh_changes_nothing_and_resumes_from_the_archive(
    workspace: tuple[Path, Store], fake_ssb_catalogue: TableCatalogue, tmp_path: Path
) -> None:
    input_directory, store = workspace
    before = store.current_version()
    manifest_before = (input_directory / "manifest.json").read_bytes()
    clock = ManualClock(1000.0)
    archive = ResponseArchive(tmp_path / "archive")
    with FakeSsb(fake_ssb_catalogue, clock=clock) as server:
        # Split into 4 requests (25 cells each at most); the 4th fails for good: the refresh stops.
        server.set_fault_plan(FaultPlan.at({4: Fault(FaultKind.UNAVAILABLE)}, path_contains="/data"))
        with _client(server, clock, archive, attempts=1) as client, pytest.raises((SsbApiError, FetchError)):
            refresh(
                client,
                archive,
                store,
                input_directory,
                load_catalog(),
                only=[TABLE],
                now=at(OUTSIDE_WINDOW),
                max_cells=25,
            )
        assert store.current_version() == before
        assert (input_directory / "manifest.json").read_bytes() == manifest_before
        assert not input_directory.with_name("input.staging").exists()

        server.set_fault_plan(None)
        with _client(server, clock, archive) as client:
            resumed = refresh(
                client,
                archive,
                store,
                input_directory,
                load_catalog(),
                only=[TABLE],
                now=at(OUTSIDE_WINDOW),
                max_cells=25,
            )
    assert resumed.requests_from_archive == 3
    assert resumed.requests_sent == 1
    version = store.current_version()
    assert version is not None and before is not None and version.id == before.id + 1


@pytest.mark.parametrize("seed", range(200))
def test_randomized_faulty_refreshes_leave_the_input_old_or_new_and_respect_the_rate_limit(
    seed: int, fake_ssb_catalogue: TableCatalogue, tmp_path: Path, build_input: Path
) -> None:
    """The fetch, stage and swap steps under seeded faults (the build itself is one transaction, tested above);
    each run either completes with the new table in the input or raises with the input untouched."""
    input_directory = tmp_path / "input"
    input_directory.mkdir()
    shutil.copy(build_input / "manifest.json", input_directory / "manifest.json")
    for entry in read_manifest(build_input).files:
        target = input_directory / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(build_input / entry.path)  # cheap copy: the files are only read
    manifest_before = (input_directory / "manifest.json").read_bytes()
    clock = ManualClock(1000.0)
    archive = ResponseArchive(tmp_path / "archive")
    builds: list[Path] = []

    def record_build(directory: Path, _store: Store) -> BuildSummary:
        builds.append(directory)
        return BuildSummary(version_id=0, observations=0, regions=0, states={}, seconds=0.0)

    faults = [
        (Fault(FaultKind.RATE_LIMITED, retry_after=5), 0.15),
        (Fault(FaultKind.UNAVAILABLE), 0.15),
        (Fault(FaultKind.TRUNCATED), 0.1),
        (Fault(FaultKind.SERVER_ERROR), 0.1),
    ]
    store = Store.open(f"sqlite:///{tmp_path / 'empty.sqlite'}")  # empty: every table counts as changed
    with FakeSsb(fake_ssb_catalogue, clock=clock) as server, _client(server, clock, archive, attempts=3) as client:
        server.set_fault_plan(FaultPlan.seeded(seed, faults))
        try:
            refresh(
                client,
                archive,
                store,
                input_directory,
                load_catalog(),
                only=[TABLE],
                now=at(OUTSIDE_WINDOW),
                max_cells=25,
                build=record_build,
            )
            completed = True
        except (SsbApiError, FetchError):
            completed = False
        assert server.max_requests_in_any_window(60.0) <= 30
    datasets = {f.dataset for f in read_manifest(input_directory).files}
    if completed:
        assert builds == [input_directory]
        assert f"ssb:{TABLE}" in datasets
        assert (input_directory / "ssb-live" / f"{TABLE}.json").is_file()
    else:
        assert builds == []
        assert (input_directory / "manifest.json").read_bytes() == manifest_before
    assert not input_directory.with_name("input.staging").exists() or not completed
    store.close()


def test_a_table_ssb_does_not_have_is_reported_and_the_others_are_fetched(
    workspace: tuple[Path, Store], fake_ssb_catalogue: TableCatalogue, tmp_path: Path
) -> None:
    input_directory, store = workspace
    clock = ManualClock(1000.0)
    archive = ResponseArchive(tmp_path / "archive")
    with FakeSsb(fake_ssb_catalogue, clock=clock) as server, _client(server, clock, archive) as client:
        summary = refresh(
            client,
            archive,
            store,
            input_directory,
            load_catalog(),
            only=[TABLE, "99998"],
            build=_no_build,
            now=at(OUTSIDE_WINDOW),
        )
    assert summary.changed == [TABLE]
    assert any("99998" in problem and "Non-existent table" in problem for problem in summary.problems)
    assert "99998" in summary.describe()


def _no_build(directory: Path, store: Store) -> BuildSummary:
    return BuildSummary(version_id=0, observations=0, regions=0, states={}, seconds=0.0)
