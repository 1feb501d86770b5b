"""The trend-break test at the programme's start, for the members and for the non-members (methods.md §7; the
test is :func:`boligmonitor.analysis.breaks.trend_break_test`, unchanged).

Each group's series is pooled over a fixed panel: the group's municipalities with a value in **every** year of
the window, so that a municipality entering or leaving the data cannot look like a break. The series is tested
as a value (segmented OLS on Σx / Σn · m for rates and shares, on Σ counts for counts) unless the caller chooses
another model: a binomial or Poisson model of a whole group's counts treats tens of thousands of persons a year as
independent draws, and gives intervals far too narrow for the year-to-year variation of such a series; OLS
estimates that variation from the series itself.

Besides the test's own caveats, each group's result says how many municipalities the series rests on (a group of
fewer than :data:`~boligmonitor.analysis.reporting.common.MIN_GROUP_SIZE` is not tested), that members were chosen
and not drawn, and when the members joined in different years.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from boligmonitor.analysis.breaks import MIN_POINTS_PER_SIDE, BreakKind, BreakResult, trend_break_test
from boligmonitor.analysis.reading import ObservationSource
from boligmonitor.analysis.reasons import Reason, reason, untranslated
from boligmonitor.analysis.reporting.common import (
    MIN_GROUP_SIZE,
    Aggregation,
    SkippedIndicator,
    by_region_and_year,
    chosen_indicators,
    data_version_of,
    municipality_codes,
    pair_of,
)
from boligmonitor.analysis.reporting.membership import Membership
from boligmonitor.analysis.trends import TrendPoint
from boligmonitor.catalog.models import Catalog
from boligmonitor.catalog.reporting import Programme
from boligmonitor.core.flags import Flag
from boligmonitor.core.observation import Observation

GroupName = Literal["members", "non_members"]

SELECTION_CAVEAT = reason("breaks.selection").text
POOLED_VALUE_CAVEAT = reason("breaks.pooled_value").text


@dataclass(frozen=True, slots=True)
class GroupBreak:
    """The test on one group's pooled series.

    ``n_municipalities`` is the panel the series rests on; ``left_out`` are the group's municipalities without a
    value in some year of the window. ``result`` is None when the group was not tested (``reason`` says why);
    ``caveats`` are ours, the test's own are in ``result.caveats`` (both in :attr:`all_caveats`). These are English;
    ``why`` and ``all_caveat_reasons`` are ``reason`` and :attr:`all_caveats` as keys with parameters, for a page
    to write in its language.
    """

    group: GroupName
    n_municipalities: int
    left_out: tuple[str, ...]
    points: tuple[TrendPoint, ...]
    result: BreakResult | None
    reason: str
    caveats: tuple[str, ...]
    why: Reason | None = field(default=None, compare=False)
    all_caveat_reasons: tuple[Reason, ...] = field(default=(), compare=False)

    @property
    def computed(self) -> bool:
        return self.result is not None and self.result.computed

    @property
    def all_caveats(self) -> tuple[str, ...]:
        return self.caveats + (self.result.caveats if self.result is not None else ())


@dataclass(frozen=True, slots=True)
class ProgrammeBreak:
    """One indicator's test at ``break_year`` for members and non-members over the window ``years``."""

    indicator_id: str
    aggregation: Aggregation
    kind: BreakKind
    break_year: int
    years: tuple[int, ...]
    members: GroupBreak
    non_members: GroupBreak
    data_version: int | None


@dataclass(frozen=True, slots=True)
class ProgrammeBreaks:
    programme_id: str
    membership: Membership
    break_year: int
    breaks: tuple[ProgrammeBreak, ...]
    skipped: tuple[SkippedIndicator, ...]
    data_version: int | None

    def indicator(self, indicator_id: str) -> ProgrammeBreak:
        for found in self.breaks:
            if found.indicator_id == indicator_id:
                return found
        raise KeyError(f"no trend-break test for {indicator_id!r}")


def programme_trend_breaks(
    source: ObservationSource,
    catalog: Catalog,
    programme: Programme,
    membership: Membership,
    *,
    indicator_ids: Sequence[str] | None = None,
    break_year: int | None = None,
    years: Sequence[int] | None = None,
    kind: BreakKind = "value",
    hac: bool = False,
) -> ProgrammeBreaks:
    """The trend-break test at ``break_year`` (default: the programme's first year) for members and non-members.

    ``indicator_ids`` defaults to every rate, share and count of the catalogue. ``years`` is the window (default:
    every year in which some municipality has a value). ``kind`` ``"proportion"`` or ``"count"`` tests a pooled
    rate's Σx and Σn with the binomial or Poisson model instead (not possible for counts, which are skipped).
    """
    if membership.programme_id != programme.id:
        raise ValueError(f"the membership is of {membership.programme_id!r}, not of {programme.id!r}")
    tested_year = programme.period.start if break_year is None else break_year
    version = data_version_of(source)
    codes = municipality_codes(source)
    groups: dict[GroupName, list[str]] = {
        "members": [code for code in codes if code in membership.members],
        "non_members": [code for code in codes if code not in membership.members],
    }
    chosen, skipped = chosen_indicators(catalog, indicator_ids)
    breaks: list[ProgrammeBreak] = []
    for indicator, aggregation in chosen:
        if kind != "value" and aggregation == "summed_count":
            skipped.append(SkippedIndicator.because(indicator.id, reason(f"skipped.count_model.{kind}")))
            continue
        observations = by_region_and_year(source.indicator_observations(indicator.id, region_codes=codes))
        window = _window(observations, aggregation, years)
        if not window:
            skipped.append(SkippedIndicator.because(indicator.id, reason("skipped.no_value_in_window")))
            continue
        multiplier = 1.0 if aggregation == "summed_count" else float(indicator.multiplier or 1)
        tested = {
            name: _group_break(
                name, group, observations, aggregation, multiplier, window, tested_year, kind, hac, membership
            )
            for name, group in groups.items()
        }
        breaks.append(
            ProgrammeBreak(
                indicator.id,
                aggregation,
                kind,
                tested_year,
                window,
                tested["members"],
                tested["non_members"],
                version,
            )
        )
    return ProgrammeBreaks(programme.id, membership, tested_year, tuple(breaks), tuple(skipped), version)


def _window(
    observations: Mapping[tuple[str, int], Observation], aggregation: Aggregation, years: Sequence[int] | None
) -> tuple[int, ...]:
    with_values = {year for (_, year), o in observations.items() if pair_of(o, aggregation) is not None}
    if years is None:
        return tuple(sorted(with_values))
    return tuple(sorted(set(years))) if with_values & set(years) else ()


def _group_break(
    name: GroupName,
    group: Sequence[str],
    observations: Mapping[tuple[str, int], Observation],
    aggregation: Aggregation,
    multiplier: float,
    window: tuple[int, ...],
    break_year: int,
    kind: BreakKind,
    hac: bool,
    membership: Membership,
) -> GroupBreak:
    panel = [
        code for code in group if all(pair_of(observations.get((code, y)), aggregation) is not None for y in window)
    ]
    in_panel = set(panel)
    left_out = tuple(code for code in group if code not in in_panel)
    first, last = window[0], window[-1]
    caveats: list[Reason] = []
    if left_out:
        caveats.append(
            reason(
                "breaks.left_out", panel=len(panel), group=len(group), first=first, last=last, left_out=len(left_out)
            )
        )
    if len(panel) < MIN_GROUP_SIZE:
        why = reason("breaks.too_small", n=len(panel), first=first, last=last, min=MIN_GROUP_SIZE)
        return _group(name, len(panel), left_out, (), None, why, caveats)
    points = tuple(_pooled_point(year, panel, observations, aggregation, multiplier) for year in window)
    caveats.append(reason("breaks.selection"))
    joined = membership.joined_years
    if joined is not None and joined[0] != joined[1]:
        caveats.append(reason("breaks.joined", first=joined[0], last=joined[1], year=break_year))
    if kind == "value":
        caveats.append(reason("breaks.pooled_value"))
    result = trend_break_test(points, break_year, kind=kind, hac=hac)
    why, test_caveats = _test_reasons(result, points, hac)
    return _group(name, len(panel), left_out, points, result, why, caveats, test_caveats)


def _group(
    name: GroupName,
    n_municipalities: int,
    left_out: tuple[str, ...],
    points: tuple[TrendPoint, ...],
    result: BreakResult | None,
    why: Reason,
    caveats: Sequence[Reason],
    test_caveats: Sequence[Reason] = (),
) -> GroupBreak:
    texts = tuple(caveat.text for caveat in caveats)
    reasons = (*caveats, *test_caveats)
    return GroupBreak(name, n_municipalities, left_out, points, result, why.text, texts, why, reasons)


def _test_reasons(result: BreakResult, points: Sequence[TrendPoint], hac: bool) -> tuple[Reason, tuple[Reason, ...]]:
    """The test's reason and caveats as keys with parameters, read from what the test reports. A sentence that the
    test words otherwise than known here is kept as it is, untranslated, rather than misread."""
    year = result.break_year
    used = [p for p in sorted(points, key=lambda p: p.year) if p.year in result.years]
    if result.computed:
        why = reason("break_test.computed")
    elif result.n_before < MIN_POINTS_PER_SIDE or result.n_after < MIN_POINTS_PER_SIDE:
        why = reason(
            "break_test.too_few_years", min=MIN_POINTS_PER_SIDE, year=year, before=result.n_before, after=result.n_after
        )
    else:
        others = [p.year for p in used[1:] if p.series_break and p.year != year]
        why = reason("break_test.other_breaks", years=", ".join(map(str, others)))
    if why.text != result.reason:
        why = untranslated(result.reason)
    dw = result.durbin_watson
    errors = "hac" if hac else "model_based"
    known = [
        reason("break_test.few_points", before=result.n_before, after=result.n_after, year=year),
        reason(f"break_test.autocorrelation.dw.{errors}", dw=dw)
        if dw is not None
        else reason(f"break_test.autocorrelation.{errors}"),
        reason("break_test.concurrent"),
        reason("break_test.geography"),
        reason("break_test.flagged_at_break", year=year),
    ]
    by_text = {caveat.text: caveat for caveat in known}
    return why, tuple(by_text.get(caveat, untranslated(caveat)) for caveat in result.caveats)


def _pooled_point(
    year: int,
    panel: Sequence[str],
    observations: Mapping[tuple[str, int], Observation],
    aggregation: Aggregation,
    multiplier: float,
) -> TrendPoint:
    """The panel's value in ``year``; a series break flagged for any member of the panel breaks the group's series."""
    pairs = [pair_of(observations.get((code, year)), aggregation) for code in panel]
    x = math.fsum(pair[0] for pair in pairs if pair is not None)
    n = math.fsum(pair[1] for pair in pairs if pair is not None)
    broken = any(Flag.SERIES_BREAK in o.flags for code in panel if (o := observations.get((code, year))) is not None)
    if aggregation == "summed_count":
        return TrendPoint(year, None, None, x, broken)
    return TrendPoint(year, x, n, x / n * multiplier if n else None, broken)


__all__ = [
    "POOLED_VALUE_CAVEAT",
    "SELECTION_CAVEAT",
    "GroupBreak",
    "GroupName",
    "ProgrammeBreak",
    "ProgrammeBreaks",
    "programme_trend_breaks",
]
