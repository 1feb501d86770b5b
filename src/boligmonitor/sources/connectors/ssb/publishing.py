"""SSB's morning publishing window, when tables can be half-published: do not ingest then.

ssb-api.md §3.5 and §7.2 [T]: metadata is updated at 05:00; values due for revision at 08:00 are shown as 0
or ``.`` between 05:00 and 08:00; new figures are published at 08:00 and fetching should wait until 08:15.
Hence the rule "do not ingest between 05:00 and 08:15" Norwegian time (Europe/Oslo, so summer and winter
time are both handled). The start is inclusive and the end exclusive: 08:15:00 is already safe.
(SSB also updates metadata at 11:30, when tables are unavailable "for a short time"; that is not a window
of known length, and the client's retries cover it.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Final
from zoneinfo import ZoneInfo

NORWAY: Final = ZoneInfo("Europe/Oslo")
WINDOW_START: Final = time(5, 0)
WINDOW_END: Final = time(8, 15)


@dataclass(frozen=True)
class PublishingWindow:
    """One morning's window, as timezone-aware datetimes in Norwegian time."""

    start: datetime
    end: datetime

    def seconds_left(self, moment: datetime) -> float:
        """Seconds from ``moment`` until the window ends (0 once it has), computed on UTC instants."""
        return max(0.0, (self.end.astimezone(UTC) - moment.astimezone(UTC)).total_seconds())


def publishing_window_at(moment: datetime) -> PublishingWindow | None:
    """The window ``moment`` falls in, or None when it is safe to fetch. ``moment`` must be timezone-aware."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a timezone-aware moment is needed, got naive {moment.isoformat()}")
    local = moment.astimezone(NORWAY)
    day = local.date()
    window = PublishingWindow(
        start=datetime.combine(day, WINDOW_START, tzinfo=NORWAY),
        end=datetime.combine(day, WINDOW_END, tzinfo=NORWAY),
    )
    instant = moment.astimezone(UTC)
    if window.start.astimezone(UTC) <= instant < window.end.astimezone(UTC):
        return window
    return None


class PublishingWindowError(Exception):
    """A refresh was started while SSB publishes; the message says when to try again."""

    def __init__(self, moment: datetime, window: PublishingWindow) -> None:
        self.moment = moment
        self.window = window
        self.retry_at = window.end
        local = moment.astimezone(NORWAY)
        left = _duration(window.seconds_left(moment))
        super().__init__(
            f"SSB publishes and revises tables between {WINDOW_START:%H:%M} and {WINDOW_END:%H:%M} Norwegian "
            f"time, when a table can be half-published; it is {local:%H:%M} in Norway now. Nothing was fetched. "
            f"Try again after {window.end:%H:%M} ({window.end:%Y-%m-%d}, in {left})."
        )


def _duration(seconds: float) -> str:
    minutes = math.ceil(seconds / 60)  # rounded up: never suggests coming back too early
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
