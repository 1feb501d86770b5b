"""The theme page: every indicator of one theme for one region, as cards, with the theme's scope and error
sources (the heart of the monitor)."""

from __future__ import annotations

from boligmonitor.web.context import PageContext
from boligmonitor.web.pages import Page
from boligmonitor.web.present.cards import build_card, card_record
from boligmonitor.web.present.display import benchmark_choices
from boligmonitor.web.present.download_table import download
from boligmonitor.web.present.navigation import region_name, theme_links


def theme_page(ctx: PageContext, code: str, theme_id: str) -> Page:
    data = ctx.data
    region = data.region(code)
    theme = data.theme(theme_id)
    language = ctx.language
    cards = [
        build_card(ctx, indicator, region.code, chart_id=f"spark-{indicator.id}")
        for indicator in data.theme_indicators(theme.id)
    ]
    # Indicators with values first, in catalogue order; those without data after, so the page opens on figures.
    cards.sort(key=lambda card: not card.has_value)
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
            "cards": cards,
            "benchmark_options": benchmark_choices(region),
            "themes": theme_links(ctx, region.code),
            "n_with_value": sum(1 for card in cards if card.has_value),
        },
        download=download(ctx, f"boligmonitor-{region.code}-{theme.id}", title, rows),
        breadcrumbs=[
            (ctx.t("nav.home"), ctx.url("/")),
            (name, ctx.url(f"/region/{region.code}")),
            (theme_name, None),
        ],
    )


__all__ = ["theme_page"]
