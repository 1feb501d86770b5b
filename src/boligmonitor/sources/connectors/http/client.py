"""The polite HTTP client every live connector uses (SSB PxWebApi, KLASS).

Each attempt waits for the rate limiter, sends a User-Agent naming the project, adapts to the server's
rate-limit headers, retries what is worth retrying (:mod:`.retry`), rejects truncated bodies and non-JSON
answers, archives every successful response (:mod:`.archive`) and, when it gives up, raises
:class:`FetchError` naming what went wrong.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

import httpx

from boligmonitor.sources.connectors.http.archive import ArchivedRequest, Params, ResponseArchive, canonical_params
from boligmonitor.sources.connectors.http.ratelimit import RateLimiter
from boligmonitor.sources.connectors.http.retry import RetryPolicy, TruncatedBody, parse_retry_after

# SSB's GET URLs stop working around 2 000–2 100 characters (docs/ssb-api.md §3.4); use POST above this.
MAX_GET_URL_LENGTH = 2000
BODY_EXCERPT_CHARS = 300


def _package_version() -> str:
    try:
        return metadata.version("boligmonitor")
    except metadata.PackageNotFoundError:
        return "0+unknown"


DEFAULT_USER_AGENT = f"boligmonitor/{_package_version()} (+https://github.com/boligmonitor)"


class FetchError(Exception):
    """A request failed for good: a non-retryable answer, or retries exhausted. The message says why."""

    def __init__(self, message: str, url: str, status: int | None, body_excerpt: str, attempts: int) -> None:
        self.message = message
        self.url = url
        self.status = status
        self.body_excerpt = body_excerpt
        self.attempts = attempts
        text = f"{message} ({url}; status {status if status is not None else 'none'}; {attempts} attempt(s))"
        if body_excerpt:
            text += f": {body_excerpt}"
        super().__init__(text)


@dataclass(frozen=True)
class Response:
    """A successful, complete JSON response."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    archived_key: str | None
    attempts: int

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class _Failure:
    """Why one attempt failed; ``retry_after`` is the server's wish in seconds, if it stated one."""

    message: str
    status: int | None
    excerpt: str
    retryable: bool
    error: Exception | None = None
    retry_after: float | None = None


class PoliteClient:
    """GET and POST JSON from one base URL, politely. Use as a context manager or call :meth:`close`.

    ``sleep`` is how the client waits between retries (inject a fake clock's sleep in tests); ``now`` gives the
    UTC fetch time recorded in the archive.
    """

    def __init__(
        self,
        base_url: str,
        *,
        limiter: RateLimiter,
        retry: RetryPolicy,
        archive: ResponseArchive | None,
        transport: httpx.BaseTransport | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.limiter = limiter
        self.retry = retry
        self.archive = archive
        self._sleep = sleep
        self._now = now
        self._http = httpx.Client(
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            follow_redirects=True,
        )

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def url_for(self, path: str) -> str:
        """The absolute URL (without query) for ``path`` relative to the base URL."""
        return f"{self.base_url}/{path.lstrip('/')}" if path else self.base_url

    def get(self, path: str, params: Params | None = None) -> Response:
        url = self.url_for(path)
        full_length = len(str(httpx.URL(url, params=_wire_params(params))))
        if full_length > MAX_GET_URL_LENGTH:
            raise ValueError(f"GET URL is {full_length} characters, over {MAX_GET_URL_LENGTH}: use post() instead")
        return self._request("GET", url, params, None)

    def post(self, path: str, json_body: Any, params: Params | None = None) -> Response:
        return self._request("POST", self.url_for(path), params, json_body)

    def _request(self, method: str, url: str, params: Params | None, json_body: Any) -> Response:
        wire_params = _wire_params(params)
        last: _Failure | None = None
        for attempt in range(1, self.retry.attempts + 1):
            self.limiter.acquire()
            outcome = self._attempt(method, url, wire_params, json_body)
            if isinstance(outcome, httpx.Response):
                return self._success(method, url, params, json_body, outcome, attempt)
            last = outcome
            if not outcome.retryable:
                raise FetchError(outcome.message, url, outcome.status, outcome.excerpt, attempt)
            if attempt == self.retry.attempts:
                break
            if outcome.retry_after is not None and outcome.retry_after > self.retry.max_delay:
                # Coming back before the server allows would be impolite and pointless.
                raise FetchError(
                    f"{outcome.message}; server asked to wait {outcome.retry_after:g} s, "
                    f"more than max_delay {self.retry.max_delay:g} s",
                    url,
                    outcome.status,
                    outcome.excerpt,
                    attempt,
                )
            wait = self.retry.delay(attempt, outcome.retry_after)
            if outcome.retry_after is not None:
                # Shared limiters make every other caller respect Retry-After too.
                self.limiter.pause_for(wait)
            elif outcome.status == 429:
                self.limiter.note_rejected()
            self._sleep(wait)
        assert last is not None  # the loop ran at least once
        raise FetchError(
            f"gave up after {self.retry.attempts} attempts; last problem: {last.message}",
            url,
            last.status,
            last.excerpt,
            self.retry.attempts,
        )

    def _attempt(
        self, method: str, url: str, params: dict[str, list[str]], json_body: Any
    ) -> httpx.Response | _Failure:
        try:
            response = self._http.request(method, url, params=params, json=json_body)
        except httpx.HTTPError as error:
            return _Failure(
                message=f"{error.__class__.__name__}: {error}",
                status=None,
                excerpt="",
                retryable=self.retry.is_retryable(None, error),
                error=error,
            )
        self.limiter.observe(response.headers)
        status = response.status_code
        excerpt = _excerpt(response.content)
        if not 200 <= status < 300:
            return _Failure(
                message=_describe_status(status, response.content),
                status=status,
                excerpt=excerpt,
                retryable=self.retry.is_retryable(status, None),
                retry_after=parse_retry_after(response.headers.get("retry-after"), self._now()),
            )
        content_type = response.headers.get("content-type", "")
        if not _is_json(content_type):
            # e.g. an HTML maintenance or error page served with 200: never data.
            return _Failure(
                message=f"expected JSON, got content-type {content_type or 'none'!r}",
                status=status,
                excerpt=excerpt,
                retryable=False,
            )
        try:
            _check_complete(response)
        except TruncatedBody as error:
            return _Failure(
                message=str(error),
                status=status,
                excerpt=excerpt,
                retryable=self.retry.is_retryable(status, error),
                error=error,
            )
        return response

    def _success(
        self, method: str, url: str, params: Params | None, json_body: Any, response: httpx.Response, attempts: int
    ) -> Response:
        headers = {name.lower(): value for name, value in response.headers.items()}
        archived_key: str | None = None
        if self.archive is not None:
            request = ArchivedRequest.of(method, url, params, json_body)
            archived_key = request.key
            self.archive.store(
                archived_key,
                request,
                response.status_code,
                headers,
                response.content,
                self._now().astimezone(UTC),
                _table_updated(response.content),
            )
        return Response(
            url=str(response.url),
            status=response.status_code,
            headers=headers,
            body=response.content,
            archived_key=archived_key,
            attempts=attempts,
        )


def _wire_params(params: Params | None) -> dict[str, list[str]]:
    return canonical_params(params)


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type in {"application/json", "text/json"} or media_type.endswith("+json")


def _check_complete(response: httpx.Response) -> None:
    """Raise :class:`TruncatedBody` if fewer bytes arrived than announced, or the JSON does not parse."""
    announced = response.headers.get("content-length")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if announced is not None and announced.strip().isdigit():
        # With a content-encoding, Content-Length counts the encoded bytes; compare those when known.
        if encoding == "identity":
            received: int | None = len(response.content)
        else:
            # Unknown (0) when the transport handed over an already-decoded body, as MockTransport does.
            received = response.num_bytes_downloaded or None
        if received is not None and received != int(announced):
            raise TruncatedBody(f"body has {received} bytes, Content-Length announced {announced}")
    try:
        json.loads(response.content)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TruncatedBody(f"body is not valid JSON ({error})") from error


def _excerpt(body: bytes) -> str:
    text = body[: BODY_EXCERPT_CHARS * 4].decode("utf-8", errors="replace")
    text = " ".join(text.split())
    return text[:BODY_EXCERPT_CHARS] + ("…" if len(text) > BODY_EXCERPT_CHARS else "")


def _describe_status(status: int, body: bytes) -> str:
    """``HTTP 400`` plus SSB's error ``title`` (e.g. "Non-existent value") when the body carries one."""
    message = f"HTTP {status}"
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return message
    if isinstance(parsed, dict):
        title = parsed.get("title")
        if isinstance(title, str) and title:
            message += f": {title}"
        inner = parsed.get("status")
        if isinstance(inner, int) and inner != status:
            message += f" (body says status {inner})"
    return message


def _table_updated(body: bytes) -> str | None:
    """JSON-stat's top-level ``updated`` stamp, so the archive knows which table version it holds."""
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if isinstance(parsed, dict):
        updated = parsed.get("updated")
        if isinstance(updated, str):
            return updated
    return None
