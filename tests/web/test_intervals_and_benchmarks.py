"""Issue 12, findings 5 and 6, on the pages over the real build: intervals only where chance variation lies
behind a figure and always in the unit shown; Norway pooled from the municipalities with figures, and the
pages say from how many."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from boligmonitor.web.i18n import LANGUAGES, Language, Translator, format_number
from boligmonitor.web.monitor import MonitorData

BERGEN = "4601"
TABLE_ROW = re.compile(r'<tr data-indicator="(\w+)"[^>]*>(.*?)</tr>', re.S)


def page(client: TestClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.text[-2000:]
    return str(response.text)


def text_of(html: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def card(html: str, indicator: str) -> str:
    """The HTML of one indicator card."""
    return html.split(f'id="card-{indicator}-name"', 1)[1].split("</article>", 1)[0]


def card_interval(html: str, indicator: str) -> str | None:
    """The interval the card shows beside its figure (not the "?" panel's), or None."""
    facts = card(html, indicator).split('class="bm-card__facts"', 1)[1].split("</dl>", 1)[0]
    found = re.search(r"<dt>95 % [^<]*</dt><dd>([^<]+)</dd>", facts)
    return found.group(1) if found else None


def monitor_data(client: TestClient) -> MonitorData:
    data: MonitorData = client.app.state.monitor.data  # type: ignore[attr-defined]
    return data


def rows_of(html: str) -> dict[str, str]:
    return {indicator: text_of(body) for indicator, body in TABLE_ROW.findall(html)}


# ------------------------------------------------------------------------------------------ finding 5


def test_overview_gives_no_interval_to_a_population_or_a_request(web_client: TestClient) -> None:
    rows = rows_of(page(web_client, f"/region/{BERGEN}"))
    assert "KI" not in rows["BEF01"]  # the whole population: a stock, not a chance outcome
    assert "KI" not in rows["FL05"]  # IMDi's request: a number IMDi set
    assert "KI" in rows["BEF03"]  # a share keeps its Wilson interval
    assert "KI" in rows["FL01"]  # refugees settled per 1 000: a rate keeps its Poisson interval


def test_compare_page_gives_no_interval_to_the_request(web_client: TestClient) -> None:
    rows = rows_of(page(web_client, f"/sammenlign?kommune={BERGEN}&kommune=0301&tema=flyktninger"))
    assert "KI" not in rows["FL05"]
    assert "KI" not in rows["FL06"]  # the decision as a percentage of the request: two authorities' numbers
    assert "KI" in rows["FL01"]


def test_card_interval_is_in_the_unit_of_the_count(web_client: TestClient) -> None:
    """Antall: the share's limits × denominator / 100, in persons, never per-cent limits beside a count."""
    m = monitor_data(web_client).row("BEF03", BERGEN).measure
    assert m.ci_low is not None and m.ci_high is not None and m.denominator is not None
    html = page(web_client, f"/region/{BERGEN}/tema/befolkning_boligmarked?visning=antall")
    low, high = (format_number(limit * m.denominator / 100, 0, "nb") for limit in (m.ci_low, m.ci_high))
    assert card_interval(html, "BEF03") == f"{low}–{high}"
    assert "," not in (card_interval(html, "BEF03") or ",")


def test_card_interval_is_in_the_unit_of_the_forholdstall(web_client: TestClient) -> None:
    row = monitor_data(web_client).row("BEF03", BERGEN)
    m, benchmark = row.measure, row.benchmark
    assert m.ci_low is not None and m.ci_high is not None and benchmark is not None and benchmark.value
    html = page(web_client, f"/region/{BERGEN}/tema/befolkning_boligmarked?visning=forholdstall")
    low, high = (format_number(limit / benchmark.value * 100, 0, "nb") for limit in (m.ci_low, m.ci_high))
    assert card_interval(html, "BEF03") == f"{low}–{high}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_about_panel_says_why_there_is_no_interval(web_client: TestClient, language: Language) -> None:
    t = Translator(language)
    population = page(web_client, f"/region/{BERGEN}/tema/befolkning_boligmarked?lang={language}")
    assert card_interval(population, "BEF01") is None
    assert t("interval.none.stock") in unescape(card(population, "BEF01"))
    refugees = page(web_client, f"/region/{BERGEN}/tema/flyktninger?lang={language}")
    assert card_interval(refugees, "FL05") is None
    assert t("interval.none.administrative") in unescape(card(refugees, "FL05"))
    # The decision (a percentage of the request) is not called better or worse than Norway: no interval.
    decision = text_of(card(refugees, "FL06"))
    assert t("comparison.not_compared.no_interval") in decision
    assert t("interval.none.administrative") in decision
    # A share with an interval says nothing of the kind.
    assert "interval.none" not in card(population, "BEF03")
    assert t("interval.none.stock") not in unescape(card(population, "BEF03"))


# ------------------------------------------------------------------------------------------ finding 6

PARTIAL_NORWAY = {
    "nb": "Tallet for landet er beregnet fra 347 av 357 kommuner; 10 uten tall.",
    "nn": "Talet for landet er berekna frå 347 av 357 kommunar; 10 utan tal.",
    "en": "The figure for Norway is computed from 347 of 357 municipalities; 10 without figures.",
}
OWN_PARTIAL = {
    "nb": "Beregnet fra 347 av 357 kommuner; 10 uten tall.",
    "nn": "Berekna frå 347 av 357 kommunar; 10 utan tal.",
    "en": "Computed from 347 of 357 municipalities; 10 without figures.",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_refugees_settled_are_compared_with_norway_pooled_from_347_municipalities(
    web_client: TestClient, language: str
) -> None:
    """2023: IMDi gives no national figure and 10 municipalities (0.4 % of the population) have none."""
    bergen = card(page(web_client, f"/region/{BERGEN}/tema/flyktninger?lang={language}"), "FL01")
    assert PARTIAL_NORWAY[language] in text_of(bergen)
    assert "bm-cmp-text--lower" in bergen  # Bergen settled fewer per 1 000 than Norway: now compared
    norway = card(page(web_client, f"/region/0/tema/flyktninger?lang={language}"), "FL01")
    assert OWN_PARTIAL[language] in text_of(norway)
    assert "bm-card--missing" not in norway


def test_overview_note_says_what_norway_was_computed_from(web_client: TestClient) -> None:
    rows = rows_of(page(web_client, f"/region/{BERGEN}"))
    assert PARTIAL_NORWAY["nb"] in rows["FL01"]
    assert "Tallet for landet" not in rows["BEF03"]  # SSB publishes Norway's population itself


def test_a_card_says_why_norway_has_no_value(web_client: TestClient) -> None:
    """Social-assistance recipients in Oslo's districts: only Oslo has figures, the rest hold 87 % of the people."""
    oslo = text_of(card(page(web_client, "/region/0301/tema/befolkning_boligmarked"), "BEF18"))
    assert "Ingen verdi for landet: 356 av 357 kommuner mangler tall, og de har 87,1\u00a0% av folketallet" in oslo
    assert "Ikke sammenlignet – ingen verdi å sammenligne med" in oslo


def test_the_series_the_api_and_the_funnel_follow_the_kind(web_client: TestClient) -> None:
    """A stock (BEF01) and an administrative number (FL06) have no interval anywhere: not in the API's records,
    not in the time series' table, and the indicator page draws no funnel for them but says why."""
    records = web_client.get("/api/v1/observations?indicator=BEF01&region=0301").json()["observations"]
    assert records and all(r["ci_low"] is None and r["ci_method"].startswith("none") for r in records)
    series = web_client.get("/region/0301/indikator/FL06.csv").text.splitlines()
    header = series[0].lstrip("\ufeff").split(",")
    low = header.index("ci_low")
    assert all(line.split(",")[low] == "" for line in series[1:] if line.startswith("FL06"))
    for language in LANGUAGES:
        html = page(web_client, f"/indikator/FL06?lang={language}")
        assert 'id="ind-funnel-title"' not in html
        expected = Translator(language)("indicator.funnel.no_interval")
        assert expected in unescape(html)
    assert 'id="ind-funnel-title"' in page(web_client, "/indikator/BEF03")
