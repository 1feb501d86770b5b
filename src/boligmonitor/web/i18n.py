"""Interface languages: bokmål (default), nynorsk and English; messages and Norwegian number and date formats.

Interface texts live in ``locales/*.yaml`` (``messages.yaml`` and one file per page area), one entry per key
with all three languages side by side, so a missing translation is visible in review and caught by a test.
Indicator and theme texts come from the catalogue, which already carries nb, nn and en.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Literal, get_args

import yaml

from boligmonitor.core.months import ENGLISH_MONTHS, NORWEGIAN_MONTHS

Language = Literal["nb", "nn", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "nb"

# Norwegian typography: no-break space between thousands, decimal comma, real minus sign, a no-break space
# before the per cent sign ("12,5 %"), as SSB and Språkrådet write numbers.
_NBSP = "\u00a0"
_MINUS = "\u2212"

_MONTHS: dict[Language, tuple[str, ...]] = {"nb": NORWEGIAN_MONTHS, "nn": NORWEGIAN_MONTHS, "en": ENGLISH_MONTHS}


def parse_language(value: str | None) -> Language:
    """The language asked for in a URL (``?lang=nn``); anything else falls back to bokmål."""
    for language in LANGUAGES:
        if value == language:
            return language
    return DEFAULT_LANGUAGE


@cache
def messages() -> Mapping[str, Mapping[str, str]]:
    """key -> {language: text}, read once from the packaged YAML."""
    merged: dict[str, dict[str, str]] = {}
    folder = resources.files("boligmonitor.web").joinpath("locales")
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".yaml"):
            continue
        loaded = yaml.safe_load(entry.read_text(encoding="utf-8"))
        if not isinstance(loaded, dict):
            raise ValueError(f"locales/{entry.name}: expected a mapping of keys to {{nb, nn, en}}")
        for key, texts in loaded.items():
            if key in merged:
                raise ValueError(f"locales/{entry.name}: key {key!r} is defined twice")
            if not isinstance(texts, dict):
                raise ValueError(f"locales/{entry.name}: key {key!r}: expected {{nb, nn, en}}")
            merged[str(key)] = {str(language): str(text) for language, text in texts.items()}
    return merged


class Translator:
    """Looks up interface texts for one language. ``t("key", name=…)`` fills ``{name}`` placeholders."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self._messages = messages()

    def __call__(self, key: str, **values: object) -> str:
        entry = self._messages.get(key)
        if entry is None:
            raise KeyError(f"no interface text {key!r} in locales/messages.yaml")
        text = entry[self.language]
        return text.format(**values) if values else text

    def number(self, value: float | None, decimals: int = 0) -> str:
        return format_number(value, decimals, self.language)

    def date(self, value: date | datetime | None) -> str:
        return format_date(value, self.language)


def format_number(value: float | None, decimals: int = 0, language: Language = DEFAULT_LANGUAGE) -> str:
    """12345.678 -> "12 345,7" (nb/nn) or "12,345.7" (en). None and NaN give an en dash, never zero."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    rounded = round(value, decimals)
    if rounded == 0:
        rounded = 0.0  # no "−0,0"
    text = f"{abs(rounded):,.{decimals}f}"
    if language == "en":
        return ("-" if rounded < 0 else "") + text
    text = text.replace(",", _NBSP).replace(".", ",")
    return (_MINUS if rounded < 0 else "") + text


def format_date(value: date | datetime | None, language: Language = DEFAULT_LANGUAGE) -> str:
    """23 November 2026 as "23. november 2026" (nb/nn) or "23 November 2026" (en)."""
    if value is None:
        return "–"
    month = _MONTHS[language][value.month - 1]
    return f"{value.day} {month} {value.year}" if language == "en" else f"{value.day}. {month} {value.year}"


__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Language",
    "Translator",
    "format_date",
    "format_number",
    "messages",
    "parse_language",
]
