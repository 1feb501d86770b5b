"""One indicator for one region as the pages show it: an indicator card.

A card holds the value in the chosen display (andel, antall or forholdstall), the count and denominator, the
interval, the comparison with the chosen benchmark in words and shape, the recent trend, a sparkline, and
the metadata behind the "?" (definition, numerator, denominator, source table with link, last update and
caveats). A missing value says why; it is never shown as zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from boligmonitor.analysis.benchmark_comparison import Comparison
from boligmonitor.analysis.indicator_tables import Benchmark, IndicatorRow
from boligmonitor.analysis.measures import (
    COUNT_UNIT,
    NO_INTERVAL_PUBLISHED,
    NO_INTERVAL_RATIO_ABOVE_WHOLE,
    Measure,
    has_interval,
    ratio_to_benchmark,
)
from boligmonitor.analysis.peers import MAX_MISSING_SHARE, BenchmarkKind
from boligmonitor.catalog.models import Indicator
from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import NORWAY, RegionLevel
from boligmonitor.core.status import STATUS_MEANING, Status
from boligmonitor.store import DatasetRow
from boligmonitor.web.charts import LinePoint, sparkline
from boligmonitor.web.context import BENCHMARK_WORDS, Display, PageContext
from boligmonitor.web.downloads import SOURCE_COLUMN
from boligmonitor.web.present.age import older_text
from boligmonitor.web.present.coverage import Absence, absence
from boligmonitor.web.present.display import (
    display_text,
    effective_benchmark,
    effective_display,
    interval_in_display,
)
from boligmonitor.web.present.formatting import counts_text, interval_text, ratio_text, value_text
from boligmonitor.web.present.sources import dataset_publisher, dataset_title
from boligmonitor.web.synthetic import is_synthetic, source_text, title_without_mark

# The publisher `boligmonitor import` records for a user's own file (pipeline/importer.py).
IMPORTED = "import"


@dataclass(frozen=True)
class SourceLine:
    publisher: str
    table: str | None
    title: str | None
    url: str | None
    fetched: str | None  # formatted date of the fetch, from the stored dataset
    updated: str | None  # the publisher's own "updated" stamp when known
    evidence: str | None = None  # how sure the recipe is of the table, in plain words (None: verified)
    dataset: str | None = None  # the stored dataset this very value was read from (None: a catalogue source only)
    synthetic: bool = False  # the value was made up by a fake test server: the title starts with the page's mark


@dataclass
class Card:
    indicator: Indicator
    row: IndicatorRow
    name: str
    short_name: str
    year: int | None
    older: str | None  # "eldre tall (2014)": the value is more than three years before its theme's newest
    headline: str  # the value in the chosen display, with unit
    headline_label: str
    value: str
    counts: str | None  # "1 234 av 10 000 personer"
    interval: str | None  # in the unit of the headline (antall: persons; forholdstall: the benchmark = 100)
    comparison: str  # Comparison value, or "no_value"
    comparison_text: str
    benchmark_text: str | None
    ratio: str | None
    trend_text: str | None
    sparkline: Markup | None
    missing: str | None  # why there is no value, or None
    missing_reason: Absence | None = None  # the same as a code (the theme page groups by it)
    missing_how: str | None = None  # where the page says how a source is loaded, when that is the reason
    notes: list[str] = field(default_factory=list)  # status and flag caveats of this very value
    definition: str = ""
    interval_note: str | None = None  # why the value has no interval, for the "?" panel
    numerator_text: str | None = None
    denominator_text: str | None = None
    caveats: list[str] = field(default_factory=list)
    sources: list[SourceLine] = field(default_factory=list)
    series_url: str = ""
    indicator_url: str = ""
    # The sparkline's numbers, (year, value as written), so the small chart has its table as every chart has.
    spark_table: list[tuple[int, str]] = field(default_factory=list)

    @property
    def has_value(self) -> bool:
        return self.missing is None


def build_card(
    ctx: PageContext,
    indicator: Indicator,
    region: str,
    *,
    chart_id: str,
    theme_id: str | None = None,
    year: int | None = None,
) -> Card:
    """``indicator``'s card for ``region`` in ``year`` (default: its latest year with a value there); its age is
    judged within ``theme_id`` (default: its own theme)."""
    t = ctx.t
    language = ctx.language
    data = ctx.data
    row = data.row(indicator.id, region, year, benchmark=effective_benchmark(ctx, region))
    m = row.measure
    has_value = m.value is not None
    year = m.year if has_value or data.has_data(indicator.id) else None
    reason = None if has_value else absence(data, indicator, data.regions[region], m.status)
    missing = None if reason is None else t(f"missing.{reason.value}")
    benchmark_value = row.benchmark.value if row.benchmark is not None else None
    ratio = ratio_to_benchmark(m.value, benchmark_value)
    benchmark_name = benchmark_label(ctx, row)
    spark, spark_table = _sparkline(ctx, indicator, region, chart_id)
    comparison = row.comparison.value if has_value else "no_value"
    counts = counts_text(indicator, m.count, m.denominator, t, language)
    headline, headline_label = _headline(ctx, indicator, m, ratio)
    low, high, decimals = interval_in_display(ctx, indicator, m, benchmark_value)
    if missing is not None and row.computed_from is not None:
        pooled = coverage_note(ctx, row.computed_from, own=True)
        missing = f"{missing} {pooled}" if pooled else missing
    return Card(
        indicator=indicator,
        row=row,
        name=indicator.name.get(language),
        short_name=indicator.short_name.get(language),
        year=year,
        older=older_text(ctx, theme_id or indicator.theme, year) if has_value else None,
        headline=headline,
        headline_label=headline_label,
        value=value_text(indicator, m.value, t),
        counts=counts,
        interval=interval_text(indicator, low, high, t, decimals=decimals),
        comparison=comparison,
        comparison_text=comparison_text(ctx, row.comparison if has_value else None, benchmark_name, indicator),
        benchmark_text=(
            t("card.benchmark_value", benchmark=benchmark_name, value=value_text(indicator, benchmark_value, t))
            if benchmark_value is not None and region != NORWAY
            else None
        ),
        ratio=ratio_text(ratio, t) if ratio is not None else None,
        trend_text=trend_text(ctx, row),
        sparkline=spark,
        spark_table=spark_table,
        missing=missing,
        missing_reason=reason,
        missing_how=loading_help_url(ctx) if reason is Absence.NOT_LOADED else None,
        notes=value_notes(ctx, row) + [reason for reason in [benchmark_reason(ctx, row)] if reason],
        definition=indicator.definition.get(language),
        interval_note=interval_note(ctx, indicator, m),
        numerator_text=indicator.numerator_text.get(language) if indicator.numerator_text else None,
        denominator_text=indicator.denominator_text.get(language) if indicator.denominator_text else None,
        caveats=[caveat.get(language) for caveat in indicator.caveats],
        sources=source_lines(ctx, indicator, region, m.year),
        series_url=ctx.url(f"/region/{region}/indikator/{indicator.id}", visning=ctx.display.value),
        indicator_url=ctx.url(
            f"/indikator/{indicator.id}",
            marker=region if ctx.data.regions[region].level == RegionLevel.MUNICIPALITY else None,
            visning=ctx.display.value,
        ),
    )


def loading_help_url(ctx: PageContext) -> str:
    """Where /om tells how a source is loaded into an installation (for "not loaded yet")."""
    return ctx.url("/om") + "#laste-inn"


def _headline(ctx: PageContext, indicator: Indicator, m: Measure, ratio: float | None) -> tuple[str, str]:
    """The figure in the chosen display (written as the overview writes it) and what it is."""
    t = ctx.t
    display = effective_display(ctx, indicator)
    if display is Display.RATIO and indicator.unit == COUNT_UNIT:
        # A count has no forholdstall (a municipality's count over Norway's compares nothing): the card shows the
        # count itself under its own label, where the overview's shared forholdstall column says "not for counts".
        return value_text(indicator, m.value, t), t(f"unit.{indicator.unit}.label")
    text = display_text(ctx, indicator, value=m.value, count=m.count, ratio=ratio)
    if display is Display.COUNT:
        return text, t("display.count_of", unit=indicator.count_unit.get(ctx.language))
    if display is Display.RATIO:
        return text, t("display.ratio_label", benchmark=t(f"benchmark.{ctx.benchmark.value}.short"))
    return text, t(f"unit.{indicator.unit}.label")


def benchmark_label(ctx: PageContext, row: IndicatorRow) -> str:
    """ "landet", "Vestland", "KOSTRA-gruppen" … as the comparison sentence names it."""
    kind = row.benchmark.kind if row.benchmark is not None else BenchmarkKind.NORWAY
    if kind is BenchmarkKind.COUNTY and row.benchmark is not None:
        return row.benchmark.label
    return ctx.t(f"benchmark.{kind.value}.short")


def comparison_text(ctx: PageContext, comparison: Comparison | None, benchmark: str, indicator: Indicator) -> str:
    t = ctx.t
    if comparison is None:
        return t("comparison.no_value")
    if comparison is Comparison.NOT_COMPARED:
        if indicator.multiplier is None and indicator.unit == "count":
            reason = "count"
        elif indicator.multiplier is None or not has_interval(indicator.kind):
            # An average, a price or an index (kroner, years, index points), a stock, an authority's number, a
            # projection: no interval to test a difference on -- and not "a count" unless it is one.
            reason = "no_interval"
        else:
            reason = "no_benchmark"
        return t(f"comparison.not_compared.{reason}")
    return t(f"comparison.{comparison.value}", benchmark=benchmark)


def trend_text(ctx: PageContext, row: IndicatorRow) -> str | None:
    trend = row.trend
    if trend is None or not trend.years:
        return None
    years = f"{trend.years[0]}–{trend.years[-1]}"
    return ctx.t(f"trend.{trend.direction}", years=years)


def value_notes(ctx: PageContext, row: IndicatorRow) -> list[str]:
    """The caveats of this value (status, harmonisation, flags, among them ``outlier``), the note its importer wrote
    with it, then how many municipalities its own pooled value (Norway, a county) or its benchmark was computed
    from when some had no figures (the cards add why a benchmark pooled from too few has no value:
    :func:`benchmark_reason`)."""
    t = ctx.t
    m = row.measure
    notes = []
    if m.status not in (Status.OK, Status.MISSING) and m.value is not None:
        notes.append(STATUS_MEANING[m.status][ctx.language])
    if m.harmonisation.value != "original":
        notes.append(t(f"harmonisation.{m.harmonisation.value}"))
    notes.extend(t(f"flag.{flag.value}") for flag in sorted(m.flags))
    if row.note and _imported(ctx, row.indicator.id, row.region.code, m.year) is not None:
        notes.append(t("value_note.own", note=row.note))
    if row.computed_from is not None and m.value is not None:
        notes.append(coverage_note(ctx, row.computed_from, own=True) or "")
    if row.benchmark is not None and row.benchmark.partial and m.value is not None:
        notes.append(coverage_note(ctx, row.benchmark, own=False, name=benchmark_label(ctx, row)) or "")
    return [note for note in notes if note]


def benchmark_reason(ctx: PageContext, row: IndicatorRow) -> str | None:
    """Why the benchmark has no value when the municipalities with figures were too few to pool (those without
    hold 5 % or more of the denominator); None otherwise (also when none of them has counts to pool)."""
    benchmark = row.benchmark
    if benchmark is None or benchmark.value is not None or row.measure.value is None:
        return None
    if benchmark.coverage is None or benchmark.coverage.with_values == 0:
        return None
    return coverage_note(ctx, benchmark, own=False, name=benchmark_label(ctx, row))


def coverage_note(ctx: PageContext, benchmark: Benchmark, *, own: bool, name: str = "") -> str | None:
    """For Norway or a county pooled from its municipalities when some have no figures: "Beregnet fra 334 av 357
    kommuner; 23 uten tall." (``own``: the row's own value) or "Tallet for landet er beregnet fra …" (the
    benchmark ``name``d); when those without figures hold 5 % or more, why there is no value. None when every
    municipality had figures or the value is the publisher's own."""
    coverage = benchmark.coverage
    if coverage is None or coverage.complete:
        return None
    t = ctx.t
    suffix = "" if own else "_benchmark"
    counts = {"benchmark": name, "used": coverage.with_values, "total": coverage.members}
    if benchmark.value is not None:
        return t(f"pooled.partial{suffix}", missing=coverage.without_values, **counts)
    if coverage.with_values == 0:
        return t(f"pooled.none{suffix}", **counts)
    if coverage.missing_share is None or coverage.basis is None:
        return t(f"pooled.unknown_share{suffix}", missing=coverage.without_values, **counts)
    return t(
        f"pooled.too_incomplete{suffix}",
        missing=coverage.without_values,
        share=t("unit.percent.value", number=t.number(coverage.missing_share * 100, 1)),
        basis=t(f"pooled.basis.{coverage.basis}"),
        limit=t("unit.percent.value", number=t.number(MAX_MISSING_SHARE * 100, 0)),
        **counts,
    )


def interval_note(ctx: PageContext, indicator: Indicator, m: Measure) -> str | None:
    """Why a value has no confidence interval, for the card's "?" panel: its kind has none (a stock, a number
    set by an authority, a projection, an amount or average), its counts are not published, or its numerator
    exceeds its denominator. None when it has an interval or no value."""
    if m.value is None or m.interval is not None:
        return None
    t = ctx.t
    if not has_interval(indicator.kind):
        return t(f"interval.none.{indicator.kind.value}")
    if m.method == NO_INTERVAL_RATIO_ABOVE_WHOLE:
        return t("interval.none.ratio_above_whole")
    if m.method == NO_INTERVAL_PUBLISHED:
        return t("interval.none.published")
    return None


def _imported(ctx: PageContext, indicator_id: str, region: str, year: int | None) -> Observation | None:
    """The observation when a user imported it (`boligmonitor import`: its dataset's publisher is "import")."""
    observation = ctx.data.tables.observations(indicator_id).get((region, year)) if year is not None else None
    dataset = ctx.data.dataset_of(observation.dataset_id if observation else None)
    return observation if dataset is not None and dataset.publisher == IMPORTED else None


def source_lines(ctx: PageContext, indicator: Indicator, region: str, year: int | None) -> list[SourceLine]:
    """The catalogue's sources, and the dataset this very value was read from when it is not one of them
    (e.g. FHI's processing of an SSB table): every value can be traced to the file it came from. An imported
    value names the source its row gave (the tidy format's ``source`` column), with the file's title. ``year``
    None (an indicator without any value): the catalogue's sources only."""
    observation = ctx.data.tables.observations(indicator.id).get((region, year)) if year is not None else None
    dataset = ctx.data.dataset_of(observation.dataset_id if observation else None)
    synthetic = is_synthetic(dataset)
    lines = []
    matched = False
    for source in indicator.sources:
        used = dataset is not None and dataset.id == source.dataset
        matched = matched or used
        lines.append(
            SourceLine(
                publisher=source.publisher,
                table=source.table,
                title=_synthetic_title(ctx, dataset) if used and synthetic and dataset else source.table_title,
                url=source.url,
                fetched=ctx.t.date(dataset.fetched_at) if used and dataset and dataset.fetched_at else None,
                updated=dataset.updated if used and dataset else None,
                evidence=evidence_text(ctx, indicator, source.dataset),
                dataset=dataset.id if used and dataset else None,
                synthetic=used and synthetic,
            )
        )
    if dataset is not None and not matched:
        own_source = observation.source_table if observation and dataset.publisher == IMPORTED else None
        lines.append(
            SourceLine(
                publisher=own_source if own_source and own_source != IMPORTED else dataset_publisher(ctx, dataset),
                table=dataset.table,
                title=_synthetic_title(ctx, dataset) if synthetic else dataset_title(ctx, dataset),
                url=None,
                fetched=ctx.t.date(dataset.fetched_at) if dataset.fetched_at else None,
                updated=dataset.updated,
                dataset=dataset.id,
                synthetic=synthetic,
            )
        )
    return lines


def _synthetic_title(ctx: PageContext, dataset: DatasetRow) -> str:
    """A made-up dataset's title as fetched (not the catalogue's title of the real table), after the page's mark:
    "Syntetiske testtall, ikke statistikk (SYNTHETIC) – …"."""
    return f"{ctx.t('synthetic.mark')} – {title_without_mark(dataset.title)}"


def source_column(card: Card) -> str | None:
    """The card's value's source for a download's ``source`` column (SYNTHETIC first when made up); None without
    a stored value."""
    used = [line for line in card.sources if line.dataset is not None]
    texts = [source_text(line.publisher, line.table, line.title, synthetic=line.synthetic) for line in used]
    return "; ".join(texts) or None


def evidence_text(ctx: PageContext, indicator: Indicator, dataset: str) -> str | None:
    """What the recipe's evidence (a maintainer's record) means for a user, in plain words: the table is found
    from its contents at fetch time, or the recipe is not confirmed against the publisher's metadata; None
    when every part reading ``dataset`` is verified (or has no evidence record)."""
    if indicator.recipe is None:
        return None
    evidence = [s.evidence for _, s in indicator.recipe.selections() if s.dataset == dataset and s.evidence]
    if any(e.table == "resolved" for e in evidence):
        return ctx.t("about.evidence.resolved")
    if any(e.summary != "verified" for e in evidence):
        return ctx.t("about.evidence.unconfirmed")
    return None


def _sparkline(
    ctx: PageContext, indicator: Indicator, region: str, chart_id: str
) -> tuple[Markup | None, list[tuple[int, str]]]:
    """The card's small trend chart and its numbers by year; (None, []) with fewer than two values."""
    series = ctx.data.series(indicator.id, region)
    points = [LinePoint(o.year, o.value) for o in series]
    if sum(1 for p in points if p.value is not None) < 2:
        return None, []
    first = next(p for p in points if p.value is not None)
    last = next(p for p in reversed(points) if p.value is not None)
    t = ctx.t
    description = t(
        "chart.sparkline.summary",
        first_year=first.year,
        first=value_text(indicator, first.value, t),
        last_year=last.year,
        last=value_text(indicator, last.value, t),
    )
    chart = sparkline(
        chart_id,
        points,
        title=t("chart.sparkline.title", name=indicator.short_name.get(ctx.language)),
        description=description,
    )
    return chart, [(point.year, value_text(indicator, point.value, t)) for point in points]


def card_record(card: Card) -> dict[str, Any]:
    """The card as a download row: the tidy record plus the benchmark word."""
    record = card.row.as_dict()
    record["indicator_name"] = card.name
    record["display"] = card.headline
    record[SOURCE_COLUMN] = source_column(card)
    return record


def benchmark_word(kind: BenchmarkKind) -> str:
    return BENCHMARK_WORDS.get(kind, "landet")


__all__ = [
    "Card",
    "SourceLine",
    "benchmark_reason",
    "build_card",
    "card_record",
    "comparison_text",
    "coverage_note",
    "interval_note",
    "loading_help_url",
    "source_column",
    "source_lines",
    "trend_text",
    "value_notes",
]
