"""Accounts, passwords and invitations in the store (on SQLite and PostgreSQL). All people are SYNTHETIC."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Text, select

from boligmonitor.store.accounts import (
    AccountError,
    AccountStore,
    Actor,
    AuditAction,
    IssuedSession,
    Role,
    normalise_email,
)
from boligmonitor.store.accounts.tables import ACCOUNT_TABLES, account
from tests.store.accounts.synthetic import SYNTHETIC_PASSWORD, SYNTHETIC_REGIONS, FakeClock

CLI = Actor("command line (synthetic)")


@pytest.fixture
def with_regions(accounts: AccountStore) -> AccountStore:
    accounts.replace_regions(SYNTHETIC_REGIONS, actor=CLI, source="synthetic")
    return accounts


def test_an_account_is_named_by_its_normalised_email(accounts: AccountStore) -> None:
    created = accounts.create_account("  Kari.Nordmann@Kommune.EXAMPLE ", "husbanken_analyst", actor=CLI)
    assert created.email == "kari.nordmann@kommune.example"
    assert created.role is Role.HUSBANKEN_ANALYST
    assert created.active
    assert not created.has_password  # no default password: none until an invitation is used
    assert accounts.account("KARI.nordmann@kommune.example") == created
    with pytest.raises(AccountError) as raised:
        accounts.create_account("kari.nordmann@KOMMUNE.example", "administrator", actor=CLI)
    assert (raised.value.field, raised.value.code) == ("email", "account_exists")


@pytest.mark.parametrize("typed", ["", "kari", "kari@", "@kommune.example", "kari@kommune", "ka ri@kommune.example"])
def test_what_cannot_be_an_address_is_refused(typed: str) -> None:
    with pytest.raises(AccountError) as raised:
        normalise_email(typed)
    assert raised.value.code == "email_invalid"


@pytest.mark.parametrize(
    ("role", "municipality", "region", "field", "code"),
    [
        ("owner", None, None, "role", "role_unknown"),
        ("public", None, None, "role", "role_unknown"),
        ("municipal_reporter", None, None, "municipality", "municipality_required"),
        ("municipal_reader", "50", None, "municipality", "municipality_invalid"),
        ("husbanken_analyst", "5001", None, "municipality", "municipality_not_allowed"),
        ("regional_adviser", None, None, "region", "region_required"),
        ("regional_adviser", None, "Vest (synthetic)", "region", "region_unknown"),
        ("municipal_reporter", "5001", "Midt (synthetic)", "region", "region_not_allowed"),
    ],
)
def test_a_role_gets_exactly_what_it_needs(
    with_regions: AccountStore, role: str, municipality: str | None, region: str | None, field: str, code: str
) -> None:
    with pytest.raises(AccountError) as raised:
        with_regions.create_account("x@kommune.example", role, municipality=municipality, region=region, actor=CLI)
    assert (raised.value.field, raised.value.code) == (field, code)
    assert with_regions.accounts() == []


def test_municipality_numbers_are_normalised(with_regions: AccountStore) -> None:
    created = with_regions.create_account("r@kommune.example", "municipal_reporter", municipality="K-5001", actor=CLI)
    assert created.municipality_code == "5001"
    adviser = with_regions.create_account(
        "a@husbanken.example", "regional_adviser", region="Midt (synthetic)", actor=CLI
    )
    assert adviser.adviser_region == "Midt (synthetic)"


def test_a_password_is_kept_only_as_an_argon2id_hash(accounts: AccountStore) -> None:
    accounts.create_account("kari@kommune.example", "husbanken_analyst", actor=CLI)
    accounts.set_password("kari@kommune.example", SYNTHETIC_PASSWORD, actor=CLI)
    with accounts.engine.connect() as connection:
        stored = connection.scalar(select(account.c.password_hash))
        assert isinstance(stored, str)
        assert stored.startswith("$argon2id$")
        # Nowhere in any table of the room: not the password, nor its hash outside the account row.
        for table in ACCOUNT_TABLES:
            for row in connection.execute(select(table)):
                for column, value in zip(table.columns, row, strict=True):
                    if isinstance(column.type, Text) and isinstance(value, str):
                        assert SYNTHETIC_PASSWORD not in value, (table.name, column.name)
                        if table is not account:
                            assert stored not in value, (table.name, column.name)
    assert "argon2" not in repr(accounts.account("kari@kommune.example"))


@pytest.mark.parametrize(
    ("password", "code"),
    [("short", "password_too_short"), ("x" * 1025, "password_too_long"), ("Kari@Kommune.example", "password_is_email")],
)
def test_a_weak_password_is_refused_and_nothing_changes(accounts: AccountStore, password: str, code: str) -> None:
    accounts.create_account("kari@kommune.example", "husbanken_analyst", actor=CLI)
    with pytest.raises(AccountError) as raised:
        accounts.set_password("kari@kommune.example", password, actor=CLI)
    assert (raised.value.field, raised.value.code) == ("password", code)
    found = accounts.account("kari@kommune.example")
    assert found is not None
    assert not found.has_password


def test_an_invitation_sets_the_password_once_and_signs_in(accounts: AccountStore) -> None:
    accounts.create_account("kari@kommune.example", "husbanken_analyst", actor=CLI)
    invitation = accounts.invite("kari@kommune.example", actor=CLI)
    assert invitation.token not in repr(invitation)
    assert accounts.invited_account(invitation.token) == accounts.account("kari@kommune.example")
    issued = accounts.accept_invitation(invitation.token, SYNTHETIC_PASSWORD, client_address="127.0.0.1")
    assert isinstance(issued, IssuedSession)
    assert accounts.session(issued.token) is not None
    # Used up: neither shown nor accepted again.
    assert accounts.invited_account(invitation.token) is None
    with pytest.raises(AccountError) as raised:
        accounts.accept_invitation(invitation.token, "another synthetic password", client_address=None)
    assert (raised.value.field, raised.value.code) == ("token", "invitation_invalid")
    assert isinstance(accounts.sign_in("kari@kommune.example", SYNTHETIC_PASSWORD, client_address=None), IssuedSession)


def test_an_invitation_expires(accounts: AccountStore, clock: FakeClock) -> None:
    accounts.create_account("kari@kommune.example", "husbanken_analyst", actor=CLI)
    invitation = accounts.invite("kari@kommune.example", valid_for=timedelta(days=2), actor=CLI)
    clock.advance(timedelta(days=2) - timedelta(seconds=1))
    assert accounts.invited_account(invitation.token) is not None
    clock.advance(timedelta(seconds=1))
    assert accounts.invited_account(invitation.token) is None
    with pytest.raises(AccountError):
        accounts.accept_invitation(invitation.token, SYNTHETIC_PASSWORD, client_address=None)
    found = accounts.account("kari@kommune.example")
    assert found is not None
    assert not found.has_password


def test_a_new_invitation_ends_the_older_one(accounts: AccountStore) -> None:
    accounts.create_account("kari@kommune.example", "husbanken_analyst", actor=CLI)
    first = accounts.invite("kari@kommune.example", actor=CLI)
    second = accounts.invite("kari@kommune.example", actor=CLI)
    assert accounts.invited_account(first.token) is None
    assert accounts.invited_account(second.token) is not None


def test_an_unknown_or_weak_invitation_use_changes_nothing(accounts: AccountStore) -> None:
    accounts.create_account("kari@kommune.example", "husbanken_analyst", actor=CLI)
    invitation = accounts.invite("kari@kommune.example", actor=CLI)
    with pytest.raises(AccountError):
        accounts.accept_invitation("synthetic-unknown-token", SYNTHETIC_PASSWORD, client_address=None)
    with pytest.raises(AccountError) as raised:
        accounts.accept_invitation(invitation.token, "short", client_address=None)
    assert raised.value.field == "password"
    assert accounts.invited_account(invitation.token) is not None  # still usable after a refused password


def test_a_deactivated_account_cannot_be_invited_nor_accept(accounts: AccountStore) -> None:
    accounts.create_account("kari@kommune.example", "husbanken_analyst", actor=CLI)
    invitation = accounts.invite("kari@kommune.example", actor=CLI)
    accounts.set_active("kari@kommune.example", False, actor=CLI)
    assert accounts.invited_account(invitation.token) is None
    with pytest.raises(AccountError) as raised:
        accounts.invite("kari@kommune.example", actor=CLI)
    assert raised.value.code == "account_inactive"


def test_changing_a_role_is_audited_and_ends_her_sessions(with_regions: AccountStore) -> None:
    with_regions.create_account("kari@kommune.example", "municipal_reader", municipality="5001", actor=CLI)
    with_regions.set_password("kari@kommune.example", SYNTHETIC_PASSWORD, actor=CLI)
    issued = with_regions.sign_in("kari@kommune.example", SYNTHETIC_PASSWORD, client_address=None)
    assert isinstance(issued, IssuedSession)
    changed = with_regions.change_role("kari@kommune.example", "municipal_reporter", municipality="5006", actor=CLI)
    assert (changed.role, changed.municipality_code) == (Role.MUNICIPAL_REPORTER, "5006")
    assert with_regions.session(issued.token) is None
    entry = next(e for e in with_regions.audit_entries() if e.action == AuditAction.ACCOUNT_ROLE_CHANGED)
    assert entry.actor == CLI.label
    assert entry.before is not None
    assert entry.after is not None
    assert (entry.before["role"], entry.before["municipality_code"]) == ("municipal_reader", "5001")
    assert (entry.after["role"], entry.after["municipality_code"]) == ("municipal_reporter", "5006")
