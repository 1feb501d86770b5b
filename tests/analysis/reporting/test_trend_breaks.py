"""The trend-break test at the programme's start for members and non-members, on SYNTHETIC series 2008–2019.

SYNTHETIC members 9101–9105 count 10 + i + (year − 2008), plus 5 each from 2014: the members' sum is
65 + 5·(year − 2008) + 25 from 2014, a level change of exactly 25 and no change of slope. Member 9106 has no 2010
value and is left out of the panel. The four non-members are too few to test.
"""

from __future__ import annotations

import pytest

from boligmonitor.analysis.breaks import trend_break_test
from boligmonitor.analysis.reasons import reason
from boligmonitor.analysis.reporting import Membership, ProgrammeBreaks, membership_in_year, programme_trend_breaks
from boligmonitor.analysis.reporting.trend_breaks import POOLED_VALUE_CAVEAT, SELECTION_CAVEAT
from boligmonitor.catalog import Catalog, load_catalog
from boligmonitor.catalog.reporting import Programme, load_programme
from boligmonitor.core.flags import Flag
from boligmonitor.core.observation import Observation

from .synthetic import SyntheticSource, count, member, share, with_members

YEARS = range(2008, 2020)
MEMBERS = [f"910{i}" for i in range(1, 6)]
OTHERS = ["9201", "9202", "9203", "9204"]


def observations() -> list[Observation]:
    made: list[Observation] = []
    for year in YEARS:
        jump = 5 if year >= 2014 else 0
        made += [count("FL05", code, year, 10 + i + (year - 2008) + jump) for i, code in enumerate(MEMBERS, 1)]
        if year != 2010:
            made.append(count("FL05", "9106", year, 100))
        made += [count("FL05", code, year, 3) for code in OTHERS]
        # BEF03: members 9101–9105 at 100 + year − 2008 of 1 000; 9101 has a flagged series break in 2011
        made += [
            share(
                "BEF03",
                code,
                year,
                100 + year - 2008,
                1000,
                flags=[Flag.SERIES_BREAK] * (code == "9101" and year == 2011),
            )
            for code in MEMBERS
        ]
    return made


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def source() -> SyntheticSource:
    return SyntheticSource([*MEMBERS, "9106", *OTHERS], observations())


@pytest.fixture(scope="module")
def programme() -> Programme:
    joined = [member(code, 2014) for code in MEMBERS[:3]] + [member(code, 2016) for code in [*MEMBERS[3:], "9106"]]
    return with_members(load_programme("bolig_for_velferd"), joined)


@pytest.fixture(scope="module")
def membership(programme: Programme, source: SyntheticSource) -> Membership:
    return membership_in_year(programme, 2016, source)


@pytest.fixture(scope="module")
def breaks(source: SyntheticSource, catalog: Catalog, programme: Programme, membership: Membership) -> ProgrammeBreaks:
    return programme_trend_breaks(source, catalog, programme, membership, indicator_ids=["FL05", "BEF03", "BEF16"])


def test_the_members_series_is_the_panel_sum_and_the_break_is_found(breaks: ProgrammeBreaks) -> None:
    fl05 = breaks.indicator("FL05")
    assert (fl05.break_year, fl05.kind, fl05.aggregation) == (2014, "value", "summed_count")  # programme start
    assert fl05.years == tuple(YEARS)
    members = fl05.members
    assert (members.n_municipalities, members.left_out) == (5, ("9106",))
    assert [p.value for p in members.points] == [65 + 5 * (y - 2008) + 25 * (y >= 2014) for y in YEARS]
    assert members.computed
    assert members.result is not None and members.result.level_change is not None
    assert members.result.level_change.estimate == pytest.approx(25.0)
    assert members.result.slope_change is not None
    assert members.result.slope_change.estimate == pytest.approx(0.0, abs=1e-9)


def test_the_test_itself_is_the_projects(breaks: ProgrammeBreaks) -> None:
    members = breaks.indicator("FL05").members
    assert members.result == trend_break_test(members.points, 2014, kind="value")


def test_caveats_are_data(breaks: ProgrammeBreaks) -> None:
    members = breaks.indicator("FL05").members
    assert members.caveats == (
        "The series rests on the 5 of the group's 6 municipalities with a value in every year 2008–2019; the other "
        "1 are left out.",
        SELECTION_CAVEAT,
        "Members joined between 2014 and 2016, while the break is tested at 2014: members who joined later were not "
        "yet in the programme then.",
        POOLED_VALUE_CAVEAT,
    )
    assert members.result is not None
    assert members.all_caveats == members.caveats + members.result.caveats
    assert any(caveat.startswith("Few points") for caveat in members.all_caveats)


def test_a_group_under_five_municipalities_is_not_tested(breaks: ProgrammeBreaks) -> None:
    others = breaks.indicator("FL05").non_members
    assert (others.n_municipalities, others.result, others.points) == (4, None, ())
    assert not others.computed
    assert others.reason == (
        "only 4 municipalities with a value in every year 2008–2019: a group series is tested when it rests on at "
        "least 5"
    )


def test_a_series_break_in_one_municipality_breaks_the_groups_series(breaks: ProgrammeBreaks) -> None:
    members = breaks.indicator("BEF03").members
    point = members.points[3]
    assert (point.year, point.numerator, point.denominator, point.series_break) == (2011, 5 * 103, 5000, True)
    assert point.value == pytest.approx(10.3)
    assert not members.computed
    assert members.reason.startswith("flagged series break in 2011 inside the window")


def test_skipped_and_chosen_models(
    source: SyntheticSource, catalog: Catalog, programme: Programme, membership: Membership, breaks: ProgrammeBreaks
) -> None:
    assert [s.indicator_id for s in breaks.skipped] == ["BEF16"]
    proportion = programme_trend_breaks(
        source,
        catalog,
        programme,
        membership,
        indicator_ids=["FL05", "BEF03"],
        kind="proportion",
        years=range(2012, 2020),
    )
    assert [s.reason for s in proportion.skipped] == ["a count has no denominator for the proportion model"]
    bef03 = proportion.indicator("BEF03")
    assert bef03.years == tuple(range(2012, 2020))  # the chosen window, after the flagged break
    assert bef03.members.result is not None and bef03.members.result.method.startswith("segmented binomial")
    assert POOLED_VALUE_CAVEAT not in bef03.members.caveats


def test_the_membership_must_be_the_programmes(source: SyntheticSource, catalog: Catalog, programme: Programme) -> None:
    other = with_members(load_programme("boligsosialt_utviklingsprogram_midt_norge"), [])
    membership = membership_in_year(other, 2016, source)
    with pytest.raises(ValueError, match="membership is of"):
        programme_trend_breaks(source, catalog, programme, membership, indicator_ids=["FL05"])


def test_reasons_and_caveats_are_keys_with_parameters_too(breaks: ProgrammeBreaks) -> None:
    members = breaks.indicator("FL05").members
    assert members.why is not None and members.why.key == "break_test.computed"
    keys = [caveat.key for caveat in members.all_caveat_reasons]
    assert keys[:4] == ["breaks.left_out", "breaks.selection", "breaks.joined", "breaks.pooled_value"]
    assert keys[4:] == [
        "break_test.few_points",
        "break_test.autocorrelation.dw.model_based",
        "break_test.concurrent",
        "break_test.geography",
    ]  # every sentence of the test known here: none kept untranslated
    assert [caveat.text for caveat in members.all_caveat_reasons] == list(members.all_caveats)
    assert dict(members.all_caveat_reasons[0].params) == {
        "panel": 5,
        "group": 6,
        "left_out": 1,
        "first": 2008,
        "last": 2019,
    }
    others = breaks.indicator("FL05").non_members
    assert others.why == reason("breaks.too_small", n=4, first=2008, last=2019, min=5)
    broken = breaks.indicator("BEF03").members
    assert broken.why is not None and broken.why.key == "break_test.other_breaks"
    assert broken.why.text == broken.reason
