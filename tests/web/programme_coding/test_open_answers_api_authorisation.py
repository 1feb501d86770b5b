"""The open answers' JSON API in the authorisation matrix, on SQLite and PostgreSQL: every route × every role ×
(the adviser's own-region municipality 5001, another of her region 5006, a municipality of another region 0301),
written out by hand. Routes that take ``kommune`` are asked once per municipality; the programme-wide routes once,
and then which of the three municipalities' answers each person gets is a table of its own. Any changed cell
fails until the table is changed on purpose, and so does a route without a row or without exactly one
``require``. Nothing is changed by reading (the API is read-only).

Every municipality has a submitted SYNTHETIC open answer with a coded passage marked as an example quote; the
codebook has one code. People are SYNTHETIC, plus an administrator.
"""

from __future__ import annotations

from typing import Any, Final

import pytest
from fastapi.routing import APIRoute

from boligmonitor.store.accounts import Role
from boligmonitor.store.reporting.coding import Span
from boligmonitor.web.api.reporting.open_answers import router
from tests.store.reporting.coding.synthetic_coding import OPEN_QUESTION
from tests.store.reporting.synthetic import CLI, PROGRAMME
from tests.web.auth.matrix import ADM, ADV, ANA, PUB, REA, REP, outcome, requirements_of, route_methods
from tests.web.programme_coding.conftest import ANNE, SIRI, CodingSite

ADMIN: Final = "admin@husbanken.example"
PEOPLE: Final = {
    Role.PUBLIC: None,
    Role.ADMINISTRATOR: ADMIN,
    Role.HUSBANKEN_ANALYST: SIRI,
    Role.REGIONAL_ADVISER: ANNE,
    Role.MUNICIPAL_REPORTER: "kari@kommune.example",
    Role.MUNICIPAL_READER: "ola@kommune.example",
}
TARGETS: Final = ("5001", "5006", "0301")  # own region, another in her region, another region
Cells = dict[Role, tuple[str, ...]]
READ_ONE: Final[Cells] = {PUB: ("401",), ADM: ("403",), ANA: ("200",), ADV: ("200",), REP: ("403",), REA: ("403",)}
READ_EACH: Final[Cells] = {
    PUB: ("401", "401", "401"),
    ADM: ("403", "403", "403"),
    ANA: ("200", "200", "200"),
    ADV: ("200", "200", "403"),
    REP: ("403", "403", "403"),
    REA: ("403", "403", "403"),
}
B: Final = "/api/v1/program/{programme_id}/apne-svar"

# (method, path) -> role -> the outcome (per municipality for routes that take ``kommune``).
ROUTES: Final[dict[tuple[str, str], Cells]] = {
    ("GET", B + "/kodebok"): READ_ONE,
    ("GET", B + "/sporsmal/{question_id}"): READ_EACH,
    ("GET", B + "/tellinger"): READ_ONE,
    ("GET", B + "/sitater"): READ_EACH,
    ("GET", B + "/sok"): READ_EACH,
}
TAKES_MUNICIPALITY: Final = {B + "/sporsmal/{question_id}", B + "/sitater", B + "/sok"}

# Without ``kommune``: whose answers (5001, 5006, 0301) each reader gets from each route.
ALL: Final = (True, True, True)
REGION: Final = (True, True, False)
SEEN: Final[dict[str, dict[Role, tuple[bool, ...]]]] = {
    B + "/kodebok": {ANA: ALL, ADV: REGION},
    B + "/sporsmal/{question_id}": {ANA: ALL, ADV: REGION},
    B + "/tellinger": {ANA: ALL, ADV: REGION},
    B + "/sitater": {ANA: ALL, ADV: REGION},
    B + "/sok": {ANA: ALL, ADV: REGION},
}


def concrete(path: str) -> str:
    query = "?q=SYNTHETIC" if path.endswith("/sok") else ""
    return path.replace("{programme_id}", PROGRAMME).replace("{question_id}", OPEN_QUESTION) + query


def municipalities_in(path: str, document: dict[str, Any]) -> set[str]:
    """The municipalities whose answers (or coding of them) an answer carries."""
    found = set(document["readable"]["municipalities"])
    if path.endswith("/sporsmal/{question_id}"):
        found |= {answer["municipality"]["code"] for answer in document["answers"]}
    elif path.endswith("/sitater"):
        found |= {quote["municipality"]["code"] for quote in document["quotes"]}
    elif path.endswith("/sok"):
        found |= {hit["municipality"]["code"] for hit in document["hits"]}
    return found


def test_every_open_answer_api_route_is_in_the_matrix() -> None:
    added = route_methods(router)
    assert added == set(ROUTES) == {("GET", path) for path in SEEN}


def test_every_open_answer_api_route_carries_one_requirement() -> None:
    for route in router.routes:
        assert isinstance(route, APIRoute)
        assert len(requirements_of(route)) == 1, route.path
        assert (requirements_of(route)[0].municipality_parameter == "kommune") == (route.path in TAKES_MUNICIPALITY)


@pytest.fixture(scope="module")
def coded(api_site_on_each_database: CodingSite) -> CodingSite:
    """A code, and in each municipality's answer a passage with it, marked as an example quote."""
    site = api_site_on_each_database
    site.accounts.create_account(ADMIN, "administrator", actor=CLI)
    code = site.coding.add_code(PROGRAMME, "SYNTHETIC kode", actor=CLI)
    for municipality in TARGETS:
        answer = site.answer(municipality)
        site.coding.code_passage(
            answer.report_version_id, OPEN_QUESTION, Span(0, 9), [code.id], actor=CLI, example_quote=True
        )
    return site


@pytest.mark.parametrize(("method", "path"), list(ROUTES))
def test_each_open_answer_api_route_answers_each_role_as_the_table_says(
    coded: CodingSite, method: str, path: str
) -> None:
    before = (coded.coding.codes(PROGRAMME), coded.coding.passages(PROGRAMME))
    actual: dict[Role, tuple[str, ...]] = {}
    for role, email in PEOPLE.items():
        browser = coded.browser(email)
        url = concrete(path)
        if path in TAKES_MUNICIPALITY:
            glue = "&" if "?" in url else "?"
            cells = tuple(outcome(browser.request(method, f"{url}{glue}kommune={code}")) for code in TARGETS)
        else:
            cells = (outcome(browser.request(method, url)),)
        actual[role] = cells
    assert actual == ROUTES[(method, path)]
    assert (coded.coding.codes(PROGRAMME), coded.coding.passages(PROGRAMME)) == before  # nothing changed


@pytest.mark.parametrize("path", list(SEEN))
def test_each_reader_gets_the_answers_of_the_municipalities_the_table_says(coded: CodingSite, path: str) -> None:
    actual: dict[Role, tuple[bool, ...]] = {}
    for role in SEEN[path]:
        response = coded.browser(PEOPLE[role]).get(concrete(path))
        assert response.status_code == 200
        found = municipalities_in(path, response.json())
        actual[role] = tuple(code in found for code in TARGETS)
    assert actual == SEEN[path]


def test_refusals_are_json_problems(coded: CodingSite) -> None:
    path = concrete(B + "/sitater")
    public = coded.browser(None).get(path)
    assert public.status_code == 401 and public.json()["error"]["status"] == 401
    refused = coded.browser(ANNE).get(path + "?kommune=0301")
    assert refused.status_code == 403 and refused.json()["error"]["status"] == 403
    assert "SYNTHETIC" not in refused.text  # nothing of the answer


def test_a_repeated_kommune_is_checked_as_it_is_used(coded: CodingSite) -> None:
    """The check and the filter read the same (last) value: a second ``kommune`` cannot slip past ``require``."""
    browser = coded.browser(ANNE)
    path = concrete(B + "/sporsmal/{question_id}")
    assert browser.get(path + "?kommune=5001&kommune=0301").status_code == 403
    allowed = browser.get(path + "?kommune=0301&kommune=5001")
    assert allowed.status_code == 200
    assert [answer["municipality"]["code"] for answer in allowed.json()["answers"]] == ["5001"]
