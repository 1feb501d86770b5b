"""The open-answer routes in the authorisation matrix: every route × every role × (her own municipality 5001,
another of the adviser's region 5006, a municipality of another region 0301), written out by hand. Any cell that
changes fails this test until the table is changed on purpose, and so does a route without a row or without
exactly one ``require``.

Every municipality has a submitted SYNTHETIC open answer with a coded passage, and the codebook one code; unsafe
requests carry a CSRF token and an otherwise empty form, so reaching a route shows as its "fill in the fields"
answer (400) and changes nothing. All people are SYNTHETIC, plus an administrator.
"""

from __future__ import annotations

from typing import Final

import pytest
from fastapi.routing import APIRoute

from boligmonitor.store.accounts import Role
from boligmonitor.store.reporting.coding import Span
from boligmonitor.web.auth.access import SAFE_METHODS
from boligmonitor.web.views.programme.coding_routes import router
from tests.store.reporting.coding.synthetic_coding import OPEN_QUESTION
from tests.store.reporting.synthetic import CLI, PROGRAMME, SYNTHETIC_YEAR
from tests.web.auth.matrix import ADM, ADV, ANA, PUB, REA, REP, outcome, requirements_of, route_methods
from tests.web.programme_coding.conftest import ANNE, SIRI, CodingSite
from tests.web.reporting.conftest import csrf_from

ADMIN: Final = "admin@husbanken.example"
PEOPLE: Final = {
    Role.PUBLIC: None,
    Role.ADMINISTRATOR: ADMIN,
    Role.HUSBANKEN_ANALYST: SIRI,
    Role.REGIONAL_ADVISER: ANNE,
    Role.MUNICIPAL_REPORTER: "kari@kommune.example",
    Role.MUNICIPAL_READER: "ola@kommune.example",
}
TARGETS: Final = ("5001", "5006", "0301")  # own, another in her region, another region
SIGN_IN: Final = "303 /logg-inn"
NO: Final = ("403", "403", "403")
TO_SIGN_IN: Final = (SIGN_IN, SIGN_IN, SIGN_IN)
Cells = dict[Role, tuple[str, ...]]
READ_ONE: Final[Cells] = {PUB: (SIGN_IN,), ADM: ("403",), ANA: ("200",), ADV: ("200",), REP: ("403",), REA: ("403",)}
EDIT_ONE: Final[Cells] = {PUB: (SIGN_IN,), ADM: ("403",), ANA: ("400",), ADV: ("403",), REP: ("403",), REA: ("403",)}
READ_ANSWER: Final[Cells] = {
    PUB: TO_SIGN_IN,
    ADM: NO,
    ANA: ("200", "200", "200"),
    ADV: ("200", "200", "403"),
    REP: NO,
    REA: NO,
}
EDIT_ANSWER: Final[Cells] = {PUB: TO_SIGN_IN, ADM: NO, ANA: ("400", "400", "400"), ADV: NO, REP: NO, REA: NO}
B: Final = "/program/{programme_id}/apne-svar"
A: Final = B + "/{year}/{municipality}/{question_id}"

# (method, path) -> role -> the outcome for (own, other in region, other region); programme-wide routes have one.
ROUTES: Final[dict[tuple[str, str], Cells]] = {
    ("GET", B): READ_ONE,
    ("GET", A): READ_ANSWER,
    ("POST", A + "/koding"): EDIT_ANSWER,
    ("POST", A + "/koding/{passage_id}"): EDIT_ANSWER,
    ("POST", A + "/sladding"): EDIT_ANSWER,
    ("GET", B + "/kodebok"): READ_ONE,
    ("POST", B + "/kodebok"): EDIT_ONE,
    ("POST", B + "/kodebok/{code_id}"): EDIT_ONE,
    ("GET", B + "/tellinger"): READ_ONE,
    ("GET", B + "/eksport/kodebok.qdc"): READ_ONE,
    ("GET", B + "/eksport/prosjekt.qdpx"): READ_ONE,
    ("GET", B + "/eksport/koding.xlsx"): READ_ONE,
}


def test_every_coding_route_is_in_the_matrix() -> None:
    added = route_methods(router)
    assert added == set(ROUTES)


def test_every_coding_route_carries_one_requirement() -> None:
    for route in router.routes:
        assert isinstance(route, APIRoute)
        assert len(requirements_of(route)) == 1, route.path


@pytest.fixture
def coded(site_on_each_database: CodingSite) -> dict[str, int]:
    """A code, and a coded passage in each municipality's answer: municipality -> passage id."""
    site = site_on_each_database
    site.accounts.create_account(ADMIN, "administrator", actor=CLI)
    code = site.coding.add_code(PROGRAMME, "SYNTHETIC kode", actor=CLI)
    passages = {}
    for municipality in TARGETS:
        answer = site.answer(municipality)
        passages[municipality] = site.coding.code_passage(
            answer.report_version_id, OPEN_QUESTION, Span(0, 9), [code.id], actor=CLI
        ).id
    passages["code"] = code.id
    return passages


@pytest.mark.parametrize(("method", "path"), list(ROUTES))
def test_each_coding_route_answers_each_role_as_the_table_says(
    site_on_each_database: CodingSite, coded: dict[str, int], method: str, path: str
) -> None:
    site = site_on_each_database
    before = (site.coding.codes(PROGRAMME), site.coding.passages(PROGRAMME))
    actual: dict[Role, tuple[str, ...]] = {}
    for role, email in PEOPLE.items():
        browser = site.browser(email)
        data = None
        if method not in SAFE_METHODS:
            data = {"csrf_token": csrf_from(browser.get("/konto" if email else "/logg-inn"))}
        targets = TARGETS if "{municipality}" in path else ("",)
        cells = []
        for code in targets:
            concrete = (
                path.replace("{programme_id}", PROGRAMME)
                .replace("{year}", str(SYNTHETIC_YEAR))
                .replace("{municipality}", code)
                .replace("{question_id}", OPEN_QUESTION)
                .replace("{passage_id}", str(coded.get(code, 0)))
                .replace("{code_id}", str(coded["code"]))
            )
            response = browser.request(method, concrete, data=data, follow_redirects=False)
            cells.append(outcome(response))
        actual[role] = tuple(cells)
    assert actual == ROUTES[(method, path)]
    assert (site.coding.codes(PROGRAMME), site.coding.passages(PROGRAMME)) == before  # nothing changed


def test_unknown_programmes_answers_and_municipalities_are_unknown_pages(site: CodingSite) -> None:
    browser = site.browser(SIRI)
    assert browser.get("/program/no_such_programme/apne-svar").status_code == 404
    assert browser.get(f"/program/{PROGRAMME}/apne-svar/{SYNTHETIC_YEAR}/50/{OPEN_QUESTION}").status_code == 404
    assert browser.get(f"/program/{PROGRAMME}/apne-svar/{SYNTHETIC_YEAR}/5001/antall_boliger").status_code == 404
    assert browser.get(f"/program/{PROGRAMME}/apne-svar/2000/5001/{OPEN_QUESTION}").status_code == 404
