"""E-mail addresses as account names: one normal form, so that one person is one account."""

from __future__ import annotations

import unicodedata
from typing import Final

from boligmonitor.store.accounts.problems import AccountError

MAX_EMAIL_LENGTH: Final = 254  # RFC 5321's limit on a forward path, less the angle brackets


def normalise_email(raw: str) -> str:
    """``" Kari.Nordmann@Kommune.NO "`` -> ``"kari.nordmann@kommune.no"``.

    Trimmed, Unicode NFC, lower case (mail systems treat the local part case-insensitively in practice; two
    accounts differing only in case would be a trap). Refused with :class:`AccountError` when it cannot be an
    address: no single ``@``, an empty side, a space, no dot in the domain, or longer than 254 characters.
    """
    email = unicodedata.normalize("NFC", raw.strip()).lower()
    local, at, domain = email.rpartition("@")
    if (
        not at
        or not local
        or "@" in local
        or "." not in domain.strip(".")
        or any(character.isspace() for character in email)
        or len(email) > MAX_EMAIL_LENGTH
    ):
        raise AccountError("email", "email_invalid", "not an e-mail address")
    return email


__all__ = ["MAX_EMAIL_LENGTH", "normalise_email"]
