"""PoliteClient against httpx.MockTransport on a fake clock: no network, no real sleeping."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from boligmonitor.sources.connectors.http.archive import ResponseArchive, request_key
from boligmonitor.sources.connectors.http.client import DEFAULT_USER_AGENT, FetchError, PoliteClient
from boligmonitor.sources.connectors.http.ratelimit import RateLimiter
from boligmonitor.sources.connectors.http.retry import RetryPolicy
from tests.sources.http import FakeClock

BASE = "https://data.ssb.no/api/pxwebapi/v2"
NOW = datetime(2026, 4, 25, 10, 0, tzinfo=UTC)
JSON = {"content-type": "application/json; charset=UTF-8"}
Handler = Callable[[httpx.Request], httpx.Response]


class Server:
    """Answers requests from a script of responses, the last repeated; records every request it saw."""

    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.script = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def ok(payload: object = None, headers: dict[str, str] | None = None) -> httpx.Response:
    body = json.dumps(payload if payload is not None else {"ok": True}).encode()
    return httpx.Response(200, headers={**JSON, **(headers or {})}, content=body)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=0.0)


@pytest.fixture
def make_client(clock: FakeClock, tmp_path: Path) -> Iterator[Callable[..., PoliteClient]]:
    clients: list[PoliteClient] = []

    def make(
        server: Server,
        *,
        attempts: int = 6,
        calls: int = 30,
        archive: bool = True,
        max_delay: float = 60.0,
    ) -> PoliteClient:
        client = PoliteClient(
            BASE,
            limiter=RateLimiter(calls, 60.0, clock=clock, sleep=clock.sleep),
            retry=RetryPolicy(attempts=attempts, base_delay=1.0, max_delay=max_delay, jitter=0.5, random=lambda: 0.0),
            archive=ResponseArchive(tmp_path / "archive") if archive else None,
            transport=httpx.MockTransport(server),
            sleep=clock.sleep,
            now=lambda: NOW,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def test_get_success_is_archived_byte_exact(
    make_client: Callable[..., PoliteClient], tmp_path: Path, api_fixtures: Path, clock: FakeClock
) -> None:
    body = (api_fixtures / "ssb_pxwebapi_v2_12134_jsonstat2.json").read_bytes()
    server = Server(httpx.Response(200, headers={**JSON, "x-ratelimit-remaining": "38"}, content=body))
    client = make_client(server)
    params = {"lang": "no", "format": "json-stat2", "valuecodes[Tid]": "2024"}
    response = client.get("tables/12134/data", params)

    assert response.status == 200
    assert response.body == body
    assert response.attempts == 1
    assert response.json()["updated"] == "2026-03-16T07:00:00Z"
    sent = server.requests[0]
    assert sent.headers["user-agent"] == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("boligmonitor/")
    assert sent.url.params["valuecodes[Tid]"] == "2024"
    assert clock.sleeps == []

    assert response.archived_key == request_key("GET", f"{BASE}/tables/12134/data", params, None)
    archived = ResponseArchive(tmp_path / "archive").get(response.archived_key)
    assert archived is not None
    assert archived.body == body
    assert archived.table_id == "12134"
    assert archived.table_updated == "2026-03-16T07:00:00Z"
    assert archived.fetched_at == NOW
    assert archived.headers["x-ratelimit-remaining"] == "38"


def test_post_sends_json_body_and_archives_it(make_client: Callable[..., PoliteClient], tmp_path: Path) -> None:
    server = Server(ok([1, 2]))
    client = make_client(server)
    query = {"selection": [{"variableCode": "Tid", "valueCodes": ["2024"]}]}
    response = client.post("tables/12134/data", query, {"lang": "no"})
    assert json.loads(server.requests[0].content) == query
    assert server.requests[0].method == "POST"
    assert response.json() == [1, 2]
    assert response.archived_key == request_key("POST", f"{BASE}/tables/12134/data", {"lang": "no"}, query)


def test_without_archive_nothing_is_written(make_client: Callable[..., PoliteClient], tmp_path: Path) -> None:
    response = make_client(Server(ok()), archive=False).get("config")
    assert response.archived_key is None
    assert not (tmp_path / "archive").exists()


def test_429_with_retry_after_waits_exactly_that_long(
    make_client: Callable[..., PoliteClient], clock: FakeClock
) -> None:
    server = Server(httpx.Response(429, headers={"retry-after": "7"}, content=b""), ok())
    response = make_client(server).get("tables/12134/data")
    assert response.attempts == 2
    assert clock.sleeps == [7.0]
    assert clock.now == 7.0
    assert len(server.requests) == 2


def test_429_with_retry_after_http_date(make_client: Callable[..., PoliteClient], clock: FakeClock) -> None:
    server = Server(httpx.Response(429, headers={"retry-after": "Sat, 25 Apr 2026 10:00:12 GMT"}), ok())
    make_client(server).get("x")
    assert clock.sleeps == [12.0]


def test_429_without_retry_after_waits_a_whole_window(
    make_client: Callable[..., PoliteClient], clock: FakeClock
) -> None:
    server = Server(httpx.Response(429), ok())
    make_client(server).get("x")
    assert clock.now == pytest.approx(60.0)


def test_retry_after_longer_than_max_delay_gives_up_instead_of_coming_back_early(
    make_client: Callable[..., PoliteClient], clock: FakeClock
) -> None:
    server = Server(httpx.Response(429, headers={"retry-after": "3600"}), ok())
    with pytest.raises(FetchError, match="asked to wait 3600 s") as caught:
        make_client(server, max_delay=60.0).get("x")
    assert caught.value.status == 429
    assert len(server.requests) == 1
    assert clock.sleeps == []


def test_5xx_then_success_backs_off(make_client: Callable[..., PoliteClient], clock: FakeClock) -> None:
    server = Server(httpx.Response(502), httpx.Response(503), httpx.Response(500), ok())
    response = make_client(server).get("x")
    assert response.attempts == 4
    assert clock.sleeps == [1.0, 2.0, 4.0]


def test_persistent_503_gives_up_after_attempts(make_client: Callable[..., PoliteClient], clock: FakeClock) -> None:
    server = Server(httpx.Response(503, headers={"content-type": "text/plain"}, content=b"Service Unavailable"))
    with pytest.raises(FetchError) as caught:
        make_client(server, attempts=4).get("tables/12134/data")
    error = caught.value
    assert len(server.requests) == 4
    assert error.attempts == 4
    assert error.status == 503
    assert error.url == f"{BASE}/tables/12134/data"
    assert "gave up after 4 attempts" in str(error)
    assert "HTTP 503" in str(error)
    assert error.body_excerpt == "Service Unavailable"
    assert clock.sleeps == [1.0, 2.0, 4.0]  # no pointless sleep after the last attempt


def test_400_from_ssb_is_not_retried_and_names_the_problem(
    make_client: Callable[..., PoliteClient], api_fixtures: Path, clock: FakeClock
) -> None:
    probe = json.loads((api_fixtures / "ssb_api_probe_2026-04-25_requests_and_errors.json").read_text("utf-8"))
    unknown_table = next(e for e in probe["errors"] if "Non-existent table" in e["snippet"])
    server = Server(httpx.Response(unknown_table["status"], headers=JSON, content=unknown_table["snippet"].encode()))
    with pytest.raises(FetchError) as caught:
        make_client(server).get("tables/99999/data")
    error = caught.value
    assert len(server.requests) == 1
    assert error.status == 400
    assert error.attempts == 1
    assert "Non-existent table" in error.message
    assert "body says status 404" in error.message
    assert clock.sleeps == []


def test_truncated_body_is_retried(make_client: Callable[..., PoliteClient]) -> None:
    short = httpx.Response(200, headers={**JSON, "content-length": "500"}, content=b'{"value": [1, 2')
    server = Server(short, ok({"value": [1, 2, 3]}))
    response = make_client(server).get("x")
    assert response.attempts == 2
    assert response.json() == {"value": [1, 2, 3]}


def test_undecodable_json_is_retried_then_reported(make_client: Callable[..., PoliteClient]) -> None:
    server = Server(httpx.Response(200, headers=JSON, content=b'{"value": [1, 2'))
    with pytest.raises(FetchError, match="not valid JSON") as caught:
        make_client(server, attempts=3).get("x")
    assert len(server.requests) == 3
    assert caught.value.status == 200


def test_html_page_with_status_200_is_rejected(make_client: Callable[..., PoliteClient], tmp_path: Path) -> None:
    page = b"<!DOCTYPE html><html><body><h1>Vedlikehold</h1></body></html>"
    server = Server(httpx.Response(200, headers={"content-type": "text/html; charset=utf-8"}, content=page))
    with pytest.raises(FetchError, match="expected JSON, got content-type 'text/html") as caught:
        make_client(server).get("x")
    assert len(server.requests) == 1
    assert "Vedlikehold" in caught.value.body_excerpt
    assert list(ResponseArchive(tmp_path / "archive").entries()) == []  # failures are not archived


def test_json_stat_content_type_variants_are_accepted(make_client: Callable[..., PoliteClient]) -> None:
    server = Server(ok(headers={"content-type": "application/json-stat+json"}))
    assert make_client(server).get("x").status == 200


def test_connection_errors_and_timeouts_are_retried(make_client: Callable[..., PoliteClient]) -> None:
    server = Server(httpx.ConnectError("connection refused"), httpx.ReadTimeout("slow"), ok())
    assert make_client(server).get("x").attempts == 3


def test_persistent_timeout_gives_up_without_status(make_client: Callable[..., PoliteClient]) -> None:
    server = Server(httpx.ReadTimeout("slow"))
    with pytest.raises(FetchError, match="ReadTimeout") as caught:
        make_client(server, attempts=2).get("x")
    assert caught.value.status is None
    assert caught.value.attempts == 2


def test_every_attempt_goes_through_the_limiter(make_client: Callable[..., PoliteClient], clock: FakeClock) -> None:
    server = Server(httpx.Response(503))
    with pytest.raises(FetchError):
        make_client(server, attempts=4, calls=2).get("x")
    # Back-off sleeps 1 + 2 + 4 = 7 s; the limiter adds the rest, so the 3rd start comes 60 s after the 1st.
    assert clock.now >= 60.0


def test_rate_limit_headers_are_observed(make_client: Callable[..., PoliteClient], clock: FakeClock) -> None:
    server = Server(ok(headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "9"}))
    client = make_client(server)
    client.get("x")
    assert clock.now == 0.0
    client.get("y")
    assert clock.now == pytest.approx(9.0)


def test_overlong_get_url_asks_for_post(make_client: Callable[..., PoliteClient]) -> None:
    server = Server(ok())
    codes = ",".join(f"{n:04d}" for n in range(1, 600))
    with pytest.raises(ValueError, match="use post"):
        make_client(server).get("tables/12134/data", {"valuecodes[Region]": codes})
    assert server.requests == []
