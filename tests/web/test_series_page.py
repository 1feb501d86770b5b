"""The time-series page (/region/CODE/indikator/ID) over the session's database built from the real data."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from boligmonitor.core.flags import Flag
from boligmonitor.core.observation import Observation
from boligmonitor.web.context import PageContext
from boligmonitor.web.monitor import MonitorData
from boligmonitor.web.rendering import render_html
from boligmonitor.web.views.series import series_page

SHARE = "EL10"
COUNT = "FL05"
NO_DATA = "BU01"
BERGEN = "4601"
VESTLAND = "46"

_ROW = re.compile(r'<tr data-year="(\d{4})" data-value="([^"]*)"><th scope="row">\d{4}</th>(.*?)</tr>', re.S)


def monitor_data(client: TestClient) -> MonitorData:
    data = cast(FastAPI, client.app).state.monitor.data
    assert isinstance(data, MonitorData)
    return data


def page(client: TestClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.text[-2000:]
    text: str = response.text
    return text


def table_rows(html: str) -> list[tuple[int, str, list[str]]]:
    return [
        (int(year), value, [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", cells, re.S)])
        for year, value, cells in _ROW.findall(html)
    ]


def line_labels(html: str) -> list[str]:
    """The direct labels at the ends of the chart's lines."""
    chart = html[html.index("bm-chart-line") : html.index("</svg>", html.index("bm-chart-line"))]
    return re.findall(r'<text[^>]*class="bm-label[^"]*"[^>]*>([^<]+)</text>', chart)


def test_municipality_has_its_own_line_with_norway_county_and_kostra_group(web_client: TestClient) -> None:
    html = page(web_client, f"/region/{BERGEN}/indikator/{SHARE}")
    data = monitor_data(web_client)
    assert sorted(line_labels(html)) == sorted(["Bergen", "Hele landet", "Vestland", "KOSTRA-gruppe 12"])
    assert "bm-line-emph" in html and "bm-band" in html  # Bergen emphasised, with its interval band
    rows = table_rows(html)
    years = data.tables.years(SHARE)
    assert [year for year, _, _ in rows] == years
    # The table holds the chart's numbers: Bergen's value each year is the stored observation's.
    stored = {o.year: o.value for o in data.series(SHARE, BERGEN)}
    for year, value, _ in rows:
        assert float(value) == pytest.approx(stored[year])
    # One-line summary in the caption, recent trend, links back to the theme and to all municipalities.
    assert re.search(r"Bergen: [\d,]+\u00a0% i \d{4} og [\d,]+\u00a0% i \d{4}\. I \d{4}: Hele landet", html)
    assert "Siste år:" in html
    theme = data.indicator(SHARE).theme
    assert f'href="/region/{BERGEN}/tema/{theme}"' in html
    assert f'href="/indikator/{SHARE}?marker={BERGEN}"' in html


def test_kostra_group_is_missing_before_the_first_grouping_and_says_why(web_client: TestClient) -> None:
    rows = table_rows(page(web_client, f"/region/{BERGEN}/indikator/{SHARE}"))
    first_year = rows[0][2]
    assert first_year[-2] == "– (ingen KOSTRA-gruppe dette året)"
    assert rows[-1][2][-2] != "–"


def test_norway_shows_only_norway_and_a_county_only_itself_and_norway(web_client: TestClient) -> None:
    assert line_labels(page(web_client, f"/region/0/indikator/{SHARE}")) == ["Hele landet"]
    assert sorted(line_labels(page(web_client, f"/region/{VESTLAND}/indikator/{SHARE}"))) == [
        "Hele landet",
        "Vestland",
    ]


def test_count_is_shown_alone_and_says_why(web_client: TestClient) -> None:
    html = page(web_client, f"/region/{BERGEN}/indikator/{COUNT}")
    assert line_labels(html) == ["Bergen"]
    assert "Et antall vises uten linjer for landet og gruppene" in html


def test_antall_and_forholdstall(web_client: TestClient) -> None:
    data = monitor_data(web_client)
    counts = {o.year: o.numerator for o in data.series(SHARE, BERGEN)}
    html = page(web_client, f"/region/{BERGEN}/indikator/{SHARE}?visning=antall")
    assert line_labels(html) == ["Bergen"]
    assert "Antall vises bare for området selv" in html
    for year, value, _ in table_rows(html):
        assert float(value) == counts[year]

    norway = {o.year: o.value for o in data.series(SHARE, "0")}
    bergen = {o.year: o.value for o in data.series(SHARE, BERGEN)}
    html = page(web_client, f"/region/{BERGEN}/indikator/{SHARE}?visning=forholdstall")
    for year, value, _ in table_rows(html):
        expected = 100 * cast(float, bergen[year]) / cast(float, norway[year])
        assert float(value) == pytest.approx(expected)


def test_download_is_every_line_per_year_in_tidy_form(web_client: TestClient) -> None:
    html = page(web_client, f"/region/{BERGEN}/indikator/{SHARE}")
    rows = table_rows(html)
    document = web_client.get(f"/region/{BERGEN}/indikator/{SHARE}.json").json()
    lines = {row["line"] for row in document["rows"]}
    assert lines == {"region", "norway", "county", "kostra_group"}
    assert len(document["rows"]) == 4 * len(rows)
    own = [row for row in document["rows"] if row["line"] == "region"]
    assert [(row["year"], row["value"]) for row in own] == [(year, float(value)) for year, value, _ in rows]
    assert {row["region"] for row in document["rows"] if row["line"] == "county"} == {VESTLAND}
    kostra = [row for row in document["rows"] if row["line"] == "kostra_group" and row["value"] is not None]
    assert kostra and all(row["region_name"].endswith("uten Bergen") for row in kostra)
    text = web_client.get(f"/region/{BERGEN}/indikator/{SHARE}.csv").content.decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(text)))) == len(document["rows"])
    stat = web_client.get(f"/region/{BERGEN}/indikator/{SHARE}.jsonstat").json()
    assert set(stat["dimension"]["region"]["category"]["index"]) >= {BERGEN, "0", VESTLAND}


def test_missing_values_say_why_and_are_never_zero(web_client: TestClient) -> None:
    # EL13 has values for Oslo only: Bergen's own line is empty, every year says why.
    html = page(web_client, f"/region/{BERGEN}/indikator/EL13")
    rows = table_rows(html)
    assert rows
    for _, value, cells in rows:
        assert value == ""
        assert cells[0] == "–"
        assert cells[-1] == "ikke rapportert"
    assert "Bergen har ingen verdier å vise (ikke rapportert)." in html
    document = web_client.get(f"/region/{BERGEN}/indikator/EL13.json").json()
    assert all(row["value"] is None for row in document["rows"] if row["line"] == "region")


def test_indicator_without_data_renders_and_says_why(web_client: TestClient) -> None:
    html = page(web_client, f"/region/{BERGEN}/indikator/{NO_DATA}")
    assert "Ikke lastet inn ennå" in html
    assert "bm-chart" not in html


def test_unknown_region_or_indicator_is_404(web_client: TestClient) -> None:
    assert web_client.get(f"/region/9999/indikator/{SHARE}").status_code == 404
    assert web_client.get(f"/region/{BERGEN}/indikator/XX99").status_code == 404
    assert web_client.get(f"/region/{BERGEN}/indikator/XX99.csv").status_code == 404


@pytest.mark.parametrize("language", ["nn", "en"])
@pytest.mark.parametrize(
    "url",
    [f"/region/{BERGEN}/indikator/{SHARE}", f"/region/0/indikator/{COUNT}", f"/region/{VESTLAND}/indikator/{NO_DATA}"],
)
def test_other_languages_render_without_inline_style_or_script(web_client: TestClient, language: str, url: str) -> None:
    html = page(web_client, f"{url}?lang={language}")
    assert f'<html lang="{language}"' in html
    assert "style=" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []


def test_series_breaks_are_marked(web_client: TestClient) -> None:
    """Synthetic: the real data have breaks only in districts, which have no page; flag Bergen's 2015 value."""
    data = monitor_data(web_client)
    real = data.series(SHARE, BERGEN)

    def series_with_break(indicator_id: str, region: str) -> list[Observation]:
        observations = data.series(indicator_id, region)
        if (indicator_id, region) != (SHARE, BERGEN):
            return observations
        return [dataclasses.replace(o, flags=o.flags | {Flag.SERIES_BREAK}) if o.year == 2015 else o for o in real]

    synthetic = dataclasses.replace(data)  # a data version of its own, so nothing is cached across the two
    synthetic.series = series_with_break  # type: ignore[method-assign]
    ctx = PageContext("nb", synthetic, f"/region/{BERGEN}/indikator/{SHARE}")
    html = bytes(render_html(series_page(ctx, BERGEN, SHARE), ctx).body).decode()
    assert 'class="bm-break"' in html
    assert "Brudd i serien (markert med stiplet loddrett linje): 2015." in html
    row_2015 = next(cells for year, _, cells in table_rows(html) if year == 2015)
    assert "brudd i serien" in row_2015[-1]
