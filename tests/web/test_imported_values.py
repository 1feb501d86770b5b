"""What an import may put before the pages: never a value that breaks them, and what it does put comes with its
note, its source and, when far out of line, the outlier flag shown on the card.

Imports go into a copy of the session's database; every imported file is SYNTHETIC (named synthetic_*).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from boligmonitor.core.errors import InputError
from boligmonitor.core.flags import Flag
from boligmonitor.pipeline.importer import import_file
from boligmonitor.store import Store, create_engine_for
from boligmonitor.web.app import create_app

RU05_PAGES = (
    "/indikator/RU05",
    "/region/0301/indikator/RU05",
    "/region/0301/indikator/RU05.csv",
    "/region/0301/indikator/RU05.xlsx",
    "/indikator/RU05.csv",
)


@pytest.fixture
def database(built_database: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(built_database, copy)
    return copy


def imported(database: Path, path: Path) -> None:
    store = Store(create_engine_for(f"sqlite:///{database}"))
    try:
        import_file(path, store)
    finally:
        store.close()


def test_a_huge_value_cannot_break_the_pages(database: Path, tmp_path: Path) -> None:
    # Before: the import was accepted and these pages answered 500 (OverflowError drawing the chart) for good.
    huge = tmp_path / "synthetic_huge.csv"
    huge.write_text(f"indicator,region,year,value\nRU05,0301,2023,{int(1.797e308)}\n", encoding="utf-8")
    with pytest.raises(InputError, match="above 5"):
        imported(database, huge)
    # The highest possible score is accepted and drawn.
    top = tmp_path / "synthetic_top.csv"
    top.write_text("indicator,region,year,value\nRU05,0301,2022,1\nRU05,0301,2023,5\n", encoding="utf-8")
    imported(database, top)
    with TestClient(create_app(f"sqlite:///{database}")) as client:
        for page in RU05_PAGES:
            assert client.get(page).status_code == 200, page


def test_an_outlier_is_kept_and_shown_with_the_rows_note_and_source(database: Path, tmp_path: Path) -> None:
    rows = [f"KB01,0301,{year},{100 + year % 5},," for year in range(2015, 2023)]
    rows.append("KB01,0301,2023,10000,Synthetic: ny telling fra 2023,Synthetic register tabell 4")
    path = tmp_path / "synthetic_outlier.csv"
    path.write_text("indicator,region,year,value,note,source\n" + "\n".join(rows) + "\n", encoding="utf-8")
    imported(database, path)
    store = Store(create_engine_for(f"sqlite:///{database}"))
    [latest] = store.observations(indicator_id="KB01", region_code="0301", year=2023)
    store.close()
    assert latest.value == 10_000 and Flag.OUTLIER in latest.flags

    with TestClient(create_app(f"sqlite:///{database}")) as client:
        page = client.get("/region/0301/tema/kommunale_boliger").text
    assert "Uvanlig verdi" in page
    assert "Merknad: Synthetic: ny telling fra 2023" in page
    assert "Synthetic register tabell 4" in page
