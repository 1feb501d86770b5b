"""The programme analysis pages on the real statistics with a SYNTHETIC member list (conftest.py): what each page
shows, its downloads, the analyst's override with its required reason, and bad years."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from boligmonitor.analysis.reporting import PROGRAMME_SCOPE
from tests.web.programme.conftest import ANNE, PROGRAMME_ID, SIRI, AnalysisSite, csrf_from

BASE = f"/program/{PROGRAMME_ID}"


def _text(html: str) -> str:
    """The page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _csv(content: bytes, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


def test_the_overview_lists_members_with_level_and_dates_and_links_the_analyses(analysis_site: AnalysisSite) -> None:
    page = analysis_site.browser(SIRI).get(BASE)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    text = _text(page.text)
    assert "SYNTHETIC" in text  # the made-up member list says so wherever the programme shows
    assert "Medlemskap (70) med nivå og datoer" in text
    assert "Trondheim - Tråante (5001) Storbyprogram 1. januar 2014 31. desember 2020 Medlem" in text
    for part in ("/maloppnaelse", "/sammenligning", "/andel-av-landet", "/trendbrudd", "/apne-svar"):
        assert f'href="{BASE}{part}"' in page.text
    assert 'href="/rapportering"' in page.text
    # the members page for those who may change the list: the analyst, not the adviser
    assert f'href="{BASE}/medlemmer"' in page.text
    assert f'href="{BASE}/medlemmer"' not in analysis_site.browser(ANNE).get(BASE).text


def test_goal_attainment_writes_every_colour_as_words_beside_the_colour(analysis_site: AnalysisSite) -> None:
    page = analysis_site.browser(SIRI).get(f"{BASE}/maloppnaelse?ar=2019")
    assert page.status_code == 200
    tags = re.findall(r'<span class="ds-tag" data-color="([a-z]+)">([^<]+)</span>', page.text)
    assert len(tags) > 70
    labels = {"success": "Grønn", "warning": "Gul", "danger": "Rød", "neutral": "Grå"}
    assert all(label.startswith(labels[colour]) for colour, label in tags)
    text = _text(page.text)
    assert "Mål 1: Vanskeligstilte som er i en overgangsfase skal sikres en varig bolig" in text
    assert "Tall fra dataversjon" in text
    assert "Programmet som helhet" in text


def test_an_override_needs_a_reason_and_shows_as_the_analysts_beside_the_rule(analysis_site: AnalysisSite) -> None:
    browser = analysis_site.browser(SIRI)
    page = browser.get(f"{BASE}/maloppnaelse?ar=2019&lang=nn")
    token = csrf_from(page)
    form_id, row = re.search(
        r'name="skjema" value="([^"]+)">\s*<div class="ds-field">.*?<option value="(a-[^"]+)"', page.text, re.S
    ).groups()  # type: ignore[union-attr]
    posted = {"csrf_token": token, "skjema": form_id, "rad": row, "farge": "green", "begrunnelse": "  "}

    refused = browser.post(f"{BASE}/maloppnaelse?ar=2019&lang=nn", data=posted)
    assert refused.status_code == 400
    message = "Skriv ei grunngiving: ei overstyring må grunngivast."
    assert f'id="field-{form_id}-begrunnelse-error">{message}</p>' in refused.text  # next to the field
    assert f'<a class="ds-link" href="#field-{form_id}-begrunnelse">{message}</a>' in refused.text  # in the summary
    assert analysis_site.reports.overrides(PROGRAMME_ID) == []  # nothing saved

    posted["begrunnelse"] = "SYNTHETIC: the reported answers show the goal reached"
    saved = browser.post(f"{BASE}/maloppnaelse?ar=2019", data=posted)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{BASE}/maloppnaelse?ar=2019&melding=lagret#{row}"
    try:
        (stored,) = analysis_site.reports.overrides(PROGRAMME_ID, 2019)
        assert (stored.colour, stored.analyst, stored.key.scope) == ("green", SIRI, PROGRAMME_SCOPE)
        shown = _text(browser.get(f"{BASE}/maloppnaelse?ar=2019&melding=lagret").text)
        assert "Vurderingen er lagret." in shown
        assert "Grønn (nådd eller i rute) Vurdert av analytiker" in shown
        assert f"Begrunnelse: SYNTHETIC: the reported answers show the goal reached ({SIRI}," in shown
        assert "Regelen ga: Grå (kan ikke vurderes)" in shown  # the rule's colour and reason stay beside it

        download = _csv(browser.get(f"{BASE}/maloppnaelse.csv?ar=2019").content)
        (analyst_row,) = [r for r in download if r["decided_by"] == "analyst"]
        assert (analyst_row["colour"], analyst_row["rule_colour"], analyst_row["analyst"]) == ("green", "grey", SIRI)
        assert analyst_row["data_version"] and analyst_row["year"] == "2019"
        api = browser.get(f"/api/v1/program/{PROGRAMME_ID}/maloppnaelse?ar=2019").json()
        assert [r["reason"] for r in api["rows"] if r["decided_by"] == "analyst"] == [posted["begrunnelse"]]
    finally:
        removed = browser.post(f"{BASE}/maloppnaelse?ar=2019", data={**posted, "handling": "fjern"})
    assert removed.status_code == 303
    assert analysis_site.reports.overrides(PROGRAMME_ID) == []
    assert "Vurdert av analytiker" not in browser.get(f"{BASE}/maloppnaelse?ar=2019").text


def test_the_page_opens_on_the_programmes_last_year_with_goal_figures(analysis_site: AnalysisSite) -> None:
    page = analysis_site.browser(SIRI).get(f"{BASE}/maloppnaelse")
    year = int(re.search(r'<option value="(\d{4})" selected>', page.text).group(1))  # type: ignore[union-attr]
    data = analysis_site.app.state.monitor.data
    indicators = {
        indicator_id
        for goal in analysis_site.programme.goals
        for catalogue_goal in goal.catalogue_goals
        for indicator_id in data.catalog.goal(catalogue_goal).indicator_ids
    }
    with_values = {y for indicator_id in indicators for y in data.tables.years(indicator_id) if y <= 2020}
    # The last year, within the programme's period, with figures for its goals (or, without any, with population).
    assert year == max(with_values or {y for y in data.tables.years("BEF01") if y <= 2020})


def test_the_attainment_page_can_show_one_member_or_the_programme_only(analysis_site: AnalysisSite) -> None:
    def scopes(email: str, query: str) -> set[str]:
        page = analysis_site.browser(email).get(f"{BASE}/maloppnaelse?ar=2019&{query}")
        assert page.status_code == 200, query
        return set(re.findall(r'<tr id="a-[^"]*--([0-9a-z]+)">', page.text))

    assert scopes(SIRI, "kommune=5001") == {"programme", "5001"}
    assert scopes(SIRI, "kommune=program") == {"programme"}
    assert len(scopes(SIRI, "")) == 71
    assert scopes(ANNE, "kommune=5001") == {"programme", "5001"}
    for email, code in ((ANNE, "0301"), (SIRI, "9999")):  # another region's member; no member at all
        refused = analysis_site.browser(email).get(f"{BASE}/maloppnaelse?ar=2019&kommune={code}")
        assert refused.status_code == 400
        assert "et kommunenummer fra listen" in refused.text


def test_an_adviser_sees_no_override_form(analysis_site: AnalysisSite) -> None:
    page = analysis_site.browser(ANNE).get(f"{BASE}/maloppnaelse?ar=2019").text
    assert 'name="begrunnelse"' not in page
    assert 'name="begrunnelse"' in analysis_site.browser(SIRI).get(f"{BASE}/maloppnaelse?ar=2019").text


def test_members_against_non_members_has_table_5_7s_shape_with_group_sizes(analysis_site: AnalysisSite) -> None:
    browser = analysis_site.browser(SIRI)
    page = browser.get(f"{BASE}/sammenligning?fra=2015&til=2019")
    assert page.status_code == 200
    text = _text(page.text)
    # The population table: 357 municipalities, 70 members (40 large, 26 medium, 4 small: withheld with the reason).
    population = text.split("Folkemengde", 1)[1]
    assert "Alle kommuner Alle størrelser 357 kommuner" in population
    assert "Medlemmer Alle størrelser 70 kommuner" in population
    assert "Medlemmer Store (20 000+) 40 kommuner" in population
    assert "Medlemmer Små (under 5 000) 4 kommuner Ikke vist: bare 4 kommuner (minst 5 trengs)." in population
    few = text.split("Indikatorer uten tall for noen gruppe", 1)[1]  # listed once, without an empty table
    assert "Barn berørt av økonomisk sosialhjelp i bydelen (BU11): 1 kommuner" in few
    rows = _csv(browser.get(f"{BASE}/sammenligning.csv?fra=2015&til=2019").content)
    small_members = [
        r for r in rows if r["indicator"] == "BEF01" and (r["group"], r["size_group"]) == ("members", "small")
    ]
    assert small_members == [
        {**small_members[0], "n_municipalities": "4", "start_value": "", "end_value": "", "absolute_change": ""}
    ]
    assert small_members[0]["withheld"]
    assert {(r["start_year"], r["end_year"]) for r in rows} == {("2015", "2019")}
    norsk = browser.get(f"{BASE}/sammenligning.csv?fra=2015&til=2019&csv=norsk")
    assert norsk.content.decode("utf-8-sig").splitlines()[0].startswith("indicator;unit;start_year")
    workbook = load_workbook(io.BytesIO(browser.get(f"{BASE}/sammenligning.xlsx?fra=2015&til=2019").content))
    assert workbook["data"].max_row == len(rows) + 1


def test_the_national_share_puts_population_and_80_plus_first(analysis_site: AnalysisSite) -> None:
    browser = analysis_site.browser(SIRI)
    page = browser.get(f"{BASE}/andel-av-landet?fra=2015&til=2019")
    headings = re.findall(r'<h2 class="ds-heading" data-size="xs" id="share-\d+">([^<]+)</h2>', page.text)
    assert [h.rsplit("(", 1)[1].rstrip(")") for h in headings[:2]] == ["BEF01", "BEF03"]
    rows = _csv(browser.get(f"{BASE}/andel-av-landet.csv?fra=2015&til=2019").content)
    population = {int(r["year"]): r for r in rows if r["indicator"] == "BEF01"}
    assert sorted(population) == [2015, 2016, 2017, 2018, 2019]
    for row in population.values():
        assert 0.5 < float(row["share"]) < 0.8  # the largest municipalities hold most of the population
        assert float(row["members_total"]) / float(row["national_total"]) == float(row["share"])
        assert row["n_members"] == "70"


def test_only_tested_breaks_become_sentences_and_the_caveats_are_written(analysis_site: AnalysisSite) -> None:
    browser = analysis_site.browser(SIRI)
    page = browser.get(f"{BASE}/trendbrudd")
    text = _text(page.text)
    assert "Medlemmene ble valgt, ikke trukket." in text
    rows = _csv(browser.get(f"{BASE}/trendbrudd.csv").content)
    significant = sum(1 for r in rows for p in (r["level_change_p"], r["slope_change_p"]) if p and float(p) < 0.05)
    sentences = len(re.findall(r": (nivået (steg|falt)|trenden ble brattere)", text))
    assert sentences == significant
    assert {r["break_year"] for r in rows} == {"2014"}


def test_bad_years_are_a_400_in_the_pages_language(analysis_site: AnalysisSite) -> None:
    browser = analysis_site.browser(SIRI)
    for query in ("ar=abc", "ar=99999", "ar=٢٠١٩", "fra=2019&til=2015"):
        page = browser.get(f"{BASE}/maloppnaelse?{query}&lang=nn")
        assert page.status_code == 400, query
        assert "eit årstal" in page.text or "eit år før" in page.text
    problem = browser.get(f"/api/v1/program/{PROGRAMME_ID}/sammenligning?fra=2019&til=2015&lang=en")
    assert problem.status_code == 400
    assert problem.json()["error"]["parameter"] == "fra"
    assert browser.get(f"{BASE}/trendbrudd?lang=xx").status_code == 400
    assert browser.get(f"{BASE}/sammenligning.csv?csv=excel").status_code == 400
    assert browser.get("/program/no_such_programme").status_code == 404
    assert browser.get(f"{BASE}/sammenligning.pdf").status_code == 404
