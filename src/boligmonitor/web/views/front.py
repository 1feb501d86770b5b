"""The front page: Norway at a glance, the themes, what the monitor is, how to read the indicators, and how
fresh the data are."""

from __future__ import annotations

from typing import Any

from boligmonitor.core.regions import NORWAY
from boligmonitor.web.context import PageContext
from boligmonitor.web.pages import Page
from boligmonitor.web.present.coverage import NATIONWIDE_MUNICIPALITIES, national_coverage
from boligmonitor.web.present.download_table import download
from boligmonitor.web.present.navigation import theme_links
from boligmonitor.web.present.sources import dataset_publisher, dataset_title

FRESHNESS_COLUMNS = ("dataset", "publisher", "title", "table", "fetched_at", "updated", "licence")


def front_page(ctx: PageContext) -> Page:
    data = ctx.data
    freshness: list[dict[str, Any]] = [
        {
            "dataset": dataset.id,
            "publisher": dataset_publisher(ctx, dataset),
            "title": dataset_title(ctx, dataset),
            "table": dataset.table,
            "fetched_at": dataset.fetched_at.isoformat() if dataset.fetched_at else None,
            "fetched_text": ctx.t.date(dataset.fetched_at) if dataset.fetched_at else "–",
            "updated": dataset.updated,
            "licence": dataset.licence,
        }
        for dataset in sorted(data.datasets.values(), key=lambda d: (d.publisher, d.id))
    ]
    coverage = national_coverage(data)
    title = ctx.t("front.title")
    return Page(
        "front.html",
        title,
        {
            "themes": theme_links(ctx, NORWAY),
            "freshness": freshness,
            "coverage": coverage,
            "coverage_text": ctx.t(
                "front.coverage",
                total=coverage.total,
                nationwide=coverage.nationwide,
                threshold=NATIONWIDE_MUNICIPALITIES,
                some=coverage.some,
                one=coverage.one,
                regional=coverage.without_municipalities,
                none=coverage.none,
            ),
            "norway_url": ctx.url(f"/region/{NORWAY}"),
        },
        download=download(ctx, "boligmonitor-datakilder", ctx.t("front.freshness"), freshness, FRESHNESS_COLUMNS),
    )


__all__ = ["front_page"]
