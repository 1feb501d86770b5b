"""Issue 12: the indicator page's "?" (Om indikatoren) in plain Norwegian: when each source was last fetched
(and last updated by its publisher, when recorded), whether an SSB recipe is confirmed against SSB's own
metadata, and no developer text (brackets, "unverified", "inferred", backticks, the build's English reasons)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

MARKERS = ("[", "unverified", "inferred", "`", "status .", "missing values", "needs the live", "ContentsCode")


def _about(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    section = re.search(r'<section class="bm-section bm-ind-about".*?</section>', response.text, re.S)
    assert section is not None
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", section.group(0))))


@pytest.mark.parametrize("indicator", ["FL01", "EL07", "BEF06", "BEF03", "HB10"])
@pytest.mark.parametrize("language", ["nb", "nn"])
@pytest.mark.parametrize("page", ["/indikator/{id}", "/region/4601/indikator/{id}"])
def test_the_about_panel_holds_no_developer_text(
    web_client: TestClient, indicator: str, language: str, page: str
) -> None:
    text = _about(web_client, page.format(id=indicator) + f"?lang={language}")
    found = [marker for marker in MARKERS if marker in text]
    assert not found, (found, text)


@pytest.mark.parametrize(("language", "said"), [("nb", "Hentet 4. august 2026"), ("nn", "Henta 4. august 2026")])
def test_the_about_panel_says_when_the_source_was_fetched(web_client: TestClient, language: str, said: str) -> None:
    # Husbanken's bostøtte file in the offline build carries its fetch date; HB10 reads it.
    assert said in _about(web_client, f"/indikator/HB10?lang={language}")


def test_the_about_panel_says_when_the_fetch_date_is_not_recorded(web_client: TestClient) -> None:
    assert "Når tallene ble hentet, er ikke registrert" in _about(web_client, "/indikator/BEF03")


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("nb", "Tabell 07459: uttrekket er ennå ikke kontrollert mot SSBs egen beskrivelse av tabellen."),
        ("nn", "Tabell 07459: uttrekket er enno ikkje kontrollert mot SSB si eiga skildring av tabellen."),
    ],
)
def test_an_ssb_recipe_says_whether_it_is_confirmed(web_client: TestClient, language: str, said: str) -> None:
    # The catalogue's evidence for 07459 is third-party (no recipe is verified against SSB's metadata yet).
    assert said in _about(web_client, f"/indikator/BEF03?lang={language}")
