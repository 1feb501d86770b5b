"""The tables of accounts and access: accounts, adviser regions, invitations, sessions, sign-in attempts, pending
OpenID Connect sign-ins and the audit log.

They are defined on the store's one :data:`boligmonitor.store.schema.metadata`, so that the migration test sees
them (``boligmonitor.store`` imports this module), and created by migration 0003 (the account's ``language`` by
0008). None of them is in
:data:`boligmonitor.store.schema.DATA_TABLES`: a data build replaces statistics, never people's accounts or the
record of what they did.

Secrets are never stored as given: passwords as argon2id hashes, invitation and session tokens and OpenID
Connect states as SHA-256 digests (:mod:`.tokens`).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, Table, Text

from boligmonitor.store.schema import UtcDateTime, metadata

account = Table(
    "account",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", Text, nullable=False, unique=True),  # normalised: emails.normalise_email
    Column("role", Text, nullable=False),  # roles.Role
    Column("municipality_code", Text, nullable=True),  # municipal roles: the municipality she reports for
    Column("adviser_region", Text, ForeignKey("adviser_region.name"), nullable=True),  # regional advisers
    Column("password_hash", Text, nullable=True),  # argon2id; None until an invitation is accepted (or OIDC only)
    Column("created_at", UtcDateTime, nullable=False),
    Column("deactivated_at", UtcDateTime, nullable=True),  # None: active
    # The language of her notifications (languages.AccountLanguage); migration 0008 gave existing accounts "nb".
    Column("language", Text, nullable=False, server_default="nb"),
)

# Husbanken's regions for its advisers are data (``boligmonitor user regions FILE``), not code.
adviser_region = Table(
    "adviser_region",
    metadata,
    Column("name", Text, primary_key=True),
)

# The areas of a region: a county code (2 digits: every municipality in it) or a municipality code (4 digits).
adviser_region_area = Table(
    "adviser_region_area",
    metadata,
    Column("region_name", Text, ForeignKey("adviser_region.name"), primary_key=True),
    Column("area_code", Text, primary_key=True),
)

invitation = Table(
    "invitation",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("account.id"), nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Column("created_by", Text, nullable=False),  # the actor's label, as in the audit log
)

session = Table(
    "session",
    metadata,
    Column("id_hash", Text, primary_key=True),
    Column("account_id", Integer, ForeignKey("account.id"), nullable=False),
    Column("method", Text, nullable=False),  # how she signed in: sessions.SIGN_IN_METHODS
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),  # the absolute end, whatever her activity
    Column("csrf_secret", Text, nullable=False),
    Index(None, "account_id"),
)

login_attempt = Table(
    "login_attempt",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("attempted_at", UtcDateTime, nullable=False),
    # SHA-256 of the e-mail address as typed, normalised: attempts on unknown accounts count too, and what was
    # typed (sometimes a password in the wrong field) is not kept.
    Column("account_key", Text, nullable=False),
    Column("client_address", Text, nullable=True),
    Column("outcome", Text, nullable=False),  # attempts.ATTEMPT_OUTCOMES
    Index(None, "account_key", "attempted_at"),
    Index(None, "client_address", "attempted_at"),
)

# A sign-in sent to the OpenID Connect provider and not yet back: what the answer must match (state, nonce,
# PKCE verifier) and the browser it must come back to (a digest of its sign-in cookie).
oidc_sign_in = Table(
    "oidc_sign_in",
    metadata,
    Column("state_hash", Text, primary_key=True),
    Column("browser_hash", Text, nullable=False),
    Column("nonce", Text, nullable=False),
    Column("code_verifier", Text, nullable=False),
    Column("next_path", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

# Append-only: database triggers (migration 0003) refuse UPDATE and DELETE. No foreign key to account, so the
# record outlives what it describes and never stands in the way of a change.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("actor_account_id", Integer, nullable=True),  # None: the command line or the system
    Column("actor", Text, nullable=False),  # an email, "command line (user)" or "anonymous"
    Column("client_address", Text, nullable=True),
    Column("action", Text, nullable=False),  # audit.AuditAction
    Column("object_type", Text, nullable=False),
    Column("object_id", Text, nullable=False),
    Column("before_json", Text, nullable=True),  # canonical JSON of the object before the change; None: none
    Column("after_json", Text, nullable=True),
    Index(None, "recorded_at"),
    Index(None, "object_type", "object_id"),
)

# Every table of this room, parents before children.
ACCOUNT_TABLES: tuple[Table, ...] = (
    adviser_region,
    adviser_region_area,
    account,
    invitation,
    session,
    login_attempt,
    oidc_sign_in,
    audit_log,
)

__all__ = [
    "ACCOUNT_TABLES",
    "account",
    "adviser_region",
    "adviser_region_area",
    "audit_log",
    "invitation",
    "login_attempt",
    "oidc_sign_in",
    "session",
]
