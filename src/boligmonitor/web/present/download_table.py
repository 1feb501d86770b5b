"""The tidy columns of every indicator download and the metadata a page's download carries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from boligmonitor.web.context import PageContext
from boligmonitor.web.downloads import Download

# The tidy columns of every indicator download, in order (the API's observation fields, plus comparison), in
# three parts so that downloads with other columns (the time series' lines) keep the same names and order.
INDICATOR_COLUMNS = ("indicator", "indicator_name")
VALUE_COLUMNS = (
    "region",
    "region_name",
    "year",
    "value",
    "unit",
    "numerator",
    "denominator",
    "ci_low",
    "ci_high",
    "ci_level",
    "ci_method",
    "status",
    "harmonisation",
    "flags",
    "note",
)
COMPARISON_COLUMNS = (
    "comparison",
    "benchmark",
    "benchmark_region",
    "benchmark_value",
    "ratio_to_benchmark",
    "trend",
)
ROW_COLUMNS = (*INDICATOR_COLUMNS, *VALUE_COLUMNS, *COMPARISON_COLUMNS)


def download(
    ctx: PageContext, name: str, title: str, rows: Sequence[dict[str, Any]], columns: Sequence[str] = ROW_COLUMNS
) -> Download:
    version = ctx.data.version
    meta: dict[str, Any] = {
        "page": ctx.here(),
        "language": ctx.language,
        "data_version": version.id if version else None,
        "data_version_created": version.created_at.isoformat() if version else None,
        "catalog_version": ctx.data.catalog.version,
        "display": ctx.display.value,
        "benchmark": ctx.benchmark.value,
        "note": "Missing values are empty with a status symbol; they are never zero.",
    }
    created = version.created_at if version else None
    return Download(name=name, title=title, columns=columns, rows=list(rows), meta=meta, created=created)


__all__ = ["COMPARISON_COLUMNS", "INDICATOR_COLUMNS", "ROW_COLUMNS", "VALUE_COLUMNS", "download"]
