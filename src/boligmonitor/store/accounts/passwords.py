"""Passwords: argon2id hashes (argon2-cffi) and the few rules a new password must meet.

The hasher's defaults are argon2-cffi's, RFC 9106's low-memory profile (argon2id, 3 passes over 64 MiB, 4 lanes).
A password is never stored, logged or audited: only its hash is kept, and the audit log says "password set".
"""

from __future__ import annotations

from typing import Final

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from boligmonitor.store.accounts.problems import AccountError

MIN_PASSWORD_LENGTH: Final = 12
MAX_PASSWORD_LENGTH: Final = 1024  # argon2 takes any length; a limit keeps a megabyte "password" from costing


class Passwords:
    """Hashes and verifies passwords with one argon2id hasher (tests pass a cheap one)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        if self._hasher.type is not Type.ID:
            raise ValueError("passwords are hashed with argon2id only")
        # Verified when the account is unknown or has no password, so that the answer takes as long either way
        # and its timing does not tell which e-mail addresses have accounts. Made at the first such check.
        self._stand_in: str | None = None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches ``stored_hash`` (argon2's own constant-time check). None: no password
        set; the work is done all the same, and the answer is no."""
        if stored_hash is None and self._stand_in is None:
            self._stand_in = self._hasher.hash("no account has this password")
        try:
            matched = self._hasher.verify(stored_hash or self._stand_in or "", password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return matched and stored_hash is not None

    def needs_rehash(self, stored_hash: str) -> bool:
        """Whether a hash was made with weaker parameters than the hasher's (re-hash at the next sign-in)."""
        return self._hasher.check_needs_rehash(stored_hash)


def check_new_password(password: str, email: str) -> None:
    """Refuse a new password that is too short, absurdly long or the e-mail address itself."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            "password",
            "password_too_short",
            f"at least {MIN_PASSWORD_LENGTH} characters",
            minimum=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(
            "password",
            "password_too_long",
            f"at most {MAX_PASSWORD_LENGTH} characters",
            maximum=MAX_PASSWORD_LENGTH,
        )
    if password.strip().lower() == email.lower():
        raise AccountError("password", "password_is_email", "must not be the e-mail address")


__all__ = ["MAX_PASSWORD_LENGTH", "MIN_PASSWORD_LENGTH", "Passwords", "check_new_password"]
