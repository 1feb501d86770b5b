"""The authorisation matrix: every role × every route that accounts and access add, every action × every role ×
(no municipality, own municipality, another municipality of her region, a municipality of another region)
through ``require`` on a route, and the monitor's public routes, which stay public for everyone.

The tables below are written out by hand. Any cell that changes — a route that opens up or closes, a permission in
permissions.yaml, a route added without a row here — fails this test until the table is changed on purpose.

The app is the monitor over the session's database built from ../shared/data, and over a fresh, migrated
PostgreSQL schema with SYNTHETIC statistics (regions named "SYNTHETIC kommune …"; the suite does not load the real
database into PostgreSQL), with SYNTHETIC people: one account per role, the municipal ones in 5001, the adviser in
the SYNTHETIC region Midt (county 50). Every cell must hold on both databases.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Final

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from boligmonitor.store import Store, create_engine_for, migrate
from boligmonitor.store.accounts import AccountStore, Action, IssuedSession, Role
from boligmonitor.web.auth import SESSION_COOKIE, Principal, require
from boligmonitor.web.auth.access import SAFE_METHODS
from boligmonitor.web.auth.routes import router as auth_router
from tests.store.accounts.synthetic import (
    OTHER_MUNICIPALITY,
    OTHER_REGION_MUNICIPALITY,
    OWN_MUNICIPALITY,
    SYNTHETIC_REGIONS,
    cheap_passwords,
)
from tests.store.accounts.test_roles import POLICY
from tests.store.conftest import module_postgres_url  # noqa: F401  (the module's PostgreSQL schema)
from tests.web.auth.conftest import CLI, build_app, csrf_from
from tests.web.auth.matrix import ADM, ADV, ANA, PUB, REA, REP, outcome, requirements_of, route_methods
from tests.web.programme.conftest import put_matrix_statistics

PEOPLE: Final = {
    Role.ADMINISTRATOR: "admin@husbanken.example",
    Role.HUSBANKEN_ANALYST: "analyst@husbanken.example",
    Role.REGIONAL_ADVISER: "adviser@husbanken.example",
    Role.MUNICIPAL_REPORTER: "reporter@kommune.example",
    Role.MUNICIPAL_READER: "reader@kommune.example",
}
INVITED: Final = "invited@kommune.example"  # an account whose invitation link the routes below open


def every(outcome: str) -> dict[Role, str]:
    return dict.fromkeys(Role, outcome)


def signed_in(public: str, others: str) -> dict[Role, str]:
    return {PUB: public, **dict.fromkeys(PEOPLE, others)}


# Every route accounts and access add: (method, path) -> role -> outcome (status, and where a redirect leads).
# Unsafe requests carry the CSRF token of the page (refusals without it: test_csrf_and_sessions.py); the forms
# are sent empty, so that reaching the route shows as its "fill in the fields" answer (400) and changes nothing.
# These routes concern no municipality; the municipality columns are exercised for every action below.
ROUTES: Final[dict[tuple[str, str], dict[Role, str]]] = {
    ("GET", "/logg-inn"): every("200"),
    ("POST", "/logg-inn"): every("400"),
    ("POST", "/logg-ut"): signed_in(public="303 /logg-inn", others="303 /"),
    ("GET", "/invitasjon/{token}"): every("200"),
    ("POST", "/invitasjon/{token}"): every("400"),
    ("GET", "/konto"): signed_in(public="303 /logg-inn", others="200"),
    ("GET", "/admin/logg"): {PUB: "303 /logg-inn", ADM: "200", ANA: "403", ADV: "403", REP: "403", REA: "403"},
    # OpenID Connect is not configured on this site: the pages say so (test_oidc.py signs in through it).
    ("GET", "/logg-inn/oidc"): every("404"),
    ("GET", "/logg-inn/oidc/svar"): every("404"),
}

# A representative set of the monitor's public pages, downloads and API: the same answer for every role.
PUBLIC_ROUTES: Final[dict[str, str]] = {
    "/": "200",
    "/om": "200",
    "/region/0301": "200",
    "/region/5001/tema/eldre_og_bolig": "200",
    "/region/0301.csv": "200",
    "/velg?q=0301": "303 /region/0301",
    "/api/v1/catalog": "200",
    "/openapi.json": "200",
}

# For the scoped cells: one probe route per action, with and without a municipality in its path.
TARGETS: Final = (None, OWN_MUNICIPALITY, OTHER_MUNICIPALITY, OTHER_REGION_MUNICIPALITY)


@dataclass
class MatrixSite:
    app: FastAPI
    accounts: AccountStore
    invitation_token: str

    def client(self, role: Role) -> TestClient:
        """A fresh browser: signed in as the role's person, or nobody for the public."""
        client = TestClient(self.app)
        if role is not Role.PUBLIC:
            issued = self.accounts.sign_in_verified(PEOPLE[role], method="oidc", client_address="testclient")
            assert isinstance(issued, IssuedSession)
            client.cookies.set(SESSION_COOKIE, issued.token, domain="testserver.local")
        return client


def probe_router() -> APIRouter:
    """A route per action, GET and POST, with and without a municipality: what a reporting page will be."""
    probes = APIRouter(include_in_schema=False)

    def answer() -> dict[str, bool]:
        return {"reached": True}

    for action in Action:
        requirement = Depends(require(action, municipality="knr"))
        for path in (f"/_probe/{action.value}", f"/_probe/{action.value}/{{knr}}"):
            probes.add_api_route(path, answer, methods=["GET", "POST"], dependencies=[requirement])
    return probes


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def matrix_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MatrixSite]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("matrix") / "monitor.sqlite"
        shutil.copyfile(request.getfixturevalue("built_database"), path)  # the session's: never written
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("module_postgres_url")
        engine = create_engine_for(url)
        migrate(engine)
        put_matrix_statistics(Store(engine))
        engine.dispose()
    accounts = AccountStore(create_engine_for(url), passwords=cheap_passwords())
    accounts.replace_regions(SYNTHETIC_REGIONS, actor=CLI, source="synthetic")
    for role, email in PEOPLE.items():
        municipality = OWN_MUNICIPALITY if role in (REP, REA) else None
        region = "Midt (synthetic)" if role is ADV else None
        accounts.create_account(email, role.value, municipality=municipality, region=region, actor=CLI)
    accounts.create_account(INVITED, "municipal_reader", municipality=OWN_MUNICIPALITY, actor=CLI)
    invitation = accounts.invite(INVITED, actor=CLI)
    app = build_app(url, accounts)
    app.include_router(probe_router())
    with TestClient(app):  # runs the app's lifespan (the monitor's data) for the clients made per cell
        yield MatrixSite(app, accounts, invitation.token)
    accounts.close()


def send(site: MatrixSite, role: Role, method: str, path: str) -> httpx.Response:
    client = site.client(role)
    data = None
    if method not in SAFE_METHODS:
        # A page's form token: the session's (from her account page), or the sign-in cookie's (public).
        data = {"csrf_token": csrf_from(client.get("/konto" if role is not Role.PUBLIC else "/logg-inn"))}
    response: httpx.Response = client.request(method, path, data=data, follow_redirects=False)
    return response


def flat_routes(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            yield from flat_routes(original.routes)
        else:
            yield route


def test_every_route_of_accounts_and_access_is_in_the_matrix() -> None:
    added = route_methods(auth_router)
    assert added == set(ROUTES)


def test_every_route_of_accounts_and_access_carries_one_requirement() -> None:
    for route in auth_router.routes:
        assert isinstance(route, APIRoute)
        assert len(requirements_of(route)) == 1, route.path


def test_every_unsafe_route_of_the_app_is_checked_for_csrf(matrix_site: MatrixSite) -> None:
    """The CSRF check lives in ``require``: a route that takes POST, PUT, PATCH or DELETE must carry it."""
    unchecked = [
        route.path
        for route in flat_routes(matrix_site.app.routes)
        if isinstance(route, APIRoute) and (route.methods or set()) - SAFE_METHODS and not requirements_of(route)
    ]
    assert unchecked == []


@pytest.mark.parametrize(("method", "path"), list(ROUTES))
def test_each_route_answers_each_role_as_the_table_says(matrix_site: MatrixSite, method: str, path: str) -> None:
    concrete = path.replace("{token}", matrix_site.invitation_token)
    actual = {role: outcome(send(matrix_site, role, method, concrete)) for role in Role}
    assert actual == ROUTES[(method, path)]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("action", list(Action))
def test_each_action_reaches_each_role_and_municipality_as_the_table_says(
    matrix_site: MatrixSite, action: Action, method: str
) -> None:
    actual: dict[Role, str] = {}
    for role in Role:
        cells = ""
        for target in TARGETS:
            path = f"/_probe/{action.value}" + (f"/{target}" if target else "")
            answer = outcome(send(matrix_site, role, method, path))
            assert answer in ("200", "403", "303 /logg-inn"), (role, path, answer)
            assert answer != "403" or role is not Role.PUBLIC  # the public is sent to sign in, never told no
            cells += "Y" if answer == "200" else "N"
        actual[role] = cells
    assert actual == POLICY[action]


def test_a_municipality_that_is_no_municipality_is_an_unknown_page(matrix_site: MatrixSite) -> None:
    client = matrix_site.client(Role.HUSBANKEN_ANALYST)
    assert client.get(f"/_probe/{Action.REPORT_READ.value}/50").status_code == 404
    assert client.get(f"/_probe/{Action.REPORT_READ.value}/K-5001").status_code == 200  # normalised


@pytest.mark.parametrize(("path", "expected"), list(PUBLIC_ROUTES.items()))
def test_the_monitors_public_routes_stay_public_for_everyone(matrix_site: MatrixSite, path: str, expected: str) -> None:
    actual = {role: outcome(send(matrix_site, role, "GET", path)) for role in Role}
    assert actual == every(expected)


def test_the_api_asks_for_sign_in_with_401_not_a_redirect(matrix_site: MatrixSite) -> None:
    probes = APIRouter(include_in_schema=False)

    @probes.get("/api/v1/_probe_reports/{knr}")
    def reports(principal: Annotated[Principal, Depends(require(Action.REPORT_READ, municipality="knr"))]) -> None:
        return None

    matrix_site.app.include_router(probes)
    answer = matrix_site.client(Role.PUBLIC).get("/api/v1/_probe_reports/5001?lang=en")
    assert answer.status_code == 401
    assert answer.json() == {"error": {"status": 401, "message": "You need to sign in."}}
    refused = matrix_site.client(Role.MUNICIPAL_READER).get("/api/v1/_probe_reports/0301")
    assert refused.status_code == 403
    assert refused.json()["error"]["status"] == 403
