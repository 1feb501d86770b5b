"""Issue 12: "0000", "0" and "Hele landet" mean Norway everywhere.

SSB writes the whole country as 0000; our canonical code is 0. Every place a visitor or a program names a region
takes Norway in each spelling: the picker (/velg) leads to Norway's page, the region pages answer as for 0, the
comparison page accepts Norway (always its last column, and shown alone when only Norway is asked for), and the
JSON API answers ``region=0000`` exactly as ``region=0``.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient

THEME = "eldre_og_bolig"
SHARE = "BEF03"  # share aged 80+: values for Norway in many years
NORWAY_SPELLINGS = ("0", "0000", "00", "Hele landet", "hele  landet", "Heile landet", "Norge", "Noreg", "Norway", "EAK")
PAGE_CODES = ("0000", "00", "Hele landet")  # other spellings of the path segment /region/0
VALUE_CELL = re.compile(r'<td class="[^"]*" data-region="(\d+)" data-category="(\w+)">', re.S)
PROBLEMS = re.compile(r'<div class="ds-alert bm-compare-problems".*?</div>', re.S)


def _main(html: str) -> str:
    """The page's main content (what the region's page says, not the language links that keep its URL)."""
    found = re.search(r"<main.*?</main>", html, re.S)
    assert found is not None
    return found.group(0)


def _h1(html: str) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert found is not None
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", found.group(1)))).strip()


def _columns(html: str) -> list[list[str]]:
    """Each comparison table row's cell regions, in order."""
    rows = re.findall(r'<tr data-indicator="\w+">(.*?)</tr>', html, re.S)
    return [[region for region, _ in VALUE_CELL.findall(row)] for row in rows]


# ------------------------------------------------------------------------------------------------- picker


@pytest.mark.parametrize("spelling", [*NORWAY_SPELLINGS, "0000 Hele landet", " 0000 "])
def test_the_picker_leads_every_spelling_of_norway_to_norways_page(web_client: TestClient, spelling: str) -> None:
    response = web_client.get("/velg", params={"q": spelling}, follow_redirects=False)
    assert response.status_code == 303, response.text[-500:]
    assert response.headers["location"] == "/region/0"


@pytest.mark.parametrize("spelling", ["0000", "Noreg"])
def test_the_picker_keeps_the_target_and_the_language_for_norway(web_client: TestClient, spelling: str) -> None:
    response = web_client.get(
        "/velg", params={"q": spelling, "til": f"tema/{THEME}", "lang": "nn"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/region/0/tema/{THEME}?lang=nn"
    series = web_client.get("/velg", params={"q": spelling, "til": f"indikator/{SHARE}"}, follow_redirects=False)
    assert series.headers["location"] == f"/region/0/indikator/{SHARE}"


def test_a_number_before_a_name_is_still_the_named_municipality(web_client: TestClient) -> None:
    """Only a Norway code alone or before Norway's name is Norway: "0 Oslo" is Oslo, "0301" is Oslo."""
    for query in ("0 Oslo", "0301", "0301 Oslo"):
        response = web_client.get("/velg", params={"q": query}, follow_redirects=False)
        assert response.headers["location"] == "/region/0301", query


# -------------------------------------------------------------------------------------------- region pages


@pytest.mark.parametrize("code", PAGE_CODES)
def test_region_pages_answer_for_norway_in_every_spelling(web_client: TestClient, code: str) -> None:
    for suffix in ("", f"/tema/{THEME}", f"/indikator/{SHARE}"):
        canonical = web_client.get(f"/region/0{suffix}")
        spelled = web_client.get(f"/region/{code}{suffix}")
        assert canonical.status_code == spelled.status_code == 200, (code, suffix)
        assert _h1(spelled.text) == _h1(canonical.text)
        # The same content; only links that keep the page's own URL (e.g. the language switch) differ.
        assert _main(spelled.text).count("data-indicator") == _main(canonical.text).count("data-indicator")
    assert web_client.get(f"/region/{code}.csv").content == web_client.get("/region/0.csv").content


# ---------------------------------------------------------------------------------------------- comparison


@pytest.mark.parametrize("spelling", ["0", "0000", "Hele landet", "Norge", "Norway"])
def test_the_comparison_accepts_norway_alone_and_shows_it_as_a_column(web_client: TestClient, spelling: str) -> None:
    response = web_client.get("/sammenlign", params={"kommune": spelling, "tema": THEME})
    assert response.status_code == 200
    html = response.text
    assert PROBLEMS.search(html) is None  # nothing was left out
    columns = _columns(html)
    assert columns, "Norway alone is shown"
    assert all(row == ["0"] for row in columns)
    # One table row per indicator with data, as for any comparison.
    with_oslo = _columns(web_client.get("/sammenlign", params={"kommune": "0301", "tema": THEME}).text)
    assert len(columns) == len(with_oslo)


@pytest.mark.parametrize("spelling", ["0", "0000", "Hele landet"])
def test_norway_beside_municipalities_is_accepted_not_a_problem(web_client: TestClient, spelling: str) -> None:
    plain = web_client.get("/sammenlign", params={"kommune": ["0301", "4601"], "tema": THEME}).text
    response = web_client.get("/sammenlign", params={"kommune": ["0301", spelling, "4601"], "tema": THEME})
    assert response.status_code == 200
    assert PROBLEMS.search(response.text) is None
    columns = _columns(response.text)
    assert columns and all(row == ["0301", "4601", "0"] for row in columns)  # Norway once, last
    assert columns == _columns(plain)


def test_norway_asked_for_stays_when_the_form_is_sent_again_or_a_municipality_removed(web_client: TestClient) -> None:
    alone = web_client.get("/sammenlign", params={"kommune": "0000", "tema": THEME}).text
    assert '<input type="hidden" name="kommune" value="0">' in alone  # changing the theme keeps Norway
    beside = web_client.get("/sammenlign", params={"kommune": ["0301", "Hele landet"], "tema": THEME}).text
    remove = re.findall(r'<a class="ds-link" href="([^"]+)">[^<]*<span class="ds-sr-only"> Oslo', beside)
    assert len(remove) == 1
    after = web_client.get(unescape(remove[0]))
    assert after.status_code == 200
    assert all(row == ["0"] for row in _columns(after.text)) and _columns(after.text)
    plain = web_client.get("/sammenlign", params={"kommune": "0301", "tema": THEME}).text
    assert 'name="kommune" value="0"' not in plain


def test_norway_does_not_count_towards_the_ten_municipalities(web_client: TestClient) -> None:
    ten = ["0301", "4601", "5001", "1103", "4204", "3907", "1804", "5501", "3301", "1506"]
    response = web_client.get("/sammenlign", params={"kommune": [*ten, "0000"], "tema": THEME})
    assert response.status_code == 200
    columns = _columns(response.text)
    assert columns and all(row == [*ten, "0"] for row in columns)
    assert web_client.get("/sammenlign", params={"kommune": [*ten, "0000", "3403"], "tema": THEME}).status_code == 400


def test_a_county_is_still_reported_beside_norway(web_client: TestClient) -> None:
    html = web_client.get("/sammenlign", params={"kommune": ["0000", "Vestland", "0301"], "tema": THEME}).text
    problems = PROBLEMS.search(html)
    assert problems is not None
    assert "Vestland" in unescape(problems.group(0)) and "0000" not in problems.group(0)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_comparison_of_norway_alone_downloads_norways_rows(web_client: TestClient, fmt: str) -> None:
    response = web_client.get(f"/sammenlign.{fmt}", params={"kommune": "0000", "tema": THEME})
    assert response.status_code == 200
    if fmt == "json":
        rows: list[dict[str, Any]] = response.json()["rows"]
        assert rows and {row["region"] for row in rows} == {"0"}
        assert all(row["year"] not in (0, None) for row in rows)  # each row has its indicator's year with data
    else:
        lines = response.content.decode("utf-8-sig").splitlines()
        header = lines[0].split(",")
        assert len(lines) > 1
        assert {line.split(",")[header.index("region")] for line in lines[1:]} == {"0"}


# ----------------------------------------------------------------------------------------------------- API


@pytest.mark.parametrize("code", ["0000", "00"])
def test_api_observations_answer_norway_in_every_spelling(web_client: TestClient, code: str) -> None:
    for params in ({"indicator": SHARE}, {"indicator": SHARE, "year": "2024"}, {"indicator": SHARE, "year": "1995"}):
        canonical = web_client.get("/api/v1/observations", params={**params, "region": "0"})
        spelled = web_client.get("/api/v1/observations", params={**params, "region": code})
        assert canonical.status_code == spelled.status_code == 200, spelled.text
        assert spelled.json() == canonical.json()
        assert {record["region"] for record in spelled.json()["observations"]} == {"0"}


def test_api_observations_of_every_indicator_for_norway_as_0000(web_client: TestClient) -> None:
    canonical = web_client.get("/api/v1/observations", params={"region": "0", "limit": "50"}).json()
    spelled = web_client.get("/api/v1/observations", params={"region": "0000", "limit": "50"}).json()
    assert spelled["total"] == canonical["total"] > 0
    assert spelled["observations"] == canonical["observations"]


@pytest.mark.parametrize("code", ["0000", "00"])
def test_api_comparisons_answer_norway_in_every_spelling(web_client: TestClient, code: str) -> None:
    canonical = web_client.get("/api/v1/comparisons", params={"region": "0", "indicator": SHARE})
    spelled = web_client.get("/api/v1/comparisons", params={"region": code, "indicator": SHARE})
    assert canonical.status_code == spelled.status_code == 200
    assert spelled.json() == canonical.json()
    assert spelled.json()["region"]["code"] == "0"


def test_api_still_refuses_codes_that_are_not_norway(web_client: TestClient) -> None:
    assert web_client.get("/api/v1/observations", params={"region": "0001", "indicator": SHARE}).status_code == 404
    assert web_client.get("/api/v1/observations", params={"region": "Norge"}).status_code == 400
