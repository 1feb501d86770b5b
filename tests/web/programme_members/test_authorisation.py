"""The members routes in the authorisation matrix: every route × every role, written out by hand, on SQLite and on
PostgreSQL. The routes name no municipality (the list is the programme's), so each role has one cell. Any cell
that changes fails this test until the table is changed on purpose, and so does a members route without a row or
without exactly one ``require``.

The permission table gives the programme's data to ``analysis.edit``: the Husbanken analyst, and nobody else. An
unsafe request carries the CSRF token of a page she may see and no file, so reaching the upload shows as its
"choose a file" answer (400) and writes nothing. All people are SYNTHETIC (tests/store/reporting/synthetic.py),
plus an administrator."""

from __future__ import annotations

from typing import Final

import pytest
from fastapi.routing import APIRoute

from boligmonitor.store.accounts import Action, Role
from boligmonitor.web.auth.access import SAFE_METHODS
from boligmonitor.web.views.programme_members.routes import router
from tests.web.auth.matrix import ADM, ADV, ANA, PUB, REA, REP, outcome, requirements_of, route_methods
from tests.web.programme_members.conftest import ADMIN, ANNE, KARI, MIDT_NORGE, OLA, SIRI, MembersSite, csrf_from

PEOPLE: Final = {
    Role.PUBLIC: None,
    Role.ADMINISTRATOR: ADMIN,
    Role.HUSBANKEN_ANALYST: SIRI,
    Role.REGIONAL_ADVISER: ANNE,
    Role.MUNICIPAL_REPORTER: KARI,
    Role.MUNICIPAL_READER: OLA,
}
SIGN_IN: Final = "303 /logg-inn"

# (method, path) -> role -> the outcome.
ROUTES: Final[dict[tuple[str, str], dict[Role, str]]] = {
    ("GET", "/program/{programme_id}/medlemmer"): {
        PUB: SIGN_IN,
        ADM: "403",
        ANA: "200",
        ADV: "403",
        REP: "403",
        REA: "403",
    },
    ("POST", "/program/{programme_id}/medlemmer"): {
        PUB: SIGN_IN,
        ADM: "403",
        ANA: "400",
        ADV: "403",
        REP: "403",
        REA: "403",
    },
    ("GET", "/program/{programme_id}/medlemmer.csv"): {
        PUB: SIGN_IN,
        ADM: "403",
        ANA: "200",
        ADV: "403",
        REP: "403",
        REA: "403",
    },
    ("GET", "/program/{programme_id}/medlemmer.xlsx"): {
        PUB: SIGN_IN,
        ADM: "403",
        ANA: "200",
        ADV: "403",
        REP: "403",
        REA: "403",
    },
}


def test_every_members_route_is_in_the_matrix() -> None:
    added = route_methods(router)
    assert added == set(ROUTES)


def test_every_members_route_carries_one_requirement_of_analysis_edit() -> None:
    for route in router.routes:
        assert isinstance(route, APIRoute)
        found = requirements_of(route)
        assert len(found) == 1, route.path
        assert found[0].action is Action.ANALYSIS_EDIT, route.path


@pytest.mark.parametrize(("method", "path"), list(ROUTES))
def test_each_members_route_answers_each_role_as_the_table_says(
    site_on_each_database: MembersSite, method: str, path: str
) -> None:
    site = site_on_each_database
    actual: dict[Role, str] = {}
    for role, email in PEOPLE.items():
        browser = site.browser(email)
        data = None
        if method not in SAFE_METHODS:
            # The token of a page she may see: her account page, or the sign-in form for the public.
            data = {"csrf_token": csrf_from(browser.get("/konto" if email else "/logg-inn"))}
        concrete = path.replace("{programme_id}", MIDT_NORGE)
        response = browser.request(method, concrete, data=data, follow_redirects=False)
        actual[role] = outcome(response)
    assert actual == ROUTES[(method, path)]
    assert site.reports.imported_members(MIDT_NORGE) is None  # nothing changed
