"""Pages that tell the truth with the data at hand (issue 12, findings 1, 2, 3 and 9), over the session's database
built from ../shared/data: one coverage count everywhere, missing values grouped by why, district indicators only
where they belong, district pages, the year of every value, old figures marked, several themes per indicator, a
year picker and Norway under every name."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from boligmonitor.catalog import load_catalog
from boligmonitor.catalog.export import catalog_to_json
from boligmonitor.catalog.models import Catalog
from boligmonitor.core.regions import RegionLevel
from boligmonitor.web.context import PageContext
from boligmonitor.web.factsheet.content import build_fact_sheet
from boligmonitor.web.monitor import MonitorData
from boligmonitor.web.present.age import OLDER_AFTER_YEARS, theme_newest_year
from boligmonitor.web.present.coverage import NATIONWIDE_MUNICIPALITIES, theme_coverage

CORE_THEMES = ("barn_og_unge", "bostedslose", "eldre_og_bolig", "nedsatt_funksjonsevne", "husbankens_virkemidler")
DISTRICT_ONLY = "BEF18"  # "Sosialhjelpsmottakere i bydelen": Oslo's districts only


@pytest.fixture(scope="module")
def data(web_client: TestClient) -> MonitorData:
    monitor_data: MonitorData = web_client.app.state.monitor.data  # type: ignore[attr-defined]
    return monitor_data


def _html(client: TestClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.text[-400:])
    return str(response.text)


def _theme_counts(html: str) -> dict[str, tuple[int, int]]:
    """The theme links' "N av M indikatorer har tall", by theme id."""
    counts = {}
    for theme, n, total in re.findall(
        r'href="/region/[^/"]+/tema/([a-z_]+)[^"]*">[^<]*</a>\s*(?:</h3>\s*<p[^>]*>[^<]*</p>\s*<p[^>]*>|<span[^>]*>)'
        r"(\d+) av (\d+) indikatorer har tall",
        html,
    ):
        counts[theme] = (int(n), int(total))
    return counts


def _summary(html: str) -> tuple[int, int]:
    found = re.search(r'aria-live="polite">(\d+) av (\d+) indikatorer har tall', html)
    assert found is not None
    return int(found.group(1)), int(found.group(2))


# ------------------------------------------------------------------------------------------ 1: one coverage count


@pytest.mark.parametrize("code", ["4650", "4601", "0301", "0"])
def test_overview_and_theme_pages_tell_the_same_count_as_the_cards(web_client: TestClient, code: str) -> None:
    """Gloppen's overview said "Nedsatt funksjonsevne 3 av 9" while its theme page showed no value."""
    counts = _theme_counts(_html(web_client, f"/region/{code}"))
    assert set(CORE_THEMES) <= set(counts)
    for theme, (n, total) in counts.items():
        page = _html(web_client, f"/region/{code}/tema/{theme}")
        assert _summary(page) == (n, total), theme
        assert page.count('<article class="ds-card bm-card') == n, theme
        assert page.count("<li data-indicator=") == total - n, theme


def test_the_front_page_counts_the_themes_for_norway_as_norways_theme_pages(web_client: TestClient) -> None:
    counts = _theme_counts(_html(web_client, "/"))
    for theme, counted in counts.items():
        assert _summary(_html(web_client, f"/region/0/tema/{theme}")) == counted, theme


def test_the_front_page_tells_coverage_by_municipalities(web_client: TestClient, data: MonitorData) -> None:
    """Not "26 av 100 indikatorer har data for 357 kommuner": how many municipalities each indicator covers."""
    municipalities = {region.code for region in data.municipalities()}
    widths = []
    for indicator in data.catalog.indicators:
        observations = data.tables.observations(indicator.id).items()
        widths.append(len({code for (code, _), o in observations if o.value is not None and code in municipalities}))
    nationwide = sum(1 for width in widths if width >= NATIONWIDE_MUNICIPALITIES)
    one = sum(1 for width in widths if width == 1)
    html = _html(web_client, "/")
    assert f"har {nationwide} tall for minst {NATIONWIDE_MUNICIPALITIES} kommuner" in html
    assert f"{one} for én enkelt kommune" in html
    assert 0 < nationwide < len(widths)


def test_the_fact_sheet_names_as_empty_exactly_the_themes_without_values(data: MonitorData) -> None:
    """A theme with no value for the municipality (by the count the pages tell) is named as empty, not drawn."""
    ctx = PageContext(language="nb", data=data, path="/region/4650/faktaark")
    sheet = build_fact_sheet(ctx, "4650", made_on=date(2026, 12, 6))
    gloppen = data.region("4650")
    drawn = {group.heading for section in sheet.sections for group in section.groups if group.heading}
    for theme in data.catalog.themes:
        if theme_coverage(data, theme.id, gloppen).with_value == 0:
            assert theme.name.nb not in drawn, theme.id
    assert "Personer med nedsatt funksjonsevne" in sheet.empty_themes  # it has values for Oslo only


# ------------------------------------------------------------------------------ 2: useful with partial data, levels


def test_missing_values_are_listed_by_reason_not_as_empty_cards(web_client: TestClient) -> None:
    """Bostøtte for Bergen said "utgiveren har ikke tall" though Husbanken publishes it: it is not loaded here."""
    html = _html(web_client, "/region/4601/tema/husbankens_virkemidler")
    assert "bm-card--missing" not in html
    not_loaded = html.split('data-reason="not_loaded"', 1)[1].split("</ul>", 1)[0]
    assert '<li data-indicator="HB05">' in not_loaded  # bostøtte: loaded for Oslo only
    assert 'href="/om#laste-inn"' in html
    assert 'data-reason="not_reported"' not in html


def test_a_county_lists_indicators_not_published_for_counties(web_client: TestClient) -> None:
    html = _html(web_client, "/region/46/tema/eldre_og_bolig")
    assert 'data-reason="not_for_level"' in html


@pytest.mark.parametrize("code", ["4650", "4601", "46", "0"])
def test_district_indicators_stay_off_other_municipalities_pages(web_client: TestClient, code: str) -> None:
    for url in (f"/region/{code}", f"/region/{code}/tema/befolkning_boligmarked"):
        assert f'data-indicator="{DISTRICT_ONLY}"' not in _html(web_client, url), url


@pytest.mark.parametrize("code", ["0301", "030101"])
def test_district_indicators_on_the_districts_and_their_city(web_client: TestClient, code: str) -> None:
    assert f'data-indicator="{DISTRICT_ONLY}"' in _html(web_client, f"/region/{code}/tema/befolkning_boligmarked")


def test_every_region_in_the_database_has_its_pages(web_client: TestClient, data: MonitorData) -> None:
    districts = [region for region in data.regions.values() if region.level == RegionLevel.DISTRICT]
    assert len(districts) >= 30
    for district in districts:
        html = _html(web_client, f"/region/{district.code}")
        assert district.name in html
    oslo_district = _html(web_client, "/region/030101/tema/barn_og_unge")
    assert "Gamle Oslo" in oslo_district and 'href="/region/0301"' in _html(web_client, "/region/030101")


def test_the_overview_draws_no_spread_of_one_municipality(web_client: TestClient) -> None:
    """ "Kommunene, midterste halvdel 6,3 % – 6,3 %" was Oslo alone."""
    html = _html(web_client, "/region/0301")
    for row in re.findall(r"<tr data-indicator=.*?</tr>", html, re.S):
        cells = re.findall(r'<td class="bm-number">(.*?)</td>', row, re.S)
        for cell in cells:
            ends = re.findall(r'<span class="bm-nowrap">([^<]*)</span> – <span class="bm-nowrap">([^<]*)</span>', cell)
            assert all(low != high for low, high in ends) or "bare" in row, row[:200]


# ------------------------------------------------------------------------------------------------ 3: time is visible


def test_old_values_are_marked_within_their_theme(web_client: TestClient, data: MonitorData) -> None:
    html = _html(web_client, "/region/4601")
    marked = 0
    for section in html.split('<section class="bm-section bm-overview-theme"')[1:]:
        theme = re.search(r'id="theme-([a-z_]+)-heading"', section)
        assert theme is not None
        newest = theme_newest_year(data, theme.group(1))
        for year_cell in re.findall(
            r'<tr data-indicator="[^"]+"[^>]*>\s*<th[^>]*>.*?</th>\s*<td class="bm-number">(.*?)</td>', section, re.S
        ):
            year = int(year_cell[:4])
            old = newest is not None and year < newest - OLDER_AFTER_YEARS
            assert (f"eldre tall ({year})" in year_cell) is old, (theme.group(1), year_cell)
            marked += old
    assert marked >= 1  # 2014 figures (IMDi's social assistance) beside 2026 ones


def test_cards_show_their_year_and_old_ones_say_so(web_client: TestClient) -> None:
    html = _html(web_client, "/region/0301/tema/befolkning_boligmarked")
    cards = html.split('<article class="ds-card bm-card')[1:]
    assert cards
    for card in cards:
        assert re.search(r'class="bm-card__year">\d{4}</span>', card)
    assert any("eldre tall (" in card for card in cards)


def test_fact_sheet_findings_name_their_year_and_say_when_they_are_old(data: MonitorData) -> None:
    """ "lavere enn i landet (2,26 % mot 3,04 %)" was from 2014 without saying so."""
    made_on = date(2026, 12, 6)
    found = []
    for code in ("4650", "4601", "0301", "1151"):
        sheet = build_fact_sheet(PageContext(language="nb", data=data, path="/"), code, made_on=made_on)
        found += [line.finding for line in sheet.lines() if line.finding is not None]
        for item in sheet.findings:
            assert f"({item.year})" in item.text
            assert ("Merk: tallet er fra" in item.text) is (made_on.year - item.year > 5)
        olds = [item.old for item in sheet.findings]
        assert olds == sorted(olds)  # recent findings first
    assert any(item.old for item in found)


# ----------------------------------------------------------------------------------------------- 9: navigation


def test_the_share_80_plus_is_also_in_eldre_og_bolig(web_client: TestClient) -> None:
    html = _html(web_client, "/region/4601/tema/eldre_og_bolig")
    assert 'id="card-BEF03-name"' in html
    assert 'id="card-BEF03-name"' in _html(web_client, "/region/4601/tema/befolkning_boligmarked")


def test_also_in_themes_is_validated_and_exported() -> None:
    catalog = load_catalog()
    exported = catalog_to_json(catalog)
    bef03 = next(item for item in exported["indicators"] if item["id"] == "BEF03")
    assert bef03["also_in_themes"] == ["eldre_og_bolig"]
    assert "BEF03" in [indicator.id for indicator in catalog.indicators_in("eldre_og_bolig")]
    for wrong, message in (("eldre_og_bolg", "unknown theme"), ("befolkning_boligmarked", "own theme")):
        document = {**exported, "version": exported["catalog_version"]}
        del document["catalog_version"]
        document["indicators"] = [
            {**item, "also_in_themes": [wrong]} if item["id"] == "BEF03" else item for item in exported["indicators"]
        ]
        with pytest.raises(ValueError, match=message):  # synthetic: one wrong theme in the real catalogue
            Catalog.model_validate(document)


def test_the_year_picker_shows_the_chosen_year(web_client: TestClient) -> None:
    html = _html(web_client, "/region/0301/tema/eldre_og_bolig?ar=2020")
    years = re.findall(r'class="bm-card__year">(\d{4})<', html)
    assert years and set(years) == {"2020"}
    assert '<option value="2020" selected>' in html
    latest = _html(web_client, "/region/0301/tema/eldre_og_bolig")
    assert '<select class="ds-input" id="theme-ar" name="ar">' in latest
    assert len(set(re.findall(r'class="bm-card__year">(\d{4})<', latest))) >= 1


@pytest.mark.parametrize(("year", "language"), [("abc", "nn"), ("1850", "nb"), ("2", "nn")])
def test_a_bad_year_is_a_400_in_the_pages_language(web_client: TestClient, year: str, language: str) -> None:
    response = web_client.get(f"/region/4650/tema/eldre_og_bolig?ar={year}&lang={language}")
    assert response.status_code == 400
    assert f'<html lang="{language}"' in response.text
    assert "ar" in response.text


@pytest.mark.parametrize("alias", ["0000", "0", "00", "Hele%20landet"])
def test_norway_under_every_name(web_client: TestClient, alias: str) -> None:
    html = _html(web_client, f"/region/{alias}")
    assert "Hele landet" in html
    assert _html(web_client, f"/region/{alias}/tema/eldre_og_bolig").count("<h1") == 1
