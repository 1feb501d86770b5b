"""Accounts: who may sign in, with which role, for which municipality or adviser region.

Connection-level functions, called inside one transaction by :class:`AccountStore`; every change writes its
audit row in the same transaction. An account is never deleted (the audit log and, later, reports refer to it):
it is deactivated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from boligmonitor.core.regions import RegionLevel, normalise_region_code, region_level
from boligmonitor.store.accounts import audit
from boligmonitor.store.accounts.audit import Actor, AuditAction
from boligmonitor.store.accounts.emails import normalise_email
from boligmonitor.store.accounts.languages import DEFAULT_ACCOUNT_LANGUAGE, AccountLanguage, stored_language
from boligmonitor.store.accounts.problems import AccountError
from boligmonitor.store.accounts.roles import ACCOUNT_ROLES, MUNICIPAL_ROLES, Role
from boligmonitor.store.accounts.tables import account, adviser_region


@dataclass(frozen=True, slots=True)
class Account:
    """An account as the rest of the program sees it: never its password hash, only whether it has one."""

    id: int
    email: str
    role: Role
    municipality_code: str | None
    adviser_region: str | None
    has_password: bool
    created_at: datetime
    deactivated_at: datetime | None
    language: AccountLanguage = DEFAULT_ACCOUNT_LANGUAGE  # of her notifications (languages.py)

    @property
    def active(self) -> bool:
        return self.deactivated_at is None

    def audited(self) -> dict[str, Any]:
        """What the audit log keeps of the account before and after a change (the language has its own action,
        :data:`AuditAction.ACCOUNT_LANGUAGE_CHANGED`)."""
        return {
            "email": self.email,
            "role": self.role.value,
            "municipality_code": self.municipality_code,
            "adviser_region": self.adviser_region,
            "active": self.active,
        }


@dataclass(frozen=True, slots=True)
class Assignment:
    """A role with what it is for: the municipality of a municipal role, the region of a regional adviser."""

    role: Role
    municipality_code: str | None = None
    adviser_region: str | None = None


def account_from_row(row: Row[Any]) -> Account:
    return Account(
        id=row.id,
        email=row.email,
        role=Role(row.role),
        municipality_code=row.municipality_code,
        adviser_region=row.adviser_region,
        has_password=row.password_hash is not None,
        created_at=row.created_at,
        deactivated_at=row.deactivated_at,
        language=stored_language(row.language),
    )


def check_assignment(connection: Connection, role: str, municipality: str | None, region: str | None) -> Assignment:
    """A role and what it needs: municipal roles a municipality (4 digits), a regional adviser a known region,
    the other roles neither."""
    try:
        checked_role = Role(role)
    except ValueError:
        checked_role = Role.PUBLIC
    if checked_role not in ACCOUNT_ROLES:
        roles = ", ".join(role.value for role in ACCOUNT_ROLES)
        raise AccountError("role", "role_unknown", f"unknown role {role!r}; expected one of {roles}", roles=roles)
    code = None
    if checked_role in MUNICIPAL_ROLES:
        if not municipality:
            raise AccountError("municipality", "municipality_required", f"a {role} needs a municipality")
        code = normalise_region_code(municipality)
        if region_level(code) is not RegionLevel.MUNICIPALITY:
            raise AccountError(
                "municipality", "municipality_invalid", f"{municipality!r} is not a municipality number (4 digits)"
            )
    elif municipality:
        raise AccountError("municipality", "municipality_not_allowed", f"a {role} has no municipality")
    if checked_role is Role.REGIONAL_ADVISER:
        if not region:
            raise AccountError("region", "region_required", "a regional adviser needs an adviser region")
        if connection.execute(select(adviser_region.c.name).where(adviser_region.c.name == region)).first() is None:
            known = ", ".join(connection.scalars(select(adviser_region.c.name).order_by(adviser_region.c.name)))
            raise AccountError(
                "region", "region_unknown", f"unknown adviser region {region!r}; known: {known or 'none'}"
            )
    elif region:
        raise AccountError("region", "region_not_allowed", f"a {role} has no adviser region")
    return Assignment(checked_role, code, region if checked_role is Role.REGIONAL_ADVISER else None)


def find_by_email(connection: Connection, email: str) -> Account | None:
    row = connection.execute(select(account).where(account.c.email == normalise_email(email))).first()
    return None if row is None else account_from_row(row)


def find_by_id(connection: Connection, account_id: int) -> Account | None:
    row = connection.execute(select(account).where(account.c.id == account_id)).first()
    return None if row is None else account_from_row(row)


def password_hash_of(connection: Connection, account_id: int) -> str | None:
    hashed: str | None = connection.scalar(select(account.c.password_hash).where(account.c.id == account_id))
    return hashed


def existing(connection: Connection, email: str) -> Account:
    found = find_by_email(connection, email)
    if found is None:
        raise AccountError("email", "account_unknown", f"no account for {normalise_email(email)}")
    return found


def create(connection: Connection, email: str, assignment: Assignment, *, actor: Actor, at: datetime) -> Account:
    normalised = normalise_email(email)
    if find_by_email(connection, normalised) is not None:
        raise AccountError("email", "account_exists", f"there is already an account for {normalised}")
    result = connection.execute(
        insert(account).values(
            email=normalised,
            role=assignment.role.value,
            municipality_code=assignment.municipality_code,
            adviser_region=assignment.adviser_region,
            password_hash=None,
            created_at=at,
            deactivated_at=None,
        )
    )
    created = find_by_id(connection, _inserted_id(result.inserted_primary_key))
    assert created is not None
    audit.record(
        connection,
        actor,
        AuditAction.ACCOUNT_CREATED,
        "account",
        str(created.id),
        before=None,
        after=created.audited(),
        at=at,
    )
    return created


def assign(connection: Connection, current: Account, assignment: Assignment, *, actor: Actor, at: datetime) -> Account:
    connection.execute(
        update(account)
        .where(account.c.id == current.id)
        .values(
            role=assignment.role.value,
            municipality_code=assignment.municipality_code,
            adviser_region=assignment.adviser_region,
        )
    )
    changed = find_by_id(connection, current.id)
    assert changed is not None
    audit.record(
        connection,
        actor,
        AuditAction.ACCOUNT_ROLE_CHANGED,
        "account",
        str(current.id),
        before=current.audited(),
        after=changed.audited(),
        at=at,
    )
    return changed


def store_password_hash(
    connection: Connection, current: Account, password_hash: str, *, actor: Actor, at: datetime, audited: bool = True
) -> Account:
    """Keep a new hash. Audited as "password set" (never the hash); a re-hash at sign-in is not a change."""
    connection.execute(update(account).where(account.c.id == current.id).values(password_hash=password_hash))
    if audited:
        audit.record(
            connection,
            actor,
            AuditAction.PASSWORD_SET,
            "account",
            str(current.id),
            before={"password": "set" if current.has_password else "none"},
            after={"password": "set"},
            at=at,
        )
    changed = find_by_id(connection, current.id)
    assert changed is not None
    return changed


def set_active(connection: Connection, current: Account, active: bool, *, actor: Actor, at: datetime) -> Account:
    connection.execute(update(account).where(account.c.id == current.id).values(deactivated_at=None if active else at))
    changed = find_by_id(connection, current.id)
    assert changed is not None
    action = AuditAction.ACCOUNT_REACTIVATED if active else AuditAction.ACCOUNT_DEACTIVATED
    audit.record(
        connection,
        actor,
        action,
        "account",
        str(current.id),
        before=current.audited(),
        after=changed.audited(),
        at=at,
    )
    return changed


def set_language(
    connection: Connection, current: Account, language: AccountLanguage, *, actor: Actor, at: datetime
) -> Account:
    """Keep the language of her notifications; audited as ``account.language_changed`` (before and after)."""
    connection.execute(update(account).where(account.c.id == current.id).values(language=language))
    changed = find_by_id(connection, current.id)
    assert changed is not None
    audit.record(
        connection,
        actor,
        AuditAction.ACCOUNT_LANGUAGE_CHANGED,
        "account",
        str(current.id),
        before={"email": current.email, "language": current.language},
        after={"email": changed.email, "language": changed.language},
        at=at,
    )
    return changed


def every_account(connection: Connection) -> list[Account]:
    return [account_from_row(row) for row in connection.execute(select(account).order_by(account.c.email))]


def _inserted_id(key: Any) -> int:
    value = key[0] if key else None
    if not isinstance(value, int):
        raise RuntimeError(f"the database returned no id for the new row (got {value!r})")
    return value


__all__ = [
    "Account",
    "Assignment",
    "account_from_row",
    "assign",
    "check_assignment",
    "create",
    "every_account",
    "existing",
    "find_by_email",
    "find_by_id",
    "password_hash_of",
    "set_active",
    "set_language",
    "store_password_hash",
]
