"""The web monitor as an ASGI app: pages, their downloads, the JSON API and static assets.

``create_app(database_url)`` opens the database read-only in spirit (it never writes), loads the latest data
version whole (:mod:`boligmonitor.web.monitor`) and serves:

- HTML pages that work without JavaScript, each with ``.csv``, ``.xlsx``, ``.json`` and ``.jsonstat``
  siblings (append the suffix to the last path segment, keep the query);
- the JSON API under ``/api/v1/`` described at ``/openapi.json``;
- static assets from the package (``/static/…``; Designsystemet's CSS is vendored from npm at set-up).

Every response carries a Content-Security-Policy without inline script or style.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response

from boligmonitor import __version__
from boligmonitor.catalog.loader import load_catalog
from boligmonitor.catalog.models import Catalog
from boligmonitor.store import Store, database_url
from boligmonitor.web import routes
from boligmonitor.web.api import routes as api
from boligmonitor.web.error_pages import error_page
from boligmonitor.web.factsheet import routes as factsheet_routes
from boligmonitor.web.monitor import Monitor, UnknownPageError
from boligmonitor.web.pages import BadRequestError
from boligmonitor.web.views.indicator.map import municipality_paths

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # Designsystemet's CSS draws its icons as data: SVGs
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
}


REVALIDATE = "no-cache"  # may be stored, but must be revalidated: a new build changes every page


def page_etag(data_version: int, url: str) -> str:
    digest = hashlib.sha256(f"{__version__}|{data_version}|{url}".encode()).hexdigest()[:20]
    return f'W/"{digest}"'


def static_directory() -> Path:
    return Path(str(resources.files("boligmonitor.web").joinpath("static")))


def create_app(
    database_url_or_none: str | None = None, *, catalog: Catalog | None = None, warm: bool = False
) -> FastAPI:
    """The monitor for one database (default: BOLIGMONITOR_DATABASE_URL or var/boligmonitor.sqlite).

    ``warm`` (a server) computes every region's theme rows at start-up, so no visitor waits for a first
    computation, and keeps the loaded data out of the garbage collector's full collections.
    """
    store = Store.open(database_url(database_url_or_none), upgrade=False)
    monitor = Monitor(store, catalog or load_catalog(), freeze_heap=warm)
    if warm:
        monitor.data.warm()
        municipality_paths(monitor.data)  # the map's projected boundaries, once per data version
        monitor.freeze_heap()  # what warming computed lives as long as the data: out of the collector's way
    app = FastAPI(
        title="Boligmonitor API",
        version="1",
        summary="Housing-social statistics for Norway and its municipalities",
        description=api.API_DESCRIPTION,
        docs_url=None,  # Swagger UI loads scripts from a CDN: the OpenAPI description is at /openapi.json
        redoc_url=None,
    )
    app.state.monitor = monitor
    # Level 6: level 9 costs ~5x the time on the large indicator page for 2 % smaller output.
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)

    @app.middleware("http")
    async def revalidate_by_data_version(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Every page and API answer is a pure function of its URL and the data version, so the pair is its
        validator: a browser revisiting a page gets 304 without the page being rendered again."""
        if request.method != "GET" or request.url.path.startswith("/static/"):
            return await call_next(request)
        tag = page_etag(monitor.data.version.id if monitor.data.version else 0, str(request.url))
        if tag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers={"ETag": tag, "Cache-Control": REVALIDATE})
        response = await call_next(request)
        if response.status_code == 200:
            response.headers["ETag"] = tag
            response.headers.setdefault("Cache-Control", REVALIDATE)
            response.headers["Vary"] = "Accept-Encoding"
        return response

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(UnknownPageError)
    async def unknown_page(request: Request, error: UnknownPageError) -> Response:
        return error_page(request, 404, error)

    @app.exception_handler(BadRequestError)
    async def bad_request(request: Request, error: BadRequestError) -> Response:
        return error_page(request, 400, error)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        return error_page(request, error.status_code, error)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        # A bug: the visitor gets a page (or JSON under /api/) in their language; the error is still logged.
        return error_page(request, 500, error)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        return error_page(request, 400, error)

    app.include_router(api.router)
    app.include_router(factsheet_routes.router)
    app.include_router(routes.router)
    app.mount("/static", StaticFiles(directory=static_directory()), name="static")
    return app


__all__ = ["CONTENT_SECURITY_POLICY", "create_app"]
