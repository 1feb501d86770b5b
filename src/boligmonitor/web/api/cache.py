"""HTTP caching for the JSON API: one data version per request, an ETag from it, Cache-Control, 304s.

Every answer is a pure function of its URL and the data version, so ``W/"<version>-<hash of the URL>"`` names
it. The tag is weak because the GZip middleware may re-encode the body. The data version is fixed once per
request (:func:`request_data`), so the tag and the body never come from two different versions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from boligmonitor.web.monitor import Monitor, MonitorData

CACHE_CONTROL = "public, max-age=60"
_STATE_KEY = "api_data"


def request_data(request: Request) -> MonitorData:
    """The data version this request reads (a FastAPI dependency): the same one for the whole request."""
    data = getattr(request.state, _STATE_KEY, None)
    if not isinstance(data, MonitorData):
        monitor: Monitor = request.app.state.monitor
        data = monitor.data
        setattr(request.state, _STATE_KEY, data)
    return data


def entity_tag(data: MonitorData, request: Request) -> str:
    version = "none" if data.version is None else str(data.version.id)
    url = request.url.path + ("?" + request.url.query if request.url.query else "")
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    return f'W/"{version}-{digest}"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an If-None-Match header names ``tag`` (weak comparison, as RFC 9110 asks for it)."""
    if not if_none_match:
        return False
    wanted = {candidate.strip().removeprefix("W/") for candidate in if_none_match.split(",")}
    return "*" in wanted or tag.removeprefix("W/") in wanted


class CachedRoute(APIRoute):
    """An API route whose successful answers carry ETag and Cache-Control and that answers 304 when the client
    already holds the current version."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def cached_handler(request: Request) -> Response:
            # Off the event loop: the first request after a new build loads that version whole.
            data = await run_in_threadpool(request_data, request)
            tag = entity_tag(data, request)
            headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL}
            if matches(request.headers.get("if-none-match"), tag):
                return Response(status_code=304, headers=headers)
            response = await handler(request)
            if response.status_code == 200:
                response.headers.update(headers)
            return response

        return cached_handler


__all__ = ["CACHE_CONTROL", "CachedRoute", "entity_tag", "matches", "request_data"]
