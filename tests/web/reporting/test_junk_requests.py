"""Every reporting route answers junk below 500 — as the signed-in reporter, so that the requests reach the
routes' own reading of paths and forms (unknown rounds, codes that are no municipality, versions that are no
number, answers of the wrong kind). A fixed, derandomised budget; all people and answers are SYNTHETIC."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boligmonitor.web.views.reporting.routes import router
from tests.web.reporting.conftest import KARI, ReportingSite, csrf_from

JUNK = st.one_of(
    st.sampled_from(["", "0", "-1", "5001", "K-5001", "0301", "99999999999", "1e9", "ja", "nei", "x", "%00"]),
    st.text(max_size=12),
)
QUESTIONS = ["antall_boliger", "har_plan", "tiltak", "samarbeid", "vurdering", "aktiviteter", "fig_sosialhjelp"]


def test_every_reporting_route_answers_junk_below_500(site: ReportingSite) -> None:
    site.reports.open_draft(site.round.id, "5001", actor=site.actor(KARI))
    browser = site.browser(KARI)
    token = csrf_from(browser.get(site.form_path))
    routes = [(sorted(route.methods or ())[0], route.path) for route in router.routes if isinstance(route, APIRoute)]

    @given(
        st.sampled_from(routes),
        st.one_of(st.just(str(site.round.id)), JUNK),
        st.one_of(st.just("5001"), JUNK),
        st.dictionaries(st.sampled_from(["expected_version", "kommentar", "tekst", "mal", *QUESTIONS]), JUNK),
    )
    @settings(max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    def answered(route: tuple[str, str], round_id: str, municipality: str, form: dict[str, str]) -> None:
        method, template = route
        path = template.replace("{round_id}", quote(round_id or "x", safe="")).replace(
            "{municipality}", quote(municipality or "x", safe="")
        )
        response = browser.request(
            method, path, data=form if method == "POST" else None, headers={"X-CSRF-Token": token}
        )
        assert response.status_code < 500, (method, path, form, response.text[:300])

    answered()
