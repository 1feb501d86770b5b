"""A programme's open answers as JSON for signed-in users (issue 14, part 6), read-only, the same as the pages
under /program/{id}/apne-svar (web/views/programme/coding_routes.py) and from the same store and analysis:

- ``…/apne-svar/kodebok``: the codebook (codes, descriptions, goals, parents);
- ``…/apne-svar/sporsmal/{question_id}``: the answers to one open question across municipalities and years
  (``ar``, ``kommune``, ``kode``; ``limit``/``offset`` with the ``total``), with coded passages and codes;
- ``…/apne-svar/tellinger``: counts by code × size group × year, the group sizes beside (``ar``);
- ``…/apne-svar/sitater``: the example quotes (``ar``, ``kommune``, ``kode``);
- ``…/apne-svar/sok?q=``: full-text search with the database's own engine (``ar``, ``sporsmal``, ``kommune``,
  ``limit``).

Access is the pages': ``analysis.read`` (analysts every municipality; a regional adviser her region's only — a
``kommune`` of another region is refused, without one she gets her region's answers); changes stay on the pages.
Redacted spans never reach an answer: the marker (``redaction_marker``) stands in their place. Every answer says
whether the answers are SYNTHETIC, carries the years and is personal (``Cache-Control: no-store``); errors are the
API's JSON problems (``{"error": {"status", "message", "parameter"?}}``), a bad parameter a 400 naming it.

    app.include_router(boligmonitor.web.api.reporting.open_answers.router)
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from boligmonitor.analysis.reporting.open_answers import (
    SIZE_GROUP_ORDER,
    code_counts,
    example_quotes,
    size_group_of,
)
from boligmonitor.catalog.reporting import Programme
from boligmonitor.catalog.validation import FIRST_YEAR
from boligmonitor.core.regions import RegionLevel, normalise_region_code, region_level
from boligmonitor.store.accounts import Action
from boligmonitor.store.reporting.coding import Code, CodingStore, OpenAnswer, Passage
from boligmonitor.web.api.reporting.open_answer_documents import (
    ALL_GROUPS,
    COUNT_COLUMNS,
    answer_entry,
    answering_rows,
    code_entry,
    count_rows,
    hit_entry,
    quote_entry,
)
from boligmonitor.web.auth.access import Principal, require
from boligmonitor.web.context import PageContext
from boligmonitor.web.i18n import Translator, parse_language
from boligmonitor.web.monitor import UnknownPageError
from boligmonitor.web.rendering import json_response
from boligmonitor.web.request_params import LAST_YEAR, bad_request, parse_integer, parse_year, single
from boligmonitor.web.views.programme.coding_pages import (
    NO_STORE,
    REDACTED,
    ProgrammeForms,
    coding_store,
    municipality_name,
    programme_forms,
    programme_or_404,
    readable_answers,
    report_store,
    size_groups,
)
from boligmonitor.web.views.programme.pages import analysis_page_context

# Not in /openapi.json, as the programme analysis's API (web/api/reporting/routes.py): the public API's schema
# and its schemathesis run cover the public operations; these answer only signed-in users (401 otherwise).
router = APIRouter(prefix="/api/v1/program", tags=["open answers"], include_in_schema=False)

# The query parameters (Norwegian, like the pages' and the programme API's).
YEAR: Final = "ar"
MUNICIPALITY: Final = "kommune"
CODE: Final = "kode"
QUESTION: Final = "sporsmal"
QUERY: Final = "q"
LIMIT: Final = "limit"
OFFSET: Final = "offset"
DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 200
MAX_OFFSET: Final = 1_000_000
MAX_SEARCH: Final = 200  # characters of a search, as on the list page
_MUNICIPALITY_CODE: Final = re.compile(r"[0-9]{4}")
# Control characters other than tab and line breaks: never words, and PostgreSQL refuses NUL in any text.
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

BASE: Final = "/{programme_id}/apne-svar"


def municipality_filter(request: Request) -> str | None:
    """``kommune``: a municipality's four-digit number, or none. Checked before ``require`` reads it, so that a
    malformed value is a 400 naming the parameter (not an unknown region's 404)."""
    raw = request.query_params.get(MUNICIPALITY)
    if raw is None or raw == "":  # as ``require`` reads it: empty is none, blank is a bad value
        return None
    code = normalise_region_code(raw)
    if _MUNICIPALITY_CODE.fullmatch(code) is None or region_level(code) is not RegionLevel.MUNICIPALITY:
        t = Translator(parse_language(request.query_params.get("lang")))
        raise bad_request(MUNICIPALITY, raw, t("indicator.expected.municipality"))
    return code


Municipality = Annotated[str | None, Depends(municipality_filter)]
Reader = Annotated[Principal, Depends(require(Action.ANALYSIS_READ))]
MunicipalityReader = Annotated[Principal, Depends(require(Action.ANALYSIS_READ, municipality=MUNICIPALITY))]


@dataclass(frozen=True, slots=True)
class Reading:
    """What every open-answer answer starts from: the programme, the readable answers and their coding."""

    ctx: PageContext
    programme: Programme
    forms: ProgrammeForms
    answers: list[OpenAnswer]  # the programme's answers the reader may see (all questions and years)
    codes: list[Code]
    passages: list[Passage]  # of those answers

    @property
    def marker(self) -> str:
        return self.ctx.t(REDACTED)

    def codes_by_id(self) -> dict[int, Code]:
        return {code.id: code for code in self.codes}


async def _reading(request: Request, principal: Principal, programme_id: str, *, coding: bool = True) -> Reading:
    ctx = analysis_page_context(request)
    programme = programme_or_404(programme_id)
    store = coding_store(request)
    forms = await run_in_threadpool(programme_forms, report_store(request), programme.id)
    answers = await run_in_threadpool(readable_answers, store, principal, programme.id)
    codes = await run_in_threadpool(store.codes, programme.id) if coding else []
    passages = await run_in_threadpool(_passages_of, store, programme.id, answers) if coding else []
    return Reading(ctx, programme, forms, answers, codes, passages)


def _passages_of(store: CodingStore, programme_id: str, answers: Sequence[OpenAnswer]) -> list[Passage]:
    shown = {(answer.report_version_id, answer.question_id) for answer in answers}
    return [
        passage for passage in store.passages(programme_id) if (passage.report_version_id, passage.question_id) in shown
    ]


def _document(reading: Reading, answers: Collection[OpenAnswer], filters: dict[str, Any]) -> dict[str, Any]:
    """What every answer carries: the programme, whether its answers are SYNTHETIC, the years, the filters, which
    municipalities' answers the reader may see, the redaction marker and the note."""
    ctx, programme = reading.ctx, reading.programme
    synthetic = reading.forms.synthetic(list(answers))
    version = ctx.data.version
    document: dict[str, Any] = {
        "programme": {
            "id": programme.id,
            "name": programme.name.get(ctx.language),
            "period": {"start": programme.period.start, "end": programme.period.end},
        },
        "synthetic": synthetic,
        "data_version": None
        if version is None
        else {"id": version.id, "created_at": version.created_at.isoformat(), "kind": version.kind},
        "years": sorted({answer.year for answer in answers}),
        "filters": filters,
        "readable": {
            "n_municipalities": len({answer.municipality_code for answer in reading.answers}),
            "municipalities": sorted({answer.municipality_code for answer in reading.answers}),
        },
        "redaction_marker": reading.marker,
        "note": ctx.t("open_answers_api.note"),
    }
    if synthetic:
        document["synthetic_note"] = ctx.t("open_answers_api.synthetic")
    return document


def _answer(document: dict[str, Any]) -> Response:
    response = json_response(document)
    response.headers["Cache-Control"] = NO_STORE
    return response


# The query, read (400 naming the parameter)


def _year(ctx: PageContext) -> int | None:
    text = single(ctx.query, YEAR)
    expected = ctx.t("programme_analysis.error.year", low=FIRST_YEAR, high=LAST_YEAR)
    return None if text is None else parse_year(text, YEAR, expected)


def _code(ctx: PageContext, codes: Sequence[Code]) -> int | None:
    text = single(ctx.query, CODE)
    if text is None:
        return None
    expected = ctx.t("open_answers_api.expected.code")
    code_id = parse_integer(text, CODE, 1, 2**62, expected)
    if code_id not in {code.id for code in codes}:
        raise bad_request(CODE, text, expected)
    return code_id


def _limit(ctx: PageContext) -> int:
    text = single(ctx.query, LIMIT)
    expected = ctx.t("open_answers_api.expected.limit", max=MAX_LIMIT)
    return DEFAULT_LIMIT if text is None else parse_integer(text, LIMIT, 1, MAX_LIMIT, expected)


def _offset(ctx: PageContext) -> int:
    text = single(ctx.query, OFFSET)
    expected = ctx.t("open_answers_api.expected.offset", max=MAX_OFFSET)
    return 0 if text is None else parse_integer(text, OFFSET, 0, MAX_OFFSET, expected)


def _question(ctx: PageContext, forms: ProgrammeForms, answers: Sequence[OpenAnswer]) -> str | None:
    text = single(ctx.query, QUESTION)
    known = _open_questions(forms, answers)
    if text is not None and text not in known:
        raise bad_request(QUESTION, text, ctx.t("open_answers_api.expected.question", values=", ".join(known)))
    return text


def _open_questions(forms: ProgrammeForms, answers: Sequence[OpenAnswer]) -> list[str]:
    """The programme's open questions: its forms' in form order, then any other an answer holds."""
    present = {answer.question_id for answer in answers}
    return list(forms.open_questions) + sorted(present - set(forms.open_questions))


def _carrying(passages: Sequence[Passage], code_id: int) -> set[tuple[int, str]]:
    """The answers (version, question) with a passage coded ``code_id``."""
    return {(p.report_version_id, p.question_id) for p in passages if code_id in p.code_ids}


# The routes


@router.get(BASE + "/kodebok", name="api.programme.codebook")
async def codebook(request: Request, principal: Reader, programme_id: str) -> Response:
    """The programme's codebook: every code with its description, goal and parent, and the goals in the
    programme's order with their codes (codes under no goal last)."""
    reading = await _reading(request, principal, programme_id)
    language = reading.ctx.language
    uses: dict[int, int] = {}
    for passage in reading.passages:
        for code_id in passage.code_ids:
            uses[code_id] = uses.get(code_id, 0) + 1
    document = _document(reading, reading.answers, {})
    document["codes"] = [code_entry(code, reading.programme, language, uses.get(code.id, 0)) for code in reading.codes]
    goals = [
        {
            "id": goal.id,
            "number": goal.number,
            "name": goal.name.get(language),
            "codes": [code.id for code in reading.codes if code.goal_id == goal.id],
        }
        for goal in reading.programme.goals
    ]
    known = {goal.id for goal in reading.programme.goals}
    goals.append(
        {
            "id": None,
            "number": None,
            "name": None,
            "codes": [code.id for code in reading.codes if code.goal_id not in known],
        }
    )
    document["goals"] = goals
    return _answer(document)


@router.get(BASE + "/sporsmal/{question_id}", name="api.programme.open_answers")
async def answers(
    request: Request, checked: Municipality, principal: MunicipalityReader, programme_id: str, question_id: str
) -> Response:
    """The answers to one open question, by year and municipality, each redacted, with its coded passages and
    codes; ``ar``, ``kommune`` and ``kode`` filter, ``limit`` and ``offset`` page (``total``: all that match)."""
    reading = await _reading(request, principal, programme_id)
    ctx = reading.ctx
    if question_id not in _open_questions(reading.forms, reading.answers):
        raise UnknownPageError("open_question", question_id)
    year, code_id = _year(ctx), _code(ctx, reading.codes)
    limit, offset = _limit(ctx), _offset(ctx)
    coded = _carrying(reading.passages, code_id) if code_id is not None else None
    chosen = [
        answer
        for answer in reading.answers
        if answer.question_id == question_id
        and (year is None or answer.year == year)
        and (checked is None or answer.municipality_code == checked)
        and (coded is None or (answer.report_version_id, answer.question_id) in coded)
    ]
    page = chosen[offset : offset + limit]
    groups = size_groups(request, {answer.year for answer in page})
    by_answer: dict[tuple[int, str], list[Passage]] = {}
    for passage in reading.passages:
        by_answer.setdefault((passage.report_version_id, passage.question_id), []).append(passage)
    codes = reading.codes_by_id()
    filters = {YEAR: year, MUNICIPALITY: checked, CODE: code_id, LIMIT: limit, OFFSET: offset}
    document = _document(reading, chosen, filters)
    document["question"] = {"id": question_id, "text": reading.forms.question(question_id, ctx.language)}
    document["total"] = len(chosen)
    document["next_offset"] = offset + limit if offset + limit < len(chosen) else None
    document["answers"] = [
        answer_entry(
            answer,
            by_answer.get((answer.report_version_id, answer.question_id), []),
            codes,
            marker=reading.marker,
            municipality=municipality_name(ctx, answer.municipality_code),
            size_group=size_group_of(groups, answer.year, answer.municipality_code),
            synthetic=answer.year in reading.forms.synthetic_years,
        )
        for answer in page
    ]
    return _answer(document)


@router.get(BASE + "/tellinger", name="api.programme.code_counts")
async def counts(request: Request, principal: Reader, programme_id: str) -> Response:
    """How many municipalities' answers carry each code, by year and size group (and over all groups), beside how
    many municipalities answered in that year and group; ``ar`` for one year."""
    reading = await _reading(request, principal, programme_id)
    year = _year(reading.ctx)
    chosen = [answer for answer in reading.answers if year is None or answer.year == year]
    groups = size_groups(request, {answer.year for answer in chosen})
    found = code_counts(chosen, reading.passages, reading.codes, groups)
    document = _document(reading, chosen, {YEAR: year})
    document["size_groups"] = {
        "order": [group for group in SIZE_GROUP_ORDER if group in found.size_groups] + [ALL_GROUPS],
        "labels": {group: reading.ctx.t(f"coding.size.{group}") for group in (*SIZE_GROUP_ORDER, ALL_GROUPS)},
    }
    document["answering"] = answering_rows(found)
    document["columns"] = list(COUNT_COLUMNS)
    document["rows"] = count_rows(found)
    return _answer(document)


@router.get(BASE + "/sitater", name="api.programme.example_quotes")
async def quotes(request: Request, checked: Municipality, principal: MunicipalityReader, programme_id: str) -> Response:
    """The passages the analysts marked as example quotes, newest year first; ``ar``, ``kommune``, ``kode``."""
    reading = await _reading(request, principal, programme_id)
    ctx = reading.ctx
    year, code_id = _year(ctx), _code(ctx, reading.codes)
    chosen = [
        answer
        for answer in reading.answers
        if (year is None or answer.year == year) and (checked is None or answer.municipality_code == checked)
    ]
    found = example_quotes(chosen, reading.passages, reading.codes, marker=reading.marker)
    if code_id is not None:
        found = [quote for quote in found if code_id in quote.passage.code_ids]
    document = _document(reading, chosen, {YEAR: year, MUNICIPALITY: checked, CODE: code_id})
    document["quotes"] = [
        quote_entry(
            quote,
            municipality=municipality_name(ctx, quote.answer.municipality_code),
            question=reading.forms.question(quote.answer.question_id, ctx.language),
            synthetic=quote.answer.year in reading.forms.synthetic_years,
        )
        for quote in found
    ]
    return _answer(document)


@router.get(BASE + "/sok", name="api.programme.answer_search")
async def search(request: Request, checked: Municipality, principal: MunicipalityReader, programme_id: str) -> Response:
    """Full-text search of the answers with the database's own engine (PostgreSQL's Norwegian stemming, SQLite's
    FTS5 prefixes; web-search syntax), newest first, of the municipalities the reader may see; ``q`` (required),
    ``ar``, ``sporsmal``, ``kommune``, ``limit``. ``more`` says whether there are hits beyond ``limit``."""
    reading = await _reading(request, principal, programme_id, coding=False)
    ctx = reading.ctx
    text = single(ctx.query, QUERY)
    if text is None or len(text) > MAX_SEARCH or _CONTROL.search(text) is not None:
        raise bad_request(QUERY, text or "", ctx.t("open_answers_api.expected.query", max=MAX_SEARCH))
    year, question, limit = _year(ctx), _question(ctx, reading.forms, reading.answers), _limit(ctx)
    visible = {answer.municipality_code for answer in reading.answers}
    among = visible & {checked} if checked is not None else visible
    store = coding_store(request)
    found = await run_in_threadpool(
        lambda: store.search(
            reading.programme.id, text, municipalities=among, year=year, question_id=question, limit=limit + 1
        )
    )
    shown = [
        answer
        for answer in reading.answers
        if answer.municipality_code in among
        and (year is None or answer.year == year)
        and (question is None or answer.question_id == question)
    ]
    document = _document(reading, shown, {QUERY: text, YEAR: year, QUESTION: question, MUNICIPALITY: checked})
    document["limit"] = limit
    document["more"] = len(found) > limit
    document["hits"] = [
        hit_entry(
            hit,
            marker=reading.marker,
            municipality=municipality_name(ctx, hit.municipality_code),
            question=reading.forms.question(hit.question_id, ctx.language),
            synthetic=hit.year in reading.forms.synthetic_years,
        )
        for hit in found[:limit]
    ]
    return _answer(document)


__all__ = ["router"]
