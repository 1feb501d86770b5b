"""The reporting cycle in the store: a draft with prefilled statistics, validated answers, save and autosave,
submission, return with a comment, every version kept, and the audit rows of each change. All people, figures
and answers are SYNTHETIC."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError

from boligmonitor.catalog.reporting import FigureOrigin
from boligmonitor.store.accounts import AccountStore
from boligmonitor.store.accounts.tables import audit_log
from boligmonitor.store.reporting import (
    AnswerError,
    AnswerInput,
    FigureState,
    ReportingError,
    ReportingRound,
    ReportState,
    ReportStore,
)
from boligmonitor.store.reporting.tables import answer, report_version, reporting_round
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.synthetic import (
    CLI,
    CLOSES_AT,
    MUNICIPALITY,
    OPENS_AT,
    OTHER_MUNICIPALITY,
    PROGRAMME,
    SYNTHETIC_YEAR,
    actor,
)

COMPLETE = {
    "fig_sosialhjelp": AnswerInput(comment="SYNTHETIC: the figure includes people in shelters"),
    "antall_boliger": AnswerInput(number=12),
    "har_plan": AnswerInput(yes_no=True),
    "tiltak": AnswerInput(choices=("b",)),
    "samarbeid": AnswerInput(choices=("x", "z")),
    "vurdering": AnswerInput(scale=4),
    "aktiviteter": AnswerInput(text="SYNTHETIC answer: a housing office opened in 2019"),
}


def test_a_new_draft_shows_the_official_figures_as_the_store_held_them(
    reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore, data_version: int
) -> None:
    kari = actor(accounts, "kari@kommune.example")
    draft = reports.open_draft(synthetic_round.id, "K-5001", actor=kari)
    assert (draft.summary.municipality_code, draft.state, draft.version) == (MUNICIPALITY, ReportState.DRAFT, 1)
    assert draft.summary.data_version == data_version
    published = draft.answers["fig_sosialhjelp"]
    assert published.official is not None
    assert (published.official.state, published.official.value, published.official.status) == (
        FigureState.PUBLISHED,
        42.0,
        "",
    )
    assert (published.official.indicator, published.official.year, published.official.data_version) == (
        "BL05",
        SYNTHETIC_YEAR,
        data_version,
    )
    assert published.origin is FigureOrigin.OFFICIAL
    hidden = draft.answers["fig_midlertidig"].official
    assert hidden is not None
    assert (hidden.state, hidden.value, hidden.status) == (FigureState.NOT_PUBLISHED, None, ":")
    absent = draft.answers["fig_barn"].official
    assert absent is not None
    assert (absent.state, absent.value, absent.data_version) == (FigureState.NOT_LOADED, None, None)
    assert set(draft.answers) == {"fig_sosialhjelp", "fig_midlertidig", "fig_barn"}
    # Opening it again gives the same report, and writes nothing.
    audited = len(accounts.audit_entries(limit=1000))
    assert reports.open_draft(synthetic_round.id, MUNICIPALITY, actor=kari) == draft
    assert len(accounts.audit_entries(limit=1000)) == audited


def test_save_answers_keeps_every_type_and_never_touches_the_official_figure(
    reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore
) -> None:
    kari = actor(accounts, "kari@kommune.example")
    draft = reports.open_draft(synthetic_round.id, MUNICIPALITY, actor=kari)
    answers = {
        **COMPLETE,
        "fig_sosialhjelp": AnswerInput(number=40, comment="SYNTHETIC: two were counted twice"),
        "fig_midlertidig": AnswerInput(number=12.5),
    }
    saved = reports.save_answers(draft.id, draft.version, answers, actor=kari)
    assert saved.version == 2
    corrected = saved.answers["fig_sosialhjelp"]
    assert (corrected.number, corrected.origin) == (40.0, FigureOrigin.CORRECTION)
    assert corrected.official is not None and corrected.official.value == 42.0
    own = saved.answers["fig_midlertidig"]
    assert (own.number, own.origin) == (12.5, FigureOrigin.SELF_REPORTED)
    assert saved.answers["antall_boliger"].number == 12.0
    assert saved.answers["har_plan"].yes_no is True
    assert saved.answers["tiltak"].choices == ("b",)
    assert saved.answers["samarbeid"].choices == ("x", "z")
    assert saved.answers["vurdering"].scale == 4
    assert saved.answers["aktiviteter"].text == COMPLETE["aktiviteter"].text
    assert saved.answers["aktiviteter"].updated_by == "kari@kommune.example"
    assert reports.report(draft.id) == saved

    # A whole-form save clears what the form sent empty; the official figure stays.
    again = reports.save_answers(saved.id, saved.version, {"har_plan": AnswerInput(yes_no=False)}, actor=kari)
    assert set(again.answers) == {"fig_sosialhjelp", "fig_midlertidig", "fig_barn", "har_plan"}
    cleared = again.answers["fig_sosialhjelp"]
    assert (cleared.number, cleared.comment, cleared.origin) == (None, None, FigureOrigin.OFFICIAL)
    assert cleared.official is not None and cleared.official.value == 42.0
    assert again.answers["fig_midlertidig"].origin is None


def test_autosave_changes_only_what_it_is_given(
    reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore, clock: FakeClock
) -> None:
    kari = actor(accounts, "kari@kommune.example")
    draft = reports.open_draft(synthetic_round.id, MUNICIPALITY, actor=kari)
    first = reports.save_answers(draft.id, draft.version, COMPLETE, actor=kari)
    clock.advance(timedelta(seconds=5))
    second = reports.autosave(first.id, first.version, {"vurdering": AnswerInput(scale=2)}, actor=kari)
    assert second.version == first.version + 1
    assert second.answers["vurdering"].scale == 2
    assert second.answers["vurdering"].updated_at == clock.now
    assert second.answers["aktiviteter"] == first.answers["aktiviteter"]  # untouched, its time too
    third = reports.autosave(second.id, second.version, {"aktiviteter": AnswerInput(text="  ")}, actor=kari)
    assert "aktiviteter" not in third.answers  # blank text is no answer


def test_refused_answers_are_named_by_question_id_and_nothing_is_half_saved(
    reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore
) -> None:
    kari = actor(accounts, "kari@kommune.example")
    draft = reports.open_draft(synthetic_round.id, MUNICIPALITY, actor=kari)
    saved = reports.save_answers(draft.id, draft.version, COMPLETE, actor=kari)
    bad = {
        "aktiviteter": AnswerInput(text="SYNTHETIC changed text that must not be saved"),
        "antall_boliger": AnswerInput(number=12.5),  # a count is whole
        "vurdering": AnswerInput(scale=9),
        "tiltak": AnswerInput(choices=("a", "b")),
        "samarbeid": AnswerInput(choices=("x", "y", "z")),
        "har_plan": AnswerInput(text="yes"),
        "fig_barn": AnswerInput(number=3, comment="SYNTHETIC"),  # takes neither own figure nor comment
        "fig_sosialhjelp": AnswerInput(number=-1),  # a count is at least 0
        "no_such_question": AnswerInput(text="SYNTHETIC"),
    }
    with pytest.raises(AnswerError) as refused:
        reports.autosave(saved.id, saved.version, bad, actor=kari)
    by_question = refused.value.by_question()
    assert set(by_question) == set(bad) - {"aktiviteter"}
    assert {p.code for p in by_question["fig_barn"]} == {"comment_not_allowed", "self_report_not_allowed"}
    assert [p.code for p in by_question["har_plan"]] == ["field_not_allowed"]
    assert [p.code for p in by_question["tiltak"]] == ["choice_single"]
    assert [p.code for p in by_question["samarbeid"]] == ["choice_too_many"]
    assert [p.code for p in by_question["vurdering"]] == ["scale_outside"]
    assert [p.code for p in by_question["no_such_question"]] == ["question_unknown"]
    assert {p.field for p in refused.value.problems} == set(bad) - {"aktiviteter"}
    assert "antall_boliger" in str(refused.value)
    assert reports.report(saved.id) == saved  # nothing changed, not even the version

    with pytest.raises(AnswerError) as too_long:
        reports.autosave(saved.id, saved.version, {"aktiviteter": AnswerInput(text="x" * 201)}, actor=kari)
    assert [p.code for p in too_long.value.answer_problems] == ["text_too_long"]


def test_submit_checks_required_answers_then_keeps_the_version_whole(
    reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore
) -> None:
    kari = actor(accounts, "kari@kommune.example")
    draft = reports.open_draft(synthetic_round.id, MUNICIPALITY, actor=kari)
    partial = reports.autosave(draft.id, draft.version, {"vurdering": AnswerInput(scale=3)}, actor=kari)
    with pytest.raises(AnswerError) as missing:
        reports.submit(partial.id, partial.version, actor=kari)
    assert {p.question_id for p in missing.value.answer_problems} == {"antall_boliger", "har_plan"}
    assert {p.code for p in missing.value.answer_problems} == {"answer_required"}
    assert reports.report(partial.id).state is ReportState.DRAFT

    complete = reports.save_answers(partial.id, partial.version, COMPLETE, actor=kari)
    submitted = reports.submit(complete.id, complete.version, actor=kari)
    assert (submitted.state, submitted.version) == (ReportState.SUBMITTED, complete.version + 1)
    assert submitted.summary.submitted_by == "kari@kommune.example"
    [kept] = reports.versions(submitted.id)
    assert (kept.state, kept.version, kept.actor, kept.form_version) == (
        ReportState.SUBMITTED,
        submitted.version,
        "kari@kommune.example",
        "2026.1.0",
    )
    assert kept.answers == {qid: found.as_json() for qid, found in complete.answers.items()}
    assert kept.answers["fig_sosialhjelp"]["official"]["value"] == 42.0

    with pytest.raises(ReportingError) as not_editable:
        reports.autosave(submitted.id, submitted.version, {"vurdering": AnswerInput(scale=1)}, actor=kari)
    assert not_editable.value.code == "report_submitted"


def test_return_with_a_comment_then_resubmit_keeps_every_version(
    reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore
) -> None:
    kari, anne = actor(accounts, "kari@kommune.example"), actor(accounts, "anne@husbanken.example")
    draft = reports.open_draft(synthetic_round.id, MUNICIPALITY, actor=kari)
    complete = reports.save_answers(draft.id, draft.version, COMPLETE, actor=kari)
    with pytest.raises(ReportingError) as early:
        reports.return_report(complete.id, "SYNTHETIC", actor=anne)
    assert early.value.code == "report_draft"
    submitted = reports.submit(complete.id, complete.version, actor=kari)
    with pytest.raises(ReportingError) as empty:
        reports.return_report(submitted.id, "  ", actor=anne)
    assert empty.value.code == "comment_required"

    returned = reports.return_report(submitted.id, "SYNTHETIC: please explain the count", actor=anne)
    assert returned.state is ReportState.RETURNED
    assert (returned.summary.returned_by, returned.summary.return_comment) == (
        "anne@husbanken.example",
        "SYNTHETIC: please explain the count",
    )
    fixed = reports.autosave(returned.id, returned.version, {"antall_boliger": AnswerInput(number=11)}, actor=kari)
    assert fixed.state is ReportState.RETURNED  # editable, still marked returned until sent again
    resubmitted = reports.submit(fixed.id, fixed.version, actor=kari)
    versions = reports.versions(resubmitted.id)
    assert [(v.state, v.version) for v in versions] == [
        (ReportState.SUBMITTED, submitted.version),
        (ReportState.RETURNED, returned.version),
        (ReportState.SUBMITTED, resubmitted.version),
    ]
    assert versions[1].comment == "SYNTHETIC: please explain the count"
    assert [v.answers["antall_boliger"]["number"] for v in versions] == [12.0, 12.0, 11.0]
    [(summary, latest)] = reports.submitted_versions(PROGRAMME)
    assert (summary.id, latest.version) == (resubmitted.id, resubmitted.version)

    # The kept versions are append-only in the database itself.
    with pytest.raises(DBAPIError, match="cannot be changed"), reports.engine.begin() as connection:
        connection.execute(update(report_version).values(actor="someone else"))

    kari_id = accounts.account("kari@kommune.example")
    assert kari_id is not None
    returned_messages = [n for n in reports.notifications(kari_id.id) if n.kind == "returned"]
    assert [n.link for n in returned_messages] == [f"/rapportering/{synthetic_round.id}/{MUNICIPALITY}"]


def test_every_change_is_audited_without_the_answers(
    reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore
) -> None:
    kari, anne = actor(accounts, "kari@kommune.example"), actor(accounts, "anne@husbanken.example")
    draft = reports.open_draft(synthetic_round.id, MUNICIPALITY, actor=kari)
    saved = reports.save_answers(draft.id, draft.version, COMPLETE, actor=kari)
    autosaved = reports.autosave(saved.id, saved.version, {"vurdering": AnswerInput(scale=5)}, actor=kari)
    submitted = reports.submit(autosaved.id, autosaved.version, actor=kari)
    reports.return_report(submitted.id, "SYNTHETIC comment text", actor=anne)
    reports.comment(submitted.id, "SYNTHETIC thread text", actor=anne, goal_id="mal_01_overgangsfase")
    entries = [e for e in reversed(accounts.audit_entries(limit=1000)) if e.object_type != "account"]
    assert [e.action for e in entries] == [
        "adviser_regions.changed",
        "reporting_round.created",
        "report.created",
        "report.saved",
        "report.autosaved",
        "report.submitted",
        "report.returned",
        "report.comment_added",
    ]
    saved_entry = entries[3]
    assert saved_entry.actor == "kari@kommune.example"
    assert saved_entry.client_address == "192.0.2.10"
    assert saved_entry.before == {"state": "draft", "version": 1}
    assert saved_entry.after is not None
    assert saved_entry.after["questions"] == sorted(COMPLETE)
    assert entries[4].after is not None and entries[4].after["questions"] == ["vurdering"]
    with reports.engine.connect() as connection:
        texts = " ".join(str(value) for row in connection.execute(select(audit_log)) for value in row)
    for hidden in ("SYNTHETIC answer", "SYNTHETIC comment text", "SYNTHETIC thread text", "shelters"):
        assert hidden not in texts


def test_a_closed_or_not_yet_open_round_takes_no_changes(
    reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore, clock: FakeClock
) -> None:
    kari = actor(accounts, "kari@kommune.example")
    draft = reports.open_draft(synthetic_round.id, MUNICIPALITY, actor=kari)
    clock.advance(CLOSES_AT - clock.now + timedelta(days=2))  # after the deadline: late, still taken
    late = reports.autosave(draft.id, draft.version, {"vurdering": AnswerInput(scale=1)}, actor=kari)
    reports.close_round(synthetic_round.id, actor=CLI)
    with pytest.raises(ReportingError) as closed:
        reports.autosave(late.id, late.version, {"vurdering": AnswerInput(scale=2)}, actor=kari)
    assert closed.value.code == "round_closed"
    with pytest.raises(ReportingError, match="closed"):
        reports.open_draft(synthetic_round.id, OTHER_MUNICIPALITY, actor=kari)
    assert reports.report(late.id) == late
    reports.reopen_round(synthetic_round.id, actor=CLI)
    later = OPENS_AT + timedelta(days=400)
    reports.change_round_dates(synthetic_round.id, opens_at=later, closes_at=later + timedelta(days=30), actor=CLI)
    with pytest.raises(ReportingError) as not_yet:
        reports.autosave(late.id, late.version, {"vurdering": AnswerInput(scale=2)}, actor=kari)
    assert not_yet.value.code == "round_not_open"


def test_rounds_are_one_per_programme_and_year_and_keep_their_form_version(
    reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore
) -> None:
    with pytest.raises(ReportingError) as twice:
        reports.create_round(PROGRAMME, SYNTHETIC_YEAR, opens_at=OPENS_AT, closes_at=CLOSES_AT, actor=CLI)
    assert twice.value.code == "round_exists"
    real = reports.create_round(PROGRAMME, 2018, opens_at=OPENS_AT, closes_at=CLOSES_AT, actor=CLI)
    assert real.form_version == reports.form(real).version
    assert [r.year for r in reports.rounds(PROGRAMME)] == [2018, SYNTHETIC_YEAR]
    draft = reports.open_draft(real.id, MUNICIPALITY, actor=actor(accounts, "kari@kommune.example"))
    assert len(draft.answers) == 14  # the 2018 form's prefilled statistics, none loaded here
    assert {a.official.state for a in draft.answers.values() if a.official} == {FigureState.NOT_LOADED}
    # A form that has moved on to another release cannot take answers for the old round.
    with reports.engine.begin() as connection:
        connection.execute(
            update(reporting_round).where(reporting_round.c.id == real.id).values(form_version="2025.9.0")
        )
    with pytest.raises(ReportingError) as changed:
        reports.autosave(draft.id, draft.version, {}, actor=CLI)
    assert changed.value.code == "form_changed"


def test_lists_are_narrowed_to_the_municipalities_asked_for(
    reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore
) -> None:
    kari, per = actor(accounts, "kari@kommune.example"), actor(accounts, "per@kommune.example")
    own = reports.open_draft(synthetic_round.id, MUNICIPALITY, actor=kari)
    other = reports.open_draft(synthetic_round.id, OTHER_MUNICIPALITY, actor=per)
    assert [s.id for s in reports.reports([MUNICIPALITY])] == [own.id]
    assert [s.id for s in reports.reports(["5001", "5006"], round_id=synthetic_round.id)] == [own.id, other.id]
    assert reports.reports([]) == []
    assert [s.municipality_code for s in reports.every_report(programme_id=PROGRAMME)] == ["5001", "5006"]
    with pytest.raises(ReportingError) as bad:
        reports.reports(["50"])
    assert bad.value.code == "municipality_invalid"


def test_an_answer_row_per_question_and_no_orphans(
    reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore
) -> None:
    kari = actor(accounts, "kari@kommune.example")
    draft = reports.open_draft(synthetic_round.id, MUNICIPALITY, actor=kari)
    reports.save_answers(draft.id, draft.version, COMPLETE, actor=kari)
    with reports.engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(answer).where(answer.c.report_id == draft.id))
    assert count == len(set(COMPLETE) | {"fig_midlertidig", "fig_barn"})


def test_a_save_that_changes_nothing_writes_nothing(
    reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore, clock: FakeClock
) -> None:
    kari = actor(accounts, "kari@kommune.example")
    draft = reports.open_draft(synthetic_round.id, MUNICIPALITY, actor=kari)
    saved = reports.save_answers(draft.id, draft.version, COMPLETE, actor=kari)
    audited = len(accounts.audit_entries(limit=1000))
    clock.advance(timedelta(seconds=30))
    assert reports.save_answers(saved.id, saved.version, COMPLETE, actor=kari) == saved
    assert reports.autosave(saved.id, saved.version, {"vurdering": AnswerInput(scale=4)}, actor=kari) == saved
    assert reports.autosave(saved.id, saved.version, {}, actor=kari) == saved
    assert len(accounts.audit_entries(limit=1000)) == audited
