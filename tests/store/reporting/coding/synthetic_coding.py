"""SYNTHETIC open answers for the coding tests: submitted reports of the SYNTHETIC form (its one open question,
``aktiviteter``) with made-up Norwegian-looking texts."""

from __future__ import annotations

from typing import Final

from boligmonitor.store.reporting import AnswerInput, Report, ReportStore
from tests.store.reporting.synthetic import CLI

OPEN_QUESTION: Final = "aktiviteter"
TEXTS: Final = {
    "5001": "SYNTHETIC: Vi har ansatt en boligkoordinator. Kari Nordmann på 45 år fikk bolig. Boligene er nye!",
    "5006": "SYNTHETIC: Kommunen samarbeider med NAV om midlertidige boliger.",
    "0301": "SYNTHETIC: Bostøtte og startlån ble brukt mer enn før.",
}


def submitted(reports: ReportStore, round_id: int, municipality: str, text: str) -> Report:
    """The municipality's report, submitted with ``text`` as its open answer (and the required answers)."""
    draft = reports.open_draft(round_id, municipality, actor=CLI)
    answers = {
        "antall_boliger": AnswerInput(number=1),
        "har_plan": AnswerInput(yes_no=True),
        OPEN_QUESTION: AnswerInput(text=text),
    }
    saved = reports.autosave(draft.id, draft.version, answers, actor=CLI)
    return reports.submit(saved.id, saved.version, actor=CLI)
