"""A local fake of Husbanken's Qlik engine (Statistikkbank) for connector tests, bound to loopback only.

A websockets sync server in a thread, like the fake SSB server (tests/fakessb): the WebSocket URL is
``ws://127.0.0.1:PORT/public/app/<app id>[/identity/<id>]``. Each connection gets the engine's greeting pushes, then
answers to its JSON-RPC calls from :mod:`tests.fakeqlik.engine`. The recorded bostøtte hypercube is replayed
byte-exact; every other definition of ``definitions.yaml`` gets a SYNTHETIC hypercube (seeded). Faults come from a
:class:`~tests.fakeqlik.faults.QlikFaultPlan`; every call is logged.

``serve_fake_qlik(host, port)`` starts one for a script (``scripts/fake-sources``); the ``fake_qlik`` fixture
(tests/fakeqlik/conftest.py) starts one per test.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from boligmonitor.sources.connectors.husbanken.definitions import Definitions, load_definitions
from tests.fakeqlik.engine import (
    DEFAULT_RELOAD_TIME,
    MAX_PAGE_CELLS,
    FakeApp,
    FakeSession,
    parse_call,
    parse_error,
)
from tests.fakeqlik.faults import QlikFaultKind, QlikFaultPlan
from tests.fakeqlik.hypercubes import DEFAULT_YEARS, RecordedHypercube, SyntheticDomains

PROXY_PREFIX = "/public"
#: A small synthetic KommuneNr domain for tests: Oslo's residual and districts (0311-0325), the discontinued 0326,
#: Svalbard's pseudo-codes, two current municipalities and one historical code (1601 Trondheim, before 2018).
TEST_MUNICIPALITY_CODES: tuple[str, ...] = (
    "0301",
    *(f"0{n}" for n in range(311, 327)),
    "2100",
    "2111",
    "4203",
    "5043",
    "1601",
)
KLASS_CODES_FIXTURE = "klass_131_codesAt_2026-01-01.json"
UNSPECIFIED = "9999"  # KLASS's "unknown municipality": no KommuneNr of Husbanken's


@dataclass(frozen=True)
class RecordedCall:
    """One call as the fake received it; ``fault`` is the fault it got, if any."""

    number: int
    connection: int
    path: str
    method: str
    handle: Any
    params: Any
    fault: QlikFaultKind | None


class FakeQlik:
    """The fake engine. Use as a context manager (or :meth:`start`/:meth:`stop`); ``base_url`` is the proxy root."""

    def __init__(
        self,
        *,
        recorded: RecordedHypercube | None,
        municipality_codes: Sequence[str] = TEST_MUNICIPALITY_CODES,
        definitions: Definitions | None = None,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        reload_time: str = DEFAULT_RELOAD_TIME,
        max_page_cells: int = MAX_PAGE_CELLS,
        last_month: int = 9,
        years: Sequence[int] = DEFAULT_YEARS,
    ) -> None:
        if not _is_loopback(host):
            raise ValueError(f"the fake Qlik engine binds to a loopback address only, not {host!r}")
        self.app = FakeApp(
            definitions=definitions if definitions is not None else load_definitions(),
            recorded=recorded,
            domains=SyntheticDomains(tuple(municipality_codes), years=tuple(years), last_month=last_month),
            seed=seed,
            reload_time=reload_time,
            max_page_cells=max_page_cells,
        )
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._calls: list[RecordedCall] = []
        self._connections = 0
        self._paths: list[str] = []
        self._headers: list[Headers] = []
        self._fault_plan: QlikFaultPlan | None = None
        self._stopping = threading.Event()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._path = re.compile(rf"^{PROXY_PREFIX}/app/([^/]+)(?:/identity/([^/]+))?/?$")

    # --- life cycle ---

    def start(self) -> FakeQlik:
        self._server = serve(
            self._handle,
            self._host,
            self._port,
            process_request=self._check_path,
            compression=None,
            max_size=None,
            ping_interval=None,
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping for a slow-answer fault
        if self._server is not None:
            self._server.shutdown()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeQlik:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # --- addresses ---

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fake Qlik engine is not running")
        return int(self._server.socket.getsockname()[1])

    @property
    def base_url(self) -> str:
        shown = f"[{self._host}]" if ":" in self._host else self._host
        return f"ws://{shown}:{self.port}{PROXY_PREFIX}"

    @property
    def app_url(self) -> str:
        return f"{self.base_url}/app/{self.app.app_id}"

    # --- what tests set and inspect ---

    def set_fault_plan(self, plan: QlikFaultPlan | None) -> None:
        with self._lock:
            self._fault_plan = plan

    def set_reload_time(self, text: str) -> None:
        """Simulate Husbanken's nightly reload: later sessions see another qLastReloadTime."""
        self.app.reload_time = text

    @property
    def calls(self) -> list[RecordedCall]:
        with self._lock:
            return list(self._calls)

    def methods(self) -> list[str]:
        return [call.method for call in self.calls]

    @property
    def connections(self) -> int:
        with self._lock:
            return self._connections

    @property
    def paths(self) -> list[str]:
        with self._lock:
            return list(self._paths)

    @property
    def handshake_headers(self) -> list[Headers]:
        with self._lock:
            return list(self._headers)

    # --- the server side ---

    def _check_path(self, connection: ServerConnection, request: Request) -> Response | None:
        match = self._path.match(request.path)
        if match is None or match.group(1) != self.app.app_id:
            return connection.respond(404, f"no app at {request.path} (fake Qlik engine)\n")
        return None

    def _handle(self, connection: ServerConnection) -> None:
        with self._lock:
            self._connections += 1
            number = self._connections
            path = connection.request.path if connection.request is not None else ""
            self._paths.append(path)
            if connection.request is not None:
                self._headers.append(connection.request.headers)
        session = FakeSession(self.app)
        try:
            for push in session.greetings():
                connection.send(push)
            while not self._stopping.is_set():
                message = connection.recv()
                if not self._answer(connection, session, number, path, message):
                    return
        except ConnectionClosed:
            return

    def _answer(self, connection: ServerConnection, session: FakeSession, number: int, path: str, message: Any) -> bool:
        """Answer one message; False when the connection was cut."""
        call = parse_call(message)
        if call is None:
            connection.send(parse_error(message))
            return True
        method = str(call.get("method", ""))
        with self._lock:
            plan = self._fault_plan
        fault = plan.next_fault(method) if plan is not None else None
        with self._lock:
            self._calls.append(
                RecordedCall(
                    number=len(self._calls) + 1,
                    connection=number,
                    path=path,
                    method=method,
                    handle=call.get("handle"),
                    params=call.get("params"),
                    fault=fault.kind if fault is not None else None,
                )
            )
        if fault is not None and fault.kind is QlikFaultKind.DISCONNECT:
            _cut(connection)
            return False
        if fault is not None and fault.kind is QlikFaultKind.SLOW:
            self._stopping.wait(fault.delay)
        if fault is not None and fault.kind is QlikFaultKind.MALFORMED:
            answer = session.answer(call)
            connection.send(answer[: max(1, len(answer) // 2)])
            return True
        too_large = fault is not None and fault.kind is QlikFaultKind.TOO_LARGE
        connection.send(session.answer(call, too_large=too_large))
        return True


def _cut(connection: ServerConnection) -> None:
    """Drop the TCP connection without a WebSocket close: what a network failure looks like to the client."""
    with contextlib.suppress(OSError):  # already gone
        connection.socket.shutdown(socket.SHUT_RDWR)
    connection.socket.close()


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_api_fixtures() -> Path:
    """``../shared/data/api_fixtures`` beside the repository (or under BOLIGMONITOR_SHARED_DATA)."""
    configured = os.environ.get("BOLIGMONITOR_SHARED_DATA")
    shared = Path(configured) if configured else Path(__file__).resolve().parents[2].parent / "shared" / "data"
    return shared / "api_fixtures"


def husbanken_codes_from_klass(api_fixtures: Path) -> tuple[str, ...]:
    """A KommuneNr domain like Husbanken's from KLASS's municipalities of 2026: Oslo's residual and districts
    instead of Oslo, the discontinued 0326 and Svalbard's pseudo-codes."""
    body = json.loads((api_fixtures / KLASS_CODES_FIXTURE).read_text(encoding="utf-8"))
    codes = [str(item["code"]) for item in body["codes"] if str(item["code"]) not in ("0301", UNSPECIFIED)]
    return ("0301", *(f"0{n}" for n in range(311, 327)), *sorted(codes), "2100", "2111")


def serve_fake_qlik(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    api_fixtures: Path | None = None,
    municipality_codes: Sequence[str] | None = None,
    seed: int = 0,
    years: Sequence[int] = DEFAULT_YEARS,
) -> FakeQlik:
    """Start a fake engine (for a script such as ``scripts/fake-sources``); call ``stop()`` on the handle.

    It replays the recorded bostøtte hypercube from ``api_fixtures`` and serves SYNTHETIC hypercubes for every
    other definition, over every municipality of KLASS's 2026 list unless ``municipality_codes`` is given, for
    ``years`` (fewer years make the monthly cubes smaller and quicker to serve).
    """
    fixtures = api_fixtures if api_fixtures is not None else default_api_fixtures()
    codes = tuple(municipality_codes) if municipality_codes is not None else husbanken_codes_from_klass(fixtures)
    fake = FakeQlik(
        recorded=RecordedHypercube.from_fixtures(fixtures),
        municipality_codes=codes,
        seed=seed,
        host=host,
        port=port,
        years=years,
    )
    return fake.start()
