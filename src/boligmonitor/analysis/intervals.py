"""Confidence intervals for shares, counts and rates (methods.md §1–§2; docs/methods/intervals-and-comparisons.md).

Every function is pure and follows the PHEindicatormethods conventions: an interval carries its confidence
level and the name of its method (``"Wilson"``, ``"Exact"``, ``"Byars"``). Missing inputs give ``None``,
never an interval around 0.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats  # type: ignore[import-untyped, unused-ignore]

WILSON = "Wilson"
EXACT = "Exact"
BYARS = "Byars"

# PHE rule (PHEindicatormethods R/Rates.R): exact limits below this count, Byar's approximation from it.
EXACT_BELOW_COUNT = 10


@dataclass(frozen=True, slots=True)
class Interval:
    """A two-sided confidence interval ``[low, high]`` at ``level`` (e.g. 0.95), computed by ``method``."""

    low: float
    high: float
    level: float
    method: str

    def scaled(self, factor: float) -> Interval:
        """The same interval in another unit (e.g. a proportion as per cent, a count as a rate)."""
        return Interval(self.low * factor, self.high * factor, self.level, self.method)

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the closed interval (a value exactly on a limit is inside)."""
        return self.low <= value <= self.high


@functools.lru_cache(maxsize=64)
def z_value(level: float) -> float:
    """The two-sided standard normal quantile Φ⁻¹((1 + level)/2): 1.959964 for 0.95, 3.090232 for 0.998.

    Cached: a whole table asks for the same two or three levels hundreds of thousands of times.
    """
    check_level(level)
    return float(stats.norm.ppf((1.0 + level) / 2.0))


def wilson(x: float | None, n: float | None, level: float = 0.95) -> Interval | None:
    """Wilson score interval for the proportion x/n (methods.md §1), on the 0–1 scale.

    ``None`` when x or n is missing or n is 0 (a share of nothing is undefined). x = 0 gives low 0 and
    x = n gives high 1 exactly. Raises ValueError when x is negative or larger than n.
    """
    if x is None or n is None or _is_nan(x) or _is_nan(n) or n == 0:
        return None
    if n < 0 or x < 0 or x > n:
        raise ValueError(f"a proportion needs 0 <= x <= n, got x={x}, n={n}")
    z = z_value(level)
    z2 = z * z
    spread = z * math.sqrt(z2 + 4.0 * x * (1.0 - x / n))
    denominator = 2.0 * (n + z2)
    low = 0.0 if x == 0 else max(0.0, (2.0 * x + z2 - spread) / denominator)
    high = 1.0 if x == n else min(1.0, (2.0 * x + z2 + spread) / denominator)
    return Interval(low, high, level, WILSON)


def poisson_exact(x: float, level: float = 0.95) -> Interval:
    """Exact (Garwood 1936) interval for a Poisson count, from chi-square quantiles (methods.md §2).

    L = χ²_{α/2}(2x)/2 (0 when x = 0), U = χ²_{1−α/2}(2x + 2)/2. Non-integer counts (estimated, harmonised
    values) are accepted: the chi-square form is continuous in x.
    """
    _check_count(x)
    alpha = 1.0 - _checked(level)
    low = 0.0 if x == 0 else float(stats.chi2.ppf(alpha / 2.0, 2.0 * x)) / 2.0
    if math.isnan(low):  # SciPy cannot evaluate a vanishing (subnormal) df; the limit tends to 0 there.
        low = 0.0
    high = float(stats.chi2.ppf(1.0 - alpha / 2.0, 2.0 * x + 2.0)) / 2.0
    return Interval(low, high, level, EXACT)


def byar(x: float, level: float = 0.95) -> Interval:
    """Byar's approximation to the exact Poisson interval (Breslow & Day 1987; PHEindicatormethods R/utils.R).

    L = x(1 − 1/(9x) − z/(3√x))³ (0 when x = 0), U = (x + 1)(1 − 1/(9(x + 1)) + z/(3√(x + 1)))³.
    """
    _check_count(x)
    z = z_value(level)
    # For very small counts the cubed factor is negative: the lower limit is then 0.
    lower_factor = 1.0 - 1.0 / (9.0 * x) - z / (3.0 * math.sqrt(x)) if x > 0 else 0.0
    low = x * lower_factor**3 if lower_factor > 0 else 0.0
    upper_count = x + 1.0
    high = upper_count * (1.0 - 1.0 / (9.0 * upper_count) + z / (3.0 * math.sqrt(upper_count))) ** 3
    return Interval(low, high, level, BYARS)


def count_interval(x: float | None, level: float = 0.95) -> Interval | None:
    """Interval for a count by the PHE rule: exact below 10 events, Byar's from 10 (``None`` when missing)."""
    if x is None or _is_nan(x):
        return None
    return poisson_exact(x, level) if x < EXACT_BELOW_COUNT else byar(x, level)


def rate_interval(x: float | None, n: float | None, multiplier: float = 1.0, level: float = 0.95) -> Interval | None:
    """Interval for the crude rate x/n · multiplier: the count's interval divided by n (methods.md §2).

    ``None`` when x or n is missing or n is not positive.
    """
    if x is None or n is None or _is_nan(x) or _is_nan(n) or n <= 0:
        return None
    interval = count_interval(x, level)
    return None if interval is None else interval.scaled(multiplier / n)


def proportion_interval(
    x: float | None, n: float | None, multiplier: float = 100.0, level: float = 0.95
) -> Interval | None:
    """Wilson interval for x/n expressed with the multiplier (100 gives per cent)."""
    interval = wilson(x, n, level)
    return None if interval is None else interval.scaled(multiplier)


def pooled(xs: Sequence[float | None], ns: Sequence[float | None]) -> tuple[float, float] | None:
    """Numerator and denominator summed over several years (a pooled multi-year value: Σx / Σn).

    ``None`` when any year's numerator or denominator is missing: a pooled value over a missing year is
    missing, never computed from the remaining years as if the gap were 0. Raises ValueError when the
    sequences are empty or of different lengths.
    """
    if len(xs) != len(ns):
        raise ValueError(f"{len(xs)} numerators but {len(ns)} denominators")
    if not xs:
        raise ValueError("nothing to pool")
    total_x = 0.0
    total_n = 0.0
    for x, n in zip(xs, ns, strict=True):
        if x is None or n is None or _is_nan(x) or _is_nan(n):
            return None
        total_x += x
        total_n += n
    return total_x, total_n


def _is_nan(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def check_level(level: float) -> None:
    """Raise ValueError unless 0 < level < 1 (a confidence level such as 0.95 or 0.998)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must lie strictly between 0 and 1, got {level}")


def _checked(level: float) -> float:
    check_level(level)
    return level


def _check_count(x: float) -> None:
    if _is_nan(x) or x < 0:
        raise ValueError(f"a count must be a non-negative number, got {x}")
