"""The tidy columns of every indicator download and the metadata a page's download carries.

``?csv=norsk`` on a page's ``.csv`` sibling gives "CSV for Excel (norsk)" (:func:`csv_style`). A row of an
indicator without any value has no year (None from the tables): empty in every format, never 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from boligmonitor.web.context import PageContext
from boligmonitor.web.downloads import CsvStyle, Download
from boligmonitor.web.request_params import parse_choice, single
from boligmonitor.web.synthetic import with_sources

# ?csv=… on a download: the Norwegian Excel style; without it, the standard CSV.
CSV_PARAMETER = "csv"
CSV_STYLE_WORDS: dict[str, CsvStyle] = {"norsk": "excel_nb", "standard": "standard"}

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
    style = csv_style(ctx)
    return Download(
        name=f"{name}-excel" if style == "excel_nb" else name,
        title=title,
        columns=columns,
        rows=with_sources(ctx.data, rows),
        meta=meta,
        created=created,
        csv_style=style,
        decimals=published_decimals(ctx, rows) if style == "excel_nb" else {},
    )


def csv_style(ctx: PageContext) -> CsvStyle:
    """The CSV style the request asks for (``?csv=norsk``); an unknown word is a 400 naming the parameter."""
    return parse_choice(single(ctx.query, CSV_PARAMETER), CSV_PARAMETER, CSV_STYLE_WORDS, "standard", ctx.t)


def published_decimals(ctx: PageContext, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """The published decimals of each indicator in ``rows`` (indicator id -> decimals), for rounding."""
    decimals: dict[str, int] = {}
    for row in rows:
        indicator = row.get("indicator")
        if isinstance(indicator, str) and indicator not in decimals:
            try:
                decimals[indicator] = ctx.data.catalog.indicator(indicator).decimals
            except KeyError:
                continue  # a row of the user's own data or a ranking variable: the general rounding
    return decimals


__all__ = [
    "COMPARISON_COLUMNS",
    "CSV_PARAMETER",
    "CSV_STYLE_WORDS",
    "INDICATOR_COLUMNS",
    "ROW_COLUMNS",
    "VALUE_COLUMNS",
    "csv_style",
    "download",
    "published_decimals",
]
