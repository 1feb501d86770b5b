"""The fake Qlik engine itself: message shapes, the byte-exact replay, size limits, synthetic data, addresses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from boligmonitor.sources.connectors.husbanken import load_definitions
from boligmonitor.sources.connectors.husbanken.hypercube import hypercube_properties
from tests.fakeqlik.engine import FAKE_TITLE, TOO_LARGE
from tests.fakeqlik.hypercubes import RECORDED_FIXTURE, RecordedHypercube, SyntheticDomains, SyntheticHypercube
from tests.fakeqlik.server import FakeQlik, husbanken_codes_from_klass, serve_fake_qlik

APP = "ee185fe5-e94d-463e-bff8-cd1c5f2f566f"


class Client:
    """A bare JSON-RPC client, to see exactly what the fake sends."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.next_id = 0

    def raw(self, method: str, handle: int, params: Any) -> str:
        self.next_id += 1
        self.connection.send(
            json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method, "handle": handle, "params": params})
        )
        answer = self.connection.recv(timeout=5)
        assert isinstance(answer, str)
        return answer

    def call(self, method: str, handle: int, params: Any) -> dict[str, Any]:
        answer: dict[str, Any] = json.loads(self.raw(method, handle, params))
        assert answer["id"] == self.next_id
        return answer


@pytest.fixture
def client(fake_qlik: FakeQlik) -> Iterator[Client]:
    with connect(f"{fake_qlik.app_url}/identity/test", proxy=None) as connection:
        pushes = [json.loads(connection.recv(timeout=5)) for _ in range(2)]
        assert [p["method"] for p in pushes] == ["OnAuthenticationInformation", "OnConnected"]
        assert pushes[0]["params"]["mustAuthenticate"] is False and "id" not in pushes[0]
        yield Client(connection)


def _cube(client: Client, definition_id: str, height: int) -> int:
    assert client.call("OpenDoc", -1, {"qDocName": APP})["result"]["qReturn"]["qHandle"] == 1
    prop = hypercube_properties(load_definitions().cube(definition_id), height)
    handle: int = client.call("CreateSessionObject", 1, {"qProp": prop})["result"]["qReturn"]["qHandle"]
    return handle


def test_the_recorded_layout_is_replayed_byte_exact(client: Client, api_fixtures: Path) -> None:
    handle = _cube(client, "bostotte_tellere_kommune", 1357)
    answer = client.raw("GetLayout", handle, {})
    recorded = (api_fixtures / RECORDED_FIXTURE).read_text(encoding="utf-8")
    assert answer == '{"jsonrpc":"2.0","id":3,"result":' + recorded + "}"


def test_app_layout_and_positional_parameters(client: Client) -> None:
    assert client.call("OpenDoc", -1, [APP])["result"]["qReturn"] == {"qType": "Doc", "qHandle": 1, "qGenericId": APP}
    layout = client.call("GetAppLayout", 1, [])["result"]["qLayout"]
    assert layout["qLastReloadTime"] == "2026-10-02T05:33:12.345Z" and layout["qTitle"] == FAKE_TITLE
    assert client.call("OpenDoc", -1, {"qDocName": "other"})["error"]["code"] == 1002


def test_pages_and_their_limits(client: Client) -> None:
    handle = _cube(client, "bostotte_tellere_kommune", 10)
    layout = client.call("GetLayout", handle, {})["result"]["qLayout"]["qHyperCube"]
    assert layout["qSize"] == {"qcx": 7, "qcy": 69} and layout["qDataPages"][0]["qArea"]["qHeight"] == 10
    page = client.call(
        "GetHyperCubeData", handle, ["/qHyperCubeDef", [{"qTop": 65, "qLeft": 0, "qWidth": 7, "qHeight": 10}]]
    )
    area = page["result"]["qDataPages"][0]["qArea"]
    assert area == {"qLeft": 0, "qTop": 65, "qWidth": 7, "qHeight": 4}  # clipped at the last row
    too_big = {"qPath": "/qHyperCubeDef", "qPages": [{"qTop": 0, "qLeft": 0, "qWidth": 7, "qHeight": 1500}]}
    assert client.call("GetHyperCubeData", handle, too_big)["error"]["code"] == TOO_LARGE
    assert client.call("DestroySessionObject", 1, {"qId": "boligmonitor-bostotte_tellere_kommune"})["result"] == {
        "qSuccess": True
    }
    assert client.call("GetLayout", handle, {})["error"]["code"] == -32602


def test_an_oversized_initial_fetch_gives_qerror_7009_and_no_pages(client: Client) -> None:
    handle = _cube(client, "bostotte_tellere_kommune", 1500)  # 10 500 cells
    cube = client.call("GetLayout", handle, {})["result"]["qLayout"]["qHyperCube"]
    assert cube["qError"] == {"qErrorCode": TOO_LARGE} and cube["qDataPages"] == []


def test_synthetic_cubes_are_labelled_and_reproducible(client: Client) -> None:
    handle = _cube(client, "bostotte_husstander_norge", 300)
    layout = client.call("GetLayout", handle, {})["result"]["qLayout"]
    assert layout["boligmonitorSynthetic"].startswith("SYNTHETIC hypercube made up by tests/fakeqlik (seed 0)")
    cube = layout["qHyperCube"]
    assert cube["qSize"]["qcy"] == 18 * 12 + 9 + 1  # 2008-2025, 2026 up to September, and the '-' period
    first = cube["qDataPages"][0]["qMatrix"][0]
    assert [c["qText"] for c in first[:2]] == ["2008", "1"] and all(c["qNum"] == 0 for c in first[2:])  # before 2010
    definitions = load_definitions()
    definition = definitions.cube("bostotte_husstander_norge")
    again = SyntheticHypercube(definition, definitions.dataset(definition.dataset), SyntheticDomains(("0301",)), seed=0)
    assert again.cells(0, 300) == cube["qDataPages"][0]["qMatrix"]
    other = SyntheticHypercube(definition, definitions.dataset(definition.dataset), SyntheticDomains(("0301",)), seed=1)
    assert other.cells(100, 1) != again.cells(100, 1)
    last = again.cells(again.rows - 1, 1)[0]
    assert last[0]["qIsNull"] is True and last[0]["qNum"] == "NaN"  # the '-' period


def test_unknown_fields_get_column_errors(client: Client) -> None:
    client.call("OpenDoc", -1, {"qDocName": APP})
    prop = {
        "qInfo": {"qType": "x"},
        "qHyperCubeDef": {"qDimensions": [{"qDef": {"qFieldDefs": ["Nope"]}}], "qMeasures": []},
    }
    handle = client.call("CreateSessionObject", 1, {"qProp": prop})["result"]["qReturn"]["qHandle"]
    info = client.call("GetLayout", handle, {})["result"]["qLayout"]["qHyperCube"]["qDimensionInfo"]
    assert info == [{"qFallbackTitle": "Nope", "qError": {"qErrorCode": 7005}}]


def test_only_the_app_path_and_only_loopback(fake_qlik: FakeQlik, recorded_hypercube: RecordedHypercube) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(f"{fake_qlik.base_url}/app/not-the-app", proxy=None)
    assert refused.value.response.status_code == 404
    with pytest.raises(ValueError, match="loopback"):
        FakeQlik(recorded=recorded_hypercube, host="0.0.0.0")


def test_serve_fake_qlik_for_a_script(api_fixtures: Path) -> None:
    codes = husbanken_codes_from_klass(api_fixtures)
    assert len(codes) == 356 + 1 + 16 + 2  # 2026's municipalities without Oslo; Oslo's residual and districts; Svalbard
    fake = serve_fake_qlik("127.0.0.1", 0, api_fixtures=api_fixtures)
    try:
        assert fake.base_url.startswith("ws://127.0.0.1:") and fake.base_url.endswith("/public")
        assert fake.app.domains.municipality_codes == codes
        with connect(fake.app_url, proxy=None) as connection:
            assert json.loads(connection.recv(timeout=5))["method"] == "OnAuthenticationInformation"
    finally:
        fake.stop()
