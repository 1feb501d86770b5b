"""The municipality's feedback report as tagged PDF (made once for the module): the project's PDF/UA check, the
feedback page's content, and SYNTHETIC on the title page and in the footer."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from boligmonitor.web.factsheet.pdfua import check_pdf_ua
from tests.web.programme_report.conftest import COMMENT, OLA, ReportSite


@pytest.fixture(scope="module")
def pdf(report_site: ReportSite) -> bytes:
    response = report_site.browser(OLA).get(f"/rapportering/{report_site.round.id}/5001/tilbakemelding.pdf?lang=nn")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert 'filename="boligmonitor-5001-tilbakemelding-nn.pdf"' in response.headers["content-disposition"]
    content: bytes = response.content
    return content


def test_the_feedback_pdf_passes_the_projects_pdf_ua_check(pdf: bytes) -> None:
    report = check_pdf_ua(pdf, language="nn")
    assert report.ok, report.problems
    assert report.tags["/H1"] == 1 and report.tags["/H2"] == 3
    assert report.tags["/TH"] > 0


def test_the_feedback_pdf_holds_the_answers_the_comment_and_the_synthetic_label(pdf: bytes) -> None:
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages]
    text = " ".join(pages)
    assert pages[0].startswith("SYNTHETIC: rapporten byggjer på oppdikta testdata")
    assert "Tilbakemeldingsrapport: SYNTHETIC kommune 5001 (5001)" in text
    assert "SYNTHETIC tal 3" in text  # the own number, in the nynorsk form's words
    assert COMMENT in text
    for page in pages:
        assert "SYNTHETIC – testdata · Bustadsosial monitor" in page
