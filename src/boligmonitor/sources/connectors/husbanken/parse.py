"""Reading the engine's answers: layouts, data pages and cells, then typed rows of one definition.

Pure functions, no network. Codes come from ``qText`` (it keeps the leading zero: ``"0301"``), numbers from
``qNum``; ``"NaN"`` and ``qIsNull`` cells have no number (husbanken-qlik.md §6.5, §6.10). Unknown keys are ignored:
a live layout carries many more than the recorded one (§9). Structural surprises raise
:class:`~boligmonitor.sources.connectors.husbanken.errors.QlikResponseError` naming the path of the bad member.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from boligmonitor.sources.connectors.husbanken.definitions import CubeDefinition, Dataset, Role
from boligmonitor.sources.connectors.husbanken.errors import QlikResponseError

#: The text Qlik shows for the null bucket of a field, e.g. the year of rows without a date (§6.3).
NULL_TEXT = "-"
#: Key the fake engine in tests/fakeqlik adds to a layout it made up; never sent by Qlik.
SYNTHETIC_MARKER = "boligmonitorSynthetic"


@dataclass(frozen=True, slots=True)
class QlikCell:
    text: str
    number: float | None  # None for "NaN", a missing qNum or a null cell
    is_null: bool = False


class QlikRow(NamedTuple):
    """One hypercube row, kept small: a large cube has hundreds of thousands of rows."""

    keys: tuple[QlikCell, ...]  # the dimension cells, shared between the rows that have the same value
    values: tuple[float | None, ...]  # the measure cells' numbers


@dataclass(frozen=True)
class DataPage:
    top: int
    left: int
    width: int
    height: int
    matrix: list[list[QlikCell]]


@dataclass(frozen=True)
class HypercubeLayout:
    """``result.qLayout.qHyperCube`` of ``GetLayout``: size, column titles, errors and the initial pages."""

    columns: int  # qcx
    rows: int  # qcy
    dimension_titles: tuple[str, ...]
    measure_titles: tuple[str, ...]
    error_code: int | None
    column_errors: tuple[tuple[str, int], ...]  # (column title, qErrorCode) of columns that failed
    pages: list[DataPage]
    synthetic: str | None = None


@dataclass(frozen=True)
class AppLayout:
    """``GetAppLayout``: the app's title and its last reload, the vintage of every value (§1)."""

    title: str | None
    last_reload_text: str | None
    last_reload: datetime | None


@dataclass
class HypercubeData:
    """Everything fetched for one definition: column titles and every row, in the engine's order."""

    definition_id: str
    dimension_titles: tuple[str, ...]
    measure_titles: tuple[str, ...]
    rows: list[QlikRow] = field(default_factory=list)
    synthetic: str | None = None
    _shared: dict[QlikCell, QlikCell] = field(default_factory=dict, repr=False, compare=False)

    def add_matrix(self, matrix: Sequence[Sequence[QlikCell]]) -> None:
        """Append the rows of a page's ``qMatrix``: dimension cells first, then measures (by the titles)."""
        keys = len(self.dimension_titles)
        shared = self._shared
        for row in matrix:
            self.rows.append(
                QlikRow(tuple(shared.setdefault(c, c) for c in row[:keys]), tuple(c.number for c in row[keys:]))
            )

    @classmethod
    def from_layout(cls, definition_id: str, layout: HypercubeLayout) -> HypercubeData:
        """A complete hypercube delivered in the layout's pages alone (as in the recorded response)."""
        data = cls(definition_id, layout.dimension_titles, layout.measure_titles, synthetic=layout.synthetic)
        for page in sorted(layout.pages, key=lambda p: p.top):
            if page.top != len(data.rows):
                raise QlikResponseError(f"{definition_id}: a page starts at row {page.top}, not {len(data.rows)}")
            data.add_matrix(page.matrix)
        if len(data.rows) != layout.rows:
            raise QlikResponseError(
                f"{definition_id}: the layout's pages hold {len(data.rows)} rows of {layout.rows} (qcy)"
            )
        return data


# ------------------------------------------------------------------------------------------------ members


def _member(parent: Any, name: str, where: str) -> Any:
    if not isinstance(parent, Mapping):
        raise QlikResponseError(f"{where}: expected an object")
    if name not in parent:
        raise QlikResponseError(f"{where}.{name}: missing")
    return parent[name]


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise QlikResponseError(f"{where}: expected a list")
    return value


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise QlikResponseError(f"{where}: expected an integer, got {value!r}")
    return value


def _titles(infos: Any, where: str) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
    titles: list[str] = []
    errors: list[tuple[str, int]] = []
    for index, info in enumerate(_list(infos, where)):
        title = _member(info, "qFallbackTitle", f"{where}[{index}]")
        titles.append(str(title))
        error = info.get("qError")
        if isinstance(error, Mapping) and isinstance(error.get("qErrorCode"), int):
            errors.append((str(title), int(error["qErrorCode"])))
    return tuple(titles), tuple(errors)


def read_cell(raw: Any, where: str) -> QlikCell:
    if not isinstance(raw, Mapping):
        raise QlikResponseError(f"{where}: a cell is not an object")
    text = raw.get("qText", "")
    number = raw.get("qNum")
    is_null = raw.get("qIsNull") is True
    if isinstance(number, bool) or not isinstance(number, (int, float)) or is_null:
        value = None  # "NaN" (a string in the engine's JSON), absent, or a null cell
    else:
        value = float(number) if math.isfinite(number) else None
    return QlikCell(text=str(text) if text is not None else "", number=value, is_null=is_null)


def read_page(raw: Any, where: str) -> DataPage:
    area = _member(raw, "qArea", where)
    page = DataPage(
        top=_int(_member(area, "qTop", f"{where}.qArea"), f"{where}.qArea.qTop"),
        left=_int(_member(area, "qLeft", f"{where}.qArea"), f"{where}.qArea.qLeft"),
        width=_int(_member(area, "qWidth", f"{where}.qArea"), f"{where}.qArea.qWidth"),
        height=_int(_member(area, "qHeight", f"{where}.qArea"), f"{where}.qArea.qHeight"),
        matrix=[
            [
                read_cell(cell, f"{where}.qMatrix[{r}][{c}]")
                for c, cell in enumerate(_list(row, f"{where}.qMatrix[{r}]"))
            ]
            for r, row in enumerate(_list(_member(raw, "qMatrix", where), f"{where}.qMatrix"))
        ],
    )
    if len(page.matrix) != page.height:
        raise QlikResponseError(f"{where}: qArea.qHeight is {page.height} but qMatrix has {len(page.matrix)} rows")
    for index, row in enumerate(page.matrix):
        if len(row) != page.width:
            raise QlikResponseError(f"{where}.qMatrix[{index}]: {len(row)} cells, qArea.qWidth is {page.width}")
    return page


def read_layout(result: Any) -> HypercubeLayout:
    """Read the ``result`` of ``GetLayout`` on a hypercube object: ``{"qLayout": {"qHyperCube": …}}``.

    The ``qLayout`` wrapper is required: reading ``result.qHyperCube`` is the mistake atlas made (§2 step 4).
    """
    layout = _member(result, "qLayout", "result")
    cube = _member(layout, "qHyperCube", "result.qLayout")
    where = "result.qLayout.qHyperCube"
    error = cube.get("qError") if isinstance(cube, Mapping) else None
    error_code = error.get("qErrorCode") if isinstance(error, Mapping) else None
    dimension_titles, dimension_errors = _titles(_member(cube, "qDimensionInfo", where), f"{where}.qDimensionInfo")
    measure_titles, measure_errors = _titles(_member(cube, "qMeasureInfo", where), f"{where}.qMeasureInfo")
    # A failed hypercube may come without a size; its error is what matters then.
    failed_without_size = isinstance(error_code, int) and not isinstance(cube.get("qSize"), Mapping)
    size = {"qcx": 0, "qcy": 0} if failed_without_size else _member(cube, "qSize", where)
    pages_raw = cube.get("qDataPages") or []
    marker = layout.get(SYNTHETIC_MARKER)
    return HypercubeLayout(
        columns=_int(_member(size, "qcx", f"{where}.qSize"), f"{where}.qSize.qcx"),
        rows=_int(_member(size, "qcy", f"{where}.qSize"), f"{where}.qSize.qcy"),
        dimension_titles=dimension_titles,
        measure_titles=measure_titles,
        error_code=int(error_code) if isinstance(error_code, int) else None,
        column_errors=dimension_errors + measure_errors,
        pages=[read_page(page, f"{where}.qDataPages[{i}]") for i, page in enumerate(_list(pages_raw, where))],
        synthetic=str(marker) if marker is not None else None,
    )


def read_data_pages(result: Any) -> list[DataPage]:
    """Read the ``result`` of ``GetHyperCubeData``: ``{"qDataPages": [...]}``."""
    pages = _list(_member(result, "qDataPages", "result"), "result.qDataPages")
    return [read_page(page, f"result.qDataPages[{i}]") for i, page in enumerate(pages)]


def read_app_layout(result: Any) -> AppLayout:
    """Read the ``result`` of ``GetAppLayout``: ``qLayout.qTitle`` and ``qLayout.qLastReloadTime``."""
    layout = _member(result, "qLayout", "result")
    if not isinstance(layout, Mapping):
        raise QlikResponseError("result.qLayout: expected an object")
    title = layout.get("qTitle")
    reload_text = layout.get("qLastReloadTime")
    reload_text = str(reload_text) if isinstance(reload_text, str) and reload_text else None
    return AppLayout(
        title=str(title) if isinstance(title, str) else None,
        last_reload_text=reload_text,
        last_reload=parse_reload_time(reload_text),
    )


def parse_reload_time(text: str | None) -> datetime | None:
    """Qlik's ``qLastReloadTime`` (``2026-10-02T05:33:12.345Z``) as an aware UTC datetime; None if unreadable."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# ------------------------------------------------------------------------------------------- typed rows


@dataclass(frozen=True)
class CubeRow:
    """One hypercube row of a definition: its keys as Husbanken wrote them and one value per measure."""

    region: str | None  # KommuneNr qText; None when the definition has a fixed region
    categories: tuple[str, ...]  # the dataset's category code per category field, in field order
    year: int | None  # None: the null bucket "-"
    month: int | None  # None: no month field, or the null bucket
    values: tuple[float | None, ...]
    line: int  # 0-based position in the engine's rows, to name it in a warning

    @property
    def in_null_bucket(self) -> bool:
        return self.year is None

    @property
    def non_zero(self) -> bool:
        return any(value not in (None, 0.0) for value in self.values)


@dataclass
class ParsedRows:
    rows: list[CubeRow]
    problems: list[str]  # rows that could not be read, named


def check_titles(definition: CubeDefinition, dimension_titles: Sequence[str], measure_titles: Sequence[str]) -> None:
    """The columns must be the definition's fields and measure labels, in order (§4: qLabel comes back)."""
    fields = tuple(f.field for f in definition.fields)
    labels = tuple(m.label for m in definition.measures)
    if tuple(dimension_titles) != fields:
        raise QlikResponseError(
            f"{definition.id}: the hypercube's dimensions are {list(dimension_titles)}, not the fields {list(fields)}"
        )
    if tuple(measure_titles) != labels:
        raise QlikResponseError(
            f"{definition.id}: the hypercube's measures are {list(measure_titles)}, not the labels {list(labels)}"
        )


def parse_rows(definition: CubeDefinition, dataset: Dataset, data: HypercubeData) -> ParsedRows:
    """Typed rows of ``data``; rows with an unreadable key are left out and named in ``problems``."""
    check_titles(definition, data.dimension_titles, data.measure_titles)
    category_maps = {
        f.dimension: {c.qlik_text: c.code for d in dataset.dimensions if d.id == f.dimension for c in d.categories}
        for f in definition.fields
        if f.role is Role.CATEGORY
    }
    width = definition.width
    parsed = ParsedRows(rows=[], problems=[])
    for line, row in enumerate(data.rows):
        if len(row.keys) + len(row.values) != width:
            cells = len(row.keys) + len(row.values)
            parsed.problems.append(f"{definition.id} row {line}: {cells} cells, expected {width}")
            continue
        region: str | None = None
        categories: list[str] = []
        year: int | None = None
        month: int | None = None
        problem: str | None = None
        for field_def, cell in zip(definition.fields, row.keys, strict=False):
            text = cell.text.strip()
            if field_def.role is Role.REGION:
                region = text
            elif field_def.role is Role.CATEGORY:
                code = category_maps[field_def.dimension].get(text)
                if code is None:
                    problem = f"{field_def.field} {text!r} is not a known {field_def.dimension} category"
                else:
                    categories.append(code)
            elif field_def.role is Role.YEAR:
                year, problem = _period(cell, 1900, 2200, field_def.field, problem)
            else:
                month, problem = _period(cell, 1, 12, field_def.field, problem)
        if problem is not None:
            parsed.problems.append(f"{definition.id} row {line}: {problem}")
            continue
        if year is not None and definition.has_month and month is None:
            parsed.problems.append(f"{definition.id} row {line}: a year {year} without a month")
            continue
        parsed.rows.append(CubeRow(region, tuple(categories), year, month, row.values, line))
    return parsed


def _period(cell: QlikCell, low: int, high: int, name: str, problem: str | None) -> tuple[int | None, str | None]:
    """A year or month from its cell: None for the null bucket "-", a problem for anything else unreadable."""
    text = cell.text.strip()
    if cell.is_null or text == NULL_TEXT:
        return None, problem
    if text.isdigit() and low <= int(text) <= high:
        return int(text), problem
    return None, problem or f"{name} {text!r} is not a {name} between {low} and {high}"
