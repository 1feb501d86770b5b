"""The reporting routes in the authorisation matrix: every route × every role × (her own municipality 5001,
another of the adviser's region 5006, a municipality of another region 0301), written out by hand. Any cell that
changes fails this test until the table is changed on purpose, and so does a reporting route without a row or
without exactly one ``require``. The table is checked on SQLite and on PostgreSQL.

Every municipality has a submitted report; unsafe requests carry the page's CSRF token and an otherwise empty
form, so reaching a route shows as its "fill in the fields" answer (400) and changes nothing. All people are
SYNTHETIC (tests/store/reporting/synthetic.py), plus an administrator.
"""

from __future__ import annotations

from typing import Final

import httpx
import pytest
from fastapi.routing import APIRoute

from boligmonitor.store.accounts import Role
from boligmonitor.store.reporting import AnswerInput
from boligmonitor.web.auth.access import SAFE_METHODS
from boligmonitor.web.views.reporting.routes import router
from tests.store.reporting.synthetic import CLI
from tests.web.auth.matrix import ADM, ADV, ANA, PUB, REA, REP, requirements_of, route_methods
from tests.web.reporting.conftest import ANNE, KARI, OLA, SIRI, ReportingSite, csrf_from

ADMIN: Final = "admin@husbanken.example"
PEOPLE: Final = {
    Role.PUBLIC: None,
    Role.ADMINISTRATOR: ADMIN,
    Role.HUSBANKEN_ANALYST: SIRI,
    Role.REGIONAL_ADVISER: ANNE,
    Role.MUNICIPAL_REPORTER: KARI,
    Role.MUNICIPAL_READER: OLA,
}
TARGETS: Final = ("5001", "5006", "0301")  # own, another in her region, another region
SIGN_IN: Final = "303 /logg-inn"
NO: Final = ("403", "403", "403")
TO_SIGN_IN: Final = (SIGN_IN, SIGN_IN, SIGN_IN)

# (method, path) -> role -> the outcome for (own, other in region, other region); the list page has one column.
ROUTES: Final[dict[tuple[str, str], dict[Role, tuple[str, ...]]]] = {
    ("GET", "/rapportering"): {
        PUB: (SIGN_IN,),
        ADM: ("403",),
        ANA: ("200",),
        ADV: ("200",),
        REP: ("200",),
        REA: ("200",),
    },
    ("GET", "/rapportering/{round_id}/{municipality}"): {
        PUB: TO_SIGN_IN,
        ADM: NO,
        ANA: ("200", "200", "200"),
        ADV: ("200", "200", "403"),
        REP: ("200", "403", "403"),
        REA: ("200", "403", "403"),
    },
    ("GET", "/rapportering/{round_id}/{municipality}/tilbakemelding"): {
        PUB: TO_SIGN_IN,
        ADM: NO,
        ANA: ("200", "200", "200"),
        ADV: ("200", "200", "403"),
        REP: ("200", "403", "403"),
        REA: ("200", "403", "403"),
    },
    ("POST", "/rapportering/{round_id}/{municipality}/apne"): {
        PUB: TO_SIGN_IN,
        ADM: NO,
        ANA: NO,
        ADV: NO,
        REP: ("303 /rapportering/{round_id}/5001", "403", "403"),
        REA: NO,
    },
    ("POST", "/rapportering/{round_id}/{municipality}"): {
        PUB: TO_SIGN_IN,
        ADM: NO,
        ANA: NO,
        ADV: NO,
        REP: ("400", "403", "403"),
        REA: NO,
    },
    ("POST", "/rapportering/{round_id}/{municipality}/autolagre"): {
        PUB: TO_SIGN_IN,
        ADM: NO,
        ANA: NO,
        ADV: NO,
        REP: ("400", "403", "403"),
        REA: NO,
    },
    ("POST", "/rapportering/{round_id}/{municipality}/send"): {
        PUB: TO_SIGN_IN,
        ADM: NO,
        ANA: NO,
        ADV: NO,
        REP: ("400", "403", "403"),
        REA: NO,
    },
    ("POST", "/rapportering/{round_id}/{municipality}/returner"): {
        PUB: TO_SIGN_IN,
        ADM: NO,
        ANA: NO,
        ADV: ("400", "400", "403"),
        REP: NO,
        REA: NO,
    },
    ("POST", "/rapportering/{round_id}/{municipality}/kommentar"): {
        PUB: TO_SIGN_IN,
        ADM: NO,
        ANA: NO,
        ADV: ("400", "400", "403"),
        REP: ("400", "403", "403"),
        REA: NO,
    },
}


def outcome(response: httpx.Response, round_id: int) -> str:
    if response.is_redirect:
        return f"{response.status_code} {response.headers['location'].split('?')[0]}".replace(
            f"/{round_id}/", "/{round_id}/"
        )
    return str(response.status_code)


def test_every_reporting_route_is_in_the_matrix() -> None:
    added = route_methods(router)
    assert added == set(ROUTES)


def test_every_reporting_route_carries_one_requirement() -> None:
    for route in router.routes:
        assert isinstance(route, APIRoute)
        assert len(requirements_of(route)) == 1, route.path


@pytest.mark.parametrize(("method", "path"), list(ROUTES))
def test_each_reporting_route_answers_each_role_as_the_table_says(
    site_on_each_database: ReportingSite, method: str, path: str
) -> None:
    site = site_on_each_database
    site.accounts.create_account(ADMIN, "administrator", actor=CLI)
    for code in TARGETS:  # a submitted report everywhere, so that every route has something to act on
        draft = site.reports.open_draft(site.round.id, code, actor=CLI)
        answers = {"antall_boliger": AnswerInput(number=1), "har_plan": AnswerInput(yes_no=False)}
        saved = site.reports.autosave(draft.id, draft.version, answers, actor=CLI)
        site.reports.submit(saved.id, saved.version, actor=CLI)
    versions_before = {code: site.report(code).version for code in TARGETS}
    actual: dict[Role, tuple[str, ...]] = {}
    for role, email in PEOPLE.items():
        browser = site.browser(email)
        data = None
        if method not in SAFE_METHODS:
            # The token of a page she may see: her account page, or the sign-in form for the public.
            data = {"csrf_token": csrf_from(browser.get("/konto" if email else "/logg-inn"))}
        targets = TARGETS if "{municipality}" in path else ("",)
        cells = []
        for code in targets:
            concrete = path.replace("{round_id}", str(site.round.id)).replace("{municipality}", code)
            response = browser.request(method, concrete, data=data, follow_redirects=False)
            cells.append(outcome(response, site.round.id))
        actual[role] = tuple(cells)
    assert actual == ROUTES[(method, path)]
    assert {code: site.report(code).version for code in TARGETS} == versions_before  # nothing changed


def test_a_reporter_sees_only_her_municipalitys_reports(site: ReportingSite) -> None:
    for code in TARGETS:
        site.reports.open_draft(site.round.id, code, actor=CLI)

    def listed(email: str) -> list[str]:
        text = site.browser(email).get("/rapportering").text
        return [code for code in TARGETS if f"/rapportering/{site.round.id}/{code}" in text]

    assert listed(KARI) == ["5001"]
    assert listed(OLA) == ["5001"]
    assert listed(ANNE) == ["5001", "5006"]
    assert listed(SIRI) == ["5001", "5006", "0301"]
    assert listed("per@kommune.example") == ["5006"]


def test_a_path_municipality_that_is_no_municipality_is_an_unknown_page(site: ReportingSite) -> None:
    assert site.browser(SIRI).get(f"/rapportering/{site.round.id}/50").status_code == 404
    assert site.browser(SIRI).get("/rapportering/999/5001").status_code == 404
