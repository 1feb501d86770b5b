"""A thin JSON-RPC 2.0 client for Qlik's Engine API over one WebSocket (husbanken-qlik.md §2).

One :class:`QlikSession` is one WebSocket: it sends a call with the next integer ``id`` and reads messages until
the answer with that ``id`` arrives. Messages without an ``id`` (``OnAuthenticationInformation``, ``OnConnected``,
change notifications) are recorded and skipped; an answer to an earlier, abandoned call is skipped too. Every call
first waits for the shared rate limiter (the politeness pause) and must be answered within ``call_timeout``.

Failures of the connection (closed, reset, time-out, malformed JSON) raise :class:`QlikConnectionError`, which the
fetch retries on a new session; an error object from the engine raises :class:`QlikEngineError`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from boligmonitor.sources.connectors.http import DEFAULT_USER_AGENT, RateLimiter
from boligmonitor.sources.connectors.husbanken.errors import (
    QlikAuthenticationError,
    QlikConnectionError,
    QlikEngineError,
    QlikError,
    QlikProtocolError,
    QlikTimeoutError,
)

logger = logging.getLogger(__name__)

GLOBAL_HANDLE = -1
#: Pushed without an id when the engine drops the session: the rest of the session cannot be trusted.
_SESSION_ENDED = frozenset(
    {"OnSessionClosed", "OnSessionTimedOut", "OnEngineWebsocketFailed", "OnMaxParallelSessionsExceeded"}
)
#: HTTP answers to the WebSocket upgrade that a later try may not get.
_RETRYABLE_HANDSHAKE = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class QlikReply:
    """A call's answer: its ``result`` and the message exactly as received (for the raw-response archive)."""

    method: str
    request_id: int
    result: Mapping[str, Any]
    raw: bytes


class QlikSession:
    """One WebSocket session with the engine. Use as a context manager, or call :meth:`open` and :meth:`close`.

    ``url`` is the app's WebSocket URL (``wss://…/public/app/<id>`` with an optional ``/identity/<id>``).
    ``origin`` is sent as the ``Origin`` header, as Husbanken's front end does (§6.11). ``clock`` is monotonic.
    """

    def __init__(
        self,
        url: str,
        *,
        origin: str | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        open_timeout: float = 10.0,
        call_timeout: float = 60.0,
        limiter: RateLimiter | None = None,
        max_message_bytes: int = 64 * 1024 * 1024,
        proxy: str | Literal[True] | None = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.origin = origin
        self.user_agent = user_agent
        self.open_timeout = open_timeout
        self.call_timeout = call_timeout
        self.limiter = limiter
        self.max_message_bytes = max_message_bytes
        self.proxy = proxy
        self._clock = clock
        self._connection: ClientConnection | None = None
        self._next_id = 0
        self.pushes: list[str] = []  # methods of the id-less messages seen, in order
        self.calls = 0

    def __enter__(self) -> QlikSession:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        return self._connection is not None

    def open(self) -> None:
        """Connect; raises :class:`QlikConnectionError` (worth a retry) or :class:`QlikError` (not)."""
        if self._connection is not None:
            return
        try:
            connection = connect(
                self.url,
                origin=None if self.origin is None else Origin(self.origin),
                user_agent_header=self.user_agent,
                open_timeout=self.open_timeout,
                close_timeout=2.0,
                max_size=self.max_message_bytes,
                proxy=self.proxy,
                legacy=True,
            )
        except InvalidStatus as error:
            status = error.response.status_code
            message = f"the engine refused the WebSocket at {self.url}: HTTP {status}"
            if status in _RETRYABLE_HANDSHAKE:
                raise QlikConnectionError(message) from error
            raise QlikError(message) from error
        except InvalidURI as error:
            raise QlikError(f"not a WebSocket URL: {self.url!r} ({error})") from error
        except (OSError, TimeoutError, InvalidHandshake) as error:
            raise QlikConnectionError(
                f"could not connect to {self.url}: {error.__class__.__name__}: {error}"
            ) from error
        if not isinstance(connection, ClientConnection):  # legacy=True returns the connection itself
            raise QlikError("websockets returned no connection")
        self._connection = connection

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except (OSError, ConnectionClosed) as error:  # closing a broken connection: nothing left to save
                logger.debug("closing the Qlik WebSocket: %s", error)

    def call(self, method: str, handle: int, params: Mapping[str, Any], *, what: str = "") -> QlikReply:
        """Send one JSON-RPC call and return its answer; ``what`` names the call in error messages."""
        connection = self._connection
        if connection is None:
            raise QlikConnectionError(f"{method}: the session is not open")
        if self.limiter is not None:
            self.limiter.acquire()
        self._next_id += 1
        request_id = self._next_id
        message = {"jsonrpc": "2.0", "id": request_id, "method": method, "handle": handle, "params": params}
        self.calls += 1
        try:
            connection.send(json.dumps(message, ensure_ascii=False, separators=(",", ":")))
        except (ConnectionClosed, OSError) as error:
            raise QlikConnectionError(f"{what or method}: the connection closed while sending ({error})") from error
        deadline = self._clock() + self.call_timeout
        while True:
            raw = self._receive(connection, deadline, method, what)
            answer = _decode(raw, method, what)
            if "id" not in answer:
                self._push(answer, what or method)
                continue
            if answer["id"] != request_id:
                logger.debug("skipping an answer to call %r while waiting for %d", answer.get("id"), request_id)
                continue
            failure = answer.get("error")
            if failure is not None:
                raise _engine_error(method, failure, what)
            result = answer.get("result")
            if not isinstance(result, Mapping):
                raise QlikProtocolError(f"{what or method}: the answer has neither a result object nor an error")
            return QlikReply(method=method, request_id=request_id, result=result, raw=raw)

    def _receive(self, connection: ClientConnection, deadline: float, method: str, what: str) -> bytes:
        remaining = deadline - self._clock()
        if remaining <= 0:
            raise QlikTimeoutError(f"{what or method}: no answer within {self.call_timeout:g} s")
        try:
            data = connection.recv(timeout=remaining, decode=False)
        except TimeoutError as error:
            raise QlikTimeoutError(f"{what or method}: no answer within {self.call_timeout:g} s") from error
        except ConnectionClosed as error:
            raise QlikConnectionError(f"{what or method}: the engine closed the connection ({error})") from error
        except OSError as error:
            raise QlikConnectionError(f"{what or method}: the connection failed ({error})") from error
        return data if isinstance(data, bytes) else data.encode("utf-8")

    def _push(self, message: Mapping[str, Any], what: str) -> None:
        method = str(message.get("method", "change" if "change" in message else "?"))
        self.pushes.append(method)
        params = message.get("params")
        if method == "OnAuthenticationInformation" and isinstance(params, Mapping):
            if params.get("mustAuthenticate") is True:
                raise QlikAuthenticationError(
                    f"{self.url}: the engine asks to authenticate (mustAuthenticate: true); the anonymous "
                    "/public access documented in husbanken-qlik.md §1 is not open"
                )
        elif method in _SESSION_ENDED:
            raise QlikConnectionError(f"{what}: the engine ended the session ({method})")
        else:
            logger.debug("Qlik push %s skipped", method)


def _decode(raw: bytes, method: str, what: str) -> Mapping[str, Any]:
    try:
        answer = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        excerpt = raw[:120].decode("utf-8", errors="replace")
        raise QlikProtocolError(f"{what or method}: a message is not valid JSON ({error}): {excerpt!r}") from error
    if not isinstance(answer, Mapping):
        raise QlikProtocolError(f"{what or method}: a message is not a JSON object")
    return answer


def _engine_error(method: str, error: Any, what: str) -> QlikEngineError:
    if not isinstance(error, Mapping):
        return QlikEngineError(method, None, str(error), what=what)
    code = error.get("code")
    return QlikEngineError(
        method,
        code if isinstance(code, int) and not isinstance(code, bool) else None,
        str(error.get("message", "")),
        str(error.get("parameter", "") or ""),
        what=what,
    )
