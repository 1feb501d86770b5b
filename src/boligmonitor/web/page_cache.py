"""Rendered answers kept per data version and sent without entering the app: pages, downloads, the JSON API.

Every public page, download and API answer is a pure function of (data version, URL), the language being part
of the URL, so :class:`PageCache`, a plain ASGI middleware in front of the app's routing, keeps each one as
finished bytes (identity and gzip, with strong ETags: :mod:`boligmonitor.web.http_answers`) and answers a
repeated GET or HEAD with two ``send`` calls. ``If-None-Match`` naming the current body is a 304.

- **Per data version.** The cache belongs to the :class:`MonitorData` it was filled from; when the monitor
  swaps in a new version the next request empties it. An answer is kept only if the version did not change
  while it was rendered, so a page of the old version never lands in the new version's cache.
- **Bounded.** Least recently used answers go first once the bodies exceed ``max_bytes``
  (:data:`PAGE_CACHE_BYTES` by default, per worker process); an answer above 1/16 of that is sent, not kept.
- **Only what is the same for everyone.** A request with an ``Authorization`` header or one of the monitor's
  own cookies (a name starting ``boligmonitor``, also behind ``__Host-``/``__Secure-``) is rendered for itself,
  never answered from nor stored in the cache, and marked ``Cache-Control: private, no-cache``. Responses
  that set a cookie or say ``private``/``no-store`` are never stored, and only 200s are.
- **Rendering is limited.** At most :data:`RENDER_CONCURRENCY` misses render at once per process (rendering
  is CPU-bound Python: more threads only make each slower and starve the event loop), and concurrent misses
  of one URL render it once and share the answer.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from boligmonitor.web.http_answers import Answer, Headers, accepts_gzip, build_answer
from boligmonitor.web.monitor import Monitor, MonitorData

PAGE_CACHE_BYTES = 256 * 1024 * 1024  # per worker; a theme page is ~85 KB identity + ~14 KB gzip: ~2 500 of them
RENDER_CONCURRENCY = 2
REVALIDATE = "no-cache"  # may be stored, but must be revalidated: a new data version changes every page
PRIVATE = "private, no-cache"
PRIVATE_COOKIE_PREFIX = "boligmonitor"

_METHODS = frozenset({"GET", "HEAD"})
# Request headers the app never sees on this path: the cache negotiates encoding and validators itself.
_NEGOTIATED = frozenset({b"accept-encoding", b"if-none-match", b"if-modified-since", b"range", b"if-range"})
_ENTRY_FRACTION = 16


@dataclass(frozen=True, slots=True)
class _Request:
    accepts_gzip: bool
    if_none_match: bytes | None
    private: bool


def _read_request(headers: list[tuple[bytes, bytes]]) -> _Request:
    gzip_ok = False
    if_none_match = None
    private = False
    for name, value in headers:
        if name == b"accept-encoding":
            gzip_ok = accepts_gzip(value)
        elif name == b"if-none-match":
            if_none_match = value
        elif name == b"authorization" or (name == b"cookie" and has_private_cookie(value)):
            private = True
    return _Request(gzip_ok, if_none_match, private)


def has_private_cookie(cookie_header: bytes) -> bool:
    """Whether a Cookie header carries one of the monitor's own cookies (a future session): those requests may
    see something meant for one person. Other cookies (analytics, a proxy's) do not make a page personal."""
    for pair in cookie_header.split(b";"):
        name = pair.partition(b"=")[0].strip().removeprefix(b"__Host-").removeprefix(b"__Secure-")
        if name.lower().startswith(PRIVATE_COOKIE_PREFIX.encode()):
            return True
    return False


class _Entries:
    """The answers of one data version, least recently used first, with their total size."""

    def __init__(self, data: MonitorData, max_bytes: int) -> None:
        self.data = weakref.ref(data)  # never keeps an old version alive
        self.max_bytes = max_bytes
        self.answers: OrderedDict[bytes, Answer] = OrderedDict()
        self.size = 0
        self.rendering: dict[bytes, asyncio.Future[Answer | None]] = {}

    def get(self, key: bytes) -> Answer | None:
        answer = self.answers.get(key)
        if answer is not None:
            self.answers.move_to_end(key)
        return answer

    def put(self, key: bytes, answer: Answer) -> None:
        if answer.size > self.max_bytes // _ENTRY_FRACTION:
            return
        old = self.answers.pop(key, None)
        if old is not None:
            self.size -= old.size
        self.answers[key] = answer
        self.size += answer.size
        while self.size > self.max_bytes:
            _, evicted = self.answers.popitem(last=False)
            self.size -= evicted.size


class PageCache:
    """The page cache as ASGI middleware around the app (see the module's description)."""

    def __init__(
        self,
        app: ASGIApp,
        monitor: Monitor,
        *,
        max_bytes: int = PAGE_CACHE_BYTES,
        security_headers: Mapping[str, str] | None = None,
        excluded_prefixes: tuple[str, ...] = ("/static/",),
    ) -> None:
        self.app = app
        self.monitor = monitor
        self.max_bytes = max_bytes
        self.security_headers = dict(security_headers or {})
        self.excluded_prefixes = excluded_prefixes
        self._entries: _Entries | None = None
        self._renders: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None

    @property
    def size(self) -> int:
        """Bytes held now (for tests and diagnostics)."""
        return 0 if self._entries is None else self._entries.size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in _METHODS
            or scope["path"].startswith(self.excluded_prefixes)
        ):
            await self.app(scope, receive, send)
            return
        request = _read_request(scope["headers"])
        error: Exception | None = None
        if request.private:
            answer, error = await self._render(scope, receive, private=True)
        else:
            data = self.monitor.data
            entries = self._entries_for(data)
            key = (scope.get("raw_path") or scope["path"].encode()) + b"?" + scope["query_string"]
            found = entries.get(key)
            if found is None:
                answer, error = await self._shared_render(scope, receive, key, entries, data)
            else:
                answer = found
        await answer.send(
            send, accepts_gzip=request.accepts_gzip, if_none_match=request.if_none_match, head=scope["method"] == "HEAD"
        )
        if error is not None:
            raise error  # the app's error page has been sent; the server logs the error

    def _entries_for(self, data: MonitorData) -> _Entries:
        entries = self._entries
        if entries is None or entries.data() is not data:  # a new data version: start empty
            entries = self._entries = _Entries(data, self.max_bytes)
        return entries

    async def _shared_render(
        self, scope: Scope, receive: Receive, key: bytes, entries: _Entries, data: MonitorData
    ) -> tuple[Answer, Exception | None]:
        """Render a miss once however many requests ask for it meanwhile, and keep it if it may be kept."""
        pending = entries.rendering.get(key)
        if pending is not None and pending.get_loop() is asyncio.get_running_loop():
            shared = await asyncio.shield(pending)
            if shared is not None:
                return shared, None
            return await self._render(scope, receive, private=False)  # the first render failed: try ourselves
        future: asyncio.Future[Answer | None] = asyncio.get_running_loop().create_future()
        entries.rendering[key] = future
        try:
            answer, error = await self._render(scope, receive, private=False)
            shareable = error is None and _storable(answer)
            if shareable and answer.status == 200 and self.monitor.data is data:  # rendered from one version
                entries.put(key, answer)
            future.set_result(answer if shareable else None)
        finally:
            if not future.done():
                future.set_result(None)
            if entries.rendering.get(key) is future:
                del entries.rendering[key]
        return answer, error

    async def _render(self, scope: Scope, receive: Receive, *, private: bool) -> tuple[Answer, Exception | None]:
        """Run the app for a GET of this URL (also for HEAD) without validators or encodings, and encode its
        answer. An exception the app raised after sending its error page comes back beside that page."""
        inner: Scope = dict(scope)
        inner["method"] = "GET"
        inner["headers"] = [(name, value) for name, value in scope["headers"] if name not in _NEGOTIATED]
        status = 500
        headers: Headers = []
        body: list[bytes] = []
        complete = False

        async def capture(message: Message) -> None:
            nonlocal status, headers, complete
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                complete = not message.get("more_body", False)

        error: Exception | None = None
        async with self._render_slot():  # encoding too: it is CPU work like the rendering
            try:
                await self.app(inner, receive, capture)
            except Exception as raised:
                if not complete:
                    raise
                error = raised
            if private:
                # Signed-in pages are private; those the app marks no-store (account pages) stay so.
                own = [value for name, value in headers if name.lower() == b"cache-control"]
                if not any(b"no-store" in value.lower() for value in own):
                    headers = [(name, value) for name, value in headers if name.lower() != b"cache-control"]
                    headers.append((b"cache-control", PRIVATE.encode()))
            elif not any(name.lower() == b"cache-control" for name, _ in headers):
                headers.append((b"cache-control", REVALIDATE.encode()))
            answer = await run_in_threadpool(
                build_answer,
                status,
                headers,
                b"".join(body),
                tagged=status == 200 and error is None,
                extra_headers=self.security_headers,
            )
        return answer, error

    def _render_slot(self) -> asyncio.Semaphore:
        """The semaphore of the running event loop (a test client may run the app on several loops in turn)."""
        loop = asyncio.get_running_loop()
        if self._renders is None or self._renders[0] is not loop:
            self._renders = (loop, asyncio.Semaphore(RENDER_CONCURRENCY))
        return self._renders[1]


def _storable(answer: Answer) -> bool:
    """Whether an answer may be given to someone else: it sets no cookie and is not marked private."""
    for name, value in answer.identity.headers:
        if name == b"set-cookie":
            return False
        if name == b"cache-control" and (b"private" in value.lower() or b"no-store" in value.lower()):
            return False
    return True


__all__ = ["PAGE_CACHE_BYTES", "PRIVATE", "RENDER_CONCURRENCY", "REVALIDATE", "PageCache", "has_private_cookie"]
