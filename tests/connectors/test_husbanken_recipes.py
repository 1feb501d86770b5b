"""The catalogue's Husbanken recipes against the hypercube definitions (definitions.yaml) and the fake Qlik engine:

- every recipe part reading a Husbanken dataset names a ContentsCode of that dataset that some hypercube fills, and
  settles exactly the dataset's own dimensions;
- every indicator with a Husbanken source has a recipe, except those no Husbanken dataset can give, whose
  maintainer notes say "No source dataset" and why; a recipe on an unconfirmed hypercube tells users so (caveat)
  and maintainers what to confirm (note);
- a refresh of every Husbanken definition, unconfirmed ones included, from the fake engine stages one SYNTHETIC cube
  per dataset holding every ContentsCode the recipes read, for every municipality the engine knows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from boligmonitor.catalog import Catalog, load_catalog
from boligmonitor.catalog.models import Indicator, Selection
from boligmonitor.pipeline.refresh_husbanken import SYNTHETIC, HusbankenRefresh, HusbankenSource, refresh_husbanken
from boligmonitor.sources.connectors.husbanken import Definitions, load_definitions
from tests.connectors.husbanken.conftest import quick_options
from tests.fakeqlik.server import FakeQlik

MUNICIPALITIES = ("0301", "0312", "4203", "5043")
YEARS = (2025, 2026)
NOW = datetime(2026, 11, 2, 11, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def definitions() -> Definitions:
    return load_definitions()


def _husbanken_parts(catalog: Catalog) -> Iterator[tuple[Indicator, str, Selection]]:
    for indicator in catalog.indicators:
        if indicator.recipe is None:
            continue
        for part, selection in indicator.recipe.selections():
            if selection.dataset.startswith("husbanken:"):
                yield indicator, part, selection


def test_every_husbanken_recipe_part_fits_a_dataset_and_a_hypercube(catalog: Catalog, definitions: Definitions) -> None:
    filled = {(cube.dataset, measure.contents_code) for cube in definitions.cubes for measure in cube.measures}
    parts = list(_husbanken_parts(catalog))
    assert len(parts) >= 20
    for indicator, part, selection in parts:
        where = (indicator.id, part)
        dataset = definitions.dataset(selection.dataset)
        assert selection.measure in {c.code for c in dataset.contents}, where
        assert (selection.dataset, selection.measure) in filled, where
        assert set(selection.select) == {d.id for d in dataset.dimensions}, where
        for dimension in dataset.dimensions:
            codes = {c.code for c in dimension.categories}
            assert set(selection.categories(dimension.id, sorted(codes))) <= codes, where


def test_every_husbanken_indicator_has_a_recipe_or_says_why_no_dataset_can_give_it(
    catalog: Catalog, definitions: Definitions
) -> None:
    # A (dataset, ContentsCode) is confirmed when a confirmed hypercube gives it: bostøtte has confirmed cubes for
    # its households and one unconfirmed for the households with children (BU10, HB06).
    confirmed = {(c.dataset, m.contents_code) for c in definitions.cubes if c.confirmed for m in c.measures}
    sourced = [i for i in catalog.indicators if any(s.publisher == "Husbanken" for s in i.sources)]
    assert len(sourced) >= 16
    for indicator in sourced:
        notes = " ".join(indicator.maintainer_notes)
        assert indicator.recipe is not None, indicator.id
        read = {(s.dataset, s.measure) for _, s in indicator.recipe.selections() if s.dataset.startswith("husbanken:")}
        unconfirmed = read - confirmed
        if not unconfirmed:
            continue
        # Users read that the fields are not confirmed; maintainers read which hypercube and what to confirm.
        assert any("ikke bekreftet" in caveat.nb and "not yet confirmed" in caveat.en for caveat in indicator.caveats)
        assert "TO_CONFIRM" in notes and "to_confirm" in notes, indicator.id
        giving = [c for c in definitions.cubes if {(c.dataset, m.contents_code) for m in c.measures} & unconfirmed]
        assert giving and all(not cube.confirmed and cube.id in notes for cube in giving), indicator.id


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> HusbankenRefresh:
    archive = tmp_path_factory.mktemp("husbanken-archive")
    with FakeQlik(recorded=None, municipality_codes=MUNICIPALITIES, years=YEARS) as qlik:
        source = HusbankenSource(qlik.base_url, Path(archive), options=quick_options(), include_unconfirmed=True)
        return refresh_husbanken(source, {}, set(), NOW)


def test_the_fake_engine_serves_synthetic_cubes_for_every_recipe(
    refreshed: HusbankenRefresh, catalog: Catalog, definitions: Definitions
) -> None:
    assert refreshed.problems == [] and refreshed.synthetic
    staged = {dataset.entry.dataset: dataset for dataset in refreshed.staged}
    assert set(staged) == {dataset.key for dataset in definitions.datasets}
    for key, dataset in staged.items():
        assert dataset.entry.title.startswith(f"{SYNTHETIC}: "), key
        assert dataset.entry.path == f"husbanken-live/{key.removeprefix('husbanken:')}.json"
    for indicator, part, selection in _husbanken_parts(catalog):
        cube = staged[selection.dataset].cube
        assert selection.measure in cube.dimension("ContentsCode").codes, (indicator.id, part)
        regions = set(cube.dimension("Region").codes)
        assert {"4203", "5043", "030102"} <= regions, (indicator.id, part)  # 0312: SSB's district 030102
        assert set(YEARS) <= {int(year) for year in cube.dimension("Tid").codes}, (indicator.id, part)
        ids = [dimension.id for dimension in cube.dimensions]
        contents, region = ids.index("ContentsCode"), ids.index("Region")
        chosen = {
            ids.index(name): set(selection.categories(name, cube.dimension(name).codes)) for name in selection.select
        }
        values = [
            cell.value
            for cell in cube.cells()
            if cell.codes[contents] == selection.measure
            and cell.codes[region] == "4203"
            and all(cell.codes[position] in codes for position, codes in chosen.items())
        ]
        assert values and all(value is not None and value >= 0 for value in values), (indicator.id, part)


# Maintainers' notes that say why an indicator with an SSB or Husbanken source has no recipe.
WHY_NO_RECIPE = ("No source dataset:", "No recipe:")


def test_every_ssb_or_husbanken_indicator_without_a_recipe_states_why(catalog: Catalog) -> None:
    without = [
        indicator
        for indicator in catalog.indicators
        if indicator.recipe is None and any(s.publisher in ("SSB", "Husbanken") for s in indicator.sources)
    ]
    # None since catalogue 2026.12.7 (BEF12, BEF13, BU10 and HB06 got recipes); a new one must say why.
    for indicator in without:
        assert any(note.startswith(WHY_NO_RECIPE) for note in indicator.maintainer_notes), indicator.id
    assert not without
