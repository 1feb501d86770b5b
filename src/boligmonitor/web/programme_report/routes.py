"""The report documents on the web. Every route carries one ``require`` (web/auth/access.py):

- ``/program/{programme_id}/rapport/{year}`` — the annual analysis report in the monitor's layout, with
  ``….pdf`` (tagged PDF, PDF/UA-1) and ``….docx``: action ``analysis.read`` (analysts: every municipality;
  regional advisers: the programme's figures, and single members' colours and words only from their region —
  the analysis of web/views/programme, as its pages show it);
- ``/rapportering/{round_id}/{municipality}/tilbakemelding.pdf`` and ``….docx`` — the municipality's feedback
  page as a document: action ``report.read`` for the municipality of the path.

Every answer is personal (``Cache-Control: no-store``). Include the router in the app before ``routes.router``::

    app.include_router(boligmonitor.web.programme_report.routes.router)
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from boligmonitor.catalog.reporting import Programme
from boligmonitor.core.regions import normalise_region_code
from boligmonitor.store.accounts import Action, Reach, reach
from boligmonitor.store.reporting import ReportingError
from boligmonitor.web.auth.access import Principal, require
from boligmonitor.web.context import PageContext
from boligmonitor.web.i18n import messages
from boligmonitor.web.monitor import UnknownPageError
from boligmonitor.web.pages import Page
from boligmonitor.web.programme_report.coding import REDACTED_MARKER, coding_of
from boligmonitor.web.programme_report.content import (
    ProgrammeReport,
    build_programme_report,
    comparison_years,
    read_report_inputs,
    synthetic_statistics,
)
from boligmonitor.web.programme_report.docx_writer import MEDIA_TYPE as DOCX_MEDIA_TYPE
from boligmonitor.web.programme_report.docx_writer import feedback_docx, report_docx
from boligmonitor.web.programme_report.feedback import FeedbackReport, build_feedback_report
from boligmonitor.web.programme_report.render import feedback_pdf, report_pdf
from boligmonitor.web.rendering import render_html
from boligmonitor.web.views.programme.content import AnalysisPart
from boligmonitor.web.views.programme.pages import (
    Years,
    analysis_overrides,
    data_years,
    group_analysis,
    personal_analysis,
    programme_for,
)
from boligmonitor.web.views.reporting.pages import NO_STORE, page_context, report_store

router = APIRouter(include_in_schema=False)

MUNICIPALITY: Final = "municipality"
AnalysisReader = Annotated[Principal, Depends(require(Action.ANALYSIS_READ))]
ReportReader = Annotated[Principal, Depends(require(Action.REPORT_READ, municipality=MUNICIPALITY))]

REPORT_PATH: Final = "/program/{programme_id}/rapport/{year}"
FEEDBACK_PATH: Final = "/rapportering/{round_id}/{municipality}/tilbakemelding"
PDF: Final = "application/pdf"
REDACTED_KEY: Final = "coding.redacted"  # locales/coding.yaml: [sladdet] / [sladda] / [redacted]


# The analysis report (the .pdf and .docx routes first: the page's {year} would also match "2019.pdf")


@router.get(REPORT_PATH + ".pdf", name="programme_report.pdf")
async def report_pdf_file(request: Request, principal: AnalysisReader, programme_id: str, year: str) -> Response:
    ctx = page_context(request)
    report = await run_in_threadpool(_report, request, principal, ctx, programme_id, year)
    pdf = await run_in_threadpool(report_pdf, report, ctx)
    return _file(pdf, PDF, f"{report.file_stem}.pdf", inline=True)


@router.get(REPORT_PATH + ".docx", name="programme_report.docx")
async def report_docx_file(request: Request, principal: AnalysisReader, programme_id: str, year: str) -> Response:
    ctx = page_context(request)
    report = await run_in_threadpool(_report, request, principal, ctx, programme_id, year)
    content = await run_in_threadpool(report_docx, report, ctx)
    return _file(content, DOCX_MEDIA_TYPE, f"{report.file_stem}.docx", inline=False)


@router.get(REPORT_PATH, name="programme_report.page")
async def report_page(request: Request, principal: AnalysisReader, programme_id: str, year: str) -> Response:
    ctx = page_context(request)
    report = await run_in_threadpool(_report, request, principal, ctx, programme_id, year)
    path = f"/program/{report.programme_id}/rapport/{report.year}"
    page = Page(
        "programme_report/report.html",
        report.title,
        {
            "report": report,
            "for_print": False,
            "pdf_url": ctx.url(path + ".pdf"),
            "docx_url": ctx.url(path + ".docx"),
        },
        breadcrumbs=[
            (ctx.t("nav.home"), ctx.url("/")),
            (report.programme_name, ctx.url(f"/program/{report.programme_id}")),
            (ctx.t("programme_report.crumb", year=report.year), None),
        ],
    )
    response = render_html(page, ctx)
    response.headers["Cache-Control"] = NO_STORE
    return response


# The feedback report


@router.get(FEEDBACK_PATH + ".pdf", name="programme_report.feedback_pdf")
async def feedback_pdf_file(request: Request, principal: ReportReader, round_id: int, municipality: str) -> Response:
    ctx = page_context(request)
    feedback = await run_in_threadpool(_feedback, request, ctx, round_id, municipality)
    pdf = await run_in_threadpool(feedback_pdf, feedback, ctx)
    return _file(pdf, PDF, f"{feedback.file_stem}.pdf", inline=True)


@router.get(FEEDBACK_PATH + ".docx", name="programme_report.feedback_docx")
async def feedback_docx_file(request: Request, principal: ReportReader, round_id: int, municipality: str) -> Response:
    ctx = page_context(request)
    feedback = await run_in_threadpool(_feedback, request, ctx, round_id, municipality)
    content = await run_in_threadpool(feedback_docx, feedback, ctx)
    return _file(content, DOCX_MEDIA_TYPE, f"{feedback.file_stem}.docx", inline=False)


# Inside


def _report(
    request: Request, principal: Principal, ctx: PageContext, programme_id: str, year_text: str
) -> ProgrammeReport:
    programme = programme_for(request, programme_id)
    year = _year(programme, year_text)
    store = report_store(request)
    analysis = personal_analysis(request, programme, year, principal, analysis_overrides(store, programme.id, year))
    inputs = read_report_inputs(store, programme.id, year)
    coded, quotes = coding_of(store, ctx.data, programme.id, year, marker=_marker(ctx))
    visible = None
    if reach(principal.role, Action.ANALYSIS_READ) is not Reach.ALL:
        visible = principal.municipalities(Action.ANALYSIS_READ, frozenset(quote.municipality for quote in quotes))
    # The group parts (figures over groups of municipalities, the same for every reader) as the analysis pages
    # show them, cached per data version: from the year before the programme started to the report's year.
    start, end = comparison_years(programme, year, data_years(ctx.data))
    years = Years(year, start, end)
    comparison = group_analysis(request, programme, years, AnalysisPart.COMPARISON).comparison
    shares = group_analysis(request, programme, years, AnalysisPart.SHARES).shares
    breaks = group_analysis(request, programme, years, AnalysisPart.BREAKS).breaks
    return build_programme_report(
        ctx,
        analysis,
        submitted=inputs.submitted,
        form=inputs.form,
        visible=visible,
        coded=coded,
        quotes=quotes,
        synthetic=synthetic_statistics(ctx.data),
        comparison=comparison,
        shares=shares,
        breaks=breaks,
    )


def _marker(ctx: PageContext) -> str:
    """What stands where a redacted part was left out: the coding pages' word, in the page's language."""
    return ctx.t(REDACTED_KEY) if REDACTED_KEY in messages() else REDACTED_MARKER


def _year(programme: Programme, text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) == 4) or not programme.period.contains(int(text)):
        raise UnknownPageError("programme_report", f"{programme.id} {text}")
    return int(text)


def _feedback(request: Request, ctx: PageContext, round_id: int, municipality: str) -> FeedbackReport:
    store = report_store(request)
    try:
        reporting = store.round(round_id)
    except ReportingError:
        raise UnknownPageError("reporting_round", str(round_id)) from None
    code = normalise_region_code(municipality)
    return build_feedback_report(store, reporting, code, ctx, site_url=str(request.base_url).rstrip("/"))


def _file(content: bytes, media_type: str, name: str, *, inline: bool) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{name}"', "Cache-Control": NO_STORE},
    )


__all__ = ["FEEDBACK_PATH", "REPORT_PATH", "router"]
