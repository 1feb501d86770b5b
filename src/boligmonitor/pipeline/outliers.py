"""Flag values that are possible but far outside the region's own series or all other regions that year.

Such a value passed every domain rule (catalog/validation.py), so it may be true (refugees settled in 2022, the
year of the war in Ukraine) or a mistake (a misplaced decimal, a count in thousands): it is kept, flagged
:attr:`~boligmonitor.core.flags.Flag.OUTLIER` and shown with a note, never dropped. The rule (docs/catalog.md,
"Outliers"): a municipality's or city district's value ``x``, not 0 and not for an incomplete year, is an outlier
against a reference set — its own other years (at least :data:`MIN_HISTORY`), or the other regions of its level
that year (at least :data:`MIN_PEERS`; not for counts and sums, which grow with the region's size) — when

1. ``x`` lies outside the range of the reference values,
2. ``x`` differs from their median ``m`` by an order of magnitude (``x ≥ 10 m`` or ``x ≤ m / 10``, both
   positive) or by more than :data:`FAR` robust deviations (``|x − m| > 20 s``), and
3. its robust z-score ``|x − m| / s`` is above :data:`THRESHOLD`, where ``s = max(1.4826 × MAD, 0.1 × |m|)``
   (the median absolute deviation, scaled to a standard deviation, floored at a tenth of the median).

Only the values of a build or an import are judged; the values already stored count as reference.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Final

from boligmonitor.catalog.models import Indicator
from boligmonitor.core.flags import Flag
from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import RegionLevel, region_level

THRESHOLD: Final = 5.0  # robust z-score above which a value is far out
FAR: Final = 20.0  # robust deviations that are far whatever the ratio (a share of 99 % where its peers have 12 %)
MAGNITUDE: Final = 10.0  # an order of magnitude: the size of a misplaced decimal or a count in thousands
MIN_HISTORY: Final = 4  # other years of the same region
MIN_PEERS: Final = 20  # other regions of the same level, the same year
MAD_TO_SD: Final = 1.4826  # MAD × this estimates the standard deviation of normal data
MEDIAN_FLOOR: Final = 0.1  # the spread is taken as at least a tenth of the median

_JUDGED_LEVELS: Final = (RegionLevel.MUNICIPALITY, RegionLevel.DISTRICT)


@dataclass(frozen=True)
class _Reference:
    """A reference set: its median, robust spread, and its extremes (two each, to leave one value out)."""

    median: float
    spread: float
    lowest: tuple[float, ...]
    highest: tuple[float, ...]
    size: int

    @classmethod
    def of(cls, values: Sequence[float]) -> _Reference:
        ordered = sorted(values)
        median = statistics.median(ordered)
        mad = statistics.median(abs(v - median) for v in ordered)
        spread = max(MAD_TO_SD * mad, MEDIAN_FLOOR * abs(median))
        return cls(median, spread, tuple(ordered[:2]), tuple(ordered[-2:]), len(ordered))

    def far_out(self, x: float, minimum: int) -> bool:
        """Whether ``x``, itself one of the values, is far outside the others."""
        if self.size - 1 < minimum or self.spread == 0 or x == 0:
            return False
        # The others' range: leave x out by taking the second extreme where x is the extreme.
        others_low = self.lowest[1] if x == self.lowest[0] else self.lowest[0]
        others_high = self.highest[0] if x == self.highest[-1] else self.highest[-1]
        if others_low <= x <= others_high:
            return False
        distance = abs(x - self.median)
        ratio = max(x / self.median, self.median / x) if x > 0 and self.median > 0 else 0.0
        return (ratio >= MAGNITUDE or distance > FAR * self.spread) and distance / self.spread > THRESHOLD


def is_extensive(indicator: Indicator) -> bool:
    """A count or a sum (a numerator without a denominator): it grows with the region's size, so regions are not
    compared with each other on it, only with their own history."""
    return indicator.unit == "count" or (
        indicator.multiplier is None and indicator.numerator_text is not None and indicator.denominator_text is None
    )


def flag_outliers(
    indicator: Indicator, new: Sequence[Observation], stored: Iterable[Observation] = ()
) -> list[Observation]:
    """``new`` with :attr:`Flag.OUTLIER` set where the rule above finds them (and removed elsewhere: the flag is
    boligmonitor's own); ``stored`` are the indicator's observations already in the database."""
    new_keys = {o.key() for o in new}
    pool = [o for o in stored if o.key() not in new_keys and _judged(o)] + [o for o in new if _judged(o)]
    series: dict[str, list[float]] = defaultdict(list)
    peers: dict[tuple[int, RegionLevel | None], list[float]] = defaultdict(list)
    for o in pool:
        assert o.value is not None
        series[o.region_code].append(o.value)
        peers[(o.year, region_level(o.region_code))].append(o.value)
    history = {code: _Reference.of(values) for code, values in series.items()}
    cross = {} if is_extensive(indicator) else {key: _Reference.of(values) for key, values in peers.items()}
    flagged = []
    for o in new:
        outlier = False
        if _judged(o):
            assert o.value is not None
            peer = cross.get((o.year, region_level(o.region_code)))
            outlier = history[o.region_code].far_out(o.value, MIN_HISTORY) or (
                peer is not None and peer.far_out(o.value, MIN_PEERS)
            )
        flags = o.flags | {Flag.OUTLIER} if outlier else o.flags - {Flag.OUTLIER}
        flagged.append(o if flags == o.flags else replace(o, flags=flags))
    return flagged


def _judged(o: Observation) -> bool:
    return (
        o.value is not None
        and o.status.has_value
        and Flag.PARTIAL_YEAR not in o.flags
        and region_level(o.region_code) in _JUDGED_LEVELS
    )
