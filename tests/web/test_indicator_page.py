"""The indicator page (/indikator/ID) over the session's database built from the real data.

EL10 (share of the population aged 67+) has values for all 357 municipalities, BEF01 (population) is a count
without a denominator, EL13 has a value for Oslo only, and BU01 has no data at all.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from functools import partial
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from boligmonitor.core.regions import NORWAY, RegionLevel
from boligmonitor.geo.groups import SizeGroup, size_group
from boligmonitor.web.i18n import Translator
from boligmonitor.web.monitor import MonitorData
from boligmonitor.web.present.formatting import value_text
from boligmonitor.web.views.indicator.cache import cached, lru_cached

SHARE = "EL10"
COUNT = "BEF01"
ONE_MUNICIPALITY = "EL13"
NO_DATA = "BU01"
BERGEN = "4601"
VESTLAND = "46"

_TABLE_ROW = re.compile(r'<tr[^>]*\bdata-code="(\d{4})" data-value="([^"]*)"[^>]*>(.*?)</tr>', re.S)
t = Translator("nb")
_CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)


def monitor_data(client: TestClient) -> MonitorData:
    data = cast(FastAPI, client.app).state.monitor.data
    assert isinstance(data, MonitorData)
    return data


def page(client: TestClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.text[-2000:]
    text: str = response.text
    return text


def table_rows(html: str) -> list[tuple[str, str, list[str]]]:
    """(code, data-value, cell texts) of every row of the big table, in page order."""
    rows = []
    for code, value, inner in _TABLE_ROW.findall(html):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in _CELL.findall(inner)]
        rows.append((code, value, cells))
    return rows


def test_share_indicator_has_bars_funnel_map_and_a_row_per_municipality(web_client: TestClient) -> None:
    html = page(web_client, f"/indikator/{SHARE}")
    data = monitor_data(web_client)
    year = data.latest_year(SHARE)
    assert f"Alle kommuner, {year}" in html
    for chart in ("bm-chart-bars", "bm-chart-funnel", "bm-chart-map"):
        assert html.count(chart) == 1, chart
    # Every chart sits in a figure with a caption; the bars' caption names the range and Norway's value.
    assert html.count("<figure") == html.count("<figcaption") == 3
    assert "Verdiene går fra" in html
    national = data.row(SHARE, NORWAY, year).measure.value
    assert f"Hele landet: {value_text(data.indicator(SHARE), national, t)}" in html
    rows = table_rows(html)
    assert len(rows) == len(data.municipalities()) == 357
    # The table's figures are the analysis layer's: value, interval, numerator and denominator of Bergen.
    bergen = data.row(SHARE, BERGEN, year)
    cells = next(cells for code, _, cells in rows if code == BERGEN)
    m = bergen.measure
    assert m.value is not None and m.ci_low is not None and m.ci_high is not None
    assert cells[2] == value_text(data.indicator(SHARE), m.value, t)
    assert cells[3] == f"{t.number(m.ci_low, 1)}–{t.number(m.ci_high, 1)}"
    assert cells[4] == t.number(m.count) and cells[5] == t.number(m.denominator)
    # The funnel lists the municipalities outside its 99.8 % limits.
    assert "Kommuner utenfor 99,8 %-grensene" in html


def test_count_indicator_has_bars_and_map_but_no_funnel_and_says_why(web_client: TestClient) -> None:
    html = page(web_client, f"/indikator/{COUNT}")
    assert "bm-chart-bars" in html
    assert "bm-chart-map" in html
    assert "bm-chart-funnel" not in html
    assert "Traktdiagram og konfidensintervall vises bare for andeler og rater" in html
    # No interval, numerator or comparison columns for a count.
    assert "95 % konfidensintervall</th>" not in html
    assert "Oslo - Oslove" in html


def test_indicator_without_data_renders_and_says_why(web_client: TestClient) -> None:
    html = page(web_client, f"/indikator/{NO_DATA}")
    reason = monitor_data(web_client).statuses[NO_DATA].reason
    assert "Ikke lastet inn ennå" in html
    # In plain Norwegian with a link to how sources are loaded; the build's technical reason is not shown
    # (issue 12: no developer text on user pages).
    assert "Kilden er ikke lastet inn i denne installasjonen." in html and "/om#laste-inn" in html
    assert reason and reason not in html.replace("&#39;", "'").replace("&quot;", '"').replace("&amp;", "&")
    assert "bm-chart" not in html
    assert "Om indikatoren" in html
    # Nothing to download: the download links are left out rather than offering an empty table.
    assert web_client.get(f"/indikator/{NO_DATA}.csv").status_code == 404


def test_county_filter_keeps_only_its_municipalities(web_client: TestClient) -> None:
    rows = table_rows(page(web_client, f"/indikator/{SHARE}?fylke={VESTLAND}"))
    expected = {r.code for r in monitor_data(web_client).municipalities() if r.code.startswith(VESTLAND)}
    assert {code for code, _, _ in rows} == expected
    assert 0 < len(rows) < 357


def test_kostra_and_size_filters_narrow_the_rows(web_client: TestClient) -> None:
    data = monitor_data(web_client)
    year = data.latest_year(SHARE)
    assert year is not None
    group = data.tables.attributes.value(BERGEN, "kostra_group", year)
    assert group is not None
    rows = table_rows(page(web_client, f"/indikator/{SHARE}?kostragruppe={group}"))
    expected = {
        r.code for r in data.municipalities() if data.tables.attributes.value(r.code, "kostra_group", year) == group
    }
    assert {code for code, _, _ in rows} == expected
    assert BERGEN in expected

    small = table_rows(page(web_client, f"/indikator/{SHARE}?storrelse=small"))
    assert small
    for code, _, _ in small:
        assert size_group(data.tables.population[(code, year)]) is SizeGroup.SMALL

    # Filters combine: small municipalities in Vestland.
    both = table_rows(page(web_client, f"/indikator/{SHARE}?storrelse=small&fylke={VESTLAND}"))
    assert {code for code, _, _ in both} == {code for code, _, _ in small if code.startswith(VESTLAND)}


def test_a_chosen_list_shows_exactly_those_municipalities(web_client: TestClient) -> None:
    html = page(web_client, f"/indikator/{SHARE}?kommune=0301&kommune={BERGEN}&kommune=5001")
    assert {code for code, _, _ in table_rows(html)} == {"0301", BERGEN, "5001"}
    assert "3 valgte kommuner" in html
    # The form keeps the choice: the three are selected in the list.
    assert html.count("selected>") >= 3


def test_chosen_and_highlighted_municipalities_in_any_spelling(web_client: TestClient) -> None:
    """``kommune`` and ``marker`` take codes as users write them (K-0301), normalised where they enter."""
    spelled = page(web_client, f"/indikator/{SHARE}?kommune=K-0301&kommune=%20{BERGEN}&marker=K-{BERGEN}")
    plain = page(web_client, f"/indikator/{SHARE}?kommune=0301&kommune={BERGEN}&marker={BERGEN}")
    assert table_rows(spelled) == table_rows(plain)
    assert {code for code, _, _ in table_rows(spelled)} == {"0301", BERGEN}
    assert re.findall(r'<tr class="bm-ind-marked" data-code="(\d{4})"', spelled) == [BERGEN]


def test_sorting_by_name_value_and_number_with_aria_sort(web_client: TestClient) -> None:
    by_value = table_rows(page(web_client, f"/indikator/{ONE_MUNICIPALITY}"))
    values = [float(value) for _, value, _ in by_value if value]
    assert values == sorted(values, reverse=True)
    # Missing values come last whatever the direction.
    assert all(not value for _, value, _ in by_value[len(values) :])
    ascending = table_rows(page(web_client, f"/indikator/{SHARE}?sorter=verdi&retning=asc"))
    ascending_values = [float(value) for _, value, _ in ascending]
    assert ascending_values == sorted(ascending_values)

    html = page(web_client, f"/indikator/{SHARE}?sorter=nummer&retning=desc")
    codes = [code for code, _, _ in table_rows(html)]
    assert codes == sorted(codes, reverse=True)
    assert re.search(r'<th scope="col" aria-sort="descending"><a class="ds-link" href="[^"]*sorter=nummer', html)
    assert html.count("aria-sort=") == 1

    names = [cells[0] for _, _, cells in table_rows(page(web_client, f"/indikator/{SHARE}?sorter=navn"))]
    assert names == sorted(names, key=str.casefold)


def test_sort_links_keep_the_filters(web_client: TestClient) -> None:
    html = page(web_client, f"/indikator/{SHARE}?fylke={VESTLAND}&visning=antall")
    link = re.search(r'href="(/indikator/EL10\?[^"]*sorter=navn[^"]*)"', html)
    assert link is not None
    assert "fylke=46" in link.group(1)
    assert "visning=antall" in link.group(1)


def test_highlighted_municipality_is_marked_in_table_charts_and_text(web_client: TestClient) -> None:
    html = page(web_client, f"/indikator/{SHARE}?marker={BERGEN}")
    assert re.findall(r'<tr class="bm-ind-marked" data-code="(\d{4})"', html) == [BERGEN]
    assert "(valgt kommune)" in html
    assert "bm-row-hl" in html  # the bar
    assert "bm-map-hl" in html  # the map
    assert re.search(r"Bergen: [\d,]+\u00a0%, nummer \d+ av 357 kommuner med verdi", html)
    # Quick filters to its county and its KOSTRA group, and its time series.
    assert f"fylke={VESTLAND}" in html
    assert "Bare Vestland" in html
    assert f"/region/{BERGEN}/indikator/{SHARE}" in html


def test_highlighted_municipality_outside_the_filter_is_said_to_be_outside(web_client: TestClient) -> None:
    html = page(web_client, f"/indikator/{SHARE}?marker={BERGEN}&fylke=03")
    assert "Bergen er ikke med i utvalget." in html
    assert "bm-ind-marked" not in html.replace("bm-ind-marked-box", "")


def test_downloads_hold_the_rows_of_the_table_in_its_order(web_client: TestClient) -> None:
    query = f"?fylke={VESTLAND}&sorter=navn"
    rows = table_rows(page(web_client, f"/indikator/{SHARE}{query}"))
    document = web_client.get(f"/indikator/{SHARE}.json{query}").json()
    assert [row["region"] for row in document["rows"]] == [code for code, _, _ in rows]
    assert [row["value"] for row in document["rows"]] == [float(value) for _, value, _ in rows]
    assert {row["indicator_name"] for row in document["rows"]} == {"Innbyggere 67 år og over"}

    text = web_client.get(f"/indikator/{SHARE}.csv{query}").content.decode("utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text)))
    assert [record["region"] for record in records] == [code for code, _, _ in rows]

    stat = web_client.get(f"/indikator/{SHARE}.jsonstat{query}").json()
    assert list(stat["dimension"]["region"]["category"]["index"]) == [code for code, _, _ in rows]
    xlsx = web_client.get(f"/indikator/{SHARE}.xlsx{query}")
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK"


def test_display_toggle_changes_every_value(web_client: TestClient) -> None:
    data = monitor_data(web_client)
    row = data.row(SHARE, BERGEN, data.latest_year(SHARE))
    assert row.benchmark is not None and row.benchmark.value is not None and row.measure.value is not None

    counts = {code: value for code, value, _ in table_rows(page(web_client, f"/indikator/{SHARE}?visning=antall"))}
    assert float(counts[BERGEN]) == row.measure.count

    html = page(web_client, f"/indikator/{SHARE}?visning=forholdstall")
    ratios = {code: value for code, value, _ in table_rows(html)}
    assert float(ratios[BERGEN]) == pytest.approx(100 * row.measure.value / row.benchmark.value)
    assert "Forholdstall (landet = 100)" in html
    assert "Hele landet: 100" in html  # the reference line of the bars is Norway = 100


def test_a_missing_value_is_never_shown_as_zero(web_client: TestClient) -> None:
    html = page(web_client, f"/indikator/{ONE_MUNICIPALITY}")
    rows = table_rows(html)
    missing = [(code, cells) for code, value, cells in rows if not value]
    assert len(missing) == 356
    for _, cells in missing:
        assert cells[2] == "–"
        assert "0" not in cells[2:-1]
        assert cells[-1] == "ikke rapportert"  # the reason, in words
    assert "Ikke rapportert – utgiveren har ikke tall for dette området og året." in html
    # Missing municipalities are not drawn as bars; the summary counts them.
    assert "356 kommuner har ingen verdi og er ikke tegnet" in html
    document = web_client.get(f"/indikator/{ONE_MUNICIPALITY}.json").json()
    by_region = {row["region"]: row for row in document["rows"]}
    assert by_region["1826"]["value"] is None
    assert by_region["1826"]["status"] == ".."
    text = web_client.get(f"/indikator/{ONE_MUNICIPALITY}.csv").content.decode("utf-8-sig")
    record = next(r for r in csv.DictReader(io.StringIO(text)) if r["region"] == "1826")
    assert record["value"] == ""


def test_unknown_indicator_is_404_and_unreadable_parameters_are_400(web_client: TestClient) -> None:
    assert web_client.get("/indikator/XX99").status_code == 404
    assert web_client.get("/indikator/XX99.csv").status_code == 404
    for query, parameter in [
        ("ar=abc", "ar=abc"),
        ("ar=1900", "ar=1900"),
        ("fylke=99", "fylke=99"),
        ("kostragruppe=EKG99", "kostragruppe=EKG99"),
        ("storrelse=huge", "storrelse=huge"),
        ("kommune=9999", "kommune=9999"),
        ("marker=abc", "marker=abc"),
        ("sorter=x", "sorter=x"),
        ("retning=up", "retning=up"),
    ]:
        response = web_client.get(f"/indikator/{SHARE}?{query}")
        assert response.status_code == 400, query
        assert parameter in response.text


def test_an_earlier_year_and_an_empty_filter_value(web_client: TestClient) -> None:
    html = page(web_client, f"/indikator/{SHARE}?ar=2010&fylke=&kostragruppe=&storrelse=")
    assert "Alle kommuner, 2010" in html
    assert len(table_rows(html)) == 357
    # KOSTRA groups are published from 2022: for 2010 the form says they are not known.
    assert "KOSTRA-gruppene er ikke kjent for 2010." in html


@pytest.mark.parametrize("language", ["nn", "en"])
@pytest.mark.parametrize("indicator", [SHARE, COUNT, NO_DATA, ONE_MUNICIPALITY])
def test_other_languages_render(web_client: TestClient, language: str, indicator: str) -> None:
    html = page(web_client, f"/indikator/{indicator}?lang={language}&marker={BERGEN}")
    assert f'<html lang="{language}"' in html
    assert "Alle kommuner" not in html  # no bokmål left in the interface texts


@pytest.mark.parametrize(
    "url",
    [
        f"/indikator/{SHARE}?marker={BERGEN}",
        f"/indikator/{COUNT}",
        f"/indikator/{NO_DATA}",
        f"/indikator/{SHARE}?visning=forholdstall",
    ],
)
def test_no_inline_style_or_script(web_client: TestClient, url: str) -> None:
    html = page(web_client, url)
    assert "style=" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []


def test_table_links_to_each_municipalitys_theme_page(web_client: TestClient) -> None:
    html = page(web_client, f"/indikator/{SHARE}?kommune={BERGEN}")
    theme = monitor_data(web_client).indicator(SHARE).theme
    assert f'href="/region/{BERGEN}/tema/{theme}"' in html


def test_page_json_download_has_meta_and_only_municipalities(web_client: TestClient) -> None:
    document = web_client.get(f"/indikator/{SHARE}.json").json()
    data = monitor_data(web_client)
    assert document["meta"]["data_version"] == (data.version.id if data.version else None)
    levels = {data.regions[row["region"]].level for row in document["rows"]}
    assert levels == {RegionLevel.MUNICIPALITY}
    assert NORWAY not in {row["region"] for row in document["rows"]}
    json.dumps(document)  # plain JSON all the way down


def test_version_cache_keeps_versions_apart_and_forgets_the_least_recent(web_client: TestClient) -> None:
    data = monitor_data(web_client)
    other = replace(data)  # another data version (a new object), as after a refresh
    assert cached(data, "test-key", lambda: "first") == "first"
    assert cached(data, "test-key", lambda: "recomputed") == "first"
    assert cached(other, "test-key", lambda: "other version") == "other version"
    calls: list[int] = []

    def compute(n: int) -> int:
        calls.append(n)
        return n

    for n in (1, 2, 3, 1):  # 1 is used again before 4 arrives, so 2 is the least recent
        lru_cached(data, "test-namespace", n, partial(compute, n), maxsize=3)
    lru_cached(data, "test-namespace", 4, lambda: compute(4), maxsize=3)
    lru_cached(data, "test-namespace", 1, lambda: compute(1), maxsize=3)
    lru_cached(data, "test-namespace", 2, lambda: compute(2), maxsize=3)
    assert calls == [1, 2, 3, 4, 2]


def test_the_funnel_allows_for_how_much_municipalities_usually_differ(web_client: TestClient) -> None:
    # Share 80+: the municipalities differ far more than chance (φ about 24); with plain binomial limits two
    # thirds of them lay outside the 99.8 % funnel, which singles out nobody.
    html = web_client.get("/indikator/BEF03").text
    found = re.search(r"(\d+) kommuner i diagrammet: (\d+) ligger over og (\d+) under", html)
    assert found is not None
    shown, above, below = (int(group) for group in found.groups())
    assert 0 < above + below < shown / 4
    assert "overspredning φ = " in html
