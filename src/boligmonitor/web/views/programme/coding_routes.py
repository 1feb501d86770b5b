"""The open answers of a programme for Husbanken's analysts (issue 14, part 6), under /program/{id}/apne-svar:
the answers per question with filters and full-text search, an answer's page where passages are coded and
personal data redacted (plain forms: a passage is chosen from the answer's sentences or by quoting it; no
JavaScript needed), the codebook, the counts by code, size group and year with example quotes, and the exports
(REFI-QDA codebook and project, XLSX). Every route carries one ``require``: ``analysis.read`` to read (a regional
adviser sees her region's municipalities' answers only), ``analysis.edit`` to change; the answer routes name
their municipality, so the check covers it.

    app.include_router(boligmonitor.web.views.programme.coding_routes.router)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from boligmonitor.analysis.reporting.coding_xlsx import coding_workbook
from boligmonitor.analysis.reporting.open_answers import (
    NO_SIZE_GROUP,
    code_counts,
    coded_passages,
    example_quotes,
    size_group_of,
)
from boligmonitor.analysis.reporting.refi_qda import codebook_qdc, project_qdpx
from boligmonitor.catalog.reporting import Programme
from boligmonitor.core.regions import RegionLevel, normalise_region_code, region_level
from boligmonitor.store.accounts import Action
from boligmonitor.store.reporting import ReportingError
from boligmonitor.store.reporting.coding import CodingStore, OpenAnswer, Span, locate, sentences
from boligmonitor.web.auth.access import Principal, require
from boligmonitor.web.context import PageContext
from boligmonitor.web.i18n import messages
from boligmonitor.web.monitor import UnknownPageError
from boligmonitor.web.pages import BadRequestError
from boligmonitor.web.views.programme.coding_pages import (
    BASE,
    NO_STORE,
    REDACTED,
    ProgrammeForms,
    answer_path,
    base_path,
    coding_store,
    export_labels,
    municipality_name,
    page_context,
    programme_forms,
    programme_or_404,
    readable_answers,
    render,
    report_store,
    size_groups,
)
from boligmonitor.web.views.programme.coding_views import (
    answer_markup,
    code_groups,
    code_names,
    excerpt,
    marked_snippet,
    passage_text,
    sentence_choices,
)
from boligmonitor.web.views.reporting.pages import redirect

router = APIRouter(include_in_schema=False)

MUNICIPALITY: Final = "municipality"
Reader = Annotated[Principal, Depends(require(Action.ANALYSIS_READ))]
Editor = Annotated[Principal, Depends(require(Action.ANALYSIS_EDIT))]
AnswerReader = Annotated[Principal, Depends(require(Action.ANALYSIS_READ, municipality=MUNICIPALITY))]
AnswerEditor = Annotated[Principal, Depends(require(Action.ANALYSIS_EDIT, municipality=MUNICIPALITY))]

ANSWER: Final = BASE + "/{year}/{municipality}/{question_id}"
CODEBOOK: Final = BASE + "/kodebok"
COUNTS: Final = BASE + "/tellinger"
EXPORT: Final = BASE + "/eksport"
NOTICES: Final = {
    "kodet": "coding.notice.coded",
    "endret": "coding.notice.changed",
    "fjernet": "coding.notice.removed",
    "sladdet": "coding.notice.redacted",
    "kode-lagt-til": "coding.notice.code_added",
    "kode-endret": "coding.notice.code_changed",
    "kode-fjernet": "coding.notice.code_removed",
}
# The form fields (Norwegian, like the site's URLs).
SPAN_KIND: Final = "utdrag"  # hele | setninger | sitat
FIRST: Final = "fra"
LAST: Final = "til"
QUOTE: Final = "sitat"
CODES: Final = "koder"
EXAMPLE: Final = "eksempel"
NOTE: Final = "notat"
REASON: Final = "begrunnelse"
VERSION: Final = "versjon"
ACTION: Final = "handling"
REMOVE: Final = "fjern"
NAME: Final = "navn"
DESCRIPTION: Final = "beskrivelse"
GOAL: Final = "maal"
PARENT: Final = "forelder"
MAX_SEARCH: Final = 200
# Where a store problem is shown: the form field it is about.
_FIELD_OF: Final = {"span": SPAN_KIND, "codes": CODES, "note": NOTE, "reason": REASON, "name": NAME}


# The list of answers, with filters and search


@router.get(BASE, name="coding.list")
async def answers_page(request: Request, principal: Reader, programme_id: str) -> Response:
    programme = programme_or_404(programme_id)
    ctx = page_context(request)
    query = request.query_params
    year = _int(query.get("ar"), "ar")
    question = query.get("sporsmal") or None
    code_id = _int(query.get("kode"), "kode")
    group = query.get("storrelse") or None
    text = (query.get("q") or "").strip()[:MAX_SEARCH]
    store = coding_store(request)
    forms = await run_in_threadpool(programme_forms, report_store(request), programme.id)
    everything = await run_in_threadpool(readable_answers, store, principal, programme.id)
    marker = ctx.t(REDACTED)
    codes = await run_in_threadpool(store.codes, programme.id)
    by_code = {code.id: code for code in codes}
    passages = await run_in_threadpool(store.passages, programme.id)
    groups = size_groups(request, {answer.year for answer in everything})
    coded: dict[tuple[int, str], set[int]] = {}
    for passage in passages:
        coded.setdefault((passage.report_version_id, passage.question_id), set()).update(passage.code_ids)
    shown = [
        answer
        for answer in everything
        if (year is None or answer.year == year)
        and (question is None or answer.question_id == question)
        and (code_id is None or code_id in coded.get((answer.report_version_id, answer.question_id), set()))
        and (group is None or size_group_of(groups, answer.year, answer.municipality_code) == group)
    ]
    sections: list[dict[str, Any]] = []
    for qid in _question_order(forms, shown):
        rows = [
            {
                "year": answer.year,
                "municipality": municipality_name(ctx, answer.municipality_code),
                "size_group": ctx.t(f"coding.size.{size_group_of(groups, answer.year, answer.municipality_code)}"),
                "excerpt": excerpt(answer, marker),
                "codes": sorted(
                    by_code[c].name for c in coded.get((answer.report_version_id, qid), set()) if c in by_code
                ),
                "link": ctx.url(answer_path(programme.id, answer.year, answer.municipality_code, qid)),
            }
            for answer in shown
            if answer.question_id == qid
        ]
        sections.append({"question_id": qid, "question": forms.question(qid, ctx.language), "rows": rows})
    hits: list[dict[str, Any]] | None = None
    if text:
        visible = {answer.municipality_code for answer in everything}
        found = await run_in_threadpool(
            lambda: store.search(programme.id, text, municipalities=visible, year=year, question_id=question)
        )
        hits = [
            {
                "year": hit.year,
                "municipality": municipality_name(ctx, hit.municipality_code),
                "question": forms.question(hit.question_id, ctx.language),
                "snippet": marked_snippet(hit, marker),
                "link": ctx.url(answer_path(programme.id, hit.year, hit.municipality_code, hit.question_id)),
            }
            for hit in found
        ]
    return render(
        request,
        principal,
        "coding_list.html",
        ctx.t("coding.list.title"),
        programme,
        sections=sections,
        hits=hits,
        query=text,
        filters={"ar": year, "sporsmal": question, "kode": code_id, "storrelse": group},
        years=sorted({answer.year for answer in everything}),
        questions=[(qid, forms.question(qid, ctx.language)) for qid in _question_order(forms, everything)],
        codes=codes,
        size_choices=["small", "medium", "large", NO_SIZE_GROUP],
        synthetic=forms.synthetic(everything),
        total=len(shown),
        exports=_export_links(ctx, programme.id),
    )


# One answer: coding and redaction


@router.get(ANSWER, name="coding.answer")
async def answer_page(
    request: Request, principal: AnswerReader, programme_id: str, year: int, municipality: str, question_id: str
) -> Response:
    ctx = page_context(request)
    notice = NOTICES.get(request.query_params.get("melding", ""))
    return await _answer_response(
        request,
        principal,
        programme_id,
        year,
        _code(municipality),
        question_id,
        notice=ctx.t(notice) if notice else None,
    )


@router.post(ANSWER + "/koding", name="coding.code_passage")
async def code_passage(
    request: Request, principal: AnswerEditor, programme_id: str, year: int, municipality: str, question_id: str
) -> Response:
    """Code a passage (sentences, a quote or the whole answer) with one or more codes."""
    code = _code(municipality)
    programme = programme_or_404(programme_id)
    store = coding_store(request)
    answer = await run_in_threadpool(store.latest_answer, programme.id, year, code, question_id)
    if answer is None:
        raise UnknownPageError("open_answer", f"{year}/{code}/{question_id}")
    posted = await request.form()
    ctx = page_context(request)
    errors: dict[str, str] = {}
    span = _span(posted, answer, ctx, errors)
    codes = _ints(posted.getlist(CODES))
    if not codes:
        errors[CODES] = ctx.t("coding.problem.codes_required")
    _check_version(posted, answer, ctx, errors)
    if not errors and span is not None:
        try:
            await run_in_threadpool(
                lambda: store.code_passage(
                    answer.report_version_id,
                    question_id,
                    span,
                    codes,
                    actor=principal.actor(),
                    example_quote=posted.get(EXAMPLE) == "1",
                    note=_text(posted, NOTE),
                )
            )
        except ReportingError as problem:
            errors[_FIELD_OF.get(problem.field, SPAN_KIND)] = _problem_text(problem, ctx)
    if errors:
        return await _answer_response(
            request, principal, programme.id, year, code, question_id, errors=errors, posted=posted, form="code"
        )
    return redirect(ctx.url(answer_path(programme.id, year, code, question_id), melding="kodet") + "#passasjer")


@router.post(ANSWER + "/koding/{passage_id}", name="coding.change_passage")
async def change_passage(
    request: Request,
    principal: AnswerEditor,
    programme_id: str,
    year: int,
    municipality: str,
    question_id: str,
    passage_id: int,
) -> Response:
    """Give a coded passage these codes, example mark and note; or remove it (``handling=fjern``)."""
    code = _code(municipality)
    programme = programme_or_404(programme_id)
    store = coding_store(request)
    answer = await run_in_threadpool(store.latest_answer, programme.id, year, code, question_id)
    if answer is None:
        raise UnknownPageError("open_answer", f"{year}/{code}/{question_id}")
    passages = await run_in_threadpool(
        lambda: store.passages(programme.id, report_version_ids=[answer.report_version_id])
    )
    if not any(passage.id == passage_id and passage.question_id == question_id for passage in passages):
        raise UnknownPageError("coded_passage", str(passage_id))
    posted = await request.form()
    ctx = page_context(request)
    errors: dict[str, str] = {}
    if posted.get(ACTION) == REMOVE:
        await run_in_threadpool(lambda: store.remove_passage(passage_id, actor=principal.actor()))
        return redirect(ctx.url(answer_path(programme.id, year, code, question_id), melding="fjernet") + "#passasjer")
    codes = _ints(posted.getlist(CODES))
    if not codes:
        errors[f"{CODES}-{passage_id}"] = ctx.t("coding.problem.codes_required")
    if not errors:
        try:
            await run_in_threadpool(
                lambda: store.change_passage(
                    passage_id,
                    codes,
                    actor=principal.actor(),
                    example_quote=posted.get(EXAMPLE) == "1",
                    note=_text(posted, NOTE),
                )
            )
        except ReportingError as problem:
            errors[f"{_FIELD_OF.get(problem.field, CODES)}-{passage_id}"] = _problem_text(problem, ctx)
    if errors:
        return await _answer_response(request, principal, programme.id, year, code, question_id, errors=errors)
    return redirect(ctx.url(answer_path(programme.id, year, code, question_id), melding="endret") + "#passasjer")


@router.post(ANSWER + "/sladding", name="coding.redact")
async def redact(
    request: Request, principal: AnswerEditor, programme_id: str, year: int, municipality: str, question_id: str
) -> Response:
    """Redact a span of the answer for personal data, with the reason."""
    code = _code(municipality)
    programme = programme_or_404(programme_id)
    store = coding_store(request)
    answer = await run_in_threadpool(store.latest_answer, programme.id, year, code, question_id)
    if answer is None:
        raise UnknownPageError("open_answer", f"{year}/{code}/{question_id}")
    posted = await request.form()
    ctx = page_context(request)
    errors: dict[str, str] = {}
    span = _span(posted, answer, ctx, errors, prefix="s-")
    reason = _text(posted, REASON)
    if reason is None:
        errors[REASON] = ctx.t("coding.problem.reason_required")
    _check_version(posted, answer, ctx, errors, field="s-" + SPAN_KIND)
    if not errors and span is not None and reason is not None:
        try:
            await run_in_threadpool(
                lambda: store.redact(answer.report_version_id, question_id, span, reason, actor=principal.actor())
            )
        except ReportingError as problem:
            errors[REASON if problem.field == "reason" else "s-" + SPAN_KIND] = _problem_text(problem, ctx)
    if errors:
        return await _answer_response(
            request, principal, programme.id, year, code, question_id, errors=errors, posted=posted, form="redact"
        )
    return redirect(ctx.url(answer_path(programme.id, year, code, question_id), melding="sladdet"))


async def _answer_response(
    request: Request,
    principal: Principal,
    programme_id: str,
    year: int,
    code: str,
    question_id: str,
    *,
    notice: str | None = None,
    errors: Mapping[str, str] | None = None,
    posted: FormData | None = None,
    form: str | None = None,
) -> Response:
    programme = programme_or_404(programme_id)
    ctx = page_context(request)
    store = coding_store(request)
    answer = await run_in_threadpool(store.latest_answer, programme.id, year, code, question_id)
    if answer is None:
        raise UnknownPageError("open_answer", f"{year}/{code}/{question_id}")
    forms = await run_in_threadpool(programme_forms, report_store(request), programme.id)
    codes = await run_in_threadpool(store.codes, programme.id)
    by_code = {found.id: found for found in codes}
    passages = await run_in_threadpool(
        lambda: [
            passage
            for passage in store.passages(programme.id, report_version_ids=[answer.report_version_id])
            if passage.question_id == question_id
        ]
    )
    redactions = await run_in_threadpool(store.redactions, answer.report_id, question_id)
    marker = ctx.t(REDACTED)
    question = forms.question(question_id, ctx.language)
    title = ctx.t("coding.answer.title", year=year, municipality=municipality_name(ctx, code))
    return render(
        request,
        principal,
        "coding_answer.html",
        title,
        programme,
        status_code=400 if errors else 200,
        here=title,
        answer=answer,
        question=question,
        answer_html=answer_markup(answer, marker),
        marker=marker,
        sentences=sentence_choices(answer, marker),
        passages=[
            {
                "id": passage.id,
                "text": passage_text(answer, passage, marker),
                "codes": code_names(passage, by_code),
                "code_ids": set(passage.code_ids),
                "example": passage.example_quote,
                "note": passage.note or "",
                "by": passage.created_by,
                "action": ctx.url(answer_path(programme.id, year, code, question_id) + f"/koding/{passage.id}"),
            }
            for passage in passages
        ],
        redactions=[{"reason": found.reason, "by": found.redacted_by, "at": found.redacted_at} for found in redactions],
        groups=code_groups(codes, programme, ctx.language, ctx.t("coding.codebook.no_goal")),
        code_action=ctx.url(answer_path(programme.id, year, code, question_id) + "/koding"),
        redact_action=ctx.url(answer_path(programme.id, year, code, question_id) + "/sladding"),
        codebook_link=ctx.url(base_path(programme.id, "/kodebok")),
        notice=notice,
        errors=dict(errors or {}),
        posted=_posted_values(posted),
        form=form,
        synthetic=forms.synthetic([answer]),
        version_field=VERSION,
    )


# The codebook


@router.get(CODEBOOK, name="coding.codebook")
async def codebook_page(request: Request, principal: Reader, programme_id: str) -> Response:
    ctx = page_context(request)
    notice = NOTICES.get(request.query_params.get("melding", ""))
    return await _codebook_response(request, principal, programme_id, notice=ctx.t(notice) if notice else None)


@router.post(CODEBOOK, name="coding.add_code")
async def add_code(request: Request, principal: Editor, programme_id: str) -> Response:
    programme = programme_or_404(programme_id)
    posted = await request.form()
    ctx = page_context(request)
    store = coding_store(request)
    values, errors = _code_values(posted, programme, store, ctx, key="new")
    if not errors:
        try:
            await run_in_threadpool(lambda: store.add_code(programme.id, actor=principal.actor(), **values))
        except ReportingError as problem:
            errors[f"{_FIELD_OF.get(problem.field, NAME)}-new"] = _problem_text(problem, ctx)
    if errors:
        return await _codebook_response(request, principal, programme.id, errors=errors, posted=posted, key="new")
    return redirect(ctx.url(base_path(programme.id, "/kodebok"), melding="kode-lagt-til"))


@router.post(CODEBOOK + "/{code_id}", name="coding.change_code")
async def change_code(request: Request, principal: Editor, programme_id: str, code_id: int) -> Response:
    programme = programme_or_404(programme_id)
    store = coding_store(request)
    codes = await run_in_threadpool(store.codes, programme.id)
    if not any(found.id == code_id for found in codes):
        raise UnknownPageError("coding_code", str(code_id))
    posted = await request.form()
    ctx = page_context(request)
    if posted.get(ACTION) == REMOVE:
        await run_in_threadpool(lambda: store.remove_code(code_id, actor=principal.actor()))
        return redirect(ctx.url(base_path(programme.id, "/kodebok"), melding="kode-fjernet"))
    key = str(code_id)
    values, errors = _code_values(posted, programme, store, ctx, key=key)
    if not errors:
        try:
            await run_in_threadpool(lambda: store.change_code(code_id, actor=principal.actor(), **values))
        except ReportingError as problem:
            errors[f"{_FIELD_OF.get(problem.field, NAME)}-{key}"] = _problem_text(problem, ctx)
    if errors:
        return await _codebook_response(request, principal, programme.id, errors=errors, posted=posted, key=key)
    return redirect(ctx.url(base_path(programme.id, "/kodebok"), melding="kode-endret"))


def _code_values(
    posted: FormData, programme: Programme, store: CodingStore, ctx: PageContext, *, key: str
) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    name = _text(posted, NAME) or ""
    if not name:
        errors[f"{NAME}-{key}"] = ctx.t("coding.problem.code_name_required")
    goal = _text(posted, GOAL)
    if goal is not None and goal not in {found.id for found in programme.goals}:
        errors[f"{GOAL}-{key}"] = ctx.t("coding.problem.goal_unknown")
    parent_text = _text(posted, PARENT)
    parent = int(parent_text) if parent_text is not None and parent_text.isdigit() else None
    if parent_text is not None and parent is None:
        errors[f"{PARENT}-{key}"] = ctx.t("coding.problem.code_unknown")
    values = {"name": name, "description": _text(posted, DESCRIPTION), "goal_id": goal, "parent_id": parent}
    return values, errors


async def _codebook_response(
    request: Request,
    principal: Principal,
    programme_id: str,
    *,
    notice: str | None = None,
    errors: Mapping[str, str] | None = None,
    posted: FormData | None = None,
    key: str | None = None,
) -> Response:
    programme = programme_or_404(programme_id)
    ctx = page_context(request)
    store = coding_store(request)
    codes = await run_in_threadpool(store.codes, programme.id)
    passages = await run_in_threadpool(store.passages, programme.id)
    uses: dict[int, int] = {}
    for passage in passages:
        for code_id in passage.code_ids:
            uses[code_id] = uses.get(code_id, 0) + 1
    by_id = {code.id: code for code in codes}
    return render(
        request,
        principal,
        "coding_codebook.html",
        ctx.t("coding.codebook.title"),
        programme,
        status_code=400 if errors else 200,
        here=ctx.t("coding.codebook.title"),
        groups=code_groups(codes, programme, ctx.language, ctx.t("coding.codebook.no_goal")),
        codes=codes,
        by_id=by_id,
        uses=uses,
        goals=[(goal.id, f"{goal.number}. {goal.name.get(ctx.language)}") for goal in programme.goals],
        add_action=ctx.url(base_path(programme.id, "/kodebok")),
        change_action=lambda code_id: ctx.url(base_path(programme.id, f"/kodebok/{code_id}")),
        notice=notice,
        errors=dict(errors or {}),
        posted=_posted_values(posted),
        posted_key=key,
    )


# Counts and example quotes


@router.get(COUNTS, name="coding.counts")
async def counts_page(request: Request, principal: Reader, programme_id: str) -> Response:
    programme = programme_or_404(programme_id)
    ctx = page_context(request)
    store = coding_store(request)
    answers = await run_in_threadpool(readable_answers, store, principal, programme.id)
    forms = await run_in_threadpool(programme_forms, report_store(request), programme.id)
    codes = await run_in_threadpool(store.codes, programme.id)
    passages = await run_in_threadpool(store.passages, programme.id)
    groups = size_groups(request, {answer.year for answer in answers})
    counts = code_counts(answers, passages, codes, groups)
    marker = ctx.t(REDACTED)
    quotes = example_quotes(answers, passages, codes, marker=marker)
    latest = counts.years[-1] if counts.years else None
    chart: list[dict[str, Any]] = []
    if latest is not None:
        for code in codes:
            total = counts.total(code.id, latest)
            chart.append(
                {"name": code.name, "count": total.municipalities, "of": total.answering, "share": total.share}
            )
    top = max(chart, key=lambda bar: bar["count"], default=None)
    return render(
        request,
        principal,
        "coding_counts.html",
        ctx.t("coding.counts.title"),
        programme,
        here=ctx.t("coding.counts.title"),
        counts=counts,
        codes=codes,
        chart=chart,
        latest=latest,
        summary=(
            ctx.t("coding.counts.summary", code=top["name"], count=top["count"], of=top["of"], year=latest)
            if top is not None and top["count"]
            else ctx.t("coding.counts.summary_none")
        ),
        quotes=[
            {
                "text": quote.text,
                "note": quote.passage.note,
                "codes": [code.name for code in quote.codes],
                "year": quote.answer.year,
                "municipality": municipality_name(ctx, quote.answer.municipality_code),
                "question": forms.question(quote.answer.question_id, ctx.language),
                "link": ctx.url(
                    answer_path(
                        programme.id, quote.answer.year, quote.answer.municipality_code, quote.answer.question_id
                    )
                ),
            }
            for quote in quotes
        ],
        synthetic=forms.synthetic(answers),
        exports=_export_links(ctx, programme.id),
    )


# Exports


@router.get(EXPORT + "/kodebok.qdc", name="coding.export_codebook")
async def export_codebook(request: Request, principal: Reader, programme_id: str) -> Response:
    programme = programme_or_404(programme_id)
    ctx = page_context(request)
    store = coding_store(request)
    codes = await run_in_threadpool(store.codes, programme.id)
    forms = await run_in_threadpool(programme_forms, report_store(request), programme.id)
    answers = await run_in_threadpool(readable_answers, store, principal, programme.id)
    body = codebook_qdc(codes, export_labels(ctx, programme, forms, answers), synthetic=forms.synthetic(answers))
    return _file(body, "application/xml", _file_name(programme.id, forms.synthetic(answers), "kodebok.qdc"))


@router.get(EXPORT + "/prosjekt.qdpx", name="coding.export_project")
async def export_project(request: Request, principal: Reader, programme_id: str) -> Response:
    programme = programme_or_404(programme_id)
    ctx = page_context(request)
    store = coding_store(request)
    answers = await run_in_threadpool(readable_answers, store, principal, programme.id)
    codes = await run_in_threadpool(store.codes, programme.id)
    passages = await run_in_threadpool(store.passages, programme.id)
    forms = await run_in_threadpool(programme_forms, report_store(request), programme.id)
    synthetic = forms.synthetic(answers)
    body = project_qdpx(
        codes,
        answers,
        passages,
        export_labels(ctx, programme, forms, answers),
        synthetic=synthetic,
        created_at=datetime.now(UTC),
    )
    return _file(body, "application/zip", _file_name(programme.id, synthetic, "prosjekt.qdpx"))


@router.get(EXPORT + "/koding.xlsx", name="coding.export_xlsx")
async def export_xlsx(request: Request, principal: Reader, programme_id: str) -> Response:
    programme = programme_or_404(programme_id)
    ctx = page_context(request)
    store = coding_store(request)
    answers = await run_in_threadpool(readable_answers, store, principal, programme.id)
    codes = await run_in_threadpool(store.codes, programme.id)
    passages = await run_in_threadpool(store.passages, programme.id)
    forms = await run_in_threadpool(programme_forms, report_store(request), programme.id)
    labels = export_labels(ctx, programme, forms, answers)
    groups = size_groups(request, {answer.year for answer in answers})
    words = {key.removeprefix("coding.xlsx."): ctx.t(key) for key in messages() if key.startswith("coding.xlsx.")}
    synthetic = forms.synthetic(answers)
    body = coding_workbook(
        codes,
        coded_passages(answers, passages, codes, marker=labels.redaction_marker),
        code_counts(answers, passages, codes, groups),
        labels,
        words,
        synthetic=synthetic,
    )
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _file(body, media, _file_name(programme.id, synthetic, "koding.xlsx"))


def _file(body: bytes, media_type: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": NO_STORE}
    return Response(body, media_type=media_type, headers=headers)


def _file_name(programme_id: str, synthetic: bool, name: str) -> str:
    return f"{'SYNTHETIC-' if synthetic else ''}{programme_id}-apne-svar-{name}"


def _export_links(ctx: PageContext, programme_id: str) -> list[tuple[str, str]]:
    return [
        (ctx.t("coding.export.qdc"), ctx.url(base_path(programme_id, "/eksport/kodebok.qdc"))),
        (ctx.t("coding.export.qdpx"), ctx.url(base_path(programme_id, "/eksport/prosjekt.qdpx"))),
        (ctx.t("coding.export.xlsx"), ctx.url(base_path(programme_id, "/eksport/koding.xlsx"))),
    ]


# Reading forms


def _span(
    posted: FormData, answer: OpenAnswer, ctx: PageContext, errors: dict[str, str], *, prefix: str = ""
) -> Span | None:
    """The passage the form chose: the whole answer, sentences ``fra``–``til``, or the quoted text."""
    field = prefix + SPAN_KIND
    kind = posted.get(field)
    if kind == "hele":
        return Span(0, len(answer.text))
    if kind == "sitat":
        quote = str(posted.get(prefix + QUOTE) or "")
        found = locate(answer.text, quote)
        if found is None or (answer.hides(found) and prefix == ""):
            errors[field] = ctx.t("coding.problem.quote_not_found" if found is None else "coding.problem.span_redacted")
            return None
        return found
    if kind == "setninger":
        spans = sentences(answer.text)
        first, last = _int_or_none(posted.get(prefix + FIRST)), _int_or_none(posted.get(prefix + LAST))
        if first is None or last is None or not (1 <= first <= last <= len(spans)):
            errors[field] = ctx.t("coding.problem.sentences")
            return None
        return Span(spans[first - 1].start, spans[last - 1].end)
    errors[field] = ctx.t("coding.problem.span_required")
    return None


def _check_version(
    posted: FormData, answer: OpenAnswer, ctx: PageContext, errors: dict[str, str], *, field: str = SPAN_KIND
) -> None:
    """The form was made for the answer's current submitted version (a resubmission in between is told)."""
    if _int_or_none(posted.get(VERSION)) != answer.report_version_id:
        errors.setdefault(field, ctx.t("coding.problem.answer_changed"))


def _text(posted: FormData, name: str) -> str | None:
    value = posted.get(name)
    return value.strip() or None if isinstance(value, str) else None


def _ints(values: list[Any]) -> list[int]:
    return [int(value) for value in values if isinstance(value, str) and value.isdigit()]


def _int_or_none(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _int(value: str | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise BadRequestError(name, value, "a whole number")
    return int(value)


def _posted_values(posted: FormData | None) -> dict[str, Any]:
    if posted is None:
        return {}
    values: dict[str, Any] = {key: posted.get(key) for key in posted}
    values[CODES] = set(_ints(posted.getlist(CODES)))
    return values


def _code(municipality: str) -> str:
    code = normalise_region_code(municipality)
    if region_level(code) is not RegionLevel.MUNICIPALITY:
        raise UnknownPageError("region", municipality)
    return code


def _question_order(forms: ProgrammeForms, answers: list[OpenAnswer]) -> list[str]:
    present = {answer.question_id for answer in answers}
    ordered = [qid for qid in forms.open_questions if qid in present]
    return ordered + sorted(present - set(ordered))


def _problem_text(problem: ReportingError, ctx: PageContext) -> str:
    key = f"coding.problem.{problem.code}"
    if key in messages():
        return ctx.t(key, **problem.values)
    return ctx.t("coding.problem.other", message=problem.message)


__all__ = ["router"]
