"""Signing in: rate limits per account and per address, sessions with idle and absolute expiry, rotation, and
OpenID Connect sign-ins on their way. All people and addresses are SYNTHETIC."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from boligmonitor.store.accounts import (
    AccountStore,
    Actor,
    AuditAction,
    IssuedSession,
    RateLimits,
    SignInRefused,
    Throttled,
)
from boligmonitor.store.accounts.tables import login_attempt, session
from tests.store.accounts.synthetic import SYNTHETIC_PASSWORD, FakeClock

CLI = Actor("command line (synthetic)")
EMAIL = "kari@kommune.example"
ADDRESS = "192.0.2.10"  # TEST-NET-1: a documentation address, never a real client


@pytest.fixture
def kari(accounts: AccountStore) -> AccountStore:
    accounts.create_account(EMAIL, "husbanken_analyst", actor=CLI)
    accounts.set_password(EMAIL, SYNTHETIC_PASSWORD, actor=CLI)
    return accounts


def fail(accounts: AccountStore, email: str = EMAIL, address: str = ADDRESS) -> object:
    return accounts.sign_in(email, "synthetic wrong password", client_address=address)


def test_a_right_password_opens_a_session_and_a_wrong_one_does_not(kari: AccountStore) -> None:
    assert fail(kari) == SignInRefused("wrong password")
    assert kari.sign_in("nobody@kommune.example", SYNTHETIC_PASSWORD, client_address=ADDRESS) == SignInRefused(
        "unknown account"
    )
    issued = kari.sign_in(" KARI@kommune.example", SYNTHETIC_PASSWORD, client_address=ADDRESS)
    assert isinstance(issued, IssuedSession)
    assert issued.token not in repr(issued)
    found = kari.session(issued.token)
    assert found is not None
    assert found.account.email == EMAIL
    assert found.method == "password"
    assert found.csrf_secret != issued.token
    with kari.engine.connect() as connection:  # the database keeps the token's digest, not the token
        assert connection.scalar(select(session.c.id_hash)) != issued.token


def test_the_account_is_locked_after_five_failures_until_the_window_passes(
    kari: AccountStore, clock: FakeClock
) -> None:
    for _ in range(5):
        assert isinstance(fail(kari), SignInRefused)
        clock.advance(timedelta(minutes=1))
    # Locked, even with the right password and from another address; the password is not even checked.
    locked = kari.sign_in(EMAIL, SYNTHETIC_PASSWORD, client_address="198.51.100.7")
    assert isinstance(locked, Throttled)
    assert locked.by == "account"
    assert locked.retry_after == timedelta(minutes=10)  # the first failure leaves the 15-minute window then
    clock.advance(locked.retry_after)
    assert isinstance(kari.sign_in(EMAIL, SYNTHETIC_PASSWORD, client_address=ADDRESS), IssuedSession)


def test_refused_attempts_do_not_extend_the_lock(kari: AccountStore, clock: FakeClock) -> None:
    for _ in range(5):
        fail(kari)
    for _ in range(10):
        clock.advance(timedelta(minutes=1))
        assert isinstance(fail(kari), Throttled)
    clock.advance(timedelta(minutes=5))
    assert isinstance(kari.sign_in(EMAIL, SYNTHETIC_PASSWORD, client_address=ADDRESS), IssuedSession)


def test_a_success_starts_the_account_count_again(kari: AccountStore) -> None:
    for _ in range(4):
        fail(kari)
    assert isinstance(kari.sign_in(EMAIL, SYNTHETIC_PASSWORD, client_address=ADDRESS), IssuedSession)
    for _ in range(4):
        assert isinstance(fail(kari), SignInRefused)


def test_an_address_is_limited_across_accounts_and_unknown_addresses_count(kari: AccountStore) -> None:
    limits = kari.rate_limits
    for index in range(limits.per_address):
        assert isinstance(fail(kari, email=f"guess{index}@kommune.example"), SignInRefused)
    limited = kari.sign_in(EMAIL, SYNTHETIC_PASSWORD, client_address=ADDRESS)
    assert isinstance(limited, Throttled)
    assert limited.by == "address"
    # Kari from elsewhere is not affected.
    assert isinstance(kari.sign_in(EMAIL, SYNTHETIC_PASSWORD, client_address="198.51.100.7"), IssuedSession)


def test_attempts_keep_no_email_address_as_typed(kari: AccountStore) -> None:
    fail(kari, email="Someone.Else@Kommune.example")
    with kari.engine.connect() as connection:
        keys = list(connection.scalars(select(login_attempt.c.account_key)))
    assert keys
    assert all("@" not in key and len(key) == 64 for key in keys)


def test_old_attempts_are_forgotten(kari: AccountStore, clock: FakeClock) -> None:
    fail(kari)
    clock.advance(timedelta(days=2))
    fail(kari)
    with kari.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(login_attempt)) == 1


def test_limits_are_settings(accounts: AccountStore) -> None:
    strict = AccountStore(accounts.engine, rate_limits=RateLimits(per_account=1, per_address=99))
    strict.create_account(EMAIL, "husbanken_analyst", actor=CLI)
    strict.sign_in(EMAIL, "synthetic wrong password", client_address=ADDRESS)
    assert isinstance(strict.sign_in(EMAIL, "synthetic wrong password", client_address=ADDRESS), Throttled)


def test_a_deactivated_account_cannot_sign_in_and_loses_its_sessions(kari: AccountStore) -> None:
    issued = kari.sign_in(EMAIL, SYNTHETIC_PASSWORD, client_address=ADDRESS)
    assert isinstance(issued, IssuedSession)
    kari.set_active(EMAIL, False, actor=CLI)
    assert kari.session(issued.token) is None
    assert kari.sign_in(EMAIL, SYNTHETIC_PASSWORD, client_address=ADDRESS) == SignInRefused("deactivated")
    kari.set_active(EMAIL, True, actor=CLI)
    assert isinstance(kari.sign_in(EMAIL, SYNTHETIC_PASSWORD, client_address=ADDRESS), IssuedSession)


def test_a_session_ends_after_two_idle_hours(kari: AccountStore, clock: FakeClock) -> None:
    issued = kari.sign_in(EMAIL, SYNTHETIC_PASSWORD, client_address=ADDRESS)
    assert isinstance(issued, IssuedSession)
    clock.advance(timedelta(hours=1, minutes=59))
    assert kari.session(issued.token) is not None  # in use: the idle clock starts again
    clock.advance(timedelta(hours=1, minutes=59))
    assert kari.session(issued.token) is not None
    clock.advance(timedelta(hours=2))
    assert kari.session(issued.token) is None


def test_a_session_ends_after_twelve_hours_however_active(kari: AccountStore, clock: FakeClock) -> None:
    issued = kari.sign_in(EMAIL, SYNTHETIC_PASSWORD, client_address=ADDRESS)
    assert isinstance(issued, IssuedSession)
    for _ in range(11):
        clock.advance(timedelta(hours=1))
        assert kari.session(issued.token) is not None
    clock.advance(timedelta(hours=1))
    assert kari.session(issued.token) is None


def test_activity_is_written_at_most_once_a_minute(kari: AccountStore, clock: FakeClock) -> None:
    issued = kari.sign_in(EMAIL, SYNTHETIC_PASSWORD, client_address=ADDRESS)
    assert isinstance(issued, IssuedSession)
    signed_in_at = clock.now
    clock.advance(timedelta(seconds=30))
    kari.session(issued.token)
    with kari.engine.connect() as connection:
        assert connection.scalar(select(session.c.last_seen_at)) == signed_in_at
    clock.advance(timedelta(seconds=30))
    kari.session(issued.token)
    with kari.engine.connect() as connection:
        assert connection.scalar(select(session.c.last_seen_at)) == clock.now


def test_signing_in_again_replaces_the_session(kari: AccountStore) -> None:
    first = kari.sign_in(EMAIL, SYNTHETIC_PASSWORD, client_address=ADDRESS)
    assert isinstance(first, IssuedSession)
    second = kari.sign_in(EMAIL, SYNTHETIC_PASSWORD, client_address=ADDRESS, replacing_token=first.token)
    assert isinstance(second, IssuedSession)
    assert second.token != first.token
    assert kari.session(first.token) is None
    assert kari.session(second.token) is not None


def test_signing_out_ends_the_session_and_is_audited(kari: AccountStore) -> None:
    issued = kari.sign_in(EMAIL, SYNTHETIC_PASSWORD, client_address=ADDRESS)
    assert isinstance(issued, IssuedSession)
    kari.sign_out(issued.token, client_address=ADDRESS)
    assert kari.session(issued.token) is None
    actions = [entry.action for entry in kari.audit_entries()]
    assert actions[:2] == [AuditAction.SIGNED_OUT, AuditAction.SIGNED_IN]


def test_a_new_password_ends_every_session(kari: AccountStore) -> None:
    issued = kari.sign_in(EMAIL, SYNTHETIC_PASSWORD, client_address=ADDRESS)
    assert isinstance(issued, IssuedSession)
    kari.set_password(EMAIL, "another synthetic passphrase", actor=CLI)
    assert kari.session(issued.token) is None


def test_an_identity_provider_signs_in_only_existing_active_accounts(kari: AccountStore) -> None:
    issued = kari.sign_in_verified(EMAIL.upper(), method="oidc", client_address=ADDRESS)
    assert isinstance(issued, IssuedSession)
    found = kari.session(issued.token)
    assert found is not None
    assert found.method == "oidc"
    assert kari.sign_in_verified("new@kommune.example", method="oidc", client_address=ADDRESS) == SignInRefused(
        "no account for identity"
    )
    assert kari.account("new@kommune.example") is None


def test_a_pending_oidc_sign_in_is_for_one_browser_once_and_briefly(kari: AccountStore, clock: FakeClock) -> None:
    def begin(state: str) -> None:
        kari.begin_oidc_sign_in(
            state=state, browser_token="synthetic-browser", nonce="n", code_verifier="v", next_path="/konto"
        )

    begin("synthetic-state-1")
    assert kari.finish_oidc_sign_in(state="synthetic-state-1", browser_token="another-browser") is None
    assert kari.finish_oidc_sign_in(state="synthetic-state-1", browser_token="synthetic-browser") is None  # used up
    begin("synthetic-state-2")
    pending = kari.finish_oidc_sign_in(state="synthetic-state-2", browser_token="synthetic-browser")
    assert pending is not None
    assert (pending.nonce, pending.code_verifier, pending.next_path) == ("n", "v", "/konto")
    begin("synthetic-state-3")
    clock.advance(timedelta(minutes=10))
    assert kari.finish_oidc_sign_in(state="synthetic-state-3", browser_token="synthetic-browser") is None
