"""The theme page: the indicators of one theme for one region — the cards with values first, then the indicators
without a value here in one compact list grouped by why (not loaded, not published for this level, not reported,
suppressed) — with the theme's scope and error sources (the heart of the monitor)."""

from __future__ import annotations

from dataclasses import dataclass

from boligmonitor.catalog.models import Indicator
from boligmonitor.web.context import PageContext
from boligmonitor.web.pages import Page
from boligmonitor.web.present.cards import Card, build_card, card_record, loading_help_url
from boligmonitor.web.present.coverage import Absence, Coverage, shown_indicators, theme_coverage
from boligmonitor.web.present.display import benchmark_choices
from boligmonitor.web.present.download_table import download
from boligmonitor.web.present.navigation import region_name, theme_links
from boligmonitor.web.request_params import FIRST_YEAR, LAST_YEAR, parse_year, single


@dataclass(frozen=True)
class AbsenceGroup:
    """The indicators without a value here for one reason: what the reason means, and where to read more."""

    reason: Absence
    heading: str
    text: str
    help_url: str | None  # how a source is loaded, for "not loaded"
    cards: list[Card]


def theme_page(ctx: PageContext, code: str, theme_id: str) -> Page:
    data = ctx.data
    region = data.region(code)
    theme = data.theme(theme_id)
    language = ctx.language
    indicators = shown_indicators(data, theme.id, region)
    years = theme_years(ctx, indicators)
    year = chosen_year(ctx, years)
    cards = [
        build_card(ctx, indicator, region.code, chart_id=f"spark-{indicator.id}", theme_id=theme.id, year=year)
        for indicator in indicators
    ]
    with_value = [card for card in cards if card.has_value]
    # The one count every page tells (latest values); for a chosen year, the cards of that year.
    coverage = theme_coverage(data, theme.id, region) if year is None else Coverage(len(with_value), len(cards))
    name = region_name(ctx, region)
    theme_name = theme.name.get(language)
    title = ctx.t("theme.title", theme=theme_name, region=name)
    rows = [card_record(card) for card in cards]
    return Page(
        "theme.html",
        title,
        {
            "region": region,
            "region_display_name": name,
            "theme": theme,
            "theme_name": theme_name,
            "cards": with_value,
            "absences": absence_groups(ctx, cards),
            "benchmark_options": benchmark_choices(region),
            "themes": theme_links(ctx, region.code),
            "n_with_value": coverage.with_value,
            "n_shown": coverage.shown,
            "years": list(reversed(years)),
            "year": year,
            "year_form_hidden": [
                (key, value) for key, value in ctx.query.items() if key != "ar" and isinstance(value, str)
            ],
        },
        download=download(ctx, f"boligmonitor-{region.code}-{theme.id}", title, rows),
        breadcrumbs=[
            (ctx.t("nav.home"), ctx.url("/")),
            (name, ctx.url(f"/region/{region.code}")),
            (theme_name, None),
        ],
    )


def theme_years(ctx: PageContext, indicators: list[Indicator]) -> list[int]:
    """The years in which some of the theme's indicators have a value (anywhere), ascending: the year picker's."""
    return sorted({year for indicator in indicators for year in ctx.data.tables.years(indicator.id)})


def chosen_year(ctx: PageContext, years: list[int]) -> int | None:
    """``ar``: one of ``years``; None (each indicator's latest year with a value) when not given. A year that
    cannot be read or has no data is a 400 page naming it, in the page's language."""
    text = single(ctx.query, "ar")
    if text is None:
        return None
    if years:
        return parse_year(text, "ar", ctx.t("theme.expected.year", first=years[0], last=years[-1]), years)
    parse_year(text, "ar", ctx.t("error.expected.year", first=FIRST_YEAR, last=LAST_YEAR))
    return None


def absence_groups(ctx: PageContext, cards: list[Card]) -> list[AbsenceGroup]:
    """The cards without a value, grouped by why, in :class:`Absence` order; empty groups left out."""
    groups = []
    for reason in Absence:
        members = [card for card in cards if card.missing_reason is reason]
        if members:
            groups.append(
                AbsenceGroup(
                    reason=reason,
                    heading=ctx.t(f"theme.absence.{reason.value}"),
                    text=ctx.t(f"theme.absence.{reason.value}.text"),
                    help_url=loading_help_url(ctx) if reason is Absence.NOT_LOADED else None,
                    cards=members,
                )
            )
    return groups


__all__ = ["AbsenceGroup", "absence_groups", "chosen_year", "theme_page", "theme_years"]
