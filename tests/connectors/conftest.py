"""The fake SSB server fixtures, shared with the connector tests, a writable copy of the built data, and the fake's
SYNTHETIC tables generated from the catalogue's recipes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from boligmonitor.catalog import load_catalog
from boligmonitor.store import Store, create_engine_for
from tests.fakessb.catalogue import TableCatalogue
from tests.fakessb.conftest import KLASS_131_CHANGES_CSV, fake_ssb, fake_ssb_catalogue
from tests.fakessb.recipe_tables import Regions, add_recipe_tables

__all__ = ["fake_ssb", "fake_ssb_catalogue", "recipe_catalogue", "recipe_regions", "workspace"]


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


@pytest.fixture(scope="session")
def recipe_regions(api_fixtures: Path, build_input: Path) -> Regions:
    """Today's municipalities (recorded KLASS 131) and the urban districts the offline input has data for: the
    synthetic population must give those districts a denominator too."""
    return Regions.from_fixtures(api_fixtures, Regions.districts_of_input(build_input))


@pytest.fixture
def recipe_catalogue(shared_data: Path, api_fixtures: Path, recipe_regions: Regions) -> TableCatalogue:
    """The standard fake catalogue plus one SYNTHETIC table for every SSB table the recipes read."""
    catalogue = TableCatalogue.standard(api_fixtures, shared_data / KLASS_131_CHANGES_CSV)
    add_recipe_tables(catalogue, load_catalog(), recipe_regions)
    return catalogue
