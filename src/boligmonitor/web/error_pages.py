"""Error pages: an unknown municipality, theme or indicator is a 404 page in the visitor's language, a bad
query parameter a 400 page naming it; under /api/ the same errors are JSON with a message."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from boligmonitor.web.context import PageContext
from boligmonitor.web.i18n import Translator, parse_language
from boligmonitor.web.monitor import Monitor, UnknownPageError
from boligmonitor.web.pages import BadRequestError, Page
from boligmonitor.web.rendering import json_response, render_html
from boligmonitor.web.request_params import shown


def error_message(error: Exception, t: Translator) -> str:
    """What went wrong in the visitor's language; a value from the request is repeated shortened."""
    if isinstance(error, UnknownPageError):
        return t(f"error.unknown.{error.kind}", value=shown(error.value))
    if isinstance(error, BadRequestError):
        return t(
            "error.bad_parameter", parameter=shown(error.parameter), value=shown(error.value), expected=error.expected
        )
    if isinstance(error, RequestValidationError):
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem.get('loc', ()))}: {problem.get('msg', '')}"
            for problem in error.errors()
        )
        return t("error.invalid_request", problems=problems)
    if isinstance(error, StarletteHTTPException):
        if error.status_code == 404:
            return t("error.not_found")
        if error.status_code == 405:
            return t("error.method_not_allowed")
        return str(error.detail)
    return t("error.unexpected")


def error_parameter(error: Exception) -> str | None:
    """The query parameter a 400 is about, for the API's error document."""
    if isinstance(error, BadRequestError):
        return shown(error.parameter)
    if isinstance(error, RequestValidationError):
        for problem in error.errors():
            location = problem.get("loc", ())
            if len(location) >= 2 and location[0] in ("query", "path"):
                return str(location[-1])
    return None


def error_page(request: Request, status_code: int, error: Exception) -> Response:
    language = parse_language(request.query_params.get("lang"))
    t = Translator(language)
    message = error_message(error, t)
    headers = dict(error.headers or {}) if isinstance(error, StarletteHTTPException) else {}
    if request.url.path.startswith("/api/"):
        detail: dict[str, object] = {"status": status_code, "message": message}
        parameter = error_parameter(error)
        if parameter is not None:
            detail["parameter"] = parameter
        response = json_response({"error": detail}, status_code=status_code)
        response.headers.update(headers)  # e.g. Allow on a 405
        return response
    monitor: Monitor = request.app.state.monitor
    ctx = PageContext(language=language, data=monitor.data, path=request.url.path)
    title = t("error.title.404") if status_code == 404 else t("error.title.other")
    page = Page("error.html", title, {"message": message, "status_code": status_code}, status_code=status_code)
    response = render_html(page, ctx)
    response.headers.update(headers)
    return response


__all__ = ["error_message", "error_page", "error_parameter"]
