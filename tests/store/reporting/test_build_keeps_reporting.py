"""A data build replaces the statistics, never what municipalities reported: every reporting row stays, and the
official figures kept with a draft stay as they were shown. People and answers are SYNTHETIC; the slow test's
statistics are the real build input's."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from boligmonitor.catalog.reporting import Member
from boligmonitor.store import RegionRow, Store
from boligmonitor.store.accounts import AccountStore
from boligmonitor.store.reporting import (
    REPORTING_TABLES,
    AnswerInput,
    FigureState,
    OverrideKey,
    ReportingRound,
    ReportStore,
)
from boligmonitor.store.reporting.coding import CodingStore, Span
from boligmonitor.store.schema import DATA_TABLES
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.synthetic import (
    CLI,
    CLOSES_AT,
    MUNICIPALITY,
    OPENS_AT,
    PROGRAMME,
    actor,
    make_accounts,
    report_store,
    synthetic_own_goal,
)

# A SYNTHETIC imported member (store/reporting/members.py), so that the programme_member table has a row.
SYNTHETIC_MEMBER = Member.model_validate(
    {"municipality": MUNICIPALITY, "name": "SYNTHETIC", "level": "storbyprogram", "from": 2014, "to": 2020}
)


def _reporting_rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as connection:
        return {
            table.name: [dict(row._mapping) for row in connection.execute(select(table).order_by(*table.primary_key))]
            for table in REPORTING_TABLES
        }


def _report_something(reports: ReportStore, reporting: ReportingRound, accounts: AccountStore) -> None:
    kari, anne = actor(accounts, "kari@kommune.example"), actor(accounts, "anne@husbanken.example")
    form = reports.form(reporting)
    open_questions = [entry.question.id for entry in form.entries() if entry.question.type == "open_text"]
    draft = reports.open_draft(reporting.id, MUNICIPALITY, actor=kari)
    given = {qid: AnswerInput(text=f"SYNTHETIC answer to {qid}") for qid in open_questions}
    for entry in form.entries():  # the synthetic form's required questions
        if entry.question.required:
            given[entry.question.id] = (
                AnswerInput(yes_no=True) if entry.question.type == "yes_no" else AnswerInput(number=1)
            )
    saved = reports.save_answers(draft.id, draft.version, given, actor=kari)
    submitted = reports.submit(saved.id, saved.version, actor=kari)
    reports.comment(submitted.id, "SYNTHETIC comment", actor=anne)
    reports.save_own_goal(synthetic_own_goal(), actor=kari)
    reports.invite(reporting.id, [MUNICIPALITY], actor=CLI)
    reports.replace_members(reporting.programme_id, [SYNTHETIC_MEMBER], source="SYNTHETIC.csv", actor=CLI)
    siri = actor(accounts, "siri@husbanken.example")
    key = OverrideKey(reporting.programme_id, reporting.year, "sosialhjelp", None, None, MUNICIPALITY)
    reports.save_override(key, "yellow", "SYNTHETIC reason: judged from the answers", actor=siri)
    coding = CodingStore(reports.engine)
    code = coding.add_code(reporting.programme_id, "SYNTHETIC code", actor=siri)
    coded = coding.open_answers(reporting.programme_id)[0]  # "SYNTHETIC answer to …"
    coding.code_passage(coded.report_version_id, coded.question_id, Span(0, 9), [code.id], actor=siri)
    coding.redact(coded.report_version_id, coded.question_id, Span(10, 16), "SYNTHETIC reason", actor=siri)


def test_a_full_build_keeps_every_reporting_row(
    store: Store, reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore
) -> None:
    assert not set(REPORTING_TABLES) & set(DATA_TABLES)
    _report_something(reports, synthetic_round, accounts)
    before = _reporting_rows(store.engine)
    assert all(before.values())
    with store.write("build", "synthetic full build") as writer:
        writer.replace_everything()
        writer.put_regions([RegionRow("5001", "Synthetic municipality", "municipality", valid_from=date(2024, 1, 1))])
    assert _reporting_rows(store.engine) == before
    assert store.observations(indicator_id="BL05") == []  # the statistics were replaced
    figure = reports.report_for(synthetic_round.id, MUNICIPALITY)
    assert figure is not None
    official = figure.answers["fig_sosialhjelp"].official
    assert official is not None and (official.state, official.value) == (FigureState.PUBLISHED, 42.0)


@pytest.mark.slow
def test_a_real_build_keeps_reporting_and_new_drafts_read_its_figures(build_input: Path, tmp_path: Path) -> None:
    from boligmonitor.pipeline.build import build_database

    store = Store.open(f"sqlite:///{tmp_path / 'built.sqlite'}")
    try:
        clock = FakeClock()
        accounts = make_accounts(store.engine, clock)
        reports = report_store(store.engine, clock)
        reporting = reports.create_round(PROGRAMME, 2018, opens_at=OPENS_AT, closes_at=CLOSES_AT, actor=CLI)
        _report_something(reports, reporting, accounts)
        before = _reporting_rows(store.engine)

        summary = build_database(build_input, store)

        assert _reporting_rows(store.engine) == before
        oslo = reports.open_draft(reporting.id, "0301", actor=CLI)
        assert oslo.summary.data_version == summary.version_id
        figures = [found.official for found in oslo.answers.values() if found.official is not None]
        assert len(figures) == 14  # the 2018 form's prefilled statistics, each as the build has it (or not)
        for figure in figures:
            if figure.state is FigureState.PUBLISHED:
                assert figure.data_version == summary.version_id
            else:
                assert figure.value is None
    finally:
        store.close()
