"""Benchmarks and peers (methods.md §4.1, §9; docs/methods/peers-and-groups.md).

Who a municipality is compared with (:func:`benchmark_members`), the pooled value of that benchmark
(:func:`pooled_value`: Σx / Σn, never an average of shares) and a transparent "similar municipalities"
distance (:func:`similar_municipalities`) whose per-characteristic contributions explain the result.

Region codes here are canonical (:func:`boligmonitor.core.regions.normalise_region_code`): the store's codes, or a
user's codes normalised where they entered (the CLI, the web). They are not normalised again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

from boligmonitor.core.errors import UnknownCodesError
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status
from boligmonitor.geo.groups import Attribute, RegionAttributes, size_group


class BenchmarkKind(StrEnum):
    """What a municipality's value is compared with."""

    NORWAY = "norway"  # all municipalities, the municipality included (the national total)
    COUNTY = "county"  # the municipalities of its county, itself included (the county total)
    KOSTRA_GROUP = "kostra_group"  # the same KOSTRA group that year, itself excluded
    SIZE_GROUP = "size_group"  # the same size group by that year's population, itself excluded
    PEERS = "peers"  # a given list of similar municipalities, itself excluded
    CUSTOM = "custom"  # a user's own list, validated against the municipalities, itself excluded


# Benchmarks that are totals of an area the municipality belongs to keep it; peer groups leave it out
# (methods.md §4.1: a peer-group value is pooled "excluding the municipality itself").
_INCLUDES_SELF = frozenset({BenchmarkKind.NORWAY, BenchmarkKind.COUNTY})


def benchmark_members(
    kind: BenchmarkKind | str,
    region: str,
    year: int,
    municipalities: Sequence[str],
    attributes: RegionAttributes,
    population: Mapping[tuple[str, int], float],
    custom: Sequence[str] = (),
    peers: Sequence[str] = (),
) -> tuple[str, ...]:
    """The municipalities (sorted codes) whose values are pooled into ``region``'s benchmark in ``year``.

    ``municipalities`` is the set of municipality codes valid in ``year``; every member is one of them.
    County = the first two digits of the code; KOSTRA group = the same ``kostra_group`` attribute (the latest
    assignment published for ``year`` or earlier); size group = the same :func:`geo.groups.size_group` of the
    population in ``year``. Group benchmarks (KOSTRA, size, peers, custom) exclude ``region`` itself.

    An empty tuple means there is no benchmark: the region has no KOSTRA group or no population that year,
    or no other municipality is in its group. Raises :class:`UnknownCodesError` when ``region`` or a
    custom/peer code is not among ``municipalities``.
    """
    kind = BenchmarkKind(kind)
    universe = set(municipalities)
    if region not in universe:
        raise UnknownCodesError("municipality", [region], file=f"<{kind.value} benchmark {year}>")
    if kind is BenchmarkKind.NORWAY:
        members = set(universe)
    elif kind is BenchmarkKind.COUNTY:
        members = {code for code in universe if code[:2] == region[:2]}
    elif kind is BenchmarkKind.KOSTRA_GROUP:
        group = attributes.value(region, Attribute.KOSTRA_GROUP, year)
        members = set() if group is None else universe & set(attributes.members(Attribute.KOSTRA_GROUP, group, year))
    elif kind is BenchmarkKind.SIZE_GROUP:
        own = size_group(population.get((region, year)))
        members = set() if own is None else {c for c in universe if size_group(population.get((c, year))) is own}
    else:
        given = list(custom if kind is BenchmarkKind.CUSTOM else peers)
        unknown = [code for code in given if code not in universe]
        if unknown:
            raise UnknownCodesError("municipality", unknown, file=f"<{kind.value} benchmark {year}>")
        members = set(given)
    if kind not in _INCLUDES_SELF:
        members.discard(region)
    return tuple(sorted(members))


# --------------------------------------------------------------------------------------------------------
# Pooled benchmark value


@dataclass(frozen=True, slots=True)
class PooledValue:
    """A benchmark pooled over members: ``numerator / denominator * multiplier``.

    ``value`` is None when the benchmark is missing; ``status`` then says why (a confidential member makes
    the pooled value confidential). ``partial`` marks a value pooled over only some members
    (``allow_partial=True``); ``missing_members`` names those left out.
    """

    value: float | None
    numerator: float | None
    denominator: float | None
    n_members: int
    n_missing: int
    status: Status
    missing_members: tuple[str, ...] = ()
    partial: bool = False
    flags: frozenset[Flag] = field(default_factory=frozenset)
    harmonisation: Harmonisation = Harmonisation.ORIGINAL
    note: str | None = None
    coverage: Coverage | None = None  # set by :func:`pooled_total`: how much of the area the value covers


def pooled_value(
    observations: Sequence[Observation],
    members: Sequence[str],
    multiplier: float,
    *,
    allow_partial: bool = False,
) -> PooledValue:
    """Pool Σx / Σn · multiplier over ``members`` (methods.md §4.1: pool, never average).

    ``observations`` hold one indicator and year; those of regions outside ``members`` are ignored. A member
    without an observation, numerator or denominator is missing; by default one missing member makes the
    pooled value missing (status: the most restrictive status involved, at least ``..``). With
    ``allow_partial=True`` the value is pooled over the complete members and labelled partial with the
    count of missing members. A pooled denominator of 0 gives no value and status ``.``.
    Raises ValueError when the observations mix indicators or years or give a member twice.
    """
    wanted = set(members)
    by_region: dict[str, Observation] = {}
    for given in observations:
        if given.region_code not in wanted:
            continue
        if given.region_code in by_region:
            raise ValueError(f"region {given.region_code} is given twice")
        by_region[given.region_code] = given
    if len({(o.indicator_id, o.year) for o in by_region.values()}) > 1:
        raise ValueError("pooled_value needs observations of one indicator and one year")

    total_x = 0.0
    total_n = 0.0
    complete_status = Status.OK
    missing_status = Status.OK
    flags: set[Flag] = set()
    harmonisation = Harmonisation.ORIGINAL
    missing: list[str] = []
    for code in sorted(wanted):
        observation = by_region.get(code)
        if observation is None or _is_missing(observation.numerator) or _is_missing(observation.denominator):
            missing.append(code)
            reason = Status.MISSING if observation is None or observation.status.has_value else observation.status
            missing_status = missing_status.combine(reason)
            continue
        assert observation.numerator is not None
        assert observation.denominator is not None
        total_x += observation.numerator
        total_n += observation.denominator
        complete_status = complete_status.combine(observation.status)
        flags |= observation.flags
        harmonisation = harmonisation.combine(observation.harmonisation)

    n_members = len(wanted)
    n_complete = n_members - len(missing)
    if n_members == 0:
        return PooledValue(None, None, None, 0, 0, Status.MISSING, note="the benchmark has no members")
    if missing and not allow_partial:
        return PooledValue(
            None,
            None,
            None,
            n_members,
            len(missing),
            complete_status.combine(missing_status),
            tuple(missing),
            note=f"{len(missing)} of {n_members} members have no numerator or denominator",
        )
    if n_complete == 0:
        return PooledValue(None, None, None, n_members, len(missing), missing_status, tuple(missing))
    partial = bool(missing)
    note = f"partial: pooled over {n_complete} of {n_members} members" if partial else None
    if total_n == 0:
        return PooledValue(
            None,
            total_x,
            total_n,
            n_members,
            len(missing),
            Status.NOT_APPLICABLE,
            tuple(missing),
            partial,
            frozenset(flags),
            harmonisation,
            note="the pooled denominator is 0",
        )
    return PooledValue(
        total_x / total_n * multiplier,
        total_x,
        total_n,
        n_members,
        len(missing),
        complete_status,
        tuple(missing),
        partial,
        frozenset(flags),
        harmonisation,
        note,
    )


def _is_missing(value: float | None) -> bool:
    return value is None or math.isnan(value)


# --------------------------------------------------------------------------------------------------------
# An area's total pooled from its municipalities (Norway, a county)

MAX_MISSING_SHARE = 0.05  # members without figures may hold less than this share of the denominator
CoverageBasis = Literal["denominator", "population"]


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many of an area's municipalities have figures, and what share of the denominator those without hold.

    ``basis`` says what the share is measured in: the members' own denominators when every member has one,
    otherwise their population; ``missing_share`` is None when neither is known for every member.
    """

    members: int
    with_values: int
    missing_share: float | None
    basis: CoverageBasis | None

    @property
    def without_values(self) -> int:
        return self.members - self.with_values

    @property
    def complete(self) -> bool:
        return self.without_values == 0

    @property
    def sufficient(self) -> bool:
        """Complete, or the members without figures hold less than :data:`MAX_MISSING_SHARE` of the denominator."""
        return self.complete or (self.missing_share is not None and self.missing_share < MAX_MISSING_SHARE)


def pooled_total(
    observations: Sequence[Observation],
    members: Sequence[str],
    multiplier: float,
    population: Mapping[str, float | None],
) -> PooledValue:
    """An area's value (Norway, a county) pooled from its municipalities when the publisher gives no total.

    With every member's numerator and denominator: Σx / Σn · multiplier, as :func:`pooled_value`. When some
    members have none, the value is pooled over the others only if those without figures hold less than 5 %
    of the denominator — measured by the members' denominators when every member has one, otherwise by their
    ``population`` (by code, that year) — and labelled partial ("pooled from 334 of 357 municipalities; 23
    without figures"); otherwise there is no value, and the note says how much the missing members hold.
    The result's ``coverage`` carries the counts and the share either way.
    """
    strict = pooled_value(observations, members, multiplier)
    if strict.n_members == 0:
        return strict
    n_members = strict.n_members
    missing = strict.missing_members
    if not missing:
        return replace(strict, coverage=Coverage(n_members, n_members, 0.0, None))
    share, basis = _missing_share(observations, members, missing, population)
    coverage = Coverage(n_members, n_members - len(missing), share, basis)
    held = "an unknown share of the denominator" if share is None else f"{share:.1%} of the {basis}"
    if not coverage.sufficient or coverage.with_values == 0:
        note = (
            f"{len(missing)} of {n_members} members have no numerator or denominator; they hold {held} "
            f"(a pooled value needs them to hold less than {MAX_MISSING_SHARE:.0%})"
        )
        return replace(strict, note=note, coverage=coverage)
    partial = pooled_value(observations, members, multiplier, allow_partial=True)
    note = (
        f"pooled from {coverage.with_values} of {n_members} municipalities; {len(missing)} without figures, "
        f"holding {held}"
    )
    return replace(partial, note=note, coverage=coverage)


def _missing_share(
    observations: Sequence[Observation],
    members: Sequence[str],
    missing: Sequence[str],
    population: Mapping[str, float | None],
) -> tuple[float | None, CoverageBasis | None]:
    """The share of the members' total weight held by ``missing``: by denominator when every member has one,
    else by population; (None, None) when neither is known for every member or the total is not positive."""
    wanted = set(members)
    denominators = {o.region_code: o.denominator for o in observations if o.region_code in wanted}
    weights: dict[str, float] = {}
    basis: CoverageBasis
    if all(not _is_missing(denominators.get(code)) for code in wanted):
        basis = "denominator"
        weights = {code: float(denominators[code] or 0.0) for code in wanted}
    elif all(not _is_missing(population.get(code)) for code in wanted):
        basis = "population"
        weights = {code: float(population[code] or 0.0) for code in wanted}
    else:
        return None, None
    total = math.fsum(weights.values())
    if total <= 0:
        return None, None
    return math.fsum(weights[code] for code in missing) / total, basis


# --------------------------------------------------------------------------------------------------------
# Similar municipalities

Transform = Literal["none", "log"]


@dataclass(frozen=True, slots=True)
class Characteristic:
    """One characteristic used to find similar municipalities.

    ``values`` by municipality code (None = missing); ``weight`` ≥ 0 (0 switches it off); ``transform``
    ``"log"`` takes the natural logarithm before standardising (for skewed counts such as population).
    """

    name: str
    values: Mapping[str, float | None]
    weight: float = 1.0
    transform: Transform = "none"


@dataclass(frozen=True, slots=True)
class Neighbour:
    """A municipality and its distance to the chosen one.

    ``contributions[name] = weight · (z_other − z_self)²``; they sum to ``distance ** 2``.
    """

    code: str
    distance: float
    contributions: dict[str, float]


@dataclass(frozen=True, slots=True)
class Similarity:
    """Nearest neighbours, plus every municipality left out and why (e.g. ``"population: missing"``)."""

    region: str
    neighbours: list[Neighbour]
    excluded: dict[str, tuple[str, ...]]
    compared: int  # municipalities with every characteristic, the region included


def similarity(region: str, characteristics: Sequence[Characteristic], n: int = 10) -> Similarity:
    """The ``n`` municipalities nearest to ``region`` by a weighted Euclidean distance on z-scores.

    Each characteristic with weight > 0 is (optionally) log-transformed, then standardised across the
    municipalities that have all characteristics: z = (t − mean) / sd (population sd). Distance =
    √Σ wₖ (zₖ(other) − zₖ(region))². A characteristic that is equal everywhere (sd 0) contributes 0.
    Ties are broken by code. Municipalities missing any characteristic are excluded (with reasons).
    Raises ValueError for bad weights, duplicate names, n < 1 or when ``region`` itself is excluded.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    used = _checked_characteristics(characteristics)

    codes = sorted({code for c in used for code in c.values})
    transformed: dict[str, dict[str, float]] = {c.name: {} for c in used}
    reasons: dict[str, list[str]] = {}
    for c in used:
        for code in codes:
            value, problem = _transformed(c.values.get(code), c.transform)
            if problem is not None:
                reasons.setdefault(code, []).append(f"{c.name}: {problem}")
            else:
                assert value is not None
                transformed[c.name][code] = value
    excluded = {code: tuple(problems) for code, problems in reasons.items()}
    if region in excluded:
        raise ValueError(f"{region} cannot be compared: {'; '.join(excluded[region])}")
    if region not in codes:
        raise ValueError(f"{region} has no values for the characteristics")
    complete = [code for code in codes if code not in excluded]

    z_scores = {c.name: _standardised({code: transformed[c.name][code] for code in complete}) for c in used}
    neighbours: list[Neighbour] = []
    for code in complete:
        if code == region:
            continue
        contributions = {c.name: c.weight * (z_scores[c.name][code] - z_scores[c.name][region]) ** 2 for c in used}
        neighbours.append(Neighbour(code, math.sqrt(math.fsum(contributions.values())), contributions))
    neighbours.sort(key=lambda neighbour: (neighbour.distance, neighbour.code))
    return Similarity(region, neighbours[:n], excluded, len(complete))


def similar_municipalities(region: str, characteristics: Sequence[Characteristic], n: int = 10) -> list[Neighbour]:
    """The ``n`` nearest municipalities (see :func:`similarity`, which also reports who was excluded)."""
    return similarity(region, characteristics, n).neighbours


def _checked_characteristics(characteristics: Sequence[Characteristic]) -> list[Characteristic]:
    names = [c.name for c in characteristics]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"characteristics given twice: {', '.join(duplicates)}")
    for c in characteristics:
        if math.isnan(c.weight) or c.weight < 0 or math.isinf(c.weight):
            raise ValueError(f"weight of {c.name!r} must be a finite number ≥ 0, got {c.weight}")
        if c.transform not in ("none", "log"):
            raise ValueError(f"transform of {c.name!r} must be 'none' or 'log', got {c.transform!r}")
    used = [c for c in characteristics if c.weight > 0]
    if not used:
        raise ValueError("at least one characteristic needs a weight above 0")
    return used


def _transformed(value: float | None, transform: Transform) -> tuple[float | None, str | None]:
    if value is None or math.isnan(value) or math.isinf(value):
        return None, "missing"
    if transform == "log":
        if value <= 0:
            return None, f"{value} is not positive, so it has no logarithm"
        return math.log(value), None
    return float(value), None


def _standardised(values: Mapping[str, float]) -> dict[str, float]:
    mean = math.fsum(values.values()) / len(values)
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values.values()) / len(values))
    if sd == 0:
        return dict.fromkeys(values, 0.0)
    return {code: (v - mean) / sd for code, v in values.items()}
