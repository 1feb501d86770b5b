"""One sheet of an XLSX workbook read as a table, for every reader of user workbooks (tidy data, programme members):
the sheet chosen by name (or the only one), its column names from row 1, and each non-empty row below as
(row number, {column: cell}). Problems name the file, the row and the column letter; nothing is guessed."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boligmonitor.core.errors import InputError
from boligmonitor.sources.readers.checked_csv import ProblemCollector, text_from_cell
from boligmonitor.sources.readers.limits import check_file_size, check_row_count


@dataclass
class Sheet:
    """The chosen sheet: its column names (row 1, trailing empty names dropped) and its rows below them."""

    header: list[str]
    rows: Iterator[tuple[object, ...]]

    def records(self, problems: ProblemCollector) -> Iterator[tuple[int, dict[str, object]]]:
        """Each non-empty row as (row number, {column: cell}); a value in a column without a name is a problem."""
        from openpyxl.utils import get_column_letter

        width = len(self.header)
        n_rows = 0
        for row_number, cells in enumerate(self.rows, start=2):
            if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
                continue
            n_rows += 1
            check_row_count(n_rows, problems.file, row_number)
            for position, cell in enumerate(cells[width:], start=width + 1):
                if cell is not None and text_from_cell(cell):
                    letter = get_column_letter(position)
                    problems.add(f"a value in column {letter}, which has no name in row 1", row_number, letter)
            padded = (*cells[:width], *([None] * (width - len(cells))))
            yield row_number, dict(zip(self.header, padded, strict=True))


@contextmanager
def open_sheet(path: Path, file: str, sheet_name: str) -> Iterator[Sheet]:
    """The workbook's sheet named ``sheet_name`` (exactly, else ignoring case and spaces), or its only sheet; the
    workbook is closed when the block ends. An unreadable file, several sheets and none of that name, or a chart
    sheet raise InputError naming ``file``."""
    # Imported here: openpyxl (and numpy, which it loads) would add some 20 MB to every CSV import.
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_file_size(path, file)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError.single(file, f"not a readable .xlsx workbook ({exc})") from exc
    try:
        sheet = _choose_sheet(workbook, file, sheet_name)
        sheet.reset_dimensions()  # some writers store a wrong sheet size; read what is really there
        rows: Iterator[tuple[object, ...]] = iter(sheet.iter_rows(values_only=True))
        header = [text_from_cell(cell) for cell in next(rows, None) or ()]
        while header and not header[-1]:
            header.pop()
        yield Sheet(header, rows)
    finally:
        workbook.close()


def _choose_sheet(workbook: Any, file: str, sheet_name: str) -> Any:
    names: list[str] = list(workbook.sheetnames)
    chosen = next((n for n in names if n == sheet_name), None)
    chosen = chosen or next((n for n in names if n.strip().lower() == sheet_name), None)
    if chosen is None and len(names) == 1:
        chosen = names[0]
    if chosen is None:
        listed = ", ".join(repr(n) for n in names)
        raise InputError.single(file, f"the workbook has several sheets ({listed}) and none is named {sheet_name!r}")
    sheet = workbook[chosen]
    if not hasattr(sheet, "iter_rows"):
        raise InputError.single(file, f"sheet {chosen!r} is a chart, not a table", field=chosen)
    return sheet


__all__ = ["Sheet", "open_sheet"]
