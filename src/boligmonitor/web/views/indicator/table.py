"""The indicator page's big table: one row per shown municipality, sortable by links in the column headers.

The table is the bars' and the map's data table, so it carries every number they draw: the value in the chosen
display, its interval, numerator and denominator, the comparison with Norway, status and flags, and why a value
is missing. Cells hold short words; the long explanations are written once below the table.

A row's markup depends only on the data version, the indicator, the year, the display and the language, so
each row is written once (:func:`row_markup`) and a page only orders and joins them: 357 rows through a template
loop cost more than the rest of the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from boligmonitor.analysis.indicator_tables import IndicatorRow
from boligmonitor.catalog.models import Indicator
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.status import STATUS_MEANING, Status
from boligmonitor.web.context import Display, PageContext
from boligmonitor.web.present.formatting import count_text
from boligmonitor.web.present.values import category as chart_category
from boligmonitor.web.views.indicator.about import icon
from boligmonitor.web.views.indicator.display import Shown, has_denominator
from boligmonitor.web.views.indicator.filters import DEFAULT_DESCENDING, IndicatorFilters


@dataclass(frozen=True)
class RowMarkup:
    """One municipality's ``<tr>`` and the short note words it uses (with their long explanation)."""

    html: str
    notes: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SortHeader:
    key: str
    label: str
    url: str
    aria_sort: str | None  # "ascending" | "descending" on the sorted column


def sort_rows(
    rows: Sequence[IndicatorRow], shown: dict[str, Shown], names: dict[str, str], filters: IndicatorFilters
) -> list[IndicatorRow]:
    """Rows in the table's order; a missing value sorts last whichever the direction."""
    if filters.sort == "navn":
        return sorted(
            rows, key=lambda row: (names[row.region.code].casefold(), row.region.code), reverse=filters.descending
        )
    if filters.sort == "nummer":
        return sorted(rows, key=lambda row: row.region.code, reverse=filters.descending)
    with_value = [row for row in rows if shown[row.region.code].value is not None]
    without = [row for row in rows if shown[row.region.code].value is None]
    with_value.sort(key=lambda row: (shown[row.region.code].value or 0.0, row.region.code), reverse=filters.descending)
    without.sort(key=lambda row: names[row.region.code].casefold())
    return with_value + without


def sort_headers(ctx: PageContext, filters: IndicatorFilters, labels: dict[str, str]) -> dict[str, SortHeader]:
    """A link per sortable column: to sort by it, or to reverse it when it is the sorted column already."""
    headers = {}
    for key, label in labels.items():
        current = filters.sort == key
        descending = not filters.descending if current else DEFAULT_DESCENDING[key]
        url = ctx.here(sorter=key, retning="desc" if descending else "asc")
        aria = ("descending" if filters.descending else "ascending") if current else None
        headers[key] = SortHeader(key, label, url, aria)
    return headers


def row_markup(
    ctx: PageContext, indicator: Indicator, row: IndicatorRow, value: Shown, name: str, formatted: str
) -> RowMarkup:
    """The unhighlighted ``<tr>`` of one municipality (see :func:`marked_markup` for the highlighted one)."""
    t = ctx.t
    m = row.measure
    code = row.region.code
    notes = value_notes(
        ctx, value.missing if value.value is None else None, m.value is not None, m.status, m.harmonisation, m.flags
    )
    url = ctx.url(f"/region/{code}/tema/{indicator.theme}", visning=ctx.display.value)
    raw = "" if value.value is None else repr(value.value)
    cells = [
        f'<tr data-code="{code}" data-value="{raw}"><th scope="row"><a class="ds-link" href="{escape(url)}">'
        f"{escape(name)}</a></th><td>{code}</td><td>{escape(formatted)}</td>"
    ]
    if has_denominator(indicator):
        interval = (
            t("value.interval", low=limit_text(ctx, indicator, value.low), high=limit_text(ctx, indicator, value.high))
            if value.low is not None and value.high is not None
            else ""
        )
        count = count_text(m.count, t) if m.count is not None else ""
        denominator = count_text(m.denominator, t) if m.denominator is not None else ""
        category = chart_category(row)
        cells.append(
            f"<td>{escape(interval)}</td><td>{escape(count)}</td><td>{escape(denominator)}</td>"
            f"<td>{icon(category)} {escape(t(f'indicator.cmp.{category}'))}</td>"
        )
    cells.append(f"<td>{escape('; '.join(short for short, _ in notes))}</td></tr>")
    return RowMarkup("".join(cells), tuple(note for note in notes if note[1]))


def value_notes(
    ctx: PageContext,
    missing: str | None,
    has_value: bool,
    status: Status,
    harmonisation: Harmonisation,
    flags: Iterable[Flag],
) -> list[tuple[str, str]]:
    """The short words of a value's caveats, each with its long explanation ("" for a missing-value reason,
    whose explanation the page writes separately): why it is missing, its status, harmonisation and flags."""
    t = ctx.t
    notes: list[tuple[str, str]] = []
    if missing is not None:
        notes.append((missing, ""))
    if has_value and status not in (Status.OK, Status.MISSING):
        meaning = STATUS_MEANING[status][ctx.language]
        notes.append((meaning, t("indicator.note.status", symbol=status.value, meaning=meaning)))
    if harmonisation is not Harmonisation.ORIGINAL:
        kind = harmonisation.value
        notes.append((t(f"indicator.note.harmonisation.{kind}"), t(f"harmonisation.{kind}")))
    for flag in sorted(flags):
        notes.append((t(f"indicator.note.flag.{flag.value}"), t(f"flag.{flag.value}")))
    return notes


def marked_markup(html: str, label: str) -> str:
    """The highlighted variant of a row: a class for the tint and the words "chosen municipality" for
    screen readers (colour is never the only cue)."""
    return html.replace("<tr ", '<tr class="bm-ind-marked" ', 1).replace(
        "</a></th>", f'</a><span class="ds-sr-only"> ({escape(label)})</span></th>', 1
    )


def table_body(rows: Sequence[IndicatorRow], markup: dict[str, RowMarkup], marker: str | None, label: str) -> Markup:
    parts = []
    for row in rows:
        code = row.region.code
        html = markup[code].html
        parts.append(marked_markup(html, label) if code == marker else html)
    return Markup("\n".join(parts))  # noqa: S704 - every text in the rows is escaped in row_markup


def note_key(rows: Sequence[IndicatorRow], markup: dict[str, RowMarkup]) -> list[tuple[str, str]]:
    """The short note words used by ``rows``, each with its long explanation, in alphabetical order."""
    found: dict[str, str] = {}
    for row in rows:
        for short, long in markup[row.region.code].notes:
            found.setdefault(short, long)
    return sorted(found.items())


def limit_text(ctx: PageContext, indicator: Indicator, number: float | None) -> str:
    """An interval limit: the display's number without its unit (the column header says the unit)."""
    decimals = indicator.decimals if ctx.display is Display.SHARE else 1
    return ctx.t.number(number, decimals)


__all__ = [
    "RowMarkup",
    "SortHeader",
    "limit_text",
    "marked_markup",
    "note_key",
    "row_markup",
    "sort_headers",
    "sort_rows",
    "table_body",
    "value_notes",
]
