"""Which values an indicator can take: the catalogue's domain rules, applied to one value at a time.

The rules are data: the unit's rule (:data:`~boligmonitor.catalog.models.UNIT_RULES`), the kind (a share is a
part of its denominator, at most 100 %), the indicator's own ``limits`` in ``catalog.yaml`` and the years
(:data:`FIRST_YEAR`; only a projection is for a year after next year). docs/catalog.md, "Domain rules", lists
them. This module only says what is wrong with a value; the pipeline says where it is (file, line or cell) and
refuses the input (``pipeline/value_checks.py``). Every import path and the build apply the same rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from boligmonitor.catalog.models import COUNT_CEILING, RATE_UNITS, UNIT_RULES, Indicator, QuantityKind

# No series in the catalogue starts before 1970, and the region register cannot place codes older than that.
FIRST_YEAR: Final = 1970
# The last year a projection may be for (SSB projects to 2100); an observed value is for next year at the latest.
LAST_PROJECTION_YEAR: Final = 2100

# Relative slack for comparisons of computed floats (numerator ≤ denominator, value = n / d × m).
_RELATIVE_SLACK: Final = 1e-9


@dataclass(frozen=True)
class Violation:
    """One thing wrong with a value: the field (``value``, ``numerator``, ``denominator``, ``year``) and why."""

    field: str
    message: str


@dataclass(frozen=True)
class ValueRules:
    """The possible values of one indicator, from its unit, kind and own limits."""

    indicator_id: str
    unit: str
    multiplier: int | None
    lowest: float | None
    highest: float
    whole: bool  # the value is a number of things (a count): whole unless the counts are means
    counts: bool  # numerator and denominator are counts (a share or a rate) or the value is one (a count)
    whole_counts: bool  # counts are whole numbers (not Husbanken's annual means of monthly counts)
    part_of_whole: bool  # the numerator is a part of the denominator: at most as large
    last_year: int
    bound_reason: str
    # The numerator is a change in a count (a projected change, EL09): it may be negative and is no part of a whole.
    numerator_is_change: bool = False

    def check(
        self,
        *,
        year: int,
        value: float | None,
        numerator: float | None,
        denominator: float | None,
        as_read: bool = False,
    ) -> list[Violation]:
        """Every rule the value breaks. ``as_read``: the numbers are the input's own (a tidy row), so counts must
        be whole; otherwise they may be sums harmonised with fractional weights. A value may always be rounded
        to the decimals it is written with (for 21 of 200: 10.5, 10 and 11 are fine, 12 is not)."""
        found: list[Violation] = []
        if not FIRST_YEAR <= year <= self.last_year:
            if year > self.last_year and self.last_year < LAST_PROJECTION_YEAR:
                why = f"only a projection can be for a year after {self.last_year}"
            else:
                why = f"the catalogue's years are {FIRST_YEAR}–{self.last_year}"
            found.append(Violation("year", f"year {year}: {why}"))
        for name, number in (("numerator", numerator), ("denominator", denominator)):
            if number is not None and self.counts:
                if name == "numerator" and self.numerator_is_change:
                    found.extend(self.check_count(name, abs(number), whole=as_read))
                else:
                    found.extend(self.check_count(name, number, whole=as_read))
        if value is not None:
            found.extend(self._check_value(value, as_read))
        if found:
            return found
        found.extend(self._check_together(value, numerator, denominator))
        return found

    def check_count(self, field: str, number: float, *, whole: bool = True) -> list[Violation]:
        """A count as read (a tidy cell or a cube cell that a numerator or denominator sums): finite, not
        negative, whole (unless the counts are means), at most :data:`COUNT_CEILING`."""
        if not math.isfinite(number):
            return [Violation(field, f"{field} {number!r} is not a finite number")]
        if number < 0:
            return [Violation(field, f"{field} {_text(number)} is negative: counts cannot be negative")]
        if whole and self.whole_counts and not float(number).is_integer():
            return [Violation(field, f"{field} {_text(number)} is not a whole number: it counts {self._things()}")]
        if number > COUNT_CEILING:
            ceiling = f"{COUNT_CEILING:_}".replace("_", " ")
            return [
                Violation(field, f"{field} {_text(number)} is more than {ceiling}: no count in Norway is that large")
            ]
        return []

    def _check_value(self, value: float, as_read: bool) -> list[Violation]:
        if not math.isfinite(value):
            return [Violation("value", f"value {value!r} is not a finite number")]
        if self.lowest is not None and value < self.lowest:
            return [Violation("value", f"value {_text(value)} is below {_text(self.lowest)}, {self._range()}")]
        if value > self.highest:
            return [Violation("value", f"value {_text(value)} is above {_text(self.highest)}, {self._range()}")]
        if self.whole and as_read and self.whole_counts and not float(value).is_integer():
            return [Violation("value", f"value {_text(value)} is not a whole number: it counts {self._things()}")]
        return []

    def _check_together(
        self, value: float | None, numerator: float | None, denominator: float | None
    ) -> list[Violation]:
        found: list[Violation] = []
        exceeds = numerator is not None and denominator is not None and numerator > denominator * (1 + _RELATIVE_SLACK)
        if self.part_of_whole and exceeds:
            found.append(
                Violation(
                    "numerator",
                    f"numerator {_text(numerator or 0)} is greater than denominator {_text(denominator or 0)}: "
                    f"{self.indicator_id} counts a part of its denominator",
                )
            )
        if value is None or numerator is None:
            return found
        if self.multiplier is None:
            expected = numerator if self.unit == "count" else None
        elif denominator:
            expected = numerator / denominator * self.multiplier
        else:
            expected = None
        if expected is not None and not _agrees(value, expected):
            how = "the numerator" if self.multiplier is None else f"numerator / denominator × {self.multiplier}"
            found.append(Violation("value", f"value {_text(value)} disagrees with {how} = {_text(round(expected, 6))}"))
        return found

    def _range(self) -> str:
        low = "" if self.lowest is None else _text(self.lowest)
        return f"the possible values of {self.indicator_id} are {low}–{_text(self.highest)} ({self.bound_reason})"

    def _things(self) -> str:
        return "persons, households or other things" if self.unit != "count" else "things (a count)"


def value_rules(indicator: Indicator, *, today: date | None = None) -> ValueRules:
    """The rules for ``indicator``: unit, kind and its own ``limits`` together (docs/catalog.md)."""
    today = today or date.today()
    rule = UNIT_RULES[indicator.unit]
    limits = indicator.limits
    is_share = indicator.kind is QuantityKind.SHARE
    lowest = rule.lowest
    highest = rule.highest
    reason = rule.about
    if is_share:
        lowest, highest, reason = 0.0, float(indicator.multiplier or 100), "a share of its denominator"
    if limits is not None:
        lowest = limits.min if limits.min is not None else lowest
        highest = limits.max if limits.max is not None else highest
        reason = limits.basis or reason
    if highest is None:  # the loader refuses such an indicator; a model built in code may lack it
        raise ValueError(f"indicator {indicator.id}: its unit {indicator.unit!r} needs limits.max")
    counts_are_means = limits.counts_are_means if limits is not None else False
    part = limits.numerator_within_denominator if limits is not None else None
    projection = indicator.kind is QuantityKind.PROJECTION
    return ValueRules(
        indicator_id=indicator.id,
        unit=indicator.unit,
        multiplier=indicator.multiplier,
        lowest=lowest,
        highest=highest,
        whole=rule.whole,
        counts=indicator.unit in RATE_UNITS or indicator.unit == "count",
        whole_counts=not counts_are_means,
        part_of_whole=is_share if part is None else part,
        last_year=LAST_PROJECTION_YEAR if projection else today.year + 1,
        bound_reason=_first_sentence(reason),
        numerator_is_change=indicator.recipe is not None and indicator.recipe.is_projected_change,
    )


def decimals_written(value: float) -> int:
    """The decimals of the shortest text that reads back as ``value`` (``10.5`` → 1, ``99.0`` → 0)."""
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _agrees(value: float, expected: float) -> bool:
    """Equal within the rounding of the value as written (``10`` for 10.4), and within float error."""
    slack = _RELATIVE_SLACK * max(abs(value), abs(expected), 1.0) + 0.5 * 10.0 ** -decimals_written(value)
    return abs(value - expected) <= slack


def _first_sentence(text: str) -> str:
    return text.strip().split(". ")[0].rstrip(".")


def _text(number: float) -> str:
    """A number as a user wrote it: no exponent, no trailing zeros."""
    if not math.isfinite(number):
        return repr(number)
    if float(number).is_integer() and abs(number) < 1e16:
        return str(int(number))
    return f"{number:.10g}" if abs(number) < 1e16 else f"{number:.6g}"
