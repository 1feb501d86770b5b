"""The municipalities' size groups in one year, from the population the source holds.

The same groups the monitor uses everywhere (:func:`boligmonitor.geo.groups.size_group`, read from the population
on 1 January, :data:`~boligmonitor.analysis.indicator_tables.POPULATION_INDICATOR`, as the peer benchmarks do):
small under 5 000 inhabitants, medium 5 000–19 999, large 20 000 or more — KOSTRA's three size bands, which the
evaluation of the kommuneprogram used (seed report, avsnitt 2.2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from boligmonitor.analysis.indicator_tables import POPULATION_INDICATOR
from boligmonitor.analysis.reading import ObservationSource
from boligmonitor.analysis.reporting.common import count_of, municipality_codes
from boligmonitor.geo.groups import SizeGroup, size_group


@dataclass(frozen=True, slots=True)
class SizeGroups:
    """Each municipality's size group in ``year``; ``without_population`` have none (no population that year)."""

    year: int
    groups: Mapping[str, SizeGroup] = field(hash=False)
    without_population: tuple[str, ...]
    population: Mapping[str, float] = field(hash=False)
    indicator_id: str = POPULATION_INDICATOR


def municipality_size_groups(source: ObservationSource, year: int) -> SizeGroups:
    """Size groups by the population on 1 January ``year`` (:data:`POPULATION_INDICATOR`)."""
    codes = municipality_codes(source)
    observations = source.indicator_observations(POPULATION_INDICATOR, year=year, region_codes=codes)
    population: dict[str, float] = {}
    for observation in observations:
        count = count_of(observation, "summed_count")
        if count is not None:
            population[observation.region_code] = count
    groups: dict[str, SizeGroup] = {}
    for code, count in population.items():
        group = size_group(count)
        if group is not None:
            groups[code] = group
    without = tuple(code for code in codes if code not in groups)
    return SizeGroups(year, dict(sorted(groups.items())), without, dict(sorted(population.items())))


__all__ = ["SizeGroups", "municipality_size_groups"]
