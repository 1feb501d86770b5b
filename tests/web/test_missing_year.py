"""Issue 12: missing never becomes year 0. An indicator without any value in the database has no year, and
every place that shows its rows says so with an empty year (null in JSON), never "0": the API's rankings and
comparisons, the theme pages' downloads, the comparison page and the fact sheet."""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from boligmonitor.web.monitor import MonitorData

OSLO = "0301"


@pytest.fixture(scope="module")
def data(web_client: TestClient) -> MonitorData:
    loaded = cast(FastAPI, web_client.app).state.monitor.data
    assert isinstance(loaded, MonitorData)
    return loaded


@pytest.fixture(scope="module")
def without_values(data: MonitorData) -> tuple[str, str]:
    """(indicator, its theme) for a catalogue indicator without any value or observation in this build."""
    for indicator in data.catalog.indicators:
        if not data.has_data(indicator.id) and not data.tables.observations(indicator.id):
            return indicator.id, indicator.theme
    pytest.fail("the offline build has no indicator without values to test with")


def test_api_rankings_of_an_indicator_without_values_have_no_year(
    web_client: TestClient, without_values: tuple[str, str]
) -> None:
    body = web_client.get("/api/v1/rankings", params={"indicator": without_values[0]}).json()
    assert body["year"] is None
    assert len(body["rankings"]) == 357
    assert all(entry["year"] is None and entry["value"] is None for entry in body["rankings"])
    assert all(entry["rank"] is None for entry in body["rankings"])


def test_api_comparisons_never_give_year_0(web_client: TestClient, without_values: tuple[str, str]) -> None:
    body = web_client.get("/api/v1/comparisons", params={"region": OSLO}).json()
    years = {record["indicator"]: record["year"] for record in body["comparisons"]}
    assert 0 not in years.values()
    assert years[without_values[0]] is None
    one = web_client.get("/api/v1/comparisons", params={"region": "0", "indicator": without_values[0]}).json()
    assert one["comparisons"][0]["year"] is None and one["comparisons"][0]["value"] is None


def test_theme_download_rows_without_values_have_an_empty_year(
    web_client: TestClient, without_values: tuple[str, str]
) -> None:
    indicator, theme = without_values
    rows: list[dict[str, Any]] = web_client.get(f"/region/{OSLO}/tema/{theme}.json").json()["rows"]
    assert 0 not in [row["year"] for row in rows]
    own = [row for row in rows if row["indicator"] == indicator]
    assert own and all(row["year"] is None and row["value"] is None for row in own)
    csv_text = web_client.get(f"/region/{OSLO}/tema/{theme}.csv").content.decode("utf-8-sig")
    header, *lines = csv_text.splitlines()
    year_column = header.split(",").index("year")
    assert all(line.split(",")[year_column] != "0" for line in lines)


def test_the_fact_sheet_names_no_year_0(web_client: TestClient) -> None:
    html = web_client.get(f"/region/{OSLO}/faktaark").text
    assert re.search(r"\(0\)", html) is None  # "Name (year)" of values without a figure
    assert 'data-year="0"' not in html
