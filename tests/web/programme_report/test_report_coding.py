"""The coded open answers in the analysis report, from the open-answer coding (store/reporting/coding): codes
counted per goal, chosen quotes with redacted parts left out, and quotes only from the municipalities the reader
may see. The SYNTHETIC site of conftest.py gets a codebook, coded passages and a redaction here."""

from __future__ import annotations

import re
from html import unescape
from io import BytesIO

import pytest
from docx import Document

from boligmonitor.store.reporting import AnswerInput
from boligmonitor.store.reporting.coding import CodingStore, Span
from tests.store.reporting.synthetic import CLI, PROGRAMME, SYNTHETIC_YEAR, actor
from tests.web.programme_report.conftest import ANNE, OPEN_ANSWER, SIRI, ReportSite

PAGE = f"/program/{PROGRAMME}/rapport/{SYNTHETIC_YEAR}"
GOAL = "mal_01_overgangsfase"
EAST_ANSWER = "SYNTHETIC: Oslo-teamet og Kari Nordmann hjelper"


def goal_text(html: str, goal_id: str) -> str:
    found = re.search(rf'<section [^>]*data-goal="{goal_id}">(.*?)</section>', html, re.DOTALL)
    assert found is not None, goal_id
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


@pytest.fixture(scope="module")
def coded(report_site: ReportSite) -> ReportSite:
    """A third report (0301, region Øst) with an open answer; two codes of goal 1 and one of no goal; every open
    answer coded, both chosen as quotes; the name in Øst's answer redacted."""
    reports = report_site.reports
    draft = reports.open_draft(report_site.round.id, "0301", actor=CLI)
    answers = {
        "antall_boliger": AnswerInput(number=2),
        "har_plan": AnswerInput(yes_no=True),
        "aktiviteter": AnswerInput(text=EAST_ANSWER),
    }
    saved = reports.autosave(draft.id, draft.version, answers, actor=CLI)
    reports.submit(saved.id, saved.version, actor=CLI)
    analyst = actor(report_site.accounts, SIRI)
    coding = CodingStore(reports.engine)
    team = coding.add_code(PROGRAMME, "SYNTHETIC team", actor=analyst, description="SYNTHETIC: et team", goal_id=GOAL)
    plan = coding.add_code(PROGRAMME, "SYNTHETIC plan", actor=analyst, goal_id=GOAL)
    other = coding.add_code(PROGRAMME, "SYNTHETIC annet", actor=analyst)
    by_municipality = {answer.municipality_code: answer for answer in coding.open_answers(PROGRAMME, year=2019)}
    assert set(by_municipality) == {"5001", "0301"}
    for code, answer in by_municipality.items():
        whole = Span(0, len(answer.text))
        codes = [team.id, other.id] if code == "5001" else [team.id, plan.id]
        coding.code_passage(answer.report_version_id, "aktiviteter", whole, codes, actor=analyst, example_quote=True)
    east = by_municipality["0301"]
    name = EAST_ANSWER.index("Kari Nordmann")
    coding.redact(east.report_version_id, "aktiviteter", Span(name, name + len("Kari Nordmann")), "navn", actor=analyst)
    return report_site


def test_codes_are_counted_under_their_goal(coded: ReportSite) -> None:
    text = goal_text(coded.browser(SIRI).get(PAGE).text, GOAL)
    # team: both municipalities with an open answer; plan: one of them; "annet" belongs to no goal
    assert "SYNTHETIC team SYNTHETIC: et team 2 av 2 2 SYNTHETIC plan 1 av 2 1" in text
    assert "SYNTHETIC annet" not in text
    assert "Ingen kodede svar ennå." not in text


def test_quotes_leave_redacted_parts_out_and_name_their_source(coded: ReportSite) -> None:
    text = goal_text(coded.browser(SIRI).get(PAGE).text, GOAL)
    assert f"{OPEN_ANSWER} SYNTHETIC kommune 5001 (5001), 2019: SYNTHETIC aktiviteter" in text
    assert "SYNTHETIC: Oslo-teamet og [sladdet] hjelper 0301, 2019: SYNTHETIC aktiviteter" in text
    document = Document(BytesIO(coded.browser(SIRI).get(PAGE + ".docx").content))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert "SYNTHETIC: Oslo-teamet og [sladdet] hjelper" in paragraphs
    assert not any("Kari Nordmann" in paragraph for paragraph in paragraphs)


def test_an_adviser_sees_quotes_from_her_region_only(coded: ReportSite) -> None:
    text = goal_text(coded.browser(ANNE).get(PAGE).text, GOAL)
    assert OPEN_ANSWER in text
    assert "Oslo-teamet" not in text  # 0301 is outside her region
    assert "SYNTHETIC team SYNTHETIC: et team 2 av 2" in text  # counts are the programme's, over all answers
