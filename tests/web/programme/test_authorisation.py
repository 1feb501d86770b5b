"""The programme analysis routes (pages, downloads, the override form and the JSON API) in the authorisation
matrix: every route × every role, written out by hand, so that any changed cell fails until the table is changed
on purpose, and so does a route without a row or without exactly one ``require``. The routes have no municipality
in their path: what differs by municipality is which members a person sees one by one, checked per role for her
own region's member 5001, another member of her region, and a member of another region (0301). The table is
checked on SQLite and on PostgreSQL, over conftest.py's ``site_on_each_database`` (SYNTHETIC statistics and
members).

The override form is posted with the page's CSRF token and no scope chosen, so reaching it shows as its "choose
what the assessment is of" answer (400) and changes nothing. People are SYNTHETIC."""

from __future__ import annotations

from typing import Final

import pytest
from fastapi.routing import APIRoute

from boligmonitor.store.accounts import Role
from boligmonitor.web.api.reporting.routes import router as api_router
from boligmonitor.web.auth.access import SAFE_METHODS
from boligmonitor.web.views.programme.routes import router as page_router
from tests.web.auth.matrix import ADM, ADV, ANA, PUB, REA, REP, outcome, requirements_of
from tests.web.programme.conftest import ADMIN, ANNE, KARI, OLA, PROGRAMME_ID, SIRI, AnalysisSite, csrf_from

PEOPLE: Final = {
    Role.PUBLIC: None,
    Role.ADMINISTRATOR: ADMIN,
    Role.HUSBANKEN_ANALYST: SIRI,
    Role.REGIONAL_ADVISER: ANNE,
    Role.MUNICIPAL_REPORTER: KARI,
    Role.MUNICIPAL_READER: OLA,
}
SIGN_IN: Final = "303 /logg-inn"
READ: Final = {PUB: SIGN_IN, ADM: "403", ANA: "200", ADV: "200", REP: "403", REA: "403"}
READ_API: Final = {PUB: "401", ADM: "403", ANA: "200", ADV: "200", REP: "403", REA: "403"}
EDIT: Final = {PUB: SIGN_IN, ADM: "403", ANA: "400", ADV: "403", REP: "403", REA: "403"}

# (method, path) -> role -> outcome. Downloads are asked for as CSV.
ROUTES: Final[dict[tuple[str, str], dict[Role, str]]] = {
    ("GET", "/program/{programme_id}"): READ,
    ("GET", "/program/{programme_id}/maloppnaelse"): READ,
    ("GET", "/program/{programme_id}/maloppnaelse.{fmt}"): READ,
    ("POST", "/program/{programme_id}/maloppnaelse"): EDIT,
    ("GET", "/program/{programme_id}/sammenligning"): READ,
    ("GET", "/program/{programme_id}/sammenligning.{fmt}"): READ,
    ("GET", "/program/{programme_id}/andel-av-landet"): READ,
    ("GET", "/program/{programme_id}/andel-av-landet.{fmt}"): READ,
    ("GET", "/program/{programme_id}/trendbrudd"): READ,
    ("GET", "/program/{programme_id}/trendbrudd.{fmt}"): READ,
    ("GET", "/api/v1/program/{programme_id}/maloppnaelse"): READ_API,
    ("GET", "/api/v1/program/{programme_id}/sammenligning"): READ_API,
    ("GET", "/api/v1/program/{programme_id}/andel-av-landet"): READ_API,
    ("GET", "/api/v1/program/{programme_id}/trendbrudd"): READ_API,
}

# Which members a person sees one by one on the goal-attainment page (and in its API answer): her own region's
# 5001, another member of region Midt, and Oslo (another region).
MEMBER_ROWS: Final = {
    ANA: (True, True, True),
    ADV: (True, True, False),
}


def _routes() -> list[APIRoute]:
    return [route for route in [*page_router.routes, *api_router.routes] if isinstance(route, APIRoute)]


def test_every_programme_route_is_in_the_matrix() -> None:
    added = {(method, route.path) for route in _routes() for method in route.methods or ()}
    assert added == set(ROUTES)


def test_every_programme_route_carries_one_requirement() -> None:
    for route in _routes():
        assert len(requirements_of(route)) == 1, route.path


@pytest.mark.parametrize(("method", "path"), list(ROUTES))
def test_each_programme_route_answers_each_role_as_the_table_says(
    site_on_each_database: AnalysisSite, method: str, path: str
) -> None:
    concrete = path.replace("{programme_id}", PROGRAMME_ID).replace("{fmt}", "csv")
    actual: dict[Role, str] = {}
    for role, email in PEOPLE.items():
        browser = site_on_each_database.browser(email)
        data = None
        if method not in SAFE_METHODS:
            # The token of a page she may see (her account page, or the sign-in form), and a form without a scope.
            token = csrf_from(browser.get("/konto" if email else "/logg-inn"))
            data = {"csrf_token": token, "skjema": "f-mal_01_sosialhjelp--x--x"}
        actual[role] = outcome(browser.request(method, concrete + "?ar=2019", data=data))
    assert actual == ROUTES[(method, path)]
    assert site_on_each_database.reports.overrides(PROGRAMME_ID) == []  # nothing changed


def test_an_adviser_sees_the_members_of_her_region_only(site_on_each_database: AnalysisSite) -> None:
    members = sorted(m.municipality for m in site_on_each_database.programme.members)
    other_in_region = next(code for code in members if code.startswith("50") and code != "5001")
    codes = ("5001", other_in_region, "0301")
    assert all(code in members for code in codes)
    for role, expected in MEMBER_ROWS.items():
        browser = site_on_each_database.browser(PEOPLE[role])
        page = browser.get(f"/program/{PROGRAMME_ID}/maloppnaelse?ar=2019").text
        assert tuple(f"({code})</th>" in page for code in codes) == expected, role
        scopes = {
            row["scope"] for row in browser.get(f"/api/v1/program/{PROGRAMME_ID}/maloppnaelse?ar=2019").json()["rows"]
        }
        assert tuple(code in scopes for code in codes) == expected, role
        overview = browser.get(f"/program/{PROGRAMME_ID}").text
        assert tuple(f"({code})" in overview for code in codes) == expected, role
