"""The report documents in the authorisation matrix: every route × every role × (her own municipality 5001,
another of the adviser's region 5006, a municipality of another region 0301), written out by hand. The programme's
report is about no single municipality (one column). Any cell that changes fails this test until the table is
changed on purpose, and so does a route without a row or without exactly one ``require``. The table is checked on
SQLite and on PostgreSQL (conftest.py's ``site_on_each_database``: the same SYNTHETIC site on each).

Authorisation is decided before anything is rendered, so the PDFs are replaced by a stub here (they are made and
checked in test_report_pdf.py and test_feedback_pdf.py). All people are SYNTHETIC."""

from __future__ import annotations

from typing import Final

import pytest
from fastapi.routing import APIRoute

from boligmonitor.store.accounts import Role
from boligmonitor.web.programme_report import routes
from boligmonitor.web.programme_report.routes import router
from tests.web.auth.matrix import ADM, ADV, ANA, PUB, REA, REP, outcome, requirements_of, route_methods
from tests.web.programme_report.conftest import ADMIN, ANNE, KARI, OLA, SIRI, ReportSite

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
ANALYSIS: Final[dict[Role, tuple[str, ...]]] = {
    PUB: (SIGN_IN,),
    ADM: ("403",),
    ANA: ("200",),
    ADV: ("200",),
    REP: ("403",),
    REA: ("403",),
}
FEEDBACK: Final[dict[Role, tuple[str, ...]]] = {
    PUB: (SIGN_IN, SIGN_IN, SIGN_IN),
    ADM: ("403", "403", "403"),
    ANA: ("200", "200", "200"),
    ADV: ("200", "200", "403"),
    REP: ("200", "403", "403"),
    REA: ("200", "403", "403"),
}

# (method, path) -> role -> the outcome for (own, other in region, other region), or one column.
ROUTES: Final[dict[tuple[str, str], dict[Role, tuple[str, ...]]]] = {
    ("GET", "/program/{programme_id}/rapport/{year}"): ANALYSIS,
    ("GET", "/program/{programme_id}/rapport/{year}.pdf"): ANALYSIS,
    ("GET", "/program/{programme_id}/rapport/{year}.docx"): ANALYSIS,
    ("GET", "/rapportering/{round_id}/{municipality}/tilbakemelding.pdf"): FEEDBACK,
    ("GET", "/rapportering/{round_id}/{municipality}/tilbakemelding.docx"): FEEDBACK,
}


def test_every_route_is_in_the_matrix() -> None:
    added = route_methods(router)
    assert added == set(ROUTES)


def test_every_route_carries_one_requirement() -> None:
    for route in router.routes:
        assert isinstance(route, APIRoute)
        assert len(requirements_of(route)) == 1, route.path


@pytest.mark.parametrize(("method", "path"), list(ROUTES))
def test_each_route_answers_each_role_as_the_table_says(
    site_on_each_database: ReportSite, monkeypatch: pytest.MonkeyPatch, method: str, path: str
) -> None:
    monkeypatch.setattr(routes, "report_pdf", lambda report, ctx: b"%PDF-stub")
    monkeypatch.setattr(routes, "feedback_pdf", lambda feedback, ctx: b"%PDF-stub")
    actual: dict[Role, tuple[str, ...]] = {}
    for role, email in PEOPLE.items():
        browser = site_on_each_database.browser(email)
        targets = TARGETS if "{municipality}" in path else ("",)
        cells = []
        for code in targets:
            concrete = (
                path.replace("{programme_id}", "bolig_for_velferd")
                .replace("{year}", "2019")
                .replace("{round_id}", str(site_on_each_database.round.id))
                .replace("{municipality}", code)
            )
            cells.append(outcome(browser.request(method, concrete, follow_redirects=False)))
        actual[role] = tuple(cells)
    assert actual == ROUTES[(method, path)]


def test_a_path_municipality_that_is_no_municipality_is_an_unknown_page(site_on_each_database: ReportSite) -> None:
    analyst = site_on_each_database.browser(SIRI)
    assert analyst.get(f"/rapportering/{site_on_each_database.round.id}/50/tilbakemelding.docx").status_code == 404
    assert analyst.get("/rapportering/999/5001/tilbakemelding.docx").status_code == 404
