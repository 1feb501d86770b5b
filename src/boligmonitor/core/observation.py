"""One stored statistical value with everything needed to trust it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.status import Status


@dataclass(frozen=True, slots=True)
class Observation:
    """An indicator's value for one region and year.

    ``value`` is ``numerator / denominator * multiplier`` for shares and rates, the count itself for counts,
    or the published value when the publisher gives no numerator (e.g. an average price). ``None`` always
    means missing, with ``status`` saying why; missing is never 0.
    """

    indicator_id: str
    region_code: str
    year: int
    value: float | None
    numerator: float | None
    denominator: float | None
    unit: str
    status: Status
    dataset_id: str
    source_table: str | None = None
    fetched_at: datetime | None = None
    harmonisation: Harmonisation = Harmonisation.ORIGINAL
    flags: frozenset[Flag] = field(default_factory=frozenset)
    note: str | None = None

    def key(self) -> tuple[str, str, int]:
        return (self.indicator_id, self.region_code, self.year)
