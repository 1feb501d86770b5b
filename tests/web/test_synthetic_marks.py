"""Every value the fake servers made up is marked SYNTHETIC on the page, its card, its API record and its CSV, XLSX
and JSON-stat downloads; a database built from the real data (../shared/data) shows no such mark.

The synthetic database: a copy of the session's real database and input, refreshed against the fake Qlik engine
(loopback) for Husbanken's monthly bostøtte cubes, built for real. Every bostøtte value (HB05, HB10, HB11, HB12 …)
then comes from the fake, whose app title and layouts say SYNTHETIC.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from boligmonitor.catalog import load_catalog
from boligmonitor.pipeline.refresh import refresh
from boligmonitor.pipeline.refresh_husbanken import HusbankenSource
from boligmonitor.sources.connectors.http import ResponseArchive
from boligmonitor.sources.manifest import read_manifest
from boligmonitor.store import DatasetRow, Store, create_engine_for
from boligmonitor.web.app import create_app
from boligmonitor.web.monitor import load_monitor_data
from boligmonitor.web.rendering import environment
from boligmonitor.web.synthetic import any_synthetic, is_synthetic, source_text, title_without_mark, with_sources
from tests.connectors.husbanken.conftest import quick_options
from tests.connectors.support import linked_input
from tests.fakeqlik.server import FakeQlik

REGION = "4203"  # Arendal: among the fake engine's municipality codes
THEME = "husbankens_virkemidler"
THEME_PAGE = f"/region/{REGION}/tema/{THEME}"
INDICATOR = "HB05"  # households paid bostøtte: husbanken:bostotte, households per month
CUBES = ("bostotte_husstander_kommune", "bostotte_husstander_norge")
YEARS = (2025, 2026)
# Large municipalities only: the fake's 200-800 households per month must stay below the real population's bound
# (HB10, households per 1 000 residents), which the build checks.
MUNICIPALITIES = ("0301", REGION, "4601", "1103", "5001")
NOW = datetime(2026, 11, 2, 11, 0, tzinfo=UTC)
# The input's registers, population (denominators) and bostøtte: what the cards of the theme need.
KEPT_DATASETS = ("klass:", "registry:", "ssb:07459", "husbanken:")
BANNER_NB = "Denne installasjonen viser SYNTETISKE tall fra testtjenere"


@pytest.fixture(scope="module")
def synthetic_database(build_input: Path, built_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("synthetic-marks")
    input_directory = linked_input(build_input, directory / "input")
    manifest = read_manifest(input_directory)
    kept = [entry for entry in manifest.files if entry.dataset.startswith(KEPT_DATASETS)]
    manifest.model_copy(update={"files": kept}).write(input_directory)  # a smaller build, the same kinds of data
    database = directory / "db.sqlite"
    shutil.copyfile(built_database, database)
    store = Store(create_engine_for(f"sqlite:///{database}"))
    try:
        with FakeQlik(recorded=None, years=YEARS, municipality_codes=MUNICIPALITIES) as qlik:
            husbanken = HusbankenSource(
                qlik.base_url, directory / "archive" / "husbanken", options=quick_options(), only=CUBES
            )
            summary = refresh(
                None,
                ResponseArchive(directory / "archive"),
                store,
                input_directory,
                load_catalog(),
                husbanken=husbanken,
                now=lambda: NOW,
            )
    finally:
        store.close()
    assert summary.husbanken is not None and summary.husbanken.synthetic
    assert summary.husbanken.changed == ["husbanken:bostotte"]
    return database


@pytest.fixture(scope="module")
def synthetic_client(synthetic_database: Path) -> Iterator[TestClient]:
    with TestClient(create_app(f"sqlite:///{synthetic_database}")) as client:
        yield client


@pytest.fixture(scope="module")
def real_client(built_database: Path) -> Iterator[TestClient]:
    with TestClient(create_app(f"sqlite:///{built_database}")) as client:
        yield client


# ------------------------------------------------------------------------------------------------ the rule


def _dataset(title: str) -> DatasetRow:
    return DatasetRow(
        id="husbanken:bostotte",
        publisher="Husbanken",
        title=title,
        table=None,
        file="husbanken-live/bostotte.json",
        sha256="0" * 64,
        fetched_at=NOW,
        updated=None,
        code_vintage="as-published",
        licence=None,
        provenance="",
    )


def test_a_dataset_is_synthetic_only_when_the_fetch_wrote_its_title_so() -> None:
    marked = _dataset("SYNTHETIC: Bostøtte per år etter kommune")
    assert is_synthetic(marked) and any_synthetic([_dataset("Bostøtte"), marked])
    assert title_without_mark(marked.title) == "Bostøtte per år etter kommune"
    # A real title that mentions the word later, or in other case, is not taken for a fake's.
    for title in ("Bostøtte (Husbankens statistikkbank)", "Syntetisk befolkning", "Om SYNTHETIC data"):
        assert not is_synthetic(_dataset(title))
    assert not is_synthetic(None) and not any_synthetic([])
    assert source_text("SSB", "07459", "Folkemengde", synthetic=True) == "SYNTHETIC: SSB 07459: Folkemengde"
    assert source_text("Husbanken", None, "Bostøtte", synthetic=True) == "SYNTHETIC: Husbanken: Bostøtte"
    assert source_text("SSB", "07459", None, synthetic=False) == "SSB 07459"


@pytest.mark.parametrize("synthetic", [True, False])
def test_the_banner_partial_shows_exactly_when_a_dataset_is_synthetic(synthetic: bool) -> None:
    data = SimpleNamespace(datasets={"x": _dataset("SYNTHETIC: x" if synthetic else "Folkemengde")})
    html = environment().get_template("_synthetic_banner.html").render(data=data, t=lambda key: key)
    assert ("synthetic.banner" in html) is synthetic
    assert ('id="synthetic-data"' in html) is synthetic


# ------------------------------------------------------------------------------------------------ the marks


def test_the_theme_page_marks_the_card_source_line(synthetic_client: TestClient) -> None:
    page = synthetic_client.get(THEME_PAGE)
    assert page.status_code == 200
    card = _card_html(page.text, INDICATOR)
    assert "Syntetiske testtall, ikke statistikk (SYNTHETIC) – Bostøtte" in card
    english = _card_html(synthetic_client.get(THEME_PAGE, params={"lang": "en"}).text, INDICATOR)
    assert "Synthetic test figures, not statistics (SYNTHETIC)" in english


def test_every_page_carries_the_banner(synthetic_client: TestClient, real_client: TestClient) -> None:
    for path in ("/", f"/region/{REGION}", THEME_PAGE, f"/region/{REGION}/indikator/BEF01", "/om"):
        assert BANNER_NB in synthetic_client.get(path).text, path
        assert BANNER_NB not in real_client.get(path).text, path


def test_the_api_record_says_synthetic_and_names_the_dataset(synthetic_client: TestClient) -> None:
    answer = synthetic_client.get("/api/v1/observations", params={"indicator": INDICATOR, "region": REGION})
    assert answer.status_code == 200
    records = answer.json()["observations"]
    assert records and {r["year"] for r in records} >= set(YEARS)
    for record in records:
        assert record["synthetic"] is True
        assert record["dataset"] == "husbanken:bostotte"
        assert record["dataset_title"].startswith("SYNTHETIC: ")
    # Values of other sources (SSB's population, from the real input) are not marked.
    population = synthetic_client.get("/api/v1/observations", params={"indicator": "BEF01", "region": REGION})
    assert {r["synthetic"] for r in population.json()["observations"]} == {False}


def test_the_downloads_have_a_source_column_saying_synthetic(synthetic_client: TestClient) -> None:
    text = synthetic_client.get(THEME_PAGE + ".csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    row = next(r for r in rows if r["indicator"] == INDICATOR)
    assert row["source"].startswith("SYNTHETIC: Husbanken: Syntetiske testtall, ikke statistikk (SYNTHETIC)")
    norwegian = synthetic_client.get(THEME_PAGE + ".csv", params={"csv": "norsk"}).content.decode("utf-8-sig")
    header, *lines = norwegian.splitlines()
    column = header.split(";").index("source")
    assert any("SYNTHETIC" in line.split(";")[column] for line in lines)

    workbook = load_workbook(io.BytesIO(synthetic_client.get(THEME_PAGE + ".xlsx").content), read_only=True)
    sheet = list(workbook["data"].iter_rows(values_only=True))
    columns = list(sheet[0])
    by_indicator = {r[columns.index("indicator")]: r for r in sheet[1:]}
    assert "SYNTHETIC" in str(by_indicator[INDICATOR][columns.index("source")])

    document = json.loads(synthetic_client.get(THEME_PAGE + ".jsonstat").content)
    assert document["note"][0].startswith("SYNTHETIC: made-up test data")
    assert document["extension"]["boligmonitor_synthetic"] is True
    cells = [c for c in document["extension"]["boligmonitor_sources"] if c["indicator"] == INDICATOR]
    assert cells and all("SYNTHETIC" in c["source"] for c in cells)

    as_json = json.loads(synthetic_client.get(THEME_PAGE + ".json").content)
    assert "source" in as_json["columns"]


# ------------------------------------------------------------------------------------------------ real data


def test_a_build_from_the_real_data_shows_no_synthetic_mark(real_client: TestClient) -> None:
    theme_page = f"/region/0301/tema/{THEME}"  # Oslo: the real input's bostøtte covers Norway and Oslo
    page = real_client.get(theme_page)
    assert page.status_code == 200 and "SYNTHETIC" not in page.text and "Syntetiske" not in page.text
    records = real_client.get("/api/v1/observations", params={"indicator": INDICATOR, "region": "0301"}).json()
    assert records["observations"] and {r["synthetic"] for r in records["observations"]} == {False}
    assert all(not r["dataset_title"].startswith("SYNTHETIC") for r in records["observations"])
    text = real_client.get(theme_page + ".csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert "source" in rows[0] and any(r["source"] for r in rows)
    assert not any("SYNTHETIC" in (r["source"] or "") for r in rows)
    document = json.loads(real_client.get(theme_page + ".jsonstat").content)
    assert document["extension"]["boligmonitor_synthetic"] is False
    assert not any("SYNTHETIC" in note for note in document["note"])


def _card_html(html: str, indicator: str) -> str:
    """The card of ``indicator`` on a theme page: from its id to the next card."""
    start = html.index(f'data-indicator="{indicator}"')
    end = html.find("data-indicator=", start + 1)
    return html[start : end if end != -1 else len(html)]


def test_any_pages_rows_get_their_source(synthetic_database: Path) -> None:
    store = Store(create_engine_for(f"sqlite:///{synthetic_database}"))
    try:
        data = load_monitor_data(store, load_catalog())
    finally:
        store.close()
    rows: list[dict[str, Any]] = [
        {"indicator": INDICATOR, "region": REGION, "year": YEARS[0]},
        {"indicator": "BEF01", "region": REGION, "year": 2024},
        {"indicator": INDICATOR, "region": REGION, "year": 1990},  # no observation
        {"indicator": INDICATOR, "region": REGION, "year": None},  # no year at all
        {"indicator": "BEF01", "region": REGION, "year": 2024, "source": "as the page gave it"},
    ]
    sources = [row.get("source") for row in with_sources(data, rows)]
    assert sources[0] is not None and sources[0].startswith("SYNTHETIC: Husbanken: SYNTHETIC: Bostøtte")
    assert sources[1] is not None and sources[1].startswith("SSB") and "SYNTHETIC" not in sources[1]
    assert sources[2:] == [None, None, "as the page gave it"]
