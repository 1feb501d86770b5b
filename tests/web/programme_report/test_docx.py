"""The analysis report and the feedback report as DOCX: they open with python-docx, their headings come in order
with Word's heading styles, their tables have a repeated header row and a title, colours are words, the core
properties hold title and language, and SYNTHETIC data says so on the title page and in the footer.

LibreOffice's converter (``soffice --headless --convert-to pdf``) is tried when ``soffice`` is on PATH (Debian's
libreoffice-writer-nogui); the test is skipped with the reason otherwise."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from pypdf import PdfReader

from tests.store.reporting.synthetic import PROGRAMME, SYNTHETIC_YEAR
from tests.web.programme_report.conftest import ANNE, COMMENT, KARI, OVERRIDE_REASON, SIRI, ReportSite

REPORT = f"/program/{PROGRAMME}/rapport/{SYNTHETIC_YEAR}.docx"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def report_bytes(report_site: ReportSite) -> bytes:
    response = report_site.browser(SIRI).get(REPORT)
    assert response.status_code == 200
    assert response.headers["content-type"] == DOCX
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"].startswith("attachment;")
    content: bytes = response.content
    return content


@pytest.fixture(scope="module")
def feedback_bytes(report_site: ReportSite) -> bytes:
    response = report_site.browser(KARI).get(f"/rapportering/{report_site.round.id}/5001/tilbakemelding.docx")
    assert response.status_code == 200
    assert response.headers["content-type"] == DOCX
    content: bytes = response.content
    return content


def opened(content: bytes) -> DocxDocument:
    return Document(BytesIO(content))


def headings(document: DocxDocument) -> list[tuple[int, str]]:
    return [
        (int(paragraph.style.name.removeprefix("Heading ")), paragraph.text)
        for paragraph in document.paragraphs
        if paragraph.style is not None
        and paragraph.style.name is not None
        and paragraph.style.name.startswith("Heading")
    ]


def test_the_report_has_its_headings_in_order(report_bytes: bytes) -> None:
    found = headings(opened(report_bytes))
    assert found[0] == (1, "Husbankens kommuneprogram i Bolig for velferd: analyserapport 2019")
    assert [level for level, _ in found].count(1) == 1
    assert found[1] == (2, "Om rapporten")
    sections = [text for level, text in found if level == 2]
    goals = sections[1:16]
    assert sections[16:] == [
        "Medlemmer mot andre kommuner",
        "Medlemmenes andel av landet",
        "Trendbrudd ved programstart",
    ]
    assert len(goals) == 15 and goals[0].startswith("Mål 1: ") and goals[14].startswith("Mål 15: ")
    assert found[3:6] == [(3, "Kvantitativ utvikling"), (3, "Kodede åpne svar"), (3, "Utvalgte sitater")]
    levels = [level for level, _ in found]
    assert all(later <= earlier + 1 for earlier, later in itertools.pairwise(levels))


def test_the_reports_tables_have_repeated_header_rows_titles_and_colours_in_words(report_bytes: bytes) -> None:
    document = opened(report_bytes)
    tables = document.tables
    assert len(tables) >= 17  # attainment per goal (15) and the two category questions
    for table in tables:
        first_row = table.rows[0]._tr
        assert first_row.trPr is not None and first_row.trPr.find(qn("w:tblHeader")) is not None
        assert table._tbl.tblPr.find(qn("w:tblCaption")) is not None
    attainment = tables[0]
    assert [cell.text for cell in attainment.rows[0].cells] == [
        "Indikator",
        "Verdi 2019",
        "Utgangspunkt",
        "Mål",
        "Farge",
        "Medlemmene hver for seg",
        "Begrunnelse",
    ]
    rows = {row.cells[0].text: [cell.text for cell in row.cells] for row in attainment.rows[1:]}
    assert rows["Sosialhjelpsmottakere uten bolig"][4] == "Grønn: nådd"
    share = rows["Andel sosialhjelpsmottakere uten bolig"]
    assert share[4].startswith("Gul: på vei. Overstyrt av siri@husbanken.example") and share[6] == OVERRIDE_REASON
    categories = [table for table in tables if table.rows[0].cells[0].text == "Kategori"]
    assert [[cell.text for cell in row.cells] for row in categories[0].rows[1:]] == [["A", "2"], ["B", "0"]]


def test_the_reports_properties_language_and_synthetic_label(report_bytes: bytes) -> None:
    document = opened(report_bytes)
    properties = document.core_properties
    assert properties.title == "Husbankens kommuneprogram i Bolig for velferd: analyserapport 2019 (SYNTHETIC)"
    assert properties.language == "nb-NO"
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults is not None
    language = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert language is not None and language.get(qn("w:val")) == "nb-NO"
    assert document.paragraphs[0].text.startswith("SYNTHETIC: rapporten bygger på oppdiktede testdata")
    footer = document.sections[0].footer.paragraphs[0]
    assert footer.text.startswith("SYNTHETIC – testdata · Boligsosial monitor")
    assert footer._p.find(qn("w:fldSimple")).get(qn("w:instr")) == "PAGE"  # the page number
    assert not document.inline_shapes  # no images, so no alternative text to give


def test_the_report_in_nynorsk(report_site: ReportSite) -> None:
    document = opened(report_site.browser(SIRI).get(REPORT + "?lang=nn").content)
    assert document.core_properties.language == "nn-NO"
    assert headings(document)[:2] == [
        (1, "Kommuneprogrammet til Husbanken i Bolig for velferd: analyserapport 2019"),
        (2, "Om rapporten"),
    ]
    assert document.paragraphs[0].text.startswith("SYNTHETIC: rapporten byggjer på oppdikta testdata")


def test_the_feedback_report_holds_the_answers_comments_and_link(feedback_bytes: bytes) -> None:
    document = opened(feedback_bytes)
    assert headings(document) == [
        (1, "Tilbakemeldingsrapport: SYNTHETIC kommune 5001 (5001)"),
        (2, "Svar gjennom årene"),
        (2, "Kommentarer fra Husbanken"),
        (2, "Kommunens indikatorer i monitoren"),
    ]
    [answers] = document.tables
    header = [cell.text for cell in answers.rows[0].cells]
    assert header[0] == "Spørsmål" and header[1].startswith("2019")
    rows = {row.cells[0].text: row.cells[1].text for row in answers.rows[1:]}
    assert rows["SYNTHETIC antall"] == "3"
    assert rows["SYNTHETIC plan?"] == "Ja"
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert COMMENT in text and ANNE in text
    assert "http://testserver/region/5001" in text
    assert document.core_properties.title is not None and "SYNTHETIC" in document.core_properties.title
    assert "SYNTHETIC" in document.sections[0].footer.paragraphs[0].text


def test_libreoffice_converts_the_report_to_pdf(report_bytes: bytes, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (soffice not on PATH; Debian: libreoffice-writer-nogui)")
    source = tmp_path / "rapport.docx"
    source.write_bytes(report_bytes)
    profile = (tmp_path / "profile").as_uri()  # its own profile: runs in parallel with others never collide
    command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
    subprocess.run(
        [*command, "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    converted = PdfReader(tmp_path / "rapport.pdf")
    text = " ".join(" ".join(page.extract_text() for page in converted.pages).split())
    assert "analyserapport 2019" in text
    assert "Grønn: nådd" in text
