"""Back-up and restore of accounts, the audit log and reporting: a round trip on SQLite and PostgreSQL gives the
same rows, and a file that is cut short, changed or malformed is refused by line and field with nothing written.
All people, answers and comments are SYNTHETIC."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from boligmonitor.catalog.reporting import Member
from boligmonitor.core.errors import InputError
from boligmonitor.store import Store, create_engine_for, migrate
from boligmonitor.store.accounts import AccountStore, Actor, IssuedSession
from boligmonitor.store.accounts.tables import account, audit_log
from boligmonitor.store.reporting import AnswerInput, ReportingRound, ReportStore, backup, restore
from boligmonitor.store.reporting.backups import BACKED_UP_TABLES
from tests.store.accounts.synthetic import SYNTHETIC_PASSWORD, FakeClock, cheap_passwords
from tests.store.conftest import POSTGRES_URL_VARIABLE, fresh_postgres_schema
from tests.store.reporting.synthetic import CLI, MUNICIPALITY, PROGRAMME, actor, report_store, synthetic_own_goal

RESTORER = Actor("command line (synthetic restorer)")
# A SYNTHETIC imported member (store/reporting/members.py), so that the programme_member table has a row.
SYNTHETIC_MEMBER = Member.model_validate(
    {"municipality": MUNICIPALITY, "name": "SYNTHETIC", "level": "storbyprogram", "from": 2014, "to": 2020}
)


@pytest.fixture
def empty_engine(store: Store, tmp_path: Path) -> Iterator[Engine]:
    """A second fresh, migrated database on the same backend as ``store``."""
    if store.engine.dialect.name == "sqlite":
        engine = create_engine_for(f"sqlite:///{tmp_path / 'restored.sqlite'}")
        migrate(engine)
        yield engine
        engine.dispose()
        return
    with fresh_postgres_schema(os.environ[POSTGRES_URL_VARIABLE]) as url:
        engine = create_engine_for(url)
        try:
            migrate(engine)
            yield engine
        finally:
            engine.dispose()


def _fill(reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore) -> None:
    """One of everything: a submitted, returned and resubmitted report with every type of answer (text with line
    separators JSON leaves as they are), an own goal, comments, notifications, a session (not backed up)."""
    kari, anne = actor(accounts, "kari@kommune.example"), actor(accounts, "anne@husbanken.example")
    accounts.set_password("kari@kommune.example", SYNTHETIC_PASSWORD, actor=CLI)
    accounts.invite("per@kommune.example", actor=CLI)
    session = accounts.sign_in("kari@kommune.example", SYNTHETIC_PASSWORD, client_address="192.0.2.1")
    assert isinstance(session, IssuedSession)
    reports.invite(synthetic_round.id, [MUNICIPALITY], actor=CLI)
    draft = reports.open_draft(synthetic_round.id, MUNICIPALITY, actor=kari)
    answers = {
        "fig_sosialhjelp": AnswerInput(number=41, comment="SYNTHETIC «korrigert» tall"),
        "fig_midlertidig": AnswerInput(number=0.1 + 0.2),
        "antall_boliger": AnswerInput(number=7),
        "har_plan": AnswerInput(yes_no=False),
        "tiltak": AnswerInput(choices=("a",)),
        "samarbeid": AnswerInput(choices=("y", "x")),
        "vurdering": AnswerInput(scale=2),
        "aktiviteter": AnswerInput(text='SYNTHETIC line one\u2028line two\u0085three\nfour "quoted" ø'),
    }
    saved = reports.save_answers(draft.id, draft.version, answers, actor=kari)
    submitted = reports.submit(saved.id, saved.version, actor=kari)
    returned = reports.return_report(submitted.id, "SYNTHETIC: see goal 1", actor=anne)
    fixed = reports.autosave(returned.id, returned.version, {"vurdering": AnswerInput(scale=3)}, actor=kari)
    reports.submit(fixed.id, fixed.version, actor=kari)
    reports.comment(fixed.id, "SYNTHETIC comment", actor=anne, goal_id="mal_02_midlertidig_under_tre_maneder")
    reports.save_own_goal(synthetic_own_goal(), actor=kari)
    reports.replace_members(PROGRAMME, [SYNTHETIC_MEMBER], source="SYNTHETIC members.csv", actor=CLI)
    unsent = reports.unsent_notifications()
    reports.mark_sent(unsent[0].id)


def _dump(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as connection:
        return {
            table.name: [
                dict(row._mapping) for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in BACKED_UP_TABLES
        }


def test_a_round_trip_restores_every_row_and_the_database_goes_on_from_there(
    store: Store,
    reports: ReportStore,
    synthetic_round: ReportingRound,
    accounts: AccountStore,
    empty_engine: Engine,
    tmp_path: Path,
    clock: FakeClock,
) -> None:
    _fill(reports, synthetic_round, accounts)
    path = tmp_path / "backup.jsonl"
    written = backup(store.engine, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # password hashes and answers: the owner's only
    assert written.rows["report_version"] == 3
    assert written.rows["answer"] == 8 + 1  # fig_barn keeps its (not loaded) official figure
    assert "session" not in written.rows

    restored = restore(empty_engine, path, actor=RESTORER)
    assert restored.rows == written.rows
    before, after = _dump(store.engine), _dump(empty_engine)
    restore_entry = after["audit_log"].pop()
    assert (restore_entry["action"], restore_entry["actor"]) == ("backup.restored", RESTORER.label)
    assert after == before

    # The restored database goes on: new ids after the restored ones (PostgreSQL's sequences moved on), the
    # restored password signs in, the report takes the next step.
    restored_accounts = AccountStore(empty_engine, passwords=cheap_passwords(), clock=clock)
    added = restored_accounts.create_account("ny@kommune.example", "husbanken_analyst", actor=CLI)
    assert added.id == max(row["id"] for row in before["account"]) + 1
    assert isinstance(
        restored_accounts.sign_in("kari@kommune.example", SYNTHETIC_PASSWORD, client_address=None), IssuedSession
    )
    restored_reports = report_store(empty_engine, clock)
    [summary] = restored_reports.every_report()
    comment = restored_reports.comment(summary.id, "SYNTHETIC after restore", actor=CLI)
    assert comment.id == len(before["report_comment"]) + 1
    returned = restored_reports.return_report(summary.id, "SYNTHETIC again", actor=CLI)
    assert [v.version for v in restored_reports.versions(summary.id)][-1] == returned.version
    assert restored_reports.report(summary.id).answers["aktiviteter"].text == (
        'SYNTHETIC line one\u2028line two\u0085three\nfour "quoted" ø'
    )


def test_a_restore_goes_only_into_an_empty_database(
    store: Store, reports: ReportStore, synthetic_round: ReportingRound, accounts: AccountStore, tmp_path: Path
) -> None:
    _fill(reports, synthetic_round, accounts)
    path = tmp_path / "backup.jsonl"
    backup(store.engine, path)
    before = _dump(store.engine)
    with pytest.raises(InputError, match="without accounts") as refused:
        restore(store.engine, path)
    assert "account" in str(refused.value)
    assert _dump(store.engine) == before


def test_a_back_up_from_before_the_account_language_restores_with_its_default(
    store: Store,
    reports: ReportStore,
    synthetic_round: ReportingRound,
    accounts: AccountStore,
    empty_engine: Engine,
    tmp_path: Path,
) -> None:
    """A file written before migration 0008 has no account.language: the restored accounts get bokmål, the
    column's default, rather than a refusal."""
    _fill(reports, synthetic_round, accounts)
    path = tmp_path / "backup.jsonl"
    backup(store.engine, path)

    def older(lines: list[str]) -> list[str]:
        rows = []
        for line in lines:
            document = json.loads(line)
            if document.get("table") == "account":
                document["row"].pop("language")
            rows.append(json.dumps(document, ensure_ascii=False))
        return rows

    _rewrite(path, older)
    restore(empty_engine, path, actor=RESTORER)
    with empty_engine.connect() as connection:
        languages = set(connection.scalars(select(account.c.language)))
    assert languages == {"nb"}


def _rewrite(path: Path, change: Any) -> None:
    """Change the body lines with ``change`` and write a matching trailer, as a careless editor would."""
    lines = path.read_text(encoding="utf-8").split("\n")[:-1]
    body = change(lines[:-1])
    digest = hashlib.sha256("".join(line + "\n" for line in body).encode("utf-8")).hexdigest()
    trailer = json.dumps({"end": True, "rows": len(body) - 1, "sha256": digest})
    path.write_text("".join(line + "\n" for line in [*body, trailer]), encoding="utf-8")


def test_a_file_cut_short_changed_or_malformed_is_refused_by_line_and_field(
    store: Store,
    reports: ReportStore,
    synthetic_round: ReportingRound,
    accounts: AccountStore,
    empty_engine: Engine,
    tmp_path: Path,
) -> None:
    _fill(reports, synthetic_round, accounts)
    path = tmp_path / "backup.jsonl"
    backup(store.engine, path)
    lines = path.read_text(encoding="utf-8").split("\n")[:-1]

    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(line + "\n" for line in lines[: len(lines) // 2]), encoding="utf-8")
    with pytest.raises(InputError, match="cut short"):
        restore(empty_engine, cut)

    changed = tmp_path / "changed.jsonl"
    changed.write_text("".join(line + "\n" for line in lines).replace("SYNTHETIC comment", "SYNTHETIC edit"))
    with pytest.raises(InputError, match="checksum") as tampered:
        restore(empty_engine, changed)
    assert tampered.value.problems[0].line == len(lines)

    account_line = next(n for n, line in enumerate(lines, start=1) if json.loads(line).get("table") == "account")

    def break_account(body: list[str]) -> list[str]:
        document = json.loads(body[account_line - 1])
        document["row"]["created_at"] = 20260302
        document["row"]["email"] = None
        document["row"]["favourite_colour"] = "SYNTHETIC"
        return [*body[: account_line - 1], json.dumps(document), *body[account_line:]]

    malformed = tmp_path / "malformed.jsonl"
    path.replace(malformed)
    _rewrite(malformed, break_account)
    with pytest.raises(InputError) as refused:
        restore(empty_engine, malformed)
    found = {(problem.line, problem.field) for problem in refused.value.problems}
    assert found == {
        (account_line, "account.created_at"),
        (account_line, "account.email"),
        (account_line, "account.favourite_colour"),
    }

    wrong_version = tmp_path / "wrong_version.jsonl"
    header = json.loads(lines[0])
    wrong_version.write_text(json.dumps({**header, "format_version": 99}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="format version 99"):
        restore(empty_engine, wrong_version)

    # Nothing was written by any of them.
    with empty_engine.connect() as connection:
        assert connection.execute(select(account)).first() is None
        assert connection.execute(select(audit_log)).first() is None
