"""Comparison with a benchmark (methods.md §4): benchmark-in-CI rule, pooled benchmarks, peer tests, top 10.

Polarity is a catalog string: ``"higher_is_better"``, ``"lower_is_better"`` or ``"neutral"``. Neutral
indicators are only ever called higher/lower/similar, never better/worse (FHI ``fargetPrikk = NEI``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum

from scipy import stats  # type: ignore[import-untyped, unused-ignore]

from boligmonitor.analysis.intervals import Interval, check_level, wilson

HIGHER_IS_BETTER = "higher_is_better"
LOWER_IS_BETTER = "lower_is_better"
NEUTRAL = "neutral"
POLARITIES = (HIGHER_IS_BETTER, LOWER_IS_BETTER, NEUTRAL)

NEWCOMBE = "Newcombe"


class Comparison(StrEnum):
    """The outcome of comparing a value with its benchmark."""

    BETTER = "better"
    SIMILAR = "similar"
    WORSE = "worse"
    HIGHER = "higher"
    LOWER = "lower"
    NOT_COMPARED = "not_compared"


def compare_to_benchmark(
    measure_interval: Interval | None, value: float | None, benchmark_value: float | None, polarity: str
) -> Comparison:
    """Benchmark-in-CI rule (Fingertips ``SingleOverlappingCIsForOneCILevelComparer``; methods.md §4.2).

    The benchmark below the interval → higher (better/worse by polarity); above it → lower; inside it,
    limits included → similar. No interval, no value or no benchmark → not_compared. The interval must be
    in the same unit as the benchmark.
    """
    _check_polarity(polarity)
    if measure_interval is None or value is None or benchmark_value is None:
        return Comparison.NOT_COMPARED
    if benchmark_value < measure_interval.low:
        direction = Comparison.HIGHER
    elif benchmark_value > measure_interval.high:
        direction = Comparison.LOWER
    else:
        return Comparison.SIMILAR
    if polarity == NEUTRAL:
        return direction
    higher_is_good = polarity == HIGHER_IS_BETTER
    return Comparison.BETTER if (direction is Comparison.HIGHER) == higher_is_good else Comparison.WORSE


def pooled_benchmark(
    numerators: Sequence[float | None],
    denominators: Sequence[float | None],
    exclude_index: int | None = None,
    *,
    multiplier: float = 1.0,
    skip_missing: bool = False,
) -> float | None:
    """Pooled benchmark Σx / Σn · multiplier over a group (pool, never average; methods.md §4.1).

    ``exclude_index`` leaves one member out (the municipality itself, when it is compared with its peers).
    By default a member with a missing numerator or denominator makes the benchmark missing; with
    ``skip_missing=True`` such members are left out (the caller must then say the benchmark is partial).
    ``None`` when the pooled denominator is 0 or nothing is left.
    """
    if len(numerators) != len(denominators):
        raise ValueError(f"{len(numerators)} numerators but {len(denominators)} denominators")
    if exclude_index is not None and not 0 <= exclude_index < len(numerators):
        raise ValueError(f"exclude_index {exclude_index} is outside the group of {len(numerators)}")
    total_x = 0.0
    total_n = 0.0
    members = 0
    for index, (x, n) in enumerate(zip(numerators, denominators, strict=True)):
        if index == exclude_index:
            continue
        if x is None or n is None or math.isnan(x) or math.isnan(n):
            if skip_missing:
                continue
            return None
        total_x += x
        total_n += n
        members += 1
    if members == 0 or total_n == 0:
        return None
    return total_x / total_n * multiplier


def two_proportion_test(x1: float, n1: float, x2: float, n2: float) -> tuple[float, float]:
    """Two-sided two-proportion z-test with the pooled variance (methods.md §4.2): ``(z, p_value)``.

    z = (p̂₁ − p̂₂) / √( p̄(1 − p̄)(1/n₁ + 1/n₂) ), p̄ = (x₁ + x₂)/(n₁ + n₂). When p̄ is 0 or 1 both shares are
    equal and there is no evidence of a difference: (0, 1).
    """
    _check_share(x1, n1)
    _check_share(x2, n2)
    p1, p2 = x1 / n1, x2 / n2
    p_bar = (x1 + x2) / (n1 + n2)
    variance = p_bar * (1.0 - p_bar) * (1.0 / n1 + 1.0 / n2)
    if variance == 0:
        return 0.0, 1.0
    z = (p1 - p2) / math.sqrt(variance)
    return z, float(2.0 * stats.norm.sf(abs(z)))


def newcombe_difference(x1: float, n1: float, x2: float, n2: float, level: float = 0.95) -> Interval:
    """Newcombe's hybrid score interval for p̂₁ − p̂₂ (Newcombe 1998, method 10; methods.md §4.2).

    With Wilson limits (l₁, u₁), (l₂, u₂): L = d − √((p̂₁ − l₁)² + (u₂ − p̂₂)²), U = d + √((u₁ − p̂₁)² + (p̂₂ − l₂)²).
    The difference is significant when 0 lies outside the interval.
    """
    check_level(level)
    _check_share(x1, n1)
    _check_share(x2, n2)
    first = wilson(x1, n1, level)
    second = wilson(x2, n2, level)
    # Both denominators are positive (checked above), so both intervals exist.
    assert first is not None
    assert second is not None
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    low = d - math.sqrt((p1 - first.low) ** 2 + (second.high - p2) ** 2)
    high = d + math.sqrt((first.high - p1) ** 2 + (p2 - second.low) ** 2)
    return Interval(low, high, level, NEWCOMBE)


def top_n_range(values: Sequence[float | None], polarity: str, n: int = 10) -> tuple[float, float] | None:
    """Value range (min, max) of the n best municipalities (FHI "verdiområdet for de ti beste"; §4.1).

    Missing values are left out. ``None`` for neutral indicators (no "best") or when no value is present.
    """
    _check_polarity(polarity)
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if polarity == NEUTRAL:
        return None
    present = [v for v in values if v is not None and not math.isnan(v)]
    if not present:
        return None
    best = sorted(present, reverse=polarity == HIGHER_IS_BETTER)[:n]
    return min(best), max(best)


def _check_polarity(polarity: str) -> None:
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {', '.join(POLARITIES)}, got {polarity!r}")


def _check_share(x: float, n: float) -> None:
    if not (n > 0 and 0 <= x <= n):
        raise ValueError(f"a proportion needs n > 0 and 0 <= x <= n, got x={x}, n={n}")
