"""HTTP caching for the JSON API: one data version per request, and how long a client may keep an answer.

The ETag and the 304 answers come from the page cache in front of the app (:mod:`boligmonitor.web.page_cache`):
a strong tag from the body as sent. This route class adds only what is the API's own: ``Cache-Control``
(an answer may be kept for a minute without asking again). The data version is fixed once per request
(:func:`request_data`), so a body never mixes two versions.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.responses import Response

from boligmonitor.web.monitor import Monitor, MonitorData

CACHE_CONTROL = "public, max-age=60"
_STATE_KEY = "api_data"


def request_data(request: Request) -> MonitorData:
    """The data version this request reads (a FastAPI dependency): the same one for the whole request."""
    data = getattr(request.state, _STATE_KEY, None)
    if not isinstance(data, MonitorData):
        monitor: Monitor = request.app.state.monitor
        data = monitor.data  # a plain attribute: a newer version is loaded in the background, never here
        setattr(request.state, _STATE_KEY, data)
    return data


class CachedRoute(APIRoute):
    """An API route whose successful answers say how long they may be kept."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def cached_handler(request: Request) -> Response:
            response = await handler(request)
            if response.status_code == 200:
                response.headers["Cache-Control"] = CACHE_CONTROL
            return response

        return cached_handler


__all__ = ["CACHE_CONTROL", "CachedRoute", "request_data"]
