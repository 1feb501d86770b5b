"""Return, comments and the feedback page over HTTP: the adviser returns a submitted report with a comment, the
reporter sees it and submits again, the thread per report (optionally about a goal), and the municipality's
feedback page. All people, answers and comments are SYNTHETIC."""

from __future__ import annotations

from fastapi.testclient import TestClient

from boligmonitor.store.reporting import ReportState
from tests.web.reporting.conftest import ANNE, KARI, OLA, ReportingSite, csrf_from, field_errors, version_from
from tests.web.reporting.test_form import FILLED, post_form, start


def submitted(site: ReportingSite) -> TestClient:
    """Kari's browser after she started, filled in and submitted 5001's report."""
    kari = site.browser(KARI)
    page = start(site, kari)
    assert post_form(kari, page, site.form_path + "/send", FILLED).status_code == 303
    return kari


def test_the_adviser_returns_with_a_comment_and_the_reporter_submits_again(site: ReportingSite) -> None:
    kari = submitted(site)
    anne = site.browser(ANNE)
    page = anne.get(site.form_path)
    assert page.status_code == 200
    assert "Send rapporten tilbake" in page.text
    assert "Lagre utkast" not in page.text  # the adviser reads the answers, she does not edit them
    comment = "SYNTHETIC: tallet for boliger ser lavt ut, se på det igjen"
    returned = anne.post(
        site.form_path + "/returner",
        data={"csrf_token": csrf_from(page), "expected_version": version_from(page), "kommentar": comment},
        follow_redirects=False,
    )
    assert returned.status_code == 303
    assert "Rapporten er sendt tilbake til kommunen." in anne.get(returned.headers["location"]).text

    page = kari.get(site.form_path)
    assert "Rapporten ble sendt tilbake 2. mars 2026 kl. 10.00 av anne@husbanken.example:" in page.text
    assert comment in page.text
    assert "Send inn rapporten" in page.text  # editable again
    again = post_form(kari, page, site.form_path + "/send", {**FILLED, "antall_boliger": "14"})
    assert again.status_code == 303
    report = site.reports.report_for(site.round.id, "5001")
    assert report is not None
    assert report.state is ReportState.SUBMITTED
    assert report.answers["antall_boliger"].number == 14
    assert [v.state for v in site.reports.versions(report.id)] == [
        ReportState.SUBMITTED,
        ReportState.RETURNED,
        ReportState.SUBMITTED,
    ]


def test_returning_needs_a_comment(site: ReportingSite) -> None:
    submitted(site)
    anne = site.browser(ANNE)
    page = anne.get(site.form_path)
    refused = anne.post(
        site.form_path + "/returner",
        data={"csrf_token": csrf_from(page), "expected_version": version_from(page), "kommentar": "  "},
    )
    assert refused.status_code == 400
    assert field_errors(refused) == {"return-comment": "Skriv hva kommunen bør se på igjen."}
    report = site.reports.report_for(site.round.id, "5001")
    assert report is not None
    assert report.state is ReportState.SUBMITTED


def test_a_thread_per_report_with_comments_about_a_goal(site: ReportingSite) -> None:
    kari = submitted(site)
    anne = site.browser(ANNE)
    page = anne.get(site.form_path)
    assert 'value="mal_01_overgangsfase"' in page.text
    added = anne.post(
        site.form_path + "/kommentar",
        data={
            "csrf_token": csrf_from(page),
            "tekst": "SYNTHETIC: godt arbeid med overgangene",
            "mal": "mal_01_overgangsfase",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert added.headers["location"] == site.form_path + "?melding=kommentert#dialog"
    page = kari.get(site.form_path)
    assert "SYNTHETIC: godt arbeid med overgangene" in page.text
    assert "anne@husbanken.example, 2. mars 2026 kl. 10.00 · Om: Mål 1:" in page.text
    reply = kari.post(
        site.form_path + "/kommentar", data={"csrf_token": csrf_from(page), "tekst": "SYNTHETIC: takk", "mal": ""}
    )
    assert reply.status_code == 200
    assert [c.text for c in site.reports.comments(site.report().id)] == [
        "SYNTHETIC: godt arbeid med overgangene",
        "SYNTHETIC: takk",
    ]
    # The reader sees the thread but may not write in it.
    ola = site.browser(OLA)
    page = ola.get(site.form_path)
    assert "SYNTHETIC: takk" in page.text
    assert "Legg til kommentar" not in page.text
    assert (
        ola.post(site.form_path + "/kommentar", data={"csrf_token": csrf_from(page), "tekst": "x"}).status_code == 403
    )
    empty = kari.post(
        site.form_path + "/kommentar", data={"csrf_token": csrf_from(kari.get(site.form_path)), "tekst": ""}
    )
    assert empty.status_code == 400
    assert field_errors(empty) == {"comment-text": "Kommentaren er tom."}


def test_the_feedback_page_shows_answers_over_the_years_comments_and_indicators(site: ReportingSite) -> None:
    kari = submitted(site)
    site.reports.comment(site.report().id, "SYNTHETIC: fin utvikling", actor=site.actor(ANNE))
    page = kari.get(site.form_path + "/tilbakemelding?lang=nn")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "Tilbakemelding: 5001" in page.text
    assert '<th scope="col">2019 (send inn 2. mars 2026 kl. 10.00)</th>' in page.text
    assert '<th scope="row">SYNTHETIC aktivitetar</th>' in page.text
    assert "SYNTHETIC svar: et boligkontor åpnet i 2019" in page.text
    assert "7,5 (eigenrapportert)" in page.text
    assert "SYNTHETIC: fin utvikling" in page.text
    assert 'href="/region/5001/indikator/BL05?lang=nn"' in page.text
    assert 'href="/region/5001?lang=nn"' in page.text


def test_the_feedback_page_before_anything_is_submitted(site: ReportingSite) -> None:
    page = site.browser(KARI).get(site.form_path + "/tilbakemelding")
    assert page.status_code == 200
    assert "Ingen innsendte svar ennå." in page.text
