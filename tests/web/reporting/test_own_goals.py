"""The municipality's own goals pages: list, add, change, remove (reporters of the municipality), read (its
readers, the region's adviser, analysts), the form's errors beside their fields, a stale version refused, and the
goals on the feedback page. The authorisation matrix of these routes is written out by hand.

People, municipalities, goals and targets are SYNTHETIC (tests/store/reporting/synthetic.py)."""

from __future__ import annotations

import re
from typing import Final

import httpx
import pytest
from fastapi.routing import APIRoute

from boligmonitor.store.accounts import Role
from boligmonitor.web.auth.access import SAFE_METHODS
from boligmonitor.web.views.reporting.own_goals import router as own_goals_router
from tests.store.reporting.synthetic import CLI, synthetic_own_goal
from tests.web.auth.matrix import ADM, ADV, ANA, PUB, REA, REP, requirements_of
from tests.web.reporting.conftest import ANNE, KARI, OLA, SIRI, ReportingSite, csrf_from, field_errors

ADMIN: Final = "admin@husbanken.example"  # SYNTHETIC
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
GOAL: Final = "eget_barnefamilier"  # synthetic_own_goal's id
BASE: Final = "/rapportering/{round_id}/{municipality}/egne-mal"

ROUTES: Final[dict[tuple[str, str], dict[Role, tuple[str, ...]]]] = {
    ("GET", BASE): {
        PUB: TO_SIGN_IN,
        ADM: NO,
        ANA: ("200", "200", "200"),
        ADV: ("200", "200", "403"),
        REP: ("200", "403", "403"),
        REA: ("200", "403", "403"),
    },
    ("POST", BASE): {  # an empty form: "type the name" (400)
        PUB: TO_SIGN_IN,
        ADM: NO,
        ANA: NO,
        ADV: NO,
        REP: ("400", "403", "403"),
        REA: NO,
    },
    ("GET", BASE + "/{goal_id}"): {
        PUB: TO_SIGN_IN,
        ADM: NO,
        ANA: NO,
        ADV: NO,
        REP: ("200", "403", "403"),
        REA: NO,
    },
    ("POST", BASE + "/{goal_id}"): {  # no version: a bad request (400), nothing changed
        PUB: TO_SIGN_IN,
        ADM: NO,
        ANA: NO,
        ADV: NO,
        REP: ("400", "403", "403"),
        REA: NO,
    },
    ("POST", BASE + "/{goal_id}/fjern"): {
        PUB: TO_SIGN_IN,
        ADM: NO,
        ANA: NO,
        ADV: NO,
        REP: ("400", "403", "403"),
        REA: NO,
    },
}


@pytest.fixture
def goals_site(site: ReportingSite) -> ReportingSite:
    """The reporting site with the own goals router (as the lead includes it in web/app.py) and a SYNTHETIC own
    goal in each of the three municipalities."""
    return with_own_goals(site)


@pytest.fixture
def goals_site_on_each_database(site_on_each_database: ReportingSite) -> ReportingSite:
    """The same on SQLite and on PostgreSQL: for the authorisation matrix."""
    return with_own_goals(site_on_each_database)


def with_own_goals(site: ReportingSite) -> ReportingSite:
    if not any(getattr(route, "name", "") == "reporting.own_goals" for route in site.app.routes):
        site.app.include_router(own_goals_router)
    for code in TARGETS:
        goal = synthetic_own_goal().model_copy(update={"municipality": code})
        site.reports.save_own_goal(goal, actor=CLI)
    return site


def path_of(site: ReportingSite, code: str = "5001", rest: str = "") -> str:
    return f"/rapportering/{site.round.id}/{code}/egne-mal{rest}"


def outcome(response: httpx.Response, round_id: int) -> str:
    if response.is_redirect:
        return f"{response.status_code} {response.headers['location'].split('?')[0]}".replace(
            f"/{round_id}/", "/{round_id}/"
        )
    return str(response.status_code)


def test_every_own_goals_route_is_in_the_matrix_with_one_requirement() -> None:
    routes = [route for route in own_goals_router.routes if isinstance(route, APIRoute)]
    assert {(method, route.path) for route in routes for method in route.methods or ()} == set(ROUTES)
    for route in routes:
        assert len(requirements_of(route)) == 1, route.path


@pytest.mark.parametrize(("method", "path"), list(ROUTES))
def test_each_own_goals_route_answers_each_role_as_the_table_says(
    goals_site_on_each_database: ReportingSite, method: str, path: str
) -> None:
    site = goals_site_on_each_database
    site.accounts.create_account(ADMIN, "administrator", actor=CLI)
    before = {
        code: [(g.goal, g.version) for g in site.reports.own_goals("bolig_for_velferd", code)] for code in TARGETS
    }
    actual: dict[Role, tuple[str, ...]] = {}
    for role, email in PEOPLE.items():
        browser = site.browser(email)
        data = None
        if method not in SAFE_METHODS:
            data = {"csrf_token": csrf_from(browser.get("/konto" if email else "/logg-inn"))}
        cells = []
        for code in TARGETS:
            concrete = (
                path.replace("{round_id}", str(site.round.id))
                .replace("{municipality}", code)
                .replace("{goal_id}", GOAL)
            )
            response = browser.request(method, concrete, data=data, follow_redirects=False)
            cells.append(outcome(response, site.round.id))
        actual[role] = tuple(cells)
    assert actual == ROUTES[(method, path)]
    after = {code: [(g.goal, g.version) for g in site.reports.own_goals("bolig_for_velferd", code)] for code in TARGETS}
    assert after == before  # nothing changed


def test_a_reporter_adds_a_goal_with_a_target(goals_site: ReportingSite) -> None:
    site = goals_site
    kari = site.browser(KARI)
    page = kari.get(path_of(site))
    assert page.status_code == 200
    added = kari.post(
        path_of(site),
        data={
            "csrf_token": csrf_from(page),
            "navn": "SYNTHETIC: Færre unge i midlertidig bolig",
            "beskrivelse": "SYNTHETIC beskrivelse",
            "programmal": "mal_03_barnefamilier_unge_midlertidig",
            "vedtatt": "2019-06-01",
            "maltype": "at_most",
            "malverdi": "2,5",
            "malar": "2020",
            "indikator": "BU01",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert added.headers["location"].endswith("melding=lagt-til")
    stored = {g.goal.name.nb: g for g in site.reports.own_goals("bolig_for_velferd", "5001")}
    new = stored["SYNTHETIC: Færre unge i midlertidig bolig"]
    assert new.goal.id.startswith("eget_synthetic_faerre_unge_i_midlertidig")
    assert new.goal.name.nb == new.goal.name.nn == "SYNTHETIC: Færre unge i midlertidig bolig"
    assert new.goal.targets[0].target == 2.5
    assert new.goal.targets[0].indicator == "BU01"
    assert new.updated_by == KARI
    listed = kari.get(added.headers["location"])
    assert "Målet er lagt til." in listed.text
    assert "Høyst 2,5 (BU01) innen 2020" in listed.text


def test_errors_show_beside_their_fields_and_nothing_is_saved(goals_site: ReportingSite) -> None:
    site = goals_site
    kari = site.browser(KARI)
    token = csrf_from(kari.get(path_of(site)))
    before = site.reports.own_goals("bolig_for_velferd", "5001")
    empty = kari.post(path_of(site), data={"csrf_token": token, "malverdi": "12"})
    assert empty.status_code == 400
    assert field_errors(empty) == {
        "navn": "Skriv navnet på målet.",
        "maltype": "Velg slags delmål, eller tøm feltene for delmålet.",
    }
    assert 'id="error-summary"' in empty.text
    assert 'value="12"' in empty.text  # what she typed stays
    # The catalogue's rule: a change in per cent needs a baseline year (the store refuses; nynorsk page).
    refused = kari.post(
        path_of(site) + "?lang=nn",
        data={
            "csrf_token": token,
            "navn": "SYNTHETIC",
            "maltype": "relative_change",
            "malverdi": "10",
            "indikator": "BU01",
        },
    )
    assert refused.status_code == 400
    assert "basisar" in field_errors(refused)
    assert "endring i prosent treng eit utgangsår" in field_errors(refused)["basisar"]
    assert site.reports.own_goals("bolig_for_velferd", "5001") == before


def test_a_reporter_changes_and_removes_a_goal_and_a_stale_version_is_refused(goals_site: ReportingSite) -> None:
    site = goals_site
    kari = site.browser(KARI)
    form = kari.get(path_of(site, rest=f"/{GOAL}"))
    assert form.status_code == 200
    assert 'value="SYNTHETIC: ingen barnefamilier i midlertidig bolig"' in form.text
    version = re.search(r'name="versjon" value="([0-9]+)"', form.text)
    assert version is not None
    fields = {
        "csrf_token": csrf_from(form),
        "versjon": version.group(1),
        "navn": "SYNTHETIC: endret navn",
        "maltype": "at_most",
        "malverdi": "0",
        "malar": "2021",
        "indikator": "BU01",
    }
    changed = kari.post(path_of(site, rest=f"/{GOAL}"), data=fields, follow_redirects=False)
    assert changed.status_code == 303
    [stored] = [g for g in site.reports.own_goals("bolig_for_velferd", "5001") if g.goal.id == GOAL]
    assert stored.goal.name.nb == "SYNTHETIC: endret navn"
    assert stored.goal.targets[0].target_year == 2021
    # The same (now stale) version again: a conflict naming who saved, nothing overwritten.
    stale = kari.post(path_of(site, rest=f"/{GOAL}"), data=fields | {"navn": "SYNTHETIC: for sent"})
    assert stale.status_code == 409
    assert "kari@kommune.example" in stale.text
    removed = kari.post(
        path_of(site, rest=f"/{GOAL}/fjern"),
        data={"csrf_token": csrf_from(form), "versjon": str(stored.version)},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert removed.headers["location"].endswith("melding=fjernet")
    assert [g.goal.id for g in site.reports.own_goals("bolig_for_velferd", "5001")] == []


def test_readers_and_the_adviser_read_without_forms(goals_site: ReportingSite) -> None:
    site = goals_site
    for email in (OLA, ANNE):
        page = site.browser(email).get(path_of(site))
        assert page.status_code == 200
        assert "SYNTHETIC: ingen barnefamilier i midlertidig bolig" in page.text
        assert "Høyst 0 (BU01) innen 2020" in page.text
        assert 'id="own-goal-form"' not in page.text
        assert "/fjern" not in page.text
    english = site.browser(ANNE).get(path_of(site) + "?lang=en")
    assert "At most 0 (BU01) by 2020" in english.text


def test_the_form_links_here_and_the_feedback_page_shows_the_goals(goals_site: ReportingSite) -> None:
    site = goals_site
    site.reports.open_draft(site.round.id, "5001", actor=CLI)
    kari = site.browser(KARI)
    assert f'href="{path_of(site)}"' in kari.get(site.form_path).text
    feedback = kari.get(site.form_path + "/tilbakemelding")
    assert feedback.status_code == 200
    assert "SYNTHETIC: ingen barnefamilier i midlertidig bolig" in feedback.text
    assert "Høyst 0 (BU01) innen 2020" in feedback.text
    assert f'href="{path_of(site)}"' in feedback.text
