"""The workers of one server load a new data version in turn (web/worker_turns.py)."""

from __future__ import annotations

import os
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
import uvicorn

from boligmonitor.catalog import load_catalog
from boligmonitor.store import DATABASE_URL_VARIABLE, Store, create_engine_for
from boligmonitor.web import server
from boligmonitor.web.monitor import Monitor
from boligmonitor.web.worker_turns import TURNS_VARIABLE, LoadTurns

from .test_background_reload import commit_new_version, copied_database, version_id


def test_a_second_holder_waits_until_the_first_lets_go(tmp_path: Path) -> None:
    lock_file = tmp_path / "turns"
    first, second = LoadTurns(lock_file), LoadTurns(lock_file)  # two open files: as two worker processes
    order: list[str] = []
    second_started = threading.Event()

    def take_second_turn() -> None:
        second_started.set()
        with second:
            order.append("second")

    with first:
        waiting = threading.Thread(target=take_second_turn)
        waiting.start()
        assert second_started.wait(10)
        waiting.join(0.3)  # the second holder is still blocked: the first has not let go
        assert waiting.is_alive()
        order.append("first done")
    waiting.join(10)
    assert order == ["first done", "second"]


def test_a_dead_holder_never_blocks_the_others(tmp_path: Path) -> None:
    lock_file = tmp_path / "turns"
    holder = LoadTurns(lock_file)
    holder.__enter__()
    assert holder._file is not None
    holder._file.close()  # what the kernel does for a worker that dies while loading
    with LoadTurns(lock_file):
        pass


class RecordingTurns(AbstractContextManager[object]):
    def __init__(self) -> None:
        self.held = False
        self.turns = 0

    def __enter__(self) -> RecordingTurns:
        self.held = True
        self.turns += 1
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.held = False


def test_the_monitor_loads_a_new_version_only_in_its_turn(built_database: Path, tmp_path: Path) -> None:
    url = copied_database(built_database, tmp_path)
    turns = RecordingTurns()
    loaded_in_turn: list[bool] = []
    monitor = Monitor(
        Store(create_engine_for(url)), load_catalog(), prepare=lambda data: loaded_in_turn.append(turns.held)
    )
    monitor.take_turns_with_siblings(turns)
    old = version_id(monitor.data)
    assert monitor.check() is False and turns.turns == 0  # nothing new: no turn taken
    commit_new_version(url, monitor.data)
    assert monitor.check() is True
    assert version_id(monitor.data) == old + 1
    assert turns.turns == 1 and loaded_in_turn[-1] is True and not turns.held


def test_the_server_gives_its_workers_one_lock_file_and_removes_it(
    built_database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in (DATABASE_URL_VARIABLE, server.WARM_VARIABLE, TURNS_VARIABLE):
        monkeypatch.setenv(variable, "")
    seen: dict[str, Any] = {}

    def run(app: Any, **options: Any) -> None:  # stands in for uvicorn starting the workers
        seen["turns"] = os.environ[TURNS_VARIABLE]
        seen["exists"] = Path(seen["turns"]).exists()
        seen["app"] = server.server_app()  # what each worker runs

    monkeypatch.setattr(uvicorn, "run", run)
    server.run_server(
        f"sqlite:///{built_database}", host="127.0.0.1", port=8125, workers=2, warm=False, announce=lambda _: None
    )
    assert seen["exists"] is True
    monitor: Monitor = seen["app"].state.monitor
    assert isinstance(monitor._sibling_loads, LoadTurns)
    assert monitor._sibling_loads.path == Path(seen["turns"])
    assert not Path(seen["turns"]).exists()  # removed when the server stops
    assert TURNS_VARIABLE not in os.environ or os.environ[TURNS_VARIABLE] == ""


def test_two_monitors_sharing_turns_never_load_at_the_same_time(built_database: Path, tmp_path: Path) -> None:
    url = copied_database(built_database, tmp_path)
    lock_file = tmp_path / "turns"
    loading = threading.Semaphore(1)
    overlaps: list[bool] = []

    def prepare(_: object) -> None:
        overlaps.append(not loading.acquire(blocking=False))
        time.sleep(0.05)
        loading.release()

    monitors = [Monitor(Store(create_engine_for(url)), load_catalog(), prepare=prepare) for _ in range(2)]
    for monitor in monitors:
        monitor.take_turns_with_siblings(LoadTurns(lock_file))
    overlaps.clear()
    commit_new_version(url, monitors[0].data)
    checks = [threading.Thread(target=monitor.check) for monitor in monitors]
    for check in checks:
        check.start()
    for check in checks:
        check.join(120)
    assert overlaps == [False, False]
    assert {version_id(monitor.data) for monitor in monitors} == {version_id(monitors[0].data)}
