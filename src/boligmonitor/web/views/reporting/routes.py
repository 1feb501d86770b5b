"""The reporting pages (issue 14): the signed-in user's reports, a municipality's report form (save, submit;
works without JavaScript), the adviser's return with a comment, the comment thread, and the municipality's
feedback page. Every route carries ``require`` with the action of the permission table
(store/accounts/permissions.yaml), for the municipality in its path.

    app.include_router(boligmonitor.web.views.reporting.routes.router)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import JSONResponse, Response

from boligmonitor.catalog.reporting import Form, Programme
from boligmonitor.core.regions import normalise_region_code
from boligmonitor.store.accounts import Action
from boligmonitor.store.reporting import (
    AnswerError,
    ConflictError,
    Report,
    ReportingError,
    ReportingRound,
    ReportState,
    ReportStore,
    RoundState,
)
from boligmonitor.store.reporting.answers import officials_of
from boligmonitor.store.reporting.models import EDITABLE_STATES
from boligmonitor.store.reporting.validation import checked_answers
from boligmonitor.web.auth.access import AccessDeniedError, Principal, require
from boligmonitor.web.context import PageContext
from boligmonitor.web.monitor import UnknownPageError
from boligmonitor.web.pages import BadRequestError
from boligmonitor.web.views.reporting.feedback import feedback_context
from boligmonitor.web.views.reporting.fields import FieldValues, read_answers, values_from_answers, values_from_post
from boligmonitor.web.views.reporting.form_page import form_sections
from boligmonitor.web.views.reporting.pages import (
    NO_STORE,
    answer_problem_text,
    format_timestamp,
    municipality_name,
    page_context,
    programme_name,
    programme_of,
    redirect,
    render,
    report_store,
    reporting_problem_text,
)

router = APIRouter(include_in_schema=False)

MUNICIPALITY: Final = "municipality"
Reader = Annotated[Principal, Depends(require(Action.REPORT_READ))]
ReportReader = Annotated[Principal, Depends(require(Action.REPORT_READ, municipality=MUNICIPALITY))]
Editor = Annotated[Principal, Depends(require(Action.REPORT_EDIT, municipality=MUNICIPALITY))]
Submitter = Annotated[Principal, Depends(require(Action.REPORT_SUBMIT, municipality=MUNICIPALITY))]
Returner = Annotated[Principal, Depends(require(Action.REPORT_RETURN, municipality=MUNICIPALITY))]
Commenter = Annotated[Principal, Depends(require(Action.REPORT_COMMENT, municipality=MUNICIPALITY))]

REPORTS_PATH: Final = "/rapportering"
# The notices a page shows after a change (?melding=…): the change is done, the page says so.
NOTICES: Final = {
    "lagret": "reporting.form.saved",
    "sendt": "reporting.form.submitted",
    "kommentert": "reporting.dialogue.added",
    "returnert": "reporting.return.done",
}
VERSION_FIELD: Final = "expected_version"


def report_path(round_id: int, municipality: str) -> str:
    return f"{REPORTS_PATH}/{round_id}/{municipality}"


# The list


@router.get(REPORTS_PATH, name="reporting.list")
async def reports_page(request: Request, principal: Reader) -> Response:
    store = report_store(request)
    ctx = page_context(request)
    rows, startable = await run_in_threadpool(_list_rows, store, principal, ctx)
    return render(
        request,
        principal,
        "list.html",
        ctx.t("reporting.list.title"),
        rows=rows,
        startable=startable,
        breadcrumbs=[(ctx.t("nav.home"), ctx.url("/")), (ctx.t("reporting.list.title"), None)],
    )


def _list_rows(
    store: ReportStore, principal: Principal, ctx: PageContext
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    own = principal.account.municipality_code if principal.account is not None else None
    candidates = {summary.municipality_code for summary in store.every_report()} | ({own} if own else set())
    visible = principal.municipalities(Action.REPORT_READ, frozenset(candidates))
    rounds = {reporting.id: reporting for reporting in store.rounds()}
    summaries = store.reports(visible)
    language = ctx.language
    rows = [
        {
            "programme": programme_name(summary.programme_id, language),
            "year": summary.year,
            "municipality": municipality_name(ctx, summary.municipality_code),
            "state": ctx.t(f"reporting.state.{summary.state.value}"),
            "deadline": format_timestamp(rounds[summary.round_id].closes_at, language),
            "saved": ctx.t(
                "reporting.saved_by", when=format_timestamp(summary.updated_at, language), who=summary.updated_by
            ),
            "link": ctx.url(report_path(summary.round_id, summary.municipality_code)),
        }
        for summary in summaries
    ]
    startable: list[dict[str, object]] = []
    editable = principal.municipalities(Action.REPORT_EDIT, frozenset({own} if own else set()))
    started = {(summary.round_id, summary.municipality_code) for summary in summaries}
    for reporting in rounds.values():
        if reporting.state is not RoundState.OPEN:
            continue
        for code in sorted(editable):
            if (reporting.id, code) not in started:
                startable.append(
                    {
                        "programme": programme_name(reporting.programme_id, language),
                        "year": reporting.year,
                        "municipality": municipality_name(ctx, code),
                        "deadline": format_timestamp(reporting.closes_at, language),
                        "action": ctx.url(report_path(reporting.id, code) + "/apne"),
                    }
                )
    return rows, startable


@router.post(REPORTS_PATH + "/{round_id}/{municipality}/apne", name="reporting.open_draft")
async def open_draft(request: Request, principal: Editor, round_id: int, municipality: str) -> Response:
    """Start the municipality's report (a draft with the prefilled statistics read now), then show it."""
    store = report_store(request)
    ctx = page_context(request)
    code = _code(municipality)
    _round(store, round_id)
    try:
        await run_in_threadpool(store.open_draft, round_id, code, actor=principal.actor())
    except ReportingError as problem:
        return await form_response(request, principal, round_id, code, form_error=_problem(problem, ctx))
    return redirect(ctx.url(report_path(round_id, code)))


# The form


@router.get(REPORTS_PATH + "/{round_id}/{municipality}", name="reporting.form")
async def report_page(request: Request, principal: ReportReader, round_id: int, municipality: str) -> Response:
    ctx = page_context(request)
    notice_key = NOTICES.get(request.query_params.get("melding", ""))
    return await form_response(
        request, principal, round_id, _code(municipality), notice=ctx.t(notice_key) if notice_key else None
    )


@router.post(REPORTS_PATH + "/{round_id}/{municipality}", name="reporting.save")
async def save_report(request: Request, principal: Editor, round_id: int, municipality: str) -> Response:
    """Save the whole form as a draft: every answer checked first, all or nothing."""
    return await _save(request, principal, round_id, _code(municipality), submit=False)


@router.post(REPORTS_PATH + "/{round_id}/{municipality}/send", name="reporting.submit")
async def submit_report(request: Request, principal: Submitter, round_id: int, municipality: str) -> Response:
    """Save the form as typed, then submit it (every required question answered)."""
    code = _code(municipality)
    if not principal.may(Action.REPORT_EDIT, code):  # submitting saves what she typed first
        raise AccessDeniedError(Action.REPORT_EDIT, code)
    return await _save(request, principal, round_id, code, submit=True)


async def _save(request: Request, principal: Principal, round_id: int, code: str, *, submit: bool) -> Response:
    store = report_store(request)
    ctx = page_context(request)
    reporting = _round(store, round_id)
    report = await run_in_threadpool(store.report_for, round_id, code)
    if report is None:
        raise UnknownPageError("reporting_round", f"{round_id}/{code}")
    posted = await request.form()
    expected = _expected_version(posted)
    try:
        form = store.form(reporting)
    except ReportingError as problem:
        return await form_response(request, principal, round_id, code, form_error=_problem(problem, ctx))
    values = values_from_post(form, _multi(posted))
    read = read_answers(form, values)
    errors = {
        qid: ctx.t(f"reporting.problem.{reason}", question=_label(form, qid, ctx))
        for qid, reason in read.unreadable.items()
    }
    if errors:  # nothing is saved; the other answers are checked too, so every problem shows at once
        _, others = checked_answers(
            form, read.answers, officials=officials_of(report.answers), catalog=store.catalog, today=store.now().date()
        )
        for other in others:
            errors.setdefault(other.question_id, answer_problem_text(other, form, store.catalog, ctx.t))
        return await form_response(
            request,
            principal,
            round_id,
            code,
            values=values,
            errors=_in_form_order(form, errors),
            expected_version=expected,
            status_code=400,
        )
    actor = principal.actor()
    try:
        saved = await run_in_threadpool(store.save_answers, report.id, expected, read.answers, actor=actor)
    except ConflictError as conflict:
        message = ctx.t(
            "reporting.form.conflict",
            who=conflict.saved_by,
            when=format_timestamp(conflict.saved_at, ctx.language),
        )
        return await form_response(
            request,
            principal,
            round_id,
            code,
            values=values,
            conflict=message,
            expected_version=conflict.current_version,
            status_code=409,
        )
    except AnswerError as refused:
        return await form_response(
            request,
            principal,
            round_id,
            code,
            values=values,
            errors=_answer_errors(refused, form, store, ctx),
            expected_version=expected,
            status_code=400,
        )
    except ReportingError as problem:
        return await form_response(
            request,
            principal,
            round_id,
            code,
            values=values,
            form_error=_problem(problem, ctx),
            expected_version=expected,
            status_code=409,
        )
    if not submit:
        return redirect(ctx.url(report_path(round_id, code), melding="lagret"))
    try:
        await run_in_threadpool(store.submit, saved.id, saved.version, actor=actor)
    except AnswerError as refused:
        return await form_response(
            request,
            principal,
            round_id,
            code,
            values=values,
            errors=_answer_errors(refused, form, store, ctx),
            submit_failed=True,
            status_code=400,
        )
    except ReportingError as problem:
        return await form_response(
            request, principal, round_id, code, values=values, form_error=_problem(problem, ctx), status_code=409
        )
    return redirect(ctx.url(report_path(round_id, code), melding="sendt"))


@router.post(REPORTS_PATH + "/{round_id}/{municipality}/autolagre", name="reporting.autosave")
async def autosave_report(request: Request, principal: Editor, round_id: int, municipality: str) -> Response:
    """What web/static/reporting.js posts every few seconds while she types: the form as it is, saved all or
    nothing like the ordinary save, answered in JSON (the new version; the problems by question; a conflict
    naming who saved and when). Without JavaScript the ordinary save does the same."""
    store = report_store(request)
    ctx = page_context(request)
    code = _code(municipality)
    reporting = _round(store, round_id)
    report = await run_in_threadpool(store.report_for, round_id, code)
    if report is None:
        raise UnknownPageError("reporting_round", f"{round_id}/{code}")
    posted = await request.form()
    expected = _expected_version(posted)
    try:
        form = store.form(reporting)
    except ReportingError as problem:
        return JSONResponse({"problem": _problem(problem, ctx)}, status_code=409, headers={"Cache-Control": NO_STORE})
    try:
        values = values_from_post(form, _multi(posted))
        read = read_answers(form, values)
        if read.unreadable:
            errors = {
                qid: ctx.t(f"reporting.problem.{reason}", question=_label(form, qid, ctx))
                for qid, reason in read.unreadable.items()
            }
            return JSONResponse({"errors": errors}, status_code=400, headers={"Cache-Control": NO_STORE})
        saved = await run_in_threadpool(store.autosave, report.id, expected, read.answers, actor=principal.actor())
    except ConflictError as conflict:
        message = ctx.t(
            "reporting.form.conflict", who=conflict.saved_by, when=format_timestamp(conflict.saved_at, ctx.language)
        )
        return JSONResponse({"conflict": message}, status_code=409, headers={"Cache-Control": NO_STORE})
    except AnswerError as refused:
        errors = _answer_errors(refused, form, store, ctx)
        return JSONResponse({"errors": errors}, status_code=400, headers={"Cache-Control": NO_STORE})
    except ReportingError as problem:
        return JSONResponse({"problem": _problem(problem, ctx)}, status_code=409, headers={"Cache-Control": NO_STORE})
    when = format_timestamp(saved.summary.updated_at, ctx.language)
    return JSONResponse(
        {"version": saved.version, "message": ctx.t("reporting.autosave.saved", when=when)},
        headers={"Cache-Control": NO_STORE},
    )


# Return and comments


@router.post(REPORTS_PATH + "/{round_id}/{municipality}/returner", name="reporting.return")
async def return_report(request: Request, principal: Returner, round_id: int, municipality: str) -> Response:
    """The adviser sends a submitted report back to the municipality with a comment."""
    store = report_store(request)
    ctx = page_context(request)
    code = _code(municipality)
    report = _existing_report(store, round_id, code)
    posted = await request.form()
    comment = str(posted.get("kommentar", ""))
    try:
        await run_in_threadpool(
            store.return_report, report.id, comment, actor=principal.actor(), expected_version=_expected_version(posted)
        )
    except ReportingError as problem:
        return await form_response(
            request,
            principal,
            round_id,
            code,
            return_error=_problem(problem, ctx),
            return_text=comment,
            status_code=409 if isinstance(problem, ConflictError) or problem.code.startswith("report_") else 400,
        )
    return redirect(ctx.url(report_path(round_id, code), melding="returnert"))


@router.post(REPORTS_PATH + "/{round_id}/{municipality}/kommentar", name="reporting.comment")
async def add_comment(request: Request, principal: Commenter, round_id: int, municipality: str) -> Response:
    """A comment in the report's thread, about one goal or the whole report."""
    store = report_store(request)
    ctx = page_context(request)
    code = _code(municipality)
    report = _existing_report(store, round_id, code)
    posted = await request.form()
    text = str(posted.get("tekst", ""))
    goal = str(posted.get("mal", "")) or None
    try:
        await run_in_threadpool(store.comment, report.id, text, actor=principal.actor(), goal_id=goal)
    except ReportingError as problem:
        return await form_response(
            request,
            principal,
            round_id,
            code,
            comment_error=_problem(problem, ctx),
            comment_text=text,
            status_code=400,
        )
    return redirect(ctx.url(report_path(round_id, code), melding="kommentert") + "#dialog")


# The feedback page


@router.get(REPORTS_PATH + "/{round_id}/{municipality}/tilbakemelding", name="reporting.feedback")
async def feedback_page(request: Request, principal: ReportReader, round_id: int, municipality: str) -> Response:
    """The municipality's answers over the years, the adviser's comments, and its indicators in the monitor."""
    store = report_store(request)
    ctx = page_context(request)
    code = _code(municipality)
    reporting = _round(store, round_id)
    context = await run_in_threadpool(feedback_context, store, reporting, code, ctx)
    name = municipality_name(ctx, code)
    title = ctx.t("reporting.feedback.title", municipality=name)
    return render(
        request,
        principal,
        "feedback.html",
        title,
        breadcrumbs=[
            (ctx.t("reporting.list.title"), ctx.url(REPORTS_PATH)),
            (
                programme_name(reporting.programme_id, ctx.language) + f" {reporting.year}",
                ctx.url(report_path(round_id, code)),
            ),
            (title, None),
        ],
        municipality=name,
        **context,
    )


# Inside


async def form_response(
    request: Request,
    principal: Principal,
    round_id: int,
    code: str,
    *,
    values: FieldValues | None = None,
    errors: Mapping[str, str] | None = None,
    expected_version: int | None = None,
    conflict: str | None = None,
    form_error: str | None = None,
    notice: str | None = None,
    submit_failed: bool = False,
    return_error: str | None = None,
    return_text: str = "",
    comment_error: str | None = None,
    comment_text: str = "",
    status_code: int = 200,
) -> Response:
    store = report_store(request)
    ctx = page_context(request)
    reporting = _round(store, round_id)
    report = await run_in_threadpool(store.report_for, round_id, code)
    programme = programme_of(reporting.programme_id)
    name = municipality_name(ctx, code)
    title = ctx.t(
        "reporting.form.title",
        programme=programme_name(reporting.programme_id, ctx.language),
        year=reporting.year,
        municipality=name,
    )
    context: dict[str, object] = {
        "round": reporting,
        "report": report,
        "municipality": name,
        "deadline": format_timestamp(reporting.closes_at, ctx.language),
        "notice": notice,
        "form_error": form_error,
        "conflict": conflict,
        "errors": dict(errors or {}),
        "submit_failed": submit_failed,
        "return_error": return_error,
        "return_text": return_text,
        "comment_error": comment_error,
        "comment_text": comment_text,
        "version_field": VERSION_FIELD,
        "sections": [],
        "may_start": principal.may(Action.REPORT_EDIT, code) and reporting.state is RoundState.OPEN,
        "start_action": ctx.url(report_path(round_id, code) + "/apne"),
    }
    form: Form | None = None
    if report is not None and form_error is None:
        try:
            form = store.form(reporting)
        except ReportingError as problem:
            context["form_error"] = _problem(problem, ctx)
    if report is not None:
        editable = (
            form is not None
            and report.state in EDITABLE_STATES
            and reporting.state is RoundState.OPEN
            and principal.may(Action.REPORT_EDIT, code)
        )
        shown = values if values is not None else (values_from_answers(form, report.answers) if form else {})
        path = report_path(round_id, code)
        context.update(
            editable=editable,
            may_submit=editable and principal.may(Action.REPORT_SUBMIT, code),
            may_return=report.state is ReportState.SUBMITTED and principal.may(Action.REPORT_RETURN, code),
            may_comment=principal.may(Action.REPORT_COMMENT, code),
            expected_version=report.version if expected_version is None else expected_version,
            state=ctx.t(f"reporting.state.{report.state.value}"),
            synthetic=form is not None and form.synthetic,
            sections=form_sections(form, programme, report.answers, shown, errors or {}, ctx, store.catalog)
            if form is not None
            else [],
            comments=await run_in_threadpool(store.comments, report.id),
            goal_options=_goal_options(form, programme, ctx) if form is not None else [],
            goal_names=dict(_goal_options(form, programme, ctx)) if form is not None else {},
            save_action=ctx.url(path),
            submit_action=ctx.url(path + "/send"),
            return_action=ctx.url(path + "/returner"),
            comment_action=ctx.url(path + "/kommentar"),
            reload_link=ctx.url(path),
            feedback_link=ctx.url(path + "/tilbakemelding"),
            autosave_action=ctx.url(path + "/autolagre"),
        )
    return render(
        request,
        principal,
        "form.html",
        title,
        status_code=status_code,
        breadcrumbs=[(ctx.t("reporting.list.title"), ctx.url(REPORTS_PATH)), (title, None)],
        **context,
    )


def _goal_options(form: Form, programme: Programme | None, ctx: PageContext) -> list[tuple[str, str]]:
    options: list[tuple[str, str]] = []
    for section in form.sections:
        for goal_id in section.goals:
            goal = (
                next((goal for goal in programme.goals if goal.id == goal_id), None) if programme is not None else None
            )
            label = (
                ctx.t("reporting.form.goal_section", number=goal.number, name=goal.name.get(ctx.language))
                if goal is not None
                else goal_id
            )
            options.append((goal_id, label))
    return options


def _code(municipality: str) -> str:
    """The path's municipality as ``require`` read it (normalised, known to be a municipality's code)."""
    return normalise_region_code(municipality)


def _round(store: ReportStore, round_id: int) -> ReportingRound:
    try:
        return store.round(round_id)
    except ReportingError:
        raise UnknownPageError("reporting_round", str(round_id)) from None


def _existing_report(store: ReportStore, round_id: int, code: str) -> Report:
    _round(store, round_id)
    report = store.report_for(round_id, code)
    if report is None:
        raise UnknownPageError("reporting_round", f"{round_id}/{code}")
    return report


def _expected_version(posted: FormData) -> int:
    raw = posted.get(VERSION_FIELD)
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise BadRequestError(VERSION_FIELD, str(raw or ""), "the report's version, a whole number")
    return int(raw)


def _multi(posted: FormData) -> dict[str, list[str]]:
    return {key: [value for value in posted.getlist(key) if isinstance(value, str)] for key in posted}


def _label(form: Form, question_id: str, ctx: PageContext) -> str:
    return form.question(question_id).text.get(ctx.language)


def _answer_errors(refused: AnswerError, form: Form, store: ReportStore, ctx: PageContext) -> dict[str, str]:
    errors: dict[str, str] = {}
    for question_id, problems in refused.by_question().items():
        errors[question_id] = " ".join(answer_problem_text(problem, form, store.catalog, ctx.t) for problem in problems)
    return _in_form_order(form, errors)


def _in_form_order(form: Form, errors: Mapping[str, str]) -> dict[str, str]:
    order = [entry.question.id for entry in form.entries()]
    known = {qid: errors[qid] for qid in order if qid in errors}
    return {**known, **{qid: message for qid, message in errors.items() if qid not in known}}


def _problem(problem: ReportingError, ctx: PageContext) -> str:
    return reporting_problem_text(problem, ctx.t)


__all__ = ["REPORTS_PATH", "form_response", "report_path", "router"]
