"""The region overview (/region/{code}): key facts, one spine chart per theme with its summary and table, the
display and benchmark toggles, downloads that match the table, and missing values that say why."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from boligmonitor.web.i18n import format_number

LANGUAGES = ("nb", "nn", "en")
SHARE_AND_RATE_UNITS = ("percent", "per_1000", "per_10000")  # units with a numerator to count
SUMMARY_WORDS_NB = {
    "better": "bedre",
    "worse": "dårligere",
    "similar": "uten sikker forskjell",
    "higher": "høyere",
    "lower": "lavere",
    "not_compared": "ikke sammenlignet",
    "no_value": "uten verdi",
}
THEME_SECTION = re.compile(r'<section class="bm-section bm-overview-theme"(.*?)</section>', re.S)
TABLE_ROW = re.compile(r'<tr data-indicator="(\w+)" data-category="(\w+)" data-chart="(yes|no)">(.*?)</tr>', re.S)
CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)


def text_of(html: str) -> str:
    """Visible text with runs of ASCII white space made one space (no-break spaces in numbers are kept)."""
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def table_rows(html: str) -> list[dict[str, str]]:
    """Every overview table row: indicator, category, whether charted, and each cell's text."""
    rows = []
    for indicator, category, charted, body in TABLE_ROW.findall(html):
        cells = [text_of(cell) for cell in CELL.findall(body)]
        rows.append({"indicator": indicator, "category": category, "chart": charted, "cells": cells, "html": body})
    return rows


def get_page(client: TestClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.text[-2000:]
    return str(response.text)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", ["0", "46", "4601"])
def test_overview_renders_in_every_language(web_client: TestClient, code: str, language: str) -> None:
    html = get_page(web_client, f"/region/{code}?lang={language}")
    assert f'<html lang="{language}"' in html
    assert html.count("<h1") == 1
    visible = text_of(html)
    assert "overview." not in visible and "compare." not in visible  # no key shown in place of a text
    assert "{" not in visible  # no unfilled placeholder
    assert "<figure" in html and "bm-chart-spine" in html  # every region has at least one barometer


def test_municipality_shows_name_kind_and_key_facts(web_client: TestClient) -> None:
    html = get_page(web_client, "/region/4601")
    assert re.search(r"<h1[^>]*>Bergen <span[^>]*>Kommune 4601 i Vestland</span></h1>", html)
    facts = dict(re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", html))
    population_label = next(label for label in facts if label.startswith("Folketall 1. januar"))
    assert re.fullmatch(r"\d{1,3}(\u00a0\d{3})*", facts[population_label])  # a count, never "0"
    assert "/region/46" in facts["Fylke"] and "Vestland" in facts["Fylke"]
    assert facts["KOSTRA-gruppe"].startswith("Gruppe ")
    assert facts["Sentralitet"].startswith("Klasse ")
    assert 'href="/sammenlign?kommune=4601"' in html
    # Links to every theme page of the region.
    assert len(re.findall(r'href="/region/4601/tema/\w+"', html)) >= 10


def test_county_and_norway_count_their_municipalities(web_client: TestClient) -> None:
    county = text_of(get_page(web_client, "/region/46"))
    norway = text_of(get_page(web_client, "/region/0"))
    assert "Antall kommuner" in county and "Antall kommuner" in norway
    assert "KOSTRA-gruppe" not in county


def test_spine_summary_counts_match_the_table(web_client: TestClient) -> None:
    html = get_page(web_client, "/region/4601")
    checked = 0
    for section in THEME_SECTION.findall(html):
        rows = table_rows(section)
        if not rows:
            continue
        found_summary = re.search(r'class="[^"]*bm-overview-summary[^"]*"[^>]*>(.*?)</(?:figcaption|p)>', section, re.S)
        assert found_summary is not None
        summary = text_of(found_summary[1])
        found_total = re.match(r"(\d+) indikator", summary)
        assert found_total is not None, summary
        total = int(found_total[1])
        assert total == len(rows)
        for category, word in SUMMARY_WORDS_NB.items():
            expected = sum(1 for row in rows if row["category"] == category)
            found = re.search(rf"(\d+) {word}\b", summary)
            assert (int(found[1]) if found else 0) == expected, (category, summary)
        # Each chart row is one spine row, in the same order as the table.
        charted = [row["indicator"] for row in rows if row["chart"] == "yes"]
        spine = re.search(r"<svg[^>]*bm-chart-spine.*?</svg>", section, re.S)
        assert (spine is not None) == any(row["category"] != "no_value" for row in rows if row["chart"] == "yes")
        if spine:
            assert spine[0].count('<g class="bm-row">') == len(charted)
        checked += 1
    assert checked >= 3


def test_norway_is_not_compared_and_shows_the_spread(web_client: TestClient) -> None:
    html = get_page(web_client, "/region/0")
    assert "Sammenligning</th>" not in html
    assert "Sammenlign med" not in text_of(html)  # no benchmark toggle for Norway
    assert "med tall for hele landet" in text_of(html)
    charted = [row for row in table_rows(html) if row["chart"] == "yes"]
    assert charted
    for row in charted:  # columns: indicator, year, value, middle half, lowest–highest, note
        assert len(row["cells"]) == 6
        assert row["cells"][2] != "–"
        assert " – " in row["cells"][3] and " – " in row["cells"][4]


def test_missing_values_say_why_and_are_never_zero(web_client: TestClient) -> None:
    html = get_page(web_client, "/region/4601")
    missing = [row for row in table_rows(html) if row["category"] == "no_value"]
    assert missing, "the real data has indicators without a value for Bergen"
    for row in missing:
        value = row["cells"][2]
        assert value == "–"
        assert row["cells"][-1], f"{row['indicator']}: a missing value must say why"
    # Indicators without any data are listed as not loaded, in a collapsed <details>, and not in the tables.
    assert "er ikke lastet inn ennå</summary>" in html.replace('<span class="ds-sr-only">', "</summary>")
    assert 'href="/indikator/BU01"' in html
    assert "BU01" not in {row["indicator"] for row in table_rows(html)}


def test_downloads_match_the_table(web_client: TestClient) -> None:
    html = get_page(web_client, "/region/4601")
    rows = {row["indicator"]: row for row in table_rows(html)}
    document = json.loads(get_page(web_client, "/region/4601.json"))
    records = {record["indicator"]: record for record in document["rows"]}
    assert records.keys() == rows.keys()
    for indicator, record in records.items():
        assert record["region"] == "4601"
        assert rows[indicator]["cells"][1].split()[0] == str(record["year"])  # then "eldre tall (2014)" if old
        if record["value"] is None:
            assert rows[indicator]["cells"][2] == "–"
            assert record["missing_reason"]
            assert record["display"] is None
        else:
            assert rows[indicator]["cells"][2].startswith(record["display"])
    response = web_client.get("/region/4601.csv")
    assert response.status_code == 200
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["indicator"] for row in table} == rows.keys()
    for row in table:
        value = records[row["indicator"]]["value"]
        assert row["value"] == ("" if value is None else repr(value))  # missing is empty, never 0
    jsonstat = json.loads(get_page(web_client, "/region/4601.jsonstat"))
    assert jsonstat["id"] == ["indicator", "region", "year"]
    assert web_client.get("/region/4601.xlsx").status_code == 200


def test_count_display_shows_counts(web_client: TestClient) -> None:
    html = get_page(web_client, "/region/4601?visning=antall")
    document = json.loads(get_page(web_client, "/region/4601.json?visning=antall"))
    assert "Antall</th>" in html
    counted = [
        record
        for record in document["rows"]
        if record["value"] is not None and record["numerator"] is not None and record["unit"] in SHARE_AND_RATE_UNITS
    ]
    assert counted
    rows = {row["indicator"]: row for row in table_rows(html)}
    for record in counted:
        assert rows[record["indicator"]]["cells"][2].startswith(format_number(record["numerator"], 0))


def test_ratio_display_is_relative_to_the_benchmark(web_client: TestClient) -> None:
    html = get_page(web_client, "/region/4601?visning=forholdstall")
    assert "Forholdstall (landet = 100)</th>" in html
    norway = get_page(web_client, "/region/0?visning=forholdstall")
    rows = [row for row in table_rows(norway) if row["category"] != "no_value"]
    for row in rows:
        assert row["cells"][2] == "–"  # no forholdstall for Norway, and the note says why
    notes = [row["cells"][-1] for row in rows]
    assert any("sammenligningsgrunnlaget" in note for note in notes)  # shares and rates: Norway is the comparison
    assert any("Forholdstall brukes ikke for antall" in note for note in notes)  # counts have no forholdstall


def test_benchmark_toggle_changes_the_comparison(web_client: TestClient) -> None:
    html = get_page(web_client, "/region/4601?sammenlign=kostragruppen")
    assert "KOSTRA-gruppen</th>" in html
    assert "sammenlignet med KOSTRA-gruppen" in text_of(html)
    assert 'aria-current="true">KOSTRA-gruppen</a>' in html


def test_no_inline_style_or_script(web_client: TestClient) -> None:
    for url in ("/region/0", "/region/46", "/region/4601?visning=antall&sammenlign=fylket"):
        html = get_page(web_client, url)
        assert "style=" not in html
        assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))


def test_unknown_region_is_a_404_page(web_client: TestClient) -> None:
    response = web_client.get("/region/9999")
    assert response.status_code == 404
    assert "9999" in response.text
