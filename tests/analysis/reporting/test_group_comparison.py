"""Members against non-members by size group (the shape of Table 5.7), on a SYNTHETIC source whose every figure is
computed by hand below.

SYNTHETIC municipalities (population 2015 → size group; membership):
  9101–9105  30 000  large, members          9106  25 000  large, not a member
  9201–9204   3 000  small, members          9205–9210  2 000  small, not members
  9301       10 000  medium, not a member (no 2019 value: left out)
  9999       no population in 2015 (no size group), not a member
"""

from __future__ import annotations

import pytest

from boligmonitor.analysis.reasons import reason
from boligmonitor.analysis.reporting import (
    MIN_GROUP_SIZE,
    MembersAgainstNonMembers,
    Membership,
    SkippedIndicator,
    members_against_non_members,
    membership_in_year,
)
from boligmonitor.catalog import Catalog, load_catalog
from boligmonitor.catalog.reporting import load_programme
from boligmonitor.core.flags import Flag
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status
from boligmonitor.geo.groups import SizeGroup

from .synthetic import SyntheticSource, count, member, missing, share, with_members

LARGE_MEMBERS = [f"910{i}" for i in range(1, 6)]
SMALL_MEMBERS = [f"920{i}" for i in range(1, 5)]
SMALL_OTHERS = [f"92{i:02d}" for i in range(5, 11)]
CODES = [*LARGE_MEMBERS, "9106", *SMALL_MEMBERS, *SMALL_OTHERS, "9301", "9999"]
POPULATION = {
    **dict.fromkeys(LARGE_MEMBERS, 30_000.0),
    "9106": 25_000.0,
    **dict.fromkeys(SMALL_MEMBERS, 3_000.0),
    **dict.fromkeys(SMALL_OTHERS, 2_000.0),
    "9301": 10_000.0,
}
# BEF03 (a share, per cent): (numerator, denominator) in 2015 and 2019
SHARES = {
    **dict.fromkeys(LARGE_MEMBERS, ((100, 1000), (120, 1000))),
    "9106": ((50, 500), (60, 500)),
    **dict.fromkeys(SMALL_MEMBERS, ((30, 300), (30, 300))),
    **dict.fromkeys(SMALL_OTHERS, ((20, 200), (30, 200))),
    "9999": ((1, 10), (1, 10)),
}
# FL05 (a count): 2015 and 2019
COUNTS = {**dict.fromkeys(LARGE_MEMBERS, (10, 13)), **dict.fromkeys(SMALL_OTHERS, (2, 1))}


def observations() -> list[Observation]:
    made: list[Observation] = [count("BEF01", code, 2015, population) for code, population in POPULATION.items()]
    for code, (start, end) in SHARES.items():
        flags = [Flag.ESTIMATED] if code == "9106" else []
        made += [share("BEF03", code, 2015, *start, flags=flags), share("BEF03", code, 2019, *end)]
    made += [share("BEF03", "9301", 2015, 10, 100), missing("BEF03", "9301", 2019, Status.CONFIDENTIAL, "percent")]
    made.append(share("BEF03", "9101", 2017, 110, 1000, flags=[Flag.SERIES_BREAK]))
    for code, (start_count, end_count) in COUNTS.items():
        made += [count("FL05", code, 2015, start_count), count("FL05", code, 2019, end_count)]
    return made


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def source() -> SyntheticSource:
    return SyntheticSource(CODES, observations(), version_id=7)


@pytest.fixture(scope="module")
def membership(source: SyntheticSource) -> Membership:
    programme = with_members(
        load_programme("bolig_for_velferd"), [member(c, 2014) for c in LARGE_MEMBERS + SMALL_MEMBERS]
    )
    return membership_in_year(programme, 2015, source)


@pytest.fixture(scope="module")
def table(source: SyntheticSource, catalog: Catalog, membership: Membership) -> MembersAgainstNonMembers:
    return members_against_non_members(
        source, catalog, membership, 2015, 2019, indicator_ids=["BEF03", "FL05", "BEF16", "BL05"]
    )


def test_size_groups_are_the_monitors_by_start_year_population(table: MembersAgainstNonMembers) -> None:
    sizes = table.size_groups
    assert sizes.year == 2015
    assert sizes.indicator_id == "BEF01"
    assert {sizes.groups[c] for c in LARGE_MEMBERS} == {SizeGroup.LARGE}
    assert sizes.groups["9301"] is SizeGroup.MEDIUM
    assert {sizes.groups[c] for c in SMALL_MEMBERS + SMALL_OTHERS} == {SizeGroup.SMALL}
    assert sizes.without_population == ("9999",)


def test_pooled_share_per_group_by_hand(table: MembersAgainstNonMembers) -> None:
    bef03 = table.indicator("BEF03")
    assert (bef03.aggregation, bef03.unit, bef03.multiplier) == ("pooled_rate", "percent", 100)
    assert (bef03.start_year, bef03.end_year, bef03.data_version) == (2015, 2019, 7)

    large_members = bef03.figure(True, SizeGroup.LARGE)
    # 5 × 100 / 5 × 1000 = 10 % → 5 × 120 / 5 000 = 12 %: +2 points, +20 %
    assert large_members.n_municipalities == 5
    assert large_members.start_value == pytest.approx(10.0)
    assert large_members.end_value == pytest.approx(12.0)
    assert large_members.absolute_change == pytest.approx(2.0)
    assert large_members.relative_change == pytest.approx(0.2)
    assert (large_members.start_numerator, large_members.start_denominator) == (500.0, 5000.0)

    small_others = bef03.figure(False, SizeGroup.SMALL)
    # 6 × 20 / 6 × 200 = 10 % → 6 × 30 / 1 200 = 15 %
    assert small_others.n_municipalities == 6
    assert small_others.start_value == pytest.approx(10.0)
    assert small_others.end_value == pytest.approx(15.0)
    assert small_others.relative_change == pytest.approx(0.5)

    everyone = bef03.figure(None, None)
    # 17 municipalities complete (9301 has no 2019 value): 791 / 7 910 = 10 % → 961 / 7 910
    assert everyone.n_municipalities == 17
    assert everyone.left_out == ("9301",)
    assert everyone.start_value == pytest.approx(10.0)
    assert everyone.end_value == pytest.approx(961 / 7910 * 100)

    members = bef03.figure(True, None)  # large and small members: 620 / 6 200 → 720 / 6 200
    assert members.n_municipalities == 9
    assert members.end_value == pytest.approx(720 / 6200 * 100)
    others = bef03.figure(False, None)  # 9106, six small, 9999 (no size group, in the totals): 171 → 241 of 1 710
    assert others.n_municipalities == 8
    assert others.end_value == pytest.approx(241 / 1710 * 100)


def test_no_figure_for_a_group_under_five_municipalities(table: MembersAgainstNonMembers) -> None:
    bef03 = table.indicator("BEF03")
    small_members = bef03.figure(True, SizeGroup.SMALL)
    assert small_members.n_municipalities == 4 < MIN_GROUP_SIZE
    assert not small_members.shown
    assert small_members.withheld is not None and "at least 5" in small_members.withheld
    assert (small_members.start_value, small_members.end_value, small_members.relative_change) == (None, None, None)
    assert small_members.start_numerator is None
    large_other = bef03.figure(False, SizeGroup.LARGE)
    assert (large_other.n_municipalities, large_other.shown) == (1, False)


def test_a_missing_value_leaves_the_municipality_out_never_zero(table: MembersAgainstNonMembers) -> None:
    medium_others = table.indicator("BEF03").figure(False, SizeGroup.MEDIUM)
    assert medium_others.n_municipalities == 0
    assert medium_others.left_out == ("9301",)
    assert medium_others.withheld == "no municipality in the group has a value in both years"
    medium_members = table.indicator("BEF03").figure(True, SizeGroup.MEDIUM)
    assert (medium_members.n_municipalities, medium_members.left_out) == (0, ())


def test_counts_are_summed(table: MembersAgainstNonMembers) -> None:
    fl05 = table.indicator("FL05")
    assert fl05.aggregation == "summed_count"
    large_members = fl05.figure(True, SizeGroup.LARGE)
    assert (large_members.start_value, large_members.end_value) == (50.0, 65.0)
    assert large_members.absolute_change == 15.0
    assert large_members.relative_change == pytest.approx(0.3)
    assert large_members.start_denominator is None
    small_others = fl05.figure(False, SizeGroup.SMALL)
    assert (small_others.start_value, small_others.end_value, small_others.relative_change) == (12.0, 6.0, -0.5)
    # municipalities without the count are left out, not counted as 0
    assert fl05.figure(None, None).n_municipalities == 11


def test_every_group_in_the_tables_order(table: MembersAgainstNonMembers) -> None:
    groups = [(f.member, f.size_group) for f in table.indicator("BEF03").figures]
    assert groups == [
        (None, None),
        (True, None),
        (False, None),
        (True, SizeGroup.LARGE),
        (False, SizeGroup.LARGE),
        (True, SizeGroup.MEDIUM),
        (False, SizeGroup.MEDIUM),
        (True, SizeGroup.SMALL),
        (False, SizeGroup.SMALL),
    ]


def test_flags_and_series_breaks_travel_with_the_figures(table: MembersAgainstNonMembers) -> None:
    bef03 = table.indicator("BEF03")
    assert Flag.ESTIMATED in bef03.figure(None, None).flags
    assert Flag.ESTIMATED not in bef03.figure(True, None).flags
    assert bef03.caveats == (
        "series break flagged in 2017 for 1 municipalities: the change from 2015 to 2019 includes a change of "
        "definition there",
    )


def test_indicators_that_cannot_be_compared_are_listed_with_the_reason(table: MembersAgainstNonMembers) -> None:
    assert [i.indicator_id for i in table.indicators] == ["BEF03", "FL05"]
    assert table.skipped == (
        SkippedIndicator("BEF16", "cannot be added up over municipalities (kind summary, unit nok_per_m2)"),
        SkippedIndicator("BL05", "no municipality has a value in 2015 and 2019"),
    )
    assert table.data_version == 7


def test_the_years_must_be_in_order(source: SyntheticSource, catalog: Catalog, membership: Membership) -> None:
    with pytest.raises(ValueError, match="must come after"):
        members_against_non_members(source, catalog, membership, 2019, 2019)


def test_default_indicators_are_the_catalogues_rates_shares_and_counts(
    source: SyntheticSource, catalog: Catalog, membership: Membership
) -> None:
    table = members_against_non_members(source, catalog, membership, 2015, 2019)
    assert [i.indicator_id for i in table.indicators] == ["BEF03"]  # FL05 is administrative: only when asked
    assert all(s.reason.startswith("no municipality has a value") for s in table.skipped)


def test_withheld_figures_skipped_indicators_and_caveats_are_keys_too(table: MembersAgainstNonMembers) -> None:
    bef03 = table.indicator("BEF03")
    assert bef03.figure(True, SizeGroup.SMALL).withheld_why == reason("comparison.withheld.small", n=4, min=5)
    assert [skipped.why for skipped in table.skipped] == [
        reason("skipped.not_additive", kind="summary", unit="nok_per_m2"),
        reason("skipped.no_value_in_years", first=2015, second=2019),
    ]
    for changes in table.indicators:
        assert [caveat.text for caveat in changes.caveat_reasons] == list(changes.caveats)
        for figure in changes.figures:
            assert (figure.withheld_why.text if figure.withheld_why else None) == figure.withheld
