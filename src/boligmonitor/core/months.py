"""Month names, written once for the pages (web.i18n) and the notes the development adapter writes.

Not ``calendar.month_name``: that follows the process's locale, and our texts must not change with it.
"""

from __future__ import annotations

NORWEGIAN_MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)
ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

__all__ = ["ENGLISH_MONTHS", "NORWEGIAN_MONTHS"]
