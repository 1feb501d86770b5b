"""Live tests talk to the real SSB and KLASS APIs. They are opt-in and never run in CI:

    BOLIGMONITOR_LIVE=1 .venv/bin/pytest -m live -p no:socket tests/live

(`-p no:socket` lifts the test suite's loopback-only socket rule for this run.)
"""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("BOLIGMONITOR_LIVE") == "1":
        return
    skip = pytest.mark.skip(reason="live SSB test: set BOLIGMONITOR_LIVE=1 and run with -m live -p no:socket")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)
