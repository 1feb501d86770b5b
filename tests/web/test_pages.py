"""The front, theme, picker and about pages, error pages, downloads and security headers, over the real
database built from ../shared/data."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from boligmonitor.web.app import CONTENT_SECURITY_POLICY

THEME_PAGE = "/region/0301/tema/eldre_og_bolig"


def _html(client: TestClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return str(response.text)


def _no_inline_code(html: str) -> None:
    assert not re.search(r"\sstyle=", html), "inline style attributes are blocked by the CSP"
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline scripts are blocked by the CSP"
    assert not re.search(r"\son[a-z]+=", html), "inline event handlers are blocked by the CSP"


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_front_page_in_every_language(web_client: TestClient, language: str) -> None:
    html = _html(web_client, f"/?lang={language}")
    assert f'<html lang="{language}"' in html
    assert "<h1" in html
    _no_inline_code(html)
    assert 'href="/static/vendor/designsystemet.css?v=' in html  # fingerprinted (web/static_assets.py)


def test_front_page_shows_freshness_of_every_source(web_client: TestClient) -> None:
    html = _html(web_client, "/")
    rows = json.loads(web_client.get("/index.json").content)["rows"]
    assert len(rows) >= 10
    for row in rows:
        assert row["title"] in html.replace("&#39;", "'").replace("&amp;", "&")


def test_security_headers(web_client: TestClient) -> None:
    response = web_client.get("/")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"


def test_theme_page_shows_every_indicator_of_the_theme(web_client: TestClient) -> None:
    html = _html(web_client, THEME_PAGE)
    _no_inline_code(html)
    rows = json.loads(web_client.get(THEME_PAGE + ".json").content)["rows"]
    theme_indicators = {row["indicator"] for row in rows}
    assert len(theme_indicators) == len(rows) >= 10
    # a card for each indicator with a value; the others in the compact list of why (issue 12)
    with_value = {row["indicator"] for row in rows if row["value"] is not None}
    for indicator in theme_indicators:
        shown = f'id="card-{indicator}-name"' if indicator in with_value else f'<li data-indicator="{indicator}">'
        assert shown in html
    # every card has its "?" with the indicator named for screen readers
    assert html.count('class="ds-details bm-about"') == len(with_value)


def test_share_80_plus_with_norway_beside_it(web_client: TestClient) -> None:
    """The issue's three-click task: a municipality, the theme, the card with the share and Norway's share."""
    response = web_client.get("/velg?q=Bergen", follow_redirects=False)
    assert response.status_code == 303
    overview = response.headers["location"]
    assert overview == "/region/4601"
    html = _html(web_client, "/region/4601/tema/befolkning_boligmarked")
    card = html.split('id="card-BEF03-name"', 1)[1].split("</article>", 1)[0]
    value = re.search(r'class="bm-card__value">([^<]+)<', card)
    assert value is not None and value.group(1).endswith("%")
    assert "landet: " in card


def test_missing_values_say_why_and_are_never_zero(web_client: TestClient) -> None:
    rows = json.loads(web_client.get(THEME_PAGE + ".json").content)["rows"]
    missing = [row for row in rows if row["value"] is None]
    assert missing, "the theme has indicators without data"
    assert all(row["status"] != "" for row in missing)
    html = _html(web_client, THEME_PAGE)
    absent = html.split('id="absent-heading"', 1)[1]
    for row in missing:  # listed under why, with no card and no value (issue 12)
        assert f'<li data-indicator="{row["indicator"]}">' in absent
        assert f'id="card-{row["indicator"]}-name"' not in html


def test_display_toggle_changes_the_headline(web_client: TestClient) -> None:
    share = _html(web_client, "/region/4601/tema/befolkning_boligmarked")
    count = _html(web_client, "/region/4601/tema/befolkning_boligmarked?visning=antall")
    ratio = _html(web_client, "/region/4601/tema/befolkning_boligmarked?visning=forholdstall")

    def headline(html: str) -> str:
        card = html.split('id="card-BEF03-name"', 1)[1]
        found = re.search(r'class="bm-card__value">([^<]+)<', card)
        assert found is not None
        return found.group(1)

    assert headline(share).endswith("%")
    assert headline(count).replace("\u00a0", "").isdigit()
    assert headline(ratio).isdigit()
    assert 'aria-current="true"' in count


def test_a_count_has_no_forholdstall_and_its_card_shows_the_count(web_client: TestClient) -> None:
    # Oslo's count of households with housing allowance over Norway's count would be no comparison.
    def headline(url: str) -> tuple[str, str]:
        card = _html(web_client, url).split('id="card-HB05-name"', 1)[1]
        found = re.search(r'class="bm-card__value">([^<]+)<.*?bm-card__label" data-size="sm">([^<·]+)', card, re.S)
        assert found is not None
        return found.group(1), found.group(2).strip()

    as_value = headline("/region/0301/tema/husbankens_virkemidler")
    as_ratio = headline("/region/0301/tema/husbankens_virkemidler?visning=forholdstall")
    assert as_ratio == as_value
    assert as_value[0].replace("\u00a0", "").isdigit() and int(as_value[0].replace("\u00a0", "")) > 1_000


def test_benchmark_toggle_on_a_municipality_only(web_client: TestClient) -> None:
    municipality = _html(web_client, "/region/4601/tema/befolkning_boligmarked?sammenlign=kostragruppen")
    assert "KOSTRA" in municipality
    county = _html(web_client, "/region/46/tema/befolkning_boligmarked?sammenlign=kostragruppen")
    assert 'id="toggle-benchmark-label"' not in county


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/region/9999/tema/eldre_og_bolig", 404),
        ("/region/abc", 404),
        ("/region/0301/tema/no_such_theme", 404),
        ("/region/0301/tema/eldre_og_bolig.exe", 404),
        ("/no/such/page", 404),
        ("/region/0301/tema/%3Cscript%3Ealert(1)%3C%2Fscript%3E", 404),
    ],
)
def test_unknown_pages_are_404_pages_never_500(web_client: TestClient, url: str, status: int) -> None:
    html = _html(web_client, url, status)
    assert "<h1" in html
    assert "<script>alert" not in html  # what the visitor typed is escaped


def test_error_page_in_the_visitors_language(web_client: TestClient) -> None:
    html = _html(web_client, "/region/9999?lang=en", 404)
    assert "No municipality or county" in html


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ("0301", "/region/0301"),
        ("301", "/region/0301"),
        ("oslo", "/region/0301"),
        ("4601 Bergen", "/region/4601"),
        ("Hele landet", "/region/0"),
        ("Vestland", "/region/46"),
    ],
)
def test_picker_resolves_names_and_numbers(web_client: TestClient, query: str, location: str) -> None:
    response = web_client.get("/velg", params={"q": query}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == location


def test_picker_keeps_the_theme_and_refuses_other_targets(web_client: TestClient) -> None:
    kept = web_client.get("/velg", params={"q": "0301", "til": "tema/eldre_og_bolig"}, follow_redirects=False)
    assert kept.headers["location"] == "/region/0301/tema/eldre_og_bolig"
    refused = web_client.get("/velg", params={"q": "0301", "til": "//evil.example/x"}, follow_redirects=False)
    assert refused.headers["location"] == "/region/0301"


def test_picker_lists_several_matches_and_says_when_none(web_client: TestClient) -> None:
    several = _html(web_client, "/velg?q=sø")
    assert several.count('class="ds-link" href="/region/') >= 2
    none = _html(web_client, "/velg?q=Atlantis")
    assert "Atlantis" in none and "Fant ingen" in none


def test_downloads_hold_what_the_page_shows(web_client: TestClient) -> None:
    document = json.loads(web_client.get(THEME_PAGE + ".json").content)
    rows = document["rows"]
    text = web_client.get(THEME_PAGE + ".csv").content.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert [row["indicator"] for row in table] == [row["indicator"] for row in rows]
    for json_row, csv_row in zip(rows, table, strict=True):
        assert csv_row["value"] == ("" if json_row["value"] is None else repr(json_row["value"]))
    workbook = load_workbook(io.BytesIO(web_client.get(THEME_PAGE + ".xlsx").content), read_only=True)
    sheet_rows = list(workbook["data"].iter_rows(values_only=True))
    assert len(sheet_rows) == len(rows) + 1
    stat = json.loads(web_client.get(THEME_PAGE + ".jsonstat").content)
    assert stat["class"] == "dataset" and stat["version"] == "2.0"
    values = [value for value in stat["value"] if value is not None]
    assert sorted(values) == sorted(row["value"] for row in rows if row["value"] is not None)


def test_download_links_and_permalink_on_the_page(web_client: TestClient) -> None:
    html = _html(web_client, THEME_PAGE + "?visning=antall&lang=nn")
    assert 'href="/region/0301/tema/eldre_og_bolig.csv?visning=antall&amp;lang=nn"' in html or (
        'href="/region/0301/tema/eldre_og_bolig.csv?lang=nn&amp;visning=antall"' in html
    )
    assert 'rel="alternate" hreflang="en"' in html


def test_about_page_has_the_accessibility_statement(web_client: TestClient) -> None:
    html = _html(web_client, "/om")
    assert 'id="tilgjengelighet"' in html
    assert "WCAG 2.1" in html


def test_revisit_is_answered_304_until_the_data_change(web_client: TestClient) -> None:
    first = web_client.get(THEME_PAGE)
    tag = first.headers["etag"]
    again = web_client.get(THEME_PAGE, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    other_view = web_client.get(THEME_PAGE + "?visning=antall", headers={"If-None-Match": tag})
    assert other_view.status_code == 200


def test_similar_municipalities_for_years_without_characteristics(web_client: TestClient) -> None:
    """Centrality exists from 2024 only: earlier years cannot find peers, and the page says so instead of
    failing."""
    html = _html(web_client, "/region/1103/tema/flyktninger?sammenlign=lignende")
    assert "ingen verdi å sammenligne med" in html.lower()


def test_every_sparkline_has_its_numbers_in_a_table(web_client: TestClient) -> None:
    html = _html(web_client, "/region/4601/tema/befolkning_boligmarked")
    cards = html.split('<article class="ds-card bm-card')[1:]
    with_chart = [card for card in cards if 'class="bm-card__spark"' in card]
    assert len(with_chart) >= 5
    for card in with_chart:
        table = re.search(r'<table class="ds-table bm-spark-table".*?</table>', card, re.S)
        assert table is not None, "a sparkline without its table"
        years = re.findall(r'<th scope="row">(\d{4})</th><td class="bm-number">([^<]+)</td>', table.group(0))
        assert len(years) >= 2 and [int(y) for y, _ in years] == sorted(int(y) for y, _ in years)
    # The numbers are the series page's: Bergen's population in 2026 as written on the card.
    population = next(card for card in with_chart if 'id="card-BEF01-name"' in card)
    headline = re.search(r'class="bm-card__value">([^<]+)<', population)
    assert headline is not None
    assert f'<th scope="row">2026</th><td class="bm-number">{headline.group(1)}</td>' in population
