"""Downloads of what a page shows: CSV, XLSX, JSON and JSON-stat 2.0, from one tidy table.

Each page builds a :class:`Download` with the rows it shows (one row per indicator, region and year, or per
category for the front page). The four formats are made from that one table, so the files cannot disagree
with each other or with the page.

The CSV comes in two styles (:data:`CsvStyle`): ``standard`` (comma, decimal point, full precision: for
programs) and ``excel_nb``, "CSV for Excel (norsk)" (semicolon, decimal comma, numbers rounded to each
indicator's published decimals: what Excel with Norwegian settings opens in columns). Full precision stays in
JSON, JSON-stat and XLSX. JSON-stat holds only the table's cells: sparse when the table does not fill the cube.
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.xml.functions import tostring

from boligmonitor.core.status import Status
from boligmonitor.sources.cube import Cube, Dimension
from boligmonitor.sources.readers.jsonstat import write_jsonstat

FORMATS = ("csv", "xlsx", "json", "jsonstat")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "jsonstat": "application/json",
}
# A spreadsheet evaluates a cell whose text starts with one of these (OWASP's CSV-injection rule): '=HYPERLINK(…)'
# in a data set's name must arrive as text, never as a live formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The CSV's two styles: for programs, and for Excel with Norwegian settings (semicolon, decimal comma).
CsvStyle = Literal["standard", "excel_nb"]
CSV_STYLES: tuple[CsvStyle, ...] = ("standard", "excel_nb")
# In the Norwegian CSV these columns are rounded to the row's indicator's published decimals; other decimal
# numbers (counts after harmonisation, ratios, model scores) to at most OTHER_DECIMALS, trailing zeros dropped.
ROUNDED_AS_INDICATOR = ("value", "ci_low", "ci_high", "benchmark_value")
OTHER_DECIMALS = 3
# Dimensions of a JSON-stat download, in this order, when the table has them.
CUBE_DIMENSIONS = ("indicator", "region", "year")
# Where each value came from (web/synthetic.py): added as the last column when the rows carry it; SYNTHETIC first
# for a value a fake test server made up. JSON-stat lists the sources in its note and extension.
SOURCE_COLUMN = "source"
SYNTHETIC_WORD = "SYNTHETIC"
# The XLSX document properties' member, and the dates of a table without a data version (the ZIP format's
# first and last possible times bound the others).
_CORE_PROPERTIES = "docProps/core.xml"
_FIXED_TIME = datetime(1980, 1, 1)
_LAST_ZIP_TIME = datetime(2107, 12, 31, 23, 59, 58)


@dataclass(frozen=True)
class Download:
    """A page's data as a tidy table: ``columns`` in order, each row a mapping of column to value."""

    name: str  # file name without suffix, e.g. "boligmonitor-0301-eldre_og_bolig"
    title: str
    columns: Sequence[str]
    rows: Sequence[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)  # data version, language, page URL …
    # When the data were made (the data version's time): the XLSX file's own dates, so that one table gives
    # the same bytes whenever it is written (strong ETags stay honest). None: a fixed date.
    created: datetime | None = None
    # Which CSV the ``csv`` format gives, and each indicator's published decimals (indicator id -> decimals)
    # for the Norwegian style's rounding.
    csv_style: CsvStyle = "standard"
    decimals: dict[str, int] = field(default_factory=dict)

    @property
    def formats(self) -> tuple[str, ...]:
        """The download formats this table can be given in: JSON-stat needs values over indicator, region or
        year dimensions (a list of data sources or a ranking is not a cube) and at least one row with a place
        in them (a table of indicators without any values, hence without a year, has no cell)."""
        dimensions = [d for d in CUBE_DIMENSIONS if d in self.columns]
        cube = "value" in self.columns and bool(dimensions) and any(_in_cube(row, dimensions) for row in self.rows)
        return FORMATS if cube else tuple(fmt for fmt in FORMATS if fmt != "jsonstat")


def columns_of(download: Download) -> list[str]:
    """The download's columns, with :data:`SOURCE_COLUMN` last when a row names its source and the page's
    columns do not already hold it."""
    columns = list(download.columns)
    if SOURCE_COLUMN not in columns and any(row.get(SOURCE_COLUMN) for row in download.rows):
        columns.append(SOURCE_COLUMN)
    return columns


def _in_cube(row: dict[str, Any], dimensions: Sequence[str]) -> bool:
    """Whether the row has a place in the cube: a code in every dimension (a missing year has none)."""
    return all(row.get(d) is not None for d in dimensions)


def to_csv(download: Download) -> bytes:
    """UTF-8 with a byte-order mark, so Excel in Norway opens æøå correctly; comma-separated, one header row, CRLF
    line ends (RFC 4180: a field holding a line break or carriage return is then quoted)."""
    buffer = io.StringIO()
    columns = columns_of(download)
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in download.rows:
        writer.writerow({column: _csv_safe(_cell_text(row.get(column))) for column in columns})
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_csv_excel_nb(download: Download) -> bytes:
    """ "CSV for Excel (norsk)": UTF-8 with a byte-order mark, semicolon-separated, CRLF line ends, decimal comma,
    numbers rounded to the indicator's published decimals (:data:`ROUNDED_AS_INDICATOR`), no thousands
    separator (Excel would read "1 234" as text); missing is an empty field. Text is neutralised as in
    :func:`to_csv`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    columns = columns_of(download)
    writer.writerow(columns)
    for row in download.rows:
        indicator = row.get("indicator")
        decimals = download.decimals.get(indicator) if isinstance(indicator, str) else None
        writer.writerow(
            [
                _excel_nb_text(row.get(column), decimals if column in ROUNDED_AS_INDICATOR else None)
                for column in columns
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _excel_nb_text(value: Any, decimals: int | None) -> str:
    """One field of the Norwegian CSV: a number with a decimal comma, rounded; text neutralised; missing empty."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _csv_safe(_cell_text(value))
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return ""
    places = OTHER_DECIMALS if decimals is None else decimals
    text = f"{value:.{places}f}"
    if decimals is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-")  # "-0,0" is zero
    return text.replace(".", ",")


def to_xlsx(download: Download) -> bytes:
    """The table as a workbook (sheets "data" and "om"), byte-identical for one table: its document dates are
    :attr:`Download.created` and every file in the archive carries that time, never the time of writing."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    columns = columns_of(download)
    sheet.append(columns)
    for row in download.rows:
        sheet.append([_xlsx_safe(sheet, _cell_value(row.get(column))) for column in columns])
    about = workbook.create_sheet("om")
    about.append(["title", _xlsx_safe(about, download.title)])
    for key, value in download.meta.items():
        about.append([key, _xlsx_safe(about, _cell_text(value))])
    stamp = _stamp(download.created)
    workbook.properties.created = stamp
    buffer = io.BytesIO()
    workbook.save(buffer)  # sets "modified" to now: rewritten below
    workbook.properties.modified = stamp
    return _with_fixed_times(buffer.getvalue(), stamp, {_CORE_PROPERTIES: tostring(workbook.properties.to_tree())})


def _stamp(created: datetime | None) -> datetime:
    """A naive UTC time (what openpyxl writes) within the ZIP format's range (1980–2107), whole seconds."""
    if created is None:
        return _FIXED_TIME
    if created.tzinfo is not None:
        created = created.astimezone(UTC).replace(tzinfo=None)
    return min(max(created, _FIXED_TIME), _LAST_ZIP_TIME).replace(microsecond=0)


def _with_fixed_times(archive: bytes, stamp: datetime, replaced: dict[str, bytes]) -> bytes:
    """The ZIP ``archive`` again, every member dated ``stamp`` (zipfile dates them by the clock) and the
    members named in ``replaced`` given those contents; order, names and compression kept."""
    out = io.BytesIO()
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=date_time)
            info.compress_type = member.compress_type
            info.external_attr = member.external_attr
            info.create_system = member.create_system
            target.writestr(info, replaced.get(member.filename, source.read(member)))
    return out.getvalue()


def to_json(download: Download) -> dict[str, Any]:
    return {
        "title": download.title,
        "meta": download.meta,
        "columns": columns_of(download),
        "rows": [{column: _json_value(row.get(column)) for column in columns_of(download)} for row in download.rows],
    }


def to_jsonstat(download: Download) -> dict[str, Any]:
    """A JSON-stat 2.0 dataset over the table's indicator × region × year, with status symbols kept."""
    dimension_ids = [d for d in CUBE_DIMENSIONS if d in download.columns]
    if not dimension_ids or "value" not in download.columns:
        raise ValueError(f"{download.name}: no indicator/region/year table to express as JSON-stat")
    categories: dict[str, dict[str, str]] = {d: {} for d in dimension_ids}
    labels = {"indicator": "indicator_name", "region": "region_name"}
    cells = [row for row in download.rows if _in_cube(row, dimension_ids)]
    outside = [row for row in download.rows if not _in_cube(row, dimension_ids)]
    if not cells:
        raise ValueError(f"{download.name}: no row has a place in an indicator/region/year cube")
    for row in cells:
        for d in dimension_ids:
            code = str(row[d])
            label_column = labels.get(d)
            categories[d].setdefault(code, str(row.get(label_column) or code) if label_column else code)
    dimensions = [
        Dimension(
            id=d,
            label=d,
            codes=tuple(categories[d]),
            labels=tuple(categories[d].values()),
            role={"region": "geo", "year": "time"}.get(d),
        )
        for d in dimension_ids
    ]
    sizes = [dimension.size for dimension in dimensions]
    positions = [{code: i for i, code in enumerate(dimension.codes)} for dimension in dimensions]
    values: list[float | None] = [None] * math.prod(sizes)
    status: dict[int, Status] = {}
    asked: set[int] = set()
    for row in cells:
        flat = 0
        for d, size, position in zip(dimension_ids, sizes, positions, strict=True):
            flat = flat * size + position[str(row[d])]
        asked.add(flat)
        value = row.get("value")
        values[flat] = float(value) if isinstance(value, int | float) and math.isfinite(value) else None
        symbol = row.get("status")
        if symbol:
            status[flat] = Status(symbol)
        elif values[flat] is None:
            status[flat] = Status.MISSING
    cube = Cube(dimensions=dimensions, values=values, status=status, label=download.title, source="boligmonitor")
    document = write_jsonstat(cube)
    if len(asked) < len(values):
        # Only the cells the page shows: 'value' and 'status' as objects keyed by flat index (JSON-stat 2.0's
        # sparse form), so a combination nobody asked for is absent rather than filled with "..".
        document["value"] = {str(flat): values[flat] for flat in sorted(asked) if values[flat] is not None}
        document["status"] = {str(flat): status[flat].value for flat in sorted(asked) if flat in status}
        if not document["status"]:
            del document["status"]
    extension = document.setdefault("extension", {})
    extension["boligmonitor_meta"] = download.meta
    _add_sources(document, extension, cells)
    if outside:
        # Rows with no year at all (an indicator without any values) have no cell in a cube; they are listed.
        extension["boligmonitor_without_cell"] = [
            {column: row.get(column) for column in ("indicator", "region", "status", "note") if column in row}
            for row in outside
        ]
    return document


def _add_sources(document: dict[str, Any], extension: dict[str, Any], cells: Sequence[dict[str, Any]]) -> None:
    """The sources of the cube's cells: each cell's source in the extension (by indicator, region and year), the
    distinct ones in the dataset's ``note``, and a SYNTHETIC warning first when any is made up."""
    by_cell = [
        {**{d: row.get(d) for d in CUBE_DIMENSIONS if d in row}, SOURCE_COLUMN: row[SOURCE_COLUMN]}
        for row in cells
        if row.get(SOURCE_COLUMN)
    ]
    if not by_cell:
        return
    sources = sorted({str(cell[SOURCE_COLUMN]) for cell in by_cell})
    extension["boligmonitor_sources"] = by_cell
    extension["boligmonitor_synthetic"] = any(source.startswith(SYNTHETIC_WORD) for source in sources)
    notes = list(document.get("note") or [])
    if extension["boligmonitor_synthetic"]:
        notes.append(f"{SYNTHETIC_WORD}: made-up test data from fake test servers, not statistics.")
    notes.extend(f"Source: {source}" for source in sources)
    document["note"] = notes


def to_bytes(download: Download, fmt: str) -> bytes:
    if fmt == "csv":
        return to_csv_excel_nb(download) if download.csv_style == "excel_nb" else to_csv(download)
    if fmt == "xlsx":
        return to_xlsx(download)
    if fmt == "json":
        return json.dumps(to_json(download), ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "jsonstat":
        return json.dumps(to_jsonstat(download), ensure_ascii=False).encode("utf-8")
    raise ValueError(f"unknown download format {fmt!r}")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | frozenset | set):
        return ";".join(str(item) for item in value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    return str(value)


def _would_be_evaluated(text: str) -> bool:
    """Text a spreadsheet would take as a formula; a plain number ("-2.5") is a number, not a formula."""
    if not text.startswith(FORMULA_STARTS):
        return False
    try:
        return not math.isfinite(float(text))
    except ValueError:
        return True


def _csv_safe(text: str) -> str:
    """OWASP's neutralisation: a leading apostrophe makes Excel and LibreOffice show the text as text."""
    return "'" + text if _would_be_evaluated(text) else text


def _xlsx_safe(sheet: Any, value: Any) -> Any:  # sheet: openpyxl's write-only worksheet
    """Text that openpyxl would write as a formula ("=…") is written as a string cell instead."""
    if not isinstance(value, str) or not _would_be_evaluated(value):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _cell_value(value: Any) -> Any:
    if value is None or isinstance(value, int | float | str):
        return None if isinstance(value, float) and not math.isfinite(value) else value
    return _cell_text(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, frozenset | set | tuple):
        return sorted(value) if isinstance(value, frozenset | set) else list(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


__all__ = [
    "CSV_STYLES",
    "FORMATS",
    "MEDIA_TYPES",
    "SOURCE_COLUMN",
    "CsvStyle",
    "Download",
    "columns_of",
    "to_bytes",
    "to_csv",
    "to_csv_excel_nb",
    "to_json",
    "to_jsonstat",
    "to_xlsx",
]
