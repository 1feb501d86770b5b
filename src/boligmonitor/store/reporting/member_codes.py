"""Whether each imported member's municipality code was in use in every year of its membership.

The register is the store's own: today's municipalities (the ``region`` table) and KLASS 131's code changes (the
``region_change`` table), read as a :class:`~boligmonitor.geo.changes.ChangeHistory`. A membership is checked on
the first day of each of its years (its start in the first year), up to its end or, while it lasts, this year.
A code not in use then is a :class:`CodeProblem`: unknown in every year, given up before (``1601`` became
``5001`` in 2018), or not yet in use (``5001`` before 2018, when the code was ``1601``).

The catalogue's reader (catalog/reporting/members.py) cannot see the register (geo is not below catalog), so the
check runs where the members are stored (:func:`boligmonitor.store.reporting.members.replace`), inside the same
transaction: nothing is written when a code is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import Connection, select

from boligmonitor.catalog.reporting import Member
from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.regions import RegionLevel
from boligmonitor.geo.changes import ChangeHistory
from boligmonitor.geo.region_register import UNSPECIFIED_CODES
from boligmonitor.store import schema

MUNICIPALITY_FIELD = "municipality"


class CodeProblemKind(StrEnum):
    UNKNOWN = "unknown"  # in use in no year the register knows
    REPLACED = "replaced"  # in use before, given up by a change before (or during) the membership
    NOT_YET = "not_yet"  # in use only from a change after the membership began


@dataclass(frozen=True, slots=True)
class CodeProblem:
    """A member whose code was not in use in (some of) its years. ``position`` counts members from 1; ``line``
    is the file's line when known. ``changed_in`` is the year of the change that explains it and ``other_codes``
    the code(s) the area had then (successors for REPLACED, predecessors for NOT_YET)."""

    position: int
    line: int | None
    code: str
    first_year: int
    last_year: int
    kind: CodeProblemKind
    changed_in: int | None = None
    other_codes: tuple[str, ...] = ()

    def message(self) -> str:
        """The problem in English, for the command line and the log (the web page words it in its language)."""
        years = str(self.first_year) if self.first_year == self.last_year else f"{self.first_year}–{self.last_year}"
        others = " and ".join(self.other_codes)
        if self.kind is CodeProblemKind.UNKNOWN:
            return f"unknown municipality code {self.code}: not in the region register (KLASS 131) in any year"
        not_in_use = f"municipality code {self.code} was not in use in {years}"
        if self.kind is CodeProblemKind.REPLACED and len(self.other_codes) > 1:
            return (
                f"{not_in_use}: from {self.changed_in} its area was divided between {others} "
                f"(write the years from {self.changed_in} on a row of their own)"
            )
        if self.kind is CodeProblemKind.REPLACED:
            return (
                f"{not_in_use}: from {self.changed_in} the code is {others} "
                f"(write the years from {self.changed_in} on a row of their own, with {others})"
            )
        return (
            f"{not_in_use}: it is used from {self.changed_in}; "
            f"before, the code was {others} (write the years before {self.changed_in} on a row of their own, with the "
            "code of that time)"
        )

    def input_problem(self, file: str) -> InputProblem:
        where = "" if self.line is not None else f"member {self.position}: "
        return InputProblem(file, where + self.message(), line=self.line, field=MUNICIPALITY_FIELD)


class MemberCodesError(InputError):
    """:class:`InputError` with the :class:`CodeProblem` behind each problem (for a page to word them)."""

    def __init__(self, file: str, problems: Sequence[CodeProblem]) -> None:
        super().__init__([problem.input_problem(file) for problem in problems])
        self.file = file
        self.code_problems = tuple(problems)


def stored_register(connection: Connection) -> ChangeHistory | None:
    """Today's municipalities and the code changes in the store, or None when it holds no municipalities (a
    database no build has filled: it has no register to check against)."""
    region = schema.region
    current = connection.scalars(
        select(region.c.code).where(region.c.level == RegionLevel.MUNICIPALITY.value, region.c.valid_to.is_(None))
    ).all()
    current = [code for code in current if code not in UNSPECIFIED_CODES]  # "9999 Uoppgitt" is no municipality
    if not current:
        return None
    change = schema.region_change
    rows = connection.execute(
        select(change.c.old_code, change.c.old_name, change.c.new_code, change.c.new_name, change.c.changed_on)
    )
    items = [
        {
            "oldCode": row.old_code,
            "oldName": row.old_name,
            "newCode": row.new_code,
            "newName": row.new_name,
            "changeOccurred": row.changed_on.isoformat(),
        }
        for row in rows
    ]
    return ChangeHistory.from_rows(items, current_codes=current, file="<the store's region changes>")


def code_problems(
    members: Sequence[Member],
    register: ChangeHistory,
    *,
    today: date,
    lines: Sequence[int] | None = None,
) -> list[CodeProblem]:
    """One :class:`CodeProblem` for each member whose code was not in use in every year of its membership."""
    found: list[CodeProblem] = []
    for index, member in enumerate(members):
        line = lines[index] if lines is not None and index < len(lines) else None
        problem = _member_problem(index + 1, line, member, register, today)
        if problem is not None:
            found.append(problem)
    return found


def check_codes(
    members: Sequence[Member],
    register: ChangeHistory,
    file: str,
    *,
    today: date,
    lines: Sequence[int] | None = None,
) -> None:
    """:class:`MemberCodesError` naming file, line (or the member's position) and field for every problem."""
    problems = code_problems(members, register, today=today, lines=lines)
    if problems:
        raise MemberCodesError(file, problems)


def _member_problem(
    position: int, line: int | None, member: Member, register: ChangeHistory, today: date
) -> CodeProblem | None:
    code = member.municipality
    last_year = (member.end or today).year
    days = [max(member.start, date(year, 1, 1)) for year in range(member.start.year, last_year + 1)]
    missing = [day for day in days if not register.is_valid(code, day)]
    if not missing:
        return None
    first, last = missing[0].year, missing[-1].year
    intervals = register.validity(code)
    if not intervals:
        return CodeProblem(position, line, code, first, last, CodeProblemKind.UNKNOWN)
    given_up = [end for _, end in intervals if end is not None and end <= missing[0]]
    if given_up:
        on = max(given_up)
        successors = tuple(other for other in register.successors(code, on) if other != code)
        return CodeProblem(position, line, code, first, last, CodeProblemKind.REPLACED, on.year, successors)
    started = min((start for start, _ in intervals if start is not None and start > missing[0]), default=None)
    if started is None:  # not reached: a day in no interval lies before one or after one
        return CodeProblem(position, line, code, first, last, CodeProblemKind.UNKNOWN)
    predecessors = tuple(other for other in register.predecessors(code, started) if other != code)
    return CodeProblem(position, line, code, first, last, CodeProblemKind.NOT_YET, started.year, predecessors)


__all__ = [
    "MUNICIPALITY_FIELD",
    "CodeProblem",
    "CodeProblemKind",
    "MemberCodesError",
    "check_codes",
    "code_problems",
    "stored_register",
]
