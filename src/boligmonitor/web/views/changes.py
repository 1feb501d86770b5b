"""`/endringer`: what the last build or refresh changed in figures the monitor already showed.

A publisher may revise a figure for an earlier year; the monitor then shows the new figure flagged as revised
and keeps the earlier one (pipeline/revisions.py). This page lists, for the last refresh, every figure that was
revised, withdrawn (no longer published, or now suppressed) or filled in where a figure was missing, per
indicator and region, with both values; its downloads hold all of them.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from boligmonitor.catalog.models import Indicator
from boligmonitor.store import ObservationChangeRow
from boligmonitor.web.context import PageContext
from boligmonitor.web.pages import Page
from boligmonitor.web.present.download_table import download
from boligmonitor.web.present.formatting import value_text
from boligmonitor.web.present.navigation import region_name
from boligmonitor.web.request_params import bad_request, single

PATH = "/endringer"
SHOWN_ROWS = 500  # the page lists this many; the downloads hold every change
KINDS = ("revised", "withdrawn", "filled")
COLUMNS = (
    "indicator",
    "indicator_name",
    "region",
    "region_name",
    "year",
    "change",
    "previous_value",
    "previous_status",
    "previous_data_version",
    "new_value",
    "new_status",
    "unit",
)
_STATUS_REASON = {":": "missing.suppressed", "..": "missing.not_reported", ".": "missing.not_applicable"}


def changes_page(ctx: PageContext) -> Page:
    data, t = ctx.data, ctx.t
    last = data.changes
    chosen = _chosen_indicator(ctx)
    changes = [] if last is None else [c for c in last.changes if chosen is None or c.indicator_id == chosen.id]
    by_indicator: dict[str, Counter[str]] = {}
    for change in changes:
        by_indicator.setdefault(change.indicator_id, Counter())[change.kind] += 1
    summary = [
        {
            "indicator": data.indicator(indicator_id),
            "name": data.indicator(indicator_id).name.get(ctx.language),
            "url": ctx.url(f"/indikator/{indicator_id}"),
            "only_url": ctx.url(PATH, indikator=indicator_id),
            "counts": [counts[kind] for kind in KINDS],
        }
        for indicator_id, counts in sorted(by_indicator.items())
    ]
    rows = [_row(ctx, change) for change in changes]
    title = t("changes.title")
    return Page(
        "changes.html",
        title,
        {
            "last": last,
            "chosen": chosen,
            "chosen_name": chosen.name.get(ctx.language) if chosen else None,
            "all_url": ctx.url(PATH),
            "kinds": KINDS,
            "totals": [sum(1 for c in changes if c.kind == kind) for kind in KINDS],
            "summary": summary,
            "rows": rows[:SHOWN_ROWS],
            "total_rows": len(rows),
            "shown_rows": min(len(rows), SHOWN_ROWS),
        },
        download=download(
            ctx,
            f"boligmonitor-endringer-{last.version.id}" if last else "boligmonitor-endringer",
            title,
            [row["download"] for row in rows],
            COLUMNS,
        ),
        breadcrumbs=[(t("nav.home"), ctx.url("/")), (title, None)],
    )


def _chosen_indicator(ctx: PageContext) -> Indicator | None:
    wanted = single(ctx.query, "indikator")
    if wanted is None:
        return None
    known = {indicator.id: indicator for indicator in ctx.data.catalog.indicators}
    if wanted not in known:
        raise bad_request("indikator", wanted, ctx.t("changes.indicator_expected"))
    return known[wanted]


def _row(ctx: PageContext, change: ObservationChangeRow) -> dict[str, Any]:
    data, t = ctx.data, ctx.t
    indicator = data.indicator(change.indicator_id)
    region = data.regions.get(change.region_code)
    name = region_name(ctx, region) if region is not None else change.region_code
    return {
        "indicator": indicator.name.get(ctx.language),
        "indicator_url": ctx.url(f"/indikator/{indicator.id}"),
        "region": name,
        "year": change.year,
        "kind": t(f"changes.kind.{change.kind}"),
        "previous": _shown(ctx, indicator, change.previous_value, change.previous_status),
        "new": _shown(ctx, indicator, change.value, change.status),
        "download": {
            "indicator": indicator.id,
            "indicator_name": indicator.name.get(ctx.language),
            "region": change.region_code,
            "region_name": name,
            "year": change.year,
            "change": change.kind,
            "previous_value": change.previous_value,
            "previous_status": change.previous_status,
            "previous_data_version": change.previous_data_version,
            "new_value": change.value,
            "new_status": change.status,
            "unit": indicator.unit,
        },
    }


def _shown(ctx: PageContext, indicator: Indicator, value: float | None, status: str | None) -> str:
    """A value as the pages write it; a missing one says why, never zero."""
    if value is not None:
        return value_text(indicator, value, ctx.t)
    if status is None:
        return ctx.t("changes.no_row")
    return ctx.t(_STATUS_REASON.get(status, "missing.not_loaded"))


__all__ = ["PATH", "SHOWN_ROWS", "changes_page"]
