"""Test set-up shared by every test.

Sockets are blocked for every test by pytest-socket (see `addopts` in pyproject.toml): tests are offline
by construction. Unix sockets stay allowed so that a local PostgreSQL can be reached through its socket.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from boligmonitor.store import Store

REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path:
    """`../shared/data` beside the repository (or BOLIGMONITOR_SHARED_DATA)."""
    configured = os.environ.get("BOLIGMONITOR_SHARED_DATA")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.fail(f"real data not found at {path}: place ../shared beside the repository")
    return path


@pytest.fixture(scope="session")
def api_fixtures(shared_data: Path) -> Path:
    return shared_data / "api_fixtures"


@pytest.fixture(scope="session")
def build_input(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The development adapter's build input from ../shared/data, made once per test session."""
    from boligmonitor.sources.shared_data import prepare_build_input

    out = tmp_path_factory.mktemp("build-input") / "input"
    prepare_build_input(shared_data, out)
    return out


@pytest.fixture(scope="session")
def built_database(build_input: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database built from the real build input, once per session. Copy it before changing it."""
    from boligmonitor.pipeline.build import build_database
    from boligmonitor.store import Store, create_engine_for, migrate

    path = tmp_path_factory.mktemp("built") / "boligmonitor.sqlite"
    engine = create_engine_for(f"sqlite:///{path}")
    migrate(engine)
    build_database(build_input, Store(engine))
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def built_store(built_database: Path) -> Iterator[Store]:
    """Read-only use of the session's database."""
    from boligmonitor.store import Store, create_engine_for

    store = Store(create_engine_for(f"sqlite:///{built_database}"))
    yield store
    store.close()
