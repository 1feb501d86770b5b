"""An independent check of a table as published: can a reader see or work out a protected number?

Written separately from :mod:`boligmonitor.analysis.suppression` (it shares only its plain data types) so
that a bug in the suppression procedure is caught rather than repeated. It looks only at what a reader
sees: the visible value, numerator and denominator of each cell and the additive relations between cells.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from boligmonitor.analysis.suppression import DEFAULT_RULES, Relation, SuppressionRules
from boligmonitor.core.status import Status

ProblemKind = Literal[
    "visible_small_count",
    "visible_small_denominator",
    "visible_small_complement",
    "share_reveals_hidden_count",
    "single_hidden_in_relation",
    "recoverable_by_combination",
]


@dataclass(frozen=True, slots=True)
class PublishedCell:
    """One cell as a reader sees it. ``None`` means not shown. ``numerator`` is the count (for a count
    indicator, the value itself); ``value`` is the shown share or rate, if any."""

    key: Hashable
    value: float | None
    numerator: float | None
    denominator: float | None
    status: Status = Status.OK


@dataclass(frozen=True, slots=True)
class Problem:
    """A disclosure risk in a published table, naming the cells involved."""

    kind: ProblemKind
    keys: tuple[Hashable, ...]
    message: str


def check_table(
    published: Sequence[PublishedCell],
    relations: Sequence[Relation],
    rules: SuppressionRules = DEFAULT_RULES,
) -> list[Problem]:
    """Every disclosure problem found in ``published``; an empty list means the table passes.

    Checks, per cell: no visible count of 1 … threshold − 1; no visible share on a denominator below the
    minimum; no visible complement (denominator − count) of 1 … threshold − 1; no hidden count that a
    visible share × visible denominator gives back. Per relation: no relation in which exactly one member's
    count is unknown while that member is hidden (total minus the other parts gives it back). Across
    relations: no hidden count determined by the system of all relations together (a linear-algebra check,
    which also catches recovery through chains of relations).
    """
    problems: list[Problem] = []
    by_key = {cell.key: cell for cell in published}
    for cell in published:
        problems.extend(_cell_problems(cell, rules))
    known = {key: _readable_count(cell) for key, cell in by_key.items()}
    hidden = {key for key, cell in by_key.items() if cell.status is Status.CONFIDENTIAL}

    reported: set[Hashable] = set()
    for relation in relations:
        members = (relation.total, *relation.parts)
        unknown = [key for key in members if known.get(key) is None]
        if len(unknown) == 1 and unknown[0] in hidden:
            reported.add(unknown[0])
            problems.append(
                Problem(
                    "single_hidden_in_relation",
                    (unknown[0], *[key for key in members if key != unknown[0]]),
                    f"{unknown[0]!r} is the only unknown in the relation with total {relation.total!r}",
                )
            )
    for key in _determined_unknowns(relations, known):
        if key in hidden and key not in reported:
            problems.append(
                Problem(
                    "recoverable_by_combination",
                    (key,),
                    f"{key!r} follows from combining the published totals and parts",
                )
            )
    return problems


def _small(count: float, rules: SuppressionRules) -> bool:
    return 0 < count < rules.threshold


def _readable_count(cell: PublishedCell) -> float | None:
    """The count a reader can read or compute for a cell (share × denominator gives it back too)."""
    if cell.numerator is not None:
        return cell.numerator
    if cell.value is not None and cell.denominator is not None:
        return cell.value  # stands in for the count: only whether it is known matters
    if cell.status is Status.NIL:
        return 0.0
    return None


def _cell_problems(cell: PublishedCell, rules: SuppressionRules) -> list[Problem]:
    problems: list[Problem] = []
    key = (cell.key,)
    if cell.numerator is not None and _small(cell.numerator, rules):
        problems.append(Problem("visible_small_count", key, f"{cell.key!r} shows the count {cell.numerator:g}"))
    share_visible = cell.value is not None or cell.numerator is not None
    if cell.denominator is not None and share_visible and cell.denominator < rules.min_denominator:
        problems.append(
            Problem(
                "visible_small_denominator",
                key,
                f"{cell.key!r} shows a share on the denominator {cell.denominator:g}",
            )
        )
    if cell.numerator is not None and cell.denominator is not None and _small(cell.denominator - cell.numerator, rules):
        problems.append(
            Problem(
                "visible_small_complement",
                key,
                f"{cell.key!r} shows that all but {cell.denominator - cell.numerator:g} have the attribute",
            )
        )
    if (
        cell.status is Status.CONFIDENTIAL
        and cell.numerator is None
        and cell.value is not None
        and cell.denominator is not None
    ):
        problems.append(
            Problem(
                "share_reveals_hidden_count",
                key,
                f"{cell.key!r} is hidden but its share × denominator gives the count back",
            )
        )
    return problems


def _determined_unknowns(relations: Sequence[Relation], known: dict[Hashable, float | None]) -> list[Hashable]:
    """Unknown members whose count is fixed by the relations (total − Σ parts = 0) and the known counts.

    An unknown x_j is determined exactly when removing its column lowers the rank of the coefficient
    matrix of the unknowns (every solution then agrees on x_j).
    """
    unknowns: list[Hashable] = []
    index: dict[Hashable, int] = {}
    rows: list[dict[int, float]] = []
    for relation in relations:
        row: dict[int, float] = {}
        for key, sign in ((relation.total, 1.0), *((part, -1.0) for part in relation.parts)):
            if known.get(key) is not None:
                continue
            if key not in index:
                index[key] = len(unknowns)
                unknowns.append(key)
            row[index[key]] = row.get(index[key], 0.0) + sign
        if row:
            rows.append(row)
    if not rows:
        return []
    matrix = np.zeros((len(rows), len(unknowns)))
    for i, row in enumerate(rows):
        for j, coefficient in row.items():
            matrix[i, j] = coefficient
    full_rank = int(np.linalg.matrix_rank(matrix))
    return [
        key for j, key in enumerate(unknowns) if int(np.linalg.matrix_rank(np.delete(matrix, j, axis=1))) < full_rank
    ]
