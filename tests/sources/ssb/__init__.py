"""Test doubles for the SSB and KLASS connectors: an in-memory :class:`HttpGetPost` over httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

Handler = Callable[[httpx.Request], httpx.Response]


@dataclass(frozen=True)
class FakeResponse:
    """What PoliteClient's Response offers: status, headers, raw body, json()."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class MockHttp:
    """Serves every request through ``handler`` (no socket is opened) and records the requests sent."""

    handler: Handler
    base_url: str = "https://data.ssb.no/api/pxwebapi/v2"
    sent: list[httpx.Request] = field(default_factory=list)

    def _send(self, method: str, path: str, params: Mapping[str, str], body: Any = None) -> FakeResponse:
        def record(request: httpx.Request) -> httpx.Response:
            self.sent.append(request)
            return self.handler(request)

        with httpx.Client(transport=httpx.MockTransport(record), base_url=self.base_url) as client:
            response = client.request(method, path, params=dict(params), json=body)
        return FakeResponse(response.status_code, dict(response.headers), response.content)

    def get(self, path: str, params: Mapping[str, str], /) -> FakeResponse:
        return self._send("GET", path, params)

    def post(self, path: str, json_body: Any, params: Mapping[str, str], /) -> FakeResponse:
        return self._send("POST", path, params, json_body)


def relative_path(request: httpx.Request, base_url: str) -> str:
    """The request's path below the base URL, e.g. ``tables/12134/data``."""
    base_path = httpx.URL(base_url).path.rstrip("/")
    return request.url.path.removeprefix(base_path).lstrip("/")


def serve(
    routes: Mapping[str, bytes | tuple[int, bytes]], base_url: str = "https://data.ssb.no/api/pxwebapi/v2"
) -> MockHttp:
    """A :class:`MockHttp` answering by relative path (query ignored); unknown paths get 404."""

    def handler(request: httpx.Request) -> httpx.Response:
        answer = routes.get(relative_path(request, base_url))
        if answer is None:
            return httpx.Response(404, content=b'{"type":"Not found","title":"no such route in the test","status":404}')
        status, body = answer if isinstance(answer, tuple) else (200, answer)
        return httpx.Response(status, content=body, headers={"content-type": "application/json"})

    return MockHttp(handler, base_url)
