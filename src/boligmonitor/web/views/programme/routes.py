"""A programme's analysis for Husbanken (issue 14, part 6): the overview at /program/{id}, goal attainment with the
analysts' overrides, members against non-members by size group, the members' share of the national total, and the
trend-break test at the programme's start — each with its downloads (``….csv``, ``….csv?csv=norsk``, ``….xlsx``,
``….json``). Every route carries one ``require``: ``analysis.read`` to read (a regional adviser sees the
programme as a whole and only the members of her region one by one), ``analysis.edit`` to override a colour.
The open answers (/program/{id}/apne-svar) are another room's.

    app.include_router(boligmonitor.web.views.programme.routes.router)
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from boligmonitor.analysis.reporting import AssessedAttainment
from boligmonitor.catalog.reporting import Programme
from boligmonitor.core.errors import InputError
from boligmonitor.store.accounts import Action
from boligmonitor.store.reporting import OverrideKey, ReportingError
from boligmonitor.store.reporting.overrides import COLOURS, MAX_REASON_LENGTH
from boligmonitor.web.auth.access import CSRF_FIELD, Principal, require
from boligmonitor.web.context import PageContext
from boligmonitor.web.downloads import Download
from boligmonitor.web.monitor import UnknownPageError
from boligmonitor.web.pages import Page
from boligmonitor.web.present.download_table import csv_style
from boligmonitor.web.rendering import render_download, render_html
from boligmonitor.web.request_params import single
from boligmonitor.web.views.programme import tables
from boligmonitor.web.views.programme.content import AnalysisPart, ProgrammeAnalysis
from boligmonitor.web.views.programme.pages import (
    MEMBER,
    PROGRAMME_ONLY,
    YEAR,
    Years,
    analysis_overrides,
    analysis_page_context,
    chosen_members,
    data_years,
    group_analysis,
    personal_analysis,
    programme_for,
    read_years,
)
from boligmonitor.web.views.programme.present import (
    attainment_sections,
    break_sections,
    comparison_sections,
    form_id_of,
    membership_rows,
    municipality_label,
    provenance,
    row_id,
    share_sections,
)
from boligmonitor.web.views.reporting.pages import NO_STORE, format_timestamp, redirect, report_store

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(require(Action.ANALYSIS_READ))]
Editor = Annotated[Principal, Depends(require(Action.ANALYSIS_EDIT))]

BASE: Final = "/program/{programme_id}"
ATTAINMENT_PATH: Final = BASE + "/maloppnaelse"
COMPARISON_PATH: Final = BASE + "/sammenligning"
SHARES_PATH: Final = BASE + "/andel-av-landet"
BREAKS_PATH: Final = BASE + "/trendbrudd"
OPEN_ANSWERS: Final = "/apne-svar"
DOWNLOAD_FORMATS: Final = ("csv", "xlsx", "json")
SAVED: Final = "lagret"
REMOVED: Final = "fjernet"
COLOUR_FIELD: Final = "farge"
REASON_FIELD: Final = "begrunnelse"
REMOVE_VALUE: Final = "fjern"
ROW_FIELD: Final = "rad"
FORM_FIELD: Final = "skjema"


def programme_path(programme_id: str, part: str = "") -> str:
    return f"/program/{programme_id}{part}"


def render(
    request: Request,
    principal: Principal,
    ctx: PageContext,
    template: str,
    title: str,
    programme: Programme,
    *,
    download: Download | None = None,
    status_code: int = 200,
    here: str | None = None,
    **context: Any,
) -> Response:
    """A personal page (``no-store``) in the monitor's layout, with the programme's breadcrumbs."""
    name = programme.name.get(ctx.language)
    crumbs: list[tuple[str, str | None]] = [(ctx.t("nav.home"), ctx.url("/"))]
    if here is None:
        crumbs.append((name, None))
    else:
        crumbs += [(name, ctx.url(programme_path(programme.id))), (here, None)]
    page = Page(
        f"programme/{template}",
        title,
        {
            "principal": principal,
            "csrf_field": CSRF_FIELD,
            "csrf_token": principal.csrf_token,
            "programme": programme,
            "programme_name": name,
            **context,
        },
        download=download,
        status_code=status_code,
        breadcrumbs=crumbs,
    )
    response = render_html(page, ctx, {"format_timestamp": format_timestamp})
    response.headers["Cache-Control"] = NO_STORE
    return response


def download_response(download: Download, fmt: str) -> Response:
    if fmt not in DOWNLOAD_FORMATS:
        raise UnknownPageError("format", fmt)
    response = render_download(Page("", download.title, download=download), fmt)
    response.headers["Cache-Control"] = NO_STORE
    return response


def make_download(
    ctx: PageContext,
    programme: Programme,
    part: str,
    title: str,
    columns: Sequence[str],
    rows: list[dict[str, Any]],
    years: str,
) -> Download:
    version = ctx.data.version
    style = csv_style(ctx)
    name = f"boligmonitor-{programme.id}-{part}-{years}"
    return Download(
        name=f"{name}-excel" if style == "excel_nb" else name,
        title=title,
        columns=columns,
        rows=rows,
        meta={
            "programme": programme.id,
            "programme_name": programme.name.get(ctx.language),
            "years": years,
            "data_version": None if version is None else version.id,
            "data_version_created": None if version is None else version.created_at.isoformat(),
            "language": ctx.language,
            "note": "Missing values are empty; they are never zero. Groups under 5 municipalities get no figure.",
        },
        created=None if version is None else version.created_at,
        csv_style=style,
    )


# The overview


@router.get(BASE, name="programme.overview")
async def overview_page(request: Request, principal: Reader, programme_id: str) -> Response:
    ctx = analysis_page_context(request)
    programme = await run_in_threadpool(programme_for, request, programme_id)  # reads imported members
    years = read_years(ctx, programme)
    analysis = await run_in_threadpool(personal_analysis, request, programme, years.year, principal, (), ())
    rounds = await run_in_threadpool(report_store(request).rounds, programme.id)
    links = [
        (ctx.t("programme_analysis.attainment.title"), ctx.url(programme_path(programme.id, "/maloppnaelse"))),
        (ctx.t("programme_analysis.comparison.title"), ctx.url(programme_path(programme.id, "/sammenligning"))),
        (ctx.t("programme_analysis.shares.title"), ctx.url(programme_path(programme.id, "/andel-av-landet"))),
        (ctx.t("programme_analysis.breaks.title"), ctx.url(programme_path(programme.id, "/trendbrudd"))),
        (ctx.t("programme_analysis.open_answers"), ctx.url(programme_path(programme.id, OPEN_ANSWERS))),
    ]
    if principal.may(Action.ANALYSIS_EDIT):  # the members page is for those who may change the list
        links.append((ctx.t("programme_members.title"), ctx.url(programme_path(programme.id, "/medlemmer"))))
    round_rows = [
        {
            "year": reporting.year,
            "state": ctx.t(f"programme_analysis.round_state.{reporting.state.value}"),
            "closes": format_timestamp(reporting.closes_at, ctx.language),
        }
        for reporting in sorted(rounds, key=lambda r: r.year)
    ]
    return render(
        request,
        principal,
        ctx,
        "overview.html",
        programme.name.get(ctx.language),
        programme,
        analysis=analysis,
        members=membership_rows(ctx, programme, analysis),
        links=links,
        rounds=round_rows,
        reports_link=ctx.url("/rapportering"),
        provenance=provenance(ctx),
    )


# Goal attainment, with the analysts' overrides


@router.get(ATTAINMENT_PATH, name="programme.attainment")
async def attainment_page(request: Request, principal: Reader, programme_id: str) -> Response:
    return await _attainment(request, principal, programme_id, None)


@router.get(ATTAINMENT_PATH + ".{fmt}", name="programme.attainment_download")
async def attainment_download(request: Request, principal: Reader, programme_id: str, fmt: str) -> Response:
    return await _attainment(request, principal, programme_id, fmt)


async def _attainment(
    request: Request,
    principal: Principal,
    programme_id: str,
    fmt: str | None,
    *,
    errors: dict[str, str] | None = None,
    posted: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    ctx = analysis_page_context(request)
    programme = await run_in_threadpool(programme_for, request, programme_id)  # reads imported members
    years = read_years(ctx, programme)
    if fmt is not None and fmt not in DOWNLOAD_FORMATS:
        raise UnknownPageError("format", fmt)
    everyone = await run_in_threadpool(personal_analysis, request, programme, years.year, principal, (), ())
    only = chosen_members(ctx, everyone.visible_codes)
    analysis = await _attainment_analysis(request, programme, years.year, principal, only)
    assert analysis.attainment is not None
    member_choices = [(code, municipality_label(ctx, code)) for code in sorted(everyone.visible_codes)]
    download = make_download(
        ctx,
        programme,
        "maloppnaelse",
        ctx.t("programme_analysis.attainment.title"),
        tables.ATTAINMENT_COLUMNS,
        tables.attainment_rows(analysis.attainment),
        str(years.year),
    )
    if fmt is not None:
        return download_response(download, fmt)
    notice = {SAVED: "programme_analysis.override.saved", REMOVED: "programme_analysis.override.removed"}.get(
        request.query_params.get("melding", "")
    )
    return render(
        request,
        principal,
        ctx,
        "attainment.html",
        ctx.t("programme_analysis.attainment.title"),
        programme,
        download=download,
        status_code=status_code,
        here=ctx.t("programme_analysis.attainment.title"),
        analysis=analysis,
        years=years,
        sections=attainment_sections(ctx, analysis, posted),
        may_override=principal.may(Action.ANALYSIS_EDIT),
        action=ctx.url(programme_path(programme.id, "/maloppnaelse"), ar=years.year, kommune=single(ctx.query, MEMBER)),
        errors=errors or {},
        notice=None if notice is None else ctx.t(notice),
        provenance=provenance(ctx),
        year_choices=_year_choices(ctx),
        member_choices=member_choices,
        member_field=MEMBER,
        programme_only=PROGRAMME_ONLY,
        chosen_member=single(ctx.query, MEMBER) or "",
        colour_field=COLOUR_FIELD,
        reason_field=REASON_FIELD,
        row_field=ROW_FIELD,
        form_field=FORM_FIELD,
    )


async def _attainment_analysis(
    request: Request, programme: Programme, year: int, principal: Principal, only: frozenset[str] | None = None
) -> ProgrammeAnalysis:
    store = report_store(request)
    overrides = await run_in_threadpool(analysis_overrides, store, programme.id, year)
    parts = (AnalysisPart.ATTAINMENT,)
    return await run_in_threadpool(personal_analysis, request, programme, year, principal, overrides, parts, only)


@router.post(ATTAINMENT_PATH, name="programme.override")
async def override_colour(request: Request, principal: Editor, programme_id: str) -> Response:
    """Set (or remove, ``handling=fjern``) an analyst's colour for one assessment; a reason is required. Errors
    show next to the row's fields and in a summary, in the page's language; nothing is saved then."""
    ctx = analysis_page_context(request)
    programme = await run_in_threadpool(programme_for, request, programme_id)  # reads imported members
    years = read_years(ctx, programme)
    form = await request.form()
    values = {name: value.strip() for name, value in form.items() if isinstance(value, str)}
    row = values.get(ROW_FIELD, "")
    form_id = values.get(FORM_FIELD, "")
    analysis = await _attainment_analysis(request, programme, years.year, principal)
    assert analysis.attainment is not None
    location = ctx.url(programme_path(programme.id, "/maloppnaelse"), ar=years.year, kommune=single(ctx.query, MEMBER))
    colour = values.get(COLOUR_FIELD, "")
    reason = values.get(REASON_FIELD, "")
    posted = {"form": form_id, ROW_FIELD: row, COLOUR_FIELD: colour, REASON_FIELD: reason}
    target = _assessment(analysis, row)
    if target is None or form_id != form_id_of(target.result.key):
        if not row and form_id:  # the scope was not chosen: say so next to it
            missing = {f"{form_id}-{ROW_FIELD}": ctx.t("programme_analysis.override.scope_required")}
            return await _attainment(
                request, principal, programme_id, None, errors=missing, posted=posted, status_code=400
            )
        raise UnknownPageError("programme_assessment", row or "–")
    key = target.result.key
    store_key = OverrideKey(programme.id, key.year, key.goal_id, key.catalogue_goal_id, key.indicator_id, key.scope)
    store = report_store(request)
    actor = principal.actor()
    if values.get("handling") == REMOVE_VALUE:
        # Nothing to remove (removed in another tab): the page shows the rule again all the same.
        with suppress(ReportingError):
            await run_in_threadpool(lambda: store.remove_override(store_key, actor=actor))
        return redirect(_with_notice(location, REMOVED) + f"#{row}")
    errors: dict[str, str] = {}
    if colour not in COLOURS:
        errors[f"{form_id}-{COLOUR_FIELD}"] = ctx.t("programme_analysis.override.colour_required")
    if not reason:
        errors[f"{form_id}-{REASON_FIELD}"] = ctx.t("programme_analysis.override.reason_required")
    elif len(reason) > MAX_REASON_LENGTH:
        errors[f"{form_id}-{REASON_FIELD}"] = ctx.t(
            "programme_analysis.override.reason_too_long", max=MAX_REASON_LENGTH
        )
    if not errors:
        try:
            await run_in_threadpool(lambda: store.save_override(store_key, colour, reason, actor=actor))
        except InputError as refused:
            for problem in refused.problems:
                field = COLOUR_FIELD if problem.field == "colour" else REASON_FIELD
                errors[f"{form_id}-{field}"] = ctx.t("programme_analysis.override.refused", message=problem.message)
    if errors:
        return await _attainment(request, principal, programme_id, None, errors=errors, posted=posted, status_code=400)
    return redirect(_with_notice(location, SAVED) + f"#{row}")


def _with_notice(location: str, notice: str) -> str:
    return location + ("&" if "?" in location else "?") + f"melding={notice}"


def _assessment(analysis: ProgrammeAnalysis, row: str) -> AssessedAttainment | None:
    assert analysis.attainment is not None
    for assessed in analysis.attainment.assessments():
        if row_id(assessed.result.key) == row:
            return assessed
    return None


def _year_choices(ctx: PageContext) -> list[int]:
    return list(reversed(data_years(ctx.data)))


# Members against non-members by size group


@router.get(COMPARISON_PATH, name="programme.comparison")
async def comparison_page(request: Request, principal: Reader, programme_id: str) -> Response:
    return await _comparison(request, principal, programme_id, None)


@router.get(COMPARISON_PATH + ".{fmt}", name="programme.comparison_download")
async def comparison_download(request: Request, principal: Reader, programme_id: str, fmt: str) -> Response:
    return await _comparison(request, principal, programme_id, fmt)


async def _comparison(request: Request, principal: Principal, programme_id: str, fmt: str | None) -> Response:
    ctx = analysis_page_context(request)
    programme = await run_in_threadpool(programme_for, request, programme_id)  # reads imported members
    years = read_years(ctx, programme)
    if fmt is not None and fmt not in DOWNLOAD_FORMATS:
        raise UnknownPageError("format", fmt)
    analysis = await run_in_threadpool(group_analysis, request, programme, years, AnalysisPart.COMPARISON)
    assert analysis.comparison is not None
    span = f"{years.start}-{years.end}"
    title = ctx.t("programme_analysis.comparison.title")
    download = make_download(
        ctx,
        programme,
        "sammenligning",
        title,
        tables.COMPARISON_COLUMNS,
        tables.comparison_rows(analysis.comparison),
        span,
    )
    if fmt is not None:
        return download_response(download, fmt)
    return render(
        request,
        principal,
        ctx,
        "comparison.html",
        title,
        programme,
        download=download,
        here=title,
        analysis=analysis,
        years=years,
        sections=comparison_sections(ctx, analysis.comparison),
        provenance=provenance(ctx),
        year_choices=_year_choices(ctx),
    )


# The members' share of the national total


@router.get(SHARES_PATH, name="programme.shares")
async def shares_page(request: Request, principal: Reader, programme_id: str) -> Response:
    return await _shares(request, principal, programme_id, None)


@router.get(SHARES_PATH + ".{fmt}", name="programme.shares_download")
async def shares_download(request: Request, principal: Reader, programme_id: str, fmt: str) -> Response:
    return await _shares(request, principal, programme_id, fmt)


async def _shares(request: Request, principal: Principal, programme_id: str, fmt: str | None) -> Response:
    ctx = analysis_page_context(request)
    programme = await run_in_threadpool(programme_for, request, programme_id)  # reads imported members
    years = read_years(ctx, programme)
    if fmt is not None and fmt not in DOWNLOAD_FORMATS:
        raise UnknownPageError("format", fmt)
    analysis = await run_in_threadpool(group_analysis, request, programme, years, AnalysisPart.SHARES)
    assert analysis.shares is not None
    span = f"{years.start}-{years.end}"
    title = ctx.t("programme_analysis.shares.title")
    download = make_download(
        ctx, programme, "andel-av-landet", title, tables.SHARE_COLUMNS, tables.share_rows(analysis.shares), span
    )
    if fmt is not None:
        return download_response(download, fmt)
    return render(
        request,
        principal,
        ctx,
        "shares.html",
        title,
        programme,
        download=download,
        here=title,
        analysis=analysis,
        years=years,
        sections=share_sections(ctx, analysis.shares),
        provenance=provenance(ctx),
        year_choices=_year_choices(ctx),
    )


# The trend-break test at the programme's start


@router.get(BREAKS_PATH, name="programme.breaks")
async def breaks_page(request: Request, principal: Reader, programme_id: str) -> Response:
    return await _breaks(request, principal, programme_id, None)


@router.get(BREAKS_PATH + ".{fmt}", name="programme.breaks_download")
async def breaks_download(request: Request, principal: Reader, programme_id: str, fmt: str) -> Response:
    return await _breaks(request, principal, programme_id, fmt)


async def _breaks(request: Request, principal: Principal, programme_id: str, fmt: str | None) -> Response:
    ctx = analysis_page_context(request)
    programme = await run_in_threadpool(programme_for, request, programme_id)  # reads imported members
    years = read_years(ctx, programme)
    if fmt is not None and fmt not in DOWNLOAD_FORMATS:
        raise UnknownPageError("format", fmt)
    analysis = await run_in_threadpool(group_analysis, request, programme, _break_years(years), AnalysisPart.BREAKS)
    assert analysis.breaks is not None
    title = ctx.t("programme_analysis.breaks.title")
    download = make_download(
        ctx,
        programme,
        "trendbrudd",
        title,
        tables.BREAK_COLUMNS,
        tables.break_rows(analysis.breaks),
        str(analysis.breaks.break_year),
    )
    if fmt is not None:
        return download_response(download, fmt)
    return render(
        request,
        principal,
        ctx,
        "breaks.html",
        title,
        programme,
        download=download,
        here=title,
        analysis=analysis,
        sections=break_sections(ctx, analysis.breaks),
        provenance=provenance(ctx),
    )


def _break_years(years: Years) -> Years:
    """The break test does not depend on the chosen years (the window is every year with values): one cache entry."""
    return Years(years.year, years.year, years.year)


__all__ = ["YEAR", "programme_path", "router"]
