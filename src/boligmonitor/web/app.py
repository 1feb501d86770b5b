"""The web monitor as an ASGI app: pages, their downloads, the JSON API and static assets.

``create_app(database_url)`` opens the database read-only in spirit (it never writes), loads the latest data
version whole (:mod:`boligmonitor.web.monitor`) and serves:

- HTML pages that work without JavaScript, each with ``.csv``, ``.xlsx``, ``.json`` and ``.jsonstat``
  siblings (append the suffix to the last path segment, keep the query);
- the JSON API under ``/api/v1/`` described at ``/openapi.json``;
- static assets from the package (``/static/…``; Designsystemet's CSS is vendored from npm at set-up), from
  memory under fingerprinted URLs (:mod:`boligmonitor.web.static_assets`).

Rendered answers are cached per data version (:mod:`boligmonitor.web.page_cache`); a newer data version is
loaded in the background (:mod:`boligmonitor.web.monitor`). Every response carries a Content-Security-Policy
without inline script or style.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from boligmonitor.catalog.loader import load_catalog
from boligmonitor.catalog.models import Catalog
from boligmonitor.store import Store, database_url
from boligmonitor.store.accounts import AccountStore
from boligmonitor.web import routes
from boligmonitor.web.api import routes as api
from boligmonitor.web.api.reporting import open_answers as open_answers_api_routes
from boligmonitor.web.api.reporting import routes as programme_api_routes
from boligmonitor.web.auth import AuthSettings, install_auth
from boligmonitor.web.auth import language as account_language_routes
from boligmonitor.web.error_pages import error_page
from boligmonitor.web.factsheet import routes as factsheet_routes
from boligmonitor.web.http_answers import GZIP_LEVEL, GZIP_MINIMUM_BYTES
from boligmonitor.web.monitor import Monitor, MonitorData, UnknownPageError
from boligmonitor.web.page_cache import PAGE_CACHE_BYTES, PageCache
from boligmonitor.web.pages import BadRequestError
from boligmonitor.web.programme_report import routes as programme_report_routes
from boligmonitor.web.redirects import slash_redirect
from boligmonitor.web.static_assets import StaticAssets, static_directory
from boligmonitor.web.views.indicator.map import municipality_paths
from boligmonitor.web.views.programme import coding_routes
from boligmonitor.web.views.programme import routes as programme_routes
from boligmonitor.web.views.programme_members import routes as programme_members_routes
from boligmonitor.web.views.reporting import inbox as inbox_routes
from boligmonitor.web.views.reporting import own_goals as own_goals_routes
from boligmonitor.web.views.reporting import routes as reporting_routes

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


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response that lacks them (plain ASGI: no per-request objects)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._headers = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                missing = [header for header in self._headers if header[0] not in present]
                message["headers"] = [*message.get("headers", []), *missing]
            await send(message)

        await self.app(scope, receive, with_headers)


class MonitorApp(FastAPI):
    """The monitor's FastAPI app behind a front door: HTTP requests meet the static assets and the page cache
    first, and only what those do not answer enters FastAPI's own stack (its error handling, its check for
    telemetry, the middleware below and the routing), which costs more than sending a cached answer."""

    front: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.front is not None and scope["type"] == "http":
            await self.front(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def behind_the_front_door(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)

    def build_middleware_stack(self) -> ASGIApp:
        # Outermost, around Starlette's ServerErrorMiddleware: the 500 page it sends gets the headers too
        # (added as ordinary middleware, SecurityHeaders would sit inside it and never see that page).
        return SecurityHeaders(super().build_middleware_stack())


def prepare_for_visitors(data: MonitorData) -> None:
    """What a server computes for each data version before serving it: every region's theme rows and the
    map's projected boundaries, so no visitor waits for a first computation."""
    data.warm()
    municipality_paths(data)


def create_app(
    database_url_or_none: str | None = None,
    *,
    catalog: Catalog | None = None,
    warm: bool = False,
    page_cache_bytes: int = PAGE_CACHE_BYTES,
    auth_settings: AuthSettings | None = None,
    accounts: AccountStore | None = None,
) -> FastAPI:
    """The monitor for one database (default: BOLIGMONITOR_DATABASE_URL or var/boligmonitor.sqlite).

    Accounts and access (:mod:`.auth`) are installed on every app, with ``auth_settings`` (default: from the
    environment) and ``accounts`` (default: the database's own); the database must be migrated.

    ``warm`` (a server) computes every region's theme rows before serving each data version, so no visitor
    waits for a first computation, and keeps the loaded data out of the garbage collector's full collections.
    While the app runs (its lifespan), the monitor's watcher thread loads newer data versions in the
    background. Rendered answers are kept per data version, up to ``page_cache_bytes`` (:mod:`.page_cache`).
    """
    store = Store.open(database_url(database_url_or_none), upgrade=False)
    monitor = Monitor(
        store, catalog or load_catalog(), freeze_heap=warm, prepare=prepare_for_visitors if warm else None
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        monitor.start()
        try:
            yield
        finally:
            monitor.stop(timeout=_STOP_SECONDS)

    app = MonitorApp(
        title="Boligmonitor API",
        version="1",
        summary="Housing-social statistics for Norway and its municipalities",
        description=api.API_DESCRIPTION,
        docs_url=None,  # Swagger UI loads scripts from a CDN: the OpenAPI description is at /openapi.json
        redoc_url=None,
        lifespan=lifespan,
        # No OpenTelemetry here; left on, FastAPI asks on every request whether it has been configured (~10 µs).
        telemetry={"tracing": False, "metrics": False, "logs": False},
        redirect_slashes=False,  # Starlette's redirect is absolute, from the Host header: see web/redirects.py
    )
    app.state.monitor = monitor
    # What reaches FastAPI (a miss, a non-GET) gets the security headers (MonitorApp.build_middleware_stack)
    # and, off the cache's path, gzip.
    # Level 6: level 9 costs ~5x the time on the large indicator page for 2 % smaller output.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=GZIP_LEVEL)
    page_cache = PageCache(
        app.behind_the_front_door, monitor, max_bytes=page_cache_bytes, security_headers=SECURITY_HEADERS
    )
    app.front = StaticAssets(page_cache, security_headers=SECURITY_HEADERS)

    @app.exception_handler(UnknownPageError)
    async def unknown_page(request: Request, error: UnknownPageError) -> Response:
        return error_page(request, 404, error)

    @app.exception_handler(BadRequestError)
    async def bad_request(request: Request, error: BadRequestError) -> Response:
        return error_page(request, 400, error)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404 and (redirect := slash_redirect(request)) is not None:
            return redirect
        return error_page(request, error.status_code, error)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        # A bug: the visitor gets a page (or JSON under /api/) in their language; the error is still logged.
        try:
            return error_page(request, 500, error)
        except Exception:  # the error page itself failed (no data loaded?): still an answer, never none
            _log.exception("the error page could not be rendered")
            return PlainTextResponse("500 Internal Server Error", status_code=500)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        return error_page(request, 400, error)

    for router in site_routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=static_directory()), name="static")  # what StaticAssets lacks: 404s
    install_auth(app, auth_settings, accounts=accounts)
    return app


def site_routers() -> tuple[APIRouter, ...]:
    """Every router of the site but accounts and access (``install_auth`` adds those), in the order they match:
    the one list that create_app includes and the docs test reads the routes from."""
    return (
        api.router,
        factsheet_routes.router,
        routes.router,
        reporting_routes.router,
        inbox_routes.router,
        account_language_routes.router,
        own_goals_routes.router,
        coding_routes.router,
        programme_routes.router,
        programme_members_routes.router,
        programme_api_routes.router,
        open_answers_api_routes.router,
        programme_report_routes.router,
    )


_STOP_SECONDS = 5.0  # at shutdown, how long to wait for a data version being loaded
_log = logging.getLogger(__name__)


__all__ = [
    "CONTENT_SECURITY_POLICY",
    "SECURITY_HEADERS",
    "MonitorApp",
    "create_app",
    "prepare_for_visitors",
]
