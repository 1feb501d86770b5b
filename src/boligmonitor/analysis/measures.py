"""An observation's value together with its confidence interval, with every caveat carried along.

Which interval applies follows from the indicator's kind of quantity (catalogue field ``kind``; methods.md
§1–§2; docs/methods/intervals-and-comparisons.md §2):

- a share with numerator and denominator: Wilson on x/n;
- a rate with numerator and denominator: exact/Byar on the count, times m/n;
- an event count: exact/Byar on the count itself;
- a stock (a whole population or stock, such as the population), an administrative number (set or decided by
  an authority, such as IMDi's request), a projection and a summary figure (amount, average, price, index):
  no interval, because no chance variation lies behind it; ``method`` says why;
- a value published without its counts: no interval, and ``method`` says why;
- a missing, confidential or suppressed observation: no value and no interval, never 0.

Without a kind (callers that know only the multiplier and unit), the kind is inferred as before the catalogue
named it: multiplier 100 a share, another multiplier a rate, unit ``count`` an event count, else a summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from boligmonitor.analysis.intervals import Interval, count_interval, proportion_interval, rate_interval
from boligmonitor.catalog.models import QuantityKind
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status

SHARE_MULTIPLIER = 100
COUNT_UNIT = "count"

NO_INTERVAL_MISSING = "none: value missing"
NO_INTERVAL_PUBLISHED = "none: published value without numerator and denominator"
NO_INTERVAL_ZERO_DENOMINATOR = "none: denominator is 0"
NO_INTERVAL_RATIO_ABOVE_WHOLE = "none: numerator exceeds denominator, a ratio rather than a share of a group"

# Kinds of quantity without chance variation behind them, and why they get no interval (the method's text).
NO_INTERVAL_BY_KIND: dict[QuantityKind, str] = {
    QuantityKind.STOCK: "none: a count of a whole population or stock, not a chance outcome",
    QuantityKind.ADMINISTRATIVE: "none: a number set, decided or reported by an authority, not a chance outcome",
    QuantityKind.PROJECTION: "none: a projection, whose uncertainty lies in its assumptions, not in chance",
    QuantityKind.SUMMARY: "none: an amount, average, price or index, not a count of chance events",
}


def has_interval(kind: QuantityKind) -> bool:
    """Whether values of this kind get a confidence interval (when their counts are known)."""
    return kind not in NO_INTERVAL_BY_KIND


def inferred_kind(multiplier: int | None, unit: str) -> QuantityKind:
    """The kind of quantity as it was read from the multiplier and unit before the catalogue named it."""
    if multiplier == SHARE_MULTIPLIER:
        return QuantityKind.SHARE
    if multiplier is not None:
        return QuantityKind.RATE
    return QuantityKind.EVENT_COUNT if unit == COUNT_UNIT else QuantityKind.SUMMARY


@dataclass(frozen=True, slots=True)
class Measure:
    """A value ready to show or compare: the number, its interval, and the observation's caveats.

    ``value``, ``ci_low`` and ``ci_high`` are in the indicator's unit (per cent, per 1 000, persons …).
    ``ci_low``/``ci_high`` are ``None`` when no interval applies; ``method`` then starts with ``"none:"``.
    ``year`` is ``None`` only for a value of an indicator that has no value in any year (there is no year to
    show it for): missing, never year 0.
    """

    indicator_id: str
    region_code: str
    year: int | None
    count: float | None
    denominator: float | None
    value: float | None
    unit: str
    multiplier: int | None
    ci_low: float | None
    ci_high: float | None
    level: float
    method: str
    status: Status
    harmonisation: Harmonisation = Harmonisation.ORIGINAL
    flags: frozenset[Flag] = field(default_factory=frozenset)

    @property
    def interval(self) -> Interval | None:
        """The confidence interval as an :class:`Interval`, or ``None`` when there is none."""
        if self.ci_low is None or self.ci_high is None:
            return None
        return Interval(self.ci_low, self.ci_high, self.level, self.method)


def measure(
    observation: Observation, multiplier: int | None, level: float = 0.95, *, kind: QuantityKind | None = None
) -> Measure:
    """The observation's value with the confidence interval its kind calls for (see the module docstring).

    ``kind`` is the indicator's kind of quantity (``Indicator.kind``); ``None`` infers it from the multiplier and
    unit. A share whose numerator exceeds its denominator is a ratio, not a share: it gets no interval.
    """
    obs = observation
    kind = kind if kind is not None else inferred_kind(multiplier, obs.unit)
    missing = (obs.value is None and obs.numerator is None) or not obs.status.has_value or Flag.SUPPRESSED in obs.flags
    if missing:
        interval: Interval | None = None
        value: float | None = None
        method = NO_INTERVAL_MISSING
    else:
        value, interval, method = _value_and_interval(obs, multiplier, level, kind)
    return Measure(
        indicator_id=obs.indicator_id,
        region_code=obs.region_code,
        year=obs.year,
        count=obs.numerator if not missing else None,
        denominator=obs.denominator if not missing else None,
        value=value,
        unit=obs.unit,
        multiplier=multiplier,
        ci_low=None if interval is None else interval.low,
        ci_high=None if interval is None else interval.high,
        level=level,
        method=method,
        status=obs.status,
        harmonisation=obs.harmonisation,
        flags=obs.flags,
    )


def ratio_to_benchmark(value: float | None, benchmark_value: float | None) -> float | None:
    """Forholdstall: 100 × value / benchmark (Norway = 100); ``None`` when either is missing or the benchmark is 0."""
    if value is None or benchmark_value is None or benchmark_value == 0:
        return None
    return 100.0 * value / benchmark_value


def _value_and_interval(
    obs: Observation, multiplier: int | None, level: float, kind: QuantityKind
) -> tuple[float | None, Interval | None, str]:
    x, n = obs.numerator, obs.denominator
    if multiplier is None:
        if obs.unit == COUNT_UNIT:
            count = x if x is not None else obs.value
            if not has_interval(kind):
                return count, None, NO_INTERVAL_BY_KIND[kind]
            interval = count_interval(count, level)
            return count, interval, interval.method if interval else NO_INTERVAL_MISSING
        return obs.value, None, NO_INTERVAL_PUBLISHED
    if x is None or n is None:
        return obs.value, None, NO_INTERVAL_PUBLISHED
    if n == 0:
        return None, None, NO_INTERVAL_ZERO_DENOMINATOR
    # Keep the stored value (it may be the publisher's own, rounded differently); fall back to x/n·m.
    value = obs.value if obs.value is not None else x / n * multiplier
    if not has_interval(kind):
        return value, None, NO_INTERVAL_BY_KIND[kind]
    if kind is QuantityKind.SHARE:
        if x > n:
            # A "share" above 100 % (numerator and denominator counted in different sources or at different
            # dates) is a ratio of two counts, not a part of a group: the binomial (Wilson) interval does not apply.
            return value, None, NO_INTERVAL_RATIO_ABOVE_WHOLE
        interval = proportion_interval(x, n, multiplier, level)
    else:
        interval = rate_interval(x, n, multiplier, level)
    assert interval is not None  # x and n are present and n > 0
    return value, interval, interval.method
