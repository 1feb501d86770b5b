"""Accounts and access: the store's room for people's accounts, their roles, sessions and the audit log.

- :mod:`.tables`: the tables (migration 0003), on the store's one schema metadata, outside the data tables;
- :mod:`.roles`: roles, actions and :func:`~.roles.permits`, the one rule, with the table in ``permissions.yaml``;
- :class:`~.account_store.AccountStore`: every change in one transaction with its audit row;
- :mod:`.passwords` (argon2id), :mod:`.tokens` (random tokens, digests, constant-time comparison), :mod:`.sessions`,
  :mod:`.attempts` (rate limits), :mod:`.invitations`, :mod:`.regions` (adviser regions as data),
  :mod:`.audit`, :mod:`.oidc_pending`, :mod:`.languages` (the language of her notifications).

See docs/accounts.md.
"""

from boligmonitor.store.accounts.account_store import AccountStore, Clock, SignInOutcome, SignInRefused, utc_now
from boligmonitor.store.accounts.accounts import Account
from boligmonitor.store.accounts.attempts import RateLimits, Throttled
from boligmonitor.store.accounts.audit import Actor, AuditAction, AuditEntry
from boligmonitor.store.accounts.emails import normalise_email
from boligmonitor.store.accounts.invitations import DEFAULT_INVITATION_VALIDITY, IssuedInvitation
from boligmonitor.store.accounts.languages import ACCOUNT_LANGUAGES, DEFAULT_ACCOUNT_LANGUAGE, AccountLanguage
from boligmonitor.store.accounts.oidc_pending import PendingSignIn
from boligmonitor.store.accounts.passwords import MIN_PASSWORD_LENGTH, Passwords
from boligmonitor.store.accounts.problems import AccountError
from boligmonitor.store.accounts.roles import ACCOUNT_ROLES, Action, Holder, Reach, Role, permits, reach
from boligmonitor.store.accounts.sessions import ActiveSession, IssuedSession, SessionPolicy
from boligmonitor.store.accounts.tables import ACCOUNT_TABLES

__all__ = [
    "ACCOUNT_LANGUAGES",
    "ACCOUNT_ROLES",
    "ACCOUNT_TABLES",
    "DEFAULT_ACCOUNT_LANGUAGE",
    "DEFAULT_INVITATION_VALIDITY",
    "MIN_PASSWORD_LENGTH",
    "Account",
    "AccountError",
    "AccountLanguage",
    "AccountStore",
    "Action",
    "ActiveSession",
    "Actor",
    "AuditAction",
    "AuditEntry",
    "Clock",
    "Holder",
    "IssuedInvitation",
    "IssuedSession",
    "Passwords",
    "PendingSignIn",
    "RateLimits",
    "Reach",
    "Role",
    "SessionPolicy",
    "SignInOutcome",
    "SignInRefused",
    "Throttled",
    "normalise_email",
    "permits",
    "reach",
    "utc_now",
]
