"""Goal attainment of the real bolig_for_velferd programme's goals (ambition levels from the catalogue) for a
SYNTHETIC membership on SYNTHETIC values, every colour reasoned by hand below.

SYNTHETIC members: 9101 and 9102 (joined 2014), 9103 (joined 2016); 9201 is not a member.
"""

from __future__ import annotations

from datetime import date

import pytest

from boligmonitor.analysis.reasons import reason
from boligmonitor.analysis.reporting import (
    PROGRAMME_SCOPE,
    AttainmentKey,
    AttainmentResult,
    ProgrammeAttainment,
    goal_attainment,
    membership_in_year,
)
from boligmonitor.catalog import Catalog, load_catalog
from boligmonitor.catalog.reporting import Programme, load_programme
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status

from .synthetic import SyntheticSource, count, member, missing, share, with_members

MEMBERS = ["9101", "9102", "9103"]
# BU08 (start loans to families with children, per cent; at least 50): numerators of 100, 2016–2019
BU08 = {"9101": [60, 60, 60, 60], "9102": [30, 35, 38, 40], "9103": [45, 44, 42, 40]}
# BL05 (social assistance recipients without a home; −30 % from 2014)
BL05 = {"9101": {2014: 50, 2019: 30}, "9102": {2014: 30, 2019: 20}, "9103": {2014: 20, 2019: 15}}
# KB01 (municipal dwellings; +10 %, no baseline year in the catalogue)
KB01 = {"9101": {2014: 100, 2016: 105, 2019: 112}, "9102": {2014: 50, 2016: 50, 2019: 52}}
KB01["9103"] = {2014: 10, 2016: 20, 2019: 21}
# KB11 (tilvisningsavtaler; at least 120 for the programme as a whole)
KB11 = {"9101": {2018: 45, 2019: 50}, "9102": {2018: 35, 2019: 40}, "9103": {2018: 20, 2019: 20}}


def observations() -> list[Observation]:
    made: list[Observation] = []
    for code, numerators in BU08.items():
        made += [share("BU08", code, year, x, 100) for year, x in zip(range(2016, 2020), numerators, strict=True)]
    for indicator, values in (("BL05", BL05), ("KB01", KB01), ("KB11", KB11)):
        made += [
            count(indicator, code, year, value) for code, by_year in values.items() for year, value in by_year.items()
        ]
    made += [count("BL05", "9101", 2018, 40), missing("BL05", "9102", 2018, Status.CONFIDENTIAL)]
    made += [count("BL05", "9103", 2018, 16), count("BL05", "9201", 2019, 1000)]
    return made


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def source() -> SyntheticSource:
    return SyntheticSource([*MEMBERS, "9201"], observations(), version_id=5)


@pytest.fixture(scope="module")
def programme() -> Programme:
    members = [member("9101", 2014), member("9102", 2014), member("9103", 2016)]
    return with_members(load_programme("bolig_for_velferd"), members)


@pytest.fixture(scope="module")
def attainment(source: SyntheticSource, catalog: Catalog, programme: Programme) -> ProgrammeAttainment:
    return goal_attainment(source, catalog, programme, membership_in_year(programme, 2019, source), 2019)


def result(found: ProgrammeAttainment, goal: str, catalogue_goal: str, indicator: str, scope: str) -> AttainmentResult:
    return found.result(AttainmentKey(goal, catalogue_goal, indicator, scope, found.year))


def startlan(found: ProgrammeAttainment, scope: str) -> AttainmentResult:
    return result(found, "mal_08_hjelp_til_kjop", "kp_startlan_barnefamilier", "BU08", scope)


def test_at_least_for_the_programme_pools_the_members(attainment: ProgrammeAttainment) -> None:
    programme = startlan(attainment, PROGRAMME_SCOPE)
    # 2019: (60 + 40 + 40) / 300 = 46.7 % < 50 %; pooled 45.0, 46.3, 46.7, 46.7 in 2016–2019: moving towards
    assert programme.status.value == pytest.approx(140 / 3)
    assert programme.status.colour == "yellow"
    assert programme.status.direction == "towards"
    assert (programme.n_municipalities, programme.n_with_value, programme.applies_to) == (3, 3, "municipality")
    assert programme.ambition is not None and (programme.ambition.kind, programme.ambition.target) == ("at_least", 50)
    assert programme.note == "target: at least 50 (percent)"
    assert programme.data_version == 5


def test_each_member_on_its_own_series(attainment: ProgrammeAttainment) -> None:
    assert startlan(attainment, "9101").status.colour == "green"  # 60 % ≥ 50 %
    assert startlan(attainment, "9102").status.colour == "yellow"  # 40 %, rising
    assert startlan(attainment, "9103").status.colour == "red"  # 40 %, falling
    assert startlan(attainment, "9103").status.direction == "away"
    assert startlan(attainment, "9101").n_municipalities == 1


def test_relative_change_sums_the_members_counts(attainment: ProgrammeAttainment) -> None:
    programme = result(attainment, "mal_01_overgangsfase", "kp_sosialhjelp_uten_bolig", "BL05", PROGRAMME_SCOPE)
    # 100 in 2014 → 65 in 2019 against a target of 70 (−30 %)
    assert (programme.status.colour, programme.status.value, programme.status.target_value) == ("green", 65, 70)
    assert programme.status.baseline_year == 2014
    member = result(attainment, "mal_01_overgangsfase", "kp_sosialhjelp_uten_bolig", "BL05", "9103")
    assert member.status.colour == "yellow"  # 20 → 15: −25 %, falling towards the target of 14


def test_a_relative_goal_without_baseline_year_starts_at_programme_start_or_joining(
    attainment: ProgrammeAttainment,
) -> None:
    programme = result(attainment, "mal_05_variert_boligtilbud", "kp_kommunale_boliger_okning", "KB01", PROGRAMME_SCOPE)
    assert programme.ambition is not None and programme.ambition.baseline_year == 2014  # the programme's first year
    assert programme.status.colour == "green"  # 185 ≥ 160 · 1.1
    assert programme.status.target_value == pytest.approx(176.0)
    assert programme.note is not None and "the programme's first year" in programme.note
    joined_2016 = result(attainment, "mal_05_variert_boligtilbud", "kp_kommunale_boliger_okning", "KB01", "9103")
    assert joined_2016.ambition is not None and joined_2016.ambition.baseline_year == 2016  # the year it joined
    # from 20 in 2016 the target is 22: 21 is short of it (from 2014's 10 it would have been green)
    assert joined_2016.status.colour == "yellow"
    assert joined_2016.status.target_value == pytest.approx(22.0)
    assert joined_2016.note == "target: +10 % from 2016 (the goal gives no baseline year: the year the member joined)"


def test_a_programme_target_is_assessed_for_the_programme_only(attainment: ProgrammeAttainment) -> None:
    rows = [r for r in attainment.results if r.key.indicator_id == "KB11"]
    assert [r.key.scope for r in rows] == [PROGRAMME_SCOPE]
    (programme,) = rows
    assert programme.applies_to == "programme_aggregate"
    assert (programme.status.value, programme.status.colour) == (110, "yellow")  # 110 of 120, up from 100


def test_goals_that_cannot_be_assessed_are_grey_with_the_reason(attainment: ProgrammeAttainment) -> None:
    reach_share = result(
        attainment, "mal_07_veiledning_leiemarked", "kp_veiledning_leiemarked", "RU01", PROGRAMME_SCOPE
    )
    assert reach_share.status.colour == "grey"
    assert (
        reach_share.status.reason
        == "a share of the programme's municipalities answering yes: needs their reported answers"
    )
    unlinked = attainment.result(AttainmentKey("mal_04_bosetting_flyktninger", None, None, PROGRAMME_SCOPE, 2019))
    assert unlinked.status.reason == "no catalogue goal (ambition level and indicators) is linked to this goal"
    no_data = result(attainment, "mal_08_hjelp_til_kjop", "kp_startlan_barnefamilier", "HB03", "9101")
    assert (no_data.status.colour, no_data.status.reason, no_data.n_with_value) == ("grey", "no value for 2019", 0)
    zero_change = result(attainment, "mal_09_trygg_eid_bolig", "kp_startlan_refinansiering", "HB02", PROGRAMME_SCOPE)
    assert zero_change.status.colour == "grey"
    assert zero_change.status.reason == "a change of 0 % on a neutral indicator has no direction to judge"
    assert all(r.status.colour in {"green", "yellow", "red", "grey"} for r in attainment.results)


def test_the_programme_value_needs_every_member(
    source: SyntheticSource, catalog: Catalog, programme: Programme
) -> None:
    in_2018 = goal_attainment(source, catalog, programme, membership_in_year(programme, 2018, source), 2018)
    programme_row = result(in_2018, "mal_01_overgangsfase", "kp_sosialhjelp_uten_bolig", "BL05", PROGRAMME_SCOPE)
    assert programme_row.status.colour == "grey"  # 9102 is ":" in 2018: no programme total, never a partial one
    assert programme_row.status.value is None
    assert programme_row.n_with_value == 2
    assert programme_row.note is not None
    assert programme_row.note.endswith(
        "2 of 3 members have a value in 2018: the programme's value needs every member's"
    )


def test_every_member_gets_every_municipal_goal(attainment: ProgrammeAttainment) -> None:
    members_rows = {r.key.scope for r in attainment.results} - {PROGRAMME_SCOPE}
    assert members_rows == set(MEMBERS)  # 9201 is not a member
    assert attainment.membership.joined["9103"] == date(2016, 1, 1)


def test_a_programme_without_members_in_the_source(source: SyntheticSource, catalog: Catalog) -> None:
    empty = with_members(load_programme("bolig_for_velferd"), [member("9404", 2014)])  # not in the source
    membership = membership_in_year(empty, 2019, source)
    assert membership.members == frozenset()
    found = goal_attainment(source, catalog, empty, membership, 2019)
    row = startlan(found, PROGRAMME_SCOPE)
    assert (row.status.colour, row.status.reason, row.n_municipalities) == (
        "grey",
        "the programme has no members in the source",
        0,
    )
    assert {r.key.scope for r in found.results} == {PROGRAMME_SCOPE}


def test_reasons_and_notes_are_keys_with_parameters_too(attainment: ProgrammeAttainment) -> None:
    reach_share = result(
        attainment, "mal_07_veiledning_leiemarked", "kp_veiledning_leiemarked", "RU01", PROGRAMME_SCOPE
    )
    assert reach_share.status.why == reason("ambition.reach_share")
    no_data = result(attainment, "mal_08_hjelp_til_kjop", "kp_startlan_barnefamilier", "HB03", "9101")
    assert no_data.status.why == reason("goal.no_value", year=2019)
    assert no_data.notes == (reason("ambition.at_least", target=50.0, unit="percent"),)
    for found in attainment.results:
        assert found.status.why is not None and found.status.why.translated
        assert found.status.why.text == found.status.reason  # the English field is the key's sentence
        assert "; ".join(note.text for note in found.notes) == (found.note or "")


def test_the_coverage_note_is_a_key_with_its_counts(
    source: SyntheticSource, catalog: Catalog, programme: Programme
) -> None:
    in_2018 = goal_attainment(source, catalog, programme, membership_in_year(programme, 2018, source), 2018)
    programme_row = result(in_2018, "mal_01_overgangsfase", "kp_sosialhjelp_uten_bolig", "BL05", PROGRAMME_SCOPE)
    assert programme_row.notes[-1] == reason("attainment.coverage", with_value=2, n=3, year=2018)
