"""The programme analysis in the reader's language: rows and one-line summaries for the templates. Colours are
always written as words beside the colour (never colour alone); only tested differences become sentences; a group
under five municipalities shows its size and why it has no figure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from boligmonitor.analysis.breaks import Estimate
from boligmonitor.analysis.reporting import (
    MIN_GROUP_SIZE,
    PROGRAMME_SCOPE,
    AssessedAttainment,
    AttainmentKey,
    GroupBreak,
    MembersAgainstNonMembers,
    NationalShares,
    ProgrammeBreaks,
)
from boligmonitor.catalog.models import Indicator
from boligmonitor.catalog.reporting import Programme
from boligmonitor.web.context import PageContext
from boligmonitor.web.present.formatting import count_text, value_text
from boligmonitor.web.views.programme.content import ProgrammeAnalysis
from boligmonitor.web.views.programme.tables import GROUP_ORDER, group_code, significant

TAGS: Final = {"green": "success", "yellow": "warning", "red": "danger", "grey": "neutral"}
COLOURS: Final = ("green", "yellow", "red", "grey")
PERCENT_DECIMALS: Final = 1
SMALLEST_P: Final = 0.001


def row_id(key: AttainmentKey) -> str:
    """A stable HTML id for one assessment (and the form field prefix of its override)."""
    parts = (key.goal_id, key.catalogue_goal_id or "x", key.indicator_id or "x", key.scope)
    return "a-" + "--".join(re.sub(r"[^A-Za-z0-9_]", "_", part) for part in parts)


def form_id_of(key: AttainmentKey) -> str:
    """The HTML id of the override form of one indicator's table (all scopes of a goal, catalogue goal, indicator)."""
    parts = (key.goal_id, key.catalogue_goal_id or "x", key.indicator_id or "x")
    return "f-" + "--".join(re.sub(r"[^A-Za-z0-9_]", "_", part) for part in parts)


def provenance(ctx: PageContext) -> str:
    version = ctx.data.version
    if version is None:
        return ctx.t("programme_analysis.provenance.none")
    return ctx.t("programme_analysis.provenance", version=version.id, when=ctx.t.date(version.created_at))


def municipality_label(ctx: PageContext, code: str) -> str:
    row = ctx.data.regions.get(code)
    return f"{row.name} ({code})" if row is not None else code


def _indicator(ctx: PageContext, indicator_id: str | None) -> Indicator | None:
    if indicator_id is None:
        return None
    try:
        return ctx.data.catalog.indicator(indicator_id)
    except KeyError:
        return None


def indicator_label(ctx: PageContext, indicator_id: str | None) -> str:
    indicator = _indicator(ctx, indicator_id)
    if indicator is None:
        return indicator_id or ctx.t("programme_analysis.attainment.unmeasured")
    return f"{indicator.name.get(ctx.language)} ({indicator.id})"


def membership_rows(ctx: PageContext, programme: Programme, analysis: ProgrammeAnalysis) -> list[dict[str, str]]:
    levels = {level.id: level.name.get(ctx.language) for level in programme.levels}
    carried = dict(analysis.membership.recoded)
    rows = []
    for member in analysis.members:
        code = carried.get(member.municipality, member.municipality)
        name = member.name or municipality_label(ctx, code)
        rows.append(
            {
                "municipality": f"{name} ({member.municipality})" if member.name else name,
                "today": municipality_label(ctx, code) if code != member.municipality else "",
                "level": levels.get(member.level or "", member.level or "–"),
                "start": ctx.t.date(member.start),
                "end": ctx.t.date(member.end) if member.end else ctx.t("programme_analysis.members.ongoing"),
                "status": ctx.t(f"programme_analysis.members.status.{member.status.value}"),
            }
        )
    return rows


# Goal attainment


@dataclass
class AssessmentView:
    id: str
    scope: str
    colour: str
    colour_label: str
    tag: str
    reason: str
    overridden: bool
    rule_colour_label: str
    rule_tag: str
    rule_reason: str
    analyst: str | None
    decided_on: str | None
    value: str
    target: str | None
    note: str | None
    coverage: str


@dataclass
class IndicatorView:
    """One indicator's table; ``form_id`` names its one override form (the scope is chosen in it), whose
    ``fields`` hold what was posted when the form was refused."""

    heading: str
    catalogue_goal: str | None
    rows: list[AssessmentView]
    summary: str
    form_id: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class GoalView:
    id: str
    heading: str
    indicators: list[IndicatorView]


def attainment_sections(
    ctx: PageContext, analysis: ProgrammeAnalysis, posted: dict[str, str] | None = None
) -> list[GoalView]:
    assert analysis.attainment is not None
    goals: list[GoalView] = []
    for goal in analysis.attainment.goals:
        indicators = []
        for measured in goal.indicators:
            catalogue_goal = None
            if measured.catalogue_goal_id is not None:
                try:
                    catalogue_goal = ctx.data.catalog.goal(measured.catalogue_goal_id).name.get(ctx.language)
                except KeyError:
                    catalogue_goal = measured.catalogue_goal_id
            assessed = [measured.programme, *measured.members]
            rows = [_assessment_view(ctx, a) for a in assessed]
            counts = {colour: sum(1 for a in measured.members if a.colour == colour) for colour in COLOURS}
            summary = ctx.t(
                "programme_analysis.attainment.summary",
                programme=rows[0].colour_label,
                members=len(measured.members),
                green=counts["green"],
                yellow=counts["yellow"],
                red=counts["red"],
                grey=counts["grey"],
            )
            form_id = form_id_of(measured.programme.result.key)
            fields = (
                {k: v for k, v in posted.items() if k != "form"} if posted and posted.get("form") == form_id else {}
            )
            heading = indicator_label(ctx, measured.indicator_id)
            indicators.append(IndicatorView(heading, catalogue_goal, rows, summary, form_id, fields))
        heading = ctx.t(
            "programme_analysis.attainment.goal", number=goal.goal.number, name=goal.goal.name.get(ctx.language)
        )
        goals.append(GoalView(goal.goal.id, heading, indicators))
    return goals


def _assessment_view(ctx: PageContext, assessed: AssessedAttainment) -> AssessmentView:
    result = assessed.result
    status = result.status
    key = result.key
    indicator = _indicator(ctx, key.indicator_id)
    value = _value(ctx, indicator, status.value)
    target = None if status.target_value is None else _value(ctx, indicator, status.target_value)
    scope = (
        ctx.t("programme_analysis.attainment.whole_programme")
        if key.scope == PROGRAMME_SCOPE
        else municipality_label(ctx, key.scope)
    )
    override = assessed.override
    return AssessmentView(
        id=row_id(key),
        scope=scope,
        colour=assessed.colour,
        colour_label=ctx.t(f"programme_analysis.colour.{assessed.colour}"),
        tag=TAGS[assessed.colour],
        reason=assessed.reason,
        overridden=assessed.overridden,
        rule_colour_label=ctx.t(f"programme_analysis.colour.{status.colour}"),
        rule_tag=TAGS[status.colour],
        rule_reason=status.reason,
        analyst=None if override is None else override.analyst,
        decided_on=None if override is None else ctx.t.date(override.decided_on),
        value=ctx.t("programme_analysis.value_in_year", value=value, year=key.year),
        target=target,
        note=result.note,
        coverage=ctx.t(
            "programme_analysis.attainment.coverage", with_value=result.n_with_value, n=result.n_municipalities
        ),
    )


def _value(ctx: PageContext, indicator: Indicator | None, value: float | None) -> str:
    if indicator is None:
        return "–" if value is None else ctx.t.number(value, 1)
    if indicator.multiplier is None and indicator.unit == "count":
        return count_text(value, ctx.t)
    return value_text(indicator, value, ctx.t)


# Members against non-members


@dataclass
class ComparisonRow:
    group: str
    size: str
    n: str
    start: str
    end: str
    change: str
    relative: str
    withheld: str | None


@dataclass
class ComparisonView:
    heading: str
    caption: str
    rows: list[ComparisonRow]
    caveats: list[str]
    summary: str
    counts: bool
    all_withheld: bool = False


def comparison_sections(ctx: PageContext, table: MembersAgainstNonMembers) -> list[ComparisonView]:
    views = []
    for changes in table.indicators:
        indicator = _indicator(ctx, changes.indicator_id)
        counts = changes.aggregation == "summed_count"
        rows = []
        for member, size in GROUP_ORDER:
            figure = changes.figure(member, size)
            withheld = None
            if not figure.shown:
                withheld = (
                    ctx.t("programme_analysis.withheld.small", n=figure.n_municipalities, min=MIN_GROUP_SIZE)
                    if 0 < figure.n_municipalities < MIN_GROUP_SIZE
                    else ctx.t("programme_analysis.withheld.none")
                )
            change = figure.absolute_change
            rows.append(
                ComparisonRow(
                    group=ctx.t(f"programme_analysis.group.{group_code(member)}"),
                    size=ctx.t(f"programme_analysis.size.{'all' if size is None else size.value}"),
                    n=ctx.t("programme_analysis.n_municipalities", n=figure.n_municipalities),
                    start=_value(ctx, indicator, figure.start_value),
                    end=_value(ctx, indicator, figure.end_value),
                    change="–" if change is None else _signed(ctx, change, indicator, counts),
                    relative="–"
                    if figure.relative_change is None
                    else _signed_percent(ctx, figure.relative_change * 100),
                    withheld=withheld,
                )
            )
        members = changes.figure(True, None)
        others = changes.figure(False, None)
        summary = ctx.t(
            "programme_analysis.comparison.summary",
            start=changes.start_year,
            end=changes.end_year,
            members=members.n_municipalities,
            others=others.n_municipalities,
        )
        caption = ctx.t(
            "programme_analysis.comparison.caption",
            indicator=indicator_label(ctx, changes.indicator_id),
            start=changes.start_year,
            end=changes.end_year,
        )
        heading = indicator_label(ctx, changes.indicator_id)
        all_withheld = all(row.withheld is not None for row in rows)
        views.append(ComparisonView(heading, caption, rows, list(changes.caveats), summary, counts, all_withheld))
    return views


def _signed(ctx: PageContext, value: float, indicator: Indicator | None, counts: bool) -> str:
    decimals = 0 if counts or indicator is None else indicator.decimals
    text = ctx.t.number(abs(value), decimals)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def _signed_percent(ctx: PageContext, value: float) -> str:
    text = ctx.t.number(abs(value), PERCENT_DECIMALS)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text + " %"


# The national share


@dataclass
class ShareView:
    heading: str
    caption: str
    rows: list[dict[str, Any]]
    summary: str


def share_sections(ctx: PageContext, shares: NationalShares) -> list[ShareView]:
    by_indicator: dict[str, list[Any]] = {}
    for share in shares.shares:
        by_indicator.setdefault(share.indicator_id, []).append(share)
    views = []
    for indicator_id, found in by_indicator.items():
        rows = []
        for share in sorted(found, key=lambda s: s.year):
            rows.append(
                {
                    "year": share.year,
                    "members": count_text(share.members_total, ctx.t),
                    "nation": count_text(share.national_total, ctx.t),
                    "share": "–" if share.share is None else ctx.t.number(share.share * 100, PERCENT_DECIMALS) + " %",
                    "partial": share.partial,
                    "n": ctx.t(
                        "programme_analysis.shares.n",
                        members=share.n_members_with_values,
                        all=share.n_members,
                        municipalities=share.n_municipalities_with_values,
                    ),
                    "reason": None if share.share is not None else share.reason,
                    "published": count_text(share.published_national_total, ctx.t)
                    if share.published_national_total is not None
                    else "–",
                }
            )
        latest = next((s for s in sorted(found, key=lambda s: -s.year) if s.share is not None), None)
        summary = (
            ctx.t("programme_analysis.shares.no_summary")
            if latest is None
            else ctx.t(
                "programme_analysis.shares.summary",
                year=latest.year,
                share=ctx.t.number((latest.share or 0) * 100, PERCENT_DECIMALS),
                counted=ctx.t(f"programme_analysis.shares.counted.{latest.counted}"),
            )
        )
        heading = indicator_label(ctx, indicator_id)
        caption = ctx.t("programme_analysis.shares.caption", indicator=heading)
        views.append(ShareView(heading, caption, rows, summary))
    return views


# The trend breaks


@dataclass
class BreakGroupView:
    group: str
    n: str
    tested: bool
    reason: str
    level: str
    slope: str
    sentences: list[str]
    caveats: list[str]


@dataclass
class BreakView:
    heading: str
    window: str
    groups: list[BreakGroupView]
    summary: str


def break_sections(ctx: PageContext, breaks: ProgrammeBreaks) -> list[BreakView]:
    views = []
    for found in breaks.breaks:
        indicator = _indicator(ctx, found.indicator_id)
        groups = [_break_group(ctx, group, indicator, found.break_year) for group in (found.members, found.non_members)]
        tested = sum(1 for group in groups if group.sentences)
        summary = (
            ctx.t("programme_analysis.breaks.summary_none", year=found.break_year)
            if tested == 0
            else ctx.t("programme_analysis.breaks.summary_some", year=found.break_year, n=tested)
        )
        window = (
            ctx.t("programme_analysis.breaks.window", first=found.years[0], last=found.years[-1], year=found.break_year)
            if found.years
            else ctx.t("programme_analysis.breaks.no_window")
        )
        views.append(BreakView(indicator_label(ctx, found.indicator_id), window, groups, summary))
    return views


def _break_group(ctx: PageContext, group: GroupBreak, indicator: Indicator | None, year: int) -> BreakGroupView:
    result = group.result
    name = ctx.t(f"programme_analysis.group.{group.group}")
    sentences: list[str] = []
    level = slope = "–"
    if result is not None and result.computed:
        level = _estimate(ctx, result.level_change, indicator)
        slope = _estimate(ctx, result.slope_change, indicator)
        for which, estimate in (("level", result.level_change), ("slope", result.slope_change)):
            if estimate is not None and significant(estimate.p_value):
                direction = "up" if estimate.estimate > 0 else "down"
                sentences.append(
                    ctx.t(
                        f"programme_analysis.breaks.sentence.{which}.{direction}",
                        group=name,
                        year=year,
                        value=_estimate(ctx, estimate, indicator),
                    )
                )
    return BreakGroupView(
        group=name,
        n=ctx.t("programme_analysis.n_municipalities", n=group.n_municipalities),
        tested=group.computed,
        reason=group.reason,
        level=level,
        slope=slope,
        sentences=sentences,
        caveats=list(group.all_caveats),
    )


def _estimate(ctx: PageContext, estimate: Estimate | None, indicator: Indicator | None) -> str:
    if estimate is None:
        return "–"
    decimals = 2 if indicator is None else indicator.decimals + 1
    return ctx.t(
        "programme_analysis.breaks.estimate",
        value=ctx.t.number(estimate.estimate, decimals),
        low=ctx.t.number(estimate.lower, decimals),
        high=ctx.t.number(estimate.upper, decimals),
        p=_p_value(ctx, estimate.p_value),
    )


def _p_value(ctx: PageContext, p_value: float) -> str:
    """ "0,012", or "< 0,001" below what three decimals can show (never "0,000")."""
    return "< " + ctx.t.number(SMALLEST_P, 3) if p_value < SMALLEST_P else ctx.t.number(p_value, 3)


__all__ = [
    "AssessmentView",
    "attainment_sections",
    "break_sections",
    "comparison_sections",
    "form_id_of",
    "indicator_label",
    "membership_rows",
    "municipality_label",
    "provenance",
    "row_id",
    "share_sections",
]
