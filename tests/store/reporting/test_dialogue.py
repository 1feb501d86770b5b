"""The dialogue in the store: a comment thread per report (per goal or for the whole report), the municipality's
own goals and targets, and the notification outbox, which holds links and never answers. All people, goals and
texts are SYNTHETIC."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from boligmonitor.catalog.models import AmbitionKind
from boligmonitor.catalog.reporting import OwnTarget
from boligmonitor.core.errors import InputError
from boligmonitor.store.accounts import AccountStore
from boligmonitor.store.reporting import (
    AnswerInput,
    ConflictError,
    NotificationKind,
    ReportingError,
    ReportingRound,
    ReportStore,
)
from boligmonitor.store.reporting.tables import notification_outbox
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.synthetic import (
    CLI,
    MUNICIPALITY,
    OTHER_MUNICIPALITY,
    PROGRAMME,
    actor,
    synthetic_own_goal,
)


def _account_id(accounts: AccountStore, email: str) -> int:
    found = accounts.account(email)
    assert found is not None
    return found.id


def test_a_thread_per_report_with_comments_per_goal_and_notifications_to_the_other_side(
    reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore, clock: FakeClock
) -> None:
    kari, anne = actor(accounts, "kari@kommune.example"), actor(accounts, "anne@husbanken.example")
    draft = reports.open_draft(synthetic_round.id, MUNICIPALITY, actor=kari)
    first = reports.comment(draft.id, "SYNTHETIC: good work on goal 1", actor=anne, goal_id="mal_01_overgangsfase")
    clock.advance(timedelta(hours=1))
    second = reports.comment(draft.id, "  SYNTHETIC: thank you  ", actor=kari)
    assert reports.comments(draft.id) == [first, second]
    assert (first.goal_id, first.author, first.author_account_id) == (
        "mal_01_overgangsfase",
        "anne@husbanken.example",
        anne.account_id,
    )
    assert (second.goal_id, second.text, second.written_at) == (None, "SYNTHETIC: thank you", clock.now)

    # Anne's comment went to Kari (the reporter); Kari's to Anne (the adviser of region Midt). Not to the reader,
    # nor to 5006's reporter, nor to the author herself.
    kari_inbox = reports.notifications(_account_id(accounts, "kari@kommune.example"))
    anne_inbox = reports.notifications(_account_id(accounts, "anne@husbanken.example"))
    assert [(n.kind, n.link) for n in kari_inbox] == [
        (NotificationKind.COMMENT, f"/rapportering/{synthetic_round.id}/{MUNICIPALITY}")
    ]
    assert [n.kind for n in anne_inbox] == [NotificationKind.COMMENT]
    for other in ("ola@kommune.example", "per@kommune.example", "siri@husbanken.example"):
        assert reports.notifications(_account_id(accounts, other)) == []

    with pytest.raises(ReportingError) as empty:
        reports.comment(draft.id, " ", actor=anne)
    assert empty.value.code == "comment_empty"
    with pytest.raises(ReportingError) as unknown_goal:
        reports.comment(draft.id, "SYNTHETIC", actor=anne, goal_id="mal_99")
    assert unknown_goal.value.code == "goal_unknown"


def test_the_outbox_holds_links_only_and_is_sent_and_read_once(
    reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore, clock: FakeClock
) -> None:
    kari = actor(accounts, "kari@kommune.example")
    assert reports.invite(synthetic_round.id, [MUNICIPALITY, OTHER_MUNICIPALITY, "0301"], actor=CLI) == 2
    draft = reports.open_draft(synthetic_round.id, MUNICIPALITY, actor=kari)
    answers = {"aktiviteter": AnswerInput(text="SYNTHETIC secret answer"), "antall_boliger": AnswerInput(number=3)}
    saved = reports.save_answers(draft.id, draft.version, {**answers, "har_plan": AnswerInput(yes_no=True)}, actor=kari)
    reports.submit(saved.id, saved.version, actor=kari)
    # 5001 has submitted: only 5006 is reminded.
    assert reports.remind(synthetic_round.id, [MUNICIPALITY, OTHER_MUNICIPALITY], actor=CLI) == 1
    reports.comment(draft.id, "SYNTHETIC secret comment", actor=actor(accounts, "anne@husbanken.example"))

    unsent = reports.unsent_notifications()
    assert [(n.kind, n.municipality_code) for n in unsent] == [
        (NotificationKind.INVITATION, MUNICIPALITY),
        (NotificationKind.INVITATION, OTHER_MUNICIPALITY),
        (NotificationKind.REMINDER, OTHER_MUNICIPALITY),
        (NotificationKind.COMMENT, MUNICIPALITY),
    ]
    with reports.engine.connect() as connection:
        stored = " ".join(str(value) for row in connection.execute(select(notification_outbox)) for value in row)
    assert "secret" not in stored

    clock.advance(timedelta(minutes=1))
    reports.mark_sent(unsent[0].id)
    assert [n.id for n in reports.unsent_notifications()] == [n.id for n in unsent[1:]]
    kari_id = _account_id(accounts, "kari@kommune.example")
    reports.mark_read(unsent[0].id, account_id=_account_id(accounts, "per@kommune.example"))  # not hers: ignored
    assert reports.notifications(kari_id)[-1].read_at is None
    reports.mark_read(unsent[0].id, account_id=kari_id)
    newest_first = reports.notifications(kari_id)
    assert [n.kind for n in newest_first] == [NotificationKind.COMMENT, NotificationKind.INVITATION]
    assert (newest_first[-1].sent_at, newest_first[-1].read_at) == (clock.now, clock.now)


def test_own_goals_are_checked_versioned_and_audited(reports: ReportStore, accounts: AccountStore) -> None:
    kari, per = actor(accounts, "kari@kommune.example"), actor(accounts, "per@kommune.example")
    created = reports.save_own_goal(synthetic_own_goal(), actor=kari)
    assert (created.version, created.goal, created.created_by) == (1, synthetic_own_goal(), "kari@kommune.example")
    assert reports.own_goals(PROGRAMME, "K-5001") == [created]
    assert reports.own_goals(PROGRAMME, OTHER_MUNICIPALITY) == []
    with pytest.raises(ReportingError) as twice:
        reports.save_own_goal(synthetic_own_goal(), actor=kari)
    assert twice.value.code == "own_goal_exists"

    changed = reports.save_own_goal(synthetic_own_goal(target=5), actor=kari, expected_version=1)
    assert (changed.version, changed.goal.targets[0].target) == (2, 5)
    with pytest.raises(ConflictError, match=r"kari@kommune\.example") as stale:
        reports.save_own_goal(synthetic_own_goal(target=9), actor=per, expected_version=1)
    assert stale.value.current_version == 2
    assert reports.own_goals(PROGRAMME, MUNICIPALITY) == [changed]

    # The catalogue's rules and the programme: a share above 100, an unknown programme goal, a programme goal's id.
    impossible = synthetic_own_goal().model_copy(
        update={
            "id": "mal_01_overgangsfase",
            "programme_goal": "mal_99",
            "targets": (OwnTarget(kind=AmbitionKind.AT_MOST, target=150, indicator="BU01"),),
        }
    )
    with pytest.raises(InputError) as refused:
        reports.save_own_goal(impossible, actor=kari)
    assert {problem.field for problem in refused.value.problems} >= {"id", "programme_goal", "targets.0.target"}

    # A comment may be about an own goal.
    reporting = reports.create_round(
        PROGRAMME,
        2019,
        opens_at=changed.created_at - timedelta(days=1),
        closes_at=changed.created_at + timedelta(days=1),
        actor=CLI,
    )
    draft = reports.open_draft(reporting.id, MUNICIPALITY, actor=kari)
    assert (
        reports.comment(draft.id, "SYNTHETIC", actor=kari, goal_id="eget_barnefamilier").goal_id == "eget_barnefamilier"
    )

    with pytest.raises(ConflictError):
        reports.delete_own_goal(PROGRAMME, MUNICIPALITY, "eget_barnefamilier", expected_version=1, actor=kari)
    reports.delete_own_goal(PROGRAMME, MUNICIPALITY, "eget_barnefamilier", expected_version=2, actor=kari)
    assert reports.own_goals(PROGRAMME, MUNICIPALITY) == []
    actions = [e.action for e in reversed(accounts.audit_entries(limit=1000)) if e.object_type == "own_goal"]
    assert actions == ["own_goal.created", "own_goal.changed", "own_goal.deleted"]
    [changed_entry] = [e for e in accounts.audit_entries(limit=1000) if e.action == "own_goal.changed"]
    assert changed_entry.before is not None and changed_entry.after is not None
    assert changed_entry.before["definition"]["targets"][0]["target"] == 0
    assert changed_entry.after["definition"]["targets"][0]["target"] == 5
