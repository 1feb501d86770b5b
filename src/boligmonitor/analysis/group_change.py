"""Group comparisons over time: pooled values per group at two years and each group's share of the national
total, as in the Kommuneprogram evaluation's tables by municipality size × programme membership
(anchors.md, Kommuneprogram / Bolig for velferd evaluation; docs/methods/peers-and-groups.md).

Group membership is the caller's: these functions take a mapping municipality → group label.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from boligmonitor.geo.groups import SizeGroup

NumeratorDenominator = tuple[float, float]

_MEMBERSHIP_WORDS: dict[str, tuple[str, str]] = {
    # language: (member, not a member)
    "nb": ("programkommune", "ikke programkommune"),
    "nn": ("programkommune", "ikkje programkommune"),
    "en": ("programme", "not in programme"),
}


def group_key(size_group: SizeGroup, member: bool, language: str = "en") -> str:
    """A label for size group × programme membership, e.g. ``"under 5,000 × programme"``.

    ``language`` is ``"en"``, ``"nb"`` or ``"nn"`` (``"under 5 000 × ikke programkommune"``).
    """
    if language not in _MEMBERSHIP_WORDS:
        raise ValueError(f"language must be one of {', '.join(_MEMBERSHIP_WORDS)}, got {language!r}")
    member_word, other_word = _MEMBERSHIP_WORDS[language]
    return f"{size_group.labels[language]} × {member_word if member else other_word}"


@dataclass(frozen=True, slots=True)
class GroupChange:
    """A group's pooled value at the start and the end year, over the municipalities complete in both.

    ``absolute_change`` is in the value's unit (percentage points when ``multiplier`` is 100);
    ``relative_change`` is a fraction of the start value (0.25 = +25 %), None when the start value is 0.
    ``left_out`` names the group's municipalities without a numerator and denominator in either year.
    """

    group: str
    start_value: float | None
    end_value: float | None
    absolute_change: float | None
    relative_change: float | None
    start_numerator: float
    start_denominator: float
    end_numerator: float
    end_denominator: float
    n_complete: int
    n_left_out: int
    left_out: tuple[str, ...]


def group_change(
    values_start: Mapping[str, NumeratorDenominator | None],
    values_end: Mapping[str, NumeratorDenominator | None],
    groups: Mapping[str, str],
    *,
    multiplier: float = 100.0,
) -> list[GroupChange]:
    """Pooled value Σx / Σn · multiplier per group in the start and end year, and the change, sorted by group.

    Only municipalities with a numerator and denominator in **both** years are pooled, so the change is not
    an artefact of municipalities entering or leaving the data; the others are counted and named. A
    municipality absent from ``groups`` belongs to no group and is ignored. A pooled denominator of 0 (or
    no complete municipality) gives no value and no change.
    """
    members: dict[str, list[str]] = defaultdict(list)
    for code, group in groups.items():
        members[group].append(code)
    changes: list[GroupChange] = []
    for group in sorted(members):
        complete: list[tuple[NumeratorDenominator, NumeratorDenominator]] = []
        left_out: list[str] = []
        for code in sorted(members[group]):
            start = _checked_pair(code, values_start.get(code))
            end = _checked_pair(code, values_end.get(code))
            if start is None or end is None:
                left_out.append(code)
            else:
                complete.append((start, end))
        start_x = math.fsum(start[0] for start, _ in complete)
        start_n = math.fsum(start[1] for start, _ in complete)
        end_x = math.fsum(end[0] for _, end in complete)
        end_n = math.fsum(end[1] for _, end in complete)
        start_value = start_x / start_n * multiplier if start_n else None
        end_value = end_x / end_n * multiplier if end_n else None
        absolute = None if start_value is None or end_value is None else end_value - start_value
        relative = None if absolute is None or not start_value else absolute / start_value
        changes.append(
            GroupChange(
                group,
                start_value,
                end_value,
                absolute,
                relative,
                start_x,
                start_n,
                end_x,
                end_n,
                len(complete),
                len(left_out),
                tuple(left_out),
            )
        )
    return changes


def _checked_pair(code: str, pair: NumeratorDenominator | None) -> NumeratorDenominator | None:
    """The pair, None when missing (None or NaN in either part); ValueError for negative values."""
    if pair is None:
        return None
    numerator, denominator = pair
    if numerator is None or denominator is None or math.isnan(numerator) or math.isnan(denominator):
        return None
    if numerator < 0 or denominator < 0:
        raise ValueError(f"{code}: numerator and denominator must not be negative, got {pair}")
    return numerator, denominator


# --------------------------------------------------------------------------------------------------------
# Shares of the national total


@dataclass(frozen=True, slots=True)
class GroupShares:
    """Each group's total and its share of the sum over all municipalities with a count.

    ``missing`` names municipalities whose count is missing; they are in neither sum (never counted as 0),
    so with ``missing`` non-empty the shares are of a partial total.
    """

    shares: dict[str, float]
    totals: dict[str, float]
    national_total: float
    missing: tuple[str, ...]


class MissingCountsError(ValueError):
    """Counts are missing, so the national total (and every share of it) is unknown."""

    def __init__(self, codes: tuple[str, ...]) -> None:
        self.codes = codes
        listed = ", ".join(codes[:20]) + (f" and {len(codes) - 20} more" if len(codes) > 20 else "")
        super().__init__(f"{len(codes)} municipalities have no count, so the national total is unknown: {listed}")


def group_shares(counts: Mapping[str, float | None], groups: Mapping[str, str]) -> GroupShares:
    """Group totals and shares of the sum over every municipality in ``counts`` that has a count.

    Municipalities in ``groups`` but absent from ``counts`` are missing too. Municipalities with a count
    but no group add to the national total only. Every group in ``groups`` appears (a group whose
    members all lack a count has total 0 over its known members). Raises ValueError for a negative count
    or when the national total is 0.
    """
    missing = {code for code, count in counts.items() if count is None or math.isnan(count)}
    missing |= {code for code in groups if code not in counts}
    known = {code: count for code, count in counts.items() if code not in missing and count is not None}
    negative = sorted(code for code, count in known.items() if count < 0)
    if negative:
        raise ValueError(f"counts must not be negative: {', '.join(negative)}")
    national = math.fsum(known.values())
    if national == 0:
        raise ValueError("the national total is 0, so shares of it are undefined")
    totals: dict[str, float] = {}
    for group in sorted(set(groups.values())):
        totals[group] = math.fsum(known[code] for code, g in groups.items() if g == group and code in known)
    shares = {group: total / national for group, total in totals.items()}
    return GroupShares(shares, totals, national, tuple(sorted(missing)))


def share_of_national_total(counts: Mapping[str, float | None], groups: Mapping[str, str]) -> dict[str, float]:
    """Each group's share (0–1) of the national total Σ counts over all municipalities.

    Raises :class:`MissingCountsError` naming the municipalities without a count: a share of an incomplete
    total would be wrong, and missing is never 0. Use :func:`group_shares` for shares of a partial total.
    """
    result = group_shares(counts, groups)
    if result.missing:
        raise MissingCountsError(result.missing)
    return result.shares
