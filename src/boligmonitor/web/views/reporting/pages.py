"""What the reporting pages share: the report store of the app, the page context and rendering (personal pages:
never cached), timestamps and problems in the page's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from boligmonitor.catalog.models import Catalog
from boligmonitor.catalog.reporting import (
    Form,
    OwnNumberQuestion,
    PrefilledStatisticQuestion,
    Programme,
    load_programme,
)
from boligmonitor.catalog.reporting.numbers import number_rules
from boligmonitor.store.reporting import AnswerProblem, ReportingError, ReportStore
from boligmonitor.store.reporting.notifications import unread_count
from boligmonitor.web.auth.access import CSRF_FIELD, Principal
from boligmonitor.web.context import PageContext
from boligmonitor.web.i18n import Language, Translator, format_date, messages, parse_language
from boligmonitor.web.monitor import Monitor
from boligmonitor.web.pages import Page
from boligmonitor.web.rendering import render_html

NO_STORE: Final = "no-store"
NORWAY_TIME: Final = ZoneInfo("Europe/Oslo")


def report_store(request: Request) -> ReportStore:
    """The app's report store: ``app.state.reporting`` when set (tests set one with their clock), else one on
    the monitor's database, made when first needed."""
    state = request.app.state
    found = getattr(state, "reporting", None)
    if isinstance(found, ReportStore):
        return found
    monitor: Monitor = state.monitor
    made = ReportStore(monitor.store.engine)
    state.reporting = made
    return made


def page_context(request: Request) -> PageContext:
    monitor: Monitor = request.app.state.monitor
    return PageContext(
        language=parse_language(request.query_params.get("lang")),
        data=monitor.data,
        path=request.url.path,
        query={},
    )


def render(
    request: Request,
    principal: Principal,
    template: str,
    title: str,
    *,
    status_code: int = 200,
    breadcrumbs: list[tuple[str, str | None]] | None = None,
    **context: Any,
) -> Response:
    """A reporting page in the monitor's layout: personal, so ``Cache-Control: no-store``. The header names who
    is signed in, with her unread messages."""
    ctx = page_context(request)
    unread = unread_count(report_store(request).engine, principal.account.id) if principal.account is not None else 0
    page = Page(
        f"reporting/{template}",
        title,
        {
            "principal": principal,
            "csrf_field": CSRF_FIELD,
            "csrf_token": principal.csrf_token,
            "unread_count": unread,
            **context,
        },
        status_code=status_code,
        breadcrumbs=breadcrumbs or [],
    )
    response = render_html(page, ctx, {"format_timestamp": format_timestamp})
    response.headers["Cache-Control"] = NO_STORE
    return response


def redirect(location: str) -> Response:
    """A 303 after a form: the browser GETs the page, and a reload does not post again."""
    return RedirectResponse(location, status_code=303, headers={"Cache-Control": NO_STORE})


def format_timestamp(value: datetime | None, language: Language) -> str:
    """A moment in Norwegian time: "6. desember 2026 kl. 10.15"."""
    if value is None:
        return "–"
    local = value.astimezone(NORWAY_TIME)
    if language == "en":
        return f"{format_date(local, language)} {local:%H:%M}"
    return f"{format_date(local, language)} kl. {local:%H.%M}"


def programme_of(programme_id: str) -> Programme | None:
    try:
        return load_programme(programme_id)
    except Exception:  # a round of a programme the package no longer has: pages show its id
        return None


def programme_name(programme_id: str, language: Language) -> str:
    programme = programme_of(programme_id)
    return programme.name.get(language) if programme is not None else programme_id


def municipality_name(ctx: PageContext, code: str) -> str:
    """ "Trondheim (5001)", or the code alone where the monitor has no such region loaded."""
    row = ctx.data.regions.get(code)
    return f"{row.name} ({code})" if row is not None else code


def reporting_problem_text(problem: ReportingError, t: Translator) -> str:
    """A refused change in the page's language (the store's English message where no text exists)."""
    if problem.code in ("report_submitted", "report_draft", "report_returned"):
        return t("reporting.problem.state", state=t(f"reporting.state.{problem.code.removeprefix('report_')}"))
    key = f"reporting.problem.{problem.code}"
    if key in messages():
        return t(key, **problem.values)
    return t("reporting.problem.other", message=problem.message)


def answer_problem_text(problem: AnswerProblem, form: Form, catalog: Catalog, t: Translator) -> str:
    """A refused answer in the page's language, naming its question by its text."""
    try:
        question = form.question(problem.question_id)
    except KeyError:
        return t("reporting.problem.question_unknown", question=problem.question_id)
    values: dict[str, object] = {"question": question.text.get(t.language), **dict(problem.values)}
    code = problem.code
    if code == "number_rule" and isinstance(question, OwnNumberQuestion | PrefilledStatisticQuestion):
        rules = number_rules(question, catalog)
        # The store says "too many decimals" with the same code as a bound: the message tells them apart.
        if "decimals" in problem.message:
            code = "number_decimals"
        decimals = question.decimals if isinstance(question, OwnNumberQuestion) else 0
        values["lowest"] = t.number(rules.lowest, decimals) if rules.lowest is not None else "–"
        values["highest"] = t.number(rules.highest, decimals)
    key = f"reporting.problem.{code}"
    if key not in messages():
        return t("reporting.problem.other", message=problem.message)
    return t(key, **values)


__all__ = [
    "NO_STORE",
    "answer_problem_text",
    "format_timestamp",
    "municipality_name",
    "page_context",
    "programme_name",
    "programme_of",
    "redirect",
    "render",
    "report_store",
    "reporting_problem_text",
]
