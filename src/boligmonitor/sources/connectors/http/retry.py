"""When to retry a failed request and how long to wait first.

Retried: 429 (rate limited), 500/502/503/504, time-outs, connection errors and bodies that arrived truncated or
undecodable. Not retried: every other 4xx — SSB answers a bad selection (unknown table, region or
ContentsCode, too many cells) with 400 and a JSON body naming the problem (``docs/ssb-api.md`` §3.3), and asking
again would only give the same answer.
"""

from __future__ import annotations

import math
import random as _random
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

# Transport failures worth another try. Deliberately not httpx.TransportError as a whole: it also covers
# UnsupportedProtocol and proxy misconfiguration, which no retry can fix.
_RETRYABLE_ERRORS: tuple[type[BaseException], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,  # e.g. the peer closed the connection in the middle of the body
    TimeoutError,
    ConnectionError,
)


class TruncatedBody(Exception):  # noqa: N818 -- the name the connectors' brief fixed
    """A body shorter than its Content-Length, or JSON that does not parse: the transfer went wrong."""


class RetryPolicy:
    """Exponential back-off with jitter, honouring ``Retry-After``.

    ``attempts`` counts every try, the first included. After failed attempt ``n`` (1-based) the wait is
    ``base_delay * 2**(n-1)``, stretched by up to ``jitter`` (a fraction) at random, and never above
    ``max_delay``. ``random`` returns a float in [0, 1) and is injectable for deterministic tests.
    """

    def __init__(
        self,
        attempts: int = 6,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        jitter: float = 0.5,
        random: Callable[[], float] = _random.random,
    ) -> None:
        if attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {attempts}")
        if base_delay < 0 or max_delay < 0 or jitter < 0:
            raise ValueError("base_delay, max_delay and jitter must not be negative")
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.jitter = jitter
        self._random = random

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based).

        A server's ``retry_after`` (seconds) is used exactly as given — no jitter, the server chose it — but capped
        at ``max_delay``. Callers that must not come back early should compare it with ``max_delay`` themselves
        (:class:`~boligmonitor.sources.connectors.http.client.PoliteClient` gives up instead).
        """
        if attempt < 1:
            raise ValueError(f"attempt is 1-based, got {attempt}")
        if retry_after is not None and math.isfinite(retry_after):
            return min(max(0.0, retry_after), self.max_delay)
        backoff = self.base_delay * 2.0 ** min(attempt - 1, 62)
        return min(backoff * (1.0 + self.jitter * self._random()), self.max_delay)

    def is_retryable(self, status: int | None, error: Exception | None) -> bool:
        """Whether a request that ended with ``status`` and/or ``error`` is worth another try."""
        if error is not None:
            return isinstance(error, (TruncatedBody, *_RETRYABLE_ERRORS))
        return status is not None and status in RETRYABLE_STATUSES


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date. ``None`` if unreadable.

    A date in the past gives ``0.0``. ``now`` (UTC-aware) defaults to the current time.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())
