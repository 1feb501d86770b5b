"""The programme members' share of the national total, per indicator and year (the evaluation's Figure 5.1 and
5.2: "66 % of the population, 59 % of those aged 80+ live in the 70 programme municipalities").

What is added up is what an indicator counts: a count's value (the population), the numerator of a rate or
share (the persons aged 80+ behind the share aged 80+). The national total is the sum over the source's
municipalities, so that members and nation are counted alike (:func:`boligmonitor.analysis.group_change.group_shares`);
the publisher's own national figure, where stored, is given beside it as a check.

A municipality without a count is never counted as 0. When some have none, the share is given only if those
hold less than :data:`~boligmonitor.analysis.peers.MAX_MISSING_SHARE` of the population (the rule for a total
pooled from municipalities, docs/methods/peers-and-groups.md §2), and is then marked partial; otherwise it is
not given, and the counts say how many are missing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from boligmonitor.analysis.group_change import group_shares
from boligmonitor.analysis.indicator_tables import POPULATION_INDICATOR
from boligmonitor.analysis.peers import MAX_MISSING_SHARE
from boligmonitor.analysis.reading import ObservationSource
from boligmonitor.analysis.reasons import Reason, reason
from boligmonitor.analysis.reporting.common import (
    Aggregation,
    SkippedIndicator,
    by_region_and_year,
    chosen_indicators,
    count_of,
    data_version_of,
    municipality_codes,
)
from boligmonitor.analysis.reporting.membership import Membership
from boligmonitor.catalog.models import Catalog
from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import NORWAY

MEMBERS = "members"


@dataclass(frozen=True, slots=True)
class NationalShare:
    """The members' total of one indicator in one year and its share (0–1) of the national total.

    ``counted`` says what was added up. ``share`` is None when ``reason`` says why; ``partial`` marks a share of
    the total over the municipalities with a count, those without holding ``missing_population_share`` of the
    population. ``published_national_total`` is the publisher's own figure for Norway, where the source has one.
    ``reason`` is in English; ``why`` is the same as a key with parameters.
    """

    indicator_id: str
    year: int
    counted: Literal["value", "numerator"]
    members_total: float | None
    national_total: float | None
    share: float | None
    partial: bool
    n_members: int
    n_members_with_values: int
    members_without_values: tuple[str, ...]
    n_municipalities: int
    n_municipalities_with_values: int
    municipalities_without_values: tuple[str, ...]
    missing_population_share: float | None
    published_national_total: float | None
    reason: str
    data_version: int | None
    why: Reason | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class NationalShares:
    programme_id: str
    membership: Membership
    years: tuple[int, ...]
    shares: tuple[NationalShare, ...]
    skipped: tuple[SkippedIndicator, ...]
    data_version: int | None

    def share(self, indicator_id: str, year: int) -> NationalShare:
        for share in self.shares:
            if share.indicator_id == indicator_id and share.year == year:
                return share
        raise KeyError(f"no share for {indicator_id!r} in {year}")


def members_share_of_national_total(
    source: ObservationSource,
    catalog: Catalog,
    membership: Membership,
    years: Iterable[int],
    *,
    indicator_ids: Sequence[str] | None = None,
) -> NationalShares:
    """The members' share of the national total for each indicator and year.

    ``indicator_ids`` defaults to every rate, share and count of the catalogue (the population and the share
    aged 80+ among them); those that cannot be added up, or have no value in any of ``years``, are in ``skipped``.
    """
    wanted_years = tuple(sorted(set(years)))
    version = data_version_of(source)
    codes = municipality_codes(source)
    chosen, skipped = chosen_indicators(catalog, indicator_ids)
    population = {
        year: {
            o.region_code: count_of(o, "summed_count")
            for o in source.indicator_observations(POPULATION_INDICATOR, year=year, region_codes=codes)
        }
        for year in wanted_years
    }
    shares: list[NationalShare] = []
    for indicator, aggregation in chosen:
        observations = by_region_and_year(
            o
            for o in source.indicator_observations(indicator.id, region_codes=[*codes, NORWAY])
            if o.year in wanted_years
        )
        found = [
            _share(indicator.id, year, aggregation, observations, codes, membership, population[year], version)
            for year in wanted_years
        ]
        if all(share.n_municipalities_with_values == 0 for share in found):
            listed = ", ".join(map(str, wanted_years))
            skipped.append(
                SkippedIndicator.because(indicator.id, reason("skipped.no_value_in_listed_years", years=listed))
            )
            continue
        shares.extend(found)
    return NationalShares(membership.programme_id, membership, wanted_years, tuple(shares), tuple(skipped), version)


def _share(
    indicator_id: str,
    year: int,
    aggregation: Aggregation,
    observations: Mapping[tuple[str, int], Observation],
    codes: Sequence[str],
    membership: Membership,
    population: Mapping[str, float | None],
    version: int | None,
) -> NationalShare:
    counts = {code: count_of(observations.get((code, year)), aggregation) for code in codes}
    members = [code for code in codes if code in membership.members]
    members_without = tuple(code for code in members if counts[code] is None)
    without = tuple(code for code in codes if counts[code] is None)
    published = count_of(observations.get((NORWAY, year)), aggregation)
    counted: Literal["value", "numerator"] = "value" if aggregation == "summed_count" else "numerator"

    def result(
        members_total: float | None,
        national_total: float | None,
        share: float | None,
        partial: bool,
        missing_share: float | None,
        why: Reason,
    ) -> NationalShare:
        return NationalShare(
            indicator_id,
            year,
            counted,
            members_total,
            national_total,
            share,
            partial,
            len(members),
            len(members) - len(members_without),
            members_without,
            len(codes),
            len(codes) - len(without),
            without,
            missing_share,
            published,
            why.text,
            version,
            why,
        )

    if len(without) == len(codes):
        return result(None, None, None, False, None, reason("share.no_count", year=year))
    if math.fsum(count for count in counts.values() if count is not None) == 0:
        return result(None, 0.0, None, False, None, reason("share.zero_total"))
    if members and len(members_without) == len(members):
        return result(None, None, None, False, None, reason("share.no_member_count", year=year))
    grouped = group_shares(counts, dict.fromkeys(members, MEMBERS))
    members_total = grouped.totals.get(MEMBERS, 0.0)
    share = members_total / grouped.national_total
    if not without:
        return result(members_total, grouped.national_total, share, False, 0.0, reason("share.complete"))
    missing_share = _population_share(without, codes, population)
    if missing_share is not None and missing_share < MAX_MISSING_SHARE:
        partial = reason(
            "share.partial",
            with_count=len(codes) - len(without),
            n=len(codes),
            without=len(without),
            missing_share=missing_share,
        )
        return result(members_total, grouped.national_total, share, True, missing_share, partial)
    if missing_share is None:
        why = reason("share.too_many_missing.unknown", without=len(without), n=len(codes), max_share=MAX_MISSING_SHARE)
    else:
        why = reason(
            "share.too_many_missing.known",
            without=len(without),
            n=len(codes),
            missing_share=missing_share,
            max_share=MAX_MISSING_SHARE,
        )
    return result(members_total, grouped.national_total, None, False, missing_share, why)


def _population_share(
    without: Sequence[str], codes: Sequence[str], population: Mapping[str, float | None]
) -> float | None:
    """The share of the population living in ``without``; None unless every municipality's population is known."""
    if any(population.get(code) is None for code in codes):
        return None
    total = math.fsum(population[code] or 0.0 for code in codes)
    if total <= 0:
        return None
    return math.fsum(population[code] or 0.0 for code in without) / total


__all__ = ["NationalShare", "NationalShares", "members_share_of_national_total"]
