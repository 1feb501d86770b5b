"""An indicator the publisher gives only for the whole country (BEF12, SSB's rental market survey, real recorded
values in the offline build): its page says so and gives Norway's latest value, rather than listing 357
municipalities as "not reported", and a municipality's series says the figure is not published for its kind of
area."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_indicator_page_of_a_national_only_indicator_says_so_and_gives_norways_value(
    web_client: TestClient,
) -> None:
    page = web_client.get("/indikator/BEF12")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Publiseres ikke for kommuner" in text
    assert "bare for hele landet, ikke for hver kommune" in text
    assert re.search(r"Hele landet: [\d  ]+ kr i 2025\.", text), text[:2000]
    assert "ikke rapportert" not in text and "Viser 357" not in text
    assert 'href="/region/0/indikator/BEF12"' in page.text
    english = _text(web_client.get("/indikator/BEF12?lang=en").text)
    assert "Not published for municipalities" in english and "Norway: NOK" in english


def test_a_municipalitys_series_of_a_national_only_indicator_is_not_published_for_it(web_client: TestClient) -> None:
    series = web_client.get("/region/0301/indikator/BEF12")
    assert series.status_code == 200
    text = _text(series.text)
    assert "ikke publisert for denne typen område" in text
    assert "ikke rapportert" not in text
    assert "Hele landet 2025:" in text  # Norway's line is there to read


def test_an_average_rent_is_not_called_a_count_on_norways_theme_page(web_client: TestClient) -> None:
    text = _text(web_client.get("/region/0/tema/befolkning_boligmarked").text)
    at = text.index("Utvikling: Husleie, to rom")  # the card's trend line follows its comparison
    card = text[at - 300 : at]
    assert "Ikke sammenlignet – tallet har ikke konfidensintervall" in card
    assert "et antall kan ikke sammenlignes" not in card
