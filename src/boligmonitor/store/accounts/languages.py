"""The language an account's notifications are written in: bokmål, nynorsk or English (bokmål unless she chose).

The site's pages follow ``?lang=`` per request; e-mails have no request, so the recipient's account keeps the
language she chose (``boligmonitor user add --language``, ``boligmonitor user set-language``, or the page
``/konto/sprak``). Migration 0008 gave every existing account bokmål.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from boligmonitor.store.accounts.problems import AccountError

AccountLanguage = Literal["nb", "nn", "en"]
ACCOUNT_LANGUAGES: Final[tuple[AccountLanguage, ...]] = get_args(AccountLanguage)
DEFAULT_ACCOUNT_LANGUAGE: Final[AccountLanguage] = "nb"


def check_language(value: str) -> AccountLanguage:
    """``value`` as an account language (``nb``, ``nn`` or ``en``, any case, spaces around allowed), or
    :class:`AccountError` ``language_unknown`` on the field ``language``."""
    cleaned = value.strip().lower()
    for language in ACCOUNT_LANGUAGES:
        if cleaned == language:
            return language
    known = ", ".join(ACCOUNT_LANGUAGES)
    raise AccountError(
        "language", "language_unknown", f"unknown language {value!r}; expected one of {known}", languages=known
    )


def stored_language(value: object) -> AccountLanguage:
    """A stored value as an account language; anything else (never written by this program) reads as bokmål."""
    for language in ACCOUNT_LANGUAGES:
        if value == language:
            return language
    return DEFAULT_ACCOUNT_LANGUAGE


__all__ = ["ACCOUNT_LANGUAGES", "DEFAULT_ACCOUNT_LANGUAGE", "AccountLanguage", "check_language", "stored_language"]
