"""A new data version is loaded in the background: requests keep being answered from the old version while
it loads, never wait for it, and see the new one, whole, once it is swapped in."""

from __future__ import annotations

import dataclasses
import gc
import logging
import shutil
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from boligmonitor.catalog import Catalog, load_catalog
from boligmonitor.store import DataVersion, Store, create_engine_for
from boligmonitor.web import monitor as monitor_module
from boligmonitor.web.app import create_app
from boligmonitor.web.monitor import WATCHER_THREAD, Monitor, MonitorData

PAGE = "/region/4601/tema/befolkning_boligmarked"
OBSERVATION = "/api/v1/observations?indicator=BEF03&region=4601&year=2024"


def copied_database(built_database: Path, tmp_path: Path) -> str:
    path = tmp_path / "copy.sqlite"
    shutil.copy(built_database, path)
    return f"sqlite:///{path}"


def commit_new_version(url: str, data: MonitorData) -> float:
    """Commit a new data version that changes one value (SYNTHETIC); returns the new value."""
    observation = data.tables.observations("BEF03")[("4601", 2024)]
    new_value = round((observation.value or 0) + 11.1, 1)
    store = Store(create_engine_for(url))
    with store.write("import", "SYNTHETIC test change") as writer:
        writer.put_observations([dataclasses.replace(observation, value=new_value, numerator=None, denominator=None)])
    store.close()
    return new_value


def version_id(data: MonitorData) -> int:
    assert data.version is not None
    return data.version.id


def test_requests_are_answered_from_the_old_version_while_the_new_one_loads(
    built_database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = copied_database(built_database, tmp_path)
    app = create_app(url)
    monitor: Monitor = app.state.monitor
    client = TestClient(app)
    old = version_id(monitor.data)
    page_before = client.get(PAGE).content
    new_value = commit_new_version(url, monitor.data)

    loading, release = threading.Event(), threading.Event()
    load = monitor_module.load_monitor_data

    def held_load(store: Store, catalog: Catalog) -> MonitorData:
        loading.set()
        assert release.wait(120), "the test never released the load"
        return load(store, catalog)

    monkeypatch.setattr(monitor_module, "load_monitor_data", held_load)
    checker = threading.Thread(target=monitor.check)
    checker.start()
    try:
        assert loading.wait(120)
        # The new version is being loaded and cannot finish until released: every request answered now was
        # answered without waiting for it, from the old version, rendered or from the cache.
        assert client.get(PAGE).content == page_before
        answer = client.get(OBSERVATION).json()  # not cached yet: rendered now, from the old version
        assert answer["data_version"]["id"] == old
        assert answer["observations"][0]["value"] != new_value
        assert client.get("/static/favicon.svg").status_code == 200
        assert client.get("/region/1103").status_code == 200
        assert checker.is_alive() and not release.is_set()
    finally:
        release.set()
        checker.join(120)
    assert not checker.is_alive()
    answer = client.get(OBSERVATION).json()
    assert answer["data_version"]["id"] == old + 1
    assert answer["observations"][0]["value"] == new_value
    assert client.get(PAGE).content != page_before


def test_the_watcher_thread_loads_a_new_version_and_survives_a_failed_check(
    built_database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    url = copied_database(built_database, tmp_path)
    monitor = Monitor(Store(create_engine_for(url)), load_catalog(), check_seconds=0.01)
    old = version_id(monitor.data)
    latest = monitor.store.current_version
    failed = threading.Event()

    def flaky_latest() -> DataVersion | None:
        if not failed.is_set():
            failed.set()
            raise ConnectionError("SYNTHETIC: the database is away for a moment")
        return latest()

    monkeypatch.setattr(monitor.store, "current_version", flaky_latest)
    caplog.set_level(logging.ERROR, logger=monitor_module.__name__)
    monitor.start()
    try:
        assert failed.wait(60)
        commit_new_version(url, monitor.data)
        deadline = time.monotonic() + 120  # a bound for a broken build, not a measurement
        while version_id(monitor.data) == old and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        monitor.stop()
    assert version_id(monitor.data) == old + 1
    assert "still serving the loaded one" in caplog.text


def test_the_app_runs_the_watcher_while_it_serves(built_database: Path) -> None:
    app = create_app(f"sqlite:///{built_database}")

    def watchers() -> list[threading.Thread]:
        return [thread for thread in threading.enumerate() if thread.name == WATCHER_THREAD]

    before = watchers()
    with TestClient(app) as client:
        assert client.get("/om").status_code == 200
        assert len(watchers()) == len(before) + 1
    assert watchers() == before


def test_a_server_loads_a_new_version_without_full_collections(built_database: Path, tmp_path: Path) -> None:
    """A full collection while the new version loads would walk it holding the interpreter lock, and every
    request would wait (web/monitor.py); only young generations are collected meanwhile."""
    url = copied_database(built_database, tmp_path)
    thresholds = gc.get_threshold()
    during: list[tuple[int, int, int]] = []

    def prepare(data: MonitorData) -> None:
        during.append(gc.get_threshold())

    try:
        monitor = Monitor(Store(create_engine_for(url)), load_catalog(), freeze_heap=True, prepare=prepare)
        frozen = gc.get_freeze_count()
        commit_new_version(url, monitor.data)
        assert monitor.check()
        assert len(during) == 2  # the first version and the new one
        for first, second, full in during:
            assert (first, second) == thresholds[:2] and full > 1_000_000
        assert gc.get_threshold() == thresholds
        assert 0.9 * frozen < gc.get_freeze_count() < 1.5 * frozen  # the new version frozen, the old one gone
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
