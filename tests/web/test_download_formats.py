"""The download writers: CSV and XLSX cells that a spreadsheet would evaluate arrive as text (OWASP's
CSV-injection rule), numbers stay numbers (issue 11)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from boligmonitor.web.downloads import Download, to_csv, to_xlsx

PAYLOADS = [
    '=HYPERLINK("https://example.invalid","klikk")',
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def table(text: str) -> Download:
    rows = [{"region": "0301", "region_name": text, "value": -2.5, "note": "-3"}]
    return Download(
        name="x", title=text, columns=("region", "region_name", "value", "note"), rows=rows, meta={"dataset": text}
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_cells_that_would_be_evaluated_start_with_an_apostrophe(payload: str) -> None:
    body = to_csv(table(payload)).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body, newline="")))
    assert rows[0]["region_name"] == "'" + payload
    assert rows[0]["value"] == "-2.5"  # a number is not a formula
    assert rows[0]["note"] == "-3"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xlsx_cells_that_would_be_evaluated_are_text(payload: str) -> None:
    workbook = load_workbook(io.BytesIO(to_xlsx(table(payload))))
    data = workbook["data"]
    name = data.cell(row=2, column=2)
    assert name.data_type == "s" and same_text(name.value, payload)
    assert data.cell(row=2, column=3).value == -2.5
    about = {row[0].value: row[1] for row in workbook["om"].iter_rows()}
    for key in ("title", "dataset"):
        assert about[key].data_type == "s" and same_text(about[key].value, payload)


def same_text(read: object, written: str) -> bool:
    """Whether a carriage return survives the round trip depends on openpyxl's XML writer (with lxml installed it
    is escaped and kept; the standard library's writer lets XML read it back as a line feed): either is the text."""
    return isinstance(read, str) and read.replace("\r", "\n") == written.replace("\r", "\n")


def test_ordinary_text_is_untouched() -> None:
    body = to_csv(table("Oslo – Gamle Oslo")).decode("utf-8-sig")
    assert "Oslo – Gamle Oslo" in body and "'Oslo" not in body
