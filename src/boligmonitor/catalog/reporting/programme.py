"""A programme as data: its period, levels, main goals and goals (linked to the catalogue's goals, which carry
the ambition levels), and its members with level and dates.

The file is ``catalog/reporting/data/<id>.yaml`` (docs/reporting-forms.md). Checks within the file are here;
checks against the catalogue are in :mod:`boligmonitor.catalog.reporting.cross_checks`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator

from boligmonitor.catalog.models import CatalogModel, FieldPath, GoalId, Problem, Text
from boligmonitor.catalog.models import Programme as CatalogueProgramme
from boligmonitor.catalog.reporting.base import (
    REPORTING_SCHEMA_VERSION,
    Citation,
    Document,
    DocumentKey,
    MunicipalityCode,
    ProgrammeId,
    Slug,
    Version,
    citation_problems,
    did_you_mean,
    duplicates,
)

Year = Annotated[int, Field(ge=1970, le=2100)]


class Period(CatalogModel):
    """The years a programme runs, both included; ``end`` None while it has no set end."""

    start: Year
    end: Year | None = None

    def contains(self, year: int) -> bool:
        return self.start <= year and (self.end is None or year <= self.end)

    def own_problems(self) -> list[Problem]:
        if self.end is not None and self.end < self.start:
            return [(("end",), f"the period ends ({self.end}) before it starts ({self.start})")]
        return []


class ProgrammeLevel(CatalogModel):
    """A level of participation (Storbyprogram, By- og tettstedsprogram, grunntilbud)."""

    id: Slug
    name: Text
    reports: bool = Field(description="Whether members at this level report every year")
    source: Citation | None = None


class MainGoal(CatalogModel):
    id: Slug
    number: Annotated[int, Field(ge=1)]
    name: Text
    catalogue_goal: GoalId | None = Field(default=None, description="The catalogue's goal it is")
    source: Citation | None = None


class ProgrammeGoal(CatalogModel):
    """A goal of the programme under one main goal. Its ambition levels are the catalogue goals it links to
    (kind, target, baseline year): one place for a target, read by the analysis of goal attainment."""

    id: Slug
    number: Annotated[int, Field(ge=1)]
    main_goal: Slug
    name: Text
    catalogue_goals: tuple[GoalId, ...] = Field(
        default=(), description="The catalogue's goals that give this goal its ambition levels"
    )
    source: Citation | None = None

    def own_problems(self) -> list[Problem]:
        paths: list[FieldPath] = [("catalogue_goals", k) for k in range(len(self.catalogue_goals))]
        return duplicates(list(self.catalogue_goals), paths, "catalogue goal")


class MemberStatus(StrEnum):
    """``member``: the municipality took part; ``invited``: the source only says it was invited."""

    MEMBER = "member"
    INVITED = "invited"


def _first_day(value: Any) -> Any:
    return date(value, 1, 1) if _is_year(value) else value


def _last_day(value: Any) -> Any:
    return date(value, 12, 31) if _is_year(value) else value


def _is_year(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Member(CatalogModel):
    """A municipality in a programme from one date to another (both included; ``to`` None: still a member).

    A bare year is read as its first day (``from``) or its last day (``to``): sources often give years only.
    """

    model_config = ConfigDict(populate_by_name=True)

    municipality: MunicipalityCode = Field(description="The code valid during the membership")
    name: str | None = Field(default=None, description="For readers of the file; not checked")
    level: Slug | None = Field(default=None, description="One of the programme's levels; required if it has any")
    start: date = Field(alias="from")
    end: date | None = Field(default=None, alias="to")
    status: MemberStatus = MemberStatus.MEMBER
    source: Citation | None = None

    @field_validator("start", mode="before")
    @classmethod
    def _year_starts(cls, value: Any) -> Any:
        return _first_day(value)

    @field_validator("end", mode="before")
    @classmethod
    def _year_ends(cls, value: Any) -> Any:
        return _last_day(value)

    def overlaps(self, other: Member) -> bool:
        """Whether the two memberships share a day."""
        far = date.max
        return self.start <= (other.end or far) and other.start <= (self.end or far)

    def own_problems(self) -> list[Problem]:
        if self.end is not None and self.end < self.start:
            return [(("to",), f"the membership ends ({self.end}) before it starts ({self.start})")]
        return []


def member_problems(programme: Programme, member: Member) -> list[Problem]:
    """What a programme says about one member: a known level (required where there are levels), dates
    inside the programme's period. Paths are relative to the member."""
    problems: list[Problem] = []
    level_ids = [level.id for level in programme.levels]
    if member.level is None and level_ids:
        problems.append((("level",), f"give the level: one of {', '.join(level_ids)}"))
    elif member.level is not None and member.level not in level_ids:
        known = ", ".join(level_ids) if level_ids else "none: the programme has no levels"
        near = did_you_mean(member.level, level_ids)
        problems.append((("level",), f"unknown level {member.level!r}{near}; known: {known}"))
    period = programme.period
    if member.start.year < period.start:
        problems.append((("from",), f"{member.start} is before the programme starts ({period.start})"))
    if period.end is not None and (member.end is None or member.end.year > period.end):
        shown = member.end or "an open end"
        problems.append((("to",), f"{shown} is after the programme ends ({period.end})"))
    return problems


def overlapping_members(members: list[Member]) -> list[tuple[int, int]]:
    """Pairs (earlier, later) of positions where one municipality is a member twice on the same day."""
    pairs: list[tuple[int, int]] = []
    for later, member in enumerate(members):
        for earlier in range(later):
            other = members[earlier]
            if other.municipality == member.municipality and other.overlaps(member):
                pairs.append((earlier, later))
                break
    return pairs


class Programme(CatalogModel):
    """A programme municipalities report in, as in ``catalog/reporting/data/<id>.yaml``."""

    schema_version: Literal[1] = REPORTING_SCHEMA_VERSION
    version: Version
    id: ProgrammeId
    name: Text
    description: Text | None = None
    organiser: str | None = None
    period: Period
    catalogue_programme: CatalogueProgramme | None = Field(
        default=None, description="The catalogue's programme whose goals this programme's goals link to"
    )
    documents: dict[DocumentKey, Document] = Field(default_factory=dict)
    levels: tuple[ProgrammeLevel, ...] = ()
    main_goals: tuple[MainGoal, ...] = ()
    goals: tuple[ProgrammeGoal, ...] = ()
    members: tuple[Member, ...] = ()
    source: Citation | None = None
    note: str | None = Field(default=None, description="For maintainers (English): what the sources leave open")

    def goal(self, goal_id: str) -> ProgrammeGoal:
        for goal in self.goals:
            if goal.id == goal_id:
                return goal
        known = [goal.id for goal in self.goals]
        raise KeyError(f"no goal {goal_id!r} in programme {self.id!r}{did_you_mean(goal_id, known)}")

    def level(self, level_id: str) -> ProgrammeLevel:
        for level in self.levels:
            if level.id == level_id:
                return level
        raise KeyError(f"no level {level_id!r} in programme {self.id!r}")

    def members_on(self, day: date) -> list[Member]:
        """The memberships that include ``day`` (invitations included; see :class:`MemberStatus`)."""
        return [m for m in self.members if m.start <= day and (m.end is None or day <= m.end)]

    def own_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        problems.extend(_unique_ids("levels", [level.id for level in self.levels]))
        problems.extend(_unique_ids("main_goals", [goal.id for goal in self.main_goals]))
        problems.extend(_unique_ids("goals", [goal.id for goal in self.goals]))
        for collection, goals in (("main_goals", self.main_goals), ("goals", self.goals)):
            numbers = [goal.number for goal in goals]
            paths: list[FieldPath] = [(collection, i, "number") for i in range(len(numbers))]
            problems.extend(duplicates(numbers, paths, "number"))
        main_ids = [goal.id for goal in self.main_goals]
        for g, goal in enumerate(self.goals):
            if goal.main_goal not in main_ids:
                message = f"unknown main goal {goal.main_goal!r}{did_you_mean(goal.main_goal, main_ids)}"
                problems.append((("goals", g, "main_goal"), message))
        linked: dict[str, int] = {}
        for g, goal in enumerate(self.goals):
            for k, goal_id in enumerate(goal.catalogue_goals):
                if goal_id in linked and linked[goal_id] != g:
                    first = self.goals[linked[goal_id]].id
                    message = f"{goal_id!r} is already linked from {first!r}"
                    problems.append((("goals", g, "catalogue_goals", k), message))
                linked.setdefault(goal_id, g)
        if self.catalogue_programme is None and (
            any(goal.catalogue_goals for goal in self.goals) or any(goal.catalogue_goal for goal in self.main_goals)
        ):
            problems.append((("catalogue_programme",), "name the catalogue's programme whose goals are linked"))
        for m, member in enumerate(self.members):
            problems.extend((("members", m, *path), message) for path, message in member_problems(self, member))
        for earlier, later in overlapping_members(list(self.members)):
            code = self.members[later].municipality
            problems.append(
                (("members", later, "from"), f"municipality {code} is already a member then (members[{earlier}])")
            )
        problems.extend(self._citation_problems())
        return problems

    def _citation_problems(self) -> list[Problem]:
        docs = self.documents
        cited: list[tuple[FieldPath, Citation | None]] = [(("source",), self.source)]
        cited.extend((("levels", i, "source"), level.source) for i, level in enumerate(self.levels))
        cited.extend((("main_goals", i, "source"), goal.source) for i, goal in enumerate(self.main_goals))
        cited.extend((("goals", i, "source"), goal.source) for i, goal in enumerate(self.goals))
        cited.extend((("members", i, "source"), member.source) for i, member in enumerate(self.members))
        return [problem for path, citation in cited for problem in citation_problems(citation, docs, path)]


def _unique_ids(collection: str, ids: list[str]) -> list[Problem]:
    return duplicates(ids, [(collection, i, "id") for i in range(len(ids))], "id")
