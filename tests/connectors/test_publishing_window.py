"""SSB's morning publishing window (05:00-08:15 Norwegian time): a refresh refuses or waits; the plan does not care."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from boligmonitor.catalog import load_catalog
from boligmonitor.cli.app import EXIT_PUBLISHING_WINDOW, app
from boligmonitor.pipeline import refresh as refresh_module
from boligmonitor.pipeline.refresh import refresh
from boligmonitor.sources.connectors.http import ResponseArchive
from boligmonitor.sources.connectors.ssb.publishing import NORWAY, PublishingWindowError, publishing_window_at
from boligmonitor.store import Store
from tests.connectors.support import INSIDE_WINDOW, at, linked_input, no_build, polite_client
from tests.fakessb import FakeSsb, ManualClock


def _oslo(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=NORWAY)


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (_oslo(2026, 1, 15, 4, 59, 59), False),
        (_oslo(2026, 1, 15, 5, 0), True),  # the start is inside
        (_oslo(2026, 1, 15, 8, 0), True),  # publication time
        (_oslo(2026, 1, 15, 8, 14, 59), True),
        (_oslo(2026, 1, 15, 8, 15), False),  # the end is safe
        (_oslo(2026, 7, 15, 12, 0), False),
        # The same UTC instant, winter vs summer: 06:30Z is 07:30 in January (inside), 08:30 in July (outside).
        (datetime(2026, 1, 15, 6, 30, tzinfo=UTC), True),
        (datetime(2026, 7, 15, 6, 30, tzinfo=UTC), False),
        # Spring forward on 2026-03-29: 03:30Z is 04:30 the day before (CET) but 05:30 that day (CEST).
        (datetime(2026, 3, 28, 3, 30, tzinfo=UTC), False),
        (datetime(2026, 3, 29, 3, 30, tzinfo=UTC), True),
        (datetime(2026, 3, 29, 6, 14, tzinfo=UTC), True),  # 08:14 CEST
        (datetime(2026, 3, 29, 6, 15, tzinfo=UTC), False),  # 08:15 CEST
        # Fall back on 2026-10-25: 03:30Z is 05:30 the day before (CEST) but 04:30 that day (CET).
        (datetime(2026, 10, 24, 3, 30, tzinfo=UTC), True),
        (datetime(2026, 10, 25, 3, 30, tzinfo=UTC), False),
        (datetime(2026, 10, 25, 7, 14, tzinfo=UTC), True),  # 08:14 CET
        # Any offset works: 06:00 in Oslo written as 00:00 in UTC-6.
        (datetime(2026, 1, 15, 0, 0, tzinfo=timezone(timedelta(hours=-6))), True),
    ],
)
def test_inside_and_outside_the_window(moment: datetime, inside: bool) -> None:
    assert (publishing_window_at(moment) is not None) is inside


def test_the_window_ends_at_0815_norwegian_time_and_a_naive_moment_is_refused() -> None:
    window = publishing_window_at(datetime(2026, 3, 29, 3, 30, tzinfo=UTC))
    assert window is not None
    assert window.end == _oslo(2026, 3, 29, 8, 15)
    assert window.seconds_left(datetime(2026, 3, 29, 3, 30, tzinfo=UTC)) == 2 * 3600 + 45 * 60
    with pytest.raises(ValueError, match="timezone-aware"):
        publishing_window_at(datetime(2026, 1, 15, 6, 0))


def test_the_message_says_when_to_try_again() -> None:
    moment = INSIDE_WINDOW  # 06:30 in Oslo
    window = publishing_window_at(moment)
    assert window is not None
    message = str(PublishingWindowError(moment, window))
    assert "between 05:00 and 08:15 Norwegian time" in message
    assert "it is 06:30 in Norway now" in message
    assert "Try again after 08:15 (2026-01-01, in 1 h 45 min)" in message


def _setup(build_input: Path, tmp_path: Path) -> tuple[Path, ResponseArchive, Store]:
    input_directory = linked_input(build_input, tmp_path / "input")
    return input_directory, ResponseArchive(tmp_path / "archive"), Store.open(f"sqlite:///{tmp_path / 'db.sqlite'}")


def test_a_refresh_inside_the_window_sends_nothing_and_changes_nothing(
    fake_ssb: FakeSsb, build_input: Path, tmp_path: Path
) -> None:
    input_directory, archive, store = _setup(build_input, tmp_path)
    manifest_before = (input_directory / "manifest.json").read_bytes()
    with polite_client(fake_ssb.base_url, ManualClock(), archive) as client, pytest.raises(PublishingWindowError):
        refresh(client, archive, store, input_directory, load_catalog(), ["90001"], now=at(INSIDE_WINDOW))
    store.close()
    assert fake_ssb.requests == []
    assert (input_directory / "manifest.json").read_bytes() == manifest_before


def test_a_refresh_told_to_wait_sleeps_until_0815_then_fetches(
    fake_ssb: FakeSsb, build_input: Path, tmp_path: Path
) -> None:
    input_directory, archive, store = _setup(build_input, tmp_path)
    wall = [INSIDE_WINDOW]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        wall[0] += timedelta(seconds=seconds)

    with polite_client(fake_ssb.base_url, ManualClock(), archive) as client:
        summary = refresh(
            client,
            archive,
            store,
            input_directory,
            load_catalog(),
            ["90001"],
            build=no_build,
            publishing_window="wait",
            now=lambda: wall[0],
            sleep=sleep,
        )
    store.close()
    assert slept == [105 * 60]  # 06:30 -> 08:15
    assert summary.waited_seconds == 105 * 60
    assert summary.changed == ["90001"]
    assert fake_ssb.requests and fake_ssb.requests[0].path.endswith("/config")


def test_a_clock_that_does_not_move_does_not_keep_the_refresh_waiting_for_ever(
    fake_ssb: FakeSsb, build_input: Path, tmp_path: Path
) -> None:
    input_directory, archive, store = _setup(build_input, tmp_path)
    slept: list[float] = []
    with polite_client(fake_ssb.base_url, ManualClock(), archive) as client, pytest.raises(PublishingWindowError):
        refresh(
            client,
            archive,
            store,
            input_directory,
            load_catalog(),
            ["90001"],
            publishing_window="wait",
            now=at(INSIDE_WINDOW),
            sleep=slept.append,
        )
    store.close()
    assert len(slept) == 3
    assert fake_ssb.requests == []


def test_the_command_refuses_with_exit_status_3_but_plans(
    fake_ssb: FakeSsb, build_input: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    input_directory = linked_input(build_input, tmp_path / "input")
    monkeypatch.setattr(refresh_module, "current_time", at(INSIDE_WINDOW))
    common = ["--tables", "90001", "--base-url", fake_ssb.base_url, "--archive", str(tmp_path / "archive")]
    database = f"sqlite:///{tmp_path / 'db.sqlite'}"
    refused = CliRunner().invoke(app, ["fetch", *common, "--input", str(input_directory), "--database", database])
    assert refused.exit_code == EXIT_PUBLISHING_WINDOW, refused.output
    assert "Try again after 08:15" in refused.output and "--wait" in refused.output
    assert fake_ssb.requests == []
    planned = CliRunner().invoke(app, ["fetch", "--plan", *common])
    assert planned.exit_code == 0, planned.output
    assert "1 data requests, 80 cells" in planned.stdout


def test_the_help_explains_the_window_and_the_flag() -> None:
    result = CliRunner().invoke(app, ["fetch", "--help"], terminal_width=200)
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "--wait" in text and "05:00" in text and "08:15" in text and "exit status 3" in text
