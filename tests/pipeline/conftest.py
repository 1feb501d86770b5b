"""Fixtures for pipeline tests: private copies of the session's real database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from boligmonitor.store import Store, create_engine_for


@pytest.fixture
def database_copy(built_database: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(built_database, copy)
    return copy


@pytest.fixture
def store_copy(database_copy: Path) -> Iterator[Store]:
    store = Store(create_engine_for(f"sqlite:///{database_copy}"))
    yield store
    store.close()
