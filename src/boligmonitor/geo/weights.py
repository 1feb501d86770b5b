"""Weights for municipalities split between several successors, each with the source shown to users.

Three kinds, in order of precedence (a split uses the first kind that has weights for it):

1. ``known_correspondence`` — exact correspondences shipped in ``geo/data/known_correspondences.yaml``
   (a re-established municipality with its old borders: 1534 Haram → 1580 Haram);
2. ``population`` — each successor's population on 1 January of the first year of the new structure,
   for splits whose successors received nothing else (1507 Ålesund → 1508 Ålesund + 1580 Haram);
3. ``explicit`` — weights supplied as build input rows {old_code, new_code, valid_until_year, weight,
   source}, e.g. FHI csdata's fixed shares for Snillfjord and Tysfjord.

An allocation may apply to every value reaching the split (``origin`` None) or only to values published
under one earlier code that merged into the split code (``origin`` = that code and the date it ended).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.regions import normalise_region_code
from boligmonitor.geo.changes import ChangeHistory

WEIGHT_TOLERANCE = 1e-6

# A code together with the date on which it ceased to be used (its area passed on to another code).
Origin = tuple[str, date]


class WeightKind(StrEnum):
    """Where split weights come from, in order of precedence."""

    KNOWN_CORRESPONDENCE = "known_correspondence"
    POPULATION = "population"
    EXPLICIT = "explicit"

    @property
    def exact(self) -> bool:
        """Exact correspondences are not estimates."""
        return self is WeightKind.KNOWN_CORRESPONDENCE


_PRECEDENCE = list(WeightKind)


@dataclass(frozen=True)
class SplitAllocation:
    """How the area of ``split_code`` is divided among its immediate successors on ``split_on``."""

    split_code: str
    split_on: date
    weights: Mapping[str, float] = field(hash=False)
    source: str
    kind: WeightKind
    origin: Origin | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", MappingProxyType(dict(self.weights)))

    @property
    def key(self) -> tuple[WeightKind, str, date, Origin | None]:
        return (self.kind, self.split_code, self.split_on, self.origin)


class SplitWeights:
    """A set of split allocations; look-ups follow the precedence known > population > explicit.

    Combine sets with ``|`` (the order of the operands does not matter: precedence is by kind).
    """

    def __init__(self, allocations: Iterable[SplitAllocation] = ()) -> None:
        self._by_key: dict[tuple[WeightKind, str, date, Origin | None], SplitAllocation] = {}
        for allocation in allocations:
            existing = self._by_key.get(allocation.key)
            if existing is not None and existing != allocation:
                raise ValueError(
                    f"two {allocation.kind.value} allocations for the split of {allocation.split_code} on "
                    f"{allocation.split_on.isoformat()}"
                )
            self._by_key[allocation.key] = allocation

    def __or__(self, other: SplitWeights) -> SplitWeights:
        return SplitWeights([*self._by_key.values(), *other._by_key.values()])

    def __len__(self) -> int:
        return len(self._by_key)

    def allocations(self) -> list[SplitAllocation]:
        return sorted(self._by_key.values(), key=lambda a: (a.split_on, a.split_code, _PRECEDENCE.index(a.kind)))

    def allocation(self, split_code: str, split_on: date, lineage: Sequence[Origin] = ()) -> SplitAllocation | None:
        """The allocation to use for a value reaching this split, having passed through ``lineage``
        (the earlier codes of the value, with the dates they ended)."""
        for kind in _PRECEDENCE:
            for origin in reversed(lineage):
                found = self._by_key.get((kind, split_code, split_on, origin))
                if found is not None:
                    return found
            found = self._by_key.get((kind, split_code, split_on, None))
            if found is not None:
                return found
        return None

    # ----------------------------------------------------------------------------------------------------

    @classmethod
    def standard(
        cls,
        history: ChangeHistory,
        population: Mapping[tuple[str, int], float] | None = None,
        explicit_rows: Iterable[Mapping[str, str | None]] = (),
        file: str = "<split weights>",
    ) -> SplitWeights:
        """Known correspondences, population weights (when populations are given) and explicit rows."""
        weights = cls.known(history) | cls.from_rows(history, explicit_rows, file=file)
        if population is not None:
            weights = weights | cls.from_population(history, population)
        return weights

    @classmethod
    def known(cls, history: ChangeHistory) -> SplitWeights:
        """The exact correspondences shipped with the package, for the splits present in ``history``."""
        return cls(_known_allocations(history, load_known_correspondences()))

    @classmethod
    def from_population(
        cls,
        history: ChangeHistory,
        population: Mapping[tuple[str, int], float],
        source: str = "population input",
    ) -> SplitWeights:
        """Weights for every split whose successors received nothing else: each successor's population on
        1 January of the year the split took effect, divided by their sum. ``population`` is keyed by
        (municipality code, year) and means the population on 1 January of that year. Splits whose
        successors lack a population are left without weights."""
        allocations: list[SplitAllocation] = []
        for split in history.splits():
            if any(history.predecessors(s, split.changed_on) != [split.code] for s in split.successors):
                continue  # a successor also received other areas: its population says nothing about the split
            year = split.changed_on.year
            counts = [population.get((s, year)) for s in split.successors]
            known = [c for c in counts if c is not None and not math.isnan(c) and c >= 0]
            if len(known) != len(counts) or sum(known) <= 0:
                continue
            total = sum(known)
            described = ", ".join(
                f"{s} {history.name_of(s, split.changed_on) or ''}".rstrip() + f" {count:,.0f}".replace(",", " ")
                for s, count in zip(split.successors, known, strict=True)
            )
            allocations.append(
                SplitAllocation(
                    split_code=split.code,
                    split_on=split.changed_on,
                    weights={s: count / total for s, count in zip(split.successors, known, strict=True)},
                    source=f"population share on 1 January {year} ({source}): {described}",
                    kind=WeightKind.POPULATION,
                )
            )
        return cls(allocations)

    @classmethod
    def from_rows(
        cls, history: ChangeHistory, rows: Iterable[Mapping[str, str | None]], file: str = "<split weights>"
    ) -> SplitWeights:
        """Explicit weights from rows {old_code, new_code, valid_until_year, weight, source}.

        ``valid_until_year`` (or ``valid_until``, a year or a date) is the last year ``old_code`` was in use.
        ``old_code`` is the split code itself or an earlier code whose chain leads to the split;
        ``new_code`` is an immediate successor at the split or a later code descending from exactly one
        successor (so a correspondence to today's codes, such as FHI csdata's, can be given as is). The
        weights of one (old_code, valid_until_year) must sum to 1; successors not named get weight 0.
        Raises InputError naming every problem.
        """
        problems: list[InputProblem] = []
        groups: dict[tuple[str, int], list[tuple[int, str, float, str]]] = defaultdict(list)
        for index, row in enumerate(rows):
            parsed = _parse_weight_row(row, index + 2, file, problems)
            if parsed is not None:
                old_code, until_year, new_code, weight, source = parsed
                groups[(old_code, until_year)].append((index + 2, new_code, weight, source))
        allocations = [
            allocation
            for (old_code, until_year), group in sorted(groups.items())
            if (allocation := _explicit_allocation(history, old_code, until_year, group, file, problems))
        ]
        if problems:
            raise InputError(sorted(problems, key=lambda p: p.line or 0))
        return cls(allocations)


# --------------------------------------------------------------------------------------------------------
# Known correspondences (geo/data/known_correspondences.yaml)


@dataclass(frozen=True, slots=True)
class KnownCorrespondence:
    """A value published for ``from_code`` (last in use in ``from_until_year``) goes wholly to ``to_code``
    at the split of ``split_code`` on ``split_on``."""

    split_code: str
    split_on: date
    from_code: str
    from_until_year: int
    to_code: str
    source: str


def load_known_correspondences() -> list[KnownCorrespondence]:
    """Read the shipped ``known_correspondences.yaml``."""
    text = resources.files("boligmonitor.geo").joinpath("data/known_correspondences.yaml").read_text("utf-8")
    document: Any = yaml.safe_load(text)
    found: list[KnownCorrespondence] = []
    for entry in document["correspondences"]:
        split_on = date.fromisoformat(str(entry["split_on"]))
        for item in entry["allocate"]:
            found.append(
                KnownCorrespondence(
                    split_code=str(entry["split_code"]),
                    split_on=split_on,
                    from_code=str(item["from_code"]),
                    from_until_year=int(item["from_until_year"]),
                    to_code=str(item["to_code"]),
                    source=" ".join(str(entry["source"]).split()),
                )
            )
    return found


def _known_allocations(history: ChangeHistory, known: Iterable[KnownCorrespondence]) -> list[SplitAllocation]:
    """Allocations for the known correspondences whose split is in ``history``, checked against it."""
    allocations: list[SplitAllocation] = []
    by_split: dict[tuple[str, date], list[KnownCorrespondence]] = defaultdict(list)
    for item in known:
        by_split[(item.split_code, item.split_on)].append(item)
    for (split_code, split_on), items in by_split.items():
        split = history.split_of(split_code, split_on)
        if split is None:
            continue  # the history given does not reach this split
        merged_into_split: set[str] = set()
        for item in items:
            ended = date(item.from_until_year + 1, 1, 1)
            if history.successors(item.from_code, ended) != [split_code] or item.to_code not in split.successors:
                raise ValueError(
                    f"known correspondence {item.from_code} → {item.to_code} contradicts the KLASS changes "
                    f"({item.from_code} on {ended.isoformat()}: {history.successors(item.from_code, ended)}; "
                    f"split of {split_code}: {list(split.successors)})"
                )
            merged_into_split.update(history.predecessors(split_code, ended))
            allocations.append(
                SplitAllocation(
                    split_code=split_code,
                    split_on=split_on,
                    weights={item.to_code: 1.0},
                    source=item.source,
                    kind=WeightKind.KNOWN_CORRESPONDENCE,
                    origin=(item.from_code, ended),
                )
            )
        unlisted = merged_into_split - {item.from_code for item in items}
        if unlisted:
            raise ValueError(f"known correspondence for {split_code} misses {sorted(unlisted)}")
    return allocations


# --------------------------------------------------------------------------------------------------------
# Explicit rows


def _parse_weight_row(
    row: Mapping[str, str | None], line: int, file: str, problems: list[InputProblem]
) -> tuple[str, int, str, float, str] | None:
    def text(key: str) -> str:
        return (row.get(key) or "").strip()

    until_key = "valid_until_year" if "valid_until_year" in row else "valid_until"
    found = len(problems)
    for key in ("old_code", "new_code", until_key, "weight", "source"):
        if not text(key):
            problems.append(InputProblem(file, "value is missing", line, key))
    if len(problems) > found:
        return None
    until_text = text(until_key)
    until_year = int(until_text[:4]) if until_text[:4].isdigit() and len(until_text) in (4, 10) else None
    if until_year is None:
        problems.append(InputProblem(file, f"{until_text!r} is not a year", line, until_key))
    try:
        weight = float(text("weight").replace(",", "."))
    except ValueError:
        problems.append(InputProblem(file, f"{text('weight')!r} is not a number", line, "weight"))
        return None
    if not 0 <= weight <= 1:
        problems.append(InputProblem(file, f"weight {weight} is not between 0 and 1", line, "weight"))
    if until_year is None or len(problems) > found:
        return None
    return (
        normalise_region_code(text("old_code")),
        until_year,
        normalise_region_code(text("new_code")),
        weight,
        text("source"),
    )


def _explicit_allocation(
    history: ChangeHistory,
    old_code: str,
    until_year: int,
    group: list[tuple[int, str, float, str]],
    file: str,
    problems: list[InputProblem],
) -> SplitAllocation | None:
    first_line = group[0][0]

    def problem(message: str, line: int = first_line, field: str = "old_code") -> None:
        problems.append(InputProblem(file, message, line, field))

    ended = date(until_year + 1, 1, 1)
    if not history.is_valid(old_code, date(until_year, 1, 1)):
        problem(f"{old_code} was not in use in {until_year}")
        return None
    if history.next_departure(old_code, after=date(until_year, 1, 1)) != ended:
        problem(f"{old_code} did not cease to be used after {until_year} (valid_until_year is its last year)")
        return None
    # Follow the chain (renumberings and merges) from old_code to the first split.
    code, on = old_code, ended
    while len(successors := history.successors(code, on)) == 1:
        following = history.next_departure(successors[0], after=on)
        if following is None:
            problem(f"{old_code} (until {until_year}) is never split; split weights do not apply")
            return None
        code, on = successors[0], following
    weights: dict[str, float] = {}
    for line, new_code, weight, _ in group:
        successor = _successor_leading_to(history, code, on, new_code)
        if successor is None:
            problem(
                f"{new_code} is not a successor of {code} at its split on {on.isoformat()} "
                f"(successors: {', '.join(history.successors(code, on))})",
                line,
                "new_code",
            )
        elif successor in weights:
            problem(f"{new_code} gives a second weight for successor {successor}", line, "new_code")
        else:
            weights[successor] = weight
    if len(weights) != len(group):
        return None
    total = sum(weights.values())
    if abs(total - 1) > WEIGHT_TOLERANCE:
        problem(f"weights for {old_code} (until {until_year}) sum to {total:g}, not 1", field="weight")
        return None
    sources = list(dict.fromkeys(source for _, _, _, source in group))
    shares = ", ".join(f"{s} {w:g}" for s, w in weights.items())
    return SplitAllocation(
        split_code=code,
        split_on=on,
        weights=weights,
        source=f"{'; '.join(sources)} (fixed shares: {shares})",
        kind=WeightKind.EXPLICIT,
        origin=None if code == old_code else (old_code, ended),
    )


def _successor_leading_to(history: ChangeHistory, code: str, on: date, new_code: str) -> str | None:
    """The immediate successor of ``code`` at ``on`` that is, or later becomes (part of), ``new_code``."""
    successors = history.successors(code, on)
    if new_code in successors:
        return new_code
    leading = [s for s in successors if new_code in _descendants(history, s, on)]
    return leading[0] if len(leading) == 1 else None


def _descendants(history: ChangeHistory, code: str, since: date) -> set[str]:
    found: set[str] = set()
    frontier = [(code, since)]
    while frontier:
        current, after = frontier.pop()
        departure = history.next_departure(current, after=after)
        if departure is None:
            continue
        for successor in history.successors(current, departure):
            if successor not in found:
                found.add(successor)
                frontier.append((successor, departure))
    return found
