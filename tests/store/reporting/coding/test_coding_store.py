"""The coding store on SQLite and PostgreSQL: open answers come from submitted versions only, codes and coded
passages, redactions applied on read (the kept versions untouched), and full-text search that never finds a
redacted word. All answers are SYNTHETIC."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from boligmonitor.store import Store
from boligmonitor.store.accounts import AccountStore
from boligmonitor.store.accounts.tables import audit_log
from boligmonitor.store.reporting import AnswerInput, ReportingError, ReportingRound, ReportStore
from boligmonitor.store.reporting.coding import HIT_END, HIT_START, CodingStore, Span, locate
from boligmonitor.store.reporting.tables import report_version
from tests.store.reporting.coding.synthetic_coding import OPEN_QUESTION, TEXTS, submitted
from tests.store.reporting.synthetic import CLI, PROGRAMME, SYNTHETIC_YEAR, actor

SIRI = "siri@husbanken.example"


def _version(coding: CodingStore, code: str) -> int:
    found = coding.latest_answer(PROGRAMME, SYNTHETIC_YEAR, code, OPEN_QUESTION)
    assert found is not None
    return found.report_version_id


def test_open_answers_are_the_submitted_ones_never_drafts(
    coding: CodingStore, reports: ReportStore, synthetic_round: ReportingRound, answered: dict[str, int]
) -> None:
    listed = coding.open_answers(PROGRAMME)
    assert [(a.municipality_code, a.question_id, a.text) for a in listed] == [
        (code, OPEN_QUESTION, TEXTS[code]) for code in sorted(TEXTS)
    ]
    # A returned report being edited: the analysis keeps reading its latest submitted version, not the draft.
    returned = reports.return_report(answered["5001"], "SYNTHETIC: se på dette", actor=CLI)
    reports.autosave(returned.id, returned.version, {OPEN_QUESTION: AnswerInput(text="SYNTHETIC utkast")}, actor=CLI)
    assert coding.latest_answer(PROGRAMME, SYNTHETIC_YEAR, "5001", OPEN_QUESTION) == listed[1]
    assert coding.open_answers(PROGRAMME, municipalities=["5006"])[0].municipality_code == "5006"
    assert coding.open_answers(PROGRAMME, municipalities=[]) == []
    assert coding.open_answers(PROGRAMME, year=SYNTHETIC_YEAR + 1) == []


def test_a_draft_that_was_never_submitted_has_no_open_answer(
    coding: CodingStore, reports: ReportStore, synthetic_round: ReportingRound
) -> None:
    draft = reports.open_draft(synthetic_round.id, "5001", actor=CLI)
    reports.autosave(draft.id, draft.version, {OPEN_QUESTION: AnswerInput(text="SYNTHETIC hemmelig")}, actor=CLI)
    assert coding.open_answers(PROGRAMME) == []
    assert coding.search(PROGRAMME, "hemmelig") == []


def test_codes_nest_under_goals_and_parents_and_refuse_bad_changes(coding: CodingStore, accounts: AccountStore) -> None:
    siri = actor(accounts, SIRI)
    parent = coding.add_code(PROGRAMME, "  Samarbeid ", actor=siri, goal_id="mal_01_overgangsfase")
    child = coding.add_code(PROGRAMME, "Samarbeid med NAV", actor=siri, parent_id=parent.id, description="NAV")
    assert parent.name == "Samarbeid" and child.parent_id == parent.id
    with pytest.raises(ReportingError) as taken:
        coding.add_code(PROGRAMME, "Samarbeid", actor=siri)
    assert taken.value.code == "code_name_taken"
    with pytest.raises(ReportingError) as cycle:
        coding.change_code(parent.id, "Samarbeid", actor=siri, parent_id=child.id)
    assert cycle.value.code == "code_parent_cycle"
    with pytest.raises(ReportingError) as blank:
        coding.add_code(PROGRAMME, "   ", actor=siri)
    assert blank.value.code == "code_name_required"
    changed = coding.change_code(child.id, "NAV-samarbeid", actor=siri, parent_id=parent.id)
    assert changed.name == "NAV-samarbeid" and changed.guid == child.guid
    coding.remove_code(parent.id, actor=siri)
    assert [(code.name, code.parent_id) for code in coding.codes(PROGRAMME)] == [("NAV-samarbeid", None)]
    assert coding.codes("another_programme") == []


def test_coding_passages_with_several_codes_and_example_quotes(
    coding: CodingStore, accounts: AccountStore, answered: dict[str, int], store: Store
) -> None:
    siri = actor(accounts, SIRI)
    staff = coding.add_code(PROGRAMME, "Bemanning", actor=siri)
    housing = coding.add_code(PROGRAMME, "Boliger", actor=siri)
    version = _version(coding, "5001")
    span = locate(TEXTS["5001"], "Vi har ansatt en boligkoordinator.")
    assert span is not None
    passage = coding.code_passage(version, OPEN_QUESTION, span, [staff.id], actor=siri)
    again = coding.code_passage(
        version, OPEN_QUESTION, span, [housing.id], actor=siri, example_quote=True, note="SYNTHETIC godt eksempel"
    )
    assert again.id == passage.id and again.code_ids == (staff.id, housing.id)
    assert again.example_quote and again.note == "SYNTHETIC godt eksempel"
    whole = coding.code_passage(version, OPEN_QUESTION, Span(0, len(TEXTS["5001"])), [housing.id], actor=siri)
    assert [p.id for p in coding.passages(PROGRAMME)] == [whole.id, passage.id]  # in text order
    changed = coding.change_passage(passage.id, [housing.id], actor=siri, example_quote=False)
    assert changed.code_ids == (housing.id,) and changed.note is None
    for bad, problem in ((Span(5, 5), "span_invalid"), (Span(0, 10_000), "span_invalid")):
        with pytest.raises(ReportingError) as refused:
            coding.code_passage(version, OPEN_QUESTION, bad, [staff.id], actor=siri)
        assert refused.value.code == problem
    with pytest.raises(ReportingError) as no_codes:
        coding.code_passage(version, OPEN_QUESTION, span, [], actor=siri)
    assert no_codes.value.code == "codes_required"
    with pytest.raises(ReportingError) as unknown:
        coding.open_answer(version, "antall_boliger")
    assert unknown.value.code == "answer_unknown"
    coding.remove_code(housing.id, actor=siri)  # the whole-answer passage had only this code: it goes
    assert [p.id for p in coding.passages(PROGRAMME)] == []
    with store.engine.connect() as connection:
        actions = list(connection.scalars(select(audit_log.c.action).where(audit_log.c.action.like("coding.%"))))
    assert actions.count("coding.code_added") == 2 and "coding.passage_removed" not in actions
    assert actions.count("coding.passage_coded") == 2 and "coding.code_removed" in actions


def test_a_redaction_is_applied_on_read_and_never_changes_the_kept_version(
    coding: CodingStore, accounts: AccountStore, answered: dict[str, int], store: Store
) -> None:
    siri = actor(accounts, SIRI)
    version = _version(coding, "5001")
    assert [hit.municipality_code for hit in coding.search(PROGRAMME, "Nordmann")] == ["5001"]
    span = locate(TEXTS["5001"], "Kari Nordmann på 45 år")
    assert span is not None
    with store.engine.connect() as connection:
        kept_before = connection.scalar(select(report_version.c.answers_json).where(report_version.c.id == version))
    with pytest.raises(ReportingError) as no_reason:
        coding.redact(version, OPEN_QUESTION, span, "  ", actor=siri)
    assert no_reason.value.code == "reason_required"
    coding.redact(version, OPEN_QUESTION, span, "SYNTHETIC: navn og alder", actor=siri)
    answer = coding.open_answer(version, OPEN_QUESTION)
    assert answer.redactions == (span,)
    shown = answer.redacted("[sladdet]").text
    assert "Nordmann" not in shown and "[sladdet] fikk bolig" in shown
    assert "".join(piece.text for piece in answer.pieces()) == TEXTS["5001"].replace("Kari Nordmann på 45 år", "")
    assert coding.search(PROGRAMME, "Nordmann") == []
    assert coding.search(PROGRAMME, '"45 år"') == []
    assert [hit.municipality_code for hit in coding.search(PROGRAMME, "boligkoordinator")] == ["5001"]
    code = coding.add_code(PROGRAMME, "Personopplysninger", actor=siri)
    with pytest.raises(ReportingError) as inside:
        coding.code_passage(version, OPEN_QUESTION, Span(span.start + 1, span.end - 1), [code.id], actor=siri)
    assert inside.value.code == "span_redacted"
    around = coding.code_passage(version, OPEN_QUESTION, Span(span.start - 2, span.end + 5), [code.id], actor=siri)
    assert around.span == Span(span.start - 2, span.end + 5)  # kept as given; shown with the marker inside
    with store.engine.connect() as connection:
        kept_after = connection.scalar(select(report_version.c.answers_json).where(report_version.c.id == version))
        rows = connection.scalar(select(func.count()).select_from(report_version))
    assert kept_after == kept_before and rows == 3
    assert [(r.reason, r.start) for r in coding.redactions(answered["5001"], OPEN_QUESTION)] == [
        ("SYNTHETIC: navn og alder", span.start)
    ]


def test_search_finds_words_names_where_and_marks_them(
    coding: CodingStore, answered: dict[str, int], store: Store
) -> None:
    hits = coding.search(PROGRAMME, "samarbeider NAV")
    assert [(h.municipality_code, h.year, h.question_id) for h in hits] == [("5006", SYNTHETIC_YEAR, OPEN_QUESTION)]
    assert f"{HIT_START}NAV{HIT_END}" in hits[0].snippet
    assert {h.municipality_code for h in coding.search(PROGRAMME, "bostøtte or boligkoordinator")} == {"0301", "5001"}
    assert [h.municipality_code for h in coding.search(PROGRAMME, "SYNTHETIC -NAV -bostøtte")] == ["5001"]
    assert coding.search(PROGRAMME, "SYNTHETIC", municipalities=["0301"])[0].municipality_code == "0301"
    assert coding.search(PROGRAMME, "SYNTHETIC", municipalities=[]) == []
    assert coding.search(PROGRAMME, "   ") == []
    assert coding.search(PROGRAMME, '"unclosed (quote* OR') == []  # odd input is words, never a syntax error
    # a control character (PostgreSQL refuses NUL in text) separates words like a space
    assert [h.municipality_code for h in coding.search(PROGRAMME, "samarbeider\x00NAV\x07")] == ["5006"]
    assert coding.search(PROGRAMME, "\x00\x1f") == []
    assert coding.search("another_programme", "NAV") == []
    if store.engine.dialect.name == "postgresql":  # the Norwegian stemmer: a plural finds the singular
        assert [h.municipality_code for h in coding.search(PROGRAMME, "boligen")] != []
    else:  # FTS5: a word is a prefix
        assert [h.municipality_code for h in coding.search(PROGRAMME, "boligkoord")] == ["5001"]


def test_a_new_submission_replaces_the_searched_version(
    coding: CodingStore, reports: ReportStore, synthetic_round: ReportingRound, answered: dict[str, int]
) -> None:
    assert [h.municipality_code for h in coding.search(PROGRAMME, "startlån")] == ["0301"]
    returned = reports.return_report(answered["0301"], "SYNTHETIC: rett opp", actor=CLI)
    saved = reports.autosave(
        returned.id, returned.version, {OPEN_QUESTION: AnswerInput(text="SYNTHETIC: Husbanken hjalp oss.")}, actor=CLI
    )
    assert [h.municipality_code for h in coding.search(PROGRAMME, "startlån")] == ["0301"]  # still submitted one
    reports.submit(saved.id, saved.version, actor=CLI)
    assert coding.search(PROGRAMME, "startlån") == []
    assert [h.municipality_code for h in coding.search(PROGRAMME, "Husbanken")] == ["0301"]


def test_a_municipality_without_open_answers_is_indexed_once(
    coding: CodingStore, reports: ReportStore, synthetic_round: ReportingRound
) -> None:
    submitted(reports, synthetic_round.id, "5001", "SYNTHETIC: tekst")
    draft = reports.open_draft(synthetic_round.id, "5006", actor=CLI)
    saved = reports.autosave(
        draft.id,
        draft.version,
        {"antall_boliger": AnswerInput(number=1), "har_plan": AnswerInput(yes_no=True)},
        actor=CLI,
    )
    reports.submit(saved.id, saved.version, actor=CLI)
    coding.refresh_search()
    assert [h.municipality_code for h in coding.search(PROGRAMME, "tekst")] == ["5001"]
    assert [a.municipality_code for a in coding.open_answers(PROGRAMME)] == ["5001"]


def test_a_redaction_follows_the_same_text_into_a_new_submission(
    coding: CodingStore, accounts: AccountStore, reports: ReportStore, answered: dict[str, int]
) -> None:
    siri = actor(accounts, SIRI)
    span = locate(TEXTS["5001"], "Kari Nordmann")
    assert span is not None
    coding.redact(_version(coding, "5001"), OPEN_QUESTION, span, "SYNTHETIC: navn", actor=siri)
    returned = reports.return_report(answered["5001"], "SYNTHETIC: se på tallene", actor=CLI)
    saved = reports.autosave(returned.id, returned.version, {"antall_boliger": AnswerInput(number=2)}, actor=CLI)
    reports.submit(saved.id, saved.version, actor=CLI)  # the same open answer, in a new version
    again = coding.latest_answer(PROGRAMME, SYNTHETIC_YEAR, "5001", OPEN_QUESTION)
    assert again is not None and again.redactions == (span,)
    assert coding.search(PROGRAMME, "Nordmann") == []
    # Rewritten: the name has moved and appears twice; both places are hidden, and other text is not.
    returned = reports.return_report(answered["5001"], "SYNTHETIC: skriv om", actor=CLI)
    changed = "SYNTHETIC: Kari Nordmann og Ola Hansen fikk bolig. Takk, Kari Nordmann!"
    saved = reports.autosave(returned.id, returned.version, {OPEN_QUESTION: AnswerInput(text=changed)}, actor=CLI)
    reports.submit(saved.id, saved.version, actor=CLI)
    latest = coding.latest_answer(PROGRAMME, SYNTHETIC_YEAR, "5001", OPEN_QUESTION)
    assert latest is not None
    assert latest.redacted("[x]").text == "SYNTHETIC: [x] og Ola Hansen fikk bolig. Takk, [x]!"
    assert coding.search(PROGRAMME, "Nordmann") == [] and len(coding.search(PROGRAMME, "Hansen")) == 1


def test_the_codebook_reads_in_the_same_order_on_both_databases(coding: CodingStore, accounts: AccountStore) -> None:
    siri = actor(accounts, "siri@husbanken.example")
    for name, goal in (
        ("SYNTHETIC b", "mal_01_overgangsfase"),
        ("SYNTHETIC Å", None),
        ("SYNTHETIC a", "mal_01_overgangsfase"),
        ("SYNTHETIC B", None),
    ):
        coding.add_code(PROGRAMME, name, actor=siri, goal_id=goal)
    # without a goal first (PostgreSQL would put NULLs last), then by goal and name, case aside
    assert [c.name for c in coding.codes(PROGRAMME)] == ["SYNTHETIC B", "SYNTHETIC Å", "SYNTHETIC a", "SYNTHETIC b"]
