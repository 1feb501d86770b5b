"""The quantitative analysis of a programme's reporting (issue 14, part 6; docs/methods/programme-analysis.md):
pure functions over an :class:`~boligmonitor.analysis.reading.ObservationSource` and a
:class:`~boligmonitor.catalog.reporting.Programme`. Typical use::

    from boligmonitor.analysis.reporting import (
        goal_attainment, members_against_non_members, members_share_of_national_total, membership_in_year,
        programme_trend_breaks,
    )

    with store.snapshot() as reader:                      # one data version for every figure
        membership = membership_in_year(programme, 2019, reader, changes=reader.region_changes())
        table_5_7 = members_against_non_members(reader, catalog, membership, 2015, 2019)
        shares = members_share_of_national_total(reader, catalog, membership, range(2014, 2020))
        breaks = programme_trend_breaks(reader, catalog, programme, membership, indicator_ids=["BEF03"])
        colours = goal_attainment(reader, catalog, programme, membership, 2019)

Every result carries its year(s), indicator ids, group sizes and the data version id when the source gives it;
missing values are never counted as 0.
"""

from boligmonitor.analysis.reporting.attainment import (
    PROGRAMME_SCOPE,
    AttainmentKey,
    AttainmentResult,
    ProgrammeAttainment,
    ambition_for,
    goal_attainment,
)
from boligmonitor.analysis.reporting.common import (
    MIN_GROUP_SIZE,
    QUANTITATIVE_KINDS,
    Aggregation,
    SkippedIndicator,
    aggregation_of,
    data_version_of,
)
from boligmonitor.analysis.reporting.group_comparison import (
    GroupFigure,
    IndicatorGroupChanges,
    MembersAgainstNonMembers,
    members_against_non_members,
)
from boligmonitor.analysis.reporting.membership import (
    Membership,
    UnmatchedMember,
    membership_in_year,
    membership_on,
)
from boligmonitor.analysis.reporting.national_share import (
    NationalShare,
    NationalShares,
    members_share_of_national_total,
)
from boligmonitor.analysis.reporting.overrides import (
    AppliedOverrides,
    AssessedAttainment,
    AttainmentOverride,
    apply_overrides,
)
from boligmonitor.analysis.reporting.size_groups import SizeGroups, municipality_size_groups
from boligmonitor.analysis.reporting.trend_breaks import (
    GroupBreak,
    ProgrammeBreak,
    ProgrammeBreaks,
    programme_trend_breaks,
)

__all__ = [
    "MIN_GROUP_SIZE",
    "PROGRAMME_SCOPE",
    "QUANTITATIVE_KINDS",
    "Aggregation",
    "AppliedOverrides",
    "AssessedAttainment",
    "AttainmentKey",
    "AttainmentOverride",
    "AttainmentResult",
    "GroupBreak",
    "GroupFigure",
    "IndicatorGroupChanges",
    "MembersAgainstNonMembers",
    "Membership",
    "NationalShare",
    "NationalShares",
    "ProgrammeAttainment",
    "ProgrammeBreak",
    "ProgrammeBreaks",
    "SizeGroups",
    "SkippedIndicator",
    "UnmatchedMember",
    "aggregation_of",
    "ambition_for",
    "apply_overrides",
    "data_version_of",
    "goal_attainment",
    "members_against_non_members",
    "members_share_of_national_total",
    "membership_in_year",
    "membership_on",
    "municipality_size_groups",
    "programme_trend_breaks",
]
