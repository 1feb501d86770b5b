"""Programme membership as of a day or a year, carried to the source's codes, on SYNTHETIC members and codes."""

from __future__ import annotations

from datetime import date

import pytest

from boligmonitor.analysis.reporting import UnmatchedMember, membership_in_year, membership_on
from boligmonitor.catalog.reporting import Programme, load_programme
from boligmonitor.store.rows import RegionChangeRow

from .synthetic import SyntheticSource, member, with_members

SOURCE = SyntheticSource(["9001", "9002", "9003", "9501", "9502", "9503"], [])


@pytest.fixture(scope="module")
def programme() -> Programme:
    return with_members(
        load_programme("bolig_for_velferd"),
        [
            member("9001", 2014, 2020),
            member("9002", date(2014, 3, 1), date(2015, 6, 30)),
            member("9002", 2017, 2020),  # the same municipality again: joined is its first start
            member("9003", 2016, 2020, invited=True),
            member("9401", 2014, 2020),  # renumbered to 9501 in 2018
            member("9402", 2015, 2020),  # split into 9502 and 9503 in 2018
            member("9404", 2014, 2020),  # a code the source does not have
        ],
    )


CHANGES = [
    RegionChangeRow("9401", "SYNTHETIC A", "9501", "SYNTHETIC A", date(2018, 1, 1), "renumber"),
    RegionChangeRow("9402", "SYNTHETIC B", "9502", "SYNTHETIC B1", date(2018, 1, 1), "split"),
    RegionChangeRow("9402", "SYNTHETIC B", "9503", "SYNTHETIC B2", date(2018, 1, 1), "split"),
]


def test_a_membership_counts_in_every_year_it_overlaps(programme: Programme) -> None:
    assert membership_in_year(programme, 2015, SOURCE).members == {"9001", "9002"}
    assert membership_in_year(programme, 2016, SOURCE).members == {"9001"}  # 9002 left mid-2015, back in 2017
    assert membership_in_year(programme, 2017, SOURCE).members == {"9001", "9002"}
    assert membership_in_year(programme, 2013, SOURCE).members == frozenset()


def test_membership_on_a_day(programme: Programme) -> None:
    assert membership_on(programme, date(2015, 6, 30), SOURCE).members == {"9001", "9002"}
    assert membership_on(programme, date(2015, 7, 1), SOURCE).members == {"9001"}
    assert membership_on(programme, date(2015, 7, 1), SOURCE).as_of == "2015-07-01"


def test_invited_municipalities_count_only_when_asked(programme: Programme) -> None:
    assert "9003" not in membership_in_year(programme, 2016, SOURCE).members
    with_invited = membership_in_year(programme, 2016, SOURCE, include_invited=True)
    assert "9003" in with_invited.members
    assert with_invited.invited_included


def test_joined_is_the_start_of_the_membership_counted(programme: Programme) -> None:
    in_2015 = membership_in_year(programme, 2015, SOURCE, changes=CHANGES)
    assert in_2015.joined["9002"] == date(2014, 3, 1)
    assert in_2015.joined["9501"] == date(2014, 1, 1)
    assert in_2015.joined_years == (2014, 2014)
    in_2018 = membership_in_year(programme, 2018, SOURCE, changes=CHANGES)
    assert in_2018.joined["9002"] == date(2017, 1, 1)  # its membership of 2014–2015 does not overlap 2018
    assert in_2018.joined_years == (2014, 2017)


def test_codes_are_carried_through_renumbering_and_splits_are_reported(programme: Programme) -> None:
    membership = membership_in_year(programme, 2015, SOURCE, changes=CHANGES)
    assert membership.members == {"9001", "9002", "9501"}
    assert membership.recoded == (("9401", "9501"),)
    assert membership.unmatched == (
        UnmatchedMember("9402", "split into 9502, 9503: the membership covers only part of each"),
        UnmatchedMember("9404", "9404 is not among the source's municipalities"),
    )


def test_without_the_change_list_an_old_code_is_reported_not_dropped(programme: Programme) -> None:
    membership = membership_in_year(programme, 2015, SOURCE)
    assert {u.municipality for u in membership.unmatched} == {"9401", "9402", "9404"}
    assert membership.programme_id == "bolig_for_velferd"


def test_the_caller_places_a_member_the_change_list_cannot(programme: Programme) -> None:
    membership = membership_in_year(programme, 2015, SOURCE, changes=CHANGES, recode={"9402": "9502"})
    assert membership.members == {"9001", "9002", "9501", "9502"}
    assert membership.recoded == (("9401", "9501"), ("9402", "9502"))
    assert [u.municipality for u in membership.unmatched] == ["9404"]
