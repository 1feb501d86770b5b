"""The e-mail language page's routes in the authorisation matrix: every route × every role, written out by hand,
on SQLite and on PostgreSQL. The routes concern her own account and no municipality: the columns own municipality
(5001), another of the adviser's region (5006) and a municipality of another region (0301) do not apply, so each
row has one cell per role (``requires`` checks the route names no municipality, and the page test checks that a
posted e-mail address of another account is ignored). Any cell that changes fails this test until the table is
changed on purpose, and so does a route of the page without a row or without exactly one ``require``.

Unsafe requests carry the CSRF token of a page she may see and an otherwise empty form, so reaching the route
shows as its "choose a language" answer (400) and changes nothing. All people are SYNTHETIC.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest
from fastapi.routing import APIRoute

from boligmonitor.store.accounts import Action, AuditAction, Role
from boligmonitor.web.auth.access import SAFE_METHODS
from boligmonitor.web.auth.language import router
from tests.store.conftest import postgres_url  # noqa: F401  (the fixture, for the PostgreSQL site)
from tests.web.auth.conftest import csrf_from
from tests.web.auth.language_site import ADMIN, LanguageSite, language_site, postgres_database, sqlite_database
from tests.web.auth.matrix import ADM, ADV, ANA, PUB, REA, REP, outcome, requirements_of, route_methods

PEOPLE: Final = {
    Role.PUBLIC: None,
    Role.ADMINISTRATOR: ADMIN,
    Role.HUSBANKEN_ANALYST: "siri@husbanken.example",
    Role.REGIONAL_ADVISER: "anne@husbanken.example",
    Role.MUNICIPAL_REPORTER: "kari@kommune.example",
    Role.MUNICIPAL_READER: "ola@kommune.example",
}

# (method, path) -> role -> the outcome (status, and where a redirect leads).
ROUTES: Final[dict[tuple[str, str], dict[Role, str]]] = {
    ("GET", "/konto/sprak"): {
        PUB: "303 /logg-inn",
        ADM: "200",
        ANA: "200",
        ADV: "200",
        REP: "200",
        REA: "200",
    },
    ("POST", "/konto/sprak"): {
        PUB: "303 /logg-inn",
        ADM: "400",
        ANA: "400",
        ADV: "400",
        REP: "400",
        REA: "400",
    },
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site_on_each_database(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_template: Path
) -> Iterator[LanguageSite]:
    if request.param == "sqlite":
        url = sqlite_database(tmp_path, migrated_template)
    else:
        url = postgres_database(request.getfixturevalue("postgres_url"))
    yield from language_site(url)


def test_every_route_of_the_page_is_in_the_matrix() -> None:
    added = route_methods(router)
    assert added == set(ROUTES)


def test_every_route_carries_one_requirement_for_her_own_account_and_no_municipality() -> None:
    for route in router.routes:
        assert isinstance(route, APIRoute)
        [requirement] = requirements_of(route)
        assert (requirement.action, requirement.municipality_parameter) == (Action.OWN_ACCOUNT, None), route.path


@pytest.mark.parametrize(("method", "path"), list(ROUTES))
def test_each_route_answers_each_role_as_the_table_says(
    site_on_each_database: LanguageSite, method: str, path: str
) -> None:
    site = site_on_each_database
    actual: dict[Role, str] = {}
    for role, email in PEOPLE.items():
        browser = site.browser(email)
        data = None
        if method not in SAFE_METHODS:
            # The token of a page she may see: her account page, or the sign-in form for the public.
            data = {"csrf_token": csrf_from(browser.get("/konto" if email else "/logg-inn"))}
        actual[role] = outcome(browser.request(method, path, data=data, follow_redirects=False))
    assert actual == ROUTES[(method, path)]
    # Nothing changed: every account still speaks bokmål, and no change was recorded.
    assert {account.language for account in site.accounts.accounts()} == {"nb"}
    assert AuditAction.ACCOUNT_LANGUAGE_CHANGED not in {entry.action for entry in site.accounts.audit_entries()}
