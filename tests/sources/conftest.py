"""Fixtures for the sources tests; `build_input` (the adapter's output) comes from tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from boligmonitor.sources.manifest import BuildManifest, read_manifest


@pytest.fixture(scope="session")
def manifest(build_input: Path) -> BuildManifest:
    return read_manifest(build_input)
