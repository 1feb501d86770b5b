"""The fake SSB server answers like SSB (recorded bytes, real error bodies, rate-limit headers) and injects faults."""

from __future__ import annotations

import itertools
import json
import socket
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakessb.catalogue import (
    RECORDED_KLASS_131,
    RECORDED_V0_07221,
    RECORDED_V0_07221_QUERY,
    RECORDED_V2_12134,
    SYNTHETIC_CODELIST_ID,
    SYNTHETIC_TABLE_ID,
    TableCatalogue,
    split_value_codes,
    synthetic_population_value,
)
from tests.fakessb.faults import Fault, FaultKind, FaultPlan
from tests.fakessb.server import FakeSsb, ManualClock

# The request recorded for the 12134 fixture (ssb-api.md §8.1), with SSB's accepted `format=` and `valuecodes`.
RECORDED_12134_PARAMS = {
    "lang": "no",
    "format": "json-stat2",
    "valuecodes[KOKkommuneregion0000]": "0301,4601,5001",
    "valuecodes[ContentsCode]": "KOSAG110000",
    "valuecodes[Tid]": "2024",
}


# httpx builds a TLS context per client (tens of ms) even for plain http; one shared context keeps tests fast.
PLAIN_HTTP_TLS_CONTEXT = ssl.create_default_context()


def http_client(base_url: str, timeout: float = 2.0) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=timeout, verify=PLAIN_HTTP_TLS_CONTEXT)


@pytest.fixture
def client(fake_ssb: FakeSsb) -> Iterator[httpx.Client]:
    with http_client(fake_ssb.base_url) as http:
        yield http


def error_body(title: str, status: int = 400) -> dict[str, Any]:
    return {"type": "Parameter error", "title": title, "status": status}


# --- recorded responses -----------------------------------------------------------------------------------------


def test_recorded_12134_body_is_served_byte_identical(client: httpx.Client, api_fixtures: Path) -> None:
    response = client.get("/tables/12134/data", params=RECORDED_12134_PARAMS)
    assert response.status_code == 200
    assert response.content == (api_fixtures / RECORDED_V2_12134).read_bytes()
    assert response.headers["content-type"].startswith("application/json")


def test_part_of_a_recorded_table_is_sliced_from_the_recording(client: httpx.Client) -> None:
    params = {**RECORDED_12134_PARAMS, "valuecodes[KOKkommuneregion0000]": "5001,0301"}
    dataset = client.get("/tables/12134/data", params=params).json()
    assert dataset["size"] == [2, 1, 1]
    assert dataset["dimension"]["KOKkommuneregion0000"]["category"]["index"] == {"0301": 0, "5001": 1}
    assert dataset["value"] == [81240, 62853]  # Oslo and Trondheim in the recording
    assert dataset["updated"] == "2026-03-16T07:00:00Z"


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        ("/tables/99999/data", RECORDED_12134_PARAMS, error_body("Non-existent table", 404)),
        (
            "/tables/12134/data",
            {**RECORDED_12134_PARAMS, "valuecodes[KOKkommuneregion0000]": "0301,9998"},
            error_body("Non-existent value"),
        ),
        (
            "/tables/12134/data",
            {**RECORDED_12134_PARAMS, "valuecodes[ContentsCode]": "KOSnotreal"},
            error_body("Non-existent value"),
        ),
        (
            "/tables/12134/data",
            {key: value for key, value in RECORDED_12134_PARAMS.items() if key != "valuecodes[Tid]"},
            error_body("Missing selection for mandantory variable"),
        ),
        (
            "/tables/12134/data",
            {**RECORDED_12134_PARAMS, "valueCodes[Kjonn]": "1"},
            error_body("Non-existent variable"),
        ),
        ("/tables/99999/metadata", {}, error_body("Non-existent table", 404)),
    ],
)
def test_errors_use_ssbs_recorded_bodies_with_http_400(
    client: httpx.Client, path: str, params: dict[str, str], expected: dict[str, Any]
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 400
    assert response.json() == expected
    assert list(response.json()) == ["type", "title", "status"]


def test_too_many_cells_is_refused(fake_ssb: FakeSsb, client: httpx.Client) -> None:
    fake_ssb.catalogue.max_cells = 3
    params = {"valueCodes[KOKkommuneregion0000]": "*", "valueCodes[ContentsCode]": "*", "valueCodes[Tid]": "*"}
    response = client.get(f"/tables/{SYNTHETIC_TABLE_ID}/data", params=params)
    assert response.status_code == 400
    assert response.json() == error_body("Too many cells selected")


def test_recorded_v0_query_is_answered_byte_identical(fake_ssb: FakeSsb, api_fixtures: Path) -> None:
    query = json.loads((api_fixtures / RECORDED_V0_07221_QUERY).read_bytes())
    with http_client(fake_ssb.v0_url) as v0:
        response = v0.post("/table/07221", json=query)
    assert response.status_code == 200
    assert response.content == (api_fixtures / RECORDED_V0_07221).read_bytes()


def test_v0_subset_keeps_the_recorded_missing_value_symbols(fake_ssb: FakeSsb, api_fixtures: Path) -> None:
    query = json.loads((api_fixtures / RECORDED_V0_07221_QUERY).read_bytes())
    query["query"][0]["selection"]["values"] = ["007"]  # Innlandet: all Småhus quarters are ".." (§8.4)
    with http_client(fake_ssb.v0_url) as v0:
        dataset = v0.post("/table/07221", json=query).json()
    assert dataset["size"] == [1, 3, 1, 8]
    småhus = range(8, 16)
    assert dataset["status"] == {str(position): ".." for position in småhus}
    assert all(dataset["value"][position] is None for position in småhus)
    assert all(value is not None for position, value in enumerate(dataset["value"]) if position not in småhus)


def test_klass_codes_at_is_the_recording_and_other_dates_are_unknown(fake_ssb: FakeSsb, api_fixtures: Path) -> None:
    with http_client(fake_ssb.klass_url) as klass:
        recorded = klass.get("/classifications/131/codesAt.json", params={"date": "2026-01-01", "language": "nb"})
        assert recorded.content == (api_fixtures / RECORDED_KLASS_131).read_bytes()
        assert klass.get("/classifications/131/codesAt", params={"date": "2026-01-01"}).status_code == 200
        assert klass.get("/classifications/131/codesAt", params={"date": "2019-01-01"}).status_code == 404
        assert klass.get("/classifications/131/codesAt").status_code == 400


def test_klass_changes_are_filtered_by_date(fake_ssb: FakeSsb) -> None:
    with http_client(fake_ssb.klass_url) as klass:
        wave_2024 = klass.get("/classifications/131/changes.json", params={"from": "2023-12-31", "to": "2024-01-02"})
        changes = wave_2024.json()["codeChanges"]
        assert len(changes) == 118  # rows for 2024 in the real KLASS 131 change list (ssb-api.md §6.3)
        assert {"oldCode": "3002", "newCode": "3103"}.items() <= next(
            c for c in changes if c["oldCode"] == "3002"
        ).items()
        assert klass.get("/classifications/131/changes").status_code == 400


# --- synthetic tables -------------------------------------------------------------------------------------------


def test_synthetic_metadata_and_data_agree(client: httpx.Client) -> None:
    metadata = client.get(f"/tables/{SYNTHETIC_TABLE_ID}/metadata", params={"outputFormat": "json-stat2"}).json()
    assert "SYNTHETIC" in metadata["label"]
    assert "SYNTHETIC" in metadata["source"]
    assert "value" not in metadata
    params = {f"valueCodes[{dimension}]": "*" for dimension in metadata["id"]}
    data = client.get(f"/tables/{SYNTHETIC_TABLE_ID}/data", params=params).json()
    assert data["id"] == metadata["id"]
    assert data["size"] == metadata["size"] == [4, 2, 10]
    for dimension in metadata["id"]:
        assert data["dimension"][dimension]["category"] == metadata["dimension"][dimension]["category"]
    assert len(data["value"]) == 4 * 2 * 10
    missing = {position for position, value in enumerate(data["value"]) if value is None}
    assert missing == {int(position) for position in data["status"]}
    assert set(data["status"].values()) == {"..", ":"}


def _cells(dataset: dict[str, Any]) -> dict[tuple[str, ...], Any]:
    codes = [list(dataset["dimension"][dimension]["category"]["index"]) for dimension in dataset["id"]]
    return dict(zip(itertools.product(*codes), dataset["value"], strict=True))


def test_post_selection_returns_exactly_the_selected_cells(client: httpx.Client) -> None:
    everything = _cells(client.get(f"/tables/{SYNTHETIC_TABLE_ID}/data").json())  # default selection
    body = {
        "selection": [
            {"variableCode": "KOKkommuneregion0000", "valueCodes": ["EAK", "46*"]},
            {"variableCode": "ContentsCode", "valueCodes": ["SYNT02"]},
            {"variableCode": "Tid", "valueCodes": ["top(3)"]},
        ]
    }
    response = client.post(f"/tables/{SYNTHETIC_TABLE_ID}/data", params={"outputFormat": "json-stat2"}, json=body)
    assert response.status_code == 200
    selected = _cells(response.json())
    expected_keys = set(itertools.product(["4601", "EAK"], ["SYNT02"], ["2022", "2023", "2024"]))
    assert set(selected) == expected_keys
    assert selected == {key: everything[key] for key in expected_keys}


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ("from(2022)", ["2022", "2023", "2024"]),
        ("to(2016)", ["2015", "2016"]),
        ("range(2018,2019)", ["2018", "2019"]),
        ("bottom(2)", ["2015", "2016"]),
        ("top(2,1)", ["2022", "2023"]),
        ("202?", ["2020", "2021", "2022", "2023", "2024"]),
        ("2024,2015", ["2015", "2024"]),
    ],
)
def test_selection_functions_and_wildcards(client: httpx.Client, selection: str, expected: list[str]) -> None:
    params = {
        "valueCodes[KOKkommuneregion0000]": "0301",
        "valueCodes[ContentsCode]": "SYNT01",
        "valueCodes[Tid]": selection,
    }
    dataset = client.get(f"/tables/{SYNTHETIC_TABLE_ID}/data", params=params).json()
    assert list(dataset["dimension"]["Tid"]["category"]["index"]) == expected


def test_bracketed_values_keep_their_commas() -> None:
    assert split_value_codes("a,[b,c],d") == ["a", "b,c", "d"]
    assert split_value_codes("top(5,1)") == ["top(5,1)"]


def test_publishing_a_synthetic_table_bumps_updated_and_values(fake_ssb: FakeSsb, client: httpx.Client) -> None:
    before = client.get(f"/tables/{SYNTHETIC_TABLE_ID}/data").json()
    published = fake_ssb.catalogue.publish(SYNTHETIC_TABLE_ID)
    after = client.get(f"/tables/{SYNTHETIC_TABLE_ID}/data").json()
    assert after["updated"] == published.strftime("%Y-%m-%dT%H:%M:%SZ") == "2026-03-17T07:00:00Z"
    assert after["updated"] != before["updated"]
    assert after["value"] != before["value"]
    assert after["status"] == before["status"]
    assert client.get(f"/tables/{SYNTHETIC_TABLE_ID}").json()["updated"] == after["updated"]
    with pytest.raises(KeyError):
        fake_ssb.catalogue.publish("12134")


def test_table_search_and_codelists(client: httpx.Client) -> None:
    hits = client.get("/tables", params={"query": "kommuneregnskap"}).json()["tables"]
    assert [hit["id"] for hit in hits] == ["12134"]
    by_date = client.get("/tables", params={"query": "updated:20260317*"}).json()["tables"]
    assert by_date == []
    by_month = client.get("/tables", params={"query": "updated:202603*"}).json()
    assert {hit["id"] for hit in by_month["tables"]} == {"12134", SYNTHETIC_TABLE_ID}
    assert by_month["page"]["totalElements"] == 2
    codelist = client.get(f"/codelists/{SYNTHETIC_CODELIST_ID}")
    assert codelist.json()["values"][0]["valueMap"] == ["0301", "4601"]
    assert client.get("/codelists/agg_Unknown").json()["status"] == 404


# --- loopback only ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.1", "::", "localhost", "example.org"])
def test_server_refuses_non_loopback_addresses(host: str, fake_ssb_catalogue: TableCatalogue) -> None:
    with pytest.raises(ValueError, match="loopback"):
        FakeSsb(fake_ssb_catalogue, host=host)


def test_server_binds_to_loopback(fake_ssb: FakeSsb) -> None:
    assert fake_ssb.base_url.startswith("http://127.0.0.1:")
    assert fake_ssb.base_url.endswith("/api/pxwebapi/v2")


# --- request log and rate limit ---------------------------------------------------------------------------------


def test_requests_are_logged(fake_ssb: FakeSsb, client: httpx.Client) -> None:
    client.get("/tables/12134/data", params=RECORDED_12134_PARAMS)
    client.post(f"/tables/{SYNTHETIC_TABLE_ID}/data", params={"lang": "no"}, json={"selection": []})
    first, second = fake_ssb.requests
    assert (first.method, first.path, first.status) == ("GET", "/api/pxwebapi/v2/tables/12134/data", 200)
    assert first.params["valuecodes[Tid]"] == ["2024"]
    assert (second.method, second.params, second.json_body()) == ("POST", {"lang": ["no"]}, {"selection": []})
    assert first.time <= second.time
    fake_ssb.clear_requests()
    assert fake_ssb.requests == []


def test_rate_limit_headers_follow_a_sliding_window(fake_ssb_catalogue: TableCatalogue) -> None:
    clock = ManualClock()
    with (
        FakeSsb(fake_ssb_catalogue, rate_limit=3, window_seconds=10, clock=clock) as server,
        http_client(server.base_url) as http,
    ):
        remaining = []
        for _ in range(3):
            response = http.get("/tables/12134")
            remaining.append(response.headers["x-ratelimit-remaining"])
            clock.advance(4)
        assert remaining == ["2", "1", "0"]
        assert response.headers["x-ratelimit-policy"] == "3;w=10s"
        assert response.headers["x-ratelimit-limit"] == "3"
        # t=12: the request at t=0 has left the window, those at t=4 and t=8 remain.
        assert http.get("/tables/12134").headers["x-ratelimit-remaining"] == "0"
        assert server.max_requests_in_any_window(10) == 3
        assert server.max_requests_in_any_window(60) == 4


def test_past_the_limit_the_server_answers_429(fake_ssb_catalogue: TableCatalogue) -> None:
    clock = ManualClock()
    with FakeSsb(fake_ssb_catalogue, clock=clock) as server, http_client(server.base_url) as http:
        statuses = [http.get(f"/tables/{SYNTHETIC_TABLE_ID}").status_code for _ in range(40)]
        assert statuses == [200] * 40
        refused = http.get(f"/tables/{SYNTHETIC_TABLE_ID}")
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "60"
        assert refused.headers["x-ratelimit-remaining"] == "0"
        assert server.requests[-1].rate_limited
        clock.advance(60)
        assert http.get(f"/tables/{SYNTHETIC_TABLE_ID}").status_code == 200
        assert server.max_requests_in_any_window() == 41


# --- faults -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        (Fault(FaultKind.SERVER_ERROR), 500),
        (Fault(FaultKind.BAD_GATEWAY), 502),
        (Fault(FaultKind.UNAVAILABLE), 503),
    ],
)
def test_server_error_faults(fake_ssb: FakeSsb, client: httpx.Client, fault: Fault, status: int) -> None:
    fake_ssb.set_fault_plan(FaultPlan.sequence([None, fault]))
    codes = [client.get(f"/tables/{SYNTHETIC_TABLE_ID}").status_code for _ in range(3)]
    assert codes == [200, status, 200]
    assert [request.fault for request in fake_ssb.requests] == [None, fault.kind, None]


def test_rate_limited_fault_sends_retry_after(fake_ssb: FakeSsb, client: httpx.Client) -> None:
    fake_ssb.set_fault_plan(FaultPlan.at({1: Fault.rate_limited(retry_after=7)}))
    response = client.get(f"/tables/{SYNTHETIC_TABLE_ID}")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert "x-ratelimit-limit" in response.headers


def test_slow_fault_delays_the_normal_answer(fake_ssb: FakeSsb, client: httpx.Client, api_fixtures: Path) -> None:
    fake_ssb.set_fault_plan(FaultPlan.at({1: Fault.slow(0.15)}))
    started = time.monotonic()
    response = client.get("/tables/12134/data", params=RECORDED_12134_PARAMS)
    assert time.monotonic() - started >= 0.15
    assert response.content == (api_fixtures / RECORDED_V2_12134).read_bytes()


def test_timeout_fault_holds_the_connection_past_the_client_timeout(fake_ssb: FakeSsb) -> None:
    fake_ssb.set_fault_plan(FaultPlan.at({1: Fault.timeout(hold=2.0)}))
    with http_client(fake_ssb.base_url, timeout=0.1) as impatient, pytest.raises(httpx.ReadTimeout):
        impatient.get(f"/tables/{SYNTHETIC_TABLE_ID}")
    assert fake_ssb.requests[0].status is None


def test_truncated_fault_announces_the_full_length_but_sends_half(fake_ssb: FakeSsb, client: httpx.Client) -> None:
    fake_ssb.set_fault_plan(FaultPlan.at({1: Fault(FaultKind.TRUNCATED), 2: Fault(FaultKind.TRUNCATED)}))
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/tables/12134/data", params=RECORDED_12134_PARAMS)
    raw = _raw_get(fake_ssb, "/api/pxwebapi/v2/tables/12134/data")
    head, _, body = raw.partition(b"\r\n\r\n")
    announced = int(
        next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")).split(b":")[1]
    )
    assert 0 < len(body) < announced
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


def test_wrong_content_type_fault_is_an_html_page_with_200(fake_ssb: FakeSsb, client: httpx.Client) -> None:
    fake_ssb.set_fault_plan(FaultPlan.at({1: Fault(FaultKind.WRONG_CONTENT_TYPE)}))
    response = client.get("/tables/12134/data", params=RECORDED_12134_PARAMS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")


def test_connection_reset_fault(fake_ssb: FakeSsb, client: httpx.Client) -> None:
    fake_ssb.set_fault_plan(FaultPlan.at({1: Fault(FaultKind.CONNECTION_RESET), 2: Fault(FaultKind.CONNECTION_RESET)}))
    with pytest.raises(httpx.TransportError):
        client.get(f"/tables/{SYNTHETIC_TABLE_ID}")
    with pytest.raises(ConnectionResetError):
        _raw_get(fake_ssb, f"/api/pxwebapi/v2/tables/{SYNTHETIC_TABLE_ID}")
    assert client.get(f"/tables/{SYNTHETIC_TABLE_ID}").status_code == 200


def test_fault_plan_can_target_one_path(fake_ssb: FakeSsb, client: httpx.Client) -> None:
    fake_ssb.set_fault_plan(FaultPlan.at({1: Fault(FaultKind.UNAVAILABLE)}, path_contains="/data"))
    assert client.get(f"/tables/{SYNTHETIC_TABLE_ID}/metadata").status_code == 200
    assert client.get(f"/tables/{SYNTHETIC_TABLE_ID}/data").status_code == 503
    assert client.get(f"/tables/{SYNTHETIC_TABLE_ID}/data").status_code == 200


def test_seeded_fault_plans_are_reproducible(fake_ssb: FakeSsb, client: httpx.Client) -> None:
    probabilities = [(Fault(FaultKind.UNAVAILABLE), 0.3), (Fault.rate_limited(), 0.2)]
    predicted = [FaultPlan.seeded(42, probabilities).fault_for(number) for number in range(1, 31)]
    assert predicted == [FaultPlan.seeded(42, probabilities).fault_for(number) for number in range(1, 31)]
    assert predicted != [FaultPlan.seeded(43, probabilities).fault_for(number) for number in range(1, 31)]
    fake_ssb.set_fault_plan(FaultPlan.seeded(42, probabilities))
    statuses = [client.get(f"/tables/{SYNTHETIC_TABLE_ID}").status_code for _ in range(30)]
    expected = [503 if f and f.kind is FaultKind.UNAVAILABLE else 429 if f else 200 for f in predicted]
    assert statuses == expected
    assert {200, 429, 503} <= set(statuses)


def test_fault_plan_rejects_bad_probabilities() -> None:
    with pytest.raises(ValueError, match="sum"):
        FaultPlan.seeded(1, [(Fault(FaultKind.SLOW), 0.7), (Fault(FaultKind.TIMEOUT), 0.4)])
    with pytest.raises(ValueError, match="seed"):
        FaultPlan(probabilities=[(Fault(FaultKind.SLOW), 0.1)])


def _raw_get(server: FakeSsb, path: str) -> bytes:
    """Read an answer off a plain socket until the server closes it, to see exactly what was sent."""
    host, port = server.root_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=2.0) as connection:
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


# --- /config, aggregation codelists, elimination by sum, v0 metadata and v0-only tables --------------------------


def test_config_has_the_documented_members_with_synthetic_values(
    client: httpx.Client, fake_ssb_catalogue: TableCatalogue
) -> None:
    config = client.get("/config").json()
    assert config["maxDataCells"] == fake_ssb_catalogue.max_cells == 800_000
    assert config["maxCallsPerTimeWindow"] == 0 and config["timeWindow"] == 0  # as reported since 2026
    assert "SYNTHETIC" in config["appVersion"]
    assert {"languages", "sourceReferences", "dataFormats", "defaultDataFormat"} <= set(config)


def test_a_post_over_an_aggregation_sums_its_value_map(client: httpx.Client) -> None:
    selection = [
        {"variableCode": "Region", "valueCodes": ["K-3103", "K-4601"], "codelist": "agg_KommSummer"},
        {"variableCode": "Kjonn", "valueCodes": ["1"]},
        {"variableCode": "Alder", "valueCodes": ["000"]},
        {"variableCode": "ContentsCode", "valueCodes": ["Personer1"]},
        {"variableCode": "Tid", "valueCodes": ["2018"]},
    ]
    summed = client.post("/tables/90002/data", json={"selection": selection}).json()
    assert summed["dimension"]["Region"]["category"]["label"] == {"K-3103": "Moss", "K-4601": "Bergen"}
    members = ["0104", "0136", "3002", "3103"]
    plain = client.post(
        "/tables/90002/data",
        json={"selection": [{**selection[0], "valueCodes": members, "codelist": None}, *selection[1:]]},
    ).json()
    assert summed["value"][0] == sum(plain["value"])
    spelled = client.post(
        "/tables/90002/data",
        json={
            "selection": [{"variableCode": "Region", "valueCodes": ["*"], "codeList": "agg_KommSummer"}, *selection[1:]]
        },
    ).json()
    assert spelled["size"][0] == 3
    not_offered = client.post(
        "/tables/90001/data",
        json={
            "selection": [{"variableCode": "KOKkommuneregion0000", "valueCodes": ["*"], "codelist": "agg_KommSummer"}]
        },
    )
    assert not_offered.status_code == 400 and not_offered.json()["title"] == "Non-existent codelist"


def test_country_and_county_rows_come_with_the_tables_own_codes_not_over_the_codelist(client: httpx.Client) -> None:
    rest = [
        {"variableCode": "Kjonn", "valueCodes": ["1"]},
        {"variableCode": "Alder", "valueCodes": ["000"]},
        {"variableCode": "ContentsCode", "valueCodes": ["Personer1"]},
        {"variableCode": "Tid", "valueCodes": ["2018"]},
    ]
    over_codelist = {"variableCode": "Region", "valueCodes": ["0", "K-0301"], "codelist": "agg_KommSummer"}
    refused = client.post("/tables/90002/data", json={"selection": [over_codelist, *rest]})
    assert refused.status_code == 400 and refused.json()["title"] == "Non-existent value"  # "0" is no K-code
    own = {"variableCode": "Region", "valueCodes": ["0", "03", "31", "46"]}
    answer = client.post("/tables/90002/data", json={"selection": [own, *rest]}).json()
    assert list(answer["dimension"]["Region"]["category"]["index"]) == ["0", "03", "31", "46"]
    # SYNTHETIC values generated per row, like every other row: never summed from the municipalities.
    assert answer["value"] == [
        synthetic_population_value((code, "1", "000", "Personer1", "2018"), 0) for code in own["valueCodes"]
    ]


def test_an_eliminated_variable_without_elimination_code_is_summed_and_left_out(client: httpx.Client) -> None:
    base = [
        {"variableCode": "Region", "valueCodes": ["0301"]},
        {"variableCode": "Alder", "valueCodes": ["001"]},
        {"variableCode": "ContentsCode", "valueCodes": ["Personer1"]},
        {"variableCode": "Tid", "valueCodes": ["2020"]},
    ]
    total = client.post("/tables/90002/data", json={"selection": base}).json()
    assert "Kjonn" not in total["id"] and "Kjonn" not in total["dimension"]
    by_sex = client.post(
        "/tables/90002/data", json={"selection": [*base, {"variableCode": "Kjonn", "valueCodes": ["1", "2"]}]}
    ).json()
    assert total["value"] == [sum(by_sex["value"])]


def test_v0_metadata_and_v0_only_tables(fake_ssb: FakeSsb, fake_ssb_catalogue: TableCatalogue) -> None:
    fake_ssb_catalogue.mark_v0_only("09895")
    with http_client(fake_ssb.v0_url) as v0, http_client(fake_ssb.base_url) as v2:
        metadata = v0.get("/table/09895").json()
        assert metadata["title"].startswith("09895:")
        assert [variable["code"] for variable in metadata["variables"]] == ["Soner2", "AntRom", "ContentsCode", "Tid"]
        assert metadata["variables"][0]["elimination"] is True and metadata["variables"][3]["time"] is True
        assert v2.get("/tables/09895/metadata").json() == error_body("Non-existent table", 404)
        assert "09895" not in {hit["id"] for hit in v2.get("/tables", params={"query": "leie"}).json()["tables"]}
