"""The annual analysis report as tagged PDF: made once for the module (WeasyPrint takes a second or two), then
checked with the project's PDF/UA check (web/factsheet/pdfua.py) and for its text: title, SYNTHETIC on the title
page and in the footer of every page, colours in words."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from boligmonitor.web.factsheet.pdfua import check_pdf_ua
from tests.store.reporting.synthetic import PROGRAMME, SYNTHETIC_YEAR
from tests.web.programme_report.conftest import SIRI, ReportSite

PATH = f"/program/{PROGRAMME}/rapport/{SYNTHETIC_YEAR}.pdf"


@pytest.fixture(scope="module")
def pdf(report_site: ReportSite) -> bytes:
    response = report_site.browser(SIRI).get(PATH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert 'filename="boligmonitor-bolig_for_velferd-2019-nb.pdf"' in response.headers["content-disposition"]
    content: bytes = response.content
    return content


@pytest.fixture(scope="module")
def pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages]


def test_the_pdf_passes_the_projects_pdf_ua_check(pdf: bytes) -> None:
    report = check_pdf_ua(pdf, language="nb")
    assert report.ok, report.problems
    assert report.title is not None and "analyserapport 2019 (SYNTHETIC)" in report.title
    assert report.tags["/H1"] == 1
    assert report.tags["/H2"] == 19  # about the report, 15 goals, comparison, national share, trend breaks
    assert report.tags["/Table"] >= 16 and report.tags["/TH"] > 0
    assert report.artifacts > 0  # running header, footer and page numbers


def test_the_pdf_has_the_reports_text(pages: list[str]) -> None:
    first = pages[0]
    assert first.startswith("SYNTHETIC: rapporten bygger på oppdiktede testdata")
    assert "Husbankens kommuneprogram i Bolig for velferd: analyserapport 2019" in first
    text = " ".join(pages)
    assert "Mål 1: Vanskeligstilte som er i en overgangsfase skal sikres en varig bolig" in text
    assert "Grønn: nådd" in text and "Gul: på vei" in text and "Grå: kan ikke vurderes" in text
    assert "Ingen kodede svar ennå." in text
    # the sections after the goals (test_report_groups.py checks their content on the page and in the DOCX)
    assert "Medlemmer mot andre kommuner" in text and "Ikke vist: bare 1 kommuner (minst 5 trengs)." in text
    assert "Medlemmenes andel av landet" in text and "Trendbrudd ved programstart" in text


def test_every_page_says_synthetic_in_its_footer(pages: list[str]) -> None:
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert "SYNTHETIC – testdata · Boligsosial monitor" in text, number
        assert f"Side {number} av {len(pages)}" in text
