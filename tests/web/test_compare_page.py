"""The comparison page (/sammenlign): up to ten municipalities and Norway side by side for one theme, chosen
with a GET form; clear messages for what cannot be read; downloads that match the table."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

LANGUAGES = ("nb", "nn", "en")
TEN = ("0301", "4601", "5001", "1103", "4204", "3907", "1804", "5501", "3301", "1506")
THEME = "eldre_og_bolig"
TABLE_ROW = re.compile(r'<tr data-indicator="(\w+)">(.*?)</tr>', re.S)
VALUE_CELL = re.compile(r'<td class="[^"]*" data-region="(\d+)" data-category="(\w+)">(.*?)</td>', re.S)


def text_of(html: str) -> str:
    """Visible text with runs of ASCII white space made one space (no-break spaces in numbers are kept)."""
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def compare_url(codes: tuple[str, ...] | list[str], suffix: str = "", **params: str) -> str:
    query = "&".join([*(f"kommune={code}" for code in codes), *(f"{k}={v}" for k, v in params.items())])
    return f"/sammenlign{suffix}?{query}"


def get_page(client: TestClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.text[-2000:]
    return str(response.text)


def table(html: str) -> dict[str, dict[str, tuple[str, str]]]:
    """indicator -> region -> (category, visible cell text without the screen-reader words)."""
    result: dict[str, dict[str, tuple[str, str]]] = {}
    for indicator, body in TABLE_ROW.findall(html):
        cells = {}
        for region, category, cell in VALUE_CELL.findall(body):
            visible = re.sub(r'<span class="ds-sr-only">.*?</span>', "", cell, flags=re.S)
            cells[region] = (category, text_of(visible))
        result[indicator] = cells
    return result


@pytest.mark.parametrize("language", LANGUAGES)
def test_two_municipalities_in_every_language(web_client: TestClient, language: str) -> None:
    html = get_page(web_client, compare_url(["0301", "4601"], tema=THEME, lang=language))
    assert f'<html lang="{language}"' in html
    assert html.count("<h1") == 1
    visible = text_of(html)
    assert "compare." not in visible and "overview." not in visible and "{" not in visible
    rows = table(html)
    assert rows, "eldre_og_bolig has indicators with data"
    for cells in rows.values():
        assert list(cells) == ["0301", "4601", "0"]  # the chosen order, then Norway


def test_ten_municipalities(web_client: TestClient) -> None:
    html = get_page(web_client, compare_url(TEN, tema="befolkning_boligmarked"))
    rows = table(html)
    assert rows
    for cells in rows.values():
        assert list(cells) == [*TEN, "0"]
    assert 'id="compare-add"' not in html  # the list is full: no add field, a sentence saying so
    assert "Fjern en for å legge til en annen" in text_of(html)
    # One bar chart per indicator with values, each in a figure with a one-line summary.
    figures = re.findall(r"<figure[^>]*>(.*?)</figure>", html, re.S)
    assert figures
    for figure in figures:
        assert "<figcaption" in figure and "bm-chart-bars" in figure


def test_eleven_municipalities_is_a_bad_request(web_client: TestClient) -> None:
    response = web_client.get(compare_url([*TEN, "5401"], tema=THEME))
    assert response.status_code == 400
    message = text_of(response.text)
    assert "kommune=" in message and "høyst 10 kommuner" in message and "11" in message


def test_unknown_code_is_named_and_the_rest_is_shown(web_client: TestClient) -> None:
    html = get_page(web_client, compare_url(["0301", "9999"], tema=THEME))
    assert "Fant ingen kommune som heter eller har nummer «9999»" in text_of(html)
    rows = table(html)
    assert all(list(cells) == ["0301", "0"] for cells in rows.values())
    assert 'name="kommune" value="9999"' not in html  # the form keeps only what was understood


def test_names_and_counties_are_resolved_or_explained(web_client: TestClient) -> None:
    html = get_page(web_client, compare_url(["Bergen", "Vestland", "0301 Oslo"], tema=THEME))
    rows = table(html)
    assert all(list(cells) == ["4601", "0301", "0"] for cells in rows.values())
    assert "«Vestland» er et fylke, ikke en kommune" in text_of(html)


def test_an_ambiguous_name_offers_the_municipalities_it_may_mean(web_client: TestClient) -> None:
    html = get_page(web_client, compare_url(["0301", "Nord"], tema=THEME))
    message = re.search(r"«Nord» passer til (\d+) kommuner", text_of(html))
    assert message is not None and int(message[1]) > 1
    choices = re.findall(
        r'<a class="ds-link" href="(/sammenlign\?kommune=0301&amp;kommune=(\d{4})&amp;tema=\w+)">', html
    )
    assert choices
    url, code = choices[0]  # following a choice compares the chosen municipality
    assert list(table(get_page(web_client, unescape(url)))["EL10"]) == ["0301", code, "0"]


def test_empty_selection_explains_how_to_choose(web_client: TestClient) -> None:
    html = get_page(web_client, "/sammenlign")
    assert '<form class="bm-compare-form" action="/sammenlign" method="get"' in html
    assert '<label class="ds-label" for="compare-add">' in html and 'id="compare-add" name="kommune"' in html
    assert '<label class="ds-label" for="compare-theme">' in html
    assert "Slik sammenligner du" in html
    assert "<table" not in html
    assert web_client.get("/sammenlign.csv").status_code == 404  # nothing shown, nothing to download


def test_remove_links_and_form_keep_the_state(web_client: TestClient) -> None:
    html = get_page(web_client, compare_url(["0301", "4601"], tema=THEME, visning="antall", sammenlign="fylket"))
    links = re.findall(r'<a class="ds-link" href="([^"]+)">Fjern<span class="ds-sr-only"> ([^<]+)</span>', html)
    assert [name for _, name in links] == ["Oslo - Oslove", "Bergen"]
    assert unescape(links[0][0]) == f"/sammenlign?kommune=4601&tema={THEME}&visning=antall&sammenlign=fylket"
    assert '<input type="hidden" name="kommune" value="0301">' in html
    assert '<input type="hidden" name="visning" value="antall">' in html
    assert '<input type="hidden" name="sammenlign" value="fylket">' in html
    assert f'<option value="{THEME}" selected>' in html


def test_bad_theme_is_a_bad_request(web_client: TestClient) -> None:
    response = web_client.get(compare_url(["0301"], tema="finnes_ikke"))
    assert response.status_code == 400
    assert "tema=" in text_of(response.text)


def test_missing_values_say_why_and_are_never_zero(web_client: TestClient) -> None:
    html = get_page(web_client, compare_url(["0301", "4601"], tema=THEME))
    missing = [cell for cells in table(html).values() for cell in cells.values() if cell[0] == "no_value"]
    assert missing, "Bergen has no value for EL13 in the real data"
    for _, text in missing:
        assert text.startswith("– ") and len(text) > 2  # a dash and the reason
        assert not re.match(r"0\b", text)


def test_downloads_match_the_table(web_client: TestClient) -> None:
    codes = ["0301", "4601", "5001"]
    rows = table(get_page(web_client, compare_url(codes, tema=THEME)))
    document = json.loads(get_page(web_client, compare_url(codes, ".json", tema=THEME)))
    records = {(record["indicator"], record["region"]): record for record in document["rows"]}
    assert set(records) == {(indicator, region) for indicator, cells in rows.items() for region in cells}
    years = {record["indicator"]: record["year"] for record in records.values()}
    for (indicator, region), record in records.items():
        assert record["year"] == years[indicator]  # one year per table row
        _, text = rows[indicator][region]
        if record["value"] is None:
            assert text.startswith("–") and record["display"] is None
        else:
            assert text.startswith(record["display"])
    response = web_client.get(compare_url(codes, ".csv", tema=THEME))
    assert response.status_code == 200
    csv_rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(csv_rows) == len(records)
    for row in csv_rows:
        value = records[(row["indicator"], row["region"])]["value"]
        assert row["value"] == ("" if value is None else repr(value))
    xlsx = web_client.get(compare_url(codes, ".xlsx", tema=THEME))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert json.loads(get_page(web_client, compare_url(codes, ".jsonstat", tema=THEME)))["id"] == [
        "indicator",
        "region",
        "year",
    ]


def test_display_toggle_changes_the_cells(web_client: TestClient) -> None:
    url = compare_url(["0301", "4601"], tema=THEME)
    shares = table(get_page(web_client, url))
    ratios_html = get_page(web_client, url + "&visning=forholdstall")
    ratios = table(ratios_html)
    assert "vist som: Forholdstall (landet = 100)" in ratios_html
    share, ratio = shares["EL10"]["0301"][1], ratios["EL10"]["0301"][1]
    assert "%" in share and "%" not in ratio.split(" ")[0]
    assert ratios["EL10"]["0"][1].startswith("– ")  # Norway is the comparison itself


def test_no_inline_style_or_script(web_client: TestClient) -> None:
    for url in ("/sammenlign", compare_url(TEN, tema=THEME, visning="antall"), compare_url(["0301", "x"])):
        html = get_page(web_client, url)
        assert "style=" not in html
        assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
