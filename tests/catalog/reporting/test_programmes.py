"""The packaged programmes: Bolig for velferd's kommuneprogram (levels, 3 main goals and 15 goals linked to the
catalogue's goals) and the Midt-Norge programme with its real members of 2009–2012 and 2013–2016."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from boligmonitor.catalog import AmbitionKind, Catalog
from boligmonitor.catalog.reporting import MemberStatus, Programme, load_programme, programme_ids

MIDT_NORGE = "boligsosialt_utviklingsprogram_midt_norge"
# Tabell 2.1 of the evaluation: goals 1–9 under main goal 1, 10–11 under 2, 12–15 under 3.
MAIN_GOAL_OF_GOAL = {number: 1 if number <= 9 else 2 if number <= 11 else 3 for number in range(1, 16)}


def test_the_package_has_both_programmes() -> None:
    assert programme_ids() == ("bolig_for_velferd", MIDT_NORGE)


def test_bolig_for_velferd_has_three_levels_of_which_two_report(programme: Programme) -> None:
    assert [level.id for level in programme.levels] == ["storbyprogram", "by_og_tettstedsprogram", "grunntilbud"]
    assert [level.reports for level in programme.levels] == [True, True, False]
    assert programme.level("storbyprogram").name.nb == "Storbyprogram"
    assert (programme.period.start, programme.period.end) == (2014, 2020)


def test_bolig_for_velferd_has_the_three_main_goals_and_fifteen_goals_of_table_2_1(programme: Programme) -> None:
    main_number = {main.id: main.number for main in programme.main_goals}
    assert sorted(main_number.values()) == [1, 2, 3]
    assert [goal.number for goal in programme.goals] == list(range(1, 16))
    assert {goal.number: main_number[goal.main_goal] for goal in programme.goals} == MAIN_GOAL_OF_GOAL
    assert programme.goal("mal_07_veiledning_leiemarked").name.nb == (
        "Vanskeligstilte får veiledning om det private leiemarkedet"
    )


def test_goals_take_their_ambition_levels_from_the_catalogue(programme: Programme, catalog: Catalog) -> None:
    linked = {goal_id for goal in programme.goals for goal_id in goal.catalogue_goals}
    assert all(catalog.goal(goal_id).programme == "bolig_for_velferd" for goal_id in linked)
    first = catalog.goal(programme.goal("mal_01_overgangsfase").catalogue_goals[0])
    assert (first.kind, first.target, first.baseline_year) == (AmbitionKind.RELATIVE_CHANGE, -30, 2014)
    main_goals = [main.catalogue_goal for main in programme.main_goals]
    assert main_goals == [
        "bfv_alle_godt_sted_a_bo",
        "bfv_hjelp_til_a_mestre_boforholdet",
        "bfv_helhetlig_og_effektiv_innsats",
    ]
    # The goals without a quantitative result indicator in 2018 (Tabell 2.1) link no ambition either.
    unlinked = [goal.number for goal in programme.goals if not goal.catalogue_goals]
    assert unlinked == [4, 11, 12, 14]


def test_the_midt_norge_members_are_those_the_seed_names() -> None:
    programme = load_programme(MIDT_NORGE)
    first = {m.name for m in programme.members if m.start == date(2009, 1, 1) and m.end == date(2012, 12, 31)}
    second = {m.name for m in programme.members if m.start == date(2013, 1, 1) and m.end == date(2016, 12, 31)}
    eight = {"Trondheim", "Ålesund", "Molde", "Kristiansund", "Stjørdal", "Steinkjer", "Levanger", "Verdal"}
    assert first == eight
    assert second == eight | {"Melhus", "Namsos"}
    assert {m.status for m in programme.members if m.start.year == 2009} == {MemberStatus.MEMBER}
    assert {m.status for m in programme.members if m.start.year == 2013} == {MemberStatus.INVITED}
    assert len(programme.members_on(date(2010, 6, 1))) == 8
    assert len(programme.members_on(date(2014, 6, 1))) == 10
    assert programme.members_on(date(2017, 1, 1)) == []
    assert all(member.source is not None for member in programme.members)


def test_the_midt_norge_codes_are_the_registers_codes_for_those_names_then(shared_data: Path) -> None:
    """Each code belongs to its municipality in the years of the membership: in the KLASS change list it changes
    only after 2016, or (Kristiansund) it is unchanged and in the list of historical codes."""
    registry = shared_data / "registry"
    with (registry / "klass131_changes_2011_2024.csv").open(encoding="utf-8") as handle:
        changes = {row["oldCode"]: row for row in csv.DictReader(handle)}
    with (registry / "rogfk_kommune_sentralitet_1994_2024.csv").open(encoding="utf-8") as handle:
        historical = {row["kommune_kode"]: row["kommune_navn"] for row in csv.DictReader(handle)}
    for member in load_programme(MIDT_NORGE).members:
        assert member.name is not None
        change = changes.get(member.municipality)
        if change is not None:
            assert change["oldName"] == member.name
            assert date.fromisoformat(change["changeOccurred"]) > date(2016, 12, 31)
        else:
            assert historical[member.municipality].strip() == member.name
