"""What the members page shows and reads: the list in effect as rows, an uploaded file read into members (with
each member's line), the problems of a refused file in the page's language, and the list as CSV and XLSX in the
columns the import reads back (municipality, name, level, status, from, to)."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Final

from boligmonitor.catalog.reporting import Member, Programme
from boligmonitor.catalog.reporting.members import CSV_SUFFIXES, XLSX_SUFFIXES, read_member_lines
from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.store.reporting.member_codes import CodeProblem, CodeProblemKind, MemberCodesError
from boligmonitor.web.context import PageContext
from boligmonitor.web.i18n import Translator, format_date
from boligmonitor.web.views.reporting.pages import municipality_name

MAX_UPLOAD_BYTES: Final = 2 * 1024 * 1024
# The whole multipart request: the file, the CSRF token and the form's framing.
MAX_REQUEST_BYTES: Final = MAX_UPLOAD_BYTES + 64 * 1024
MAX_NAME_CHARS: Final = 120
UPLOAD_SUFFIXES: Final = (*CSV_SUFFIXES, *XLSX_SUFFIXES)
DOWNLOAD_COLUMNS: Final = ("municipality", "name", "level", "status", "from", "to")
_UNSAFE_NAME_CHARACTERS: Final = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class ShownProblem:
    """One problem of a refused file: where (file, line, field) and what, in the page's language."""

    where: str
    message: str


class UploadRefusedError(Exception):
    """The upload is no file we read (none chosen, too large, another type): the message key says why."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def upload_name(filename: str | None) -> str:
    """The uploaded file's own name, without any folders a browser sent and without control characters."""
    raw = filename or ""
    name = PureWindowsPath(PurePosixPath(raw).name).name
    return _UNSAFE_NAME_CHARACTERS.sub("", name).strip()[:MAX_NAME_CHARS]


def checked_upload(name: str, size: int) -> str:
    """The file's suffix (``.csv``, ``.xlsx``…) when the upload may be read; :class:`UploadRefusedError` else."""
    if not name and size == 0:
        raise UploadRefusedError("programme_members.error.no_file")
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadRefusedError("programme_members.error.file_type", name=name or "–")
    if size > MAX_UPLOAD_BYTES:
        raise UploadRefusedError("programme_members.error.too_large", megabytes=MAX_UPLOAD_BYTES // (1024 * 1024))
    if size == 0:
        raise UploadRefusedError("programme_members.error.empty", name=name)
    return suffix


def read_upload(name: str, data: bytes, programme: Programme) -> list[tuple[int, Member]]:
    """The members of an uploaded file and their lines, read as the command line reads a file; problems name the
    file by the name it was sent with."""
    suffix = checked_upload(name, len(data))
    with tempfile.TemporaryDirectory(prefix="boligmonitor-members-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            return read_member_lines(path, programme=programme, file=name)
        except InputError as error:  # a few of the reader's checks name the path it read: give the sent name
            raise InputError([_named(problem, name) for problem in error.problems]) from error


def _named(problem: InputProblem, name: str) -> InputProblem:
    return InputProblem(name, problem.message, line=problem.line, field=problem.field)


def shown_problems(error: InputError, t: Translator) -> list[ShownProblem]:
    """Each problem with where it is in the page's language; a code not in use in the membership's years is
    worded in the page's language too (the reader's other messages are its own, in English)."""
    if isinstance(error, MemberCodesError):
        return [
            ShownProblem(_where(error.file, problem.line, "municipality", t), _code_text(problem, t))
            for problem in error.code_problems
        ]
    return [
        ShownProblem(_where(problem.file, problem.line, problem.field, t), problem.message)
        for problem in error.problems
    ]


def _where(file: str, line: int | None, field: str | None, t: Translator) -> str:
    if line is not None and field:
        return t("programme_members.where.line_field", file=file, line=line, field=field)
    if line is not None:
        return t("programme_members.where.line", file=file, line=line)
    if field:
        return t("programme_members.where.field", file=file, field=field)
    return t("programme_members.where.file", file=file)


def _code_text(problem: CodeProblem, t: Translator) -> str:
    years = (
        str(problem.first_year)
        if problem.first_year == problem.last_year
        else f"{problem.first_year}–{problem.last_year}"
    )
    others = t("programme_members.code.and").join(problem.other_codes)
    position = "" if problem.line is not None else t("programme_members.code.position", position=problem.position)
    if problem.kind is CodeProblemKind.UNKNOWN:
        text = t("programme_members.code.unknown", code=problem.code)
    elif problem.kind is CodeProblemKind.REPLACED and len(problem.other_codes) > 1:
        text = t(
            "programme_members.code.divided", code=problem.code, years=years, year=problem.changed_in, others=others
        )
    elif problem.kind is CodeProblemKind.REPLACED:
        text = t(
            "programme_members.code.replaced", code=problem.code, years=years, year=problem.changed_in, others=others
        )
    else:
        text = t(
            "programme_members.code.not_yet", code=problem.code, years=years, year=problem.changed_in, others=others
        )
    return position + text


def member_rows(members: Sequence[Member], programme: Programme, ctx: PageContext) -> list[dict[str, str]]:
    """The members as the page's table shows them, in the list's order."""
    t = ctx.t
    levels = {level.id: level.name.get(ctx.language) for level in programme.levels}
    rows: list[dict[str, str]] = []
    for member in members:
        known = municipality_name(ctx, member.municipality)
        name = member.name if member.name and known == member.municipality else None
        rows.append(
            {
                "municipality": f"{name} ({member.municipality})" if name else known,
                "level": levels.get(member.level, member.level) if member.level else "–",
                "status": t(f"programme_members.status.{member.status.value}"),
                "from": format_date(member.start, ctx.language),
                "to": format_date(member.end, ctx.language) if member.end else t("programme_members.still_member"),
            }
        )
    return rows


def download_rows(members: Sequence[Member]) -> list[tuple[str, str, str, str, str, str]]:
    """The members in the import's columns, so that a downloaded list can be changed and uploaded again."""
    return [
        (
            member.municipality,
            member.name or "",
            member.level or "",
            member.status.value,
            member.start.isoformat(),
            "" if member.end is None else member.end.isoformat(),
        )
        for member in members
    ]


def members_csv(members: Sequence[Member]) -> bytes:
    """UTF-8 with a byte-order mark (so that Excel reads the letters æ, ø, å), comma-separated."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(DOWNLOAD_COLUMNS)
    writer.writerows(download_rows(members))
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def members_xlsx(members: Sequence[Member]) -> bytes:
    """A workbook with one sheet named ``members``, the import's columns in row 1; codes kept as text."""
    # Imported here: openpyxl is needed only for this download.
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = "members"
    sheet.append(list(DOWNLOAD_COLUMNS))
    for row in download_rows(members):
        sheet.append(list(row))
    for cell in sheet["A"]:
        cell.number_format = "@"  # text: 0301 stays 0301
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


__all__ = [
    "DOWNLOAD_COLUMNS",
    "MAX_REQUEST_BYTES",
    "MAX_UPLOAD_BYTES",
    "ShownProblem",
    "UploadRefusedError",
    "checked_upload",
    "download_rows",
    "member_rows",
    "members_csv",
    "members_xlsx",
    "read_upload",
    "shown_problems",
    "upload_name",
]
