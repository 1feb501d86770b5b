"""A programme's members imported from a file (the ``programme_member`` table), inside the caller's transaction.

An import replaces the programme's whole list at once, with one audit row giving the file and the number of members
before and after; the members are checked against the programme first (levels, dates in its period, no municipality
a member twice on one day) and against the store's region register (each code in use in every year of its
membership: member_codes.py), and nothing is written when anything is wrong. A programme never imported keeps the
members in the package's YAML (:func:`imported_members` returns None); see docs/reporting-forms.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final, Protocol

from sqlalchemy import Connection, Row, delete, func, insert, select

from boligmonitor.catalog.reporting import Member, MemberStatus, Programme
from boligmonitor.catalog.reporting.programme import member_problems, overlapping_members
from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.store.accounts import audit
from boligmonitor.store.accounts.audit import Actor
from boligmonitor.store.reporting.member_codes import check_codes, stored_register
from boligmonitor.store.reporting.tables import programme_member

MEMBERS_INPUT: Final = "<programme members>"


class MembersAuditAction(StrEnum):
    IMPORTED = "programme_member.imported"


def checked(programme: Programme, members: Sequence[Member], source: str) -> None:
    """:class:`InputError` naming ``source``, the member's position (counting from 1) and the field for each
    problem the programme finds (the file's reader, catalog.reporting.read_members, has named the lines already);
    an empty list is refused (a programme without members is no import)."""
    file = source or MEMBERS_INPUT
    if not members:
        raise InputError.single(file, "no members: an import needs at least one")
    problems: list[InputProblem] = []
    for position, member in enumerate(members, start=1):
        for path, message in member.own_problems() + member_problems(programme, member):
            field = str(path[0]) if path else "from"
            problems.append(InputProblem(file, f"member {position} ({member.municipality}): {message}", field=field))
    for earlier, later in overlapping_members(list(members)):
        code = members[later].municipality
        message = f"member {later + 1}: municipality {code} is already a member then (member {earlier + 1})"
        problems.append(InputProblem(file, message, field="from"))
    if problems:
        raise InputError(problems)


def replace(
    connection: Connection,
    programme: Programme,
    members: Sequence[Member],
    *,
    source: str,
    actor: Actor,
    at: datetime,
    lines: Sequence[int] | None = None,
) -> int:
    """Replace the programme's imported members with ``members`` (checked first: see :func:`checked`, and each
    code against the store's region register in every year of its membership: see
    :mod:`~boligmonitor.store.reporting.member_codes`); returns how many were stored. One audit row: the file and
    the counts before → after. ``lines`` (the file's line of each member) lets a problem name its line."""
    checked(programme, members, source)
    register = stored_register(connection)
    if register is not None:
        check_codes(members, register, source or MEMBERS_INPUT, today=at.date(), lines=lines)
    before = _count(connection, programme.id)
    connection.execute(delete(programme_member).where(programme_member.c.programme_id == programme.id))
    connection.execute(
        insert(programme_member),
        [
            {
                "programme_id": programme.id,
                "municipality_code": member.municipality,
                "name": member.name,
                "level": member.level,
                "status": member.status.value,
                "from_date": member.start.isoformat(),
                "to_date": None if member.end is None else member.end.isoformat(),
                "source": source,
                "imported_at": at,
                "imported_by": actor.label,
                "imported_by_account_id": actor.account_id,
            }
            for member in members
        ],
    )
    audit.record(
        connection,
        actor,
        MembersAuditAction.IMPORTED.value,
        "programme",
        programme.id,
        before={"members": before},
        after={"members": len(members), "source": source},
        at=at,
    )
    return len(members)


def read(connection: Connection, programme_id: str) -> list[ImportedMember] | None:
    """The programme's imported members in the order imported, or None when it was never imported."""
    query = (
        select(programme_member).where(programme_member.c.programme_id == programme_id).order_by(programme_member.c.id)
    )
    found = [_from_row(row) for row in connection.execute(query)]
    return found or None


@dataclass(frozen=True, slots=True)
class ImportedMember:
    """One imported member: the catalogue's :class:`Member` with the file it came from, when and by whom."""

    member: Member
    source: str
    imported_at: datetime
    imported_by: str


class MemberSource(Protocol):
    """What :func:`programme_in_effect` reads (a :class:`ReportStore`)."""

    def imported_members(self, programme_id: str) -> list[ImportedMember] | None: ...


def programme_in_effect(programme: Programme, store: MemberSource) -> Programme:
    """The programme with its imported members in place of the package's, when it has been imported; else as is."""
    imported = store.imported_members(programme.id)
    if imported is None:
        return programme
    return programme.model_copy(update={"members": tuple(found.member for found in imported)})


def _count(connection: Connection, programme_id: str) -> int:
    query = select(func.count()).select_from(programme_member).where(programme_member.c.programme_id == programme_id)
    return int(connection.scalar(query) or 0)


def _from_row(row: Row[Any]) -> ImportedMember:
    member = Member.model_validate(
        {
            "municipality": row.municipality_code,
            "name": row.name,
            "level": row.level,
            "from": date.fromisoformat(row.from_date),
            "to": None if row.to_date is None else date.fromisoformat(row.to_date),
            "status": MemberStatus(row.status),
        }
    )
    return ImportedMember(member, row.source, row.imported_at, row.imported_by)


__all__ = [
    "MEMBERS_INPUT",
    "ImportedMember",
    "MemberSource",
    "MembersAuditAction",
    "checked",
    "programme_in_effect",
    "read",
    "replace",
]
