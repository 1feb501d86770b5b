"""The language of an account's notifications in the store (on SQLite and PostgreSQL): migration 0008 gives every
existing account bokmål and matches the schema module; creating an account with a language, changing it, and the
audit row of each change; a bad language is refused and writes nothing. All people are SYNTHETIC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from boligmonitor.store import create_engine_for
from boligmonitor.store.accounts import AccountError, AccountStore, Actor, AuditAction
from boligmonitor.store.accounts.languages import check_language, stored_language
from boligmonitor.store.accounts.tables import account
from boligmonitor.store.engine import write_transaction
from boligmonitor.store.migrate import alembic_config, current_revision, head_revision, migrate
from boligmonitor.store.reporting.coding import include_in_schema_comparison
from boligmonitor.store.schema import metadata

CLI = Actor("command line (synthetic)")
KARI = "kari@kommune.example"


def _to_revision(url: str, revision: str, *, down: bool = False) -> None:
    engine = create_engine_for(url)
    try:
        config = alembic_config()
        with write_transaction(engine) as connection:
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)
    finally:
        engine.dispose()


@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_migration_0008_gives_existing_accounts_bokmal_and_matches_the_schema(backend_url: str) -> None:
    _to_revision(backend_url, "0007")
    engine = create_engine_for(backend_url)
    try:
        assert current_revision(engine) == "0007"
        assert "language" not in {column["name"] for column in inspect(engine).get_columns("account")}
        with engine.begin() as connection:  # an account made before 0008, in its columns only
            connection.execute(
                text(
                    "INSERT INTO account (email, role, created_at) "
                    "VALUES ('before@kommune.example', 'husbanken_analyst', :at)"
                ),
                {"at": datetime(2026, 1, 5, tzinfo=UTC)},
            )
        migrate(engine)
        assert current_revision(engine) == head_revision() == "0008"
        with engine.connect() as connection:
            assert connection.scalar(select(account.c.language)) == "nb"
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": include_in_schema_comparison}
            )
            assert compare_metadata(context, metadata) == []
        found = AccountStore(engine).account("before@kommune.example")
        assert found is not None and found.language == "nb"
    finally:
        engine.dispose()
    # And back: 0008's downgrade drops the column, the upgrade adds it again.
    _to_revision(backend_url, "0007", down=True)
    engine = create_engine_for(backend_url)
    try:
        assert "language" not in {column["name"] for column in inspect(engine).get_columns("account")}
        migrate(engine)
        assert "language" in {column["name"] for column in inspect(engine).get_columns("account")}
    finally:
        engine.dispose()


def test_a_new_account_speaks_bokmal_unless_another_language_is_given(accounts: AccountStore) -> None:
    kari = accounts.create_account(KARI, "husbanken_analyst", actor=CLI)
    assert kari.language == "nb"
    per = accounts.create_account("per@kommune.example", "husbanken_analyst", language=" NN ", actor=CLI)
    assert per.language == "nn"
    stored = accounts.account("per@kommune.example")
    assert stored is not None and stored.language == "nn"
    entries = [entry for entry in reversed(accounts.audit_entries()) if entry.object_id == str(per.id)]
    assert [entry.action for entry in entries] == [AuditAction.ACCOUNT_CREATED, AuditAction.ACCOUNT_LANGUAGE_CHANGED]
    assert (entries[1].before, entries[1].after) == (
        {"email": "per@kommune.example", "language": "nb"},
        {"email": "per@kommune.example", "language": "nn"},
    )
    assert [entry.action for entry in accounts.audit_entries() if entry.object_id == str(kari.id)] == [
        AuditAction.ACCOUNT_CREATED
    ]


def test_changing_the_language_is_audited_and_the_same_choice_changes_nothing(accounts: AccountStore) -> None:
    created = accounts.create_account(KARI, "husbanken_analyst", actor=CLI)
    by_kari = Actor.signed_in(created.id, KARI, "192.0.2.7")
    changed = accounts.set_language(KARI, "en", actor=by_kari)
    assert changed.language == "en"
    assert changed.audited() == created.audited()  # role, municipality, region, active: untouched
    again = accounts.set_language(KARI, "en", actor=by_kari)
    assert again == changed
    entries = [entry for entry in accounts.audit_entries() if entry.action == AuditAction.ACCOUNT_LANGUAGE_CHANGED]
    assert len(entries) == 1
    [entry] = entries
    assert (entry.actor, entry.actor_account_id, entry.client_address) == (KARI, created.id, "192.0.2.7")
    assert (entry.object_type, entry.object_id) == ("account", str(created.id))
    assert (entry.before, entry.after) == ({"email": KARI, "language": "nb"}, {"email": KARI, "language": "en"})


@pytest.mark.parametrize("bad", ["", "no", "nob", "english", "nb-NO"])
def test_an_unknown_language_is_refused_and_nothing_is_written(accounts: AccountStore, bad: str) -> None:
    accounts.create_account(KARI, "husbanken_analyst", actor=CLI)
    before = len(accounts.audit_entries())
    with pytest.raises(AccountError) as refused:
        accounts.set_language(KARI, bad, actor=CLI)
    assert (refused.value.field, refused.value.code) == ("language", "language_unknown")
    assert "nb, nn, en" in str(refused.value)
    with pytest.raises(AccountError):
        accounts.create_account("per@kommune.example", "husbanken_analyst", language=bad, actor=CLI)
    assert accounts.account("per@kommune.example") is None
    found = accounts.account(KARI)
    assert found is not None and found.language == "nb"
    assert len(accounts.audit_entries()) == before


def test_an_unknown_account_is_refused(accounts: AccountStore) -> None:
    with pytest.raises(AccountError) as refused:
        accounts.set_language("nobody@kommune.example", "nn", actor=CLI)
    assert refused.value.code == "account_unknown"


def test_the_database_refuses_an_account_without_a_language(accounts: AccountStore) -> None:
    with pytest.raises(IntegrityError), accounts.engine.begin() as connection:
        connection.execute(
            insert(account).values(
                email="x@kommune.example", role="husbanken_analyst", created_at=accounts.now(), language=None
            )
        )


def test_language_checks() -> None:
    assert [check_language(value) for value in ("nb", "NN", " en ")] == ["nb", "nn", "en"]
    assert [stored_language(value) for value in ("nn", "en", "xx", None)] == ["nn", "en", "nb", "nb"]
