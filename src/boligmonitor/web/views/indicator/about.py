"""What an indicator is, for the indicator and time-series pages: definition, numerator and denominator,
sources with links, when each was last fetched and last updated by its publisher, whether an SSB recipe is
confirmed against SSB's own metadata, caveats, and the monitor's own status of the indicator (loaded, partial,
no source yet). All in the page's language: the build's technical reasons and the catalogue's maintainer notes
stay out. Also the short missing-value words and the comparison icons both pages use."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from markupsafe import Markup

from boligmonitor.catalog.models import Indicator
from boligmonitor.core.regions import NORWAY
from boligmonitor.core.status import Status
from boligmonitor.web.charts import COMPARISON_CATEGORIES, comparison_marker
from boligmonitor.web.context import PageContext
from boligmonitor.web.present.cards import SourceLine, source_lines

ICON_PREFIX = "bm-i-"


@dataclass(frozen=True)
class About:
    definition: str
    numerator: str | None
    denominator: str | None
    reference_time: str
    sources: list[SourceLine]
    caveats: list[str]
    state: str | None  # loaded | partial | not_loaded | no_source | failed
    recipes: list[str]  # per SSB table: whether the recipe is confirmed against SSB's metadata, in plain words


# A bracketed maintainer's note in a source title ("[title unverified …]") is not for users.
_DEVELOPER_NOTE = re.compile(r"\s*\[[^\]]*\]")


def about_indicator(ctx: PageContext, indicator: Indicator, region: str = NORWAY, year: int | None = None) -> About:
    """``region`` and ``year`` pick the stored observation whose dataset gives the sources' fetch dates; a
    catalogue source the observation did not come from still shows when its own dataset was fetched."""
    language = ctx.language
    status = ctx.data.statuses.get(indicator.id)
    return About(
        definition=indicator.definition.get(language),
        numerator=indicator.numerator_text.get(language) if indicator.numerator_text else None,
        denominator=indicator.denominator_text.get(language) if indicator.denominator_text else None,
        reference_time=indicator.reference_time.get(language),
        sources=_sources(ctx, indicator, region, year),
        caveats=[caveat.get(language) for caveat in indicator.caveats],
        state=status.state if status else None,
        recipes=recipe_confirmation(ctx, indicator),
    )


def _sources(ctx: PageContext, indicator: Indicator, region: str, year: int | None) -> list[SourceLine]:
    """The source lines, each with its dataset's fetch date and the publisher's "updated" date in the page's
    language, and titles without maintainers' notes."""
    lines = source_lines(ctx, indicator, region, year)
    completed = []
    for index, line in enumerate(lines):
        dataset = ctx.data.datasets.get(indicator.sources[index].dataset) if index < len(indicator.sources) else None
        fetched = line.fetched
        if fetched is None and dataset is not None and dataset.fetched_at:
            fetched = ctx.t.date(dataset.fetched_at)
        updated = line.updated if line.updated is not None else (dataset.updated if dataset is not None else None)
        title = _DEVELOPER_NOTE.sub("", line.title).strip() if line.title else None
        completed.append(replace(line, title=title or None, fetched=fetched, updated=_date_text(ctx, updated)))
    return completed


def _date_text(ctx: PageContext, stamp: str | None) -> str | None:
    """The publisher's "updated" stamp (ISO 8601 as JSON-stat and PxWeb write it) as a date in the page's
    language; a stamp that is not a date is left out rather than shown raw."""
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(stamp.strip()[:10]), datetime.min.time())
        except ValueError:
            return None
    return ctx.t.date(moment.date())


def recipe_confirmation(ctx: PageContext, indicator: Indicator) -> list[str]:
    """For each SSB table the recipe reads, in plain words: confirmed against SSB's own metadata, found by its
    contents when fetched, or not yet confirmed (the catalogue's ``RecipeEvidence``)."""
    if indicator.recipe is None:
        return []
    by_table: dict[str, list[str]] = {}
    for _, selection in indicator.recipe.selections():
        evidence = selection.evidence
        if evidence is None:
            continue
        source = next((s for s in indicator.sources if s.dataset == selection.dataset), None)
        table = (source.table if source is not None else None) or selection.dataset
        if evidence.summary != "verified":
            word = "unconfirmed"
        elif evidence.table == "resolved":  # contents verified; the table is found by them when fetched
            word = "resolved"
        else:
            word = "verified"
        by_table.setdefault(table, []).append(word)
    texts = []
    for table, words in by_table.items():
        # The weakest part decides: one unconfirmed part makes the table's recipe unconfirmed.
        word = next(w for w in ("unconfirmed", "resolved", "verified") if w in words)
        texts.append(ctx.t(f"indicator.about.recipe.{word}", table=table))
    return texts


def missing_words(ctx: PageContext, indicator_id: str, status: Status) -> str:
    """Why a value is missing, in a few words (the long form is in the legend below each table)."""
    return ctx.t(f"indicator.missing.{ctx.data.missing_reason(indicator_id, status).value}")


def icon_sprite() -> Markup:
    """One hidden ``<svg>`` with a symbol per comparison category; table rows ``<use>`` them, so 357 rows do
    not repeat the marker's geometry."""
    symbols = "".join(
        f'<symbol id="{ICON_PREFIX}{category}" viewBox="0 0 14 14">{comparison_marker(category, 7, 7, 9)}</symbol>'
        for category in COMPARISON_CATEGORIES
    )
    return Markup(  # noqa: S704 - fixed markup around markers built from numbers and checked categories
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bm-ind-sprite" aria-hidden="true" focusable="false">'
        f"{symbols}</svg>"
    )


def icon(category: str) -> Markup:
    """A decorative icon of a comparison category, referring to the page's sprite."""
    if category not in COMPARISON_CATEGORIES:
        raise ValueError(f"unknown comparison category {category!r}")
    # Short markup on purpose (a table row each): the symbol carries the viewBox; CSS sizes the icon.
    return Markup(f'<svg class="bm-legend-icon" aria-hidden="true"><use href="#{ICON_PREFIX}{category}"/></svg>')  # noqa: S704


__all__ = ["About", "about_indicator", "icon", "icon_sprite", "missing_words", "recipe_confirmation"]
