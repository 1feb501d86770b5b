"""Live connectors for Statistics Norway: PxWebApi v2 (:mod:`.pxweb`), the legacy v0 API (:mod:`.pxweb_v0`)
and request planning under the cell limit (:mod:`.requests`). KLASS lives in
:mod:`boligmonitor.sources.connectors.klass`.

The connectors never open a socket themselves. Each function takes an ``http`` object that satisfies
:class:`HttpGetPost` -- in production the project's polite client (throttling, retries, raw-response archive),
in tests an in-memory fake serving recorded responses. ``http`` is bound to one API's base URL
(:data:`PXWEB_V2_BASE_URL`, :data:`PXWEB_V0_BASE_URL` or :data:`KLASS_BASE_URL`); functions pass paths relative
to it. See ``docs/ssb-client.md``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final, Protocol

from boligmonitor.sources.connectors.http import FetchError

PXWEB_V2_BASE_URL: Final = "https://data.ssb.no/api/pxwebapi/v2"
PXWEB_V0_BASE_URL: Final = "https://data.ssb.no/api/v0"
KLASS_BASE_URL: Final = "https://data.ssb.no/api/klass/v1"


class HttpResponse(Protocol):
    """What the connectors read from a response: status, headers, raw body and its JSON."""

    @property
    def status(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def body(self) -> bytes: ...

    def json(self) -> Any: ...


class HttpGetPost(Protocol):
    """The two calls the connectors make. Arguments are positional so any parameter names satisfy it.

    ``path`` is relative to the base URL the object is bound to; ``params`` become the query string;
    ``json_body`` is serialised as the JSON request body.
    """

    def get(self, path: str, params: Mapping[str, str], /) -> HttpResponse: ...

    def post(self, path: str, json_body: Any, params: Mapping[str, str], /) -> HttpResponse: ...


class SsbApiError(Exception):
    """An SSB or KLASS request that failed, naming what was asked for and what the server said.

    SSB reports bad queries as ``{"type": "Parameter error", "title": ..., "status": ...}``, where the body's
    ``status`` may differ from the HTTP status (an unknown table: HTTP 400 with ``"status": 404``; ssb-api.md
    §3.3, [V]). ``title`` is the useful part ("Non-existent value", "Too many cells selected", ...).
    """

    def __init__(
        self,
        what: str,
        http_status: int | None,
        title: str | None = None,
        api_status: int | None = None,
        detail: str | None = None,
    ) -> None:
        self.what = what
        self.http_status = http_status
        self.title = title
        self.api_status = api_status
        self.detail = detail
        reason = title or detail or "no explanation in the response"
        status = "no response" if http_status is None else f"HTTP {http_status}"
        if api_status is not None and api_status != http_status:
            status += f", body status {api_status}"
        super().__init__(f"{what}: {reason} ({status})")

    @property
    def too_many_cells(self) -> bool:
        """The server refused the size of the extract (documented as 403, observed as 400; ssb-api.md §3.1)."""
        return self.title == "Too many cells selected" or self.http_status == 403


def raise_for_error(response: HttpResponse, what: str) -> None:
    """Raise :class:`SsbApiError` for any non-2xx response, with the title from SSB's error body if any."""
    if not 200 <= response.status < 300:
        raise error_from_body(what, response.status, response.body)


def error_from_body(what: str, http_status: int | None, body_bytes: bytes) -> SsbApiError:
    """The :class:`SsbApiError` for a failed request, reading ``title``/``status``/``detail`` from its body."""
    title: str | None = None
    api_status: int | None = None
    detail: str | None = None
    try:
        body = json.loads(body_bytes)
    except (ValueError, UnicodeDecodeError):
        body = None
    if isinstance(body, Mapping):
        title = body.get("title") if isinstance(body.get("title"), str) else None
        raw_status = body.get("status")
        api_status = raw_status if isinstance(raw_status, int) and not isinstance(raw_status, bool) else None
        detail = body.get("detail") if isinstance(body.get("detail"), str) else None
    if title is None and detail is None:
        snippet = body_bytes[:200].decode("utf-8", errors="replace").strip()
        detail = snippet or None
    return SsbApiError(what, http_status, title=title, api_status=api_status, detail=detail)


@contextmanager
def fetch_errors_as_ssb_errors(what: str) -> Iterator[None]:
    """Turn the polite client's :class:`~boligmonitor.sources.connectors.http.FetchError` into :class:`SsbApiError`.

    ``PoliteClient`` raises for a non-retryable status itself, before a connector sees the response; this
    puts the table (or classification) and SSB's ``title`` back into the error.
    """
    try:
        yield
    except FetchError as error:
        raise error_from_body(what, error.status, error.body_excerpt.encode("utf-8")) from error


def get_checked(http: HttpGetPost, path: str, params: Mapping[str, str], what: str) -> HttpResponse:
    """``http.get`` whose failures, raised or returned, become :class:`SsbApiError`."""
    with fetch_errors_as_ssb_errors(what):
        response = http.get(path, params)
    raise_for_error(response, what)
    return response


def post_checked(http: HttpGetPost, path: str, body: Any, params: Mapping[str, str], what: str) -> HttpResponse:
    """``http.post`` whose failures, raised or returned, become :class:`SsbApiError`."""
    with fetch_errors_as_ssb_errors(what):
        response = http.post(path, body, params)
    raise_for_error(response, what)
    return response


def get_json(http: HttpGetPost, path: str, params: Mapping[str, str], what: str) -> Any:
    """The parsed JSON of a successful GET; an :class:`SsbApiError` if it failed or is not JSON."""
    response = get_checked(http, path, params, what)
    try:
        return json.loads(response.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise SsbApiError(what, response.status, detail=f"the response is not JSON: {error}") from None
