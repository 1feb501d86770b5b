"""A programme's members (issue 14 §2): /program/{id}/medlemmer shows the list in effect (the imported one, else the
package's) and takes a CSV or XLSX file that replaces it in one transaction, as ``boligmonitor reporting members
import`` does: every problem listed with file, line and field, nothing written on any problem, the import audited.
The list downloads as CSV and XLSX in the columns the upload reads. Every route carries one ``require``:
``analysis.edit`` (the Husbanken analysts, who keep the programme's data; the permission table gives no action
to administrators and analysts both).

    app.include_router(boligmonitor.web.views.programme_members.routes.router)
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from boligmonitor.catalog.reporting import Programme, load_programme, programme_ids
from boligmonitor.core.errors import InputError
from boligmonitor.store.accounts import Action
from boligmonitor.store.reporting.members import programme_in_effect
from boligmonitor.web.auth.access import CSRF_FIELD, Principal, require
from boligmonitor.web.context import PageContext
from boligmonitor.web.monitor import UnknownPageError
from boligmonitor.web.pages import Page
from boligmonitor.web.rendering import render_html
from boligmonitor.web.views.programme_members.pages import (
    MAX_REQUEST_BYTES,
    MAX_UPLOAD_BYTES,
    ShownProblem,
    UploadRefusedError,
    member_rows,
    members_csv,
    members_xlsx,
    read_upload,
    shown_problems,
    upload_name,
)
from boligmonitor.web.views.reporting.pages import NO_STORE, format_timestamp, page_context, redirect, report_store

router = APIRouter(include_in_schema=False)

Keeper = Annotated[Principal, Depends(require(Action.ANALYSIS_EDIT))]

MEMBERS_PATH: Final = "/program/{programme_id}/medlemmer"
FILE_FIELD: Final = "fil"
IMPORTED: Final = "importert"
CSV_MEDIA_TYPE: Final = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def members_path(programme_id: str, suffix: str = "") -> str:
    return f"/program/{programme_id}/medlemmer{suffix}"


async def bounded_request(request: Request) -> None:
    """Refuse an upload larger than the page takes before its body is read (the CSRF check reads the form): a
    413 page in the page's language, or 411 when the browser does not say the size."""
    t = page_context(request).t
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise StarletteHTTPException(411, detail=t("programme_members.error.length_required"))
    if int(length) > MAX_REQUEST_BYTES:
        megabytes = MAX_UPLOAD_BYTES // (1024 * 1024)
        raise StarletteHTTPException(413, detail=t("programme_members.error.too_large", megabytes=megabytes))


@router.get(MEMBERS_PATH, name="programme_members.page")
async def members_page(request: Request, principal: Keeper, programme_id: str) -> Response:
    ctx = page_context(request)
    programme = _programme(programme_id)
    notice = None
    if request.query_params.get("melding") == IMPORTED:
        notice = ctx.t("programme_members.notice.imported")
    return await _page(request, principal, ctx, programme, notice=notice)


@router.post(MEMBERS_PATH, name="programme_members.upload", dependencies=[Depends(bounded_request)])
async def upload_members(request: Request, principal: Keeper, programme_id: str) -> Response:
    """Replace the programme's members with those in the uploaded file: all or nothing."""
    ctx = page_context(request)
    programme = _programme(programme_id)
    posted = await request.form()
    upload = posted.get(FILE_FIELD)
    name = upload_name(upload.filename) if isinstance(upload, UploadFile) else ""
    try:
        data = await upload.read(MAX_UPLOAD_BYTES + 1) if isinstance(upload, UploadFile) else b""
        rows = await run_in_threadpool(read_upload, name, data, programme)
        members = [member for _, member in rows]
        lines = [line for line, _ in rows]
        await run_in_threadpool(
            report_store(request).replace_members,
            programme.id,
            members,
            source=name,
            actor=principal.actor(),
            lines=lines,
        )
    except UploadRefusedError as refused:
        message = ctx.t(refused.key, **refused.values)
        return await _page(request, principal, ctx, programme, field_error=message, status_code=400)
    except InputError as error:
        problems = shown_problems(error, ctx.t)
        message = ctx.t("programme_members.error.problems", file=name, count=len(problems))
        return await _page(request, principal, ctx, programme, field_error=message, problems=problems, status_code=400)
    return redirect(ctx.url(members_path(programme.id), melding=IMPORTED))


@router.get(MEMBERS_PATH + ".csv", name="programme_members.csv")
async def members_csv_download(request: Request, principal: Keeper, programme_id: str) -> Response:
    programme = await run_in_threadpool(_in_effect, request, _programme(programme_id))
    body = members_csv(programme.members)
    return _download(body, CSV_MEDIA_TYPE, f"{programme.id}-medlemmer.csv")


@router.get(MEMBERS_PATH + ".xlsx", name="programme_members.xlsx")
async def members_xlsx_download(request: Request, principal: Keeper, programme_id: str) -> Response:
    programme = await run_in_threadpool(_in_effect, request, _programme(programme_id))
    body = await run_in_threadpool(members_xlsx, programme.members)
    return _download(body, XLSX_MEDIA_TYPE, f"{programme.id}-medlemmer.xlsx")


def _programme(programme_id: str) -> Programme:
    if programme_id not in programme_ids():
        raise UnknownPageError("member_programme", programme_id)
    return load_programme(programme_id)


def _in_effect(request: Request, programme: Programme) -> Programme:
    return programme_in_effect(programme, report_store(request))


def _download(body: bytes, media_type: str, filename: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": NO_STORE}
    return Response(body, media_type=media_type, headers=headers)


async def _page(
    request: Request,
    principal: Principal,
    ctx: PageContext,
    programme: Programme,
    *,
    notice: str | None = None,
    field_error: str | None = None,
    problems: list[ShownProblem] | None = None,
    status_code: int = 200,
) -> Response:
    store = report_store(request)
    imported = await run_in_threadpool(store.imported_members, programme.id)
    members = programme.members if imported is None else tuple(found.member for found in imported)
    if imported is None:
        origin = ctx.t("programme_members.origin.package")
    else:
        first = imported[0]
        when = format_timestamp(first.imported_at, ctx.language)
        origin = ctx.t("programme_members.origin.imported", file=first.source, who=first.imported_by, when=when)
    name = programme.name.get(ctx.language)
    title = ctx.t("programme_members.title")
    context: dict[str, Any] = {
        "principal": principal,
        "csrf_field": CSRF_FIELD,
        "csrf_token": principal.csrf_token,
        "programme_name": name,
        "rows": member_rows(members, programme, ctx),
        "origin": origin,
        "notice": notice,
        "field_error": field_error,
        "problems": problems or [],
        "file_field": FILE_FIELD,
        "action": ctx.url(members_path(programme.id)),
        "csv_link": ctx.url(members_path(programme.id, ".csv")),
        "xlsx_link": ctx.url(members_path(programme.id, ".xlsx")),
        "max_megabytes": MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    crumbs: list[tuple[str, str | None]] = [
        (ctx.t("nav.home"), ctx.url("/")),
        (name, ctx.url(f"/program/{programme.id}")),
        (title, None),
    ]
    page = Page("programme_members/members.html", title, context, status_code=status_code, breadcrumbs=crumbs)
    response = render_html(page, ctx)
    response.headers["Cache-Control"] = NO_STORE
    return response


__all__ = ["FILE_FIELD", "MEMBERS_PATH", "bounded_request", "members_path", "router"]
