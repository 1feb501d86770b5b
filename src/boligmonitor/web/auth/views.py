"""Rendering the pages of accounts and access in the monitor's layout and language, never cached.

Every page here is personal or holds a form token: ``Cache-Control: no-store``, and the sign-in cookie set when a
visitor without one is shown a form.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from boligmonitor.store.accounts import AccountError
from boligmonitor.web.auth.access import CSRF_FIELD, Principal
from boligmonitor.web.context import PageContext
from boligmonitor.web.i18n import Language, Translator, format_date, messages, parse_language
from boligmonitor.web.monitor import Monitor
from boligmonitor.web.pages import Page
from boligmonitor.web.rendering import render_html

NO_STORE: Final = "no-store"
NORWAY_TIME: Final = ZoneInfo("Europe/Oslo")
# The query parameters these pages keep in their own links (the language switch): where to go after sign-in,
# and the audit log's page.
KEPT_PARAMETERS: Final = ("neste", "eldre_enn")
# Pages that must not be where a sign-in leads back to.
_NOT_NEXT: Final = ("/logg-inn", "/logg-ut", "/invitasjon")


def page_context(request: Request) -> PageContext:
    monitor: Monitor = request.app.state.monitor
    query = {name: request.query_params[name] for name in KEPT_PARAMETERS if name in request.query_params}
    return PageContext(
        language=parse_language(request.query_params.get("lang")),
        data=monitor.data,
        path=request.url.path,
        query=query,
    )


def translator(request: Request) -> Translator:
    return Translator(parse_language(request.query_params.get("lang")))


def render(
    request: Request,
    principal: Principal,
    template: str,
    title: str,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> Response:
    ctx = page_context(request)
    page = Page(
        f"auth/{template}",
        title,
        {"principal": principal, "csrf_field": CSRF_FIELD, "csrf_token": principal.csrf_token, **context},
        status_code=status_code,
    )
    response = render_html(page, ctx, {"format_timestamp": format_timestamp, "format_json": format_json})
    response.headers["Cache-Control"] = NO_STORE
    response.headers.update(headers or {})
    principal.keep_browser_token(response, request)
    return response


def redirect(location: str) -> Response:
    """A 303 (see other): after a form, the browser GETs the next page and a reload does not post again."""
    return RedirectResponse(location, status_code=303, headers={"Cache-Control": NO_STORE})


def safe_next(raw: object) -> str | None:
    """Where to go after sign-in, if it is a path on this site (never another host: no open redirect)."""
    if not isinstance(raw, str) or not raw.startswith("/") or raw.startswith("//"):
        return None
    if "\\" in raw or any(ord(character) < 0x20 or ord(character) == 0x7F for character in raw):
        return None
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or parts.path.startswith(_NOT_NEXT):
        return None
    return raw


def problem_text(problem: AccountError, t: Translator) -> str:
    """An account problem in the page's language (the English message if no translation exists)."""
    key = f"auth.problem.{problem.code}"
    return t(key, **problem.values) if key in messages() else problem.message


def format_json(document: Mapping[str, Any]) -> str:
    """An audit entry's object as compact JSON, letters as they are (Bodø, not Bod\\u00f8)."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def format_timestamp(value: datetime, language: Language) -> str:
    """A moment in Norwegian time: "6. desember 2026 kl. 10.15.03" / "6 December 2026 10:15:03"."""
    local = value.astimezone(NORWAY_TIME)
    if language == "en":
        return f"{format_date(local, language)} {local:%H:%M:%S}"
    return f"{format_date(local, language)} kl. {local:%H.%M.%S}"


__all__ = [
    "NO_STORE",
    "format_json",
    "format_timestamp",
    "page_context",
    "problem_text",
    "redirect",
    "render",
    "safe_next",
    "translator",
]
