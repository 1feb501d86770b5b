"""What the annual analysis report of a programme holds, in the reader's language: per goal of the programme the
quantitative development with its colours (goal attainment with the analysts' overrides, from the same programme
analysis the /program pages show), the categories the municipalities chose (counted from their submitted
reports), the codes counted in their open answers and the quotes the analysts chose; after the goals, the
analysis's group parts in the analysis pages' words (web/views/programme/present.py): members against the other
municipalities by size group, the members' share of the country and trend breaks at the programme's start.

:func:`build_programme_report` is pure: it takes the programme's analysis of the year, the submitted reports and
what the open-answer coding gives (:class:`CodedCount`, :class:`ChosenQuote`), and reads statistics only through
``ctx.data`` (the loaded data version). :func:`read_report_inputs` reads the reports and the form from the report
store for a route. Every text is ready to print: the HTML, the PDF and the DOCX show the same content.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from boligmonitor.analysis.goals import Ambition, Colour
from boligmonitor.analysis.reporting import (
    AssessedAttainment,
    MembersAgainstNonMembers,
    NationalShares,
    ProgrammeBreaks,
)
from boligmonitor.catalog.models import Catalog, Indicator
from boligmonitor.catalog.reporting import Form, MultipleChoiceQuestion, Programme, SingleChoiceQuestion
from boligmonitor.store.reporting import ReportingError, ReportStore, ReportSummary, ReportVersion
from boligmonitor.web.context import PageContext
from boligmonitor.web.i18n import Translator
from boligmonitor.web.monitor import MonitorData
from boligmonitor.web.present.formatting import value_text
from boligmonitor.web.views.programme.content import IndicatorAttainment, ProgrammeAnalysis
from boligmonitor.web.views.programme.present import (
    BreakView,
    ComparisonView,
    ReasonText,
    ShareView,
    break_sections,
    comparison_sections,
    reason_text,
    share_sections,
)
from boligmonitor.web.views.programme.tables import MIN_GROUP_SIZE

COLOURS: Final[tuple[Colour, ...]] = ("green", "yellow", "red", "grey")
SYNTHETIC: Final = "SYNTHETIC"
# Designsystemet's colours for the web page's tags, and the swatch beside the words in print (decorative: the
# words carry the meaning).
TAG_COLOURS: Final[Mapping[str, str]] = {"green": "success", "yellow": "warning", "red": "danger", "grey": "neutral"}
SWATCHES: Final[Mapping[str, str]] = {"green": "#1d7a3e", "yellow": "#e0a800", "red": "#c0262d", "grey": "#8a8d91"}
SHADES: Final[Mapping[str, str]] = {"green": "DCEFE2", "yellow": "FFF1C2", "red": "F8D7D9", "grey": "E8E9EA"}


# ------------------------------------------------------------------------------------ inputs from coding


@dataclass(frozen=True, slots=True)
class CodedCount:
    """One code of the programme's codebook counted in the open answers of a year (from open-answer coding):
    ``municipalities`` whose answers carry it, of ``answering`` that gave an open answer, in ``passages``.

    ``goal_id`` is the programme goal the code is grouped under (None: under no goal, not in a goal's section)."""

    goal_id: str | None
    code: str
    description: str
    municipalities: int
    answering: int
    passages: int


@dataclass(frozen=True, slots=True)
class ChosenQuote:
    """A passage of an open answer an analyst chose as an example (already without redacted parts)."""

    goal_id: str | None
    municipality: str
    year: int
    question_id: str
    text: str


# ----------------------------------------------------------------------------------------- the content


@dataclass(frozen=True, slots=True)
class ColourText:
    """A colour as words (what every medium shows) and as a key for the decorative colour beside them."""

    key: str
    label: str

    @property
    def tag(self) -> str:
        return TAG_COLOURS[self.key]

    @property
    def swatch(self) -> str:
        return SWATCHES[self.key]

    @property
    def shade(self) -> str:
        return SHADES[self.key]


@dataclass(frozen=True, slots=True)
class AttainmentRow:
    """The programme's assessment of one indicator of a goal, with how the members fared one by one."""

    indicator_id: str | None
    indicator: str
    value: str
    baseline: str
    target: str
    colour: ColourText
    reason: ReasonText
    override_note: str | None
    members: str


@dataclass(frozen=True, slots=True)
class CategoryCount:
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class ChoiceCounts:
    """A question with predefined categories: how many municipalities chose each category."""

    question_id: str
    question: str
    answered: int
    categories: tuple[CategoryCount, ...]
    summary: str


@dataclass(frozen=True, slots=True)
class CodeRow:
    code: str
    description: str
    municipalities: str  # "5 av 12"
    passages: int


@dataclass(frozen=True, slots=True)
class QuoteText:
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class GoalSection:
    id: str
    number: int
    heading: str
    main_goal: str | None
    attainment: tuple[AttainmentRow, ...]
    attainment_summary: str
    choices: tuple[ChoiceCounts, ...]
    codes: tuple[CodeRow, ...]
    quotes: tuple[QuoteText, ...]


@dataclass(frozen=True, slots=True)
class ComparisonPart:
    """Members against the other municipalities by size group from ``start`` to ``end`` (the evaluation's Table
    5.7): ``tables`` of the indicators with at least one figure shown (every row names its group size; a group
    under five municipalities has the analysis's reason instead of figures); ``few`` the indicators where every
    group is too small, with the members' count; ``skipped`` the indicators the analysis could not compare."""

    start: int
    end: int
    lead: str
    caveat: str
    without_population: str | None
    tables: tuple[ComparisonView, ...]
    few: tuple[str, ...]
    skipped: tuple[tuple[str, ReasonText], ...]  # (indicator id, the analysis's reason)


@dataclass(frozen=True, slots=True)
class SharesPart:
    """The members' share of the national total per indicator and year (population and 80+ first)."""

    lead: str
    tables: tuple[ShareView, ...]


@dataclass(frozen=True, slots=True)
class BreaksPart:
    """Trend breaks at the programme's start: only significant changes are sentences (in each ``BreakView``'s
    groups); ``caveats`` hold for every test."""

    year: int
    lead: str
    caveats: tuple[str, ...]
    sections: tuple[BreakView, ...]


@dataclass(frozen=True, slots=True)
class ProgrammeReport:
    programme_id: str
    programme_name: str
    year: int
    language: str
    title: str
    subtitle: str
    made_on: str
    about: tuple[str, ...]
    goals: tuple[GoalSection, ...]
    synthetic: bool
    comparison: ComparisonPart | None = None
    shares: SharesPart | None = None
    breaks: BreaksPart | None = None

    @property
    def file_stem(self) -> str:
        return f"boligmonitor-{self.programme_id}-{self.year}-{self.language}"


# -------------------------------------------------------------------------------------------- building


def build_programme_report(
    ctx: PageContext,
    analysis: ProgrammeAnalysis,
    *,
    submitted: Sequence[tuple[ReportSummary, ReportVersion]] = (),
    form: Form | None = None,
    visible: Collection[str] | None = None,
    coded: Sequence[CodedCount] = (),
    quotes: Sequence[ChosenQuote] = (),
    synthetic: bool = False,
    made_on: date | None = None,
    comparison: MembersAgainstNonMembers | None = None,
    shares: NationalShares | None = None,
    breaks: ProgrammeBreaks | None = None,
) -> ProgrammeReport:
    """The report of ``analysis`` (the programme analysis of one year, with goal attainment: web/views/programme's
    :func:`~boligmonitor.web.views.programme.content.programme_analysis`) in ``ctx``'s language.

    ``submitted``: the latest submitted version of each report of the year; ``form``: the year's form (its
    category questions are counted, its texts name the questions of the quotes); ``visible``: the municipalities
    whose own words (quotes) the reader may see (None: all); ``synthetic`` (or a synthetic form) labels the
    report SYNTHETIC.

    ``comparison``, ``shares``, ``breaks``: the analysis's group parts (members against non-members, the national
    share, trend breaks; default: those of ``analysis``), shown after the goals; a part that is None is left out.
    They are figures over groups of municipalities, the same for every reader."""
    t = ctx.t
    catalog = ctx.data.catalog
    language = ctx.language
    programme = analysis.programme
    year = analysis.year
    attainment = {goal.goal.id: goal for goal in analysis.attainment.goals} if analysis.attainment else {}
    years_reports = [(summary, version) for summary, version in submitted if summary.year == year]
    main_goals = {main.id: main for main in programme.main_goals}
    sections = []
    for goal in programme.goals:
        main = main_goals.get(goal.main_goal)
        found = attainment.get(goal.id)
        rows = _attainment_rows(found.indicators, catalog, t) if found is not None else ()
        sections.append(
            GoalSection(
                id=goal.id,
                number=goal.number,
                heading=t("programme_report.goal.heading", number=goal.number, name=goal.name.get(language)),
                main_goal=t("programme_report.goal.main", number=main.number, name=main.name.get(language))
                if main is not None
                else None,
                attainment=rows,
                attainment_summary=_colour_summary(rows, t),
                choices=_choice_counts(goal.id, form, years_reports, t),
                codes=tuple(
                    CodeRow(
                        item.code,
                        item.description,
                        t("programme_report.coded.of", count=item.municipalities, answering=item.answering),
                        item.passages,
                    )
                    for item in sorted(coded, key=lambda item: (-item.municipalities, -item.passages, item.code))
                    if item.goal_id == goal.id
                ),
                quotes=tuple(
                    _quote(item, form, ctx)
                    for item in quotes
                    if item.goal_id == goal.id and (visible is None or item.municipality in visible)
                ),
            )
        )
    version = ctx.data.version
    made = made_on or date.today()
    is_synthetic = synthetic or (form is not None and form.synthetic)
    about = [
        t(
            "programme_report.about.members",
            members=len(analysis.membership.members),
            reports=len(years_reports),
            year=year,
        )
    ]
    if analysis.hidden_members:
        about.append(t("programme_report.about.hidden_members", hidden=analysis.hidden_members))
    about.append(t("programme_report.about.method"))
    if visible is not None:
        about.append(t("programme_report.about.scope"))
    name = programme.name.get(language)
    return ProgrammeReport(
        programme_id=programme.id,
        programme_name=name,
        year=year,
        language=language,
        title=t("programme_report.title", programme=name, year=year),
        subtitle=t("programme_report.subtitle", year=year),
        made_on=t(
            "programme_report.made_on",
            date=t.date(made),
            version=version.id if version is not None else t("programme_report.no_version"),
        ),
        about=tuple(about),
        goals=tuple(sections),
        synthetic=is_synthetic,
        comparison=_comparison_part(ctx, comparison if comparison is not None else analysis.comparison),
        shares=_shares_part(ctx, shares if shares is not None else analysis.shares, analysis),
        breaks=_breaks_part(ctx, breaks if breaks is not None else analysis.breaks),
    )


def comparison_years(programme: Programme, year: int, years_with_data: Collection[int]) -> tuple[int, int]:
    """The years the report of ``year`` compares members with the other municipalities (and shows the national
    share for): from the year before the programme started (the last year before it could act), or, when that
    year has no data, the first year with data after it, to ``year``. The start is always before ``year``."""
    start = programme.period.start - 1
    if start not in years_with_data:
        later = sorted(found for found in years_with_data if start < found < year)
        if later:
            start = later[0]
    return min(start, year - 1), year


def _comparison_part(ctx: PageContext, table: MembersAgainstNonMembers | None) -> ComparisonPart | None:
    if table is None:
        return None
    t = ctx.t
    views = comparison_sections(ctx, table)
    groups = table.size_groups
    return ComparisonPart(
        start=table.start_year,
        end=table.end_year,
        lead=t("programme_analysis.comparison.lead", start=table.start_year, end=table.end_year, min=MIN_GROUP_SIZE),
        caveat=t("programme_analysis.comparison.caveat"),
        without_population=t(
            "programme_analysis.comparison.without_population", n=len(groups.without_population), year=groups.year
        )
        if groups.without_population
        else None,
        tables=tuple(view for view in views if not view.all_withheld),
        few=tuple(f"{view.heading}: {view.rows[0].n}" for view in views if view.all_withheld),
        skipped=tuple((item.indicator, item.reason) for item in views.skipped),
    )


def _shares_part(ctx: PageContext, shares: NationalShares | None, analysis: ProgrammeAnalysis) -> SharesPart | None:
    if shares is None:
        return None
    lead = ctx.t("programme_analysis.shares.lead", n=len(analysis.membership.members), year=analysis.year)
    return SharesPart(lead, tuple(share_sections(ctx, shares)))


def _breaks_part(ctx: PageContext, breaks: ProgrammeBreaks | None) -> BreaksPart | None:
    if breaks is None:
        return None
    t = ctx.t
    caveats = tuple(
        t(f"programme_analysis.breaks.caveat.{name}") for name in ("selection", "concurrent", "few_points", "panel")
    )
    return BreaksPart(
        breaks.break_year,
        t("programme_analysis.breaks.lead", year=breaks.break_year),
        caveats,
        tuple(break_sections(ctx, breaks)),
    )


def synthetic_statistics(data: MonitorData) -> bool:
    """Whether the loaded data version holds statistics made up for tests or demonstrations (a dataset that says
    SYNTHETIC in its title or id): a report from it is labelled so."""
    return any(
        SYNTHETIC in (dataset.title or "") or SYNTHETIC in dataset.id.upper() for dataset in data.datasets.values()
    )


def colour_text(colour: str, t: Translator) -> ColourText:
    return ColourText(colour, t(f"programme_report.colour.{colour}"))


def _attainment_rows(
    indicators: Sequence[IndicatorAttainment], catalog: Catalog, t: Translator
) -> tuple[AttainmentRow, ...]:
    rows = []
    for item in indicators:
        whole = item.programme
        key = whole.result.key
        status = whole.result.status
        indicator = catalog.indicator(key.indicator_id) if key.indicator_id is not None else None
        counted: Counter[str] = Counter(member.colour for member in item.members)
        override = whole.override
        rows.append(
            AttainmentRow(
                indicator_id=key.indicator_id,
                indicator=indicator.name.get(t.language) if indicator is not None else "–",
                value=_value(indicator, status.value, t),
                baseline=t(
                    "programme_report.baseline",
                    value=_value(indicator, status.baseline_value, t),
                    year=status.baseline_year,
                )
                if status.baseline_year is not None and status.baseline_value is not None
                else "–",
                target=_target_text(whole.result.ambition, indicator, t),
                colour=colour_text(whole.colour, t),
                reason=_reason(whole, indicator, t),
                override_note=t(
                    "programme_report.overridden",
                    analyst=override.analyst,
                    date=t.date(override.decided_on),
                    colour=t(f"programme_report.colour_short.{status.colour}"),
                )
                if override is not None
                else None,
                members=_counts_text(counted, t)
                if counted
                else t("programme_report.members.none")
                if whole.result.applies_to == "programme_aggregate"
                else "–",
            )
        )
    return tuple(rows)


def _reason(assessed: AssessedAttainment, indicator: Indicator | None, t: Translator) -> ReasonText:
    """The analyst's words when overridden, else the rule's reason in the reader's language."""
    if assessed.override is not None:
        return ReasonText(assessed.override.reason)

    def value_format(number: float) -> str:
        return _value(indicator, number, t)

    status = assessed.result.status
    return reason_text(t, status.why, status.reason, value_format=value_format)


def _value(indicator: Indicator | None, value: float | None, t: Translator) -> str:
    return value_text(indicator, value, t) if indicator is not None else "–"


def _target_text(ambition: Ambition | None, indicator: Indicator | None, t: Translator) -> str:
    if ambition is None:
        return t("programme_report.target.none")
    if ambition.kind == "relative_change":
        target = f"{'+' if ambition.target > 0 else ''}{t.number(ambition.target, 1 if ambition.target % 1 else 0)}"
        if ambition.baseline_year is None:
            return t("programme_report.target.relative_change_open", target=target)
        return t("programme_report.target.relative_change", target=target, year=ambition.baseline_year)
    target = value_text(indicator, ambition.target, t) if indicator is not None else t.number(ambition.target, 1)
    return t(f"programme_report.target.{ambition.kind}", target=target)


def _counts_text(counted: Mapping[str, int], t: Translator) -> str:
    return ", ".join(
        t("programme_report.colour_count", colour=t(f"programme_report.colour_short.{colour}"), count=counted[colour])
        for colour in COLOURS
        if counted.get(colour)
    )


def _colour_summary(rows: Sequence[AttainmentRow], t: Translator) -> str:
    counted = Counter(row.colour.key for row in rows)
    return t("programme_report.development.summary", counts=_counts_text(counted, t)) if rows else ""


def _choice_counts(
    goal_id: str, form: Form | None, reports: Sequence[tuple[ReportSummary, ReportVersion]], t: Translator
) -> tuple[ChoiceCounts, ...]:
    if form is None:
        return ()
    found = []
    for section in form.sections:
        if goal_id not in section.goals:
            continue
        for question in section.questions:
            if not isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
                continue
            chosen: Counter[str] = Counter()
            answered = 0
            for _, version in reports:
                choices = _choices(version.answers.get(question.id))
                if choices:
                    answered += 1
                    chosen.update(set(choices))
            categories = tuple(
                CategoryCount(category.label.get(t.language), chosen[category.id]) for category in question.categories
            )
            text = question.text.get(t.language)
            top = max(categories, key=lambda item: item.count, default=None)
            summary = (
                t("programme_report.categories.summary", label=top.label, count=top.count, answered=answered)
                if top is not None and answered
                else t("programme_report.categories.none")
            )
            found.append(ChoiceCounts(question.id, text, answered, categories, summary))
    return tuple(found)


def _choices(answer: Mapping[str, Any] | None) -> list[str]:
    if answer is None:
        return []
    choices = answer.get("choices")
    return [str(choice) for choice in choices] if isinstance(choices, list | tuple) else []


def _quote(quote: ChosenQuote, form: Form | None, ctx: PageContext) -> QuoteText:
    question = quote.question_id
    if form is not None:
        with suppress(KeyError):  # a question no longer in the form: its id
            question = form.question(quote.question_id).text.get(ctx.language)
    region = ctx.data.regions.get(quote.municipality)
    municipality = f"{region.name} ({quote.municipality})" if region is not None else quote.municipality
    source = ctx.t("programme_report.quote.source", municipality=municipality, year=quote.year, question=question)
    return QuoteText(quote.text, source)


# ------------------------------------------------------------------------------------ reading the store


@dataclass(frozen=True, slots=True)
class ReportInputs:
    """What :func:`build_programme_report` needs from the report store for one programme year."""

    submitted: tuple[tuple[ReportSummary, ReportVersion], ...]
    form: Form | None


def read_report_inputs(store: ReportStore, programme_id: str, year: int) -> ReportInputs:
    """The submitted reports of the year and the year's form (None when the year has no round, or its form is no
    longer in the package)."""
    submitted = tuple(store.submitted_versions(programme_id, year=year))
    form = None
    for reporting in store.rounds(programme_id):
        if reporting.year == year:
            try:
                form = store.form(reporting)
            except (ReportingError, ValueError):
                form = None
            break
    return ReportInputs(submitted, form)


__all__ = [
    "COLOURS",
    "AttainmentRow",
    "BreaksPart",
    "CategoryCount",
    "ChoiceCounts",
    "ChosenQuote",
    "CodeRow",
    "CodedCount",
    "ColourText",
    "ComparisonPart",
    "GoalSection",
    "ProgrammeReport",
    "QuoteText",
    "ReportInputs",
    "SharesPart",
    "build_programme_report",
    "colour_text",
    "comparison_years",
    "read_report_inputs",
    "synthetic_statistics",
]
