"""What an indicator is, for the indicator and time-series pages: definition, numerator and denominator,
sources with links and fetch dates, caveats, and the monitor's own status of the indicator (loaded, partial,
no source yet and why). Also the short missing-value words and the comparison icons both pages use."""

from __future__ import annotations

from dataclasses import dataclass

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
    state_reason: str | None  # the build's own words (English, technical)


def about_indicator(ctx: PageContext, indicator: Indicator, region: str = NORWAY, year: int | None = None) -> About:
    """``region`` and ``year`` pick the stored observation whose dataset gives the sources' fetch dates."""
    language = ctx.language
    status = ctx.data.statuses.get(indicator.id)
    return About(
        definition=indicator.definition.get(language),
        numerator=indicator.numerator_text.get(language) if indicator.numerator_text else None,
        denominator=indicator.denominator_text.get(language) if indicator.denominator_text else None,
        reference_time=indicator.reference_time.get(language),
        sources=source_lines(ctx, indicator, region, year if year is not None else 0),
        caveats=[caveat.get(language) for caveat in indicator.caveats],
        state=status.state if status else None,
        state_reason=(status.reason or None) if status else None,
    )


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


__all__ = ["About", "about_indicator", "icon", "icon_sprite", "missing_words"]
