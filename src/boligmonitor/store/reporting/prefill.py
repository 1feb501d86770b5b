"""The official figures of a form's prefilled statistics, read from the monitor's store when a draft is opened.

Each figure is kept with the answer as it was read (indicator, year, value, SSB status, unit, dataset and the
data version that wrote it), so the form shows what the municipality saw even after a later build changes the
statistics. Where the store has a row without a value the figure is *not published* (its status says why);
where it has no row at all it is *not loaded*: the form says which, and the municipality may give its own figure.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from boligmonitor.catalog.reporting import Form, PrefilledStatisticQuestion
from boligmonitor.core.status import Status
from boligmonitor.store import schema
from boligmonitor.store.reporting.models import FigureState, OfficialFigure


def current_data_version(connection: Connection) -> int | None:
    """The newest committed data version of the statistics, or None before the first build."""
    latest: int | None = connection.scalar(select(func.max(schema.data_version.c.id)))
    return latest


def official_figures(connection: Connection, form: Form, municipality_code: str) -> dict[str, OfficialFigure]:
    """The official figure of every prefilled statistic of ``form`` for the municipality, by question id."""
    wanted = {
        entry.question.id: (entry.question.indicator, entry.question.year or form.year)
        for entry in form.entries()
        if isinstance(entry.question, PrefilledStatisticQuestion)
    }
    if not wanted:
        return {}
    table = schema.observation
    indicators = sorted({indicator for indicator, _ in wanted.values()})
    query = select(
        table.c.indicator_id,
        table.c.year,
        table.c.value,
        table.c.status,
        table.c.unit,
        table.c.dataset_id,
        table.c.data_version,
    ).where(table.c.region_code == municipality_code, table.c.indicator_id.in_(indicators))
    rows = {(row.indicator_id, int(row.year)): row for row in connection.execute(query)}
    figures: dict[str, OfficialFigure] = {}
    for question_id, (indicator, year) in wanted.items():
        row = rows.get((indicator, year))
        if row is None:
            figures[question_id] = OfficialFigure(indicator, year, FigureState.NOT_LOADED, None, None, None, None, None)
            continue
        published = row.value is not None and Status(row.status).has_value
        figures[question_id] = OfficialFigure(
            indicator=indicator,
            year=year,
            state=FigureState.PUBLISHED if published else FigureState.NOT_PUBLISHED,
            value=row.value if published else None,
            status=row.status,
            unit=row.unit,
            dataset=row.dataset_id,
            data_version=row.data_version,
        )
    return figures


__all__ = ["current_data_version", "official_figures"]
