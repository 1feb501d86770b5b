"""The page cache's rules on a small stand-in app (no database): what is kept, for whom, for how long.

The stand-in app answers every path with a body whose size the path names and counts its renders, so a
second request that does not render again was answered from the cache."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import cast

import anyio.to_thread
import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from boligmonitor.web.http_answers import accepts_gzip
from boligmonitor.web.monitor import Monitor
from boligmonitor.web.page_cache import PRIVATE, REVALIDATE, PageCache, has_private_cookie

SECURITY = {"X-Frame-Options": "DENY"}


class Version:
    """Stands in for a loaded data version: the cache only compares identities."""


async def _no_wait() -> None:
    pass


class StandInMonitor:
    def __init__(self) -> None:
        self.data = Version()


class StandInApp:
    """``/size/{n}`` answers n bytes of text; ``/status/{code}``, ``/cookie``, ``/private`` and ``/no-store`` say what
    their names say; ``during`` runs inside each render (to swap the data version mid-render), and ``/held``
    awaits ``hold`` before answering."""

    def __init__(self) -> None:
        self.renders: Counter[str] = Counter()
        self.during: Callable[[], None] = lambda: None
        self.hold: Callable[[], Awaitable[None]] = _no_wait

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        path = scope["path"]
        self.renders[path] = self.renders[path] + 1
        self.during()
        if path == "/held":
            await self.hold()
        headers = [(b"content-type", b"text/plain; charset=utf-8")]
        status = 200
        body = f"{path} {self.renders[path]} ".encode()
        if path.startswith("/size/"):
            body = (body * (int(path.removeprefix("/size/")) // len(body) + 1))[: int(path.removeprefix("/size/"))]
        elif path.startswith("/status/"):
            status = int(path.removeprefix("/status/"))
        elif path == "/cookie":
            headers.append((b"set-cookie", b"boligmonitor_session=1"))
        elif path == "/private":
            headers.append((b"cache-control", b"private"))
        elif path == "/no-store":  # as the account pages answer
            headers.append((b"cache-control", b"no-store"))
        elif path == "/boom":  # as Starlette's error middleware does: the error page is sent, then the error raised
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": b"error page"})
            raise RuntimeError("SYNTHETIC failure")
        assert "if-none-match" not in dict(scope["headers"]), "validators are the cache's business"
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def cache_client(max_bytes: int = 1_000_000) -> tuple[TestClient, StandInApp, StandInMonitor]:
    app = StandInApp()
    monitor = StandInMonitor()
    cache = PageCache(app, cast(Monitor, monitor), max_bytes=max_bytes, security_headers=SECURITY)
    return TestClient(cache), app, monitor


def test_a_second_request_is_answered_from_the_cache_with_the_same_bytes_and_tag() -> None:
    client, app, _ = cache_client()
    first = client.get("/size/5000")
    second = client.get("/size/5000")
    assert app.renders["/size/5000"] == 1
    assert first.content == second.content and len(first.content) == 5000
    assert first.headers["etag"] == second.headers["etag"]
    assert not first.headers["etag"].startswith("W/")
    assert first.headers["cache-control"] == REVALIDATE
    assert first.headers["vary"] == "Accept-Encoding"
    assert first.headers["x-frame-options"] == "DENY"
    assert first.headers["content-encoding"] == "gzip"  # the test client accepts gzip


def test_gzip_and_identity_are_the_same_body_with_different_strong_tags() -> None:
    client, app, _ = cache_client()
    zipped = client.get("/size/5000", headers={"Accept-Encoding": "gzip"})
    plain = client.get("/size/5000", headers={"Accept-Encoding": "identity"})
    assert app.renders["/size/5000"] == 1
    assert "content-encoding" not in plain.headers
    assert zipped.content == plain.content
    assert zipped.headers["etag"] != plain.headers["etag"]
    assert int(plain.headers["content-length"]) == 5000
    small = client.get("/size/100")  # too small to be worth compressing
    assert "content-encoding" not in small.headers


def test_if_none_match_is_a_304_with_the_validators_and_security_headers() -> None:
    client, app, _ = cache_client()
    tag = client.get("/size/5000").headers["etag"]
    for header in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        again = client.get("/size/5000", headers={"If-None-Match": header})
        assert again.status_code == 304, header
        assert again.content == b""
        assert again.headers["etag"] == tag
        assert again.headers["x-frame-options"] == "DENY"
        assert "content-type" not in again.headers
    assert client.get("/size/5000", headers={"If-None-Match": '"other"'}).status_code == 200
    assert app.renders["/size/5000"] == 1


def test_head_is_answered_like_get_without_a_body() -> None:
    client, app, _ = cache_client()
    head = client.head("/size/5000")  # a miss: rendered as a GET, kept
    get = client.get("/size/5000")
    assert app.renders["/size/5000"] == 1
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == get.headers["content-length"]


def test_a_new_data_version_empties_the_cache() -> None:
    client, app, monitor = cache_client()
    before = client.get("/size/5000")
    monitor.data = Version()
    after = client.get("/size/5000")
    assert app.renders["/size/5000"] == 2
    assert before.content != after.content  # the stand-in numbers its renders


def test_an_answer_rendered_while_the_version_changed_is_not_kept() -> None:
    client, app, monitor = cache_client()

    def swap() -> None:
        monitor.data = Version()

    app.during = swap
    client.get("/size/5000")
    app.during = lambda: None
    client.get("/size/5000")
    client.get("/size/5000")
    assert app.renders["/size/5000"] == 2  # the first was not kept: it may belong to the old version


def test_signed_in_requests_are_never_answered_from_nor_stored_in_the_cache() -> None:
    client, app, _ = cache_client()
    private = client.get("/size/5000", headers={"Cookie": "boligmonitor_session=abc"})
    assert private.headers["cache-control"] == PRIVATE
    client.get("/size/5000")  # the private answer was not kept: rendered again, and kept
    client.get("/size/5000")
    assert app.renders["/size/5000"] == 2
    for headers in ({"Authorization": "Bearer x"}, {"Cookie": "a=1; __Host-boligmonitor_id=2"}):
        answer = client.get("/size/5000", headers=headers)
        assert answer.headers["cache-control"] == PRIVATE
    assert app.renders["/size/5000"] == 4
    client.get("/size/5000", headers={"Cookie": "_pk_id=1"})  # someone else's cookie: still the shared page
    assert app.renders["/size/5000"] == 4


def test_concurrent_misses_of_one_url_render_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    client, app, _ = cache_client()
    inside, waiting, release = threading.Event(), threading.Event(), threading.Event()

    async def held() -> None:
        inside.set()
        await anyio.to_thread.run_sync(release.wait)

    app.hold = held
    shield = asyncio.shield

    def noted_shield(pending: asyncio.Future[object]) -> asyncio.Future[object]:
        waiting.set()  # a second request found the first one's render under way and waits for it
        return shield(pending)

    monkeypatch.setattr(asyncio, "shield", noted_shield)
    answers: list[httpx.Response] = []
    with client:  # one event loop for both requests
        first = threading.Thread(target=lambda: answers.append(client.get("/held")))
        first.start()
        assert inside.wait(60)
        second = threading.Thread(target=lambda: answers.append(client.get("/held")))
        second.start()
        assert waiting.wait(60)
        release.set()
        first.join(60)
        second.join(60)
    assert app.renders["/held"] == 1
    assert len(answers) == 2 and answers[0].content == answers[1].content


def test_an_error_page_is_sent_and_the_error_raised_for_the_server_to_log() -> None:
    app = StandInApp()
    cache = PageCache(app, cast(Monitor, StandInMonitor()), security_headers=SECURITY)
    answer = TestClient(cache, raise_server_exceptions=False).get("/boom")
    assert answer.status_code == 500 and answer.content == b"error page"
    assert answer.headers["x-frame-options"] == "DENY" and "etag" not in answer.headers
    with pytest.raises(RuntimeError, match="SYNTHETIC"):
        TestClient(cache).get("/boom")
    assert app.renders["/boom"] == 2  # never kept


@pytest.mark.parametrize("path", ["/status/404", "/status/303", "/cookie", "/private"])
def test_errors_redirects_cookies_and_private_answers_are_not_kept(path: str) -> None:
    client, app, _ = cache_client()
    first = client.get(path, follow_redirects=False)
    client.get(path, follow_redirects=False)
    assert app.renders[path] == 2
    assert "etag" not in first.headers or first.status_code == 200
    assert first.headers["x-frame-options"] == "DENY"


def test_memory_is_bounded_least_recently_used_first() -> None:
    client, app, _ = cache_client(max_bytes=128_000)  # ~30 answers of ~4 KB; one above 8 KB is not kept
    for path in ("/size/3000", "/size/3001", "/size/3002"):
        client.get(path, headers={"Accept-Encoding": "identity"})
    for _ in range(40):  # fill the rest with other pages, touching the first one throughout
        client.get("/size/3000")
        client.get(f"/size/{3100 + app.renders.total()}")
    client.get("/size/3000")
    client.get("/size/3001")
    assert app.renders["/size/3000"] == 1  # recently used: kept
    assert app.renders["/size/3001"] == 2  # least recently used: dropped
    huge = "/size/10000"  # above 1/16 of the limit: sent, never kept
    client.get(huge)
    client.get(huge)
    assert app.renders[huge] == 2


def test_other_methods_and_excluded_paths_pass_through() -> None:
    client, app, _ = cache_client()
    client.post("/size/5000")
    client.post("/size/5000")
    client.get("/static/x")
    client.get("/static/x")
    assert app.renders["/size/5000"] == 2
    assert app.renders["/static/x"] == 2


def test_accept_encoding_and_cookie_parsing() -> None:
    assert accepts_gzip(b"gzip, deflate, br")
    assert accepts_gzip(b"br;q=1.0, gzip;q=0.8")
    assert accepts_gzip(b"*")
    assert not accepts_gzip(b"gzip;q=0")
    assert not accepts_gzip(b"identity")
    assert not accepts_gzip(b"*, gzip;q=0")
    assert has_private_cookie(b"boligmonitor_session=1")
    assert has_private_cookie(b"x=1; __Secure-boligmonitor=2")
    assert not has_private_cookie(b"_ga=1; matomo=2")


def test_a_signed_in_page_the_app_marks_no_store_stays_no_store() -> None:
    client, app, _ = cache_client()
    signed_in = {"Cookie": "boligmonitor_session=abc"}
    assert client.get("/no-store", headers=signed_in).headers["cache-control"] == "no-store"
    assert client.get("/size/5000", headers=signed_in).headers["cache-control"] == PRIVATE
    client.get("/no-store", headers=signed_in)
    assert app.renders["/no-store"] == 2  # never kept
