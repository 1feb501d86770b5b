"""Checks of the connectors against the real SSB and KLASS APIs (opt-in; see conftest.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from boligmonitor.catalog import load_catalog
from boligmonitor.pipeline.fetch_plan import plan_fetch
from boligmonitor.sources.http import PoliteClient, RateLimiter, ResponseArchive, RetryPolicy
from boligmonitor.sources.klass_api import MUNICIPALITIES, codes_at
from boligmonitor.sources.ssb import KLASS_BASE_URL, PXWEB_V2_BASE_URL, pxweb

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
