"""Interface languages: every text in nb, nn and en; Norwegian number and date formats."""

from __future__ import annotations

import re
from datetime import date
from importlib import resources

import pytest

from boligmonitor.web.i18n import LANGUAGES, Translator, format_date, format_number, messages, parse_language


def test_every_message_has_all_three_languages() -> None:
    incomplete = {key: sorted(texts) for key, texts in messages().items() if set(texts) != set(LANGUAGES)}
    assert incomplete == {}
    empty = [(key, lang) for key, texts in messages().items() for lang, text in texts.items() if not text.strip()]
    assert empty == []


def test_placeholders_agree_across_languages() -> None:
    placeholder = re.compile(r"\{(\w+)\}")
    different = {
        key: {lang: sorted(set(placeholder.findall(text))) for lang, text in texts.items()}
        for key, texts in messages().items()
        if len({tuple(sorted(set(placeholder.findall(text)))) for text in texts.values()}) > 1
    }
    assert different == {}


def test_every_key_used_in_templates_exists() -> None:
    folder = resources.files("boligmonitor.web").joinpath("templates")
    used: set[str] = set()
    for entry in folder.iterdir():
        if entry.name.endswith(".html"):
            used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.]+)["']""", entry.read_text(encoding="utf-8")))
    assert used, "templates use t('…')"
    static_keys = {key for key in used if not key.endswith(".")}  # "display." ~ option: a prefix
    assert sorted(static_keys - set(messages())) == []


@pytest.mark.parametrize(
    ("value", "decimals", "language", "expected"),
    [
        (12345.678, 1, "nb", "12\u00a0345,7"),
        (12345.678, 1, "en", "12,345.7"),
        (0.04, 1, "nn", "0,0"),
        (-0.04, 1, "nb", "0,0"),  # no "−0,0"
        (-1234.5, 0, "nb", "\u22121\u00a0234"),
        (1_000_000, 0, "nb", "1\u00a0000\u00a0000"),
        (None, 1, "nb", "–"),
        (float("nan"), 1, "nb", "–"),
    ],
)
def test_format_number(value: float | None, decimals: int, language: str, expected: str) -> None:
    assert format_number(value, decimals, parse_language(language)) == expected


def test_missing_is_never_formatted_as_zero() -> None:
    assert format_number(None) != "0"


def test_format_date() -> None:
    assert format_date(date(2026, 11, 23), "nb") == "23. november 2026"
    assert format_date(date(2026, 1, 1), "en") == "1 January 2026"


def test_unknown_language_falls_back_to_bokmal() -> None:
    assert parse_language("de") == "nb"
    assert parse_language(None) == "nb"
    assert parse_language("nn") == "nn"


def test_translator_fills_placeholders_and_rejects_unknown_keys() -> None:
    t = Translator("nn")
    assert t("picker.results_title", query="Bø") == "Treff på «Bø»"
    with pytest.raises(KeyError, match="no interface text"):
        t("no.such.key")
