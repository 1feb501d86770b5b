"""About the monitor: what it is, how to read the indicators, methods, sources, the accessibility statement."""

from __future__ import annotations

from boligmonitor.web.context import PageContext
from boligmonitor.web.pages import Page
from boligmonitor.web.present.navigation import themes_in_order


def about_page(ctx: PageContext) -> Page:
    themes = [
        {
            "name": theme.name.get(ctx.language),
            "scope": theme.scope.get(ctx.language),
            "error_sources": theme.error_sources.get(ctx.language),
        }
        for theme in themes_in_order(ctx)
    ]
    return Page(
        "about.html",
        ctx.t("about_page.title"),
        {"themes": themes},
        breadcrumbs=[(ctx.t("nav.home"), ctx.url("/")), (ctx.t("about_page.title"), None)],
    )


__all__ = ["about_page"]
