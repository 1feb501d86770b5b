"""Analysts' overrides of goal-attainment colours in the reporting store, on SQLite and PostgreSQL: a reason is
required, a newer decision replaces the older, removal brings the rule back, and every change is audited with the
decision before and after. The people and reasons are SYNTHETIC."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from boligmonitor.core.errors import InputError
from boligmonitor.store.accounts import AccountStore
from boligmonitor.store.reporting import OverrideKey, ReportingError, ReportStore, backup, restore
from tests.store.accounts.synthetic import FakeClock
from tests.store.reporting.synthetic import CLI, PROGRAMME, actor
from tests.store.reporting.test_backup import empty_engine  # noqa: F401 (the fixture: a second, empty database)

SIRI = "siri@husbanken.example"
KEY = OverrideKey(PROGRAMME, 2019, "sosialhjelp", "kp_sosialhjelp_uten_bolig", "BL05", "programme")
MEMBER_KEY = OverrideKey(PROGRAMME, 2019, "sosialhjelp", "kp_sosialhjelp_uten_bolig", "BL05", "5001")


def test_an_override_is_stored_with_its_reason_and_analyst(
    reports: ReportStore, accounts: AccountStore, clock: FakeClock
) -> None:
    siri = actor(accounts, SIRI)
    saved = reports.save_override(KEY, "yellow", "  SYNTHETIC: the answers show progress  ", actor=siri)
    assert (saved.colour, saved.reason, saved.analyst) == ("yellow", "SYNTHETIC: the answers show progress", SIRI)
    assert saved.analyst_account_id == siri.account_id
    assert saved.decided_at == clock()
    assert reports.overrides(PROGRAMME, 2019) == [saved]
    assert reports.overrides(PROGRAMME, 2018) == []
    assert reports.overrides("another_programme") == []


def test_a_goal_without_indicator_is_keyed_with_none(reports: ReportStore, accounts: AccountStore) -> None:
    key = OverrideKey(PROGRAMME, 2019, "samarbeid", None, None, "programme")
    saved = reports.save_override(key, "green", "SYNTHETIC reason", actor=actor(accounts, SIRI))
    assert saved.key == key
    assert reports.overrides(PROGRAMME) == [saved]


def test_a_newer_decision_replaces_the_older_and_both_are_audited(
    reports: ReportStore, accounts: AccountStore, clock: FakeClock
) -> None:
    siri = actor(accounts, SIRI)
    first = reports.save_override(MEMBER_KEY, "red", "SYNTHETIC first", actor=siri)
    clock.advance(timedelta(minutes=5))
    second = reports.save_override(MEMBER_KEY, "green", "SYNTHETIC second", actor=siri)
    assert second.id == first.id
    assert reports.overrides(PROGRAMME, 2019) == [second]
    entries = [e for e in accounts.audit_entries() if e.object_type == "attainment_override"]
    latest, earlier = entries[0], entries[1]
    assert (earlier.action, earlier.before) == ("attainment_override.saved", None)
    assert earlier.after is not None and earlier.after["colour"] == "red"
    assert latest.before is not None and latest.after is not None
    assert (latest.before["colour"], latest.before["reason"]) == ("red", "SYNTHETIC first")
    assert (latest.after["colour"], latest.after["reason"]) == ("green", "SYNTHETIC second")
    assert latest.after["scope"] == "5001"


def test_removal_brings_the_rule_back_and_is_audited(reports: ReportStore, accounts: AccountStore) -> None:
    siri = actor(accounts, SIRI)
    reports.save_override(KEY, "yellow", "SYNTHETIC reason", actor=siri)
    removed = reports.remove_override(KEY, actor=siri)
    assert removed.colour == "yellow"
    assert reports.overrides(PROGRAMME) == []
    entry = accounts.audit_entries()[0]
    assert (entry.action, entry.after) == ("attainment_override.removed", None)
    assert entry.before is not None and entry.before["reason"] == "SYNTHETIC reason"
    with pytest.raises(ReportingError) as refused:
        reports.remove_override(KEY, actor=siri)
    assert refused.value.code == "override_unknown"


@pytest.mark.parametrize(
    ("colour", "reason", "scope", "fields"),
    [
        ("yellow", "   ", "programme", {"reason"}),
        ("purple", "SYNTHETIC", "programme", {"colour"}),
        ("yellow", "x" * 4001, "programme", {"reason"}),
        ("blue", "", "Trondheim", {"colour", "reason", "scope"}),
    ],
)
def test_refused_overrides_name_the_field_and_write_nothing(
    reports: ReportStore, accounts: AccountStore, colour: str, reason: str, scope: str, fields: set[str]
) -> None:
    key = OverrideKey(PROGRAMME, 2019, "sosialhjelp", None, None, scope)
    audited_before = len(accounts.audit_entries())
    with pytest.raises(InputError) as refused:
        reports.save_override(key, colour, reason, actor=actor(accounts, SIRI))
    assert {problem.field for problem in refused.value.problems} == fields
    assert reports.overrides(PROGRAMME) == []
    assert len(accounts.audit_entries()) == audited_before


def test_analysts_deciding_one_assessment_at_once_leave_one_decision_and_every_change_audited(
    reports: ReportStore, accounts: AccountStore
) -> None:
    accounts.create_account("tor@husbanken.example", "husbanken_analyst", actor=CLI)
    people = [actor(accounts, SIRI), actor(accounts, "tor@husbanken.example")] * 3
    start = threading.Barrier(len(people))

    def decide(index: int) -> str:
        start.wait()
        colour = ("green", "red")[index % 2]
        return reports.save_override(KEY, colour, f"SYNTHETIC decision {index}", actor=people[index]).colour

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        decided = list(pool.map(decide, range(len(people))))
    assert set(decided) <= {"green", "red"}
    (stored,) = reports.overrides(PROGRAMME)
    saved = [e for e in accounts.audit_entries() if e.action == "attainment_override.saved"]
    assert len(saved) == len(people)
    assert saved[0].after is not None and saved[0].after["reason"] == stored.reason  # the latest decision holds


def test_overrides_survive_a_backup_and_restore(
    reports: ReportStore,
    accounts: AccountStore,
    empty_engine: Engine,  # noqa: F811 (the fixture imported above)
    tmp_path: Path,
) -> None:
    saved = reports.save_override(MEMBER_KEY, "red", "SYNTHETIC reason kept", actor=actor(accounts, SIRI))
    path = tmp_path / "backup.jsonl"
    assert backup(reports.engine, path).rows["attainment_override"] == 1
    restore(empty_engine, path, actor=CLI)
    assert ReportStore(empty_engine).overrides(PROGRAMME) == [saved]
