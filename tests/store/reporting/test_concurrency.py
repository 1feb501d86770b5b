"""Two people editing one report, and 70 municipalities saving at once: optimistic locking refuses a stale
version with the name of whoever saved in between, and no answer is lost or lands in another report. All people,
municipality codes and answers are SYNTHETIC."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

import pytest
from sqlalchemy import func, select

from boligmonitor.store.accounts import AccountStore, Actor
from boligmonitor.store.reporting import (
    AnswerInput,
    ConflictError,
    Report,
    ReportingRound,
    ReportStore,
)
from boligmonitor.store.reporting.tables import answer
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.synthetic import CLI, CLOSES_AT, MUNICIPALITY, OPENS_AT, PROGRAMME, actor

_Result = TypeVar("_Result")

MUNICIPALITIES = 70
ANSWERS_EACH = 24


def test_the_second_writer_of_a_stale_version_is_told_who_saved_and_when(
    reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore, clock: FakeClock
) -> None:
    accounts.create_account("eva@kommune.example", "municipal_reporter", municipality=MUNICIPALITY, actor=CLI)
    kari, eva = actor(accounts, "kari@kommune.example"), actor(accounts, "eva@kommune.example")
    opened_by_kari = reports.open_draft(synthetic_round.id, MUNICIPALITY, actor=kari)
    opened_by_eva = reports.open_draft(synthetic_round.id, MUNICIPALITY, actor=eva)
    assert opened_by_kari.version == opened_by_eva.version == 1

    clock.advance(timedelta(minutes=3))
    kari_saved = reports.autosave(
        opened_by_kari.id, opened_by_kari.version, {"aktiviteter": AnswerInput(text="SYNTHETIC by Kari")}, actor=kari
    )
    clock.advance(timedelta(minutes=1))
    with pytest.raises(ConflictError) as conflict:
        reports.autosave(
            opened_by_eva.id, opened_by_eva.version, {"aktiviteter": AnswerInput(text="SYNTHETIC by Eva")}, actor=eva
        )
    refused = conflict.value
    assert (refused.saved_by, refused.saved_at) == ("kari@kommune.example", kari_saved.summary.updated_at)
    assert (refused.expected_version, refused.current_version) == (1, 2)
    assert refused.code == "conflict"
    assert "kari@kommune.example" in str(refused)
    assert kari_saved.summary.updated_at.isoformat(sep=" ", timespec="seconds") in str(refused)
    assert reports.report(opened_by_kari.id) == kari_saved  # Eva's answer is not there, Kari's is

    # Eva reloads and saves on top of Kari's version: both answers' authors are kept.
    reloaded = reports.report(opened_by_eva.id)
    eva_saved = reports.autosave(reloaded.id, reloaded.version, {"vurdering": AnswerInput(scale=3)}, actor=eva)
    assert eva_saved.answers["aktiviteter"].updated_by == "kari@kommune.example"
    assert eva_saved.answers["vurdering"].updated_by == "eva@kommune.example"
    # Submitting from a stale version is refused the same way.
    with pytest.raises(ConflictError, match=r"eva@kommune\.example"):
        reports.submit(kari_saved.id, kari_saved.version, actor=kari)


def test_of_writers_racing_from_one_version_exactly_one_wins(
    reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore
) -> None:
    writers = 8
    draft = reports.open_draft(synthetic_round.id, MUNICIPALITY, actor=actor(accounts, "kari@kommune.example"))
    start = threading.Barrier(writers)

    def save(index: int) -> Report | ConflictError:
        start.wait()
        try:
            return reports.autosave(
                draft.id,
                draft.version,
                {
                    "aktiviteter": AnswerInput(text=f"SYNTHETIC writer {index}"),
                    "vurdering": AnswerInput(scale=1 + index % 5),
                },
                actor=Actor(f"writer{index}@kommune.example"),
            )
        except ConflictError as error:
            return error

    outcomes = _in_threads(writers, save)
    [winner] = [outcome for outcome in outcomes if isinstance(outcome, Report)]
    losers = [outcome for outcome in outcomes if isinstance(outcome, ConflictError)]
    assert len(losers) == writers - 1
    won_by = winner.summary.updated_by
    assert {loser.saved_by for loser in losers} == {won_by}
    final = reports.report(draft.id)
    assert final.version == draft.version + 1
    index = int(won_by.removeprefix("writer").split("@")[0])
    assert final.answers["aktiviteter"].text == f"SYNTHETIC writer {index}"
    assert final.answers["vurdering"].scale == 1 + index % 5  # never one writer's text with another's scale


def test_seventy_municipalities_save_twenty_four_answers_each_at_once(
    reports: ReportStore, accounts: AccountStore
) -> None:
    """The issue's load target in the store: 0 lost or mixed answers (SYNTHETIC codes 5000–5069)."""
    reporting = reports.create_round(PROGRAMME, 2018, opens_at=OPENS_AT, closes_at=CLOSES_AT, actor=CLI)
    form = reports.form(reporting)
    open_questions = [entry.question.id for entry in form.entries() if entry.question.type == "open_text"]
    assert len(open_questions) == ANSWERS_EACH
    codes = [f"50{index:02d}" for index in range(MUNICIPALITIES)]
    start = threading.Barrier(MUNICIPALITIES)

    def report_for(code: str) -> Report:
        reporter = Actor(f"reporter-{code}@kommune.example")
        draft = reports.open_draft(reporting.id, code, actor=reporter)
        start.wait()  # every draft open: now all save at once
        given = {qid: AnswerInput(text=f"SYNTHETIC answer of {code} to {qid}") for qid in open_questions}
        return reports.save_answers(draft.id, draft.version, given, actor=reporter)

    saved = _in_threads(MUNICIPALITIES, lambda index: report_for(codes[index]))

    assert sorted(report.summary.municipality_code for report in saved) == codes
    for report in reports.every_report(round_id=reporting.id):
        stored = reports.report(report.id)
        code = stored.summary.municipality_code
        texts = {qid: found.text for qid, found in stored.answers.items() if found.text is not None}
        assert texts == {qid: f"SYNTHETIC answer of {code} to {qid}" for qid in open_questions}
        assert {found.updated_by for found in stored.answers.values() if found.text} == {
            f"reporter-{code}@kommune.example"
        }
        assert stored.version == 2
    with reports.engine.connect() as connection:
        texts_stored = connection.scalar(select(func.count()).select_from(answer).where(answer.c.text.is_not(None)))
    assert texts_stored == MUNICIPALITIES * ANSWERS_EACH


def _in_threads(count: int, work: Callable[[int], _Result]) -> list[_Result]:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(work, range(count)))
