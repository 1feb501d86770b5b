"""The analysis's reasons and caveats in the page's language (locales/programme_reasons.yaml, present.reason_text):
every key the analysis can give has bokmål, nynorsk and English texts naming only its parameters; numbers are
written as on the rest of the page; the pages (real statistics, SYNTHETIC members: conftest.py) show them in
nynorsk with no English left inside."""

from __future__ import annotations

import re
import string
from typing import Final

import pytest

from boligmonitor.analysis.reasons import REASONS, UNTRANSLATED, reason, untranslated
from boligmonitor.web.i18n import LANGUAGES, Translator, messages
from boligmonitor.web.views.programme.present import REASON_PREFIX, ReasonText, reason_text
from tests.web.programme.conftest import PROGRAMME_ID, SIRI, AnalysisSite

BASE: Final = f"/program/{PROGRAMME_ID}"
ENGLISH_INSIDE: Final = re.compile(r'<(?!a\b|link\b)[a-z]+[^>]* lang="en"')
"""An element marked English inside a Norwegian page (the language switcher's links aside)."""

NN: Final = Translator("nn")
NB: Final = Translator("nb")
EN: Final = Translator("en")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(REASONS))
def test_every_key_has_three_languages_naming_only_its_parameters(key: str) -> None:
    texts = messages()[REASON_PREFIX + key]
    assert set(texts) == set(LANGUAGES)
    for language in LANGUAGES:
        assert texts[language].strip()
        assert _placeholders(texts[language]) <= set(REASONS[key].params), (key, language)
    if key != UNTRANSLATED:
        assert texts["nb"] != texts["en"] or key in {"break_test.computed"}


def test_numbers_are_written_as_on_the_page() -> None:
    behind = reason("goal.away.progress", value=46.7, target=50, progress=0.25, baseline_year=2014, baseline_value=40)
    assert (
        reason_text(NN, behind)
        == "ikkje nådd (46,7 mot eit mål på 50) og går bort frå målet; 25\u00a0% av vegen frå 2014 (40)"
    )
    assert (
        reason_text(EN, behind)
        == "not reached (46.7 against a target of 50) and moving away from the goal; 25% of the way from 2014 (40)"
    )
    as_indicator = reason_text(NB, behind, value_format=lambda value: NB.number(value, 1) + "\u00a0%")
    assert as_indicator.startswith("ikke nådd (46,7\u00a0% mot et mål på 50,0\u00a0%)")
    relative = reason("ambition.relative.member_joined", target=-30.0, baseline_year=2016)
    assert reason_text(NB, relative) == "mål: −30\u00a0% fra 2016 (målet gir ikke utgangsår: året kommunen ble med)"
    assert reason_text(NN, reason("attainment.coverage", with_value=1234, n=2000, year=2019)).startswith(
        "1\u00a0234 av 2\u00a0000 medlemmer har verdi i 2019"
    )  # counts get thousands separators, years never
    missing = reason("share.too_many_missing.known", without=2, n=9, missing_share=0.1884, max_share=0.1)
    assert reason_text(NN, missing) == (
        "2 av 9 kommunar har ikkje tal og har 18,8\u00a0% av folketalet: ein del krev at dei har under 10\u00a0%"
    )
    assert "1,23" in reason_text(NB, reason("break_test.autocorrelation.dw.model_based", dw=1.234))


def test_a_sentence_known_only_in_english_is_marked_english_on_a_norwegian_page() -> None:
    english = reason_text(NN, untranslated("SYNTHETIC words <b>"))
    assert (english, english.lang) == ("SYNTHETIC words <b>", "en")
    assert english.__html__() == '<span lang="en">SYNTHETIC words &lt;b&gt;</span>'
    assert reason_text(EN, untranslated("SYNTHETIC words")).lang is None
    assert reason_text(NN, None, "SYNTHETIC fallback").lang == "en"
    translated = reason_text(NN, reason("goal.no_value", year=2019))
    assert isinstance(translated, ReasonText) and translated.__html__() == "ingen verdi for 2019"


def test_goal_attainment_in_nynorsk_gives_the_rules_reasons_in_nynorsk(analysis_site: AnalysisSite) -> None:
    page = analysis_site.browser(SIRI).get(f"{BASE}/maloppnaelse?ar=2019&lang=nn")
    assert page.status_code == 200
    assert ENGLISH_INSIDE.findall(page.text) == []
    text = page.text
    assert "Etter regelen: ingen verdi for 2019" in text
    assert "Etter regelen: målet har ikkje eit talfesta ambisjonsnivå" in text
    assert re.search(r"mål: minst \d+,\d\u00a0%", text)  # the indicator's decimals and unit
    assert "(målet gir ikkje utgangsår: året kommunen vart med)" in text
    assert "verdien til programmet krev verdien til alle medlemmene" in text
    for english in ("goal reached", "not reached", "target: ", "no value for"):
        assert english not in text
    assert "Grunngivinga til regelen er på engelsk" not in text


def test_group_parts_in_nynorsk_give_reasons_and_caveats_in_nynorsk(analysis_site: AnalysisSite) -> None:
    browser = analysis_site.browser(SIRI)
    breaks = browser.get(f"{BASE}/trendbrudd?lang=nn")
    assert breaks.status_code == 200
    assert ENGLISH_INSIDE.findall(breaks.text) == []
    assert "Programkommunane vart valde, ikkje trekte tilfeldig" in breaks.text
    assert "Geografien må harmoniserast først" in breaks.text
    assert "chosen, not drawn" not in breaks.text and "Few points" not in breaks.text
    for part in ("sammenligning", "andel-av-landet"):
        page = browser.get(f"{BASE}/{part}?lang=nn")
        assert page.status_code == 200
        assert ENGLISH_INSIDE.findall(page.text) == [], part
        assert "no municipality has" not in page.text and "cannot be added up" not in page.text
