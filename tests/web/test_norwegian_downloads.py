"""Issue 12, finding 11: downloads for Norwegian users.

Besides the standard CSV, "CSV for Excel (norsk)" (``?csv=norsk`` on a page's ``.csv``): semicolon, decimal comma,
UTF-8 with a byte-order mark, CRLF, numbers rounded to the indicator's published decimals (full precision
stays in JSON and JSON-stat); a missing year is empty, never 0, in every format; JSON-stat holds only the
cells the page shows. Synthetic rows (named so) only for the edge cases the real data lack.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from boligmonitor.catalog.models import Catalog
from boligmonitor.core.status import Status
from boligmonitor.sources.readers.jsonstat import read_jsonstat
from boligmonitor.web.downloads import Download, to_bytes, to_csv_excel_nb, to_jsonstat

THEME = "/region/4601/tema/befolkning_boligmarked"
PAGES_WITH_DOWNLOADS = [
    "/",
    "/region/4601",
    THEME,
    "/region/4601/indikator/EL10",
    "/indikator/EL10",
    "/sammenlign?kommune=4601&kommune=0301&tema=flyktninger",
    "/rangering?fylke=46",
]


def _catalog(client: TestClient) -> Catalog:
    catalog = client.app.state.monitor.data.catalog  # type: ignore[attr-defined]
    assert isinstance(catalog, Catalog)
    return catalog


def _standard_rows(client: TestClient, url: str) -> list[dict[str, str]]:
    text = client.get(url).content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_norwegian_csv_is_semicolons_decimal_commas_bom_and_crlf(web_client: TestClient) -> None:
    response = web_client.get(f"{THEME}.csv?csv=norsk")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert re.search(r'filename="[^"]*-excel\.csv"', response.headers["content-disposition"])
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    norwegian = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    standard = _standard_rows(web_client, f"{THEME}.csv")
    assert [list(row) for row in norwegian[:1]] == [list(row) for row in standard[:1]]
    assert len(norwegian) == len(standard)
    catalog = _catalog(web_client)
    compared = 0
    for ours, plain in zip(norwegian, standard, strict=True):
        assert ours["indicator"] == plain["indicator"] and ours["year"] == plain["year"]
        if not plain["value"]:
            assert ours["value"] == ""
            continue
        decimals = catalog.indicator(plain["indicator"]).decimals
        expected = f"{float(plain['value']):.{decimals}f}".replace(".", ",")
        assert ours["value"] == expected.removeprefix("-") if float(expected.replace(",", ".")) == 0 else expected
        assert "." not in ours["value"]
        compared += 1
    assert compared > 0


def test_full_precision_stays_in_json_and_jsonstat(web_client: TestClient) -> None:
    rows = web_client.get(f"{THEME}.json").json()["rows"]
    with_values = [row for row in rows if isinstance(row["value"], float)]
    assert with_values
    cube = read_jsonstat(web_client.get(f"{THEME}.jsonstat").json())
    values = {cell.codes: cell.value for cell in cube.cells()}
    for row in with_values:
        assert values[(row["indicator"], row["region"], str(row["year"]))] == row["value"]


@pytest.mark.parametrize("fmt", ["csv", "csv?csv=norsk", "json", "xlsx"])
def test_a_missing_year_is_empty_never_zero(web_client: TestClient, fmt: str) -> None:
    response = web_client.get(f"{THEME}.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        years = [row["year"] for row in response.json()["rows"]]
        assert 0 not in years
        return
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content), read_only=True)["data"]
        table = list(sheet.iter_rows(values_only=True))
        column = list(table[0]).index("year")
        years_xlsx = [row[column] for row in table[1:]]
        assert 0 not in years_xlsx
        return
    delimiter = ";" if "norsk" in fmt else ","
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=delimiter))
    years = [row["year"] for row in rows]
    assert "0" not in years


def test_jsonstat_holds_only_the_cells_the_page_shows(web_client: TestClient) -> None:
    document = web_client.get(f"{THEME}.jsonstat").json()
    assert "0" not in document["dimension"]["year"]["category"]["index"]
    rows = [row for row in _standard_rows(web_client, f"{THEME}.csv") if row["year"]]
    asked = {(row["indicator"], row["region"], row["year"]) for row in rows}
    held = set(document["value"]) | set(document.get("status", {}))
    assert len(held) == len(asked)  # one cell per row of the page, no filler
    cube = read_jsonstat(document)
    listed = {cell.codes for cell in cube.cells() if cell.value is not None or cell.status is not Status.OK}
    for codes in listed:
        assert codes in asked
    # The rows without any year are named beside the cube, not put in it with a made-up year.
    without = document["extension"].get("boligmonitor_without_cell", [])
    assert {row["indicator"] for row in without} == {
        row["indicator"] for row in _standard_rows(web_client, f"{THEME}.csv") if not row["year"]
    }


@pytest.mark.parametrize("page", PAGES_WITH_DOWNLOADS)
def test_every_page_with_downloads_offers_the_norwegian_csv(web_client: TestClient, page: str) -> None:
    html = web_client.get(page).text
    links = re.findall(r'<a class="ds-link" href="([^"]+)" download>CSV for Excel \(norsk\)</a>', html)
    assert len(links) == 1, page
    response = web_client.get(unescape(links[0]))
    assert response.status_code == 200, links[0]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff") and ";" in text.splitlines()[0]


def test_an_unknown_csv_style_is_a_400_naming_it(web_client: TestClient) -> None:
    response = web_client.get(f"{THEME}.csv?csv=dansk")
    assert response.status_code == 400
    assert "csv=dansk" in response.text and "norsk" in response.text


# Synthetic rows for the edge cases: a formula in a text field, negative and unrounded numbers, NaN, None.
SYNTHETIC = Download(
    name="synthetic",
    title="synthetic",
    columns=("indicator", "region", "year", "value", "numerator", "note", "ratio_to_benchmark"),
    rows=[
        {
            "indicator": "X1",
            "region": "4601",
            "year": 2024,
            "value": 20.967202141900938,
            "numerator": 1253.0,
            "note": '=HYPERLINK("http://example.invalid")',
            "ratio_to_benchmark": -0.00001,
        },
        {
            "indicator": "X1",
            "region": "4602",
            "year": 2023,
            "value": -1.25,
            "numerator": float("nan"),
            "note": "-2,5 kr",
            "ratio_to_benchmark": None,
        },
        {"indicator": "X2", "region": "4601", "year": None, "value": None, "numerator": None, "note": "@SUM(A1)"},
    ],
    decimals={"X1": 1},
    csv_style="excel_nb",
)


def test_the_norwegian_csv_rounds_neutralises_and_leaves_missing_empty() -> None:
    text = to_csv_excel_nb(SYNTHETIC).decode("utf-8-sig")
    assert to_bytes(SYNTHETIC, "csv") == to_csv_excel_nb(SYNTHETIC)
    lines = text.split("\r\n")
    assert lines[1] == 'X1;4601;2024;21,0;1253;"\'=HYPERLINK(""http://example.invalid"")";0'
    assert lines[2] == "X1;4602;2023;-1,2;;'-2,5 kr;"
    assert lines[3] == "X2;4601;;;;'@SUM(A1);"


def test_jsonstat_of_a_sparse_table_is_sparse() -> None:
    rows: list[dict[str, object]] = [  # synthetic: two regions, two years, three of the four cells asked for
        {"indicator": "X1", "region": "4601", "year": 2023, "value": 1.5, "status": ""},
        {"indicator": "X1", "region": "4601", "year": 2024, "value": None, "status": ".."},
        {"indicator": "X1", "region": "4602", "year": 2024, "value": 2.5, "status": ""},
        {"indicator": "X2", "region": "4602", "year": None, "value": None, "status": ".."},
    ]
    download = Download("synthetic", "synthetic", ("indicator", "region", "year", "value", "status"), rows)
    document = to_jsonstat(download)
    assert document["size"] == [1, 2, 2]
    assert document["value"] == {"0": 1.5, "3": 2.5}
    assert document["status"] == {"1": ".."}
    assert document["extension"]["boligmonitor_without_cell"] == [{"indicator": "X2", "region": "4602", "status": ".."}]
    cube = read_jsonstat(json.loads(json.dumps(document)))
    assert cube.values == [1.5, None, None, 2.5]
