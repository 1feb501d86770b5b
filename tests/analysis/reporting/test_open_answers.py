"""Counts of coded open answers by code, size group and year, coded passages and example quotes: redacted parts
never in a result. SYNTHETIC answers (synthetic_coding.py)."""

from __future__ import annotations

from boligmonitor.analysis.reporting.open_answers import code_counts, coded_passages, example_quotes
from tests.analysis.reporting.synthetic_coding import ANSWERS, CODES, GROUPS, PASSAGES, PERSON


def test_a_municipality_counts_once_per_code_year_and_size_group() -> None:
    counts = code_counts(ANSWERS, PASSAGES, CODES, GROUPS)
    assert counts.years == (2018, 2019)
    assert counts.size_groups == ("small", "large")
    assert counts.answering == {(2018, "large"): 1, (2018, "small"): 1, (2019, "large"): 2}
    nav_2018_large = counts.cell(2, 2018, "large")
    assert (nav_2018_large.municipalities, nav_2018_large.answering, nav_2018_large.passages) == (1, 1, 1)
    assert counts.cell(3, 2019, "large").municipalities == 1 and counts.cell(3, 2019, "large").share == 0.5
    assert counts.cell(1, 2019, "large").municipalities == 0  # 2019's NAV passage has only code 2
    total = counts.total(3, 2018)
    assert (total.municipalities, total.answering, total.passages) == (2, 2, 2)
    assert counts.cell(3, 2018, "unknown").answering == 0 and counts.cell(3, 2018, "unknown").share is None


def test_passages_leave_the_redacted_part_out() -> None:
    items = coded_passages(ANSWERS, PASSAGES, CODES, marker="[sladdet]")
    assert [item.passage.id for item in items] == [1, 2, 4, 3, 5, 6]  # answer order, then text order
    reaching = items[1]
    assert reaching.text == "[sladdet] fikk bolig." and PERSON not in reaching.text
    assert all(PERSON not in item.text for item in items)
    assert [code.name for code in items[0].codes] == ["Samarbeid", "NAV"]


def test_example_quotes_carry_the_note() -> None:
    quotes = example_quotes(ANSWERS, PASSAGES, CODES, marker="[redacted]")
    assert [(q.answer.municipality_code, q.text, q.passage.note) for q in quotes] == [
        ("5001", "Vi samarbeider med NAV.", "SYNTHETIC note")
    ]


def test_a_passage_of_an_answer_not_shown_is_left_out() -> None:
    assert coded_passages(ANSWERS[1:], PASSAGES[:2], CODES, marker="x") == []
    assert code_counts(ANSWERS[2:3], PASSAGES, CODES, GROUPS).cells == ()
