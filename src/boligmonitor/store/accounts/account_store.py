"""The accounts and access of the store: one object that opens a transaction per change and records it in the
audit log within it.

Everything that writes goes through :class:`AccountStore`; the web layer (``boligmonitor.web.auth``) and the
command line (``boligmonitor user …``) call it. Time comes from a clock given at construction, so tests can
move it on (session expiry, invitation expiry, rate-limit windows).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Literal

from sqlalchemy import Connection, Engine

from boligmonitor.store.accounts import accounts, attempts, audit, invitations, oidc_pending, regions, sessions
from boligmonitor.store.accounts.accounts import Account
from boligmonitor.store.accounts.attempts import RateLimits, Throttled
from boligmonitor.store.accounts.audit import Actor, AuditAction, AuditEntry
from boligmonitor.store.accounts.invitations import DEFAULT_INVITATION_VALIDITY, IssuedInvitation
from boligmonitor.store.accounts.languages import DEFAULT_ACCOUNT_LANGUAGE, check_language
from boligmonitor.store.accounts.oidc_pending import PendingSignIn
from boligmonitor.store.accounts.passwords import Passwords, check_new_password
from boligmonitor.store.accounts.problems import AccountError
from boligmonitor.store.accounts.sessions import ActiveSession, IssuedSession, SessionPolicy
from boligmonitor.store.accounts.transactions import account_reading, account_transaction
from boligmonitor.store.engine import DatabaseBusyError, create_engine_for, database_url
from boligmonitor.store.migrate import migrate

Clock = Callable[[], datetime]

# How long a page view waits for SQLite's write lock to note that the session is in use, before going on without.
TOUCH_WAIT: Final = timedelta(milliseconds=200)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SignInRefused:
    """Wrong e-mail address or password, an account without a password, or a deactivated one: the visitor is
    told only "wrong e-mail address or password"; the audit log says which."""

    reason: Literal["unknown account", "wrong password", "no password", "deactivated", "no account for identity"]


SignInOutcome = IssuedSession | SignInRefused | Throttled


class AccountStore:
    """Accounts, invitations, sessions, sign-in limits, adviser regions and the audit log in one database."""

    def __init__(
        self,
        engine: Engine,
        *,
        passwords: Passwords | None = None,
        session_policy: SessionPolicy | None = None,
        rate_limits: RateLimits | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._engine = engine
        self._passwords = passwords or Passwords()
        self.session_policy = session_policy or SessionPolicy()
        self.rate_limits = rate_limits or RateLimits()
        self._clock = clock

    @classmethod
    def open(cls, url: str | None = None, *, passwords: Passwords | None = None) -> AccountStore:
        """The accounts of the database at ``url`` (default: BOLIGMONITOR_DATABASE_URL or var/boligmonitor.sqlite),
        migrating it to the newest schema first."""
        engine = create_engine_for(database_url(url))
        migrate(engine)
        return cls(engine, passwords=passwords)

    @property
    def engine(self) -> Engine:
        return self._engine

    def now(self) -> datetime:
        return self._clock()

    def close(self) -> None:
        self._engine.dispose()

    # Accounts

    def create_account(
        self,
        email: str,
        role: str,
        *,
        municipality: str | None = None,
        region: str | None = None,
        language: str = DEFAULT_ACCOUNT_LANGUAGE,
        actor: Actor,
    ) -> Account:
        """A new account; ``language`` (nb, nn or en) is that of her notifications. Another language than
        bokmål is recorded as a language change right after the creation, in the same transaction."""
        chosen = check_language(language)
        with account_transaction(self._engine) as connection:
            assignment = accounts.check_assignment(connection, role, municipality, region)
            at = self.now()
            created = accounts.create(connection, email, assignment, actor=actor, at=at)
            if chosen == created.language:
                return created
            return accounts.set_language(connection, created, chosen, actor=actor, at=at)

    def change_role(
        self, email: str, role: str, *, municipality: str | None = None, region: str | None = None, actor: Actor
    ) -> Account:
        with account_transaction(self._engine) as connection:
            current = accounts.existing(connection, email)
            assignment = accounts.check_assignment(connection, role, municipality, region)
            if assignment == accounts.Assignment(current.role, current.municipality_code, current.adviser_region):
                return current
            changed = accounts.assign(connection, current, assignment, actor=actor, at=self.now())
            sessions.close_sessions_of(connection, current.id)  # what she may do changed: sign in again
            return changed

    def set_active(self, email: str, active: bool, *, actor: Actor) -> Account:
        """Deactivate (ending every session) or reactivate an account; accounts are never deleted."""
        with account_transaction(self._engine) as connection:
            current = accounts.existing(connection, email)
            if current.active == active:
                return current
            if not active:
                sessions.close_sessions_of(connection, current.id)
            return accounts.set_active(connection, current, active, actor=actor, at=self.now())

    def set_language(self, email: str, language: str, *, actor: Actor) -> Account:
        """Set the language of an account's notifications (nb, nn or en; :class:`AccountError` field
        ``language`` otherwise). Audited when it changes; choosing the language she has changes nothing."""
        chosen = check_language(language)
        with account_transaction(self._engine) as connection:
            current = accounts.existing(connection, email)
            if current.language == chosen:
                return current
            return accounts.set_language(connection, current, chosen, actor=actor, at=self.now())

    def set_password(self, email: str, password: str, *, actor: Actor) -> Account:
        """Set a new password (ending every session of the account)."""
        with account_reading(self._engine) as connection:
            current = accounts.existing(connection, email)
        check_new_password(password, current.email)
        hashed = self._passwords.hash(password)  # slow on purpose: outside the write transaction
        with account_transaction(self._engine) as connection:
            current = accounts.existing(connection, email)
            sessions.close_sessions_of(connection, current.id)
            return accounts.store_password_hash(connection, current, hashed, actor=actor, at=self.now())

    def account(self, email: str) -> Account | None:
        with account_reading(self._engine) as connection:
            return accounts.find_by_email(connection, email)

    def account_by_id(self, account_id: int) -> Account | None:
        with account_reading(self._engine) as connection:
            return accounts.find_by_id(connection, account_id)

    def accounts(self) -> list[Account]:
        with account_reading(self._engine) as connection:
            return accounts.every_account(connection)

    # Invitations

    def invite(
        self, email: str, *, valid_for: timedelta = DEFAULT_INVITATION_VALIDITY, actor: Actor
    ) -> IssuedInvitation:
        """A new one-time invitation link for an existing account; older open ones stop working."""
        with account_transaction(self._engine) as connection:
            target = accounts.existing(connection, email)
            return invitations.issue(connection, target, valid_for=valid_for, actor=actor, at=self.now())

    def invited_account(self, token: str) -> Account | None:
        """The account an invitation token is for, while it is valid."""
        with account_reading(self._engine) as connection:
            found = invitations.open_invitation(connection, token, self.now())
        return None if found is None else found[1]

    def accept_invitation(
        self, token: str, password: str, *, client_address: str | None, replacing_token: str | None = None
    ) -> IssuedSession:
        """Set the password of an invited account and sign her in. Refused with :class:`AccountError` when
        the invitation is not valid (field ``token``) or the password breaks a rule (field ``password``)."""
        with account_reading(self._engine) as connection:
            found = invitations.open_invitation(connection, token, self.now())
        if found is None:
            raise _invalid_invitation()
        invitation_id, invited = found
        check_new_password(password, invited.email)
        hashed = self._passwords.hash(password)
        with account_transaction(self._engine) as connection:
            at = self.now()
            if not invitations.use(connection, invitation_id, at):  # another request was first, or it expired
                raise _invalid_invitation()
            actor = Actor.signed_in(invited.id, invited.email, client_address)
            audit.record(
                connection,
                actor,
                AuditAction.INVITATION_ACCEPTED,
                "account",
                str(invited.id),
                before=None,
                after={"email": invited.email},
                at=at,
            )
            updated = accounts.store_password_hash(connection, invited, hashed, actor=actor, at=at)
            return self._open_session(connection, updated, "invitation", client_address, replacing_token, at)

    # Signing in and out

    def sign_in(
        self, email: str, password: str, *, client_address: str | None, replacing_token: str | None = None
    ) -> SignInOutcome:
        """Check an e-mail address and password within the rate limits; a new session when they match (the
        session of ``replacing_token``, if any, ends: the token changes at sign-in)."""
        key = attempts.account_key(email)
        with account_reading(self._engine) as connection:
            limited = attempts.throttled(connection, key, client_address, self.rate_limits, self.now())
            if limited is not None:
                return limited
            found = _find_quietly(connection, email)
            stored = accounts.password_hash_of(connection, found.id) if found is not None else None
        matched = self._passwords.verify(stored if found is not None and found.active else None, password)
        refusal = _refusal(found, stored, matched)
        with account_transaction(self._engine) as connection:
            at = self.now()
            attempts.record_attempt(connection, key, client_address, "failure" if refusal else "success", at)
            if refusal is not None:
                audit.record(
                    connection,
                    Actor.anonymous(client_address),
                    AuditAction.SIGN_IN_FAILED,
                    "account",
                    str(found.id) if found is not None else "unknown",
                    before=None,
                    after={"reason": refusal.reason, "method": "password"},
                    at=at,
                )
                return refusal
            # No refusal: a known, active account and its hash.
            assert found is not None
            assert stored is not None
            if self._passwords.needs_rehash(stored):
                found = accounts.store_password_hash(
                    connection, found, self._passwords.hash(password), actor=Actor("system"), at=at, audited=False
                )
            return self._open_session(connection, found, "password", client_address, replacing_token, at)

    def sign_in_verified(
        self, email: str, *, method: str, client_address: str | None, replacing_token: str | None = None
    ) -> IssuedSession | SignInRefused:
        """Sign in the active account of an e-mail address that an identity provider has vouched for (OpenID
        Connect). No account is ever created here: an administrator creates accounts."""
        with account_transaction(self._engine) as connection:
            at = self.now()
            found = _find_quietly(connection, email)
            if found is None or not found.active:
                reason: Literal["no account for identity", "deactivated"] = (
                    "no account for identity" if found is None else "deactivated"
                )
                audit.record(
                    connection,
                    Actor.anonymous(client_address),
                    AuditAction.SIGN_IN_FAILED,
                    "account",
                    str(found.id) if found is not None else "unknown",
                    before=None,
                    after={"reason": reason, "method": method},
                    at=at,
                )
                return SignInRefused(reason)
            return self._open_session(connection, found, method, client_address, replacing_token, at)

    def session(self, token: str) -> ActiveSession | None:
        """The live session of a cookie's token, or None. Notes the activity (for the idle timeout) at most once
        a minute, and never waits long for it."""
        at = self.now()
        with account_reading(self._engine) as connection:
            found = sessions.find_session(connection, token, self.session_policy, at)
        if found is not None and sessions.needs_touch(found, self.session_policy, at):
            try:
                with account_transaction(self._engine, wait=TOUCH_WAIT) as connection:
                    sessions.touch(connection, token, at)
            except DatabaseBusyError:
                pass  # a build holds SQLite's lock: the next request notes it
        return found

    def sign_out(self, token: str, *, client_address: str | None) -> None:
        with account_transaction(self._engine) as connection:
            at = self.now()
            account_id = sessions.close_session(connection, token)
            if account_id is None:
                return
            signed_out = accounts.find_by_id(connection, account_id)
            label = signed_out.email if signed_out is not None else str(account_id)
            audit.record(
                connection,
                Actor.signed_in(account_id, label, client_address),
                AuditAction.SIGNED_OUT,
                "account",
                str(account_id),
                before=None,
                after=None,
                at=at,
            )

    # Adviser regions

    def regions(self) -> dict[str, frozenset[str]]:
        with account_reading(self._engine) as connection:
            return regions.read(connection)

    def region_areas(self, name: str) -> frozenset[str]:
        with account_reading(self._engine) as connection:
            return regions.areas_of(connection, name)

    def replace_regions(self, new: Mapping[str, frozenset[str]], *, actor: Actor, source: str) -> None:
        with account_transaction(self._engine) as connection:
            regions.replace(connection, new, actor=actor, at=self.now(), source=source)

    # The audit log

    def audit_entries(self, *, limit: int = 100, before_id: int | None = None) -> list[AuditEntry]:
        with account_reading(self._engine) as connection:
            return audit.read_entries(connection, limit=limit, before_id=before_id)

    # OpenID Connect sign-ins on their way

    def begin_oidc_sign_in(
        self, *, state: str, browser_token: str, nonce: str, code_verifier: str, next_path: str
    ) -> None:
        with account_transaction(self._engine) as connection:
            oidc_pending.begin(
                connection,
                state=state,
                browser_token=browser_token,
                nonce=nonce,
                code_verifier=code_verifier,
                next_path=next_path,
                at=self.now(),
            )

    def finish_oidc_sign_in(self, *, state: str, browser_token: str) -> PendingSignIn | None:
        with account_transaction(self._engine) as connection:
            return oidc_pending.finish(connection, state=state, browser_token=browser_token, at=self.now())

    def _open_session(
        self,
        connection: Connection,
        signed_in: Account,
        method: str,
        client_address: str | None,
        replacing_token: str | None,
        at: datetime,
    ) -> IssuedSession:
        if replacing_token:
            sessions.close_session(connection, replacing_token)
        issued = sessions.open_session(connection, signed_in, method, self.session_policy, at)
        audit.record(
            connection,
            Actor.signed_in(signed_in.id, signed_in.email, client_address),
            AuditAction.SIGNED_IN,
            "account",
            str(signed_in.id),
            before=None,
            after={"method": method},
            at=at,
        )
        return issued


def _find_quietly(connection: Connection, email: str) -> Account | None:
    """The account of what was typed, or None when there is none or it is no e-mail address at all."""
    try:
        return accounts.find_by_email(connection, email)
    except AccountError:
        return None


def _refusal(found: Account | None, stored: str | None, matched: bool) -> SignInRefused | None:
    if found is None:
        return SignInRefused("unknown account")
    if not found.active:
        return SignInRefused("deactivated")
    if stored is None:
        return SignInRefused("no password")
    return None if matched else SignInRefused("wrong password")


def _invalid_invitation() -> AccountError:
    return AccountError("token", "invitation_invalid", "the invitation link is not valid: used, expired or unknown")


__all__ = ["AccountStore", "Clock", "SignInOutcome", "SignInRefused", "utc_now"]
