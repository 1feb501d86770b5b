"""Random tokens and what the database keeps of them.

Tokens (sessions, invitations, OpenID Connect states) come from :mod:`secrets`; the database keeps only their
SHA-256 digest, so a copy of the database cannot be used to sign in. A digest of a 256-bit random token is
looked up by equality: guessing one is as hard as guessing the token, so the lookup need not be constant-time.
Secrets compared in memory (CSRF tokens) use :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

TOKEN_BYTES: Final = 32


def new_token() -> str:
    """A URL-safe random token of 256 bits."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What the database keeps of a token: its SHA-256, hexadecimal."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of two secrets (no early exit on the first differing character)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


__all__ = ["TOKEN_BYTES", "new_token", "same_secret", "token_digest"]
