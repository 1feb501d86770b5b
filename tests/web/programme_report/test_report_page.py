"""The annual analysis report as a web page (/program/{id}/rapport/{year}) on the SYNTHETIC site of conftest.py:
its sections per goal, the colours in words and the overrides, the counted categories, and what it says without
coded answers (test_report_coding.py has them)."""

from __future__ import annotations

import dataclasses
import re
from html import unescape
from io import BytesIO

import pytest
from docx import Document

from boligmonitor.web.programme_report.content import synthetic_statistics
from tests.store.reporting.synthetic import PROGRAMME, SYNTHETIC_YEAR
from tests.web.programme_report.conftest import OVERRIDE_REASON, SIRI, ReportSite

PAGE = f"/program/{PROGRAMME}/rapport/{SYNTHETIC_YEAR}"


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def goal_section(html: str, goal_id: str) -> str:
    found = re.search(rf'<section [^>]*data-goal="{goal_id}">(.*?)</section>', html, re.DOTALL)
    assert found is not None, goal_id
    return found.group(1)


@pytest.fixture(scope="module")
def page(report_site: ReportSite) -> str:
    response = report_site.browser(SIRI).get(PAGE)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    text: str = response.text
    return text


def test_the_page_has_a_title_a_synthetic_label_and_a_section_per_goal(page: str) -> None:
    assert page.count("<h1") == 1
    assert "Husbankens kommuneprogram i Bolig for velferd: analyserapport 2019" in text_of(page)
    assert "SYNTHETIC: rapporten bygger på oppdiktede testdata" in page
    goals = re.findall(r'data-goal="([a-z0-9_]+)"', page)
    assert len(goals) == 15 and goals[0] == "mal_01_overgangsfase" and goals[-1].startswith("mal_15_")
    first = text_of(goal_section(page, "mal_01_overgangsfase"))
    assert first.startswith("Mål 1: ")
    for part in ("Kvantitativ utvikling", "Kodede åpne svar", "Utvalgte sitater"):
        assert part in first
    assert "Kategorier" in text_of(goal_section(page, "mal_02_midlertidig_under_tre_maneder"))
    assert 'href="/program/bolig_for_velferd/rapport/2019.pdf"' in page
    assert 'href="/program/bolig_for_velferd/rapport/2019.docx"' in page
    assert '<a class="ds-link" href="/program/bolig_for_velferd">' in page  # the programme's analysis pages
    assert "style=" not in page and "<script>" not in page  # the CSP allows neither


def test_colours_are_words_with_their_reason_and_the_members_one_by_one(page: str) -> None:
    section = goal_section(page, "mal_01_overgangsfase")
    row = re.search(r'<tr data-indicator="BL05" data-colour="green">(.*?)</tr>', section, re.DOTALL)
    assert row is not None
    cells = text_of(row.group(1))
    # 5 SYNTHETIC members × 12.5 in 2019 against 5 × 20 in 2014: −37.5 %, the goal −30 % is reached
    assert "Sosialhjelpsmottakere uten bolig 62 100 (2014) −30 % fra 2014 Grønn: nådd grønn 5" in cells
    assert "målet er nådd: 62 mot et mål på 70" in cells  # the rule's reason in the page's words and numbers
    assert 'data-color="success"' in row.group(1)
    assert "Fargene for programmet: grønn 1, gul 1." in text_of(section)


def test_an_override_shows_the_analysts_colour_reason_and_the_rules_colour(page: str) -> None:
    row = re.search(r'<tr data-indicator="BL06" data-colour="yellow">(.*?)</tr>', page, re.DOTALL)
    assert row is not None
    cells = text_of(row.group(1))
    assert "Gul: på vei" in cells
    assert "Overstyrt av siri@husbanken.example" in cells and "regelen ga grå" in cells
    assert OVERRIDE_REASON in cells


def test_category_questions_are_counted_over_the_submitted_reports(page: str) -> None:
    section = goal_section(page, "mal_02_midlertidig_under_tre_maneder")
    single = re.search(r'data-question="tiltak">(.*?)</table>', section, re.DOTALL)
    multiple = re.search(r'data-question="samarbeid">(.*?)</table>', section, re.DOTALL)
    assert single is not None and multiple is not None
    assert "SYNTHETIC tiltak (2 kommuner svarte)" in text_of(single.group(1))
    assert "A 2 B 0" in text_of(single.group(1))
    assert "X 1 Y 2 Z 0" in text_of(multiple.group(1))
    assert "Mest valgt: Y (2 av 2 kommuner)." in text_of(section)


def test_without_coding_the_sections_say_so(page: str) -> None:
    section = text_of(goal_section(page, "mal_01_overgangsfase"))
    assert "Ingen kodede svar ennå." in section and "Ingen utvalgte sitater ennå." in section


@pytest.mark.parametrize(
    ("language", "title", "heading"),
    [
        (
            "nn",
            "Kommuneprogrammet til Husbanken i Bolig for velferd: analyserapport 2019",
            "Måloppnåing for programmet",
        ),
        ("en", "analysis report 2019", "Goal attainment of the programme in 2019"),
    ],
)
def test_nynorsk_and_english(report_site: ReportSite, language: str, title: str, heading: str) -> None:
    html = report_site.browser(SIRI).get(f"{PAGE}?lang={language}").text
    assert f'<html lang="{language}"' in html
    assert title in text_of(html) and heading in html
    assert f'href="/program/bolig_for_velferd/rapport/2019.pdf?lang={language}"' in html


@pytest.mark.parametrize(
    ("language", "reached", "skipped"),
    [
        ("nn", "målet er nådd: 62 mot eit mål på 70", "BL06: ingen kommune har verdi i 2013 og 2019"),
        ("en", "goal reached: 62 against a target of 70", "BL06: no municipality has a value in 2013 and 2019"),
    ],
)
def test_the_reasons_are_in_the_pages_language(
    report_site: ReportSite, language: str, reached: str, skipped: str
) -> None:
    html = report_site.browser(SIRI).get(f"{PAGE}?lang={language}").text
    row = re.search(r'<tr data-indicator="BL05" data-colour="green">(.*?)</tr>', html, re.DOTALL)
    assert row is not None and reached in text_of(row.group(1))
    assert skipped in text_of(html)
    if language != "en":  # nothing left in English inside a Norwegian page
        assert re.findall(r'<(?!a\b|link\b|html\b)[a-z]+[^>]* lang="en"', html) == []
        assert "(på engelsk)" not in html


@pytest.mark.parametrize(
    "path",
    [
        "/program/no_such_programme/rapport/2019",
        f"/program/{PROGRAMME}/rapport/2013",  # before the programme's period
        f"/program/{PROGRAMME}/rapport/20x9",
        f"/program/{PROGRAMME}/rapport/2019.odt",
        f"/program/{PROGRAMME}/rapport/1999.pdf",
    ],
)
def test_an_unknown_programme_or_year_is_a_404_page(report_site: ReportSite, path: str) -> None:
    assert report_site.browser(SIRI).get(path).status_code == 404


def test_synthetic_statistics_label_a_report_even_from_a_real_form(report_site: ReportSite) -> None:
    """The SYNTHETIC dataset's title says so; a report from such a data version is labelled whatever its form."""
    assert synthetic_statistics(report_site.data)
    data = report_site.data
    real = {key: dataclasses.replace(row, title="Real title", id="ssb:00000") for key, row in data.datasets.items()}
    assert not synthetic_statistics(dataclasses.replace(data, datasets=real))


def test_the_docx_gives_the_reasons_in_its_language(report_site: ReportSite) -> None:
    document = Document(BytesIO(report_site.browser(SIRI).get(f"{PAGE}.docx?lang=nn").content))
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "målet er nådd: 62 mot eit mål på 70" in cells
    listed = [paragraph.text for paragraph in document.paragraphs]
    assert "BL06: ingen kommune har verdi i 2013 og 2019" in listed
    assert not any("no municipality has" in text or "goal reached" in text for text in listed)
