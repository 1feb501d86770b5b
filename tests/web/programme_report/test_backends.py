"""The report reads the same from SQLite and PostgreSQL: the site of conftest.py on each backend, with an open
answer coded as a quote (the coding's tables and full-text index differ by backend), gives the same page and
DOCX. PostgreSQL needs BOLIGMONITOR_TEST_POSTGRES_URL (scripts/postgres-test-server start)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document

from boligmonitor.store.reporting.coding import CodingStore, Span
from tests.store.reporting.synthetic import PROGRAMME, SYNTHETIC_YEAR, actor
from tests.web.programme_report.conftest import OPEN_ANSWER, SIRI, ReportSite, built_site

PAGE = f"/program/{PROGRAMME}/rapport/{SYNTHETIC_YEAR}"
GOAL = "mal_01_overgangsfase"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReportSite]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("backend") / "site.sqlite"
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("module_postgres_url")
    with built_site(url) as built:
        analyst = actor(built.accounts, SIRI)
        coding = CodingStore(built.reports.engine)
        code = coding.add_code(PROGRAMME, "SYNTHETIC team", actor=analyst, goal_id=GOAL)
        [answer] = coding.open_answers(PROGRAMME, year=SYNTHETIC_YEAR)
        whole = Span(0, len(answer.text))
        coding.code_passage(
            answer.report_version_id, answer.question_id, whole, [code.id], actor=analyst, example_quote=True
        )
        yield built


def goal_text(html: str) -> str:
    found = re.search(rf'<section [^>]*data-goal="{GOAL}">(.*?)</section>', html, re.DOTALL)
    assert found is not None
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def test_the_page_reads_the_same_on_each_backend(site: ReportSite) -> None:
    text = goal_text(site.browser(SIRI).get(PAGE).text)
    assert "Sosialhjelpsmottakere uten bolig 62 100 (2014) −30 % fra 2014 Grønn: nådd grønn 5" in text
    assert "Gul: på vei Overstyrt av siri@husbanken.example" in text  # the stored override
    assert "SYNTHETIC team 1 av 1 1" in text
    assert f"{OPEN_ANSWER} SYNTHETIC kommune 5001 (5001), 2019" in text


def test_the_docx_and_the_feedback_read_the_same_on_each_backend(site: ReportSite) -> None:
    browser = site.browser(SIRI)
    report = Document(BytesIO(browser.get(PAGE + ".docx").content))
    assert OPEN_ANSWER in [paragraph.text for paragraph in report.paragraphs]
    feedback = Document(BytesIO(browser.get(f"/rapportering/{site.round.id}/5001/tilbakemelding.docx").content))
    rows = {row.cells[0].text: row.cells[1].text for row in feedback.tables[0].rows[1:]}
    assert rows["SYNTHETIC antall"] == "3"
