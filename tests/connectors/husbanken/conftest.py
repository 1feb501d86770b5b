"""Fixtures for the Husbanken connector tests: the fake Qlik engine, the definitions, the real recorded response."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from boligmonitor.sources.connectors.http import RetryPolicy
from boligmonitor.sources.connectors.husbanken import Definitions, HypercubeData, QlikOptions, load_definitions
from boligmonitor.sources.connectors.husbanken.parse import read_layout
from tests.fakeqlik.conftest import fake_qlik, recorded_hypercube
from tests.fakeqlik.hypercubes import RECORDED_DEFINITION, RECORDED_FIXTURE

__all__ = ["fake_qlik", "fast_options", "recorded_data", "recorded_hypercube"]


@pytest.fixture(scope="session")
def definitions() -> Definitions:
    return load_definitions()


@pytest.fixture(scope="session")
def recorded_layout(api_fixtures: Path) -> dict[str, object]:
    """The real GetLayout result recorded by terchris/atlas (read from ../shared/data, never copied)."""
    layout: dict[str, object] = json.loads((api_fixtures / RECORDED_FIXTURE).read_bytes())
    return layout


@pytest.fixture
def recorded_data(recorded_layout: dict[str, object]) -> HypercubeData:
    return HypercubeData.from_layout(RECORDED_DEFINITION, read_layout(recorded_layout))


def quick_options(**changes: Any) -> QlikOptions:
    """Options for the fake engine: no politeness pause, no back-off, short time-outs, no proxy."""
    base = QlikOptions(
        pause_seconds=0.0,
        retry=RetryPolicy(attempts=4, base_delay=0.0, jitter=0.0),
        call_timeout=5.0,
        open_timeout=5.0,
        proxy=None,
        identity="test-run",
    )
    return dataclasses.replace(base, **changes)


@pytest.fixture
def fast_options() -> QlikOptions:
    return quick_options()
