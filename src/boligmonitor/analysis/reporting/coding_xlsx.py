"""The codebook, the coded passages (redacted text) and the counts by code, size group and year as one XLSX
workbook for analysts. Headings come in the caller's language (``words``: heading key -> text; the key itself
where none is given). Text that a spreadsheet would read as a formula is written as text; a SYNTHETIC export says
so on every sheet's first row."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any, Final

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from boligmonitor.analysis.reporting.open_answers import CodeCounts, CodedPassage
from boligmonitor.analysis.reporting.refi_qda import SYNTHETIC_NOTICE, ExportLabels
from boligmonitor.store.reporting.coding import Code

SHEETS: Final = ("codes", "passages", "counts")
CODE_COLUMNS: Final = ("code", "description", "goal", "parent", "guid")
PASSAGE_COLUMNS: Final = ("year", "municipality", "question", "codes", "passage", "example_quote", "note", "coded_by")
COUNT_COLUMNS: Final = ("code", "year", "size_group", "municipalities", "answering", "share", "passages")
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def coding_workbook(
    codes: Sequence[Code],
    passages: Sequence[CodedPassage],
    counts: CodeCounts,
    labels: ExportLabels,
    words: Mapping[str, str],
    *,
    synthetic: bool,
) -> bytes:
    """The workbook: a sheet of codes, one of coded passages, one of counts."""
    workbook = Workbook(write_only=True)
    by_id = {code.id: code for code in codes}

    def word(key: str) -> str:
        return words.get(key, key)

    def sheet(key: str, columns: Sequence[str]) -> Any:
        made = workbook.create_sheet(word(key))
        if synthetic:
            made.append([SYNTHETIC_NOTICE])
        made.append([word(column) for column in columns])
        return made

    code_sheet = sheet("codes", CODE_COLUMNS)
    for code in codes:
        parent = by_id.get(code.parent_id) if code.parent_id is not None else None
        goal = labels.goal_names.get(code.goal_id, code.goal_id) if code.goal_id else None
        _row(code_sheet, [code.name, code.description, goal, parent.name if parent else None, code.guid])
    passage_sheet = sheet("passages", PASSAGE_COLUMNS)
    for item in passages:
        answer = item.answer
        _row(
            passage_sheet,
            [
                answer.year,
                labels.municipality_names.get(answer.municipality_code, answer.municipality_code),
                labels.question_texts.get(answer.question_id, answer.question_id),
                "; ".join(code.name for code in item.codes),
                item.text,
                word("yes") if item.passage.example_quote else None,
                item.passage.note,
                item.passage.created_by,
            ],
        )
    count_sheet = sheet("counts", COUNT_COLUMNS)
    for code in counts.codes:
        for year in counts.years:
            for group in (*counts.size_groups, "all"):
                cell = counts.total(code.id, year) if group == "all" else counts.cell(code.id, year, group)
                share = cell.share
                _row(
                    count_sheet,
                    [
                        code.name,
                        year,
                        word(f"size_group.{group}"),
                        cell.municipalities,
                        cell.answering,
                        round(share, 4) if share is not None else None,
                        cell.passages,
                    ],
                )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row(sheet: Any, values: Sequence[object]) -> None:
    sheet.append([_safe(sheet, value) for value in values])


def _safe(sheet: Any, value: object) -> object:
    if not isinstance(value, str):
        return value
    cleaned = ILLEGAL_CHARACTERS_RE.sub("", value)
    if cleaned.startswith(_FORMULA_START):
        cell = WriteOnlyCell(sheet, value=cleaned)
        cell.data_type = "s"
        return cell
    return cleaned


__all__ = ["CODE_COLUMNS", "COUNT_COLUMNS", "PASSAGE_COLUMNS", "SHEETS", "coding_workbook"]
