"""Who the programme's members are, in the source's municipality codes, as of a day or a year.

A programme lists each member under the code valid during its membership (Trondheim 1601 in 2009–2012); the
store holds today's municipalities (Trondheim 5001). With the store's code changes the membership is carried
forward through renumberings and mergers. A member that was later split cannot be carried by the change list
alone (it does not say which part holds the old area: old Ålesund 1504 went into 1507 in 2020, which was split
into 1508 and 1580 in 2024) and is reported, as is a code the source does not have: nobody is dropped without a
word. The caller may place such members with ``recode`` (programme code → source code, e.g. ``{"1504": "1508"}``).

By default only memberships with status ``member`` count; ``include_invited`` adds those the source only says
were invited (:class:`~boligmonitor.catalog.reporting.MemberStatus`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from boligmonitor.analysis.reading import ObservationSource
from boligmonitor.analysis.reporting.common import municipality_codes
from boligmonitor.catalog.reporting import Member, MemberStatus, Programme
from boligmonitor.geo.changes import ChangeHistory, ChangeKind, CodeChange
from boligmonitor.store.rows import RegionChangeRow


@dataclass(frozen=True, slots=True)
class UnmatchedMember:
    """A membership that could not be placed among the source's municipalities."""

    municipality: str
    reason: str


@dataclass(frozen=True, slots=True)
class Membership:
    """A programme's members as of ``as_of`` (``"2019"`` or ``"2019-12-31"``), in the source's codes.

    ``joined`` gives each member's start, the earliest among its memberships counted (the baseline of a relative
    goal that has no baseline year of its own); ``recoded`` pairs a programme code with the source code it was
    carried to.
    """

    programme_id: str
    as_of: str
    members: frozenset[str]
    joined: Mapping[str, date] = field(hash=False)
    recoded: tuple[tuple[str, str], ...] = ()
    unmatched: tuple[UnmatchedMember, ...] = ()
    invited_included: bool = False

    @property
    def joined_years(self) -> tuple[int, int] | None:
        """The first and last year in which a member joined; None without members."""
        years = sorted(day.year for day in self.joined.values())
        return (years[0], years[-1]) if years else None


def membership_in_year(
    programme: Programme,
    year: int,
    source: ObservationSource,
    *,
    changes: Sequence[RegionChangeRow] = (),
    recode: Mapping[str, str] | None = None,
    include_invited: bool = False,
) -> Membership:
    """The members whose membership overlaps ``year`` (shares at least one day with it)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    chosen = [m for m in programme.members if m.start <= last and (m.end is None or first <= m.end)]
    return _membership(programme, str(year), chosen, source, changes, recode or {}, include_invited)


def membership_on(
    programme: Programme,
    day: date,
    source: ObservationSource,
    *,
    changes: Sequence[RegionChangeRow] = (),
    recode: Mapping[str, str] | None = None,
    include_invited: bool = False,
) -> Membership:
    """The members on ``day`` (:meth:`Programme.members_on`)."""
    chosen = programme.members_on(day)
    return _membership(programme, day.isoformat(), chosen, source, changes, recode or {}, include_invited)


def _membership(
    programme: Programme,
    as_of: str,
    chosen: Iterable[Member],
    source: ObservationSource,
    changes: Sequence[RegionChangeRow],
    recode: Mapping[str, str],
    include_invited: bool,
) -> Membership:
    known = set(municipality_codes(source))
    history = _history(changes)
    members: set[str] = set()
    joined: dict[str, date] = {}
    recoded: set[tuple[str, str]] = set()
    unmatched: list[UnmatchedMember] = []
    for member in chosen:
        if member.status is MemberStatus.INVITED and not include_invited:
            continue
        given = recode.get(member.municipality)
        codes = {given} if given is not None else _carried(member.municipality, member.start, history)
        if len(codes) > 1:
            listed = ", ".join(sorted(codes))
            unmatched.append(
                UnmatchedMember(member.municipality, f"split into {listed}: the membership covers only part of each")
            )
            continue
        (code,) = codes
        if code not in known:
            unmatched.append(UnmatchedMember(member.municipality, f"{code} is not among the source's municipalities"))
            continue
        if code != member.municipality:
            recoded.add((member.municipality, code))
        members.add(code)
        joined[code] = min(joined.get(code, member.start), member.start)
    return Membership(
        programme.id,
        as_of,
        frozenset(members),
        dict(sorted(joined.items())),
        tuple(sorted(recoded)),
        tuple(sorted(unmatched, key=lambda u: u.municipality)),
        include_invited,
    )


def _history(changes: Sequence[RegionChangeRow]) -> ChangeHistory | None:
    if not changes:
        return None
    return ChangeHistory(
        CodeChange(row.old_code, row.old_name, row.new_code, row.new_name, row.changed_on, ChangeKind(row.kind))
        for row in changes
    )


def _carried(code: str, since: date, history: ChangeHistory | None) -> set[str]:
    """The codes ``code`` (valid on ``since``) became through every change after ``since``."""
    codes = {code}
    if history is None:
        return codes
    for on in history.dates():
        if on <= since:
            continue
        codes = {successor for current in codes for successor in (history.successors(current, on) or [current])}
    return codes


__all__ = ["Membership", "UnmatchedMember", "membership_in_year", "membership_on"]
