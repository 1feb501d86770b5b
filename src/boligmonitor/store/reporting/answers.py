"""Answers to and from rows of the ``answer`` table, inside the caller's transaction.

A prefilled statistic's row is made when the draft is opened, with the official figure; later writes change only
the municipality's columns of it (number, comment, origin), never the official ones.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from boligmonitor.catalog.reporting import FigureOrigin
from boligmonitor.store.reporting.models import Answer, AnswerInput, FigureState, OfficialFigure
from boligmonitor.store.reporting.tables import answer

_OFFICIAL_COLUMNS = (
    "official_indicator",
    "official_year",
    "official_state",
    "official_value",
    "official_status",
    "official_unit",
    "official_dataset",
    "official_data_version",
)


def read_answers(connection: Connection, report_id: int) -> dict[str, Answer]:
    query = select(answer).where(answer.c.report_id == report_id).order_by(answer.c.question_id)
    return {row.question_id: answer_from_row(row) for row in connection.execute(query)}


def answer_from_row(row: Row[Any]) -> Answer:
    official = None
    if row.official_indicator is not None:
        official = OfficialFigure(
            indicator=row.official_indicator,
            year=row.official_year,
            state=FigureState(row.official_state),
            value=row.official_value,
            status=row.official_status,
            unit=row.official_unit,
            dataset=row.official_dataset,
            data_version=row.official_data_version,
        )
    return Answer(
        question_id=row.question_id,
        number=row.number,
        text=row.text,
        choices=tuple(json.loads(row.choices)) if row.choices is not None else None,
        yes_no=row.yes_no,
        scale=row.scale,
        comment=row.comment,
        origin=FigureOrigin(row.origin) if row.origin is not None else None,
        official=official,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def insert_official_figures(
    connection: Connection, report_id: int, figures: Mapping[str, OfficialFigure], *, by: str, at: datetime
) -> None:
    """The rows of a new draft's prefilled statistics, each with its official figure and nothing of the
    municipality's yet."""
    rows = [
        {
            "report_id": report_id,
            "question_id": question_id,
            **_empty_municipal_values(),
            "origin": _origin(None, figure),
            **_official_values(figure),
            "updated_at": at,
            "updated_by": by,
        }
        for question_id, figure in figures.items()
    ]
    if rows:
        connection.execute(insert(answer), rows)


def write_answers(
    connection: Connection,
    report_id: int,
    given: Mapping[str, AnswerInput],
    *,
    existing: Mapping[str, Answer],
    by: str,
    at: datetime,
) -> None:
    """Write ``given`` (checked, cleaned answers): an empty input clears an answer; a prefilled statistic's row
    keeps its official figure."""
    inserts: list[dict[str, Any]] = []
    for question_id, value in given.items():
        current = existing.get(question_id)
        official = current.official if current is not None else None
        where = (answer.c.report_id == report_id) & (answer.c.question_id == question_id)
        if value.is_empty() and official is None:
            if current is not None:
                connection.execute(delete(answer).where(where))
            continue
        values = {
            **_municipal_values(value),
            "origin": _origin(value.number, official),
            "updated_at": at,
            "updated_by": by,
        }
        if current is None:
            inserts.append({"report_id": report_id, "question_id": question_id, **values, **_official_values(None)})
        else:
            connection.execute(update(answer).where(where).values(**values))
    if inserts:
        connection.execute(insert(answer), inserts)


def snapshot_json(answers: Mapping[str, Answer]) -> str:
    """Every answer as canonical JSON, for a kept version."""
    document = {question_id: answers[question_id].as_json() for question_id in sorted(answers)}
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def officials_of(answers: Mapping[str, Answer]) -> dict[str, OfficialFigure]:
    return {question_id: found.official for question_id, found in answers.items() if found.official is not None}


def _origin(number: float | None, official: OfficialFigure | None) -> str | None:
    if official is None:
        return None
    published = official.state is FigureState.PUBLISHED
    if number is None:
        return FigureOrigin.OFFICIAL.value if published else None
    return (FigureOrigin.CORRECTION if published else FigureOrigin.SELF_REPORTED).value


def _municipal_values(value: AnswerInput) -> dict[str, Any]:
    return {
        "number": value.number,
        "text": value.text,
        "choices": json.dumps(list(value.choices), ensure_ascii=False) if value.choices is not None else None,
        "yes_no": value.yes_no,
        "scale": value.scale,
        "comment": value.comment,
    }


def _empty_municipal_values() -> dict[str, Any]:
    return _municipal_values(AnswerInput())


def _official_values(figure: OfficialFigure | None) -> dict[str, Any]:
    if figure is None:
        return dict.fromkeys(_OFFICIAL_COLUMNS)
    return {
        "official_indicator": figure.indicator,
        "official_year": figure.year,
        "official_state": figure.state.value,
        "official_value": figure.value,
        "official_status": figure.status,
        "official_unit": figure.unit,
        "official_dataset": figure.dataset,
        "official_data_version": figure.data_version,
    }


__all__ = [
    "answer_from_row",
    "insert_official_figures",
    "officials_of",
    "read_answers",
    "snapshot_json",
    "write_answers",
]
