"""The annual analysis report's sections after the goals, on the SYNTHETIC site of conftest.py (five large members
whose BL05 falls from 2014; five medium and one small non-member with a flat BL05; population 2010–2019):
members against the other municipalities by size group (group sizes beside every figure, no figure for a group
under five, with the analysis's reason), the members' share of the country (population first) and trend breaks at
the programme's start (only significant changes as sentences, with caveats) — on the page and in the DOCX (the
PDF's headings and PDF/UA check are in test_report_pdf.py). Also the choice of years: :func:`comparison_years`."""

from __future__ import annotations

import itertools
import re
from io import BytesIO

import pytest
from docx import Document
from docx.oxml.ns import qn

from boligmonitor.catalog.reporting import Programme
from boligmonitor.web.programme_report.content import comparison_years
from tests.store.reporting.synthetic import PROGRAMME, SYNTHETIC_YEAR
from tests.web.programme_report.conftest import SIRI, ReportSite, synthetic_programme
from tests.web.programme_report.test_docx import headings
from tests.web.programme_report.test_report_page import text_of

PAGE = f"/program/{PROGRAMME}/rapport/{SYNTHETIC_YEAR}"


def section(html: str, section_id: str) -> str:
    found = re.search(rf'<section [^>]*aria-labelledby="{section_id}">(.*?)</section>', html, re.DOTALL)
    assert found is not None, section_id
    return found.group(1)


def table_rows(html: str, caption_start: str) -> list[list[str]]:
    """The body rows (cells as text) of the table whose caption starts with ``caption_start``."""
    for table in re.findall(r"<table.*?</table>", html, re.DOTALL):
        caption = re.search(r"<caption[^>]*>(.*?)</caption>", table, re.DOTALL)
        if caption is not None and text_of(caption.group(1)).startswith(caption_start):
            body = re.search(r"<tbody>(.*?)</tbody>", table, re.DOTALL)
            assert body is not None
            return [
                [text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)]
                for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.DOTALL)
            ]
    raise AssertionError(caption_start)


@pytest.fixture(scope="module")
def page(report_site: ReportSite) -> str:
    response = report_site.browser(SIRI).get(PAGE)
    assert response.status_code == 200
    text: str = response.text
    return text


def test_the_sections_follow_the_goals_and_headings_skip_no_level(page: str) -> None:
    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", page.split('class="bm-pr"', 1)[1])]
    assert levels[0] == 1 and all(later <= earlier + 1 for earlier, later in itertools.pairwise(levels))
    h2 = [text_of(found) for found in re.findall(r"<h2[^>]*>(.*?)</h2>", page, re.DOTALL)]
    assert h2[-4:-1] == ["Medlemmer mot andre kommuner", "Medlemmenes andel av landet", "Trendbrudd ved programstart"]
    assert h2[1].startswith("Mål 1: ") and h2[15].startswith("Mål 15: ")


def test_the_comparison_gives_every_figure_its_group_size_and_withholds_small_groups(page: str) -> None:
    part = section(page, "pr-comparison")
    text = text_of(part)
    assert (
        "Fra året før programmet startet (eller det første året med tall etter det), 2013, til rapportåret 2019."
        in text
    )
    assert "Medlemmene ble valgt, ikke trukket" in text  # the caveat
    rows = table_rows(part, "Sosialhjelpsmottakere uten bolig (BL05), 2013–2019")
    by_group = {(row[0], row[1]): row[2:] for row in rows}
    # 5 members × 20.2 in 2013, 5 × 12.5 in 2019; the non-members flat at 6 × 10.2
    assert by_group[("Medlemmer", "Alle størrelser")] == ["5 kommuner", "101", "62", "−38", "−38,1 %"]
    assert by_group[("Medlemmer", "Store (20 000+)")] == ["5 kommuner", "101", "62", "−38", "−38,1 %"]
    assert by_group[("Andre kommuner", "Alle størrelser")] == ["6 kommuner", "61", "61", "±0", "±0,0 %"]
    assert by_group[("Andre kommuner", "Mellomstore (5 000–19 999)")][0] == "5 kommuner"
    # one small non-member: its size, the analysis's reason and no figure
    assert by_group[("Andre kommuner", "Små (under 5 000)")] == [
        "1 kommuner",
        "Ikke vist: bare 1 kommuner (minst 5 trengs).",
    ]
    assert by_group[("Medlemmer", "Små (under 5 000)")] == [
        "0 kommuner",
        "Ikke vist: ingen kommuner med verdi begge år.",
    ]
    assert all(row[2].endswith("kommuner") for row in rows)  # a group size beside every figure
    assert "BL06: ingen kommune har verdi i 2013 og 2019" in text  # indicators without figures, in the page's words


def test_the_national_share_puts_population_first(page: str) -> None:
    part = section(page, "pr-shares")
    headings_found = [text_of(found) for found in re.findall(r"<h3[^>]*>(.*?)</h3>", part, re.DOTALL)]
    assert headings_found == ["Folkemengde (BEF01)", "Sosialhjelpsmottakere uten bolig (BL05)"]
    assert "I 2019 hadde medlemmene 74,4 % av antallet i landet." in text_of(part)  # 125 000 of 168 000
    rows = table_rows(part, "Sosialhjelpsmottakere uten bolig (BL05)")
    assert [row[0] for row in rows] == [str(year) for year in range(2013, 2020)]
    assert rows[-1][:4] == ["2019", "62", "124", "50,5 %"]


def test_only_significant_breaks_become_sentences_with_the_caveats(page: str) -> None:
    part = section(page, "pr-breaks")
    findings = [text_of(found) for found in re.findall(r'<p class="[^"]*bm-pr-finding[^"]*">(.*?)</p>', part)]
    # the members' fall from 2014 is a break; the non-members' flat series is not
    assert len(findings) == 1 and findings[0].startswith("Medlemmer: trenden ble brattere nedover fra 2014")
    text = text_of(part)
    assert "Les dette først" in text and "Medlemmene ble valgt, ikke trukket." in text
    assert "Forbehold for Andre kommuner:" in text and "ble valgt, ikke trukket tilfeldig" in text
    rows = table_rows(part, "Sosialhjelpsmottakere uten bolig (BL05)")
    assert [row[:2] for row in rows] == [["Medlemmer", "5 kommuner"], ["Andre kommuner", "6 kommuner"]]


def test_the_sections_in_english(report_site: ReportSite) -> None:
    text = text_of(report_site.browser(SIRI).get(f"{PAGE}?lang=en").text)
    for heading in (
        "Members against other municipalities",
        "The members' share of the country",
        "Trend breaks at the programme's start",
    ):
        assert heading in text


def test_the_docx_has_the_sections_with_captioned_tables_and_repeated_headers(report_site: ReportSite) -> None:
    document = Document(BytesIO(report_site.browser(SIRI).get(PAGE + ".docx").content))
    found = headings(document)
    after_goals = found[[text for _, text in found].index("Medlemmer mot andre kommuner") :]
    assert after_goals[:3] == [
        (2, "Medlemmer mot andre kommuner"),
        (3, "Sosialhjelpsmottakere uten bolig (BL05)"),
        (3, "Folkemengde (BEF01)"),
    ]
    assert (2, "Trendbrudd ved programstart") in after_goals
    titles = {table._tbl.tblPr.find(qn("w:tblCaption")).get(qn("w:val")): table for table in document.tables}
    title = "Sosialhjelpsmottakere uten bolig (BL05), 2013–2019, etter gruppe og størrelse"
    comparison = titles[title]
    header_row = comparison.rows[0]._tr.trPr
    assert header_row is not None and header_row.find(qn("w:tblHeader")) is not None
    cells = {(row.cells[0].text, row.cells[1].text): [cell.text for cell in row.cells[2:]] for row in comparison.rows}
    assert cells[("Medlemmer", "Alle størrelser")] == ["5 kommuner", "101", "62", "−38", "−38,1 %"]
    withheld = cells[("Andre kommuner", "Små (under 5 000)")]
    assert withheld[0] == "1 kommuner" and set(withheld[1:]) == {"Ikke vist: bare 1 kommuner (minst 5 trengs)."}
    captions = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Caption"]
    assert title in captions
    for table in document.tables:  # every table, the new ones too: a repeated header row and a title
        properties = table.rows[0]._tr.trPr
        assert properties is not None and properties.find(qn("w:tblHeader")) is not None
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "Medlemmer: trenden ble brattere nedover fra 2014" in text
    assert "Andre kommuner: trenden" not in text


@pytest.mark.parametrize(
    ("years_with_data", "year", "expected"),
    [
        (range(2010, 2020), 2019, (2013, 2019)),  # the year before the programme started (2014)
        (range(2015, 2020), 2019, (2015, 2019)),  # no data then: the first year with data after it
        ((), 2019, (2013, 2019)),  # no data at all: still the year before
        (range(2010, 2020), 2014, (2013, 2014)),  # the report of the first year
    ],
)
def test_comparison_years(years_with_data: range | tuple[int, ...], year: int, expected: tuple[int, int]) -> None:
    programme: Programme = synthetic_programme()
    assert programme.period.start == 2014
    assert comparison_years(programme, year, frozenset(years_with_data)) == expected
