"""`boligmonitor fetch` of every source at once (SSB, KLASS, Husbanken) against the fake servers (loopback only):

- `scripts/fake-sources`, then `fetch` and `status --json`: no indicator with an SSB or Husbanken source is left
  without data except those listed below with why, and every card of the four core themes with such a source has
  a value for every municipality; everything the fakes served says SYNTHETIC;
- 100 refreshes under seeded faults on both servers each complete or leave the previous input (and database)
  untouched, and a rerun resumes from the archives without asking again for what they hold;
- `fetch --plan` counts every request of every source for the whole catalogue.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from boligmonitor.catalog import Catalog, load_catalog
from boligmonitor.cli.app import app
from boligmonitor.core.regions import RegionLevel
from boligmonitor.pipeline import refresh as refresh_module
from boligmonitor.pipeline import refresh_husbanken as refresh_husbanken_module
from boligmonitor.pipeline.build import BuildSummary
from boligmonitor.pipeline.indicators import NO_RECIPE_NOTES
from boligmonitor.pipeline.refresh import RefreshSummary, refresh
from boligmonitor.pipeline.refresh_husbanken import HusbankenSource, archived_hypercube, refresh_husbanken
from boligmonitor.sources.connectors.http import FetchError, PoliteClient, RateLimiter, ResponseArchive, RetryPolicy
from boligmonitor.sources.connectors.husbanken import Definitions, HusbankenFetchError, load_definitions
from boligmonitor.sources.connectors.husbanken.hypercube import app_url
from boligmonitor.sources.connectors.husbanken.parse import AppLayout
from boligmonitor.sources.connectors.ssb import SsbApiError
from boligmonitor.sources.manifest import read_manifest
from boligmonitor.sources.readers.jsonstat import read_jsonstat
from boligmonitor.sources.settings import (
    HUSBANKEN_UNCONFIRMED_VARIABLE,
    HUSBANKEN_URL_VARIABLE,
    KLASS_URL_VARIABLE,
    SSB_URL_VARIABLE,
)
from boligmonitor.store import Store
from tests.catalog.test_catalog_content import SSB_WITHOUT_RECIPE
from tests.connectors.husbanken.conftest import quick_options
from tests.connectors.support import OUTSIDE_WINDOW, at, linked_input
from tests.fakeqlik.engine import DEFAULT_RELOAD_TIME
from tests.fakeqlik.faults import QlikFault, QlikFaultPlan
from tests.fakeqlik.hypercubes import RecordedHypercube
from tests.fakeqlik.server import FakeQlik
from tests.fakessb import FakeSsb, Fault, FaultKind, FaultPlan, ManualClock, TableCatalogue
from tests.fakessb.conftest import KLASS_131_CHANGES_CSV

REPO = Path(__file__).resolve().parents[2]
CORE_THEMES = ("barn_og_unge", "bostedslose", "eldre_og_bolig", "nedsatt_funksjonsevne")
# Indicators with a Husbanken source that no Husbanken dataset can give (the catalogue's maintainer notes would say
# why): none since catalogue 2026.12.7, when BU10 and HB06 got an unconfirmed hypercube.
HUSBANKEN_WITHOUT_RECIPE: dict[str, str] = {}
# The fake Qlik engine's years for the whole-catalogue fetch: one whole year and the current one are enough for
# every card, and keep its largest cube (KommuneNr x Brukergruppe x month) at about 41 000 rows.
FAKE_QLIK_YEARS = (2025, 2026)
# `fetch --plan` for the whole catalogue against the fakes: SSB's 38 data requests (tests/connectors/
# test_fetch_plan.py) and the 58 /config, metadata, codelist and search calls that find them; KLASS's 3; and
# Husbanken's 2 + 440 JSON-RPC calls for the confirmed hypercubes (page counts estimated from the live app's
# documented sizes) + 38 for the eight unconfirmed ones, one session each.
PLAN_SSB_DATA_REQUESTS = 38
PLAN_SSB_OTHER_CALLS = 58
PLAN_KLASS_REQUESTS = 3
PLAN_HUSBANKEN_CALLS = 480
PLAN_ALL_REQUESTS = PLAN_SSB_DATA_REQUESTS + PLAN_SSB_OTHER_CALLS + PLAN_KLASS_REQUESTS + PLAN_HUSBANKEN_CALLS


def _sourced(catalog: Catalog) -> list[str]:
    return [i.id for i in catalog.indicators if any(s.publisher in ("SSB", "Husbanken") for s in i.sources)]


# ------------------------------------------------------------------------------------------ the whole catalogue


@pytest.fixture
def fake_sources(shared_data: Path, build_input: Path) -> Iterator[dict[str, str]]:
    """`scripts/fake-sources` running (any free ports, the Husbanken cubes of FAKE_QLIK_YEARS): the variables it
    prints to export."""
    command = [sys.executable, str(REPO / "scripts" / "fake-sources"), "--port", "0", "--input", str(build_input)]
    command += ["--husbanken-first-year", str(FAKE_QLIK_YEARS[0])]
    environment = {**os.environ, "BOLIGMONITOR_SHARED_DATA": str(shared_data)}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    try:
        exported: dict[str, str] = {}
        assert process.stdout is not None
        for line in process.stdout:
            name, _, value = line.removeprefix("export ").strip().partition("=")
            exported[name] = value
            if len(exported) == 4:
                break
        assert len(exported) == 4, process.stderr.read() if process.stderr else ""
        yield exported
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.slow
def test_fake_sources_then_fetch_fills_every_ssb_and_husbanken_indicator_and_says_synthetic(
    fake_sources: dict[str, str], workspace: tuple[Path, Store], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    input_directory, store = workspace
    catalog = load_catalog()
    assert fake_sources[HUSBANKEN_UNCONFIRMED_VARIABLE] == "1"
    for name, value in fake_sources.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(refresh_module, "current_time", at(OUTSIDE_WINDOW))  # outside SSB's publishing window
    database = f"sqlite:///{tmp_path / 'db.sqlite'}"  # the workspace's copy of the built database
    arguments = ["--input", str(input_directory), "--database", database, "--archive", str(tmp_path / "archive")]
    fetched = CliRunner().invoke(app, ["fetch", *arguments])
    assert fetched.exit_code == 0, fetched.output
    assert "problem:" not in fetched.output, fetched.output
    assert "Husbanken (reload 2026-10-02T05:33:12.345Z): changed husbanken:bostotte" in fetched.output
    shown = CliRunner().invoke(app, ["status", "--json", "--database", database])
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.stdout)

    indicators = {item["id"]: item for item in report["indicators"]}
    without_data = {indicator for indicator in _sourced(catalog) if indicators[indicator]["n_values"] == 0}
    print(f"\nSSB/Husbanken-sourced indicators: {len(_sourced(catalog))}, without data: {sorted(without_data)}")
    assert without_data == set(SSB_WITHOUT_RECIPE) | set(HUSBANKEN_WITHOUT_RECIPE)
    assert all(catalog.indicator(indicator).recipe is None for indicator in without_data)  # never a broken recipe
    # and status gives the catalogue's stated reason for each, not "needs the live connector"
    assert all(indicators[indicator]["reason"].startswith(NO_RECIPE_NOTES) for indicator in without_data), {
        indicator: indicators[indicator]["reason"] for indicator in without_data
    }

    # Every card of the core themes with an SSB or Husbanken source: a value for every municipality in its latest
    # year (the card's year). Indicators only for urban districts have no municipal card.
    municipalities = {region.code for region in store.regions() if region.level == RegionLevel.MUNICIPALITY}
    assert len(municipalities) == report["municipalities"] == 357
    checked = []
    for indicator in catalog.indicators:
        if indicator.theme not in CORE_THEMES or indicator.id not in _sourced(catalog) or indicator.id in without_data:
            continue
        if indicator.geo_levels == ("district",):
            continue
        by_year: dict[int, set[str]] = defaultdict(set)
        for observation in store.observations(indicator_id=indicator.id):
            if observation.region_code in municipalities and observation.value is not None:
                by_year[observation.year].add(observation.region_code)
        latest = max(by_year)
        assert by_year[latest] == municipalities, (indicator.id, latest, len(by_year[latest]))
        checked.append(indicator.id)
    print(f"core-theme indicators with a value for all 357 municipalities: {len(checked)}")
    assert {"EL13", "NF07", "BU01", "BL01"} <= set(checked)  # Husbanken's and SSB's both

    # Everything the fakes served says SYNTHETIC, where the database keeps it for every value read from it.
    entries = {entry.dataset: entry for entry in read_manifest(input_directory).files}
    roots = tuple(value.rsplit("/api/", 1)[0] for value in fake_sources.values() if "://" in value)
    served = [entry for entry in entries.values() if (entry.source_url or "").startswith(roots)]
    fetched_keys = {entry.dataset for entry in served}
    assert {"ssb:07459", "ssb:kostra_midlertidige_botilbud", "klass:104", "husbanken:bostotte"} <= fetched_keys
    for entry in served:
        assert "SYNTHETIC" in entry.title and "SYNTHETIC" in entry.provenance, entry.dataset
        assert entry.notes[0].startswith("SYNTHETIC: made-up test data"), entry.dataset
    stored = {dataset["id"]: dataset for dataset in report["datasets"]}
    assert all("SYNTHETIC" in stored[key]["title"] for key in fetched_keys)
    bostotte = stored["husbanken:bostotte"]
    assert bostotte["updated_by_publisher"] == DEFAULT_RELOAD_TIME and bostotte["fetched_at"] is not None
    assert entries["husbanken:bostotte"].path == "husbanken-live/bostotte.json"
    # KOSTRA codes found by search are staged under the catalogue's dataset key, which the recipes read.
    staged = entries["ssb:kostra_midlertidige_botilbud"]
    assert staged.path == "ssb-live/kostra_midlertidige_botilbud.json" and "found by searching" in staged.provenance
    cube = read_jsonstat(input_directory / staged.path)
    assert set(cube.dimension("ContentsCode").codes) >= {"KOStotmidlbo0000", "KOSmidlbobarn0000"}


# ------------------------------------------------------------------------------------------ the plan


def test_fetch_plan_counts_every_request_of_every_source(
    recipe_catalogue: TableCatalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command's limiter runs on real time: the fake announces no limit a plan would reach.
    with FakeSsb(recipe_catalogue, rate_limit=1_000_000) as ssb:
        monkeypatch.setenv(SSB_URL_VARIABLE, ssb.base_url)
        monkeypatch.setenv(KLASS_URL_VARIABLE, ssb.klass_url)
        monkeypatch.setenv(HUSBANKEN_URL_VARIABLE, "ws://127.0.0.1:9/public")  # the plan does not connect
        monkeypatch.setenv(HUSBANKEN_UNCONFIRMED_VARIABLE, "1")
        result = CliRunner().invoke(app, ["fetch", "--plan", "--archive", str(tmp_path)])
        confirmed_only = CliRunner().invoke(
            app, ["fetch", "--plan", "--archive", str(tmp_path), "--no-husbanken-unconfirmed", "--source", "husbanken"]
        )
        data_requests = [r for r in ssb.requests if r.path.endswith("/data")]
    assert result.exit_code == 0, result.output
    print("\n" + result.stdout)  # the figure for the record: pytest -s shows it
    total = result.stdout.splitlines()[-1]
    assert total == (
        f"All sources: about {PLAN_ALL_REQUESTS} requests (SSB {PLAN_SSB_DATA_REQUESTS} data requests + "
        f"{PLAN_SSB_OTHER_CALLS} /config, metadata, codelist and search calls; KLASS {PLAN_KLASS_REQUESTS}; "
        f"Husbanken about {PLAN_HUSBANKEN_CALLS} JSON-RPC calls)"
    )
    assert PLAN_ALL_REQUESTS == 579
    assert f"{PLAN_SSB_DATA_REQUESTS} data requests," in result.stdout and data_requests == []
    assert "pages unknown until GetLayout: startlan_kommune" in result.stdout
    assert confirmed_only.exit_code == 0, confirmed_only.output
    assert confirmed_only.stdout.splitlines()[-1] == (
        "All sources: about 442 requests (Husbanken about 442 JSON-RPC calls)"
    )


# ------------------------------------------------------------------------------------------ faults

FAULT_RUNS = 100
SSB_FAULTS = [
    (Fault(FaultKind.RATE_LIMITED, retry_after=5), 0.08),
    (Fault(FaultKind.UNAVAILABLE), 0.08),
    (Fault(FaultKind.TRUNCATED), 0.06),
    (Fault(FaultKind.SERVER_ERROR), 0.06),
]
QLIK_FAULTS = [
    (QlikFault.disconnect(), 0.07),
    (QlikFault.malformed(), 0.04),
    (QlikFault.too_large(), 0.04),
    (QlikFault.slow(0.01), 0.03),
]
SSB_TABLE = "90001"  # the fake's standard synthetic table; split into 4 requests of at most 25 cells
SSB_MAX_CELLS = 25
SSB_DATA_REQUESTS = 4
# The recorded bostøtte hypercube (69 rows) and the national monthly one (35 rows over 2024-2026), in pages of
# 20 and 23 rows: a small Husbanken refresh with paging to fail in, one dataset from two hypercubes.
HUSBANKEN_CUBES = ("bostotte_tellere_kommune", "bostotte_husstander_norge")
SMALL_PAGES = 140
RECORDED_PAGES = 3  # GetHyperCubeData calls for the recorded cube after its first page
FAULT_QLIK_YEARS = (2024, 2025, 2026)


@dataclass
class _Servers:
    ssb: FakeSsb
    qlik: FakeQlik
    clock: ManualClock
    store: Store


@pytest.fixture(scope="module")
def servers(shared_data: Path, api_fixtures: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Servers]:
    """Both fakes for the fault runs, started once (a run takes a tenth of a second, a server start more), and an
    empty database: every table and dataset counts as changed, the build is faked."""
    clock = ManualClock(1000.0)
    catalogue = TableCatalogue.standard(api_fixtures, shared_data / KLASS_131_CHANGES_CSV)
    store = Store.open(f"sqlite:///{tmp_path_factory.mktemp('faults') / 'empty.sqlite'}")
    qlik = FakeQlik(recorded=RecordedHypercube.from_fixtures(api_fixtures), years=FAULT_QLIK_YEARS)
    with FakeSsb(catalogue, clock=clock) as ssb, qlik:
        yield _Servers(ssb, qlik, clock, store)
    store.close()


@dataclass
class _Run:
    """One refresh of SSB table 90001, the KLASS register (when ``klass``) and two Husbanken hypercubes, with a
    faked build."""

    servers: _Servers
    directory: Path
    klass: bool = True
    builds: list[Path] = field(default_factory=list)

    @property
    def input_directory(self) -> Path:
        return self.directory / "input"

    @property
    def husbanken_archive(self) -> Path:
        return self.directory / "archive" / "husbanken"

    def __call__(self) -> RefreshSummary:
        clock = self.servers.clock
        clock.advance(120.0)  # past the server's rate window of the run before
        self.servers.ssb.clear_requests()
        archive = ResponseArchive(self.directory / "archive")
        limiter = RateLimiter(calls=30, per_seconds=60.0, clock=clock, sleep=clock.advance, wall_clock=clock)
        retry = RetryPolicy(attempts=3, base_delay=1.0, random=random.Random(7).random)

        def client(url: str) -> PoliteClient:
            return PoliteClient(url, limiter=limiter, retry=retry, archive=archive, timeout=2.0, sleep=clock.advance)

        options = quick_options(page_cells=SMALL_PAGES, retry=RetryPolicy(attempts=3, base_delay=0.0, jitter=0.0))
        husbanken = HusbankenSource(
            self.servers.qlik.base_url, self.husbanken_archive, options=options, only=HUSBANKEN_CUBES
        )
        with client(self.servers.ssb.base_url) as http, client(self.servers.ssb.klass_url) as klass:
            return refresh(
                http,
                archive,
                self.servers.store,
                self.input_directory,
                load_catalog(),
                only=[SSB_TABLE],
                max_cells=SSB_MAX_CELLS,
                klass=klass if self.klass else None,
                husbanken=husbanken,
                now=at(OUTSIDE_WINDOW),
                build=self.build,
            )

    def build(self, directory: Path, _store: Store) -> BuildSummary:
        self.builds.append(directory)
        return BuildSummary(version_id=0, observations=0, regions=0, states={}, seconds=0.0)

    def archived_hypercubes(self) -> set[str]:
        """The Husbanken hypercubes whose every answer is in the raw archive for the fake's reload."""
        definitions = load_definitions()
        archive = ResponseArchive(self.husbanken_archive)
        app = app_url(self.servers.qlik.base_url, definitions.app.id)
        return {
            cube_id
            for cube_id in HUSBANKEN_CUBES
            if archived_hypercube(archive, app, definitions.cube(cube_id), DEFAULT_RELOAD_TIME) is not None
        }

    def ssb_answers(self) -> set[str]:
        """The distinct data requests SSB answered whole (so the client archived them)."""
        return {
            json.dumps(request.json_body(), sort_keys=True)
            for request in self.servers.ssb.requests
            if request.path.endswith("/data") and request.status == 200 and request.fault is None
        }


def _outcome(run: Callable[[], RefreshSummary]) -> RefreshSummary | Exception:
    try:
        return run()
    except (SsbApiError, FetchError, HusbankenFetchError) as error:
        return error


@pytest.mark.slow
def test_randomized_faults_on_both_servers_complete_or_change_nothing_and_resume(
    servers: _Servers, build_input: Path, tmp_path: Path
) -> None:
    outcomes: dict[str, int] = defaultdict(int)
    for seed in range(FAULT_RUNS):
        run = _Run(servers, tmp_path / str(seed), klass=seed % 4 == 0)  # KLASS's register is the slow part
        linked_input(build_input, run.input_directory)
        manifest = (run.input_directory / "manifest.json").read_bytes()
        servers.ssb.set_fault_plan(FaultPlan.seeded(seed, SSB_FAULTS))
        servers.qlik.set_fault_plan(QlikFaultPlan.seeded(seed, QLIK_FAULTS))
        first = _outcome(run)
        assert servers.ssb.max_requests_in_any_window(60.0) <= 30, seed
        if isinstance(first, RefreshSummary):
            outcomes["completed"] += 1
            _assert_new_input(run, first, seed)
            continue
        outcomes["failed"] += 1
        # Nothing changed: the input as it was (the database is changed only by the build, never called).
        assert run.builds == [], seed
        assert (run.input_directory / "manifest.json").read_bytes() == manifest, seed
        assert not run.input_directory.with_name("input.staging").exists(), seed
        # Resumable: without faults the rerun completes, and asks neither server again for what the archives hold.
        archived, answered = run.archived_hypercubes(), run.ssb_answers()
        servers.ssb.set_fault_plan(None)
        servers.qlik.set_fault_plan(None)
        calls_before = len(servers.qlik.calls)
        resumed = run()
        _assert_new_input(run, resumed, seed)
        assert resumed.husbanken is not None
        assert set(resumed.husbanken.from_archive) == archived, seed
        created = [
            call.params["qProp"]["qInfo"]["qId"].removeprefix("boligmonitor-")
            for call in servers.qlik.calls[calls_before:]
            if call.method == "CreateSessionObject"
        ]
        assert not archived & set(created), seed
        assert resumed.requests_from_archive == len(answered), seed
        assert resumed.requests_sent + resumed.requests_from_archive == SSB_DATA_REQUESTS, seed
        outcomes["resumed from the Husbanken archive"] += bool(archived)
        outcomes["resumed from the SSB archive"] += bool(answered)
    print(f"\n{FAULT_RUNS} faulty refreshes: {dict(outcomes)}")
    assert outcomes["completed"] >= 10 and outcomes["failed"] >= 10, outcomes
    assert outcomes["resumed from the Husbanken archive"] >= 1 and outcomes["resumed from the SSB archive"] >= 1


def _assert_new_input(run: _Run, summary: RefreshSummary, seed: int) -> None:
    assert run.builds == [run.input_directory], seed
    entries = {entry.dataset: entry for entry in read_manifest(run.input_directory).files}
    assert summary.changed == [SSB_TABLE] and f"ssb:{SSB_TABLE}" in entries, seed
    assert summary.husbanken is not None and summary.husbanken.changed == ["husbanken:bostotte"], seed
    cube = read_jsonstat(run.input_directory / entries["husbanken:bostotte"].path)
    assert cube.updated == DEFAULT_RELOAD_TIME, seed
    assert {"0", "4203"} <= set(cube.dimension("Region").codes), seed  # Norway's cube and the recorded one


# ------------------------------------------------------------------------------------------ Husbanken alone


def _husbanken_run(servers: _Servers, build_input: Path, tmp_path: Path) -> _Run:
    run = _Run(servers, tmp_path)
    linked_input(build_input, run.input_directory)
    servers.ssb.set_fault_plan(None)
    servers.qlik.set_fault_plan(None)
    return run


def test_an_interrupted_husbanken_refresh_resumes_from_the_archive_without_asking_again(
    servers: _Servers, build_input: Path, tmp_path: Path
) -> None:
    run = _husbanken_run(servers, build_input, tmp_path)
    # The recorded cube's pages come, the national cube's never: the refresh fails and changes nothing.
    cut = dict.fromkeys(range(RECORDED_PAGES + 1, 30), QlikFault.disconnect())
    servers.qlik.set_fault_plan(QlikFaultPlan.at(cut, method="GetHyperCubeData"))
    failed = _outcome(run)
    assert isinstance(failed, HusbankenFetchError) and "bostotte_husstander_norge" in str(failed)
    assert run.builds == [] and run.archived_hypercubes() == {"bostotte_tellere_kommune"}
    servers.qlik.set_fault_plan(None)
    calls_before = len(servers.qlik.calls)
    resumed = run()
    assert resumed.husbanken is not None
    assert resumed.husbanken.from_archive == ["bostotte_tellere_kommune"]
    assert resumed.husbanken.fetched == ["bostotte_husstander_norge"]
    asked = [
        call.params["qProp"]["qInfo"]["qId"]
        for call in servers.qlik.calls[calls_before:]
        if call.params and call.method == "CreateSessionObject"
    ]
    assert asked == ["boligmonitor-bostotte_husstander_norge"]
    entry = {e.dataset: e for e in read_manifest(run.input_directory).files}["husbanken:bostotte"]
    assert "bostotte_tellere_kommune from the raw archive of the same reload" in entry.provenance

    # The build is done, the database not yet (the fake build): the next run takes everything from the archive.
    again = run()
    assert again.husbanken is not None and again.husbanken.fetched == []
    assert sorted(again.husbanken.from_archive) == sorted(HUSBANKEN_CUBES)


def test_a_reload_during_the_refresh_starts_again_at_the_new_reload(
    servers: _Servers, build_input: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _husbanken_run(servers, build_input, tmp_path)
    checks: list[str | None] = []
    real_check = refresh_husbanken_module.app_layout

    def check_then_reload(source: HusbankenSource, definitions: Definitions) -> tuple[AppLayout, int]:
        layout, calls = real_check(source, definitions)
        checks.append(layout.last_reload_text)
        if len(checks) == 1:
            servers.qlik.set_reload_time("2026-10-03T05:30:00.000Z")  # Husbanken's nightly reload, just now
        return layout, calls

    monkeypatch.setattr(refresh_husbanken_module, "app_layout", check_then_reload)
    try:
        summary = run()
    finally:
        servers.qlik.set_reload_time(DEFAULT_RELOAD_TIME)
    assert checks == [DEFAULT_RELOAD_TIME, "2026-10-03T05:30:00.000Z"]
    assert summary.husbanken is not None and summary.husbanken.reload == "2026-10-03T05:30:00.000Z"
    assert any("reloaded its app during the refresh" in warning for warning in summary.warnings)
    cube = read_jsonstat(run.input_directory / "husbanken-live" / "bostotte.json")
    assert cube.updated == "2026-10-03T05:30:00.000Z"


def test_an_unchanged_reload_asks_for_nothing_but_the_reload(
    servers: _Servers, build_input: Path, tmp_path: Path
) -> None:
    run = _husbanken_run(servers, build_input, tmp_path)
    first = run()
    assert first.husbanken is not None and first.husbanken.changed == ["husbanken:bostotte"]
    stored = {"husbanken:bostotte": DEFAULT_RELOAD_TIME}
    calls_before = len(servers.qlik.calls)
    options = quick_options(page_cells=SMALL_PAGES)
    source = HusbankenSource(servers.qlik.base_url, run.husbanken_archive, options=options, only=HUSBANKEN_CUBES)
    present = {entry.dataset for entry in read_manifest(run.input_directory).files}
    result = refresh_husbanken(source, stored, present, OUTSIDE_WINDOW)
    assert result.staged == [] and result.unchanged == ["husbanken:bostotte"]
    assert [call.method for call in servers.qlik.calls[calls_before:]] == ["OpenDoc", "GetAppLayout"]
    assert "none changed" in result.describe()


def test_an_unconfirmed_hypercube_the_app_cannot_compute_is_a_problem_not_a_failure(
    servers: _Servers, build_input: Path, tmp_path: Path
) -> None:
    """Against the live app a placeholder field name fails; here an engine without that definition does the same."""
    run = _husbanken_run(servers, build_input, tmp_path)
    definitions = load_definitions()
    unknown = definitions.cube("startlan_kommune")
    renamed = unknown.model_copy(
        update={"measures": [m.model_copy(update={"expression": "Sum([Nope])"}) for m in unknown.measures]}
    )
    changed = definitions.model_copy(
        update={"cubes": [renamed if cube.id == unknown.id else cube for cube in definitions.cubes]}
    )
    source = HusbankenSource(
        servers.qlik.base_url,
        run.husbanken_archive,
        options=quick_options(page_cells=SMALL_PAGES),
        include_unconfirmed=True,
        only=[*HUSBANKEN_CUBES, "startlan_kommune"],
        definitions=changed,
    )
    result = refresh_husbanken(source, {}, set(), OUTSIDE_WINDOW)
    assert [staged.entry.dataset for staged in result.staged] == ["husbanken:bostotte"]
    assert any(
        problem.startswith("startlan_kommune (not confirmed against the live app)") for problem in result.problems
    )
    assert "husbanken:startlan: not refreshed, its hypercube could not be fetched" in result.problems


def test_an_unknown_source_is_refused() -> None:
    result = CliRunner().invoke(app, ["fetch", "--source", "nothing"])
    assert result.exit_code == 2 and "unknown source nothing" in result.output
