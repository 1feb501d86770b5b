"""What the open-answer pages (/program/{id}/apne-svar…) share: the app's coding store, the programme and its
forms' question texts, which answers the viewer may see (a regional adviser: her region's municipalities only),
whether the answers are SYNTHETIC, the labels exports use, and rendering (personal pages: never cached)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from boligmonitor.analysis.reporting.refi_qda import ExportLabels
from boligmonitor.analysis.reporting.size_groups import SizeGroups, municipality_size_groups
from boligmonitor.catalog.reporting import Programme, load_programme
from boligmonitor.store.accounts import Action
from boligmonitor.store.reporting import ReportStore
from boligmonitor.store.reporting.coding import CodingStore, OpenAnswer
from boligmonitor.web.auth.access import CSRF_FIELD, Principal
from boligmonitor.web.context import PageContext
from boligmonitor.web.monitor import Monitor, UnknownPageError
from boligmonitor.web.pages import Page
from boligmonitor.web.rendering import render_html
from boligmonitor.web.views.reporting.pages import (
    NO_STORE,
    format_timestamp,
    municipality_name,
    page_context,
    report_store,
)

BASE: Final = "/program/{programme_id}/apne-svar"
REDACTED: Final = "coding.redacted"  # the marker's text key: [sladdet] / [redacted]


def coding_store(request: Request) -> CodingStore:
    """The app's coding store: ``app.state.coding`` when set (tests set one with their clock), else one on the
    monitor's database, made when first needed."""
    state = request.app.state
    found = getattr(state, "coding", None)
    if isinstance(found, CodingStore):
        return found
    monitor: Monitor = state.monitor
    made = CodingStore(monitor.store.engine)
    state.coding = made
    return made


def base_path(programme_id: str, part: str = "") -> str:
    return f"/program/{programme_id}/apne-svar{part}"


def answer_path(programme_id: str, year: int, municipality: str, question_id: str) -> str:
    return base_path(programme_id, f"/{year}/{municipality}/{question_id}")


def programme_or_404(programme_id: str) -> Programme:
    try:
        return load_programme(programme_id)
    except Exception:  # not a programme of the package: an unknown page, never a 500
        raise UnknownPageError("coding_programme", programme_id) from None


@dataclass(frozen=True, slots=True)
class ProgrammeForms:
    """What the programme's rounds' forms say: each question's text by language, which years' forms are
    SYNTHETIC, and the open questions in form order."""

    question_texts: Mapping[str, Mapping[str, str]]  # question id -> language -> text
    synthetic_years: frozenset[int]
    open_questions: tuple[str, ...]

    def question(self, question_id: str, language: str) -> str:
        return self.question_texts.get(question_id, {}).get(language, question_id)

    def synthetic(self, answers: Collection[OpenAnswer]) -> bool:
        return any(answer.year in self.synthetic_years for answer in answers) or bool(
            self.synthetic_years and not answers
        )


def programme_forms(reports: ReportStore, programme_id: str) -> ProgrammeForms:
    texts: dict[str, dict[str, str]] = {}
    synthetic: set[int] = set()
    open_questions: list[str] = []
    for reporting in reports.rounds(programme_id):
        with suppress(Exception):  # a round whose form the package no longer has: question ids are shown
            form = reports.form(reporting)
            if form.synthetic:
                synthetic.add(reporting.year)
            for entry in form.entries():
                question = entry.question
                texts.setdefault(question.id, {lang: question.text.get(lang) for lang in ("nb", "nn", "en")})
                if question.type == "open_text" and question.id not in open_questions:
                    open_questions.append(question.id)
    return ProgrammeForms(texts, frozenset(synthetic), tuple(open_questions))


def visible_municipalities(principal: Principal, answers: Collection[OpenAnswer]) -> frozenset[str]:
    """The municipalities among the answers' whose answers the viewer may see (an adviser: her region's)."""
    return principal.municipalities(Action.ANALYSIS_READ, frozenset(answer.municipality_code for answer in answers))


def readable_answers(
    store: CodingStore,
    principal: Principal,
    programme_id: str,
    *,
    year: int | None = None,
    question_id: str | None = None,
) -> list[OpenAnswer]:
    """The programme's open answers the viewer may see."""
    answers = store.open_answers(programme_id, year=year, question_id=question_id)
    visible = visible_municipalities(principal, answers)
    return [answer for answer in answers if answer.municipality_code in visible]


def size_groups(request: Request, years: Collection[int]) -> dict[int, SizeGroups]:
    monitor: Monitor = request.app.state.monitor
    return {year: municipality_size_groups(monitor.data, year) for year in sorted(set(years))}


def export_labels(
    ctx: PageContext, programme: Programme, forms: ProgrammeForms, answers: Collection[OpenAnswer]
) -> ExportLabels:
    language = ctx.language
    return ExportLabels(
        programme_name=programme.name.get(language),
        goal_names={goal.id: f"{goal.number}. {goal.name.get(language)}" for goal in programme.goals},
        municipality_names={
            answer.municipality_code: municipality_name(ctx, answer.municipality_code) for answer in answers
        },
        question_texts={qid: forms.question(qid, language) for qid in forms.question_texts},
        redaction_marker=ctx.t(REDACTED),
        example_quote=ctx.t("coding.passage.example"),
    )


def render(
    request: Request,
    principal: Principal,
    template: str,
    title: str,
    programme: Programme,
    *,
    status_code: int = 200,
    here: str | None = None,
    **context: Any,
) -> Response:
    """An open-answer page (``no-store``) in the monitor's layout, with the programme's breadcrumbs."""
    ctx = page_context(request)
    name = programme.name.get(ctx.language)
    crumbs: list[tuple[str, str | None]] = [
        (ctx.t("nav.home"), ctx.url("/")),
        (name, ctx.url(f"/program/{programme.id}")),
        (ctx.t("coding.list.title"), ctx.url(base_path(programme.id)) if here else None),
    ]
    if here is not None:
        crumbs.append((here, None))
    page = Page(
        f"programme/{template}",
        title,
        {
            "principal": principal,
            "csrf_field": CSRF_FIELD,
            "csrf_token": principal.csrf_token,
            "programme": programme,
            "programme_name": name,
            "may_edit": principal.may(Action.ANALYSIS_EDIT),
            "base": base_path(programme.id),
            "notice": None,
            "errors": {},
            "synthetic": False,
            **context,
        },
        status_code=status_code,
        breadcrumbs=crumbs,
    )
    response = render_html(page, ctx, {"format_timestamp": format_timestamp})
    response.headers["Cache-Control"] = NO_STORE
    return response


__all__ = [
    "BASE",
    "NO_STORE",
    "REDACTED",
    "ProgrammeForms",
    "answer_path",
    "base_path",
    "coding_store",
    "export_labels",
    "municipality_name",
    "page_context",
    "programme_forms",
    "programme_or_404",
    "readable_answers",
    "render",
    "report_store",
    "size_groups",
    "visible_municipalities",
]
