"""The audit log (append-only, in the database itself), adviser regions as data, and a data build that leaves
accounts and their record alone. All people, regions and values are SYNTHETIC."""

from __future__ import annotations

import sqlite3
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from boligmonitor.core.errors import InputError
from boligmonitor.store import RegionRow, Store
from boligmonitor.store.accounts import ACCOUNT_TABLES, AccountError, AccountStore, Actor, AuditAction, IssuedSession
from boligmonitor.store.accounts.regions import parse_regions, read_regions_file
from boligmonitor.store.accounts.tables import account, audit_log
from boligmonitor.store.schema import DATA_TABLES
from tests.store.accounts.synthetic import SYNTHETIC_PASSWORD, SYNTHETIC_REGIONS, cheap_passwords

CLI = Actor("command line (synthetic)")


def test_every_change_is_audited_with_who_what_and_before_and_after(accounts: AccountStore) -> None:
    accounts.replace_regions(SYNTHETIC_REGIONS, actor=CLI, source="synthetic")
    accounts.create_account("kari@kommune.example", "municipal_reader", municipality="5001", actor=CLI)
    invitation = accounts.invite("kari@kommune.example", actor=CLI)
    issued = accounts.accept_invitation(invitation.token, SYNTHETIC_PASSWORD, client_address="192.0.2.1")
    accounts.sign_out(issued.token, client_address="192.0.2.1")
    accounts.sign_in("kari@kommune.example", "synthetic wrong password", client_address="192.0.2.1")
    accounts.sign_in("nobody@kommune.example", "synthetic wrong password", client_address="192.0.2.1")
    accounts.change_role("kari@kommune.example", "municipal_reporter", municipality="5001", actor=CLI)
    accounts.set_password("kari@kommune.example", "another synthetic passphrase", actor=CLI)
    accounts.set_active("kari@kommune.example", False, actor=CLI)
    entries = list(reversed(accounts.audit_entries()))
    assert [entry.action for entry in entries] == [
        AuditAction.REGIONS_CHANGED,
        AuditAction.ACCOUNT_CREATED,
        AuditAction.INVITATION_CREATED,
        AuditAction.INVITATION_ACCEPTED,
        AuditAction.PASSWORD_SET,
        AuditAction.SIGNED_IN,
        AuditAction.SIGNED_OUT,
        AuditAction.SIGN_IN_FAILED,
        AuditAction.SIGN_IN_FAILED,
        AuditAction.ACCOUNT_ROLE_CHANGED,
        AuditAction.PASSWORD_SET,
        AuditAction.ACCOUNT_DEACTIVATED,
    ]
    created, accepted, signed_in = entries[1], entries[3], entries[5]
    assert created.actor == CLI.label
    assert created.before is None
    assert created.after == {
        "email": "kari@kommune.example",
        "role": "municipal_reader",
        "municipality_code": "5001",
        "adviser_region": None,
        "active": True,
    }
    assert (accepted.actor, accepted.client_address) == ("kari@kommune.example", "192.0.2.1")
    assert signed_in.after == {"method": "invitation"}
    failed_known, failed_unknown = entries[7], entries[8]
    assert (failed_known.actor, failed_known.after) == ("anonymous", {"reason": "wrong password", "method": "password"})
    assert failed_unknown.object_id == "unknown"  # what was typed is not kept
    assert entries[0].after == {name: sorted(codes) for name, codes in sorted(SYNTHETIC_REGIONS.items())}
    with accounts.engine.connect() as connection:
        texts = " ".join(str(value) for row in connection.execute(select(audit_log)) for value in row)
    assert SYNTHETIC_PASSWORD not in texts
    assert "nobody@kommune.example" not in texts
    assert invitation.token not in texts
    assert issued.token not in texts


def test_the_audit_log_pages_newest_first(accounts: AccountStore) -> None:
    for index in range(5):
        accounts.create_account(f"person{index}@kommune.example", "husbanken_analyst", actor=CLI)
    newest = accounts.audit_entries(limit=2)
    assert [entry.after["email"] for entry in newest if entry.after] == [
        "person4@kommune.example",
        "person3@kommune.example",
    ]
    older = accounts.audit_entries(limit=10, before_id=newest[-1].id)
    assert [entry.after["email"] for entry in older if entry.after] == [
        f"person{index}@kommune.example" for index in (2, 1, 0)
    ]


@pytest.mark.parametrize(
    "statement",
    [update(audit_log).values(actor="someone else"), delete(audit_log)],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_or_delete_audit_rows(accounts: AccountStore, statement: object) -> None:
    accounts.create_account("kari@kommune.example", "husbanken_analyst", actor=CLI)
    with pytest.raises(DBAPIError, match="append-only"), accounts.engine.begin() as connection:
        connection.execute(statement)  # type: ignore[call-overload]
    with accounts.engine.connect() as connection:
        assert connection.scalar(select(audit_log.c.actor)) == CLI.label


def test_the_database_refuses_to_empty_the_audit_log_on_postgresql(accounts: AccountStore) -> None:
    if accounts.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    accounts.create_account("kari@kommune.example", "husbanken_analyst", actor=CLI)
    with pytest.raises(DBAPIError, match="append-only"), accounts.engine.begin() as connection:
        connection.execute(text("TRUNCATE audit_log"))


def test_a_data_build_keeps_accounts_sessions_and_the_audit_log(store: Store, accounts: AccountStore) -> None:
    assert not set(ACCOUNT_TABLES) & set(DATA_TABLES)
    accounts.create_account("kari@kommune.example", "husbanken_analyst", actor=CLI)
    accounts.set_password("kari@kommune.example", SYNTHETIC_PASSWORD, actor=CLI)
    issued = accounts.sign_in("kari@kommune.example", SYNTHETIC_PASSWORD, client_address=None)
    assert isinstance(issued, IssuedSession)
    audited = len(accounts.audit_entries())
    with store.write("build", "synthetic full build") as writer:
        writer.replace_everything()
        writer.put_regions([RegionRow("5001", "Synthetic municipality", "municipality", valid_from=date(2024, 1, 1))])
    assert accounts.account("kari@kommune.example") is not None
    assert accounts.session(issued.token) is not None
    assert len(accounts.audit_entries()) == audited


@pytest.mark.slow
def test_a_full_build_from_the_real_input_keeps_accounts_and_audit_rows(build_input: Path, tmp_path: Path) -> None:
    from boligmonitor.pipeline.build import build_database

    store = Store.open(f"sqlite:///{tmp_path / 'built.sqlite'}")
    try:
        accounts = AccountStore(store.engine, passwords=cheap_passwords())
        accounts.create_account("kari@kommune.example", "husbanken_analyst", actor=CLI)
        build_database(build_input, store)
        assert [a.email for a in accounts.accounts()] == ["kari@kommune.example"]
        assert [entry.action for entry in accounts.audit_entries()] == [AuditAction.ACCOUNT_CREATED]
        assert store.current_version() is not None
    finally:
        store.close()


def test_a_page_view_does_not_wait_for_a_build_to_note_activity(store_sqlite: Store) -> None:
    from datetime import timedelta

    from tests.store.accounts.synthetic import FakeClock

    clock = FakeClock()
    accounts = AccountStore(store_sqlite.engine, passwords=cheap_passwords(), clock=clock)
    accounts.create_account("kari@kommune.example", "husbanken_analyst", actor=CLI)
    issued = accounts.sign_in_verified("kari@kommune.example", method="oidc", client_address=None)
    assert isinstance(issued, IssuedSession)
    clock.advance(timedelta(minutes=5))
    database = store_sqlite.engine.url.database
    assert database is not None
    builder = sqlite3.connect(database, isolation_level=None)  # a build holding SQLite's write lock
    try:
        builder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        assert accounts.session(issued.token) is not None
        assert time.monotonic() - started < 5  # the busy timeout is 30 s; the touch gives up after 0.2 s
    finally:
        builder.execute("ROLLBACK")
        builder.close()


def test_regions_are_replaced_whole_and_a_region_in_use_cannot_go(accounts: AccountStore) -> None:
    accounts.replace_regions(SYNTHETIC_REGIONS, actor=CLI, source="synthetic")
    assert accounts.regions() == SYNTHETIC_REGIONS
    accounts.create_account("adviser@husbanken.example", "regional_adviser", region="Midt (synthetic)", actor=CLI)
    with pytest.raises(InputError) as raised:
        accounts.replace_regions({"Øst (synthetic)": frozenset({"03"})}, actor=CLI, source="regions.yaml")
    assert "adviser@husbanken.example" in str(raised.value)
    assert accounts.regions() == SYNTHETIC_REGIONS
    accounts.replace_regions(
        {"Midt (synthetic)": frozenset({"50", "15"}), "Nord (synthetic)": frozenset({"18"})},
        actor=CLI,
        source="regions.yaml",
    )
    assert accounts.region_areas("Midt (synthetic)") == {"50", "15"}
    assert set(accounts.regions()) == {"Midt (synthetic)", "Nord (synthetic)"}


def test_a_regions_file_keeps_codes_as_written(tmp_path: Path) -> None:
    path = tmp_path / "regions.yaml"
    path.write_text(
        "# SYNTHETIC\nMidt (synthetic): [50, 15]\nØst (synthetic):\n  - 0301\n  - K-3201\n", encoding="utf-8"
    )
    assert read_regions_file(path) == {
        "Midt (synthetic)": frozenset({"50", "15"}),
        "Øst (synthetic)": frozenset({"0301", "3201"}),  # never the number 301
    }


def test_a_bad_regions_file_names_line_and_field() -> None:
    with pytest.raises(InputError) as raised:
        parse_regions("Midt: ['50', '5']\nØst: []\nMidt: ['15']\n", "regions.yaml")
    problems = [(p.line, p.field) for p in raised.value.problems]
    assert problems == [(1, "Midt[1]"), (2, "Øst"), (3, "Midt")]
    with pytest.raises(InputError, match="line 1"):
        parse_regions("Midt: [50\n", "regions.yaml")


def test_accounts_are_never_deleted_so_the_audit_log_needs_no_key_to_them(accounts: AccountStore) -> None:
    accounts.create_account("kari@kommune.example", "husbanken_analyst", actor=CLI)
    with pytest.raises(AccountError):
        accounts.set_password("unknown@kommune.example", SYNTHETIC_PASSWORD, actor=CLI)
    with accounts.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(account)) == 1
    assert not audit_log.foreign_keys
