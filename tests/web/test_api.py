"""The JSON API under /api/v1/ over the session's database built from the real data in ../shared/data."""

from __future__ import annotations

from itertools import pairwise
from typing import Any, cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from boligmonitor.analysis.peers import BenchmarkKind
from boligmonitor.catalog.export import catalog_to_json
from boligmonitor.core.status import Status
from boligmonitor.web.monitor import MonitorData

MEASURE_KEYS = (
    "value",
    "numerator",
    "denominator",
    "unit",
    "multiplier",
    "ci_low",
    "ci_high",
    "ci_level",
    "ci_method",
    "status",
    "harmonisation",
    "flags",
    "note",
)


def monitor_data(client: TestClient) -> MonitorData:
    app = cast(FastAPI, client.app)
    data = app.state.monitor.data
    assert isinstance(data, MonitorData)
    return data


def get_json(client: TestClient, url: str, status: int = 200, **headers: str) -> dict[str, Any]:
    response = client.get(url, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict)
    return body


def assert_error(client: TestClient, url: str, status: int) -> str:
    body = get_json(client, url, status)
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    message = body["error"]["message"]
    assert isinstance(message, str)
    assert message
    return message


def assert_same_measure(record: dict[str, Any], expected: dict[str, Any]) -> None:
    for key in MEASURE_KEYS:
        assert record[key] == expected[key], key


# ------------------------------------------------------------------------------------------- index, catalog


def test_index_links_every_endpoint_and_names_the_data_version(web_client: TestClient) -> None:
    body = get_json(web_client, "/api/v1/")
    paths = [link["path"] for link in body["endpoints"]]
    assert paths == [
        "/api/v1/catalog",
        "/api/v1/regions",
        "/api/v1/observations",
        "/api/v1/comparisons",
        "/api/v1/rankings",
    ]
    version = monitor_data(web_client).version
    assert version is not None
    assert body["data_version"]["id"] == version.id
    assert body["data_version"]["catalog_version"] == version.catalog_version
    assert body["openapi"] == "/openapi.json"


def test_catalog_is_the_catalogue_export_with_coverage(web_client: TestClient) -> None:
    data = monitor_data(web_client)
    body = get_json(web_client, "/api/v1/catalog")
    coverage = body.pop("coverage")
    body.pop("data_version")
    assert body == catalog_to_json(data.catalog)
    assert coverage["BEF03"]["state"] == "loaded"
    assert coverage["BEF03"]["n_municipalities"] == 357
    assert coverage["RU01"]["state"] == "no_source"
    assert coverage["RU01"]["reason"]


# ------------------------------------------------------------------------------------------------- regions


def test_regions_by_level_with_parents(web_client: TestClient) -> None:
    municipalities = get_json(web_client, "/api/v1/regions?level=municipality")["regions"]
    assert len(municipalities) == 357
    oslo = next(region for region in municipalities if region["code"] == "0301")
    assert oslo["level"] == "municipality"
    assert oslo["parent"] == "03"
    counties = get_json(web_client, "/api/v1/regions?level=county")["regions"]
    assert len(counties) == 15
    assert {region["parent"] for region in counties} == {"0"}


def test_regions_are_named_in_the_language_asked_for(web_client: TestClient) -> None:
    everything = get_json(web_client, "/api/v1/regions?lang=en")["regions"]
    assert everything[0] == {
        "code": "0",
        "name": "Norway",
        "official_name": "Norge",
        "level": "country",
        "parent": None,
        "valid_from": None,
        "valid_to": None,
    }
    levels = [region["level"] for region in everything]
    assert levels == sorted(levels, key=["country", "county", "municipality", "district"].index)


# -------------------------------------------------------------------------------------------- observations


def test_share_80_plus_in_oslo_has_its_counts_and_interval(web_client: TestClient) -> None:
    data = monitor_data(web_client)
    year = data.latest_year("BEF03")
    body = get_json(web_client, f"/api/v1/observations?indicator=BEF03&region=0301&year={year}")
    assert body["total"] == 1
    [record] = body["observations"]
    assert record["ci_low"] < record["value"] < record["ci_high"]
    assert record["value"] == pytest.approx(100 * record["numerator"] / record["denominator"])
    assert record["unit"] == "percent"
    assert record["status"] == ""
    assert record["missing_reason"] is None
    assert record["dataset"]
    assert_same_measure(record, data.row("BEF03", "0301", year).as_dict())


def test_norway_has_its_own_value(web_client: TestClient) -> None:
    data = monitor_data(web_client)
    year = data.latest_year("BEF03")
    assert year is not None
    [record] = get_json(web_client, f"/api/v1/observations?indicator=BEF03&region=0&year={year}")["observations"]
    stored = data.tables.observations("BEF03")[("0", year)]
    assert record["value"] == stored.value
    assert record["numerator"] == stored.numerator
    assert record["region_name"] == "Norge"
    assert_same_measure(record, data.row("BEF03", "0", year).as_dict())


def test_a_cell_not_in_the_database_is_null_with_status_and_reason(web_client: TestClient) -> None:
    body = get_json(web_client, "/api/v1/observations?indicator=BEF03&region=0301&year=1971&lang=en")
    [record] = body["observations"]
    assert record["value"] is None
    assert record["numerator"] is None
    assert record["ci_low"] is None
    assert record["status"] == Status.MISSING.value
    assert record["status_meaning"] == "missing"
    assert record["missing_reason"] == "not_reported"
    assert record["dataset"] is None


def test_an_indicator_without_a_source_says_so(web_client: TestClient) -> None:
    data = monitor_data(web_client)
    [record] = get_json(web_client, "/api/v1/observations?indicator=BEF04&region=0301&year=2024")["observations"]
    assert record["value"] is None
    assert record["missing_reason"] == "not_loaded"
    assert record["note"] == data.statuses["BEF04"].reason


def test_a_confidential_value_is_null_never_zero(web_client: TestClient) -> None:
    data = monitor_data(web_client)
    (region, year), stored = next(
        (key, o) for key, o in sorted(data.tables.observations("FL01").items()) if o.status is Status.CONFIDENTIAL
    )
    url = f"/api/v1/observations?indicator=FL01&region={region}&year={year}"
    [record] = get_json(web_client, url)["observations"]
    assert stored.value is None
    assert record["value"] is None
    assert record["numerator"] is None
    assert record["status"] == ":"
    assert record["missing_reason"] == "suppressed"


def test_observations_of_an_indicator_come_in_pages(web_client: TestClient) -> None:
    data = monitor_data(web_client)
    first = get_json(web_client, "/api/v1/observations?indicator=BEF03&limit=25")
    assert first["total"] == len(data.tables.observations("BEF03"))
    assert len(first["observations"]) == 25
    assert first["next"] == "/api/v1/observations?indicator=BEF03&limit=25&offset=25"
    second = get_json(web_client, first["next"])
    assert second["offset"] == 25
    keys = [(r["region"], r["year"]) for r in first["observations"] + second["observations"]]
    assert keys == sorted(keys)
    assert len(set(keys)) == 50
    last = get_json(web_client, f"/api/v1/observations?indicator=BEF03&limit=25&offset={first['total'] - 1}")
    assert len(last["observations"]) == 1
    assert last["next"] is None


def test_observations_of_a_region_in_one_year(web_client: TestClient) -> None:
    data = monitor_data(web_client)
    body = get_json(web_client, "/api/v1/observations?region=0301&year=2023&limit=10000")
    records = body["observations"]
    assert records
    assert {(r["region"], r["year"]) for r in records} == {("0301", 2023)}
    expected = [i.id for i in data.catalog.indicators if ("0301", 2023) in data.tables.observations(i.id)]
    assert [r["indicator"] for r in records] == expected
    for record in records:
        if record["value"] is None:
            assert record["missing_reason"]
            assert record["status"] != ""


def test_observations_need_an_indicator_or_a_region(web_client: TestClient) -> None:
    message = assert_error(web_client, "/api/v1/observations?year=2020&lang=en", 400)
    assert "indicator" in message


# --------------------------------------------------------------------------------------------- comparisons


def test_oslo_compared_with_norway(web_client: TestClient) -> None:
    data = monitor_data(web_client)
    body = get_json(web_client, "/api/v1/comparisons?region=0301&indicator=BEF03")
    assert body["region"]["code"] == "0301"
    [record] = body["comparisons"]
    expected = data.row("BEF03", "0301").as_dict()
    assert_same_measure(record, expected)
    assert record["year"] == expected["year"]
    assert record["benchmark"]["kind"] == "norway"
    assert record["benchmark"]["region"] == "0"
    assert record["benchmark"]["value"] == expected["benchmark_value"]
    assert record["benchmark"]["source"] == expected["benchmark_source"]
    assert record["comparison"] == expected["comparison"]
    assert record["ratio_to_benchmark"] == pytest.approx(expected["ratio_to_benchmark"])
    assert record["trend"]["direction"] == expected["trend"]
    assert record["trend"]["years"] == expected["trend_years"]
    # Oslo's share 80+ is well below Norway's: the interval lies below the benchmark.
    assert record["ci_high"] < record["benchmark"]["value"]
    assert record["comparison"] == "lower"  # BEF03 is neutral: lower, never worse


@pytest.mark.parametrize("benchmark", ["county", "kostra_group", "size_group", "peers"])
def test_stavanger_compared_with_other_benchmarks(web_client: TestClient, benchmark: str) -> None:
    data = monitor_data(web_client)
    url = f"/api/v1/comparisons?region=1103&indicator=BEF03&benchmark={benchmark}"
    [record] = get_json(web_client, url)["comparisons"]
    expected = data.row("BEF03", "1103", None, BenchmarkKind(benchmark)).as_dict()
    assert record["benchmark_problem"] is None
    assert record["benchmark"]["kind"] == benchmark
    assert record["benchmark"]["value"] == expected["benchmark_value"]
    assert record["comparison"] == expected["comparison"]


def test_norway_is_compared_with_nothing(web_client: TestClient) -> None:
    [record] = get_json(web_client, "/api/v1/comparisons?region=0&indicator=BEF03")["comparisons"]
    assert record["value"] is not None
    assert record["benchmark"] is None
    assert record["comparison"] == "not_compared"
    assert record["ratio_to_benchmark"] is None


@pytest.mark.parametrize(("region", "benchmark"), [("0", "county"), ("03", "kostra_group"), ("11", "peers")])
def test_group_benchmarks_apply_to_municipalities_only(web_client: TestClient, region: str, benchmark: str) -> None:
    url = f"/api/v1/comparisons?region={region}&indicator=BEF03&benchmark={benchmark}&lang=en"
    assert "benchmark" in assert_error(web_client, url, 400)


def test_comparisons_without_an_indicator_cover_the_catalogue(web_client: TestClient) -> None:
    data = monitor_data(web_client)
    records = get_json(web_client, "/api/v1/comparisons?region=0301")["comparisons"]
    assert [r["indicator"] for r in records] == [i.id for i in data.catalog.indicators]
    no_source = next(r for r in records if r["indicator"] == "BEF04")
    assert no_source["year"] is None
    assert no_source["value"] is None
    assert no_source["missing_reason"] == "not_loaded"
    assert no_source["comparison"] == "not_compared"


def test_peers_need_the_regions_characteristics(web_client: TestClient) -> None:
    url = "/api/v1/comparisons?region=0301&indicator=BEF03&benchmark=peers&year=1971"
    [record] = get_json(web_client, url)["comparisons"]
    assert record["year"] == 1971
    assert record["value"] is None
    assert record["benchmark"] is None
    assert "cannot be compared" in record["benchmark_problem"]
    assert record["comparison"] == "not_compared"


# ------------------------------------------------------------------------------------------------ rankings


def test_rankings_put_the_best_first_and_missing_last(web_client: TestClient) -> None:
    body = get_json(web_client, "/api/v1/rankings?indicator=FL02&year=2023")  # higher is better
    assert body["polarity"] == "higher_is_better"
    assert body["order"] == "descending"
    entries = body["rankings"]
    assert len(entries) == 357
    valued = [e for e in entries if e["value"] is not None]
    missing = entries[len(valued) :]
    assert all(e["value"] is None for e in missing)
    values = [e["value"] for e in valued]
    assert values == sorted(values, reverse=True)
    assert valued[0]["rank"] == 1
    for position, (before, after) in enumerate(pairwise(valued), start=2):
        assert after["rank"] == (before["rank"] if after["value"] == before["value"] else position)
    assert len({e["rank"] for e in valued}) < len(valued)  # FL02 has ties: they share a rank
    assert missing
    for entry in missing:
        assert entry["rank"] is None
        assert entry["status"] != ""
        assert entry["missing_reason"] in {"suppressed", "not_applicable", "not_reported"}


def test_rankings_of_a_lower_is_better_indicator_ascend(web_client: TestClient) -> None:
    body = get_json(web_client, "/api/v1/rankings?indicator=BEF19")
    assert body["polarity"] == "lower_is_better"
    assert body["order"] == "ascending"
    assert body["year"] == monitor_data(web_client).latest_year("BEF19")
    values = [e["value"] for e in body["rankings"] if e["value"] is not None]
    assert values == sorted(values)


def test_rankings_of_a_neutral_indicator_descend(web_client: TestClient) -> None:
    body = get_json(web_client, "/api/v1/rankings?indicator=BEF03")
    assert body["order"] == "descending"
    values = [e["value"] for e in body["rankings"]]
    assert None not in values
    assert values == sorted(values, reverse=True)


def test_rankings_match_the_monitor_rows_and_funnel(web_client: TestClient) -> None:
    data = monitor_data(web_client)
    body = get_json(web_client, "/api/v1/rankings?indicator=FL01&year=2023")
    rows = {row.region.code: row.as_dict() for row in data.all_regions("FL01", 2023)}
    assert body["benchmark"]["region"] == "0"
    for entry in body["rankings"]:
        expected = rows[entry["region"]]
        assert_same_measure(entry, expected)
        assert entry["comparison"] == expected["comparison"]
        if entry["funnel"] is None:
            assert entry["outside_funnel"] is None
            continue
        outer = next(limit for limit in entry["funnel"] if limit["level"] == 0.998)
        assert outer["low"] == expected["funnel_low_0.998"]
        above, below = entry["value"] > outer["high"], entry["value"] < outer["low"]
        assert entry["outside_funnel"] == ("high" if above else "low" if below else None)


def test_rankings_within_a_county(web_client: TestClient) -> None:
    entries = get_json(web_client, "/api/v1/rankings?indicator=BEF03&county=11")["rankings"]
    assert entries
    assert all(e["region"].startswith("11") for e in entries)
    assert [e["rank"] for e in entries] == list(range(1, len(entries) + 1))


def test_rankings_of_an_indicator_without_data_list_every_municipality_as_missing(web_client: TestClient) -> None:
    body = get_json(web_client, "/api/v1/rankings?indicator=BEF04")
    assert body["year"] is None
    assert len(body["rankings"]) == 357
    assert {(e["value"], e["rank"], e["missing_reason"]) for e in body["rankings"]} == {(None, None, "not_loaded")}


# ------------------------------------------------------------------------------------------- errors, cache


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/observations?indicator=XX99",
        "/api/v1/observations?region=9999",
        "/api/v1/observations?region=999999&indicator=BEF03",
        "/api/v1/comparisons?region=9999",
        "/api/v1/comparisons?region=0301&indicator=XX99",
        "/api/v1/rankings?indicator=XX99",
        "/api/v1/rankings?indicator=BEF03&county=99",
        "/api/v1/no-such-endpoint",
    ],
)
def test_unknown_things_are_404_json(web_client: TestClient, url: str) -> None:
    assert_error(web_client, url, 404)


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/observations?indicator=BEF03&year=1800", "year"),
        ("/api/v1/observations?indicator=BEF03&year=1969", "year"),
        ("/api/v1/observations?indicator=BEF03&year=2101", "year"),
        ("/api/v1/observations?indicator=BEF03&year=abc", "year"),
        ("/api/v1/observations?region=301", "region"),
        ("/api/v1/observations?region=03a1", "region"),
        ("/api/v1/observations?indicator=bef03", "indicator"),
        ("/api/v1/observations?indicator=BEF03&limit=0", "limit"),
        ("/api/v1/observations?indicator=BEF03&limit=10001", "limit"),
        ("/api/v1/observations?indicator=BEF03&offset=-1", "offset"),
        ("/api/v1/observations?indicator=BEF03&lang=de", "lang"),
        ("/api/v1/regions?level=planet", "level"),
        ("/api/v1/comparisons?indicator=BEF03", "region"),
        ("/api/v1/comparisons?region=030101", "region"),
        ("/api/v1/comparisons?region=0301&benchmark=custom", "benchmark"),
        ("/api/v1/rankings", "indicator"),
        ("/api/v1/rankings?indicator=BEF03&county=0301", "county"),
    ],
)
def test_invalid_parameters_are_400_json_naming_the_parameter(web_client: TestClient, url: str, parameter: str) -> None:
    assert parameter in assert_error(web_client, url, 400)


def test_error_messages_follow_the_language(web_client: TestClient) -> None:
    assert assert_error(web_client, "/api/v1/rankings?indicator=XX99&lang=en", 404) == "No indicator “XX99”."
    assert "XX99" in assert_error(web_client, "/api/v1/rankings?indicator=XX99&lang=nn", 404)


def test_markup_in_a_parameter_is_rejected_not_echoed(web_client: TestClient) -> None:
    response = web_client.get("/api/v1/observations", params={"indicator": "<script>alert(1)</script>"})
    assert response.status_code == 400
    assert "<script>" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


def test_answers_carry_an_etag_and_a_304_saves_the_body(web_client: TestClient) -> None:
    first = web_client.get("/api/v1/rankings?indicator=BEF03")
    tag = first.headers["etag"]
    assert tag.startswith('"')  # strong: a hash of the body (web/page_cache.py)
    assert first.headers["cache-control"] == "public, max-age=60"
    assert web_client.get("/api/v1/rankings?indicator=BEF02").headers["etag"] != tag
    again = web_client.get("/api/v1/rankings?indicator=BEF03", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    error = web_client.get("/api/v1/rankings?indicator=XX99")
    assert "etag" not in error.headers


# ------------------------------------------------------------------------------------------------- openapi


def test_openapi_documents_every_endpoint_with_schemas(web_client: TestClient) -> None:
    schema = get_json(web_client, "/openapi.json")
    expected = {
        "/api/v1/": "ApiIndex",
        "/api/v1/catalog": "CatalogResponse",
        "/api/v1/regions": "RegionsResponse",
        "/api/v1/observations": "ObservationsResponse",
        "/api/v1/comparisons": "ComparisonsResponse",
        "/api/v1/rankings": "RankingsResponse",
    }
    api_paths = {path: item for path, item in schema["paths"].items() if path.startswith("/api/")}
    assert set(api_paths) == set(expected)
    for path, model in expected.items():
        responses = api_paths[path]["get"]["responses"]
        assert responses["200"]["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{model}"}
        assert "422" not in responses
        error = {"$ref": "#/components/schemas/ErrorResponse"}
        assert responses["4XX"]["content"]["application/json"]["schema"] == error
        if api_paths[path]["get"].get("parameters"):
            assert responses["400"]["content"]["application/json"]["schema"] == error
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    parameters = {p["name"]: p for p in api_paths["/api/v1/observations"]["get"]["parameters"]}
    year = parameters["year"]["schema"]["anyOf"][0]
    assert (year["minimum"], year["maximum"]) == (1970, 2100)  # the catalogue's span (catalog.validation)
    benchmark = next(p for p in api_paths["/api/v1/comparisons"]["get"]["parameters"] if p["name"] == "benchmark")
    assert benchmark["schema"]["enum"] == ["norway", "county", "kostra_group", "size_group", "peers"]
    record = schema["components"]["schemas"]["ObservationRecord"]["properties"]
    for field in ("value", "numerator", "denominator", "ci_low", "ci_high", "status", "flags", "missing_reason"):
        assert field in record
