"""Programme members against non-members by size group: each indicator's change between two years per group,
the shape of Table 5.7 in the evaluation of the kommuneprogram (seed report, avsnitt 5.4).

Per indicator and group (all municipalities; members and non-members of every size; members and non-members in
each size group) the group's value in the start and the end year over the municipalities with a value in
**both** years (:func:`boligmonitor.analysis.group_change.group_change`: a balanced panel, so that a change is not
an artefact of municipalities entering or leaving the data), pooled Σx / Σn · m for rates and shares, summed for
counts, with the number of municipalities beside every figure. A group of fewer than
:data:`~boligmonitor.analysis.reporting.common.MIN_GROUP_SIZE` municipalities with values gets no figure, only
its size and the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from boligmonitor.analysis.group_change import GroupChange, group_change
from boligmonitor.analysis.reading import ObservationSource
from boligmonitor.analysis.reasons import Reason, reason
from boligmonitor.analysis.reporting.common import (
    MIN_GROUP_SIZE,
    Aggregation,
    SkippedIndicator,
    by_region_and_year,
    chosen_indicators,
    data_version_of,
    municipality_codes,
    pair_of,
    usable,
)
from boligmonitor.analysis.reporting.membership import Membership
from boligmonitor.analysis.reporting.size_groups import SizeGroups, municipality_size_groups
from boligmonitor.catalog.models import Catalog, Indicator
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.observation import Observation
from boligmonitor.geo.groups import SizeGroup

SIZE_ORDER = (SizeGroup.LARGE, SizeGroup.MEDIUM, SizeGroup.SMALL)  # the table's order: store, mellomstore, små


@dataclass(frozen=True, slots=True)
class GroupFigure:
    """One group's figures for one indicator.

    ``member`` None is every municipality; ``size_group`` None is every size. ``n_municipalities`` have a value in
    both years and make the figures; ``left_out`` are the group's other municipalities. For a pooled rate the values
    are in the indicator's unit and ``absolute_change`` is in points of it; for a count the values are the group's
    totals. ``relative_change`` is a fraction of the start value (−0.13 = −13 %), None from a start of 0. Every
    figure is None when ``withheld`` says why (a group under five municipalities, or none with values; in English,
    and as a key with parameters in ``withheld_why``).
    """

    member: bool | None
    size_group: SizeGroup | None
    n_municipalities: int
    left_out: tuple[str, ...]
    start_value: float | None
    end_value: float | None
    absolute_change: float | None
    relative_change: float | None
    start_numerator: float | None
    start_denominator: float | None
    end_numerator: float | None
    end_denominator: float | None
    withheld: str | None
    flags: frozenset[Flag]
    harmonisation: Harmonisation
    withheld_why: Reason | None = field(default=None, compare=False)

    @property
    def shown(self) -> bool:
        return self.withheld is None


@dataclass(frozen=True, slots=True)
class IndicatorGroupChanges:
    """One indicator's figures for every group, with the years, the aggregation and what to beware of (``caveats``
    in English, ``caveat_reasons`` the same as keys with parameters)."""

    indicator_id: str
    aggregation: Aggregation
    unit: str
    multiplier: int | None
    start_year: int
    end_year: int
    figures: tuple[GroupFigure, ...]
    caveats: tuple[str, ...]
    data_version: int | None
    caveat_reasons: tuple[Reason, ...] = field(default=(), compare=False)

    def figure(self, member: bool | None, size_group: SizeGroup | None) -> GroupFigure:
        for figure in self.figures:
            if figure.member is member and figure.size_group is size_group:
                return figure
        raise KeyError(f"no group member={member} size_group={size_group}")


@dataclass(frozen=True, slots=True)
class MembersAgainstNonMembers:
    """Every indicator's group changes between ``start_year`` and ``end_year``.

    Size groups are those of ``size_groups.year`` (the start year unless chosen); municipalities without a
    population that year are in the totals but in no size group (``size_groups.without_population``).
    """

    programme_id: str
    membership: Membership
    start_year: int
    end_year: int
    size_groups: SizeGroups
    indicators: tuple[IndicatorGroupChanges, ...]
    skipped: tuple[SkippedIndicator, ...]
    data_version: int | None

    def indicator(self, indicator_id: str) -> IndicatorGroupChanges:
        for changes in self.indicators:
            if changes.indicator_id == indicator_id:
                return changes
        raise KeyError(f"no figures for {indicator_id!r}")


def members_against_non_members(
    source: ObservationSource,
    catalog: Catalog,
    membership: Membership,
    start_year: int,
    end_year: int,
    *,
    indicator_ids: Sequence[str] | None = None,
    size_year: int | None = None,
) -> MembersAgainstNonMembers:
    """Change from ``start_year`` to ``end_year`` per indicator for members and non-members by size group.

    ``indicator_ids`` defaults to every rate, share and count of the catalogue; indicators that cannot be added up
    or that have no value in either year are listed in ``skipped``. Size groups are by the population in
    ``size_year`` (default ``start_year``), so that no municipality changes group through the development measured.
    """
    if end_year <= start_year:
        raise ValueError(f"the end year ({end_year}) must come after the start year ({start_year})")
    version = data_version_of(source)
    codes = municipality_codes(source)
    sizes = municipality_size_groups(source, start_year if size_year is None else size_year)
    chosen, skipped = chosen_indicators(catalog, indicator_ids)
    results: list[IndicatorGroupChanges] = []
    for indicator, aggregation in chosen:
        observations = by_region_and_year(
            o
            for o in source.indicator_observations(indicator.id, region_codes=codes)
            if start_year <= o.year <= end_year
        )
        missing_years = [
            year for year in (start_year, end_year) if not any(usable(observations.get((c, year))) for c in codes)
        ]
        if missing_years:
            why = (
                reason("skipped.no_value_in_year", year=missing_years[0])
                if len(missing_years) == 1
                else reason("skipped.no_value_in_years", first=missing_years[0], second=missing_years[1])
            )
            skipped.append(SkippedIndicator.because(indicator.id, why))
            continue
        results.append(
            _indicator_changes(
                indicator, aggregation, observations, codes, membership, sizes, start_year, end_year, version
            )
        )
    return MembersAgainstNonMembers(
        membership.programme_id, membership, start_year, end_year, sizes, tuple(results), tuple(skipped), version
    )


def _indicator_changes(
    indicator: Indicator,
    aggregation: Aggregation,
    observations: Mapping[tuple[str, int], Observation],
    codes: Sequence[str],
    membership: Membership,
    sizes: SizeGroups,
    start_year: int,
    end_year: int,
    version: int | None,
) -> IndicatorGroupChanges:
    start = {code: pair_of(observations.get((code, start_year)), aggregation) for code in codes}
    end = {code: pair_of(observations.get((code, end_year)), aggregation) for code in codes}
    multiplier = 1.0 if aggregation == "summed_count" else float(indicator.multiplier or 1)
    groupings: list[tuple[bool | None, SizeGroup | None, dict[str, str]]] = [(None, None, dict.fromkeys(codes, "all"))]
    for is_member in (True, False):
        in_group = [code for code in codes if (code in membership.members) is is_member]
        groupings.append((is_member, None, dict.fromkeys(in_group, "all")))
    for size_group in SIZE_ORDER:
        for is_member in (True, False):
            in_group = [
                c for c in codes if (c in membership.members) is is_member and sizes.groups.get(c) is size_group
            ]
            groupings.append((is_member, size_group, dict.fromkeys(in_group, "all")))
    figures: list[GroupFigure] = []
    for member, size, groups in groupings:
        (change,) = group_change(start, end, groups, multiplier=multiplier) or [_empty()]
        left_out = set(change.left_out)
        included = [code for code in groups if code not in left_out]
        used = [o for code in included for year in (start_year, end_year) if (o := observations.get((code, year)))]
        figures.append(_figure(member, size, change, aggregation, used))
    caveats = _caveats(observations, start_year, end_year)
    return IndicatorGroupChanges(
        indicator.id,
        aggregation,
        indicator.unit,
        indicator.multiplier,
        start_year,
        end_year,
        tuple(figures),
        tuple(caveat.text for caveat in caveats),
        version,
        caveats,
    )


def _empty() -> GroupChange:
    """The change of a group without municipalities (group_change returns nothing for it)."""
    return GroupChange("all", None, None, None, None, 0.0, 0.0, 0.0, 0.0, 0, 0, ())


def _figure(
    member: bool | None, size: SizeGroup | None, change: GroupChange, aggregation: Aggregation, used: list[Observation]
) -> GroupFigure:
    n = change.n_complete
    flags = frozenset(flag for o in used for flag in o.flags)
    harmonisation = Harmonisation.ORIGINAL
    for observation in used:
        harmonisation = harmonisation.combine(observation.harmonisation)
    withheld: Reason | None = None
    if n == 0:
        withheld = reason("comparison.withheld.none")
    elif n < MIN_GROUP_SIZE:
        withheld = reason("comparison.withheld.small", n=n, min=MIN_GROUP_SIZE)
    elif aggregation == "pooled_rate" and (change.start_value is None or change.end_value is None):
        withheld = reason("comparison.withheld.zero_denominator")
    if withheld is not None:
        return GroupFigure(
            member,
            size,
            n,
            change.left_out,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            withheld.text,
            flags,
            harmonisation,
            withheld,
        )
    if aggregation == "summed_count":
        start_total, end_total = change.start_numerator, change.end_numerator
        absolute = end_total - start_total
        relative = absolute / start_total if start_total else None
        return GroupFigure(
            member,
            size,
            n,
            change.left_out,
            start_total,
            end_total,
            absolute,
            relative,
            start_total,
            None,
            end_total,
            None,
            None,
            flags,
            harmonisation,
        )
    return GroupFigure(
        member,
        size,
        n,
        change.left_out,
        change.start_value,
        change.end_value,
        change.absolute_change,
        change.relative_change,
        change.start_numerator,
        change.start_denominator,
        change.end_numerator,
        change.end_denominator,
        None,
        flags,
        harmonisation,
    )


def _caveats(observations: Mapping[tuple[str, int], Observation], start_year: int, end_year: int) -> tuple[Reason, ...]:
    """Series breaks flagged after the start year: the change then spans a change of definition."""
    broken: dict[int, int] = {}
    for (_, year), observation in observations.items():
        if start_year < year <= end_year and Flag.SERIES_BREAK in observation.flags:
            broken[year] = broken.get(year, 0) + 1
    return tuple(
        reason("comparison.series_break", year=year, count=count, start=start_year, end=end_year)
        for year, count in sorted(broken.items())
    )


__all__ = [
    "SIZE_ORDER",
    "GroupFigure",
    "IndicatorGroupChanges",
    "MembersAgainstNonMembers",
    "members_against_non_members",
]
