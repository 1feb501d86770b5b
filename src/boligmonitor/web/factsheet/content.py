"""What a municipality's fact sheet contains, built from the monitor's own rows.

Every figure is an :class:`~boligmonitor.analysis.indicator_tables.IndicatorRow` from :meth:`MonitorData.row` —
the rows the theme pages show for the same indicator and year — formatted by the web's own formatting functions,
so a fact sheet and the monitor cannot disagree. The sheet has:

1. key facts and the main findings: sentences made only from tested comparisons with Norway
   (:mod:`.sentences`);
2. population and composition: the age profile and household composition, population change and the share
   aged 80+ over the last years;
3. housing conditions; construction and needs; projections (where the monitor has data); Husbanken's
   instruments;
4. the other indicators of each theme;
5. data years, sources and caveats.

Each indicator row gives the value with its 95 % interval and counts, and its comparison with Norway, the county
and similar municipalities (each a test: higher, lower, better, worse or no clear difference). Indicators
without a value say why; indicators the monitor has no source for are listed as not loaded. Nothing is
imputed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from boligmonitor.analysis.benchmark_comparison import Comparison
from boligmonitor.analysis.indicator_tables import POPULATION_INDICATOR, SHARE_80_PLUS_INDICATOR, IndicatorRow
from boligmonitor.analysis.measures import COUNT_UNIT, has_interval
from boligmonitor.analysis.peers import BenchmarkKind
from boligmonitor.catalog.models import Indicator
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.regions import RegionLevel
from boligmonitor.store import RegionRow
from boligmonitor.web.context import PageContext
from boligmonitor.web.factsheet.figures import TREND_YEARS, Barometer, TrendChart, barometer, category, trend_chart
from boligmonitor.web.factsheet.sentences import DIFFERENT, Finding, finding, ordered
from boligmonitor.web.i18n import Translator
from boligmonitor.web.monitor import UnknownPageError
from boligmonitor.web.present.cards import SourceLine, benchmark_label, comparison_text, source_lines, trend_text
from boligmonitor.web.present.cards import value_notes as card_notes
from boligmonitor.web.present.coverage import absence, has_value, shown_for, shown_indicators
from boligmonitor.web.present.facts import Fact, key_facts
from boligmonitor.web.present.formatting import count_text, counts_text, interval_text, value_text
from boligmonitor.web.present.navigation import themes_in_order

BENCHMARKS = (BenchmarkKind.NORWAY, BenchmarkKind.COUNTY, BenchmarkKind.PEERS)
MAX_FINDINGS = 10  # difference sentences on the first page; the tables hold every comparison


@dataclass(frozen=True)
class SectionSpec:
    """A section's indicators, in order: listed ids, or every indicator of a theme."""

    id: str
    indicators: tuple[str, ...] = ()
    theme: str | None = None


SECTIONS = (
    # Age profile (0–17, 18–24, 25–66, 67–79, 67+, 80+, 90+), then household composition.
    SectionSpec("population", ("BEF02", "BEF14", "BEF15", "EL11", "EL10", "BEF03", "EL12", "BEF05", "BU09", "FL07")),
    SectionSpec("housing", ("BEF06", "BEF07", "BU05", "BU06", "BEF11", "BU07", "BEF19", "BU04", "BEF08", "BEF17")),
    SectionSpec(
        "construction", ("BEF10", "BEF09", "BEF12", "BEF13", "BEF16", "KB01", "KB02", "NF01", "NF03", "BL01", "EL07")
    ),
    SectionSpec("projections", ("BEF04", "EL09")),
    SectionSpec("husbanken", theme="husbankens_virkemidler"),
)
THEMES_SECTION = "themes"


# ------------------------------------------------------------------------------------------------- model


@dataclass(frozen=True)
class BenchmarkCell:
    """The comparison of one value with one benchmark, in the monitor's words."""

    kind: BenchmarkKind
    label: str  # "Hele landet", "Vestland", "Lignende kommuner"
    value: str  # the benchmark's value, "–" when it has none
    category: str  # comparison category for the icon (better … not_compared, no_value)
    text: str  # the outcome in a word or two, under the benchmark's column: "lavere", "ingen sikker forskjell" …
    full_text: str  # the monitor's own sentence: "Lavere enn landet", "Ingen sikker forskjell fra Vestland" …
    row: IndicatorRow


@dataclass(frozen=True)
class IndicatorLine:
    """One indicator with a value: a row of a section's table."""

    indicator: Indicator
    row: IndicatorRow  # compared with Norway: the very row the theme page shows
    name: str
    year: int
    value: str
    interval: str | None
    counts: str | None
    trend: str | None
    cells: tuple[BenchmarkCell, ...]  # empty for counts, which are not compared
    notes: tuple[str, ...]
    finding: Finding | None  # the sentence from the test against Norway, if one was made
    # A share or a rate with an interval: compared with benchmarks and placed in the barometer where it can be
    # (administrative ratios and projections have no interval and are not compared).
    comparable: bool


@dataclass(frozen=True)
class MissingValue:
    """An indicator the monitor has, without a value for this municipality: says why."""

    name: str
    year: int | None
    reason: str


@dataclass
class Group:
    heading: str | None  # the theme's name in the themes section
    lines: list[IndicatorLine]
    without_value: list[MissingValue]
    not_loaded: list[str]  # names of indicators the monitor has no data for yet


@dataclass
class Section:
    id: str
    heading: str
    intro: str
    groups: list[Group]
    barometer: Barometer | None

    @property
    def lines(self) -> list[IndicatorLine]:
        return [line for group in self.groups for line in group.lines]


@dataclass(frozen=True)
class PopulationPart:
    label: str  # "Folketall 1. januar 2026"
    value: str | None
    change: str | None  # "Endring 2016–2026: +45 123 personer (+6,6 %)"
    trend: str | None
    charts: list[TrendChart]


@dataclass(frozen=True)
class SourceGroup:
    """Indicators read from the same sources: the sources once, then the indicators with their data years."""

    sources: tuple[SourceLine, ...]
    indicators: list[str]  # "Barn 0–17 år (2026)"


@dataclass
class FactSheet:
    region: RegionRow
    county: RegionRow | None
    language: str
    name: str
    title: str
    subtitle: str
    made_on: str
    data_version: str
    facts: list[Fact]  # county, KOSTRA group, centrality (the population is in ``population``)
    findings: list[Finding]
    more_findings: int
    similar: str | None  # one sentence naming the indicators with no clear difference from Norway
    population: PopulationPart
    sections: list[Section]
    empty_themes: list[str]
    peers: str | None
    benchmarks: tuple[BenchmarkKind, ...]  # the comparison columns: BENCHMARKS without the county where it is
    # the municipality itself (Oslo)
    benchmark_labels: list[str]  # the comparison columns' headings
    benchmark_note: str | None  # why a comparison column is left out
    sources: list[SourceGroup]
    caveats: list[str]
    records: list[dict[str, Any]] = field(default_factory=list)

    def lines(self) -> Iterator[IndicatorLine]:
        for section in self.sections:
            yield from section.lines


# ----------------------------------------------------------------------------------------------- building


def fact_sheet_region(ctx: PageContext, code: str) -> RegionRow:
    """The municipality a fact sheet is for. An unknown code is an unknown region; a county or Norway is an
    unknown fact sheet (its 404 page says that fact sheets are made for municipalities)."""
    region = ctx.data.region(code)
    if region.level != RegionLevel.MUNICIPALITY:
        raise UnknownPageError("factsheet", code)
    return region


def build_fact_sheet(ctx: PageContext, code: str, *, made_on: date | None = None) -> FactSheet:
    """The fact sheet of municipality ``code`` in ``ctx.language`` (UnknownPageError for anything else)."""
    data = ctx.data
    t = ctx.t
    region = fact_sheet_region(ctx, code)
    county = data.regions.get(region.parent_code or region.code[:2])
    members = [m.code for m in data.municipalities() if m.code[:2] == region.code[:2]]
    county_is_self = members == [region.code]
    builder = _Builder(ctx, region, county_is_self, (made_on or date.today()).year)

    sections: list[Section] = []
    used = {POPULATION_INDICATOR}
    for spec in SECTIONS:
        ids = spec.indicators or tuple(i.id for i in data.theme_indicators(spec.theme or ""))
        indicators = [
            indicator
            for indicator_id in ids
            if indicator_id not in used and shown_for(data, indicator := data.indicator(indicator_id), region)
        ]
        used |= {indicator.id for indicator in indicators}
        group = builder.group(None, indicators)
        sections.append(builder.section(spec.id, [group]))
    theme_groups: list[Group] = []
    empty_themes: list[str] = []
    for theme in themes_in_order(ctx):
        indicators = [i for i in shown_indicators(data, theme.id, region) if i.id not in used]
        if not indicators:
            continue
        name = theme.name.get(ctx.language)
        # The count every page tells (present/coverage): a theme without a value here is named, not drawn.
        if not any(has_value(data, i, region) for i in indicators):
            empty_themes.append(name)
            continue
        theme_groups.append(builder.group(name, indicators))
    sections.append(builder.section(THEMES_SECTION, theme_groups))

    findings = [line.finding for section in sections for line in section.lines if line.finding is not None]
    differences = ordered([item for item in findings if item.comparison in DIFFERENT])
    similar_names = [
        line.indicator.short_name.get(ctx.language)
        for line in (line for section in sections for line in section.lines)
        if line.finding is not None and line.finding.comparison is Comparison.SIMILAR
    ]
    name = region.name
    version = data.version
    sheet = FactSheet(
        region=region,
        county=county,
        language=ctx.language,
        name=name,
        title=t("factsheet.title", region=name),
        subtitle=t("factsheet.subtitle", code=region.code, county=county.name if county else "–"),
        made_on=t.date(made_on or date.today()),
        data_version=(
            t("factsheet.data_version", version=version.id, date=t.date(version.created_at))
            if version
            else t("factsheet.no_data")
        ),
        facts=key_facts(ctx, region)[1:],  # the overview's facts after its population
        findings=differences[:MAX_FINDINGS],
        more_findings=max(0, len(differences) - MAX_FINDINGS),
        similar=(
            t("factsheet.findings.similar", names=join_names(similar_names, t), benchmark=t("benchmark.norway.short"))
            if similar_names
            else None
        ),
        population=builder.population(),
        sections=sections,
        empty_themes=empty_themes,
        peers=builder.peers_text(),
        benchmarks=builder.kinds,
        benchmark_labels=[builder.benchmark_heading(kind) for kind in builder.kinds],
        benchmark_note=t("factsheet.county_is_self", region=name) if county_is_self else None,
        sources=builder.sources(sections),
        caveats=builder.caveats(sections),
    )
    sheet.records = builder.records(sections)
    return sheet


def join_names(names: list[str], t: Translator) -> str:
    """ "A", "A og B", "A, B og C" ("and" in English)."""
    if len(names) <= 1:
        return "".join(names)
    return t("factsheet.and", first=", ".join(names[:-1]), last=names[-1])


class _Builder:
    """Builds the parts of one municipality's sheet; holds what they share."""

    def __init__(self, ctx: PageContext, region: RegionRow, county_is_self: bool, current_year: int) -> None:
        self.ctx = ctx
        self.t = ctx.t
        self.region = region
        self.county_is_self = county_is_self
        self.current_year = current_year  # the sheet's year: a finding from more than five years before says so
        # A county that is the municipality itself (Oslo) would only be compared with itself: no column for it.
        self.kinds = tuple(kind for kind in BENCHMARKS if not (county_is_self and kind is BenchmarkKind.COUNTY))

    # --- sections

    def section(self, section_id: str, groups: list[Group]) -> Section:
        t = self.t
        heading = t(f"factsheet.section.{section_id}")
        rows = [line.row for group in groups for line in group.lines if line.comparable]
        chart = None
        if rows:
            title = t("factsheet.spine.title", section=heading, region=self.region.name)
            chart = barometer(self.ctx, f"fs-spine-{section_id}", title, rows)
        return Section(section_id, heading, t(f"factsheet.section.{section_id}.intro"), groups, chart)

    def group(self, heading: str | None, indicators: list[Indicator]) -> Group:
        data = self.ctx.data
        lines: list[IndicatorLine] = []
        without: list[MissingValue] = []
        not_loaded: list[str] = []
        for indicator in indicators:
            name = indicator.name.get(self.ctx.language)
            if not data.has_data(indicator.id):
                not_loaded.append(name)
                continue
            row = data.row(indicator.id, self.region.code)
            year = row.measure.year
            if row.measure.value is None or year is None:
                reason = self.t(f"missing.{absence(data, indicator, self.region, row.measure.status).value}")
                without.append(MissingValue(name, year, reason))
                continue
            lines.append(self.line(indicator, row, year))
        return Group(heading, lines, without, not_loaded)

    def line(self, indicator: Indicator, row: IndicatorRow, year: int) -> IndicatorLine:
        """``row`` has a value, of ``year``."""
        ctx, t = self.ctx, self.t
        m = row.measure
        counts = counts_text(indicator, m.count, m.denominator, t, ctx.language)
        compared = indicator.multiplier is not None
        cells = tuple(self.cell(kind, row) for kind in self.kinds) if compared else ()
        return IndicatorLine(
            indicator=indicator,
            row=row,
            name=indicator.name.get(ctx.language),
            year=year,
            value=value_text(indicator, m.value, t),
            interval=interval_text(indicator, m.ci_low, m.ci_high, t) if compared else None,
            counts=counts,
            trend=trend_text(ctx, row),
            cells=cells,
            notes=tuple(card_notes(ctx, row)),
            finding=finding(row, benchmark_label(ctx, row), t, current_year=self.current_year),
            comparable=compared and indicator.unit != COUNT_UNIT and has_interval(indicator.kind),
        )

    def cell(self, kind: BenchmarkKind, norway_row: IndicatorRow) -> BenchmarkCell:
        ctx, t = self.ctx, self.t
        indicator = norway_row.indicator
        label = self.benchmark_heading(kind)
        row = (
            norway_row
            if kind is BenchmarkKind.NORWAY
            else ctx.data.row(indicator.id, self.region.code, norway_row.measure.year, kind)
        )
        reference = row.benchmark.value if row.benchmark is not None else None
        outcome = category(row)
        return BenchmarkCell(
            kind=kind,
            label=label,
            value=value_text(indicator, reference, t),
            category=outcome,
            text=t(f"factsheet.cmp.{outcome}"),
            full_text=comparison_text(ctx, row.comparison, benchmark_label(ctx, row), indicator),
            row=row,
        )

    def benchmark_heading(self, kind: BenchmarkKind) -> str:
        if kind is BenchmarkKind.COUNTY:
            county = self.ctx.data.regions.get(self.region.parent_code or self.region.code[:2])
            return county.name if county else self.t("benchmark.county.option")
        if kind is BenchmarkKind.NORWAY:
            return self.t("region.norway")
        return self.t(f"benchmark.{kind.value}.option")

    # --- population

    def population(self) -> PopulationPart:
        ctx, t, data = self.ctx, self.t, self.ctx.data
        charts = []
        for indicator_id in (POPULATION_INDICATOR, SHARE_80_PLUS_INDICATOR):
            if indicator_id not in {i.id for i in data.catalog.indicators} or not data.has_data(indicator_id):
                continue
            chart = trend_chart(
                ctx,
                data.indicator(indicator_id),
                self.region,
                with_county=not self.county_is_self,
                chart_id=f"fs-trend-{indicator_id.lower()}",
            )
            if chart is not None:
                charts.append(chart)
        if not data.has_data(POPULATION_INDICATOR):
            return PopulationPart(t("factsheet.population.label_no_year"), None, None, None, charts)
        row = data.row(POPULATION_INDICATOR, self.region.code)
        year = row.measure.year
        if year is None:
            return PopulationPart(t("factsheet.population.label_no_year"), None, None, None, charts)
        label = t("factsheet.population.label", year=year)
        if row.measure.value is None:
            return PopulationPart(label, None, None, None, charts)
        return PopulationPart(
            label=label,
            value=count_text(row.measure.value, t),
            change=self.population_change(year),
            trend=trend_text(ctx, row),
            charts=charts,
        )

    def population_change(self, last_year: int) -> str | None:
        """The change over the trend charts' years, from the same rows as the chart; None without both ends."""
        data, t = self.ctx.data, self.t
        years = [y for y in data.tables.years(POPULATION_INDICATOR) if y <= last_year][-TREND_YEARS:]
        if len(years) < 2:
            return None
        first = data.row(POPULATION_INDICATOR, self.region.code, years[0])
        last = data.row(POPULATION_INDICATOR, self.region.code, years[-1])
        if first.measure.value is None or last.measure.value is None or first.measure.value == 0:
            return None
        change = last.measure.value - first.measure.value
        percent = 100.0 * change / first.measure.value
        text = t(
            "factsheet.population.change",
            first_year=years[0],
            last_year=years[-1],
            change=_signed(count_text(change, t), change),
            percent=_signed(t.number(percent, 1), percent),
        )
        estimated = any(
            row.measure.harmonisation is Harmonisation.ESTIMATED or Flag.ESTIMATED in row.measure.flags
            for row in (first, last)
        )
        return text + (" " + t("factsheet.population.estimated") if estimated else "")

    # --- peers, sources, caveats, download rows

    def peers_text(self) -> str | None:
        data, t = self.ctx.data, self.t
        year = data.latest_year(POPULATION_INDICATOR)
        if year is None:
            return None
        try:
            codes = data.tables.similar(self.region.code, year)
        except ValueError:
            return t("factsheet.peers.none")
        names = [data.regions[code].name for code in codes if code in data.regions]
        if not names:
            return t("factsheet.peers.none")
        return t("factsheet.peers", year=year, names=join_names(names, t))

    def sources(self, sections: list[Section]) -> list[SourceGroup]:
        groups: dict[tuple[SourceLine, ...], SourceGroup] = {}
        population = self.ctx.data.row(POPULATION_INDICATOR, self.region.code) if self._has_population() else None
        entries = [(line.indicator, line.year) for section in sections for line in section.lines]
        if population is not None and population.measure.value is not None and population.year is not None:
            entries.insert(0, (population.indicator, population.year))
        for indicator, year in entries:
            lines = tuple(source_lines(self.ctx, indicator, self.region.code, year))
            group = groups.setdefault(lines, SourceGroup(lines, []))
            group.indicators.append(f"{indicator.short_name.get(self.ctx.language)} ({year})")
        return list(groups.values())

    def caveats(self, sections: list[Section]) -> list[str]:
        seen: dict[str, None] = {}
        for section in sections:
            for line in section.lines:
                for caveat in line.indicator.caveats:
                    seen.setdefault(caveat.get(self.ctx.language), None)
        return list(seen)

    def records(self, sections: list[Section]) -> list[dict[str, Any]]:
        """Tidy rows of every figure on the sheet (one per indicator and benchmark), as the downloads hold them."""
        rows: list[IndicatorRow] = []
        if self._has_population():
            rows.append(self.ctx.data.row(POPULATION_INDICATOR, self.region.code))
        for section in sections:
            for line in section.lines:
                rows.append(line.row)
                rows.extend(cell.row for cell in line.cells if cell.row is not line.row)
        records = []
        for row in rows:
            record = row.as_dict()
            record["indicator_name"] = row.indicator.name.get(self.ctx.language)
            records.append(record)
        return records

    def _has_population(self) -> bool:
        data = self.ctx.data
        return any(i.id == POPULATION_INDICATOR for i in data.catalog.indicators) and data.has_data(
            POPULATION_INDICATOR
        )


def _signed(text: str, number: float) -> str:
    """ "+12 345" for a rise; a fall keeps its minus sign; no sign for zero."""
    return f"+{text}" if round(number, 1) > 0 else text


__all__ = [
    "BENCHMARKS",
    "SECTIONS",
    "BenchmarkCell",
    "FactSheet",
    "Group",
    "IndicatorLine",
    "MissingValue",
    "PopulationPart",
    "Section",
    "SectionSpec",
    "SourceGroup",
    "build_fact_sheet",
    "fact_sheet_region",
    "join_names",
]
