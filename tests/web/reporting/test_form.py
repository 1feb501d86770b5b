"""The report form end to end over HTTP, as a browser without JavaScript uses it: a reporter starts, fills in,
saves and submits the SYNTHETIC form; errors next to each field and in a summary at the top, in bokmål and
nynorsk, with nothing saved and the typed answers kept; a conflict names who saved and when. All people,
figures and answers are SYNTHETIC."""

from __future__ import annotations

import re
from typing import Final

import httpx
from fastapi.testclient import TestClient

from boligmonitor.store.reporting import FigureState, ReportState
from tests.store.reporting.synthetic import CLI
from tests.web.reporting.conftest import KARI, OLA, ReportingSite, csrf_from, field_errors, summary_links, version_from

# A whole SYNTHETIC form as a browser sends it.
FILLED: Final[dict[str, str | list[str]]] = {
    "fig_sosialhjelp__kommentar": "SYNTHETIC: tallet tar med folk i akuttbolig",
    "fig_midlertidig": "7,5",
    "antall_boliger": "12",
    "har_plan": "ja",
    "tiltak": "b",
    "samarbeid": ["x", "z"],
    "vurdering": "4",
    "aktiviteter": "SYNTHETIC svar: et boligkontor åpnet i 2019",
}


def start(site: ReportingSite, browser: TestClient, language: str = "") -> httpx.Response:
    """Start the report from the list page's button, as a reporter does; returns the form page."""
    listing = browser.get("/rapportering" + language)
    assert listing.status_code == 200
    action = re.search(r'<form method="post" action="([^"]+/apne[^"]*)"', listing.text)
    assert action is not None, "no start button"
    started = browser.post(action.group(1), data={"csrf_token": csrf_from(listing)}, follow_redirects=False)
    assert started.status_code == 303
    assert started.headers["location"] == site.form_path + language
    page: httpx.Response = browser.get(started.headers["location"])
    return page


def post_form(
    browser: TestClient, page: httpx.Response, path: str, answers: dict[str, str | list[str]]
) -> httpx.Response:
    data = {"csrf_token": csrf_from(page), "expected_version": version_from(page), **answers}
    response: httpx.Response = browser.post(path, data=data, follow_redirects=False)
    return response


def test_the_form_shows_each_official_figure_with_its_source_or_why_there_is_none(site: ReportingSite) -> None:
    page = start(site, site.browser(KARI))
    text = page.text
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "SYNTHETIC: skjemaet er laget for testing." in text
    # BL05 published: value, source, year and data version.
    assert "Offisielt tall: 42" in text
    assert re.search(
        r"Kilde: Synthetic publisher: SYNTHETIC statistics for reporting tests, 2019, dataversjon \d+\.", text
    )
    assert "Kommunens korreksjon (valgfritt)" in text
    # BL02 hidden: not published, with its symbol, and the municipality may give its own figure, self-reported.
    assert "Tallet for 2019 er ikke publisert (symbol «:»)." in text
    assert "Kommunens eget tall (egenrapportert)" in text
    # BU01 absent: not loaded, and this question takes no own figure.
    assert "Tallet for 2019 er ikke lastet inn i monitoren." in text
    assert "Dette spørsmålet tar ikke imot eget tall." in text
    # Each question labelled: radios and checkboxes in a fieldset with a legend, each control with its label.
    assert '<legend class="ds-label">SYNTHETIC plan? <span class="bm-required">(må besvares)</span></legend>' in text
    for control_id in re.findall(r'<(?:input|textarea|select)[^>]* id="([^"]+)"', text):
        assert f'for="{control_id}"' in text, control_id
    report = site.reports.report_for(site.round.id, "5001")
    assert report is not None
    assert report.answers["fig_barn"].official is not None
    assert report.answers["fig_barn"].official.state is FigureState.NOT_LOADED


def test_a_reporter_fills_in_saves_and_submits(site: ReportingSite) -> None:
    browser = site.browser(KARI)
    page = start(site, browser)
    saved = post_form(browser, page, site.form_path, FILLED)
    assert saved.status_code == 303
    assert saved.headers["location"] == site.form_path + "?melding=lagret"
    page = browser.get(saved.headers["location"])
    assert "Utkastet er lagret." in page.text
    assert 'name="antall_boliger" value="12"' in page.text
    assert 'value="z" id="field-samarbeid-3" checked' in page.text
    assert "Tallet som gjelder: egenrapportert." in page.text  # the own figure for BL02 is marked as such
    report = site.reports.report_for(site.round.id, "5001")
    assert report is not None
    assert report.state is ReportState.DRAFT
    assert report.answers["fig_midlertidig"].number == 7.5
    assert report.answers["samarbeid"].choices == ("x", "z")

    submitted = post_form(browser, page, site.form_path + "/send", FILLED)
    assert submitted.status_code == 303
    assert submitted.headers["location"] == site.form_path + "?melding=sendt"
    page = browser.get(submitted.headers["location"])
    assert "Rapporten er sendt inn." in page.text
    assert "Rapporten er sendt inn og kan ikke endres" in page.text
    assert "Send inn rapporten" not in page.text  # no buttons on a submitted report
    report = site.reports.report_for(site.round.id, "5001")
    assert report is not None
    assert report.state is ReportState.SUBMITTED
    assert [version.state for version in site.reports.versions(report.id)] == [ReportState.SUBMITTED]


def test_errors_show_next_to_each_field_in_bokmal_with_nothing_saved(site: ReportingSite) -> None:
    browser = site.browser(KARI)
    page = start(site, browser)
    before = site.reports.report_for(site.round.id, "5001")
    assert before is not None
    typed = {**FILLED, "antall_boliger": "mange", "vurdering": "9", "fig_sosialhjelp": "-5"}
    refused = post_form(browser, page, site.form_path, typed)
    assert refused.status_code == 400
    errors = field_errors(refused)
    assert errors == {
        "fig_sosialhjelp": errors["fig_sosialhjelp"],
        "antall_boliger": "«SYNTHETIC antall»: skriv et tall, for eksempel 12 eller 12,5.",
        "vurdering": "«SYNTHETIC vurdering»: velg et trinn på skalaen.",
    }
    assert errors["fig_sosialhjelp"].startswith("«SYNTHETIC tall»: tallet må være fra 0 til ")
    assert summary_links(refused) == ["fig_sosialhjelp", "antall_boliger", "vurdering"]
    assert "Svarene ble ikke lagret. Rett dette:" in refused.text
    # The typed answers are kept, the wrong ones too, so she can correct them.
    assert 'name="antall_boliger" value="mange"' in refused.text
    assert "SYNTHETIC svar: et boligkontor åpnet i 2019</textarea>" in refused.text
    assert 'aria-invalid="true"' in refused.text
    after = site.reports.report_for(site.round.id, "5001")
    assert after is not None
    assert after.version == before.version
    assert after.answers.keys() == before.answers.keys()  # nothing half-saved


def test_errors_are_in_nynorsk_on_a_nynorsk_page(site: ReportingSite) -> None:
    browser = site.browser(KARI)
    page = start(site, browser, "?lang=nn")
    assert '<html lang="nn"' in page.text
    assert "Talet for 2019 er ikkje lasta inn i monitoren." in page.text
    action = re.search(r'<form method="post" action="([^"]+)" novalidate id="report-form"', page.text)
    assert action is not None
    assert action.group(1) == site.form_path + "?lang=nn"
    refused = post_form(
        browser, page, action.group(1), {**FILLED, "antall_boliger": "501", "samarbeid": ["x", "y", "z"]}
    )
    assert refused.status_code == 400
    assert field_errors(refused) == {
        "antall_boliger": "«SYNTHETIC tal»: talet må vere frå 0 til 500.",
        "samarbeid": "«SYNTHETIC samarbeid»: vel høgst 2.",
    }
    assert "Svara vart ikkje lagra. Rett dette:" in refused.text


def test_submitting_asks_for_every_required_answer(site: ReportingSite) -> None:
    browser = site.browser(KARI)
    page = start(site, browser)
    answers = {key: value for key, value in FILLED.items() if key not in ("antall_boliger", "har_plan")}
    refused = post_form(browser, page, site.form_path + "/send", answers)
    assert refused.status_code == 400
    assert field_errors(refused) == {
        "antall_boliger": "«SYNTHETIC antall» må besvares.",
        "har_plan": "«SYNTHETIC plan?» må besvares.",
    }
    assert "Rapporten ble ikke sendt inn. Rett dette:" in refused.text
    report = site.reports.report_for(site.round.id, "5001")
    assert report is not None
    assert report.state is ReportState.DRAFT  # saved as typed, not submitted
    assert report.answers["tiltak"].choices == ("b",)


def test_a_conflict_names_who_saved_and_when_and_keeps_the_typed_answers(site: ReportingSite) -> None:
    site.accounts.create_account("berit@kommune.example", "municipal_reporter", municipality="5001", actor=CLI)
    kari = site.browser(KARI)
    page_kari = start(site, kari)
    berit = site.browser("berit@kommune.example")
    page_berit = berit.get(site.form_path)
    assert post_form(berit, page_berit, site.form_path, {"antall_boliger": "3"}).status_code == 303

    conflict = post_form(kari, page_kari, site.form_path, FILLED)
    assert conflict.status_code == 409
    assert "berit@kommune.example lagret rapporten 2. mars 2026 kl. 10.00, etter at du åpnet den." in conflict.text
    assert 'name="antall_boliger" value="12"' in conflict.text  # hers, not Berit's
    report = site.reports.report_for(site.round.id, "5001")
    assert report is not None
    assert report.answers["antall_boliger"].number == 3  # nothing of Kari's was written
    # Saving again from the page she was shown puts her answers on top, knowingly.
    again = post_form(kari, conflict, site.form_path, FILLED)
    assert again.status_code == 303
    report = site.reports.report_for(site.round.id, "5001")
    assert report is not None
    assert report.answers["antall_boliger"].number == 12


def test_a_form_without_the_csrf_token_is_refused(site: ReportingSite) -> None:
    browser = site.browser(KARI)
    page = start(site, browser)
    refused = browser.post(site.form_path, data={"expected_version": version_from(page), "antall_boliger": "1"})
    assert refused.status_code == 403


def test_autosave_saves_the_form_as_typed_and_answers_in_json(site: ReportingSite) -> None:
    browser = site.browser(KARI)
    page = start(site, browser)
    headers = {"X-CSRF-Token": csrf_from(page)}
    path = site.form_path + "/autolagre"
    saved = browser.post(path, data={"expected_version": version_from(page), "antall_boliger": "9"}, headers=headers)
    assert saved.status_code == 200
    assert saved.headers["cache-control"] == "no-store"
    version = saved.json()["version"]
    assert saved.json()["message"] == "Lagret automatisk 2. mars 2026 kl. 10.00."
    assert site.report().answers["antall_boliger"].number == 9
    assert site.report().version == version

    refused = browser.post(path, data={"expected_version": str(version), "antall_boliger": "ni"}, headers=headers)
    assert refused.status_code == 400
    assert refused.json() == {
        "errors": {"antall_boliger": "«SYNTHETIC antall»: skriv et tall, for eksempel 12 eller 12,5."}
    }
    assert site.report().version == version

    stale = browser.post(path, data={"expected_version": str(version - 1), "antall_boliger": "8"}, headers=headers)
    assert stale.status_code == 409
    assert stale.json()["conflict"].startswith("kari@kommune.example lagret rapporten 2. mars 2026 kl. 10.00")
    assert site.report().answers["antall_boliger"].number == 9


def test_the_script_is_loaded_only_on_an_editable_form(site: ReportingSite) -> None:
    page = start(site, site.browser(KARI))
    assert re.search(r'<script src="/static/reporting\.js\?v=[^"]+" defer></script>', page.text)
    assert 'data-autosave="/rapportering/' in page.text
    assert "reporting.js" not in site.browser(OLA).get(site.form_path).text
    assert "reporting.js" not in site.browser(KARI).get("/rapportering").text


def test_the_list_shows_each_reports_state_deadline_and_last_save(site: ReportingSite) -> None:
    browser = site.browser(KARI)
    start(site, browser)
    listing = browser.get("/rapportering?lang=nn")
    assert listing.status_code == 200
    assert listing.headers["cache-control"] == "no-store"
    row = re.search(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", listing.text, re.DOTALL)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(1), re.DOTALL)
    assert cells[:5] == [
        "2019",
        "5001",
        "Utkast",
        "1. april 2026 kl. 11.00",
        "2. mars 2026 kl. 10.00 av kari@kommune.example",
    ]
    assert f'href="/rapportering/{site.round.id}/5001?lang=nn"' in cells[5]
    assert "Start utfylling" not in listing.text  # started already


def test_a_reader_sees_the_answers_but_cannot_change_them(site: ReportingSite) -> None:
    kari = site.browser(KARI)
    post_form(kari, start(site, kari), site.form_path, FILLED)
    page = site.browser(OLA).get(site.form_path)
    assert page.status_code == 200
    assert (
        'name="antall_boliger" value="12" autocomplete="off" aria-describedby="field-antall_boliger-hint" readonly'
        in page.text
    )
    assert "Lagre utkast" not in page.text
    assert "Start utfylling" not in site.browser(OLA).get("/rapportering").text
