"""The members page (/program/{id}/medlemmer): the list in effect, the upload that replaces it in one transaction
(CSV and XLSX; problems listed by file, line and field in the page's language; nothing written on any problem;
audited), bounded uploads, CSRF, and the CSV and XLSX downloads that upload again unchanged. The Midt-Norge members
are the real ones of the 2013 announcement; rows marked SYNTHETIC are made-up memberships of real codes."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import httpx
import openpyxl
import pytest
from fastapi.testclient import TestClient

from boligmonitor.catalog.reporting import load_programme
from boligmonitor.catalog.reporting.members import read_member_lines
from boligmonitor.store.accounts.audit import read_entries
from boligmonitor.store.reporting.members import MembersAuditAction
from boligmonitor.web.views.programme_members.pages import MAX_REQUEST_BYTES, MAX_UPLOAD_BYTES, upload_name
from tests.web.programme_members.conftest import MEMBERS, MIDT_NORGE, SIRI, MembersSite, csrf_from

HEADER = ["municipality", "from", "to", "status", "name"]
GOOD_ROWS = [
    ["1601", "2009", "2012", "member", "Trondheim"],
    ["1505", "2009", "2012", "member", "Kristiansund"],
    ["1653", "2013", "2016", "invited", "Melhus"],
]
CODE_PROBLEM_ROWS = [
    ["1601", "2009", "2016", "member", "Trondheim"],
    ["1723", "2013", "2016", "member", "Mosvik"],  # merged into Inderøy 1756 in 2012
    ["5001", "2013", "2016", "member", "SYNTHETIC Trondheim"],  # Trondheim's code from 2018
]


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "members"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(browser: TestClient, name: str, data: bytes, *, lang: str = "", token: str | None = None) -> httpx.Response:
    query = f"?lang={lang}" if lang else ""
    given = token if token is not None else csrf_from(browser.get(MEMBERS + query))
    answer: httpx.Response = browser.post(
        MEMBERS + query, data={"csrf_token": given}, files={"fil": (name, data)}, follow_redirects=False
    )
    return answer


def summary(text: str) -> list[str]:
    """The error summary's items."""
    assert 'id="error-summary"' in text, "no error summary"
    block = text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    return [html.unescape(item) for item in re.findall(r'<a class="ds-link" href="#field-fil">([^<]*)</a>', block)]


def member_codes(site: MembersSite) -> list[str] | None:
    imported = site.reports.imported_members(MIDT_NORGE)
    return None if imported is None else [found.member.municipality for found in imported]


def test_the_page_shows_the_packages_real_members_until_a_list_is_uploaded(site: MembersSite) -> None:
    page = site.browser(SIRI).get(MEMBERS)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    text = page.text
    assert '<h1 class="ds-heading" data-size="lg">Programmets medlemmer</h1>' in text
    assert "Listen kommer fra programbeskrivelsen i monitoren." in text
    assert "Medlemmer i Boligsosialt utviklingsprogram i Midt-Norge: 18" in text
    assert text.count('<th scope="row">') == 18
    assert "Trondheim (1601)" in text and "Namsos (1703)" in text
    assert "<td>1. januar 2009</td>\n        <td>31. desember 2012</td>" in text
    assert 'enctype="multipart/form-data"' in text and 'name="csrf_token"' in text
    assert f'href="{MEMBERS}.csv"' in text and f'href="{MEMBERS}.xlsx"' in text


@pytest.mark.parametrize(
    ("lang", "title", "heading"),
    [
        ("nb", "Programmets medlemmer", "Last opp en ny liste"),
        ("nn", "Medlemane i programmet", "Last opp ei ny liste"),
        ("en", "The programme&#39;s members", "Upload a new list"),
    ],
)
def test_the_page_speaks_each_language(site: MembersSite, lang: str, title: str, heading: str) -> None:
    text = site.browser(SIRI).get(f"{MEMBERS}?lang={lang}").text
    assert f'<html lang="{lang}"' in text or f'lang="{lang}"' in text
    assert title in text and heading in text


def test_an_uploaded_csv_replaces_the_list_and_is_audited(site: MembersSite) -> None:
    browser = site.browser(SIRI)
    answer = upload(browser, "midt_norge_members.csv", csv_bytes(GOOD_ROWS))
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{MEMBERS}?melding=importert"
    assert member_codes(site) == ["1601", "1505", "1653"]
    page = browser.get(answer.headers["location"]).text
    assert "Listen er erstattet med medlemmene i filen." in page
    assert "Lastet opp fra filen midt_norge_members.csv av siri@husbanken.example" in page
    assert page.count('<th scope="row">') == 3
    with site.reports.engine.connect() as connection:
        entry = read_entries(connection, limit=1)[0]
    assert entry.action == MembersAuditAction.IMPORTED.value
    assert (entry.actor, entry.object_id) == (SIRI, MIDT_NORGE)
    assert entry.before == {"members": 0}
    assert entry.after == {"members": 3, "source": "midt_norge_members.csv"}


def test_an_uploaded_workbook_replaces_the_list(site: MembersSite) -> None:
    answer = upload(site.browser(SIRI), "medlemmer.xlsx", xlsx_bytes(GOOD_ROWS))
    assert answer.status_code == 303
    assert member_codes(site) == ["1601", "1505", "1653"]


def test_codes_not_in_use_in_the_membership_years_are_listed_in_the_pages_language_and_nothing_is_written(
    site: MembersSite,
) -> None:
    browser = site.browser(SIRI)
    assert upload(browser, "first.csv", csv_bytes(GOOD_ROWS)).status_code == 303
    answer = upload(browser, "SYNTHETIC_members.csv", csv_bytes(CODE_PROBLEM_ROWS))
    assert answer.status_code == 400
    assert summary(answer.text) == [
        "SYNTHETIC_members.csv, linje 3, felt «municipality»: kommunenummeret 1723 var ikke i bruk i 2013–2016: "
        "fra 2012 er nummeret 1756 (skriv årene fra 2012 på en egen linje, med 1756)",
        "SYNTHETIC_members.csv, linje 4, felt «municipality»: kommunenummeret 5001 var ikke i bruk i 2013–2016: "
        "det brukes fra 2018, før var nummeret 1601 "
        "(skriv årene før 2018 på en egen linje, med nummeret fra den tiden)",
    ]
    assert 'aria-invalid="true"' in answer.text
    assert "Filen SYNTHETIC_members.csv ble ikke lastet opp. Feil i filen: 2" in answer.text
    assert member_codes(site) == ["1601", "1505", "1653"]  # the list before, untouched
    english = upload(browser, "SYNTHETIC_members.csv", csv_bytes(CODE_PROBLEM_ROWS), lang="en")
    assert summary(english.text)[0] == (
        "SYNTHETIC_members.csv, line 3, field “municipality”: the municipality number 1723 was not in use in "
        "2013–2016: from 2012 the number is 1756 (write the years from 2012 on a row of their own, with 1756)"
    )


def test_the_readers_problems_name_file_line_and_field(site: MembersSite) -> None:
    rows = [["1601", "2009", "2012", "member", "Trondheim"], ["1505", "01.01.2009", "2012", "medlem", "Kristiansund"]]
    answer = upload(site.browser(SIRI), "SYNTHETIC_bad.csv", csv_bytes(rows), lang="nn")
    assert answer.status_code == 400
    items = summary(answer.text)
    assert [item.split(":", 1)[0] for item in items] == [
        "SYNTHETIC_bad.csv, linje 3, felt «from»",
        "SYNTHETIC_bad.csv, linje 3, felt «status»",
    ]
    assert "Lista vart ikkje endra." in answer.text
    assert member_codes(site) is None


def test_a_programme_period_problem_is_refused(site: MembersSite) -> None:
    answer = upload(site.browser(SIRI), "SYNTHETIC_late.csv", csv_bytes([["5001", "2018", "2019", "member", "x"]]))
    assert answer.status_code == 400
    assert summary(answer.text)[0].startswith("SYNTHETIC_late.csv, linje 2")
    assert member_codes(site) is None


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("", b"", "Velg en CSV- eller XLSX-fil."),
        ("members.pdf", b"%PDF-1.4", "Filen members.pdf er verken CSV eller XLSX."),
        ("members.csv", b"", "Filen members.csv er tom."),
        ("members.csv", b"x" * (MAX_UPLOAD_BYTES + 1), "Filen er større enn 2 MB."),
    ],
    ids=["none", "pdf", "empty", "too-large-file"],
)
def test_a_file_the_page_cannot_read_is_named_beside_the_field(
    site: MembersSite, name: str, data: bytes, message: str
) -> None:
    answer = upload(site.browser(SIRI), name, data)
    assert answer.status_code == 400
    assert f'id="field-fil-error">{message}' in answer.text
    assert summary(answer.text)[0].startswith(message)
    assert member_codes(site) is None


def test_a_request_larger_than_the_bound_is_refused_before_it_is_read(site: MembersSite) -> None:
    browser = site.browser(SIRI)
    token = csrf_from(browser.get(MEMBERS))
    answer = upload(browser, "big.csv", b"x" * (MAX_REQUEST_BYTES + 1), token=token)
    assert answer.status_code == 413
    assert "Filen er større enn 2 MB." in answer.text
    assert member_codes(site) is None


def test_an_upload_without_the_csrf_token_is_refused(site: MembersSite) -> None:
    answer = upload(site.browser(SIRI), "members.csv", csv_bytes(GOOD_ROWS), token="wrong")
    assert answer.status_code == 403
    assert member_codes(site) is None


def test_the_downloads_upload_again_unchanged(site: MembersSite, tmp_path: Path) -> None:
    browser = site.browser(SIRI)
    programme = load_programme(MIDT_NORGE)
    for suffix, media_type in (("csv", "text/csv; charset=utf-8"), ("xlsx", "application/vnd.openxml")):
        download = browser.get(f"{MEMBERS}.{suffix}")
        assert download.status_code == 200
        assert download.headers["content-type"].startswith(media_type)
        assert download.headers["content-disposition"] == f'attachment; filename="{MIDT_NORGE}-medlemmer.{suffix}"'
        path = tmp_path / f"download.{suffix}"
        path.write_bytes(download.content)
        read = [member for _, member in read_member_lines(path, programme=programme)]
        assert read == [member.model_copy(update={"source": None}) for member in programme.members]
        answer = upload(browser, f"download.{suffix}", download.content)
        assert answer.status_code == 303
        assert member_codes(site) == [member.municipality for member in programme.members]
    assert browser.get(f"{MEMBERS}.csv").content.startswith(b"\xef\xbb\xbfmunicipality,name,level,status,from,to\r\n")


def test_an_unknown_programme_is_an_unknown_page(site: MembersSite) -> None:
    answer = site.browser(SIRI).get("/program/no_such_programme/medlemmer")
    assert answer.status_code == 404
    assert "Fant ikke programmet «no_such_programme»." in answer.text


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("medlemmer.csv", "medlemmer.csv"),
        ("C:\\Users\\siri\\Documents\\medlemmer.xlsx", "medlemmer.xlsx"),
        ("../../etc/medlemmer.csv", "medlemmer.csv"),
        ("med\x00lem\nmer.csv", "medlemmer.csv"),
        (None, ""),
    ],
)
def test_an_uploads_name_is_its_own_name_only(sent: str | None, kept: str) -> None:
    assert upload_name(sent) == kept


def test_a_workbooks_problems_name_its_rows(site: MembersSite) -> None:
    rows = [["1601", "2009", "2012", "member", "Trondheim"], ["1723", "2013", "2016", "member", "Mosvik"]]
    answer = upload(site.browser(SIRI), "SYNTHETIC_medlemmer.xlsx", xlsx_bytes(rows))
    assert answer.status_code == 400
    assert summary(answer.text)[0].startswith("SYNTHETIC_medlemmer.xlsx, linje 3, felt «municipality»: ")
    assert member_codes(site) is None
