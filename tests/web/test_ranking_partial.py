"""Issue 12, finding 4: a ranking is shown only when it means something.

Below the model's minimum share of weight with data the page says which domains and indicators are missing,
shows the table as partial and names no one as having the "largest challenges"; every rank has its rank
interval beside it; Oslo (a county that is one municipality) is a page that says so, and every error of the
page is in the page's language.
"""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from boligmonitor.catalog.model_presets import load_model_presets
from boligmonitor.web.i18n import Language

HEADLINE = {"nb": "Størst utfordringer", "nn": "Størst utfordringar", "en": "Largest challenges"}
PARTIAL = {"nb": "Rangeringen er delvis", "nn": "Rangeringa er delvis", "en": "The ranking is partial"}


def _missing_keys(client: TestClient, query: str) -> list[str]:
    """The model's indicators without enough data for the ranking, from its JSON download's "how" pairs."""
    meta = client.get(f"/rangering.json?{query}").json()["meta"]
    partial = str(meta["partial"])
    assert partial.startswith("yes"), partial
    return partial.split("missing: ", 1)[1].split(", ")


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_a_ranking_on_too_little_of_the_model_is_partial_and_has_no_headline(
    web_client: TestClient, language: Language
) -> None:
    # Vestland in the offline build: Husbanken's instruments and municipal housing have no values (60 % of the
    # weight has data, the model's minimum is 75 %).
    html = web_client.get(f"/rangering?fylke=46&lang={language}").text
    assert HEADLINE[language] not in html
    assert PARTIAL[language] in html
    section = re.search(r'<section class="bm-ranking-partial".*?</section>', html, re.S)
    assert section is not None
    html_text = unescape(section.group(0))
    preset = load_model_presets().preset("husbanken")
    domain_of = {item.key: domain for domain, item in preset.entries()}
    missing = _missing_keys(web_client, "fylke=46")
    assert missing
    for key in missing:  # each missing indicator is named under its domain, in the page's language
        domain = domain_of[key].name.get(language)
        item = re.search(rf"<li>{re.escape(domain)} \([^)]*\): ([^<]*)</li>", html_text)
        assert item is not None, (domain, html_text)
        catalog = web_client.app.state.monitor.data.catalog  # type: ignore[attr-defined]
        assert catalog.indicator(key).short_name.get(language) in item.group(1)


def test_the_partial_ranking_is_marked_in_the_download(web_client: TestClient) -> None:
    meta = web_client.get("/rangering.json?fylke=46").json()["meta"]
    assert str(meta["partial"]).startswith("yes: 60% of the model has data, below the minimum 75%")


def test_with_enough_of_the_model_the_headline_carries_its_rank_interval(web_client: TestClient) -> None:
    # A lower minimum (the page's "dekning") makes the same data enough for a ranking.
    html = web_client.get("/rangering?fylke=46&dekning=0.5").text
    assert PARTIAL["nb"] not in html
    assert re.search(r"Størst utfordringer: [^<(]+ \(rang 1, rangintervall \d+–\d+\)", html)


def test_every_rank_has_its_interval_beside_it(web_client: TestClient) -> None:
    html = web_client.get("/rangering?fylke=46").text
    table = re.search(r'<caption id="ranking-table-caption">.*?</table>', html, re.S)
    assert table is not None
    rows = re.findall(r"<tr>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)–(\d+)</td>", table.group(0))
    ranked = list(csv.DictReader(io.StringIO(web_client.get("/rangering.csv?fylke=46").text)))
    assert len(rows) == len(ranked) > 2
    for rank, low, high in rows:
        assert 1 <= int(low) <= int(high) <= len(ranked)
        assert 1 <= int(rank) <= len(ranked)


@pytest.mark.parametrize(
    ("language", "said"),
    [("nb", "Oslo er én kommune"), ("nn", "Oslo er éin kommune"), ("en", "Oslo is a single municipality")],
)
def test_oslo_is_one_municipality_and_the_page_says_so(web_client: TestClient, language: str, said: str) -> None:
    response = web_client.get(f"/rangering?fylke=03&lang={language}")
    assert response.status_code == 200
    assert said in response.text
    assert HEADLINE[language] not in response.text
    assert '<option value="03" selected>' in response.text


ENGLISH = re.compile(
    r"municipalit|ranking needs|unknown|is not an|not a number|listed twice|county|all of Norway|none of the model",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    "query",
    [
        "fylke=99",
        "fylke=0",
        "fylke=0000",
        "kommune=4601",
        "kommune=9999&kommune=4601",
        "kommune=4601&kommune=4601",
        "vekter=XX%3D1",
        "vekter=BEF03%3Dx",
    ],
)
@pytest.mark.parametrize("language", ["nb", "nn"])
def test_every_error_of_the_page_is_in_the_pages_language(web_client: TestClient, query: str, language: str) -> None:
    response = web_client.get(f"/rangering?{query}&lang={language}")
    assert response.status_code == 400
    main = re.search(r"<main.*?</main>", response.text, re.S)
    assert main is not None
    assert not ENGLISH.search(main.group(0)), main.group(0)
