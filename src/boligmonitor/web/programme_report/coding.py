"""The coded open answers of a programme year as the report shows them, from the open-answer coding
(store/reporting/coding, analysis/reporting/open_answers.py): per code, how many municipalities' answers carry it
out of how many answered, and the passages the analysts marked as example quotes — with redacted parts left out
(the marker in their place), as every reading of the coding does."""

from __future__ import annotations

from typing import Final

from boligmonitor.analysis.reading import ObservationSource
from boligmonitor.analysis.reporting import municipality_size_groups
from boligmonitor.analysis.reporting.open_answers import code_counts, example_quotes
from boligmonitor.store.reporting import ReportStore
from boligmonitor.store.reporting.coding import CodingStore
from boligmonitor.web.programme_report.content import ChosenQuote, CodedCount

REDACTED_MARKER: Final = "[…]"  # when the page's language gives none


def coding_of(
    store: ReportStore, source: ObservationSource, programme_id: str, year: int, *, marker: str = REDACTED_MARKER
) -> tuple[list[CodedCount], list[ChosenQuote]]:
    """The codes found in the year's open answers (most municipalities first) and the chosen quotes, each under
    the programme goal of its code (a quote under every goal its codes belong to)."""
    coding = CodingStore(store.engine)
    codes = coding.codes(programme_id)
    answers = coding.open_answers(programme_id, year=year)
    if not codes or not answers:
        return [], []
    passages = coding.passages(programme_id, report_version_ids={answer.report_version_id for answer in answers})
    counts = code_counts(answers, passages, codes, {year: municipality_size_groups(source, year)})
    counted = []
    for code in codes:
        total = counts.total(code.id, year)
        if total.municipalities:
            counted.append(
                CodedCount(
                    goal_id=code.goal_id,
                    code=code.name,
                    description=code.description or "",
                    municipalities=total.municipalities,
                    answering=total.answering,
                    passages=total.passages,
                )
            )
    counted.sort(key=lambda item: (-item.municipalities, -item.passages, item.code))
    quotes = []
    for item in example_quotes(answers, passages, codes, marker=marker):
        for goal_id in dict.fromkeys(code.goal_id for code in item.codes):
            answer = item.answer
            quotes.append(ChosenQuote(goal_id, answer.municipality_code, answer.year, answer.question_id, item.text))
    return counted, quotes


__all__ = ["REDACTED_MARKER", "coding_of"]
