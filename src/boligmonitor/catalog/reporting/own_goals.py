"""A municipality's own goals and targets beside (or under) a programme's goals.

The evaluation of Husbanken's kommuneprogram found that municipalities could set their own result goals but
seldom did, and that reporting should be useful to the municipality itself (Agenda Kaupang/SOFAK 2020,
avsnitt 6.2.1). These models say what an own goal is; storing them is the store's (``store/reporting``), and
:func:`boligmonitor.catalog.reporting.cross_checks.own_goal_problems` checks one against its programme and the
catalogue's domain rules.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from boligmonitor.catalog.models import AmbitionKind, CatalogModel, IndicatorId, Problem, Unit
from boligmonitor.catalog.reporting.base import MunicipalityCode, ProgrammeId, ReportingText, Slug

Year = Annotated[int, Field(ge=1970, le=2100)]


class OwnTarget(CatalogModel):
    """A target for an own goal, read as the catalogue reads its goals (:class:`AmbitionKind`).

    It is measured either by a catalogue indicator (``indicator``; the target is in its unit) or by the
    municipality's own measure (``measure`` and ``unit``, one of the catalogue's units).
    """

    kind: AmbitionKind
    target: Annotated[float, Field(allow_inf_nan=False)]
    baseline_year: Year | None = None
    target_year: Year | None = None
    indicator: IndicatorId | None = None
    measure: ReportingText | None = Field(default=None, description="What is measured, without a catalogue indicator")
    unit: Unit | None = Field(default=None, description="The own measure's unit")

    def own_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        if self.indicator is None and (self.measure is None or self.unit is None):
            problems.append(((), "measure the target by a catalogue indicator, or give an own measure and its unit"))
        if self.indicator is not None and (self.measure is not None or self.unit is not None):
            problems.append((("indicator",), "a catalogue indicator has its own definition and unit"))
        if self.kind is AmbitionKind.RELATIVE_CHANGE and self.baseline_year is None:
            problems.append((("baseline_year",), "a relative change is measured from a baseline year"))
        if self.kind is not AmbitionKind.RELATIVE_CHANGE and self.baseline_year is not None:
            problems.append((("baseline_year",), "a baseline year belongs to a relative_change target"))
        if self.kind is AmbitionKind.REACH_SHARE and not 0 <= self.target <= 100:
            problems.append((("target",), "reach_share is a percentage between 0 and 100"))
        if self.kind is AmbitionKind.RELATIVE_CHANGE and self.target <= -100:
            problems.append((("target",), "a fall of 100 % or more leaves nothing: give a change above -100"))
        if self.baseline_year is not None and self.target_year is not None and self.target_year <= self.baseline_year:
            problems.append((("target_year",), "the target year comes after the baseline year"))
        return problems


class OwnGoal(CatalogModel):
    """A goal a municipality sets itself in a programme, under one of the programme's goals or beside them."""

    id: Slug
    programme: ProgrammeId
    municipality: MunicipalityCode
    programme_goal: Slug | None = Field(
        default=None, description="The programme goal it makes concrete; None: a goal of the municipality's own"
    )
    name: ReportingText
    description: ReportingText | None = None
    adopted: date | None = Field(default=None, description="When the municipality adopted it, if it says")
    targets: tuple[OwnTarget, ...] = ()
