"""The `fake_ssb` fixture: a running fake SSB server with the recorded and standard synthetic tables."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakessb.catalogue import TableCatalogue
from tests.fakessb.server import FakeSsb

KLASS_131_CHANGES_CSV = Path("registry") / "klass131_changes_2011_2024.csv"


@pytest.fixture
def fake_ssb_catalogue(shared_data: Path, api_fixtures: Path) -> TableCatalogue:
    """A fresh catalogue per test (tests may publish synthetic tables or add their own)."""
    return TableCatalogue.standard(api_fixtures, shared_data / KLASS_131_CHANGES_CSV)


@pytest.fixture
def fake_ssb(fake_ssb_catalogue: TableCatalogue) -> Iterator[FakeSsb]:
    """A running fake SSB server on 127.0.0.1 (random port), stopped after the test."""
    with FakeSsb(fake_ssb_catalogue) as server:
        yield server
