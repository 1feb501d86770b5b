"""Reading what a request asks for: every query parameter a page takes is parsed here, and nothing else in
``web/`` calls ``int()``, ``float()`` or a date parser on request input.

A value that cannot be read is a :class:`~boligmonitor.web.pages.BadRequestError` naming the parameter (a 400
page in the page's language, or a JSON error under ``/api/``), never one of Python's own exceptions:
``int('²')`` raises, ``int('١٢')`` is 12 and a 5 000-digit number is refused by ``int`` itself, so

- lengths are checked before anything is parsed: one value at most :data:`MAX_VALUE_LENGTH` characters, one
  parameter at most :data:`MAX_REPEATS` values, the whole query at most :data:`MAX_QUERY_LENGTH` characters
  (a page repeats its query in its links, so an unbounded one would be repeated in every link);
- numbers are ASCII digits only (a decimal as HTML writes it, ``-0.5`` or ``5e-1``, or with a decimal comma):
  Unicode digits, underscores, ``nan``, ``inf``, a ``+`` and spaces inside are refused;
- years lie within the catalogue's span (:data:`FIRST_YEAR`–:data:`LAST_YEAR`) before a page looks them up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Final, TypeVar

from boligmonitor.catalog.validation import FIRST_YEAR, LAST_PROJECTION_YEAR
from boligmonitor.web.i18n import LANGUAGES, Language, Translator
from boligmonitor.web.pages import BadRequestError

LAST_YEAR: Final = LAST_PROJECTION_YEAR
MAX_VALUE_LENGTH: Final = 2000  # the longest value a page takes: ``vekter`` for every indicator, ~1 200
MAX_REPEATS: Final = 400  # the indicator page's chosen list may name every municipality (357)
MAX_QUERY_LENGTH: Final = 8192  # characters of all names and values together
SHOWN_LENGTH: Final = 60  # characters of a bad value repeated in an error message

_INTEGER = re.compile(r"[0-9]{1,18}")  # 18 digits still fit a 64-bit integer; ranges are checked after
# HTML's "valid floating-point number" (what a number field sends), with a decimal comma allowed as well.
_DECIMAL = re.compile(r"-?(?:[0-9]{1,30}(?:[.,][0-9]{1,30})?|[.,][0-9]{1,30})(?:[eE][-+]?[0-9]{1,3})?")

Query = Mapping[str, str | list[str]]
T = TypeVar("T")


def shown(value: str) -> str:
    """A request value as an error message repeats it: at most :data:`SHOWN_LENGTH` characters."""
    return value if len(value) <= SHOWN_LENGTH else value[: SHOWN_LENGTH - 1] + "…"


def bad_request(parameter: str, value: str, expected: str) -> BadRequestError:
    """The error for ``parameter=value``, the value shortened for the message."""
    return BadRequestError(parameter, shown(value), expected)


def read_query(
    pairs: Iterable[tuple[str, str]], t: Translator, *, list_parameters: Collection[str] = ()
) -> dict[str, str | list[str]]:
    """The query string as ``name -> value`` (``name -> [values]`` when repeated or in ``list_parameters``),
    refusing overlong values, too many repeats and an overlong query before any page reads it."""
    grouped: dict[str, list[str]] = {}
    total = 0
    for name, value in pairs:
        total += len(name) + len(value) + 2
        if len(name) > MAX_VALUE_LENGTH:
            raise bad_request(shown(name), "", t("error.expected.name_length", max=MAX_VALUE_LENGTH))
        if len(value) > MAX_VALUE_LENGTH:
            raise bad_request(name, value, t("error.expected.length", max=MAX_VALUE_LENGTH))
        values = grouped.setdefault(name, [])
        values.append(value)
        if len(values) > MAX_REPEATS:
            raise bad_request(name, value, t("error.expected.repeats", max=MAX_REPEATS))
        if total > MAX_QUERY_LENGTH:
            raise bad_request(name, value, t("error.expected.query_length", max=MAX_QUERY_LENGTH))
    return {
        name: values if len(values) > 1 or name in list_parameters else values[0] for name, values in grouped.items()
    }


def single(query: Query, name: str) -> str | None:
    """One parameter's value (the last one when repeated), trimmed; an empty value counts as not given."""
    value = query.get(name)
    if isinstance(value, list):
        value = value[-1] if value else None
    if value is None or not value.strip():
        return None
    return value.strip()


def many(query: Query, name: str) -> list[str]:
    """Every non-empty value of a repeatable parameter, trimmed, in the order given."""
    value = query.get(name)
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [item.strip() for item in values if item.strip()]


def parse_language_parameter(value: str | None, t: Translator) -> Language:
    """``lang``: nb (default), nn or en."""
    for language in LANGUAGES:
        if value == language:
            return language
    if value is None or value == "":
        return LANGUAGES[0]
    raise bad_request("lang", value, t("error.expected.one_of", values=", ".join(LANGUAGES)))


def parse_choice(value: str | None, parameter: str, choices: Mapping[str, T], default: T, t: Translator) -> T:
    """A word from a fixed list (``visning=antall``); absent or empty gives ``default``."""
    if value is None or value == "":
        return default
    if value in choices:
        return choices[value]
    raise bad_request(parameter, value, t("error.expected.one_of", values=", ".join(choices)))


def parse_integer(text: str, parameter: str, low: int, high: int, expected: str) -> int:
    """ASCII digits only, within ``[low, high]``; anything else is a 400 with ``expected``."""
    if _INTEGER.fullmatch(text) is None:
        raise bad_request(parameter, text, expected)
    number = int(text)
    if not low <= number <= high:
        raise bad_request(parameter, text, expected)
    return number


def parse_year(text: str, parameter: str, expected: str, years: Sequence[int] | None = None) -> int:
    """A year within the catalogue's span (:data:`FIRST_YEAR`–:data:`LAST_YEAR`) and, when ``years`` is
    given, one of them (a year with data)."""
    year = parse_integer(text, parameter, FIRST_YEAR, LAST_YEAR, expected)
    if years is not None and year not in years:
        raise bad_request(parameter, text, expected)
    return year


def parse_decimal(text: str, parameter: str, low: float, high: float, expected: str) -> float:
    """A decimal number in ASCII digits (``0.5``, ``0,5``, ``.5``, ``5e-1``), finite and within ``[low, high]``."""
    if _DECIMAL.fullmatch(text) is None:
        raise bad_request(parameter, text, expected)
    number = float(text.replace(",", "."))
    if not (math.isfinite(number) and low <= number <= high):
        raise bad_request(parameter, text, expected)
    return number


__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "MAX_QUERY_LENGTH",
    "MAX_REPEATS",
    "MAX_VALUE_LENGTH",
    "Query",
    "bad_request",
    "many",
    "parse_choice",
    "parse_decimal",
    "parse_integer",
    "parse_language_parameter",
    "parse_year",
    "read_query",
    "shown",
    "single",
]
