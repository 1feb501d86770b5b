"""The download links work in the browser and the files hold what the page shows.

CSV and XLSX are saved as downloads (the links carry `download`); JSON-stat opens in the browser as a page of
JSON. Each CSV row's value, written out again the way the monitor writes numbers (`format_number` with the
indicator's decimals from the catalogue, then the unit), must be the text the page shows for that indicator,
region and year; the XLSX and JSON-stat files must hold the same numbers as the CSV.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Download, Page

from boligmonitor.catalog.loader import load_catalog
from boligmonitor.catalog.models import Catalog
from boligmonitor.sources.readers.jsonstat import read_jsonstat
from boligmonitor.web.i18n import Translator, format_number
from tests.browser.conftest import DEFAULT_TIMEOUT_MS

THEME = "/region/4601/tema/befolkning_boligmarked"
MISSING_TEXT = "–"  # what every page shows for a missing value (the reason is written beside it)


@dataclass(frozen=True)
class DownloadPage:
    """A page with downloads and how to read the values it shows: `shown` is a script returning
    {key: text}, where the key is the CSV row's `key_columns` joined with "|"."""

    name: str
    path: str
    key_columns: tuple[str, ...]
    shown: str


CARD_VALUES = """() => Object.fromEntries(Array.from(document.querySelectorAll("article.bm-card"), card => [
  card.getAttribute("aria-labelledby").replace(/^card-/, "").replace(/-name$/, ""),
  card.querySelector(".bm-card__value").textContent.trim(),
]))"""

OVERVIEW_VALUES = """() => Object.fromEntries(Array.from(document.querySelectorAll("tr[data-indicator]"), row => [
  row.dataset.indicator,
  row.querySelector(".bm-overview-value").firstChild.textContent.trim(),
]))"""

INDICATOR_TABLE_VALUES = """() => Object.fromEntries(Array.from(document.querySelectorAll("tr[data-code]"), row => [
  row.dataset.code,
  row.querySelectorAll("td")[1].textContent.trim(),
]))"""

COMPARE_VALUES = """() => Object.fromEntries(Array.from(document.querySelectorAll("tr[data-indicator] td[data-region]"),
  cell => [
    cell.closest("tr").dataset.indicator + "|" + cell.dataset.region,
    (cell.querySelector(".bm-compare-value") || cell.querySelector("[aria-hidden=true]")).textContent.trim(),
  ]))"""

# The time-series page's data table: one row per year (the year in the row header), one column per line (the
# region, Hele landet, the county, the KOSTRA group …). Returns the column headers and, per year, the cell texts.
SERIES_TABLE = """() => {
  const table = document.querySelector("table.ds-table");
  const text = cell => cell.textContent.replace(/[ \\t\\r\\n]+/g, " ").trim();  // keeps no-break spaces
  return {
    headers: Array.from(table.querySelectorAll("thead th"), text),
    rows: Object.fromEntries(Array.from(table.querySelectorAll("tbody tr"), row => {
      const cells = Array.from(row.querySelectorAll("th, td"), text);
      return [cells[0], cells];
    })),
  };
}"""

DOWNLOAD_PAGES = (
    DownloadPage("theme", THEME, ("indicator",), CARD_VALUES),
    DownloadPage("overview", "/region/4601", ("indicator",), OVERVIEW_VALUES),
    DownloadPage("indicator", "/indikator/BEF03?fylke=46", ("region",), INDICATOR_TABLE_VALUES),
    DownloadPage("compare", "/sammenlign?kommune=0301&kommune=4601", ("indicator", "region"), COMPARE_VALUES),
)


@pytest.fixture(scope="module")
def downloads_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="nb-NO", accept_downloads=True)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def open_page(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, f"{url} answered HTTP {response.status}"


def click_download(page: Page, link_name: str) -> Download:
    with page.expect_download() as download_info:
        page.locator(".bm-downloads").get_by_role("link", name=link_name, exact=True).click()
    download = download_info.value
    assert download.failure() is None
    return download


def read_csv(download: Download) -> list[dict[str, str]]:
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    text = Path(download.path()).read_bytes().decode("utf-8")
    assert text.startswith("\ufeff"), "the CSV starts with a byte-order mark, so Excel reads æøå right"
    rows = list(csv.DictReader(io.StringIO(text[1:], newline="")))
    assert rows, "the CSV has no rows"
    return rows


def csv_number(text: str) -> float | None:
    return float(text) if text else None


def shown_text(row: dict[str, str], catalog: Catalog) -> str:
    """The CSV value written as the pages write it: "4,7 %", "294 860", "–" when missing."""
    value = csv_number(row["value"])
    if value is None:
        return MISSING_TEXT
    indicator = catalog.indicator(row["indicator"])
    number = format_number(value, indicator.decimals, "nb")
    return Translator("nb")(f"unit.{row['unit']}.value", number=number)


def key_of(row: dict[str, str], columns: tuple[str, ...]) -> str:
    return "|".join(row[column] for column in columns)


@pytest.mark.parametrize("download_page", DOWNLOAD_PAGES, ids=lambda download_page: download_page.name)
def test_csv_download_holds_the_values_the_page_shows(
    downloads_page: Page, monitor_server: str, catalog: Catalog, download_page: DownloadPage
) -> None:
    page = downloads_page
    open_page(page, f"{monitor_server}{download_page.path}")
    shown: dict[str, str] = page.evaluate(download_page.shown)
    assert shown, f"no values found on {download_page.path}"

    rows = read_csv(click_download(page, "CSV"))

    from_csv: dict[str, str] = {}
    for row in rows:  # an indicator in two themes (80+) is a row in each theme of the overview: the same value
        text = shown_text(row, catalog)
        assert from_csv.setdefault(key_of(row, download_page.key_columns), text) == text, "one value, two texts"
    if "theme" not in rows[0]:
        assert len(from_csv) == len(rows), "two CSV rows for one value on the page"
    # The CSV holds every indicator of the page; those without a value for this place are not cards but
    # items of the page's list of what is missing, and in the CSV they are empty with their status.
    absent = set(page.evaluate("[...document.querySelectorAll('li[data-indicator]')].map(e => e.dataset.indicator)"))
    missing_in_csv = {key for key, text in from_csv.items() if text == MISSING_TEXT and key not in shown}
    assert missing_in_csv <= absent or download_page.name == "overview", sorted(missing_in_csv - absent)
    assert {key: text for key, text in from_csv.items() if key not in missing_in_csv} == shown


def test_series_csv_download_holds_the_values_of_the_page_table(
    downloads_page: Page, monitor_server: str, catalog: Catalog
) -> None:
    page = downloads_page
    open_page(page, f"{monitor_server}/region/4601/indikator/BEF03")
    table: dict[str, Any] = page.evaluate(SERIES_TABLE)
    headers: list[str] = table["headers"]
    shown: dict[str, list[str]] = table["rows"]

    rows = read_csv(click_download(page, "CSV"))

    assert {row["year"] for row in rows} == set(shown)
    for row in rows:
        # The column of the row's line: the region's own name, "Hele landet", the county's name, and
        # "KOSTRA-gruppe 12" for the line "KOSTRA-gruppe 12 uten Bergen".
        columns = [i for i, header in enumerate(headers) if i > 0 and header and row["region_name"].startswith(header)]
        assert columns, f"no column for {row['line']} {row['region_name']!r} among {headers}"
        cell = shown[row["year"]][columns[0]]
        expected = shown_text(row, catalog)
        if expected == MISSING_TEXT:
            assert cell.startswith(MISSING_TEXT), (row["year"], row["region_name"], cell)
        else:
            assert cell == expected, (row["year"], row["region_name"], cell, row["value"])


def test_theme_csv_rows_are_the_cards_region_year_and_benchmark(
    downloads_page: Page, monitor_server: str, catalog: Catalog
) -> None:
    page = downloads_page
    open_page(page, f"{monitor_server}{THEME}")
    rows = read_csv(click_download(page, "CSV"))
    for row in rows:
        assert row["region"] == "4601"
        if not row["value"]:  # no card: an item of the list of what is missing, and a status in the CSV
            assert row["status"], f"{row['indicator']}: a missing value carries a status symbol"
            assert page.locator(f"li[data-indicator='{row['indicator']}']").count() == 1, row["indicator"]
            continue
        card = page.locator(f"article[aria-labelledby='card-{row['indicator']}-name']")
        assert card.locator(".bm-card__name").inner_text() == row["indicator_name"]
        assert card.locator(".bm-card__year").inner_text() == row["year"]
        benchmark_value = csv_number(row["benchmark_value"])
        if benchmark_value is not None and row["benchmark"] == "norway":
            benchmark = shown_text({**row, "value": row["benchmark_value"]}, catalog)
            assert card.locator("dd", has_text="landet:").inner_text() == f"landet: {benchmark}"


def test_xlsx_download_holds_the_csv_rows(downloads_page: Page, monitor_server: str) -> None:
    page = downloads_page
    open_page(page, f"{monitor_server}{THEME}")
    csv_rows = read_csv(click_download(page, "CSV"))
    download = click_download(page, "Excel (XLSX)")
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename

    # openpyxl goes by the file name's suffix, which Playwright's saved copy lacks: hand it the bytes.
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)
    assert workbook.sheetnames == ["data", "om"]
    sheet_rows: list[tuple[Any, ...]] = list(workbook["data"].iter_rows(values_only=True))
    about = {str(row[0]): row[1] for row in workbook["om"].iter_rows(values_only=True)}
    workbook.close()

    header = [str(cell) for cell in sheet_rows[0]]
    assert header == list(csv_rows[0])
    # openpyxl's read-only rows end at their last written cell: an empty last column (a row without a source) is
    # not there at all, so pad each row to the header.
    padded = [row + (None,) * (len(header) - len(row)) for row in sheet_rows[1:]]
    xlsx_rows = [dict(zip(header, row, strict=True)) for row in padded]
    assert len(xlsx_rows) == len(csv_rows)
    for from_xlsx, from_csv in zip(xlsx_rows, csv_rows, strict=True):
        year = "" if from_xlsx["year"] is None else str(from_xlsx["year"])  # a missing year is empty, never 0
        assert (str(from_xlsx["indicator"]), str(from_xlsx["region"]), year) == (
            from_csv["indicator"],
            from_csv["region"],
            from_csv["year"],
        )
        assert same_number(from_xlsx["value"], csv_number(from_csv["value"])), (from_xlsx, from_csv)
        assert same_number(from_xlsx["benchmark_value"], csv_number(from_csv["benchmark_value"]))
    assert about["title"] == page.title().rsplit(" – ", 1)[0]  # the page title less the site name
    assert about["page"] == THEME


def same_number(cell: object, expected: float | None) -> bool:
    if expected is None:
        return cell is None or cell == ""
    return isinstance(cell, int | float) and math.isclose(float(cell), expected, rel_tol=0, abs_tol=1e-9)


def test_jsonstat_link_opens_a_dataset_with_the_csv_values(downloads_page: Page, monitor_server: str) -> None:
    page = downloads_page
    open_page(page, f"{monitor_server}{THEME}")
    csv_rows = read_csv(click_download(page, "CSV"))

    with page.expect_navigation() as navigation:
        page.locator(".bm-downloads").get_by_role("link", name="JSON-stat", exact=True).click()
    response = navigation.value
    assert response is not None
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/json")
    assert page.url == f"{monitor_server}{THEME}.jsonstat"

    # What the browser shows is the document itself, and it parses.
    document = json.loads(page.locator("body").inner_text())
    assert document == response.json()
    assert document["version"] == "2.0"
    assert document["class"] == "dataset"

    cube = read_jsonstat(document)
    assert cube.ids == ("indicator", "region", "year")
    values = {cell.codes: cell.value for cell in cube.cells()}
    without_cell = {row["indicator"] for row in document["extension"].get("boligmonitor_without_cell", [])}
    for row in csv_rows:
        if not row["year"]:  # no year at all: no cell in the cube, named beside it (issue 12, finding 11)
            assert row["indicator"] in without_cell, row
            continue
        key = (row["indicator"], row["region"], row["year"])
        assert key in values, key
        assert values[key] == csv_number(row["value"]), (key, values[key], row["value"])
