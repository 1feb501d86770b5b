"""The indicator model's page (/rangering): a county's municipalities ranked with scores, contributions and
rank intervals; its downloads; bad input as 400 pages naming the parameter."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient

from boligmonitor.analysis.reading import ObservationSource
from boligmonitor.core.regions import RegionLevel


def test_a_county_lists_all_its_municipalities(web_client: TestClient) -> None:
    response = web_client.get("/rangering?fylke=46")
    assert response.status_code == 200
    html = response.text
    rows = list(csv.DictReader(io.StringIO(web_client.get("/rangering.csv?fylke=46").content.decode("utf-8-sig"))))
    municipalities = web_client.get("/api/v1/regions?level=municipality").json()
    in_county = {region["code"] for region in _regions(municipalities) if region["code"].startswith("46")}
    assert {row["region"] for row in rows} == in_county
    for row in rows:
        assert row["score"] != ""
        assert row["rank_p05"] != "" and row["rank_p95"] != ""
        assert int(row["rank_p05"]) <= int(row["rank_p95"])
        assert f'href="/region/{row["region"]}"' in html
    contributions = [name for name in rows[0] if name.endswith("_contribution")]
    assert contributions
    for row in rows:
        total = sum(float(row[name]) for name in contributions if row[name])
        assert total == pytest.approx(float(row["score"]), abs=1e-9)


def _regions(document: object) -> list[dict[str, str]]:
    if isinstance(document, dict):
        for value in document.values():
            if isinstance(value, list):
                return value
    assert isinstance(document, list)
    return document


def test_changing_a_weight_changes_the_ranking(web_client: TestClient) -> None:
    def ranks(query: str) -> dict[str, str]:
        text = web_client.get(f"/rangering.csv?fylke=46{query}").content.decode("utf-8-sig")
        return {row["region"]: row["score"] for row in csv.DictReader(io.StringIO(text))}

    base = ranks("")
    heavier = ranks("&vekter=BEF03%3D30")
    assert base != heavier
    assert base.keys() == heavier.keys()


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("fylke=99", "fylke=99"),
        ("vekter=XX%3D1", "vekter="),
        ("normalisering=median", "normalisering=median"),
        ("dekning=2", "dekning=2"),
        ("ar=abc", "ar=abc"),
        ("krymping=kanskje", "krymping=kanskje"),
    ],
)
def test_bad_input_is_a_400_page_naming_the_parameter(web_client: TestClient, query: str, parameter: str) -> None:
    response = web_client.get(f"/rangering?{query}")
    assert response.status_code == 400
    assert parameter in response.text


def test_the_page_ranks_the_loaded_data_version(web_client: TestClient) -> None:
    """The loaded version answers the indicator model's reads exactly as the store does (same rows, same order)."""
    monitor = web_client.app.state.monitor  # type: ignore[attr-defined]
    loaded: ObservationSource = monitor.data
    stored: ObservationSource = monitor.store
    read = loaded.indicator_observations("BEF03", region_codes=["4601", "4602"])
    assert read and {o.region_code for o in read} == {"4601", "4602"}
    assert read == stored.indicator_observations("BEF03", region_codes=["4601", "4602"])
    assert loaded.indicator_observations("BEF03", year=2020) == stored.indicator_observations("BEF03", year=2020)
    for level in (RegionLevel.COUNTY, RegionLevel.MUNICIPALITY):
        assert loaded.regions_of_level(level) == stored.regions_of_level(level)


def test_no_jsonstat_for_a_ranking(web_client: TestClient) -> None:
    assert web_client.get("/rangering.jsonstat").status_code == 404
    html = web_client.get("/rangering").text
    assert ".jsonstat" not in html
    assert re.search(r'href="/rangering\.xlsx', html)


def test_small_numbers_can_be_taken_as_published(web_client: TestClient) -> None:
    shrunk = web_client.get("/rangering?fylke=46")
    plain = web_client.get("/rangering?fylke=46&krymping=nei")
    assert shrunk.status_code == plain.status_code == 200
    assert "empirisk Bayes" in shrunk.text and "empirisk Bayes" not in plain.text
    assert '<option value="nei" selected>' in plain.text
    rows = web_client.get("/rangering.csv?fylke=46&krymping=nei").text.splitlines()
    header = rows[0].split(",")
    assert "BEF03_observed" in header


@pytest.mark.parametrize(
    ("language", "said", "not_said"),
    [
        ("nb", "mangler verdi for", "no value for"),
        ("nn", "manglar verdi for", "no value for"),
        ("en", "no value for", "mangler"),
    ],
)
def test_missing_data_is_told_in_the_pages_language(
    web_client: TestClient, language: str, said: str, not_said: str
) -> None:
    html = web_client.get(f"/rangering?fylke=46&lang={language}").text
    assert said in html and not_said not in html
