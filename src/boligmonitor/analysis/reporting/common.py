"""What the programme analyses share: which indicators they cover and how each is added up over municipalities,
which observations count as values, the smallest group given a figure, and the data version of the source.

Aggregation follows methods.md §4.1 ("pool, never average"): a rate or share over a group is Σx / Σn · m from
the municipalities' numerators and denominators; a count over a group is the sum of the counts. Summaries
(averages, prices, durations) cannot be added up over municipalities and are left out with a reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal, Protocol, runtime_checkable

from boligmonitor.analysis.reading import ObservationSource
from boligmonitor.analysis.reasons import Reason, reason, untranslated
from boligmonitor.catalog.models import Catalog, Indicator, QuantityKind
from boligmonitor.core.flags import Flag
from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import RegionLevel
from boligmonitor.store.rows import DataVersion

Aggregation = Literal["pooled_rate", "summed_count"]
"""``pooled_rate``: Σ numerators / Σ denominators × multiplier; ``summed_count``: Σ counts."""

QUANTITATIVE_KINDS: Final = frozenset(
    {QuantityKind.RATE, QuantityKind.SHARE, QuantityKind.STOCK, QuantityKind.EVENT_COUNT}
)
"""The kinds analysed when no list of indicators is given: rates, shares and counts (stocks and events)."""

MIN_GROUP_SIZE: Final = 5
"""No figure is given for a group of fewer municipalities (with values): the evaluation of the kommuneprogram
found its 4 small programme municipalities "too few to compare" (seed report, avsnitt 5.4), and methods.md §10.3
asks for at least 5 contributing units behind a mean. The rule is about how far a group figure can be read as
the group's, not about confidentiality: every municipality's own value is published."""


def aggregation_of(indicator: Indicator) -> Aggregation | None:
    """How ``indicator`` adds up over municipalities, or None when it cannot (a summary: an average, a price)."""
    if indicator.kind is QuantityKind.SUMMARY:
        return None
    if indicator.multiplier is not None:
        return "pooled_rate"
    if indicator.unit == "count":
        return "summed_count"
    return None


@dataclass(frozen=True, slots=True)
class SkippedIndicator:
    """An indicator asked for (or in the catalogue's default list) that an analysis could not use, and why: ``reason``
    in English, ``why`` as a key with parameters (see :meth:`because`)."""

    indicator_id: str
    reason: str
    why: Reason | None = field(default=None, compare=False)

    @classmethod
    def because(cls, indicator_id: str, why: Reason) -> SkippedIndicator:
        return cls(indicator_id, why.text, why)

    @property
    def structured_reason(self) -> Reason:
        """``why``, or the English ``reason`` as an untranslated one."""
        return self.why if self.why is not None else untranslated(self.reason)


def chosen_indicators(
    catalog: Catalog, indicator_ids: Sequence[str] | None
) -> tuple[list[tuple[Indicator, Aggregation]], list[SkippedIndicator]]:
    """The indicators to analyse with their aggregation, and those left out with a reason.

    Without ``indicator_ids``: every catalogue indicator of a kind in :data:`QUANTITATIVE_KINDS`, in catalogue
    order. With a list: those, in the given order; an unknown id raises KeyError (the catalogue's message suggests
    near ids), and one that cannot be added up is skipped with the reason.
    """
    if indicator_ids is None:
        candidates = [i for i in catalog.indicators if i.kind in QUANTITATIVE_KINDS]
    else:
        candidates = [catalog.indicator(indicator_id) for indicator_id in dict.fromkeys(indicator_ids)]
    chosen: list[tuple[Indicator, Aggregation]] = []
    skipped: list[SkippedIndicator] = []
    for indicator in candidates:
        aggregation = aggregation_of(indicator)
        if aggregation is None:
            why = reason("skipped.not_additive", kind=indicator.kind.value, unit=indicator.unit)
            skipped.append(SkippedIndicator.because(indicator.id, why))
        else:
            chosen.append((indicator, aggregation))
    return chosen, skipped


def usable(observation: Observation | None) -> bool:
    """Whether an observation carries a number: a status symbol without one, or our own suppression, is missing
    (never 0), as in :func:`boligmonitor.analysis.trends.points_from_observations`."""
    return observation is not None and observation.status.has_value and Flag.SUPPRESSED not in observation.flags


def _number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def pair_of(observation: Observation | None, aggregation: Aggregation) -> tuple[float, float] | None:
    """The (numerator, denominator) an observation adds to a group, or None when it adds nothing (missing).

    For a count the pair is (count, 1), so that :func:`boligmonitor.analysis.group_change.group_change` sums the
    counts in its numerators; a rate or share needs both its numerator and its denominator.
    """
    if observation is None or not usable(observation):
        return None
    if aggregation == "summed_count":
        count = _number(observation.value)
        return None if count is None else (count, 1.0)
    numerator, denominator = _number(observation.numerator), _number(observation.denominator)
    return None if numerator is None or denominator is None else (numerator, denominator)


def count_of(observation: Observation | None, aggregation: Aggregation) -> float | None:
    """The number of persons, households or things an observation counts: a count's value, or the numerator of a
    rate or share (the 80+ behind the share aged 80+). None when missing."""
    if observation is None or not usable(observation):
        return None
    return _number(observation.value if aggregation == "summed_count" else observation.numerator)


def municipality_codes(source: ObservationSource) -> list[str]:
    """The source's municipality codes, in code order."""
    return [region.code for region in source.regions_of_level(RegionLevel.MUNICIPALITY)]


def by_region_and_year(observations: Iterable[Observation]) -> dict[tuple[str, int], Observation]:
    """Observations keyed by (region, year); ValueError when one is given twice."""
    keyed: dict[tuple[str, int], Observation] = {}
    for observation in observations:
        key = (observation.region_code, observation.year)
        if key in keyed:
            raise ValueError(f"{observation.indicator_id}: region {key[0]} has two observations in {key[1]}")
        keyed[key] = observation
    return keyed


# --------------------------------------------------------------------------------------------------------
# The data version a result was computed from


@runtime_checkable
class _ReportsVersion(Protocol):
    def current_version(self) -> DataVersion | None: ...


@runtime_checkable
class _HoldsVersion(Protocol):
    version: DataVersion | None


def data_version_of(source: ObservationSource) -> int | None:
    """The id of the data version ``source`` reads, when it says: ``current_version()`` of a store reader, the
    ``version`` of the web's loaded data. None for a source that does not tell (a test's fake source).

    A :class:`~boligmonitor.store.Store` answers each query on its own, so a build committed between two queries
    would mix versions: read through ``Store.snapshot()`` when the id must match the values.
    """
    if isinstance(source, _ReportsVersion):
        version = source.current_version()
    elif isinstance(source, _HoldsVersion):
        version = source.version
    else:
        return None
    return None if version is None else version.id


__all__ = [
    "MIN_GROUP_SIZE",
    "QUANTITATIVE_KINDS",
    "Aggregation",
    "SkippedIndicator",
    "aggregation_of",
    "by_region_and_year",
    "chosen_indicators",
    "count_of",
    "data_version_of",
    "municipality_codes",
    "pair_of",
    "usable",
]
