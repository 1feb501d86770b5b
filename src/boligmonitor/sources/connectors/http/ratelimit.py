"""A sliding-window rate limiter that also obeys the limits a server announces in its headers.

SSB documents 30 calls per minute per IP address, while its responses announce ``x-ratelimit-policy: 40;w=60s``
(``docs/ssb-api.md`` §3.2). The limiter therefore enforces *every* known limit at once: the configured default
plus whatever the server announces. Taking all of them means the limiter can only become stricter than the
configured default and is never looser than the server's announcement.

Because the limit is per IP address and may be shared with colleagues, a ``remaining: 0`` from the server is
honoured even if our own count says there is room: the limiter then waits for the announced reset.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# A wait shorter than this is rounded up, so a fake clock (or float rounding) can never leave acquire() spinning.
_MIN_WAIT = 1e-6
# x-ratelimit-reset values above this are read as Unix timestamps rather than seconds from now.
_EPOCH_THRESHOLD = 1e9


@dataclass(frozen=True)
class WindowLimit:
    """At most ``calls`` request starts in any window of ``per_seconds`` seconds."""

    calls: int
    per_seconds: float


def parse_policy(value: str) -> list[WindowLimit]:
    """Read an ``x-ratelimit-policy`` header such as ``"40;w=60s"`` or ``"10;w=1, 40;w=60"``.

    Parts that cannot be read, or that announce a zero or negative limit (SSB's ``/config`` uses ``0`` for
    "unknown"), are skipped.
    """
    limits: list[WindowLimit] = []
    for part in value.split(","):
        pieces = [p.strip() for p in part.split(";")]
        calls = _parse_int(pieces[0])
        window: float | None = None
        for param in pieces[1:]:
            name, _, raw = param.partition("=")
            if name.strip().lower() == "w":
                window = _parse_seconds(raw.strip().strip('"'))
        if calls is not None and calls > 0 and window is not None and window > 0:
            limits.append(WindowLimit(calls, window))
    return limits


def _parse_int(raw: str) -> int | None:
    try:
        return int(raw.strip())
    except ValueError:
        return None


def _parse_seconds(raw: str) -> float | None:
    text = raw.lower().removesuffix("s")
    try:
        seconds = float(text)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) else None


class RateLimiter:
    """Never lets more than ``calls`` requests start in any window of ``per_seconds`` seconds.

    Call :meth:`acquire` before every request (including retries) and :meth:`observe` with every response's
    headers. ``clock`` must be monotonic; ``sleep`` is how the limiter waits. Both are injectable so tests run
    on a fake clock. ``wall_clock`` is only used to read ``x-ratelimit-reset`` values given as Unix time.
    The limiter is thread-safe: waiting callers queue behind one another.
    """

    def __init__(
        self,
        calls: int = 30,
        per_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        *,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if calls < 1:
            raise ValueError(f"calls must be at least 1, got {calls}")
        if not per_seconds > 0:
            raise ValueError(f"per_seconds must be positive, got {per_seconds}")
        self.configured = WindowLimit(calls, float(per_seconds))
        self.clock = clock
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._announced: tuple[WindowLimit, ...] = ()
        self._added: tuple[WindowLimit, ...] = ()
        self._starts: deque[float] = deque()
        self._paused_until = -math.inf
        self._lock = threading.RLock()

    @property
    def limits(self) -> tuple[WindowLimit, ...]:
        """Every limit enforced: the configured one, those added with :meth:`add_limit`, then the announced."""
        return (self.configured, *self._added, *self._announced)

    def add_limit(self, limit: WindowLimit) -> None:
        """Also enforce ``limit`` from now on (e.g. one read from SSB's ``/config``): only ever stricter."""
        if limit.calls < 1 or not limit.per_seconds > 0:
            raise ValueError(f"a limit needs at least 1 call in a positive window, got {limit}")
        with self._lock:
            if limit not in self._added:
                self._added = (*self._added, limit)

    @property
    def window_seconds(self) -> float:
        """The longest window enforced; a 429 without other hints waits this long."""
        return max(limit.per_seconds for limit in self.limits)

    def acquire(self) -> float:
        """Wait until a request may start, record its start and return the seconds waited."""
        with self._lock:
            waited = 0.0
            while True:
                now = self.clock()
                wait = self._wait_needed(now)
                if wait <= 0:
                    self._starts.append(now)
                    return waited
                wait = max(wait, _MIN_WAIT)
                self._sleep(wait)
                waited += wait

    def _wait_needed(self, now: float) -> float:
        longest = self.window_seconds
        # Keep only starts that can still fall inside some enforced window.
        while self._starts and now - self._starts[0] >= longest:
            self._starts.popleft()
        wait = self._paused_until - now
        for limit in self.limits:
            in_window = [start for start in self._starts if now - start < limit.per_seconds]
            if len(in_window) >= limit.calls:
                # The oldest start that must leave the window before another call fits.
                oldest = in_window[len(in_window) - limit.calls]
                wait = max(wait, limit.per_seconds - (now - oldest))
        return wait

    def pause_until(self, monotonic_time: float) -> None:
        """Start no request before ``monotonic_time`` (on this limiter's clock), e.g. for ``Retry-After``."""
        with self._lock:
            self._paused_until = max(self._paused_until, monotonic_time)

    def pause_for(self, seconds: float) -> None:
        """Start no request in the next ``seconds`` seconds."""
        with self._lock:
            self.pause_until(self.clock() + max(0.0, seconds))

    def note_rejected(self) -> None:
        """A 429 arrived without ``Retry-After``: wait one whole window, as SSB's guide advises (§3.2)."""
        self.pause_for(self.window_seconds)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Adapt to ``x-ratelimit-policy``, ``-limit``, ``-remaining`` and ``-reset`` from a response.

        Announced limits are added to the configured one (so only ever stricter). ``remaining: 0`` pauses until
        the announced reset, or for one window when no reset is given. Unreadable values are ignored.
        """
        lowered = {name.lower(): value for name, value in headers.items()}
        with self._lock:
            announced = parse_policy(lowered.get("x-ratelimit-policy", ""))
            limit = _parse_int(lowered.get("x-ratelimit-limit", ""))
            if limit is not None and limit > 0:
                window = announced[0].per_seconds if announced else self.configured.per_seconds
                if WindowLimit(limit, window) not in announced:
                    announced.append(WindowLimit(limit, window))
            if announced:
                self._announced = tuple(announced)
            remaining = _parse_int(lowered.get("x-ratelimit-remaining", ""))
            if remaining is not None and remaining <= 0:
                reset = self._seconds_until_reset(lowered.get("x-ratelimit-reset"))
                self.pause_for(reset if reset is not None else self.window_seconds)

    def _seconds_until_reset(self, raw: str | None) -> float | None:
        if raw is None:
            return None
        seconds = _parse_seconds(raw.strip())
        if seconds is None or seconds < 0:
            return None
        if seconds > _EPOCH_THRESHOLD:
            return max(0.0, seconds - self._wall_clock())
        return seconds
