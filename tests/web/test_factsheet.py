"""Fact sheets per municipality: the web page, the tagged PDF, the numbers against the theme pages, the sentences,
the batch and the command line, on the session's database built from ../shared/data.

PDF rendering takes a second or two per sheet, so the PDFs are made once (a batch of three in bokmål and one
nynorsk sheet through the web) and every PDF test reads those.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
import typer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from typer.testing import CliRunner

from boligmonitor.analysis.benchmark_comparison import Comparison
from boligmonitor.web.context import PageContext
from boligmonitor.web.factsheet import batch as batch_module
from boligmonitor.web.factsheet import routes as factsheet_routes
from boligmonitor.web.factsheet.batch import (
    BatchResult,
    FactSheetInputError,
    check_request,
    make_sheet,
    municipality_code,
    slug,
    write_fact_sheets,
)
from boligmonitor.web.factsheet.content import FactSheet, build_fact_sheet
from boligmonitor.web.factsheet.pdfua import check_pdf_ua
from boligmonitor.web.factsheet.render import (
    RefusedURLError,
    css_string,
    halves,
    icon_css,
    package_fetcher,
    package_root,
)
from boligmonitor.web.factsheet.sentences import TESTED
from boligmonitor.web.i18n import Translator
from boligmonitor.web.monitor import MonitorData
from boligmonitor.web.present.formatting import value_text

OSLO, BERGEN, UTSIRA = "0301", "4601", "1151"  # Utsira: the smallest municipality (about 200 inhabitants)
SHARE_80_PLUS = "BEF03"


@pytest.fixture(scope="module")
def client(web_client: TestClient) -> TestClient:
    """The session's app with the fact sheet routes (registered here until app.py includes them)."""
    app: FastAPI = web_client.app  # type: ignore[assignment]
    if not any(getattr(route, "path", "") == "/region/{code}/faktaark" for route in app.routes):
        app.include_router(factsheet_routes.router)
    return web_client


@pytest.fixture(scope="module")
def data(client: TestClient) -> MonitorData:
    monitor_data: MonitorData = client.app.state.monitor.data  # type: ignore[attr-defined]
    return monitor_data


def sheet_of(data: MonitorData, code: str, language: str = "nb") -> FactSheet:
    ctx = PageContext(language="nn" if language == "nn" else "nb", data=data, path=f"/region/{code}/faktaark")
    return build_fact_sheet(ctx, code)


@pytest.fixture(scope="module")
def batch(data: MonitorData, tmp_path_factory: pytest.TempPathFactory) -> tuple[BatchResult, Path]:
    out = tmp_path_factory.mktemp("faktaark")
    result = write_fact_sheets([OSLO, BERGEN, UTSIRA], out, formats=("pdf", "html"), workers=1, data=data)
    return result, out


def pdf_of(batch: tuple[BatchResult, Path], code: str) -> bytes:
    result, _ = batch
    [sheet] = [item for item in result.results if item.code == code]
    [path] = [path for path in sheet.files if path.suffix == ".pdf"]
    return path.read_bytes()


def pdf_text(pdf: bytes, pages: int | None = None) -> str:
    """The text of the first ``pages`` pages (text extraction costs about half a second a page)."""
    reader = PdfReader(BytesIO(pdf))
    return words(" ".join(page.extract_text() for page in reader.pages[:pages]))


class _Rows(HTMLParser):
    """The fact sheet table rows: indicator -> the texts of its cells (name, year, value, benchmarks)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._indicator: str | None = None
        self._cells: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and found.get("data-indicator"):
            self._indicator = found["data-indicator"]
            self._cells = []
        elif self._indicator and tag in ("td", "th"):
            self._cells.append("")
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self._indicator and tag in ("td", "th"):
            self._depth -= 1
        elif tag == "tr" and self._indicator:
            self.rows[self._indicator] = [" ".join(cell.split()) for cell in self._cells]
            self._indicator = None

    def handle_data(self, text: str) -> None:
        if self._indicator and self._depth > 0:
            self._cells[-1] += text


def words(text: str) -> str:
    """Whitespace (including no-break spaces) as single spaces, as the table parser gives cell texts."""
    return " ".join(text.split())


def table_rows(html: str) -> dict[str, list[str]]:
    parser = _Rows()
    parser.feed(html)
    return parser.rows


# --------------------------------------------------------------------------------------------- web page


@pytest.mark.parametrize("code", [OSLO, BERGEN, UTSIRA])
def test_fact_sheet_page_renders_in_the_monitor_layout(client: TestClient, data: MonitorData, code: str) -> None:
    response = client.get(f"/region/{code}/faktaark")
    assert response.status_code == 200
    html = response.text
    name = data.regions[code].name
    assert html.count("<h1") == 1
    assert f"Faktaark: {name}" in html
    assert 'class="bm-header"' in html  # the monitor's header and picker
    assert f'href="/region/{code}/faktaark.pdf"' in html
    for heading in (
        "Nøkkeltall",
        "Hovedfunn",
        "Befolkning og sammensetning",
        "Boforhold",
        "Bygging og behov",
        "Framskrivinger",
        "Husbankens virkemidler",
        "Datagrunnlag, kilder og forbehold",
    ):
        assert heading in html
    assert "style=" not in html and "<script>" not in html  # the CSP allows neither
    assert SHARE_80_PLUS in table_rows(html)


def test_nynorsk_page(client: TestClient) -> None:
    html = client.get(f"/region/{UTSIRA}/faktaark?lang=nn").text
    assert '<html lang="nn"' in html
    assert "Befolkning og samansetjing" in html and "Hovudfunn" in html


def test_unknown_municipality_is_a_404_page(client: TestClient) -> None:
    unknown = client.get("/region/9999/faktaark")
    assert unknown.status_code == 404
    assert "9999" in unknown.text
    county = client.get("/region/46/faktaark.pdf")
    assert county.status_code == 404
    assert "Faktaark lages for kommuner" in county.text
    assert client.get(f"/region/{BERGEN}/faktaark.docx").status_code == 404


# ------------------------------------------------------------------------------- numbers = the monitor's


@pytest.mark.parametrize("theme", ["befolkning_boligmarked", "eldre_og_bolig", "flyktninger"])
def test_numbers_equal_the_theme_page_json(client: TestClient, data: MonitorData, theme: str) -> None:
    monitor_rows = {row["indicator"]: row for row in client.get(f"/region/{BERGEN}/tema/{theme}.json").json()["rows"]}
    sheet_rows = client.get(f"/region/{BERGEN}/faktaark.json").json()["rows"]
    on_sheet = {row["indicator"]: row for row in sheet_rows if row.get("benchmark") in ("norway", None)}
    html_rows = table_rows(client.get(f"/region/{BERGEN}/faktaark").text)
    t = Translator("nb")
    compared = 0
    for indicator_id, row in on_sheet.items():
        if indicator_id not in monitor_rows:
            continue
        expected = monitor_rows[indicator_id]
        for key in ("year", "value", "numerator", "denominator", "ci_low", "ci_high", "status", "comparison"):
            assert row[key] == expected[key], (indicator_id, key)
        assert row.get("benchmark_value") == expected.get("benchmark_value"), indicator_id
        if indicator_id in html_rows:  # as shown: the value cell and the Norway cell, formatted as the monitor does
            indicator = data.indicator(indicator_id)
            cells = html_rows[indicator_id]
            assert cells[1] == str(expected["year"])
            assert cells[2].startswith(words(value_text(indicator, expected["value"], t)))
            if cells[3] != words(t("factsheet.count_not_compared")):
                assert cells[3].startswith(words(value_text(indicator, expected["benchmark_value"], t)))
            compared += 1
    assert compared >= 1


def test_every_sheet_row_is_the_monitors_row(data: MonitorData) -> None:
    sheet = sheet_of(data, OSLO)
    lines = list(sheet.lines())
    assert lines
    for line in lines:
        assert line.row is data.row(line.indicator.id, OSLO)  # the very (cached) row the theme page shows
        for cell in line.cells:
            assert cell.row is data.row(line.indicator.id, OSLO, line.year, cell.kind) or cell.row is line.row


# ------------------------------------------------------------------------------------------- sentences


@pytest.mark.parametrize("code", [OSLO, BERGEN, UTSIRA])
def test_sentences_come_only_from_tested_comparisons(data: MonitorData, code: str) -> None:
    sheet = sheet_of(data, code)
    for line in sheet.lines():
        if line.finding is None:
            assert line.row.comparison not in TESTED or line.row.measure.value is None
            continue
        assert line.finding.comparison is line.row.comparison
        assert line.finding.comparison in TESTED
        assert line.row.benchmark is not None and line.row.benchmark.kind.value == "norway"
    for finding in sheet.findings:
        assert finding.comparison is not Comparison.SIMILAR  # similar ones are named together, not as differences
    similar = [line for line in sheet.lines() if line.finding and line.finding.comparison is Comparison.SIMILAR]
    if similar:
        assert sheet.similar is not None and sheet.similar.startswith("Ingen sikker forskjell fra landet")


def test_the_80_plus_sentence_follows_its_test(client: TestClient, data: MonitorData) -> None:
    expected = next(
        row
        for row in client.get(f"/region/{BERGEN}/tema/befolkning_boligmarked.json").json()["rows"]
        if row["indicator"] == SHARE_80_PLUS
    )
    sheet = sheet_of(data, BERGEN)
    [line] = [line for line in sheet.lines() if line.indicator.id == SHARE_80_PLUS]
    assert line.finding is not None and line.finding.comparison.value == expected["comparison"]
    t = Translator("nb")
    words = {"higher": "høyere enn i landet", "lower": "lavere enn i landet"}
    indicator = data.indicator(SHARE_80_PLUS)
    assert line.finding.text == (
        f"Innbyggere 80 år og over ({expected['year']}): andelen er {words[expected['comparison']]} "
        f"({value_text(indicator, expected['value'], t)} mot {value_text(indicator, expected['benchmark_value'], t)})."
    )


def test_counts_are_never_compared_or_put_in_sentences(data: MonitorData) -> None:
    for line in sheet_of(data, OSLO).lines():
        if line.indicator.multiplier is None:
            assert line.cells == () and line.finding is None and not line.comparable


def test_missing_data_is_reported_not_imputed(data: MonitorData) -> None:
    sheet = sheet_of(data, BERGEN)
    housing = next(section for section in sheet.sections if section.id == "housing")
    not_loaded = [name for group in housing.groups for name in group.not_loaded]
    assert "Andel personer som leier bolig" in not_loaded  # BEF06: the monitor has no source yet
    husbanken = next(section for section in sheet.sections if section.id == "husbanken")
    missing = [item for group in husbanken.groups for item in group.without_value]
    # Oslo-only extracts: Husbanken publishes Bergen's figures, this installation has not loaded them (issue 12)
    assert missing and all(item.reason.startswith("Ikke lastet inn") for item in missing)
    shown = {line.indicator.id for line in sheet.lines()}
    assert "BEF06" not in shown and "HB05" not in shown
    assert all(line.row.measure.value is not None for line in sheet.lines())


def test_oslo_is_not_compared_with_itself_as_a_county(data: MonitorData) -> None:
    oslo = sheet_of(data, OSLO)
    assert [kind.value for kind in oslo.benchmarks] == ["norway", "peers"]
    assert oslo.benchmark_note is not None
    assert [kind.value for kind in sheet_of(data, BERGEN).benchmarks] == ["norway", "county", "peers"]


# ------------------------------------------------------------------------------------------------- PDF


@pytest.mark.parametrize("code", [OSLO, BERGEN, UTSIRA])
def test_pdf_passes_the_pdf_ua_structure_check(batch: tuple[BatchResult, Path], code: str) -> None:
    report = check_pdf_ua(pdf_of(batch, code), language="nb")
    assert report.problems == []
    assert 2 <= report.pages <= 4
    assert report.title is not None and report.title.startswith("Faktaark: ")
    assert report.tags["/Document"] == 1 and report.tags["/Table"] >= 2
    assert report.figure_alts and all(report.figure_alts)  # the charts' <title> as /Alt
    assert report.artifacts > 0  # backgrounds, icons, running headers and page numbers


def test_pdf_text_has_the_name_and_the_80_plus_share_as_the_monitor_writes_it(
    batch: tuple[BatchResult, Path], client: TestClient, data: MonitorData
) -> None:
    for code in (BERGEN, UTSIRA):
        expected = next(
            row
            for row in client.get(f"/region/{code}/tema/befolkning_boligmarked.json").json()["rows"]
            if row["indicator"] == SHARE_80_PLUS
        )
        share = words(value_text(data.indicator(SHARE_80_PLUS), expected["value"], Translator("nb")))
        text = pdf_text(pdf_of(batch, code), pages=2)  # the population table is on the first two pages
        assert f"Faktaark: {data.regions[code].name}" in text
        # the table row: "Innbyggere 80 år og over · Økende 2022–2026 · 2026 · 4,7 % · 95 % KI 4,6–4,8 · …"
        row = re.search(r"Innbyggere 80 år og over .{0,60}?(\d{4}) (\S+\s%) 95 % KI", text)
        assert row is not None and row.groups() == (str(expected["year"]), share)


def test_batch_writes_a_pdf_and_an_html_file_per_municipality(batch: tuple[BatchResult, Path]) -> None:
    result, out = batch
    assert result.failures == []
    assert sorted(path.name for path in out.iterdir()) == [
        "0301-oslo-oslove.html",
        "0301-oslo-oslove.pdf",
        "1151-utsira.html",
        "1151-utsira.pdf",
        "4601-bergen.html",
        "4601-bergen.pdf",
    ]
    assert all(item.pages is not None and 2 <= item.pages <= 4 for item in result.results)
    html = (out / "4601-bergen.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and '<html lang="nb">' in html and "@page" in html


def test_nynorsk_pdf_from_the_web(client: TestClient) -> None:
    response = client.get(f"/region/{UTSIRA}/faktaark.pdf?lang=nn")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="1151-utsira-nn.pdf"' in response.headers["content-disposition"]
    report = check_pdf_ua(response.content, language="nn")
    assert report.problems == []
    assert report.title == "Faktaark: Utsira – Bustadsosial monitor"
    assert "Befolkning og samansetjing" in pdf_text(response.content, pages=1)


# ------------------------------------------------------------------------------------- no network, CSS


def test_url_fetcher_serves_package_files_and_refuses_everything_else() -> None:
    fetcher = package_fetcher()
    charts = (package_root() / "static" / "charts.css").as_uri()
    assert b".bm-chart" in fetcher.fetch(charts).read()
    assert fetcher.fetch("data:text/plain,hei").read() == b"hei"
    for url in ("http://example.com/style.css", "https://cdn.example.com/font.woff2", "file:///etc/passwd"):
        with pytest.raises(RefusedURLError):
            fetcher.fetch(url)
    assert fetcher.refused == [
        "http://example.com/style.css",
        "https://cdn.example.com/font.woff2",
        "file:///etc/passwd",
    ]


def test_css_strings_cannot_break_out() -> None:
    escaped = css_string('Ål "x" </style><script>')
    assert escaped.startswith('"') and escaped.endswith('"')
    assert "<" not in escaped and escaped.count('"') - escaped.count('\\"') == 2


def test_print_icons_have_every_comparison_shape() -> None:
    css = icon_css()
    for category in ("better", "worse", "similar", "higher", "lower", "not_compared", "no_value"):
        assert f'.bm-fs-cmp--{category}{{background-image:url("data:image/svg+xml,' in css
    assert "fill%3D%22%23" in css  # colours from charts.css as presentation attributes


def test_halves_keep_order() -> None:
    assert halves(["aaaa", "bb", "cc"]) == [["aaaa"], ["bb", "cc"]]
    assert halves([]) == [[], []]


# ------------------------------------------------------------------------------------- batch and CLI


def test_a_failing_sheet_is_reported_and_does_not_stop_the_others(data: MonitorData, tmp_path: Path) -> None:
    failed = make_sheet(data, "46", tmp_path, "nb", ("html",))
    assert failed.error is not None and "UnknownPageError" in failed.error and failed.files == ()
    result = write_fact_sheets([UTSIRA, "46"], tmp_path, formats=("html",), workers=1, data=data)
    assert [item.code for item in result.written] == [UTSIRA]
    assert [item.code for item in result.failures] == ["46"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["1151-utsira.html"]


def test_request_checks_name_every_problem(data: MonitorData) -> None:
    regions = data.regions
    assert check_request(
        regions, ["301", "0301", " 4601 "], all_municipalities=False, language="nb", formats=["pdf"]
    ) == [OSLO, BERGEN]
    assert len(check_request(regions, [], all_municipalities=True, language="nn", formats=["html"])) == 357
    with pytest.raises(FactSheetInputError) as caught:
        check_request(regions, ["9999", "46", "0"], all_municipalities=False, language="de", formats=["docx"])
    message = str(caught.value)
    for part in ("9999", "46 (county Vestland)", "0 (country", "'de'", "docx"):
        assert part in message
    with pytest.raises(FactSheetInputError, match="not both"):
        check_request(regions, [OSLO], all_municipalities=True, language="nb", formats=["pdf"])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Oslo - Oslove", "oslo-oslove"),
        ("Våler (Innlandet)", "valer-innlandet"),
        ("Bærum", "baerum"),
        ("Guovdageaidnu - Kautokeino", "guovdageaidnu-kautokeino"),
        ("Ørland", "orland"),
        ("Unjárga - Nesseby", "unjarga-nesseby"),
    ],
)
def test_file_names(name: str, expected: str) -> None:
    assert slug(name) == expected
    assert municipality_code("301") == "0301"


cli = typer.Typer()


@cli.callback()
def _group() -> None:
    """Keeps `factsheet` a sub-command, as in the real app."""


def _register() -> None:
    from boligmonitor.cli.factsheet import factsheet

    cli.command("factsheet")(factsheet)


_register()
runner = CliRunner()


def test_cli_rejects_unknown_codes_with_a_clear_message(built_database: Path, tmp_path: Path) -> None:
    database = f"sqlite:///{built_database}"
    result = runner.invoke(cli, ["factsheet", "9999", "0301", "--out", str(tmp_path), "--database", database])
    assert result.exit_code == 2
    assert "not a municipality in the monitor: 9999" in " ".join(result.output.split())
    assert list(tmp_path.iterdir()) == []
    for arguments in (["--lang", "de", "0301"], ["--all", "0301"], [], ["0301", "--format", "docx"]):
        result = runner.invoke(cli, ["factsheet", *arguments, "--out", str(tmp_path), "--database", database])
        assert result.exit_code == 2, arguments
        assert "error:" in result.output


def test_cli_writes_one_sheet(
    built_database: Path, tmp_path: Path, data: MonitorData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_module, "_load", lambda url: data)  # the session's data: no second load
    result = runner.invoke(
        cli,
        [
            "factsheet",
            "301",
            "--format",
            "html",
            "--lang",
            "nn",
            "--out",
            str(tmp_path),
            "--database",
            f"sqlite:///{built_database}",
        ],
    )
    assert result.exit_code == 0, result.output
    written = tmp_path / "0301-oslo-oslove.html"
    assert written.is_file()
    assert '<html lang="nn">' in written.read_text(encoding="utf-8")
    assert str(written) in result.stdout
