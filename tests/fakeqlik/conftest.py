"""The ``fake_qlik`` fixture: a running fake Qlik engine with the recorded bostøtte hypercube and synthetic ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakeqlik.hypercubes import RecordedHypercube
from tests.fakeqlik.server import FakeQlik


@pytest.fixture(scope="session")
def recorded_hypercube(api_fixtures: Path) -> RecordedHypercube:
    return RecordedHypercube.from_fixtures(api_fixtures)


@pytest.fixture
def fake_qlik(recorded_hypercube: RecordedHypercube) -> Iterator[FakeQlik]:
    """A running fake engine on 127.0.0.1 (random port), with the small test KommuneNr domain; stopped after."""
    with FakeQlik(recorded=recorded_hypercube) as server:
        yield server
