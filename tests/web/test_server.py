"""`boligmonitor serve`: one process runs the app it built; several workers build it through the factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from boligmonitor.store import DATABASE_URL_VARIABLE
from boligmonitor.web import server
from boligmonitor.web.monitor import Monitor
from boligmonitor.web.worker_turns import TURNS_VARIABLE


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    return calls


def test_several_workers_build_the_app_through_the_factory(
    built_database: Path, runs: list[tuple[Any, dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in (
        DATABASE_URL_VARIABLE,
        server.WARM_VARIABLE,
        TURNS_VARIABLE,
    ):  # run_server sets them: restored after the test
        monkeypatch.setenv(variable, "")
    said: list[str] = []
    url = f"sqlite:///{built_database}"
    server.run_server(url, host="127.0.0.1", port=8123, workers=3, warm=False, announce=said.append)
    [(app, options)] = runs
    assert app == server.SERVER_APP_FACTORY
    assert options["factory"] is True and options["workers"] == 3
    assert options["host"] == "127.0.0.1" and options["port"] == 8123
    assert options["http"] == server.HTTP_PROTOCOL
    assert said == ["http://127.0.0.1:8123/ (3 workers; Ctrl+C to stop)"]

    built = server.server_app()  # what each worker runs, configured by the environment the parent set
    assert isinstance(built, FastAPI)
    monitor: Monitor = built.state.monitor
    assert str(monitor.store.engine.url) == url
    assert monitor.data.version is not None


def test_one_worker_runs_the_app_built_in_process(built_database: Path, runs: list[tuple[Any, dict[str, Any]]]) -> None:
    server.run_server(
        f"sqlite:///{built_database}", host="127.0.0.1", port=8124, workers=1, warm=False, announce=lambda _: None
    )
    [(app, options)] = runs
    assert isinstance(app, FastAPI)
    assert "workers" not in options
    assert options["access_log"] is False
