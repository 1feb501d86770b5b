"""Disclosure control: decide which cells to hide, and hide them (methods.md §10.3-§10.4, FHI's censoring.R).

Pure functions, no I/O. The steps are separate so that each decision can be explained in the UI:

1. :func:`primary` hides small counts, shares on small denominators and small complements, and respects the
   publisher's own ``:``;
2. :func:`series` hides a whole time series when too much of it is hidden or rests on small counts;
3. :func:`secondary` hides one more cell in every additive relation (a total and its parts) that would
   otherwise have exactly one hidden member, so that no hidden cell can be recovered by subtraction;
4. :func:`apply` removes value, numerator and denominator from hidden observations and says why.

Cells are identified by any hashable key (for observations: ``Observation.key()``). Ties are broken by
``repr`` of the key so that the same input always gives the same suppression pattern.
See ``docs/methods/disclosure-control.md``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from boligmonitor.core.flags import Flag
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status

K = TypeVar("K", bound=Hashable)

Reason = Literal[
    "primary_numerator",
    "primary_denominator",
    "primary_complement",
    "secondary",
    "series",
    "publisher",
]

# Shown with every hidden value (methods.md §10.3 rule 5: say *why* a cell is hidden).
NOTES: dict[Reason, str] = {
    "primary_numerator": "skjult fordi tallet er for lite (personvern)",
    "primary_denominator": "skjult fordi gruppen er for liten (personvern)",
    "primary_complement": "skjult fordi nesten alle i gruppen har kjennetegnet (personvern)",
    "secondary": "skjult for å beskytte et annet tall",
    "series": "skjult fordi for stor del av tidsserien bygger på små tall",
    "publisher": "skjult av kilden (personvern)",
}


@dataclass(frozen=True, slots=True)
class SuppressionRules:
    """Thresholds; defaults from methods.md §10.3 (to be confirmed with Husbanken).

    - ``threshold``: counts 1 … threshold − 1 are hidden, and so are complements (denominator − numerator)
      in that range, which would otherwise reveal that almost everyone in a group has the attribute;
    - ``min_denominator``: shares whose denominator is below this are hidden;
    - ``series_share``: a series is hidden when *more than* this share of its points is hidden or rests on
      counts below ``threshold``.
    """

    threshold: int = 3
    min_denominator: int = 10
    series_share: float = 0.5

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError(f"threshold must be at least 1, got {self.threshold}")
        if self.min_denominator < 0:
            raise ValueError(f"min_denominator must not be negative, got {self.min_denominator}")
        if not 0.0 <= self.series_share <= 1.0:
            raise ValueError(f"series_share must be between 0 and 1, got {self.series_share}")


@dataclass(frozen=True, slots=True)
class Cell:
    """What disclosure control needs to know about one published number.

    ``numerator`` is the count (for a count indicator, the value itself); ``denominator`` is ``None`` for
    plain counts. ``None`` means missing, never 0.
    """

    key: Hashable
    numerator: float | None
    denominator: float | None
    status: Status = Status.OK


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a cell is hidden, why, and (for secondary suppression) which hidden cell it protects."""

    key: Hashable
    hidden: bool
    reason: Reason | None = None
    protects: Hashable | None = None


@dataclass(frozen=True, slots=True)
class Relation:
    """An additive relation: ``total`` = sum of ``parts`` (a region and its children, a total and categories)."""

    total: Hashable
    parts: tuple[Hashable, ...]

    @property
    def members(self) -> tuple[Hashable, ...]:
        return (self.total, *self.parts)


DEFAULT_RULES = SuppressionRules()


def order_key(key: Hashable) -> tuple[str, str]:
    """A total order on arbitrary hashable keys, used to break ties reproducibly."""
    return (type(key).__name__, repr(key))


def _is_small(count: float, rules: SuppressionRules) -> bool:
    # Counts of 1 … threshold − 1 (methods.md §10.3: "suppress counts of 1–2"); a true zero is not hidden.
    return 0 < count < rules.threshold


def primary_decision(cell: Cell, rules: SuppressionRules) -> Decision:
    """The primary decision for one cell (first matching reason wins: publisher, numerator, denominator,
    complement)."""
    if cell.status is Status.CONFIDENTIAL:
        return Decision(cell.key, hidden=True, reason="publisher")
    if cell.numerator is not None and _is_small(cell.numerator, rules):
        return Decision(cell.key, hidden=True, reason="primary_numerator")
    if cell.denominator is not None and cell.denominator < rules.min_denominator:
        return Decision(cell.key, hidden=True, reason="primary_denominator")
    if (
        cell.numerator is not None
        and cell.denominator is not None
        and _is_small(cell.denominator - cell.numerator, rules)
    ):
        return Decision(cell.key, hidden=True, reason="primary_complement")
    return Decision(cell.key, hidden=False)


def primary(cells: Iterable[Cell], rules: SuppressionRules = DEFAULT_RULES) -> dict[Hashable, Decision]:
    """Primary suppression of every cell (methods.md §10.3; FHI ``PRIKK_T``/``PRIKK_N``)."""
    return {cell.key: primary_decision(cell, rules) for cell in cells}


def series(values_by_year: Mapping[int, Cell], rules: SuppressionRules = DEFAULT_RULES) -> dict[Hashable, Decision]:
    """Decisions for the points of one time series (FHI ``STATTOL``).

    A point is *weak* when primary suppression hides it or its count is below ``rules.threshold`` (zero
    included: a rate resting on no cases is as unstable as one resting on two). When more than
    ``rules.series_share`` of the points are weak, every point is hidden; points already hidden by primary
    suppression keep their primary reason, the others get reason ``"series"``. Otherwise the primary
    decisions are returned unchanged.
    """
    decisions = {cell.key: primary_decision(cell, rules) for cell in values_by_year.values()}
    if not decisions:
        return decisions
    weak = sum(
        1
        for cell in values_by_year.values()
        if decisions[cell.key].hidden or (cell.numerator is not None and cell.numerator < rules.threshold)
    )
    if weak / len(values_by_year) <= rules.series_share:
        return decisions
    return {
        key: decision if decision.hidden else Decision(key, hidden=True, reason="series")
        for key, decision in decisions.items()
    }


def merge(*decision_maps: Mapping[K, Decision]) -> dict[K, Decision]:
    """Combine decisions from several steps: a cell is hidden if any step hides it; the first reason wins."""
    merged: dict[K, Decision] = {}
    for decisions in decision_maps:
        for key, decision in decisions.items():
            current = merged.get(key)
            if current is None or (decision.hidden and not current.hidden):
                merged[key] = decision
    return merged


def geographic_relations(parent_of: Mapping[K, K]) -> list[Relation]:
    """One relation per parent region: the parent is the total of its children (land = Σ fylker, …).

    ``parent_of`` maps each region to the region directly above it; the top region has no entry.
    """
    children: dict[K, list[K]] = {}
    for child, parent in parent_of.items():
        children.setdefault(parent, []).append(child)
    return [
        Relation(total=parent, parts=tuple(sorted(kids, key=order_key)))
        for parent, kids in sorted(children.items(), key=lambda item: order_key(item[0]))
    ]


def secondary(
    decisions: Mapping[K, Decision],
    relations: Sequence[Relation],
    cells: Iterable[Cell],
    rules: SuppressionRules = DEFAULT_RULES,
) -> dict[Hashable, Decision]:
    """Complementary suppression (methods.md §10.4; FHI's "naboprikking").

    For each relation with exactly one hidden member, hide the visible part with the smallest count (ties
    by key), or the total when no visible part with a number is left; repeat until no relation has
    exactly one hidden member that could still be protected. Missing members (no number, not hidden) are
    not counted as hidden, so this errs on the side of hiding. Cells without a decision are hidden only if
    the publisher hid them (``:``). ``rules`` is accepted for a uniform signature; the procedure does not
    depend on the thresholds.

    Returns decisions for every cell and every decided key, with secondary ones recording the hidden cell
    they protect.
    """
    del rules  # the procedure depends only on which cells are hidden
    by_key = {cell.key: cell for cell in cells}
    result: dict[Hashable, Decision] = dict(decisions.items())
    for key, cell in by_key.items():
        if key not in result:
            by_publisher = cell.status is Status.CONFIDENTIAL
            result[key] = Decision(key, hidden=by_publisher, reason="publisher" if by_publisher else None)

    def is_hidden(key: Hashable) -> bool:
        decision = result.get(key)
        return decision is not None and decision.hidden

    def visible_count(key: Hashable) -> float | None:
        """The count a reader sees for ``key``, or ``None`` when it is hidden or missing."""
        cell = by_key.get(key)
        if cell is None or is_hidden(key):
            return None
        if cell.numerator is not None:
            return cell.numerator
        return 0.0 if cell.status is Status.NIL else None

    changed = True
    while changed:
        changed = False
        for relation in relations:
            hidden = [key for key in relation.members if is_hidden(key)]
            if len(hidden) != 1:
                continue
            candidates = [
                (count, order_key(key), key) for key in relation.parts if (count := visible_count(key)) is not None
            ]
            if candidates:
                chosen = min(candidates, key=lambda item: (item[0], item[1]))[2]
            elif visible_count(relation.total) is not None:
                chosen = relation.total
            else:
                continue  # the other members are missing: nothing visible to subtract from
            result[chosen] = Decision(chosen, hidden=True, reason="secondary", protects=hidden[0])
            changed = True
    return result


def apply(observations: Sequence[Observation], decisions: Mapping[Any, Decision]) -> list[Observation]:
    """Hide the observations whose decision (looked up by ``Observation.key()``) is hidden.

    A hidden observation loses value, numerator *and* denominator, so that switching between count and
    share cannot reveal it (share × denominator = count); it gets status ``:`` and a note saying why. Our
    own suppressions are flagged ``Flag.SUPPRESSED``; cells the publisher already hid are not (the flag
    means "hidden by our own disclosure control").
    """
    result: list[Observation] = []
    for observation in observations:
        decision = decisions.get(observation.key())
        if decision is None or not decision.hidden:
            result.append(observation)
            continue
        reason_note = NOTES[decision.reason] if decision.reason else "skjult av personvernhensyn"
        own = decision.reason != "publisher"
        flags = observation.flags | {Flag.SUPPRESSED} if own else observation.flags
        note = reason_note if observation.note is None else f"{reason_note}; {observation.note}"
        result.append(
            dataclasses.replace(
                observation,
                value=None,
                numerator=None,
                denominator=None,
                status=Status.CONFIDENTIAL,
                flags=flags,
                note=note,
            )
        )
    return result
