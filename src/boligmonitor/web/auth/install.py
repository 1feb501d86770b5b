"""Putting accounts and access into the monitor's app: ``install_auth(app)`` after ``create_app``.

It adds the pages (:mod:`.routes`), keeps the account store and settings on ``app.state.auth`` for
:func:`~boligmonitor.web.auth.access.require`, and turns its refusals into answers in the visitor's language:

- nobody signed in -> 303 to ``/logg-inn?neste=…`` (under ``/api/``: 401 JSON); a resumable form posted after
  her session expired -> the sign-in page in place (401), holding what she typed (:mod:`.resume`);
- signed in without the permission -> 403 page (JSON under ``/api/``);
- an unsafe request without its CSRF token -> 403 page;
- SQLite's write lock held by a build for longer than the busy timeout -> 503 page, try again.
"""

from __future__ import annotations

from typing import Final

from fastapi import FastAPI, Request
from sqlalchemy import inspect
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from boligmonitor.store.accounts import AccountStore
from boligmonitor.store.engine import DatabaseBusyError
from boligmonitor.web.auth.access import (
    AccessDeniedError,
    AuthState,
    CsrfRefusedError,
    SignInRequiredError,
    identify,
)
from boligmonitor.web.auth.oidc import OidcClient
from boligmonitor.web.auth.resume import TooLargeError, kept_from_expired_post
from boligmonitor.web.auth.routes import router, sign_in_page
from boligmonitor.web.auth.settings import AuthSettings
from boligmonitor.web.auth.views import NO_STORE, page_context, redirect, translator
from boligmonitor.web.error_pages import error_page
from boligmonitor.web.monitor import Monitor
from boligmonitor.web.rendering import json_response

SIGN_IN_PATH: Final = "/logg-inn"
BUSY_RETRY_SECONDS: Final = 30


def install_auth(app: FastAPI, settings: AuthSettings | None = None, *, accounts: AccountStore | None = None) -> None:
    """Add accounts and access to an app made by :func:`boligmonitor.web.app.create_app`.

    ``settings`` default to :meth:`AuthSettings.from_environment`; ``accounts`` to the accounts of the app's own
    database, which must be migrated (revision 0003 or later). Call it before the app serves its first request.
    """
    settings = settings or AuthSettings.from_environment()
    if accounts is None:
        monitor: Monitor = app.state.monitor
        accounts = AccountStore(
            monitor.store.engine, session_policy=settings.session_policy, rate_limits=settings.rate_limits
        )
    if not inspect(accounts.engine).has_table("account"):
        raise RuntimeError(
            "the database has no account tables: migrate it first (every command that writes does, "
            "e.g. `boligmonitor user list`)"
        )
    app.state.auth = AuthState(accounts, settings)
    app.state.auth_oidc = OidcClient(settings.oidc) if settings.oidc is not None else None
    app.include_router(router)
    app.add_exception_handler(SignInRequiredError, _sign_in_required)
    app.add_exception_handler(AccessDeniedError, _access_denied)
    app.add_exception_handler(CsrfRefusedError, _csrf_refused)
    app.add_exception_handler(DatabaseBusyError, _database_busy)


async def _sign_in_required(request: Request, error: Exception) -> Response:
    t = translator(request)
    if _is_api(request):
        return _no_store(json_response({"error": {"status": 401, "message": t("auth.error.sign_in_required")}}, 401))
    ctx = page_context(request)
    if request.method in ("GET", "HEAD"):
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(ctx.url(SIGN_IN_PATH, neste=here))
    kept_page = await _sign_in_keeping_answers(request)
    return kept_page if kept_page is not None else redirect(ctx.url(SIGN_IN_PATH))


_FORM_TYPES: Final = ("application/x-www-form-urlencoded", "multipart/form-data")


async def _sign_in_keeping_answers(request: Request) -> Response | None:
    """The sign-in page in place of a resumable form posted without a live session, carrying its answers."""
    if not request.headers.get("content-type", "").startswith(_FORM_TYPES):
        return None
    t = translator(request)
    try:
        kept = kept_from_expired_post(request, await request.form())
    except TooLargeError as too_large:
        principal = await identify(request)
        notice = t("session.expired.too_large")
        return sign_in_page(request, principal, email="", next_path=str(too_large), notice=notice, status_code=401)
    if kept is None:
        return None
    principal = await identify(request)
    return sign_in_page(
        request,
        principal,
        email="",
        next_path=kept.path,
        kept=kept,
        notice=t("session.expired.lead"),
        status_code=401,
    )


async def _access_denied(request: Request, error: Exception) -> Response:
    t = translator(request)
    return _no_store(error_page(request, 403, StarletteHTTPException(403, detail=t("auth.error.forbidden"))))


async def _csrf_refused(request: Request, error: Exception) -> Response:
    t = translator(request)
    return _no_store(error_page(request, 403, StarletteHTTPException(403, detail=t("auth.error.csrf"))))


async def _database_busy(request: Request, error: Exception) -> Response:
    t = translator(request)
    headers = {"Retry-After": str(BUSY_RETRY_SECONDS)}
    answer = StarletteHTTPException(503, detail=t("auth.error.busy"), headers=headers)
    return _no_store(error_page(request, 503, answer))


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = NO_STORE
    return response


__all__ = ["install_auth"]
