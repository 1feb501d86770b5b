"""The fake SSB server fixtures, shared with the connector tests, and a writable copy of the built data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from boligmonitor.store import Store, create_engine_for
from tests.fakessb.conftest import fake_ssb, fake_ssb_catalogue

__all__ = ["fake_ssb", "fake_ssb_catalogue", "workspace"]


@pytest.fixture
def workspace(build_input: Path, built_database: Path, tmp_path: Path) -> Iterator[tuple[Path, Store]]:
    """A copy of the development input and of the database built from it, for a refresh to change."""
    input_copy = tmp_path / "input"
    shutil.copytree(build_input, input_copy)
    database = tmp_path / "db.sqlite"
    shutil.copyfile(built_database, database)
    store = Store(create_engine_for(f"sqlite:///{database}"))
    yield input_copy, store
    store.close()
