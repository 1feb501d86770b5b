"""The KLASS register refreshed by `fetch`: municipalities (131) and counties (104) valid today, and municipal
changes since the latest one the input knows; written into the staged input, swapped in with the tables and
built once, and skipped when nothing changed.

The fake serves the recorded KLASS 131 codesAt for 2026-01-01, the real 131 change list (2011-2024) and a
SYNTHETIC 104 codesAt (names from ssb-api.md §5.1); the development input's 104 file is a third-party list, so
it differs and is replaced.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from boligmonitor.catalog import load_catalog
from boligmonitor.cli.app import app
from boligmonitor.pipeline import refresh as refresh_module
from boligmonitor.pipeline.build import BuildSummary
from boligmonitor.pipeline.refresh import RefreshSummary, refresh
from boligmonitor.pipeline.refresh_klass import LIVE_CHANGES_DATASET
from boligmonitor.sources.connectors.http import ResponseArchive
from boligmonitor.sources.connectors.ssb import SsbApiError
from boligmonitor.sources.manifest import read_manifest
from boligmonitor.sources.readers.klass_files import read_klass_changes, read_klass_codes
from boligmonitor.store import Store
from tests.connectors.support import OUTSIDE_WINDOW, at, linked_input, polite_client
from tests.fakessb import FakeSsb, ManualClock, TableCatalogue
from tests.fakessb.catalogue import COUNTIES_2024

SYNTHETIC_CHANGE = {  # SYNTHETIC: a made-up renaming, dated after the input's change list ends (2024-01-01)
    "oldCode": "4601",
    "oldName": "Bergen",
    "oldShortName": "",
    "newCode": "4601",
    "newName": "Bergen (SYNTHETIC new name)",
    "newShortName": "",
    "changeOccurred": "2026-01-01",
}


class _Run:
    """Refreshes of one input against one fake server, counting builds."""

    def __init__(self, server: FakeSsb, input_directory: Path, tmp_path: Path) -> None:
        self.server, self.input_directory = server, input_directory
        self.clock = ManualClock(1000.0)
        self.archive = ResponseArchive(tmp_path / "archive")
        self.store = Store.open(f"sqlite:///{tmp_path / 'empty.sqlite'}")
        self.builds = 0

    def _build(self, directory: Path, store: Store) -> BuildSummary:
        self.builds += 1
        return BuildSummary(version_id=self.builds, observations=0, regions=0, states={}, seconds=0.0)

    def __call__(self, moment: datetime = OUTSIDE_WINDOW, tables: list[str] | None = None) -> RefreshSummary:
        with (
            polite_client(self.server.base_url, self.clock, self.archive) as client,
            polite_client(self.server.klass_url, self.clock, self.archive) as klass,
        ):
            return refresh(
                client,
                self.archive,
                self.store,
                self.input_directory,
                load_catalog(),
                tables or [],
                klass=klass,
                build=self._build,
                now=at(moment),
            )


@pytest.fixture
def run(fake_ssb: FakeSsb, build_input: Path, tmp_path: Path) -> Iterator[_Run]:
    runner = _Run(fake_ssb, linked_input(build_input, tmp_path / "input"), tmp_path)
    yield runner
    runner.store.close()


def _entries(input_directory: Path) -> dict[str, Any]:
    return {entry.dataset: entry for entry in read_manifest(input_directory).files}


def test_changed_register_files_are_replaced_and_unchanged_ones_kept(run: _Run) -> None:
    before = _entries(run.input_directory)
    summary = run()
    assert summary.register == ["klass:104"]
    assert run.builds == 1
    entries = _entries(run.input_directory)
    counties = entries["klass:104"]
    assert counties.path == "klass-live/klass_104_codesAt_2026-01-01.json"
    assert counties.code_vintage == "2026" and counties.publisher == "SSB"
    assert (
        counties.source_url is not None and "/classifications/104/codesAt.json?date=2026-01-01" in counties.source_url
    )
    codes = read_klass_codes(run.input_directory / counties.path)
    assert {code.code: code.name for code in codes} == COUNTIES_2024
    assert entries["klass:131"] == before["klass:131"]  # the recorded register equals the input's: kept
    assert LIVE_CHANGES_DATASET not in entries  # KLASS knows no change the input lacks
    changes = [r for r in run.server.requests if r.path.endswith("/changes.json")]
    assert [r.params["from"] for r in changes] == [["2024-01-01"]]  # from the input's last change to today
    assert changes[0].params["to"] == ["2026-01-01"]
    assert "KLASS register updated: klass:104" in summary.describe()


def test_a_second_refresh_finds_nothing_to_do(run: _Run) -> None:
    run()
    manifest = (run.input_directory / "manifest.json").read_bytes()
    again = run()
    assert again.register == [] and run.builds == 1
    assert (run.input_directory / "manifest.json").read_bytes() == manifest
    assert "none changed. KLASS register unchanged. Nothing changed" in again.describe()


def test_new_changes_are_written_once_and_only_those(run: _Run, fake_ssb_catalogue: TableCatalogue) -> None:
    run()
    fake_ssb_catalogue.add_klass_changes("131", [SYNTHETIC_CHANGE])
    summary = run()
    assert summary.register == [LIVE_CHANGES_DATASET]
    entry = _entries(run.input_directory)[LIVE_CHANGES_DATASET]
    assert entry.format == "klass-changes"
    [change] = read_klass_changes(run.input_directory / entry.path)
    assert change.new_name == "Bergen (SYNTHETIC new name)" and change.change_occurred == date(2026, 1, 1)
    assert run().register == []
    assert run.builds == 2  # the third refresh found the same change and wrote nothing


def test_a_new_municipality_register_replaces_the_old_one(
    run: _Run, fake_ssb_catalogue: TableCatalogue, api_fixtures: Path
) -> None:
    body = (api_fixtures / "klass_131_codesAt_2026-01-01.json").read_text(encoding="utf-8")
    renamed = body.replace('"name":"Bergen"', '"name":"Bergen (SYNTHETIC)"', 1)
    assert renamed != body
    fake_ssb_catalogue.add_klass_codes_at("131", date(2026, 6, 1), renamed.encode("utf-8"))
    summary = run(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    assert "klass:131" in summary.register
    entry = _entries(run.input_directory)["klass:131"]
    assert entry.path == "klass-live/klass_131_codesAt_2026-06-01.json"
    names = {code.code: code.name for code in read_klass_codes(run.input_directory / entry.path)}
    assert names["4601"] == "Bergen (SYNTHETIC)" and len(names) == 358


def test_a_failing_register_call_changes_nothing(run: _Run) -> None:
    manifest = (run.input_directory / "manifest.json").read_bytes()
    with pytest.raises(SsbApiError, match="KLASS 131 codesAt 2026-06-02"):
        run(datetime(2026, 6, 2, 12, 0, tzinfo=UTC))  # the fake has no register for that date: 404
    assert (run.input_directory / "manifest.json").read_bytes() == manifest
    assert run.builds == 0


def test_the_command_refreshes_the_register_beside_the_tables(
    fake_ssb: FakeSsb, build_input: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    input_directory = linked_input(build_input, tmp_path / "input")
    built: list[Path] = []

    def fake_build(directory: Path, store: Store, **_: object) -> BuildSummary:
        built.append(directory)
        return BuildSummary(version_id=1, observations=0, regions=0, states={}, seconds=0.0)

    monkeypatch.setattr(refresh_module, "current_time", at(OUTSIDE_WINDOW))
    monkeypatch.setattr(refresh_module, "build_database", fake_build)
    arguments = ["fetch", "--tables", "90001", "--base-url", fake_ssb.base_url, "--archive", str(tmp_path / "a")]
    database = ["--input", str(input_directory), "--database", f"sqlite:///{tmp_path / 'db.sqlite'}"]
    result = CliRunner().invoke(app, [*arguments, *database, "--source", "ssb", "--source", "klass"])
    assert result.exit_code == 0, result.output
    assert "changed: 90001" in result.output and "KLASS register updated: klass:104" in result.output
    assert built == [input_directory]
    klass_paths = [r.path for r in fake_ssb.requests if r.path.startswith("/api/klass/v1/")]
    assert len(klass_paths) == 3  # 131 codesAt, 104 codesAt, 131 changes: beside --base-url, on the fake

    fake_ssb.clear_requests()
    skipped = CliRunner().invoke(app, [*arguments, *database, "--source", "ssb"])
    assert skipped.exit_code == 0, skipped.output
    assert not [r for r in fake_ssb.requests if r.path.startswith("/api/klass/v1/")]
