"""A programme's members from a CSV or XLSX file: municipality, level, from, to (docs/reporting-forms.md).

Columns: ``municipality`` and ``from`` are required; ``level``, ``to``, ``status`` (``member`` or ``invited``)
and ``name`` may be given. A date is written ``YYYY-MM-DD`` or as a year (``from`` then means 1 January,
``to`` 31 December); an empty ``to`` means still a member. The CSV is read by the project's checked reader
(UTF-8, ``,`` or ``;``); a workbook's sheet ``members`` (or its only sheet) with the same columns in row 1.

Every problem names file, line (the spreadsheet's row) and field, and nothing is returned unless the whole file
is sound. Municipality codes are normalised (``K-0301`` → ``0301``) and their form checked; whether a code
was in use in every year of its membership is checked where the members are stored, against the store's region
register (store/reporting/member_codes.py), since this layer cannot see the register (geo): :func:`read_member_lines`
gives each member's line for that check. With ``programme``, levels and dates are checked against it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path

from pydantic import ValidationError

from boligmonitor.catalog.models import DEFER_CROSS_CHECKS
from boligmonitor.catalog.reporting.programme import (
    Member,
    MemberStatus,
    Programme,
    member_problems,
    overlapping_members,
)
from boligmonitor.catalog.yaml_locations import plain_message
from boligmonitor.core.errors import InputError
from boligmonitor.core.regions import RegionLevel
from boligmonitor.sources.readers.checked_csv import (
    FieldChecker,
    ProblemCollector,
    check_header,
    open_csv_table,
    parse_iso_date,
    parse_region,
    parse_year,
    text_from_cell,
)
from boligmonitor.sources.readers.limits import printable_path
from boligmonitor.sources.readers.xlsx_sheet import open_sheet

REQUIRED_COLUMNS = ("municipality", "from")
OPTIONAL_COLUMNS = ("level", "to", "status", "name")
XLSX_SHEET_NAME = "members"
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")

_LEVEL_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def read_members(path: Path, *, programme: Programme | None = None) -> list[Member]:
    """The members in a CSV or XLSX file, in file order; :class:`InputError` listing every problem otherwise.

    With ``programme``, a level may also be written as the level's name (``Storbyprogram``), and each member's
    level and dates are checked against the programme's levels and period.
    """
    return [member for _, member in read_member_lines(path, programme=programme)]


def read_member_lines(
    path: Path, *, programme: Programme | None = None, file: str | None = None
) -> list[tuple[int, Member]]:
    """As :func:`read_members`, each member with its line (a workbook's row number), so that a later check (the
    store's region register) can name the line too. ``file`` names the file in problems (default: ``path``; an
    upload saved under a temporary name gives the name it was sent with)."""
    file = printable_path(path) if file is None else file
    suffix = path.suffix.lower()
    problems = ProblemCollector(file)
    rows: list[tuple[int, Member]] = []
    if suffix in CSV_SUFFIXES:
        stream = open_csv_table(path, problems)
        if stream is not None:
            with stream:
                rows = _members(stream.columns, stream.rows(), problems, programme)
    elif suffix in XLSX_SUFFIXES:
        rows = _read_xlsx(path, problems, programme)
    elif suffix == ".xls":
        raise InputError.single(file, "old Excel format (.xls): save the workbook as .xlsx or as 'CSV UTF-8'")
    else:
        raise InputError.single(file, f"unknown file type {suffix!r}: expected .csv or .xlsx")
    problems.raise_if_any()
    if not rows:
        raise InputError.single(file, "no members: the file has a header but no rows", line=2)
    return rows


def _members(
    columns: tuple[str, ...],
    cell_rows: Iterable[tuple[int, Mapping[str, object]]],
    problems: ProblemCollector,
    programme: Programme | None,
) -> list[tuple[int, Member]]:
    """Check the header, then each row; reads ``cell_rows`` to the end so that its own problems are found."""
    header_ok = check_header(columns, problems, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS)
    rows: list[tuple[int, Member]] = []
    for line, cells in cell_rows:
        if not header_ok or problems.full:
            continue
        member = _member(line, cells, problems, programme)
        if member is not None:
            rows.append((line, member))
    members = [member for _, member in rows]
    for earlier, later in overlapping_members(members):
        line, member = rows[later]
        message = f"municipality {member.municipality} is already a member then (line {rows[earlier][0]})"
        problems.add(message, line=line, field="from")
    return rows


def _member(
    line: int, cells: Mapping[str, object], problems: ProblemCollector, programme: Programme | None
) -> Member | None:
    check = FieldChecker(line, cells, problems)
    code = check.convert("municipality", _municipality, "")
    start = check.convert("from", _start, None)
    end = check.convert("to", _end, None)
    level = check.convert("level", lambda cell: _level(cell, programme), None)
    status = check.convert("status", _status, MemberStatus.MEMBER)
    name = text_from_cell(cells.get("name")) or None
    if not check.ok or start is None:
        return None
    fields = {"municipality": code, "name": name, "level": level, "from": start, "to": end, "status": status}
    try:
        member = Member.model_validate(fields, context={DEFER_CROSS_CHECKS: True})
    except ValidationError as exc:  # the parsers above leave nothing for the model to refuse; kept as a guard
        for error in exc.errors():
            check.fail(str(error["loc"][0]) if error["loc"] else "municipality", plain_message(error["msg"]))
        return None
    found = member.own_problems() + (member_problems(programme, member) if programme is not None else [])
    for path, message in found:
        check.fail(str(path[0]) if path else "from", message)
    return member if check.ok else None


# --- field parsers (raise ValueError with the message for the user) ---------------------------------------


def _municipality(cell: object) -> str:
    return parse_region(cell, (RegionLevel.MUNICIPALITY,))


def _start(cell: object) -> date:
    return _date(cell, last_day=False)


def _end(cell: object) -> date | None:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    return _date(cell, last_day=True)


def _date(cell: object, *, last_day: bool) -> date:
    """A date cell, ``YYYY-MM-DD`` or a year (its first or last day)."""
    if isinstance(cell, datetime):
        if cell.time() != datetime.min.time():
            raise ValueError(f"{cell} has a time of day: give a date")
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = text_from_cell(cell)
    if not text:
        raise ValueError("the date is missing")
    if re.fullmatch(r"\d{4}", text):
        year = parse_year(text)
        return date(year, 12, 31) if last_day else date(year, 1, 1)
    if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", text):
        raise ValueError(f"{text!r}: write the date YYYY-MM-DD (e.g. 2013-04-04), or a year")
    return parse_iso_date(text)


def _level(cell: object, programme: Programme | None) -> str | None:
    text = text_from_cell(cell)
    if not text:
        return None
    if programme is not None:
        for level in programme.levels:
            names = {level.id, level.name.nb, level.name.nn, level.name.en}
            if text.casefold() in {name.casefold() for name in names}:
                return level.id
        known = ", ".join(level.id for level in programme.levels) or "none: the programme has no levels"
        raise ValueError(f"unknown level {text!r}; known: {known}")
    if not _LEVEL_ID.match(text):
        raise ValueError(f"{text!r} is not a level id (lower-case letters, digits and _, e.g. storbyprogram)")
    return text


def _status(cell: object) -> MemberStatus:
    text = text_from_cell(cell).lower()
    if not text:
        return MemberStatus.MEMBER
    try:
        return MemberStatus(text)
    except ValueError:
        allowed = " or ".join(repr(status.value) for status in MemberStatus)
        raise ValueError(f"unknown status {text!r}: use {allowed}, or leave empty (member)") from None


# --- XLSX -----------------------------------------------------------------------------------------------------


def _read_xlsx(path: Path, problems: ProblemCollector, programme: Programme | None) -> list[tuple[int, Member]]:
    with open_sheet(path, problems.file, XLSX_SHEET_NAME) as sheet:
        if not sheet.header:
            problems.add("the sheet is empty: expected the column names in row 1", line=1)
            return []
        return _members(tuple(sheet.header), sheet.records(problems), problems, programme)
