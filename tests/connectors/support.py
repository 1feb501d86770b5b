"""Shared pieces of the connector tests: polite clients on a manual clock, fixed moments, a cheap input copy."""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from boligmonitor.pipeline.build import BuildSummary
from boligmonitor.sources.connectors.http import PoliteClient, RateLimiter, ResponseArchive, RetryPolicy
from boligmonitor.sources.manifest import read_manifest
from boligmonitor.store import Store
from tests.fakessb import FakeSsb, ManualClock

# 12:00 in Oslo (winter time): well outside SSB's 05:00-08:15 publishing window.
OUTSIDE_WINDOW = datetime(2026, 1, 1, 11, 0, tzinfo=UTC)
# 06:30 in Oslo on the same day: inside the window.
INSIDE_WINDOW = datetime(2026, 1, 1, 5, 30, tzinfo=UTC)


def at(moment: datetime) -> Callable[[], datetime]:
    """A clock that always says ``moment``."""
    return lambda: moment


def polite_client(
    base_url: str, clock: ManualClock, archive: ResponseArchive | None, attempts: int = 6, calls: int = 30
) -> PoliteClient:
    limiter = RateLimiter(calls=calls, per_seconds=60.0, clock=clock, sleep=clock.advance, wall_clock=clock)
    retry = RetryPolicy(attempts=attempts, base_delay=1.0, random=random.Random(7).random)
    return PoliteClient(base_url, limiter=limiter, retry=retry, archive=archive, timeout=1.0, sleep=clock.advance)


def v0_base(server: FakeSsb) -> str:
    """The legacy API's base as SSB's (``.../api/v0``); paths add the language (``no/table/07221``)."""
    return server.root_url + "/api/v0"


def linked_input(build_input: Path, directory: Path) -> Path:
    """A build input whose manifest is a copy and whose files are symlinks to ``build_input`` (read only)."""
    directory.mkdir(parents=True)
    shutil.copy(build_input / "manifest.json", directory / "manifest.json")
    for entry in read_manifest(build_input).files:
        target = directory / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(build_input / entry.path)
    return directory


def no_build(directory: Path, store: Store) -> BuildSummary:
    return BuildSummary(version_id=0, observations=0, regions=0, states={}, seconds=0.0)
