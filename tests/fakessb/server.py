"""A local fake of SSB's APIs (PxWebApi v2, legacy v0, KLASS) for connector tests, bound to loopback only.

Answers come from a `TableCatalogue`; faults come from a `FaultPlan`. Every request is logged, and every
answer carries rate-limit headers computed from a sliding window over the requests received, like SSB's
(`x-ratelimit-policy: 40;w=60s`). More requests than the limit inside the window are answered with 429.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from tests.fakessb.catalogue import (
    UNSUPPORTED_SELECTION,
    ApiError,
    KlassError,
    Reply,
    TableCatalogue,
    compact_json,
    split_value_codes,
)
from tests.fakessb.faults import STATUS_FOR_KIND, Fault, FaultKind, FaultPlan

PXWEB_V2_PREFIX = "/api/pxwebapi/v2"
KLASS_PREFIX = "/api/klass/v1"
V0_PREFIX = "/api/v0"
SSB_RATE_LIMIT = 40
SSB_WINDOW_SECONDS = 60.0
RATE_LIMIT_RESOURCE = "SB_API_1MIN"

_VALUE_CODES = re.compile(r"^valuecodes\[(.+)\]$", re.IGNORECASE)
_CODELIST = re.compile(r"^codelist\[(.+)\]$", re.IGNORECASE)
_HTML_ERROR_PAGE = (
    b"<!DOCTYPE html><html><head><title>Feil</title></head>"
    b"<body><h1>Tjenesten er midlertidig utilgjengelig</h1><p>SYNTHETIC error page (fake SSB)</p></body></html>"
)


class ManualClock:
    """A clock the test moves by hand, so rate-limit windows can be tested without sleeping."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


@dataclass
class RecordedRequest:
    """One request as the server received it; `status` is None when no answer was sent (time-out, reset)."""

    number: int
    time: float
    method: str
    path: str
    params: dict[str, list[str]]
    body: bytes
    headers: dict[str, str]
    fault: FaultKind | None = None
    status: int | None = None
    rate_limited: bool = False

    def json_body(self) -> Any:
        return json.loads(self.body)


@dataclass
class _RateWindow:
    limit: int
    window_seconds: float
    times: deque[float] = field(default_factory=deque)

    def admit(self, now: float) -> tuple[int, float]:
        """Count a request; return how many arrived in the window ending now, and seconds until the oldest expires."""
        while self.times and self.times[0] <= now - self.window_seconds:
            self.times.popleft()
        self.times.append(now)
        return len(self.times), self.times[0] + self.window_seconds - now


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeSsb


class FakeSsb:
    """The fake SSB server. Use as a context manager; `base_url` is the PxWebApi v2 root."""

    def __init__(
        self,
        catalogue: TableCatalogue | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit: int = SSB_RATE_LIMIT,
        window_seconds: float = SSB_WINDOW_SECONDS,
        enforce_rate_limit: bool = True,
        clock: Callable[[], float] = time.monotonic,
        api_fixtures: Path | None = None,
    ) -> None:
        if not _is_loopback(host):
            raise ValueError(f"the fake SSB server binds to a loopback address only, not {host!r}")
        if catalogue is None:
            if api_fixtures is None:
                raise ValueError("give a catalogue or the api_fixtures directory")
            catalogue = TableCatalogue.standard(api_fixtures)
        self.catalogue = catalogue
        self.rate_limit = rate_limit
        self.window_seconds = window_seconds
        self.enforce_rate_limit = enforce_rate_limit
        self.clock = clock
        self._fault_plan: FaultPlan | None = None
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._window = _RateWindow(rate_limit, window_seconds)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        server = _Server.__new__(_Server)
        server.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        _Server.__init__(server, (host, port), _Handler)
        server.fake = self
        self._server = server

    # --- life cycle ---

    def start(self) -> FakeSsb:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases handlers holding a connection for a time-out fault
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> FakeSsb:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # --- addresses ---

    @property
    def root_url(self) -> str:
        address, port = self._server.server_address[:2]
        host = address.decode() if isinstance(address, bytes) else str(address)
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    @property
    def base_url(self) -> str:
        return self.root_url + PXWEB_V2_PREFIX

    @property
    def klass_url(self) -> str:
        return self.root_url + KLASS_PREFIX

    @property
    def v0_url(self) -> str:
        return self.root_url + V0_PREFIX + "/no"

    # --- what tests set and inspect ---

    def set_fault_plan(self, plan: FaultPlan | None) -> None:
        with self._lock:
            self._fault_plan = plan

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def max_requests_in_any_window(self, window_seconds: float = SSB_WINDOW_SECONDS) -> int:
        """The most requests received inside any window of this length (ends inclusive of the start only)."""
        times = sorted(request.time for request in self.requests)
        most = 0
        start = 0
        for end, arrived in enumerate(times):
            while times[start] <= arrived - window_seconds:
                start += 1
            most = max(most, end - start + 1)
        return most

    # --- used by the handler ---

    def _receive(
        self, method: str, path: str, params: dict[str, list[str]], body: bytes, headers: dict[str, str]
    ) -> tuple[RecordedRequest, Fault | None, int, float]:
        with self._lock:
            now = self.clock()
            in_window, until_free = self._window.admit(now)
            request = RecordedRequest(len(self._requests) + 1, now, method, path, params, body, headers)
            self._requests.append(request)
            plan = self._fault_plan
        fault: Fault | None = None
        if self.enforce_rate_limit and in_window > self.rate_limit:
            request.rate_limited = True
        elif plan is not None:
            fault = plan.next_fault(path)
            request.fault = fault.kind if fault is not None else None
        return request, fault, in_window, until_free

    def _rate_headers(self, in_window: int) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.rate_limit),
            "x-ratelimit-remaining": str(max(0, self.rate_limit - in_window)),
            "x-ratelimit-policy": f"{self.rate_limit};w={self.window_seconds:g}s",
            "x-ratelimit-resource": RATE_LIMIT_RESOURCE,
        }

    def _answer(self, method: str, path: str, params: dict[str, list[str]], body: bytes) -> Reply:
        try:
            return _route(self.catalogue, method, path, params, body)
        except (ApiError, KlassError) as error:
            return error.reply()


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeSSB/1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes; avoid delayed-ACK stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the fake records requests itself."""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        request, fault, in_window, until_free = fake._receive(method, url.path, params, body, headers)
        rate_headers = fake._rate_headers(in_window)
        if request.rate_limited:
            retry_after = str(max(1, math.ceil(until_free)))
            reply = Reply(429, b"Too Many Requests", "text/plain; charset=UTF-8")
            self._send(request, reply, {**rate_headers, "Retry-After": retry_after})
            return
        if fault is None:
            self._send(request, fake._answer(method, url.path, params, body), rate_headers)
            return
        self._inject(fault, request, fake, rate_headers, method, url.path, params, body)

    def _inject(
        self,
        fault: Fault,
        request: RecordedRequest,
        fake: FakeSsb,
        rate_headers: dict[str, str],
        method: str,
        path: str,
        params: dict[str, list[str]],
        body: bytes,
    ) -> None:
        kind = fault.kind
        if kind in STATUS_FOR_KIND:
            status = STATUS_FOR_KIND[kind]
            extra = dict(rate_headers)
            if kind is FaultKind.RATE_LIMITED and fault.retry_after is not None:
                extra["Retry-After"] = str(fault.retry_after)
            content = f"SYNTHETIC fault: HTTP {status}".encode()
            self._send(request, Reply(status, content, "text/plain; charset=UTF-8"), extra)
        elif kind is FaultKind.SLOW:
            fake._stopping.wait(fault.delay)
            self._send(request, fake._answer(method, path, params, body), rate_headers)
        elif kind is FaultKind.TIMEOUT:
            fake._stopping.wait(fault.delay)
            self.close_connection = True
        elif kind is FaultKind.TRUNCATED:
            reply = fake._answer(method, path, params, body)
            request.status = reply.status
            self._send_head(reply, rate_headers)
            self.wfile.write(reply.body[: len(reply.body) // 2])
            self.wfile.flush()
            self.close_connection = True
        elif kind is FaultKind.WRONG_CONTENT_TYPE:
            self._send(request, Reply(200, _HTML_ERROR_PAGE, "text/html; charset=UTF-8"), rate_headers)
        elif kind is FaultKind.CONNECTION_RESET:
            # SO_LINGER with a zero timeout makes close() send a TCP RST instead of a FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True

    def _send_head(self, reply: Reply, extra_headers: dict[str, str]) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in extra_headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _send(self, request: RecordedRequest, reply: Reply, extra_headers: dict[str, str]) -> None:
        request.status = reply.status  # logged before the client can see the answer, so tests never race it
        self._send_head(reply, extra_headers)
        self.wfile.write(reply.body)


# --- routing ----------------------------------------------------------------------------------------------------


def _route(catalogue: TableCatalogue, method: str, path: str, params: dict[str, list[str]], body: bytes) -> Reply:
    parts = [part for part in path.split("/") if part]
    if path.startswith(PXWEB_V2_PREFIX + "/"):
        return _route_v2(catalogue, method, parts[3:], params, body)
    if path.startswith(KLASS_PREFIX + "/") and method == "GET":
        return _route_klass(catalogue, parts[3:], params)
    if path.startswith(V0_PREFIX + "/") and method == "POST" and len(parts) >= 5 and parts[3] == "table":
        return _v0_data(catalogue, parts[-1], body)
    if path.startswith(V0_PREFIX + "/") and method == "GET" and len(parts) >= 5 and parts[3] == "table":
        return Reply(200, compact_json(catalogue.table(parts[-1]).v0_metadata()))
    return Reply(404, compact_json({"status": 404, "error": "Not Found", "path": path}))


def _first(params: dict[str, list[str]], name: str) -> str | None:
    for key, values in params.items():
        if key.lower() == name.lower() and values:
            return values[0]
    return None


def _route_v2(
    catalogue: TableCatalogue, method: str, parts: list[str], params: dict[str, list[str]], body: bytes
) -> Reply:
    if parts == ["config"] and method == "GET":
        return Reply(200, catalogue.config())
    if parts == ["tables"] and method == "GET":
        return _search(catalogue, params)
    if len(parts) == 2 and parts[0] == "tables" and method == "GET":
        return Reply(200, compact_json(catalogue.v2_table(parts[1]).info()))
    if len(parts) == 3 and parts[0] == "tables" and parts[2] == "metadata" and method == "GET":
        return Reply(200, catalogue.v2_table(parts[1]).metadata())
    if len(parts) == 3 and parts[0] == "tables" and parts[2] == "data":
        table = catalogue.v2_table(parts[1])
        output_format = _first(params, "outputFormat") or _first(params, "format") or "json-stat2"
        if output_format.lower() != "json-stat2":
            raise ApiError(UNSUPPORTED_SELECTION)
        codelist_ids: dict[str, str] = {}
        selection = _get_selection(params) if method == "GET" else _post_selection(body, codelist_ids)
        codelists = {variable: catalogue.codelist_json(cid) for variable, cid in codelist_ids.items()}
        axes = table.resolve(selection, catalogue.max_cells, codelists)
        return Reply(200, table.data(axes))
    if len(parts) == 2 and parts[0] == "codelists" and method == "GET":
        return Reply(200, catalogue.codelist(parts[1]))
    return Reply(404, compact_json({"status": 404, "error": "Not Found"}))


def _get_selection(params: dict[str, list[str]]) -> dict[str, list[str]] | None:
    if any(_CODELIST.match(key) for key in params):
        raise ApiError(UNSUPPORTED_SELECTION)  # aggregation codelists are not simulated
    selection: dict[str, list[str]] = {}
    for key, values in params.items():
        match = _VALUE_CODES.match(key)
        if match:
            selection[match.group(1)] = [code for value in values for code in split_value_codes(value)]
    return selection or None


def _post_selection(body: bytes, codelists: dict[str, str]) -> dict[str, list[str]] | None:
    """The selection of a POST body; a variable's codelist (member `codelist`, or `codeList`: SSB's spelling is
    unconfirmed, ssb-api.md §2.4) goes into `codelists`."""
    try:
        document = json.loads(body) if body else {}
    except json.JSONDecodeError as error:
        raise ApiError(UNSUPPORTED_SELECTION) from error
    items = document.get("selection") if isinstance(document, dict) else None
    if not items:
        return None
    selection: dict[str, list[str]] = {}
    for item in items:
        if not isinstance(item, dict) or "variableCode" not in item:
            raise ApiError(UNSUPPORTED_SELECTION)
        variable = str(item["variableCode"])
        selection[variable] = [str(code) for code in item.get("valueCodes", [])]
        codelist = item.get("codelist") or item.get("codeList")
        if codelist:
            codelists[variable] = str(codelist)
    return selection


def _search(catalogue: TableCatalogue, params: dict[str, list[str]]) -> Reply:
    query = _first(params, "query") or ""
    past_days_text = _first(params, "pastDays")
    past_days = int(past_days_text) if past_days_text and past_days_text.isdigit() else None
    page_size = int(_first(params, "pageSize") or 20)
    page_number = int(_first(params, "pageNumber") or 1)
    hits = catalogue.search(query, past_days, datetime.now(UTC))
    page = hits[(page_number - 1) * page_size : page_number * page_size]
    total_pages = max(1, math.ceil(len(hits) / page_size))
    document = {
        "language": _first(params, "lang") or "no",
        "tables": page,
        "page": {
            "pageNumber": page_number,
            "pageSize": page_size,
            "totalElements": len(hits),
            "totalPages": total_pages,
        },
    }
    return Reply(200, compact_json(document))


def _route_klass(catalogue: TableCatalogue, parts: list[str], params: dict[str, list[str]]) -> Reply:
    if len(parts) != 3 or parts[0] != "classifications":
        raise KlassError(404, "unknown KLASS resource")
    classification_id, resource = parts[1], parts[2].removesuffix(".json")
    try:
        if resource == "codesAt":
            at = _first(params, "date")
            if at is None:
                raise KlassError(400, "parameter date is required")
            return Reply(200, catalogue.klass_codes_at(classification_id, date.fromisoformat(at)))
        if resource == "changes":
            start = _first(params, "from")
            end = _first(params, "to")
            if start is None:
                raise KlassError(400, "parameter from is required")
            until = date.fromisoformat(end) if end else None
            return Reply(200, catalogue.klass_changes(classification_id, date.fromisoformat(start), until))
    except ValueError as error:
        raise KlassError(400, "dates must be YYYY-MM-DD") from error
    raise KlassError(404, f"unknown KLASS resource {resource}")


def _v0_data(catalogue: TableCatalogue, table_id: str, body: bytes) -> Reply:
    table = catalogue.table(table_id)
    try:
        document = json.loads(body)
    except json.JSONDecodeError as error:
        raise ApiError(UNSUPPORTED_SELECTION) from error
    if not isinstance(document, dict):
        raise ApiError(UNSUPPORTED_SELECTION)
    recorded = catalogue.v0_recorded_answer(table_id, document)
    if recorded is not None:
        return Reply(200, recorded)
    response_format = (document.get("response") or {}).get("format", "json-stat2")
    if response_format != "json-stat2":
        raise ApiError(UNSUPPORTED_SELECTION)
    selection: dict[str, list[str]] = {}
    for item in document.get("query") or []:
        chosen = cast(dict[str, Any], item.get("selection") or {})
        kind = str(chosen.get("filter", "item"))
        values = [str(value) for value in chosen.get("values", [])]
        if kind == "item" or kind == "all":
            selection[str(item["code"])] = values
        elif kind == "top" and len(values) == 1:
            selection[str(item["code"])] = [f"top({values[0]})"]
        else:
            raise ApiError(UNSUPPORTED_SELECTION)  # vs:/agg: value sets are not simulated
    # v0 eliminates variables left out of the query (ssb-api.md §2.5); the v2 resolver does the same.
    axes = table.resolve(selection or None, catalogue.max_cells)
    return Reply(200, table.data(axes))
