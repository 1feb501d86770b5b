"""A programme's quantitative analysis as content: what the programme pages (/program/{id}/…), their downloads,
the JSON API (/api/v1/program/{id}/…) and the annual analysis report (HTML, PDF, DOCX) render, assembled by one
function so that they cannot disagree.

    from boligmonitor.web.views.programme.content import AnalysisParts, programme_analysis

    analysis = programme_analysis(
        monitor.data, monitor.data.catalog, programme, 2019,
        overrides=overrides,                                   # the analysts' (web: ReportStore.overrides)
        visible_members=principal.municipalities(Action.ANALYSIS_READ, all_members),  # None: every member
        changes=region_changes,                                # the store's code changes (membership carried)
        compare=(2015, 2019), share_years=range(2014, 2020),
    )
    for goal in analysis.attainment.goals: ...                  # per goal: its indicators' colours

Everything is in English and data; words in the page's language are the templates' and locales' job. The
analysis's reasons and caveats come both as English sentences and as keys with parameters
(:class:`~boligmonitor.analysis.reasons.Reason`), which present.py's ``reason_text`` writes in the page's language.
Each part carries its years, its data version and its group sizes (the analysis results it wraps do). Members outside
``visible_members`` (a regional adviser sees the programme as a whole, and only the members of her region) are left
out of every per-member list here; group figures over all members stay, with their sizes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from boligmonitor.analysis.reading import ObservationSource
from boligmonitor.analysis.reporting import (
    PROGRAMME_SCOPE,
    AssessedAttainment,
    AttainmentOverride,
    MembersAgainstNonMembers,
    Membership,
    NationalShares,
    ProgrammeBreaks,
    apply_overrides,
    data_version_of,
    goal_attainment,
    members_against_non_members,
    members_share_of_national_total,
    membership_in_year,
    programme_trend_breaks,
)
from boligmonitor.analysis.reporting.common import chosen_indicators
from boligmonitor.catalog.models import Catalog
from boligmonitor.catalog.reporting import Member, Programme, ProgrammeGoal
from boligmonitor.store.rows import RegionChangeRow

FIRST_INDICATORS: tuple[str, ...] = ("BEF01", "BEF03")
"""Shown first in the national share (the evaluation's Figures 5.1 and 5.2: population, and those aged 80+)."""


class AnalysisPart(StrEnum):
    ATTAINMENT = "attainment"
    COMPARISON = "comparison"
    SHARES = "shares"
    BREAKS = "breaks"


ALL_PARTS: frozenset[AnalysisPart] = frozenset(AnalysisPart)


@dataclass(frozen=True, slots=True)
class IndicatorAttainment:
    """One catalogue goal's indicator within a programme goal: the programme as a whole, and each visible member
    (in code order; empty for a goal for the programme as a whole). ``indicator_id`` None: nothing measures it."""

    catalogue_goal_id: str | None
    indicator_id: str | None
    programme: AssessedAttainment
    members: tuple[AssessedAttainment, ...]


@dataclass(frozen=True, slots=True)
class GoalAttainmentContent:
    """A programme goal (``goal``, with its number and main goal) and the assessments of its indicators."""

    goal: ProgrammeGoal
    indicators: tuple[IndicatorAttainment, ...]


@dataclass(frozen=True, slots=True)
class AttainmentContent:
    """Goal attainment in ``year``, every goal in the programme's order; ``overrides_unmatched`` are stored
    overrides that match no assessment of this year (a goal or member since removed), kept visible."""

    year: int
    goals: tuple[GoalAttainmentContent, ...]
    overrides_unmatched: tuple[AttainmentOverride, ...]
    data_version: int | None

    def assessments(self) -> Iterable[AssessedAttainment]:
        for goal in self.goals:
            for indicator in goal.indicators:
                yield indicator.programme
                yield from indicator.members


@dataclass(frozen=True, slots=True)
class ProgrammeAnalysis:
    """Everything the analysis pages and the annual report show for one programme and year.

    ``members`` are the programme's memberships the viewer may see (with level and dates); ``hidden_members`` how
    many memberships are left out for this viewer. A part not asked for (``parts``) is None.
    """

    programme: Programme
    year: int
    membership: Membership
    members: tuple[Member, ...]
    hidden_members: int
    visible_codes: frozenset[str]
    data_version: int | None
    attainment: AttainmentContent | None = None
    comparison: MembersAgainstNonMembers | None = None
    shares: NationalShares | None = None
    breaks: ProgrammeBreaks | None = None


def programme_analysis(
    source: ObservationSource,
    catalog: Catalog,
    programme: Programme,
    year: int,
    *,
    overrides: Sequence[AttainmentOverride] = (),
    visible_members: Collection[str] | None = None,
    changes: Sequence[RegionChangeRow] = (),
    compare: tuple[int, int] | None = None,
    share_years: Iterable[int] | None = None,
    break_year: int | None = None,
    indicator_ids: Sequence[str] | None = None,
    parts: Collection[AnalysisPart] = ALL_PARTS,
) -> ProgrammeAnalysis:
    """The programme's analysis for ``year`` (membership in that year) from one data version (``source``: the
    web's loaded :class:`~boligmonitor.web.monitor.MonitorData` or a store snapshot).

    - ``overrides``: the analysts' colours (``apply_overrides``); those of other years are ignored;
    - ``visible_members``: source codes (today's) of the members the viewer may see one by one; None: all;
    - ``compare``: (from, to) years of members against non-members (default: the programme's first year, or the
      first year with data after it, to ``year``);
    - ``share_years``: years of the national share (default: the programme's period up to ``year``);
    - ``break_year``: the trend-break year (default: the programme's first year);
    - ``indicator_ids``: the indicators of the comparison, share and break parts (default: every rate, share and
      count of the catalogue); the national share puts population and 80+ first;
    - ``parts``: which parts to compute (each costs a pass over the indicators' observations).

    Raises ValueError for a comparison whose end year is not after its start year.
    """
    membership = membership_in_year(programme, year, source, changes=changes)
    visible = membership.members if visible_members is None else membership.members & frozenset(visible_members)
    shown_members, hidden = _visible_memberships(programme, membership, visible)
    attainment = comparison = shares = breaks = None
    if AnalysisPart.ATTAINMENT in parts:
        attainment = _attainment(source, catalog, programme, membership, year, overrides, visible)
    if AnalysisPart.COMPARISON in parts:
        start, end = compare if compare is not None else (min(programme.period.start, year - 1), year)
        comparison = members_against_non_members(source, catalog, membership, start, end, indicator_ids=indicator_ids)
    if AnalysisPart.SHARES in parts:
        years = share_years if share_years is not None else range(programme.period.start, year + 1)
        shares = members_share_of_national_total(
            source, catalog, membership, years, indicator_ids=_shares_first(catalog, indicator_ids)
        )
    if AnalysisPart.BREAKS in parts:
        breaks = programme_trend_breaks(
            source, catalog, programme, membership, indicator_ids=indicator_ids, break_year=break_year
        )
    version = data_version_of(source)
    return ProgrammeAnalysis(
        programme, year, membership, shown_members, hidden, visible, version, attainment, comparison, shares, breaks
    )


def _visible_memberships(
    programme: Programme, membership: Membership, visible: frozenset[str]
) -> tuple[tuple[Member, ...], int]:
    """The programme's memberships whose member (carried to today's code) the viewer may see, and how many not."""
    carried = dict(membership.recoded)
    shown: list[Member] = []
    hidden = 0
    for member in programme.members:
        code = carried.get(member.municipality, member.municipality)
        if code in visible:
            shown.append(member)
        else:
            hidden += 1
    return tuple(shown), hidden


def _attainment(
    source: ObservationSource,
    catalog: Catalog,
    programme: Programme,
    membership: Membership,
    year: int,
    overrides: Sequence[AttainmentOverride],
    visible: frozenset[str],
) -> AttainmentContent:
    result = goal_attainment(source, catalog, programme, membership, year)
    applied = apply_overrides(result.results, [o for o in overrides if o.key.year == year])
    grouped: dict[str, dict[tuple[str | None, str | None], list[AssessedAttainment]]] = {}
    for assessed in applied.assessed:
        key = assessed.result.key
        if key.scope != PROGRAMME_SCOPE and key.scope not in visible:
            continue
        grouped.setdefault(key.goal_id, {}).setdefault((key.catalogue_goal_id, key.indicator_id), []).append(assessed)
    goals: list[GoalAttainmentContent] = []
    for goal in programme.goals:
        indicators: list[IndicatorAttainment] = []
        for (catalogue_goal_id, indicator_id), assessments in grouped.get(goal.id, {}).items():
            whole = [a for a in assessments if a.result.key.scope == PROGRAMME_SCOPE]
            members = sorted((a for a in assessments if a.result.key.scope != PROGRAMME_SCOPE), key=_scope)
            indicators.append(IndicatorAttainment(catalogue_goal_id, indicator_id, whole[0], tuple(members)))
        goals.append(GoalAttainmentContent(goal, tuple(indicators)))
    return AttainmentContent(year, tuple(goals), applied.unmatched, result.data_version)


def _scope(assessed: AssessedAttainment) -> str:
    return assessed.result.key.scope


def _shares_first(catalog: Catalog, indicator_ids: Sequence[str] | None) -> list[str]:
    """The national share's indicators: population and 80+ first, then the others in catalogue order."""
    if indicator_ids is None:
        chosen, _ = chosen_indicators(catalog, None)
        indicator_ids = [indicator.id for indicator, _ in chosen]
    known = {indicator.id for indicator in catalog.indicators}
    first = [i for i in FIRST_INDICATORS if i in known]
    return first + [i for i in indicator_ids if i not in first]


__all__ = [
    "ALL_PARTS",
    "FIRST_INDICATORS",
    "AnalysisPart",
    "AttainmentContent",
    "GoalAttainmentContent",
    "IndicatorAttainment",
    "ProgrammeAnalysis",
    "programme_analysis",
]
