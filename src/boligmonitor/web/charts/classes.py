"""Value classes for choropleth maps: quantile breaks and the class of a value."""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence


def class_breaks(values: Sequence[float | None], n: int = 5) -> list[float]:
    """Quantile class boundaries ``[minimum, q(1/n), …, maximum]``, repeated boundaries removed.

    Class i covers ``[breaks[i], breaks[i+1])``, the last one including the maximum, so there are
    ``len(breaks) - 1`` classes (fewer than ``n`` when many values tie). None and NaN are ignored; no values
    give ``[]``; a single distinct value gives ``[value]`` — one class. Quantiles interpolate linearly
    between order statistics (numpy's default).
    """
    if n < 1:
        raise ValueError(f"need at least one class, got n={n}")
    ordered = sorted(v for v in values if v is not None and math.isfinite(v))
    if not ordered:
        return []
    last = len(ordered) - 1
    breaks: list[float] = []
    for k in range(n + 1):
        position = last * k / n
        below = math.floor(position)
        above = min(below + 1, last)
        value = ordered[below] + (ordered[above] - ordered[below]) * (position - below)
        if not breaks or value > breaks[-1]:
            breaks.append(value)
    return breaks


def class_index(value: float | None, breaks: Sequence[float]) -> int | None:
    """The class of ``value`` for ``class_breaks`` output; None for a missing value or no breaks.

    Values outside the breaks fall into the first or last class (breaks made from other years' data).
    """
    if value is None or not math.isfinite(value) or not breaks:
        return None
    classes = max(len(breaks) - 1, 1)
    return min(max(bisect.bisect_right(breaks, value) - 1, 0), classes - 1)
