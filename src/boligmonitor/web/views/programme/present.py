"""The programme analysis in the reader's language: rows and one-line summaries for the templates. Colours are
always written as words beside the colour (never colour alone); only tested differences become sentences; a group
under five municipalities shows its size and why it has no figure.

The analysis's reasons and caveats (:class:`~boligmonitor.analysis.reasons.Reason`: a key and its parameters) are
written by :func:`reason_text` from ``locales/programme_reasons.yaml``, numbers formatted as on the rest of the page;
a sentence the analysis knows only in English stays English and is marked ``lang="en"`` on a Norwegian page."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from markupsafe import Markup, escape

from boligmonitor.analysis.breaks import Estimate
from boligmonitor.analysis.reasons import ParamKind, ParamValue, Reason, untranslated
from boligmonitor.analysis.reporting import (
    MIN_GROUP_SIZE,
    PROGRAMME_SCOPE,
    AssessedAttainment,
    AttainmentKey,
    GroupBreak,
    MembersAgainstNonMembers,
    NationalShares,
    ProgrammeBreaks,
    SkippedIndicator,
)
from boligmonitor.catalog.models import Indicator
from boligmonitor.catalog.reporting import Programme
from boligmonitor.web.context import PageContext
from boligmonitor.web.i18n import Translator
from boligmonitor.web.present.formatting import count_text, value_text
from boligmonitor.web.views.programme.content import ProgrammeAnalysis
from boligmonitor.web.views.programme.tables import GROUP_ORDER, group_code, significant

TAGS: Final = {"green": "success", "yellow": "warning", "red": "danger", "grey": "neutral"}
COLOURS: Final = ("green", "yellow", "red", "grey")
PERCENT_DECIMALS: Final = 1
SMALLEST_P: Final = 0.001
REASON_PREFIX: Final = "programme_reason."
MAX_GENERAL_DECIMALS: Final = 6


# Reasons and caveats in the page's language


class ReasonText(str):
    """A reason or caveat as the page shows it: a string in the page's language, or in ``lang`` ("en") when the
    analysis knows it only in English. In a template ``{{ reason }}`` writes it, marked with ``lang`` when set; in a
    table or a DOCX it is its words."""

    lang: str | None

    def __new__(cls, text: str, lang: str | None = None) -> ReasonText:
        made = super().__new__(cls, text)
        made.lang = lang
        return made

    @property
    def text(self) -> str:
        return str.__str__(self)

    def __html__(self) -> str:
        if self.lang is None:
            return str(escape(self.text))
        return str(Markup('<span lang="{}">{}</span>').format(self.lang, self.text))


ValueFormat = Callable[[float], str]


def reason_text(
    t: Translator, reason: Reason | None, fallback: str = "", *, value_format: ValueFormat | None = None
) -> ReasonText:
    """``reason`` in ``t``'s language (``fallback``, English, when there is none). ``value_format`` writes the
    parameters that are an indicator's values (with its decimals and unit); without it they are written as short
    as they are exact."""
    found = reason if reason is not None else untranslated(fallback)
    if not found.translated:
        return ReasonText(str(found.params["text"]), None if t.language == "en" else "en")
    kinds = found.spec.params
    values = {name: _param(t, kinds[name], value, value_format) for name, value in found.params.items()}
    return ReasonText(t(REASON_PREFIX + found.key, **values))


def reason_texts(t: Translator, reasons: Iterable[Reason], fallback: Iterable[str] = ()) -> list[ReasonText]:
    """Each of ``reasons`` in ``t``'s language; the English ``fallback`` sentences when there are no reasons."""
    found = list(reasons)
    if not found:
        found = [untranslated(text) for text in fallback]
    return [reason_text(t, item) for item in found]


def _param(t: Translator, kind: ParamKind, value: ParamValue, value_format: ValueFormat | None) -> str:
    if isinstance(value, str) or kind == "text":
        return str(value)
    if kind == "year":
        return str(int(value))
    if kind == "count":
        return t.number(value, 0)
    if kind == "value" and value_format is not None:
        return value_format(float(value))
    if kind == "signed":
        sign = "+" if value > 0 else "−" if value < 0 else "±"
        return sign + t.number(abs(value), _general_decimals(abs(value)))
    if kind == "percent_0":
        return t(REASON_PREFIX + "percent", number=t.number(value * 100, 0))
    if kind == "percent_1":
        return t(REASON_PREFIX + "percent", number=t.number(value * 100, 1))
    if kind == "decimal_2":
        return t.number(value, 2)
    return t.number(value, _general_decimals(value))


def _general_decimals(value: float) -> int:
    """The decimals of ``value`` written as short as it is exact (Python's ``:g``): 50 → 0, 46.7 → 1."""
    written = f"{value:g}"
    if "e" in written:
        return 0 if abs(value) >= 1 else MAX_GENERAL_DECIMALS
    return len(written.split(".")[1]) if "." in written else 0


@dataclass
class SkippedView:
    indicator: str
    reason: ReasonText


def skipped_views(ctx: PageContext, skipped: Iterable[SkippedIndicator]) -> list[SkippedView]:
    """The indicators an analysis could not use, each with why in the page's language."""
    return [SkippedView(item.indicator_id, reason_text(ctx.t, item.why, item.reason)) for item in skipped]


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
    reason: ReasonText
    overridden: bool
    rule_colour_label: str
    rule_tag: str
    rule_reason: ReasonText
    analyst: str | None
    decided_on: str | None
    value: str
    target: str | None
    notes: list[ReasonText]
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

    def value_format(number: float) -> str:
        return _value(ctx, indicator, number)

    rule_reason = reason_text(ctx.t, status.why, status.reason, value_format=value_format)
    notes = list(result.notes) or ([untranslated(result.note)] if result.note else [])
    return AssessmentView(
        id=row_id(key),
        scope=scope,
        colour=assessed.colour,
        colour_label=ctx.t(f"programme_analysis.colour.{assessed.colour}"),
        tag=TAGS[assessed.colour],
        reason=rule_reason if override is None else ReasonText(override.reason),
        overridden=assessed.overridden,
        rule_colour_label=ctx.t(f"programme_analysis.colour.{status.colour}"),
        rule_tag=TAGS[status.colour],
        rule_reason=rule_reason,
        analyst=None if override is None else override.analyst,
        decided_on=None if override is None else ctx.t.date(override.decided_on),
        value=ctx.t("programme_analysis.value_in_year", value=value, year=key.year),
        target=target,
        notes=[reason_text(ctx.t, note, value_format=value_format) for note in notes],
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
    caveats: list[ReasonText]
    summary: str
    counts: bool
    all_withheld: bool = False


class ComparisonSections(list[ComparisonView]):
    """The comparison's indicator sections, with the indicators it could not compare (``skipped``)."""

    skipped: list[SkippedView]


def comparison_sections(ctx: PageContext, table: MembersAgainstNonMembers) -> ComparisonSections:
    views = ComparisonSections()
    views.skipped = skipped_views(ctx, table.skipped)
    for changes in table.indicators:
        indicator = _indicator(ctx, changes.indicator_id)
        counts = changes.aggregation == "summed_count"
        rows = []
        for member, size in GROUP_ORDER:
            figure = changes.figure(member, size)
            withheld = None
            if not figure.shown:
                withheld = _withheld(ctx, figure.n_municipalities, figure.withheld_why, figure.withheld)
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
        caveats = reason_texts(ctx.t, changes.caveat_reasons, changes.caveats)
        views.append(ComparisonView(heading, caption, rows, caveats, summary, counts, all_withheld))
    return views


def _withheld(ctx: PageContext, n: int, why: Reason | None, english: str | None) -> str:
    """Why a group has no figure, short for a table cell: too few municipalities, none with values, or the
    analysis's own reason (a pooled denominator of 0)."""
    if why is not None and why.key == "comparison.withheld.zero_denominator":
        return ctx.t(REASON_PREFIX + "withheld", reason=reason_text(ctx.t, why, english or "").text)
    if 0 < n < MIN_GROUP_SIZE:
        return ctx.t("programme_analysis.withheld.small", n=n, min=MIN_GROUP_SIZE)
    return ctx.t("programme_analysis.withheld.none")


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
                    "reason": None if share.share is not None else reason_text(ctx.t, share.why, share.reason),
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
    reason: ReasonText
    level: str
    slope: str
    sentences: list[str]
    caveats: list[ReasonText]


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
        reason=reason_text(ctx.t, group.why, group.reason),
        level=level,
        slope=slope,
        sentences=sentences,
        caveats=reason_texts(ctx.t, group.all_caveat_reasons, group.all_caveats),
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
    "ComparisonSections",
    "ReasonText",
    "SkippedView",
    "attainment_sections",
    "break_sections",
    "comparison_sections",
    "form_id_of",
    "indicator_label",
    "membership_rows",
    "municipality_label",
    "provenance",
    "reason_text",
    "reason_texts",
    "row_id",
    "share_sections",
    "skipped_views",
]
