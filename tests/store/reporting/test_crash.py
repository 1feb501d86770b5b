"""A process that dies in the middle of saving or submitting: what was committed stays whole, what was not is gone
(as tests/pipeline/test_build_atomic.py does for a build). The child process writes through ReportStore for real
and kills itself (os._exit) inside the transaction, after every row is written and before the commit. All answers
are SYNTHETIC."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

from boligmonitor.store import Store
from boligmonitor.store.accounts import Actor
from boligmonitor.store.reporting import AnswerInput, ReportingRound, ReportState, ReportStore
from tests.conftest import REPO_ROOT
from tests.store.reporting.synthetic import CLI, MUNICIPALITY, PROGRAMME

KARI = Actor("kari@kommune.example")

# The child: argv = URL, report id, version, the audit action to die in, then the question ids to autosave (none:
# submit).
_CHILD = """
import os, sys
from boligmonitor.store import create_engine_for
from boligmonitor.store.accounts import Actor, audit
from boligmonitor.store.reporting import AnswerInput, ReportStore

url, report_id, version, die_in, *questions = sys.argv[1:]
real_record = audit.record

def record_or_die(connection, actor, action, *args, **kwargs):
    if action == die_in:
        os._exit(9)  # abruptly: no rollback, no commit, no clean-up
    real_record(connection, actor, action, *args, **kwargs)

audit.record = record_or_die
store = ReportStore(create_engine_for(url))
kari = Actor("kari@kommune.example")
if questions:
    given = {qid: AnswerInput(text=f"SYNTHETIC lost answer to {qid}") for qid in questions}
    store.autosave(int(report_id), int(version), given, actor=kari)
else:
    store.submit(int(report_id), int(version), actor=kari)
"""


def _round(reports: ReportStore) -> ReportingRound:
    # Open for any real date the test runs on: the child uses the real clock.
    return reports.create_round(
        PROGRAMME,
        2018,
        opens_at=datetime(2020, 1, 1, tzinfo=UTC),
        closes_at=datetime(2100, 1, 1, tzinfo=UTC),
        actor=CLI,
    )


def _child(store: Store, report_id: int, version: int, die_in: str, *questions: str) -> int:
    url = store.engine.url.render_as_string(hide_password=False)
    store.engine.dispose()  # no pooled connection of ours holds anything while the child writes
    arguments = [sys.executable, "-c", _CHILD, url, str(report_id), str(version), die_in, *questions]
    return subprocess.run(arguments, check=False, timeout=120, cwd=REPO_ROOT).returncode


def test_a_crash_during_autosave_loses_nothing_saved_before(store: Store, reports: ReportStore) -> None:
    reporting = _round(reports)
    questions = [e.question.id for e in reports.form(reporting).entries() if e.question.type == "open_text"]
    draft = reports.open_draft(reporting.id, MUNICIPALITY, actor=KARI)
    given = {qid: AnswerInput(text=f"SYNTHETIC saved answer to {qid}") for qid in questions[:12]}
    saved = reports.autosave(draft.id, draft.version, given, actor=KARI)

    # The next autosave changes the same answers and adds others, and dies before its commit.
    assert _child(store, saved.id, saved.version, "report.autosaved", *questions) == 9

    after = reports.report(saved.id)
    assert after == saved
    assert {qid: a.text for qid, a in after.answers.items() if a.text} == {qid: g.text for qid, g in given.items()}
    # The report is not locked by the dead writer: the next save goes through.
    assert (
        reports.autosave(after.id, after.version, {questions[-1]: AnswerInput(text="SYNTHETIC")}, actor=KARI).version
        == 3
    )


def test_a_crash_during_submit_leaves_a_draft_with_every_answer(store: Store, reports: ReportStore) -> None:
    reporting = _round(reports)
    questions = [e.question.id for e in reports.form(reporting).entries() if e.question.type == "open_text"]
    draft = reports.open_draft(reporting.id, MUNICIPALITY, actor=KARI)
    given = {qid: AnswerInput(text=f"SYNTHETIC answer to {qid}") for qid in questions}
    saved = reports.save_answers(draft.id, draft.version, given, actor=KARI)

    assert _child(store, saved.id, saved.version, "report.submitted") == 9

    after = reports.report(saved.id)
    assert after == saved
    assert after.state is ReportState.DRAFT
    assert reports.versions(saved.id) == []

    # The other outcome, when the commit happens: submitted, with the version kept whole.
    submitted = reports.submit(saved.id, saved.version, actor=KARI)
    assert (submitted.state, submitted.version) == (ReportState.SUBMITTED, saved.version + 1)
    [kept] = reports.versions(saved.id)
    assert kept.answers == {qid: found.as_json() for qid, found in saved.answers.items()}
