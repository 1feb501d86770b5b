"""The permission table (permissions.yaml) and the one rule that reads it.

POLICY below is the authorisation matrix at the level of actions: every role × every action × (no municipality,
her own municipality, another municipality of her region, a municipality of another region). It is written out
by hand: changing one cell of permissions.yaml fails this test until the table here is changed too, on purpose.
tests/web/auth/test_authorisation_matrix.py checks the same cells end to end through ``require`` on routes.
"""

from __future__ import annotations

from typing import Final

import pytest

from boligmonitor.store.accounts import Action, Holder, Reach, Role, permits
from boligmonitor.store.accounts.roles import ACCOUNT_ROLES, in_areas, parse_permissions, permissions, reaches
from tests.store.accounts.synthetic import (
    OTHER_MUNICIPALITY,
    OTHER_REGION_MUNICIPALITY,
    OWN_MUNICIPALITY,
    SYNTHETIC_REGIONS,
)

PUB, ADM, ANA, ADV, REP, REA = (
    Role.PUBLIC,
    Role.ADMINISTRATOR,
    Role.HUSBANKEN_ANALYST,
    Role.REGIONAL_ADVISER,
    Role.MUNICIPAL_REPORTER,
    Role.MUNICIPAL_READER,
)
ALL, NOTHING = "YYYY", "NNNN"
# Columns: no municipality | own municipality | another municipality in her region | a municipality in another region
POLICY: Final[dict[Action, dict[Role, str]]] = {
    Action.MONITOR_READ: {PUB: ALL, ADM: ALL, ANA: ALL, ADV: ALL, REP: ALL, REA: ALL},
    Action.PUBLISHED_READ: {PUB: ALL, ADM: ALL, ANA: ALL, ADV: ALL, REP: ALL, REA: ALL},
    Action.SIGN_IN: {PUB: ALL, ADM: ALL, ANA: ALL, ADV: ALL, REP: ALL, REA: ALL},
    Action.OWN_ACCOUNT: {PUB: NOTHING, ADM: ALL, ANA: ALL, ADV: ALL, REP: ALL, REA: ALL},
    Action.MANAGE_ACCOUNTS: {PUB: NOTHING, ADM: ALL, ANA: NOTHING, ADV: NOTHING, REP: NOTHING, REA: NOTHING},
    Action.AUDIT_READ: {PUB: NOTHING, ADM: ALL, ANA: NOTHING, ADV: NOTHING, REP: NOTHING, REA: NOTHING},
    Action.REPORT_READ: {PUB: NOTHING, ADM: NOTHING, ANA: ALL, ADV: "YYYN", REP: "YYNN", REA: "YYNN"},
    Action.REPORT_EDIT: {PUB: NOTHING, ADM: NOTHING, ANA: NOTHING, ADV: NOTHING, REP: "YYNN", REA: NOTHING},
    Action.REPORT_SUBMIT: {PUB: NOTHING, ADM: NOTHING, ANA: NOTHING, ADV: NOTHING, REP: "YYNN", REA: NOTHING},
    Action.REPORT_RETURN: {PUB: NOTHING, ADM: NOTHING, ANA: NOTHING, ADV: "YYYN", REP: NOTHING, REA: NOTHING},
    Action.REPORT_COMMENT: {PUB: NOTHING, ADM: NOTHING, ANA: NOTHING, ADV: "YYYN", REP: "YYNN", REA: NOTHING},
    Action.ANALYSIS_READ: {PUB: NOTHING, ADM: NOTHING, ANA: ALL, ADV: "YYYN", REP: NOTHING, REA: NOTHING},
    Action.ANALYSIS_EDIT: {PUB: NOTHING, ADM: NOTHING, ANA: ALL, ADV: NOTHING, REP: NOTHING, REA: NOTHING},
}
TARGETS: Final = (None, OWN_MUNICIPALITY, OTHER_MUNICIPALITY, OTHER_REGION_MUNICIPALITY)


def holder_for(role: Role) -> Holder:
    """The SYNTHETIC person of each role: municipal roles in 5001, the adviser in region Midt (county 50)."""
    if role in (REP, REA):
        return Holder(role, municipality=OWN_MUNICIPALITY)
    if role is ADV:
        return Holder(role, region_areas=SYNTHETIC_REGIONS["Midt (synthetic)"])
    return Holder(role)


def cells(holder: Holder, action: Action) -> str:
    return "".join("Y" if permits(holder, action, target) else "N" for target in TARGETS)


def test_the_matrix_covers_every_action_and_every_role() -> None:
    assert set(POLICY) == set(Action)
    assert all(set(row) == set(Role) for row in POLICY.values())


def test_every_cell_of_the_policy_is_as_written() -> None:
    actual = {action: {role: cells(holder_for(role), action) for role in Role} for action in Action}
    assert actual == POLICY


def test_the_public_has_no_municipality_and_no_region() -> None:
    public = holder_for(Role.PUBLIC)
    for action in Action:
        assert cells(public, action) in (ALL, NOTHING), action


def test_a_municipal_role_without_a_municipality_reaches_no_municipality() -> None:
    # Cannot happen through the store (check_assignment), but the rule must not open up if it did.
    assert not permits(Holder(REP), Action.REPORT_EDIT, OWN_MUNICIPALITY)
    assert not permits(Holder(ADV), Action.REPORT_RETURN, OWN_MUNICIPALITY)


def test_regions_hold_counties_and_single_municipalities() -> None:
    east = SYNTHETIC_REGIONS["Øst (synthetic)"]
    assert in_areas("0301", east)
    assert in_areas("3201", east)  # county 32 listed
    assert not in_areas("5001", east)
    assert not in_areas("0302", east)  # a municipality listed alone does not bring its county


def test_list_pages_see_only_what_the_role_reaches() -> None:
    every = frozenset({OWN_MUNICIPALITY, OTHER_MUNICIPALITY, OTHER_REGION_MUNICIPALITY})
    assert reaches(holder_for(ADV), Action.REPORT_READ, every) == {OWN_MUNICIPALITY, OTHER_MUNICIPALITY}
    assert reaches(holder_for(REP), Action.REPORT_READ, every) == {OWN_MUNICIPALITY}
    assert reaches(holder_for(ANA), Action.REPORT_READ, every) == every
    assert reaches(holder_for(ADM), Action.REPORT_READ, every) == frozenset()


def test_accounts_never_have_the_public_role() -> None:
    assert Role.PUBLIC not in ACCOUNT_ROLES
    assert len(ACCOUNT_ROLES) == 5


def test_the_shipped_table_is_complete() -> None:
    table = permissions()
    assert set(table) == set(Action)
    assert all(set(row) == set(Role) for row in table.values())


def complete_row(reach: str = "none") -> dict[str, str]:
    return {role.value: reach for role in Role}


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (
            {action.value: complete_row() for action in Action if action is not Action.AUDIT_READ},
            "no row for audit.read",
        ),
        (
            {**{action.value: complete_row() for action in Action}, "report.delete": complete_row()},
            "unknown action 'report.delete'",
        ),
        (
            {
                **{action.value: complete_row() for action in Action},
                "report.read": {**complete_row(), "public": "own"},
            },
            "the public has no municipality or region",
        ),
        (
            {
                **{action.value: complete_row() for action in Action},
                "report.read": {k: v for k, v in complete_row().items() if k != "municipal_reader"},
            },
            "no cell for municipal_reader",
        ),
        (
            {**{action.value: complete_row() for action in Action}, "report.read": complete_row("everything")},
            "unknown role or reach 'everything'",
        ),
    ],
)
def test_an_incomplete_or_wrong_table_is_refused(document: dict[str, dict[str, str]], problem: str) -> None:
    with pytest.raises(ValueError, match=r"synthetic\.yaml") as raised:
        parse_permissions(document, "synthetic.yaml")
    assert problem in str(raised.value)


def test_reach_words_are_the_documented_four() -> None:
    assert {reach.value for reach in Reach} == {"all", "region", "own", "none"}
