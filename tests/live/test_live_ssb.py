"""Checks of the connectors against the real SSB and KLASS APIs (opt-in; see conftest.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from boligmonitor.catalog import load_catalog
from boligmonitor.pipeline.fetch_plan import plan_fetch
from boligmonitor.pipeline.recipe_check import check_recipes, describe_checks
from boligmonitor.sources.connectors.http import PoliteClient, RateLimiter, ResponseArchive, RetryPolicy
from boligmonitor.sources.connectors.klass import MUNICIPALITIES, codes_at
from boligmonitor.sources.connectors.ssb import KLASS_BASE_URL, PXWEB_V0_BASE_URL, PXWEB_V2_BASE_URL, pxweb
from boligmonitor.sources.connectors.ssb.pxweb_v0 import v0_table_metadata

pytestmark = pytest.mark.live


def _client(base_url: str, archive: Path) -> PoliteClient:
    return PoliteClient(base_url, limiter=RateLimiter(), retry=RetryPolicy(), archive=ResponseArchive(archive))


def test_population_table_metadata_has_the_catalogue_code(tmp_path: Path) -> None:
    with _client(PXWEB_V2_BASE_URL, tmp_path) as http:
        metadata = pxweb.table_metadata(http, "07459")
    assert "Personer1" in metadata.contents_codes
    assert metadata.updated


def test_klass_has_357_municipalities(tmp_path: Path) -> None:
    with _client(KLASS_BASE_URL, tmp_path) as http:
        codes = codes_at(http, MUNICIPALITIES, date.today())
    assert len([c for c in codes if c.code != "9999"]) == 357


def test_plan_for_the_whole_catalogue(tmp_path: Path) -> None:
    """Prints the figure asked for in issue 3: the requests a full fetch would make under the cell limit."""
    with _client(PXWEB_V2_BASE_URL, tmp_path) as http:
        plan = plan_fetch(http, load_catalog())
    print("\n".join(plan.describe()))
    assert plan.requests


def test_every_recipe_against_real_metadata(tmp_path: Path) -> None:
    """Prints, for every SSB recipe part, what held against SSB's real metadata (table found, ContentsCode there,
    other dimensions settled) beside what the catalogue's evidence claims; fails if a part claimed verified
    failed."""
    catalog = load_catalog()
    with (
        _client(PXWEB_V2_BASE_URL, tmp_path / "v2") as http,
        _client(PXWEB_V0_BASE_URL, tmp_path / "v0") as legacy,
    ):
        plan = plan_fetch(http, catalog, v0=legacy)
    checks = check_recipes(plan, catalog)
    print("\n".join(describe_checks(checks)))
    assert [c for c in checks if c.claimed == "verified" and c.held == "failed"] == []


def test_config_states_a_cell_limit(tmp_path: Path) -> None:
    with _client(PXWEB_V2_BASE_URL, tmp_path) as http:
        config = pxweb.api_config(http)
    print(config)
    assert config.max_data_cells is not None and config.max_data_cells > 0


def test_07459_offers_current_borders_and_kjonn_can_be_eliminated(tmp_path: Path) -> None:
    """What the refresh assumes of the live 07459: agg_KommSummer on Region, and Kjonn eliminable (sum)."""
    with _client(PXWEB_V2_BASE_URL, tmp_path) as http:
        metadata = pxweb.table_metadata(http, "07459")
    region = metadata.variable("Region")
    assert pxweb.CURRENT_BORDERS_CODELIST in {ref.id for ref in region.codelists}
    assert metadata.variable("Kjonn").elimination


def test_the_codelist_member_of_a_post_body_is_understood(tmp_path: Path) -> None:
    """Confirms pxweb.CODELIST_MEMBER (ssb-api.md §2.4 leaves `codelist` vs `codeList` open): K-codes come back."""
    selection = pxweb.Selection.of(
        {"Region": ["K-3103"], "Alder": ["000"], "ContentsCode": ["Personer1"], "Tid": ["2024"]},
        {"Region": pxweb.CURRENT_BORDERS_CODELIST},
    )
    with _client(PXWEB_V2_BASE_URL, tmp_path) as http:
        cube = pxweb.table_data(http, "07459", selection)
    assert cube.dimension("Region").codes == ("K-3103",)


def test_legacy_v0_metadata_has_the_assumed_shape(tmp_path: Path) -> None:
    with _client(PXWEB_V0_BASE_URL, tmp_path) as http:
        metadata = v0_table_metadata(http, "no/table/07221", "07221")
    assert "Boligindeks" in metadata.contents_codes
