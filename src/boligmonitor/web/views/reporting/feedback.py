"""The municipality's feedback page: its submitted answers over the years (the latest submitted version of each
year's report, question by question), the comments in its reports' threads, and links to its indicators in the
monitor — so that the reporting is of use to the municipality itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from boligmonitor.catalog.models import Catalog
from boligmonitor.catalog.reporting import (
    Form,
    MultipleChoiceQuestion,
    PrefilledStatisticQuestion,
    Question,
    ScaleQuestion,
    SingleChoiceQuestion,
)
from boligmonitor.store.reporting import ReportComment, ReportingError, ReportingRound, ReportState, ReportStore
from boligmonitor.web.context import PageContext
from boligmonitor.web.i18n import Language
from boligmonitor.web.present.formatting import value_text
from boligmonitor.web.views.reporting.fields import number_text
from boligmonitor.web.views.reporting.own_goals import own_goal_summaries
from boligmonitor.web.views.reporting.pages import format_timestamp, programme_name, programme_of


@dataclass(frozen=True, slots=True)
class AnswerRow:
    question: str
    cells: list[str]  # one per year shown, oldest first


@dataclass(frozen=True, slots=True)
class CommentView:
    year: int
    author: str
    written: str
    goal: str | None
    text: str


def feedback_context(store: ReportStore, reporting: ReportingRound, code: str, ctx: PageContext) -> dict[str, Any]:
    """What feedback.html shows for ``code`` in the programme of ``reporting``, over every year."""
    language = ctx.language
    summaries = store.reports([code], programme_id=reporting.programme_id)
    rounds = {r.id: r for r in store.rounds(reporting.programme_id)}
    years: list[str] = []
    columns: list[tuple[Form | None, Mapping[str, Mapping[str, Any]]]] = []
    comments: list[CommentView] = []
    programme = programme_of(reporting.programme_id)
    goal_names = {goal.id: goal.name.get(language) for goal in programme.goals} if programme else {}
    for summary in sorted(summaries, key=lambda s: s.year):
        submitted = [v for v in store.versions(summary.id) if v.state is ReportState.SUBMITTED]
        if submitted:
            latest = submitted[-1]
            form = _form(store, rounds.get(summary.round_id))
            years.append(
                ctx.t(
                    "reporting.feedback.submitted_version",
                    year=summary.year,
                    when=format_timestamp(latest.recorded_at, language),
                )
            )
            columns.append((form, latest.answers))
        comments.extend(
            _comment_view(comment, summary.year, goal_names, language) for comment in store.comments(summary.id)
        )
    rows = _answer_rows(columns, ctx, store.catalog)
    return {
        "programme": programme_name(reporting.programme_id, language),
        "years": years,
        "rows": rows,
        "comments": comments,
        "region_link": ctx.url(f"/region/{code}"),
        "indicator_links": _indicator_links(store, reporting, code, ctx),
        **own_goal_summaries(store, reporting, code, ctx),
    }


def _form(store: ReportStore, reporting: ReportingRound | None) -> Form | None:
    if reporting is None:
        return None
    try:
        return store.form(reporting)
    except (ReportingError, ValueError):  # the package's form moved on: the answers show by question id
        return None


def _comment_view(comment: ReportComment, year: int, goal_names: Mapping[str, str], language: Language) -> CommentView:
    return CommentView(
        year=year,
        author=comment.author,
        written=format_timestamp(comment.written_at, language),
        goal=goal_names.get(comment.goal_id, comment.goal_id) if comment.goal_id else None,
        text=comment.text,
    )


def _answer_rows(
    columns: list[tuple[Form | None, Mapping[str, Mapping[str, Any]]]], ctx: PageContext, catalog: Catalog
) -> list[AnswerRow]:
    """One row per question asked in any year (the latest form's order first), one cell per year."""
    questions: dict[str, Question | None] = {}
    for form, answers in reversed(columns):
        if form is not None:
            for entry in form.entries():
                questions.setdefault(entry.question.id, entry.question)
        for question_id in answers:
            questions.setdefault(question_id, None)
    rows = []
    for question_id, question in questions.items():
        label = question.text.get(ctx.language) if question is not None else question_id
        cells = [_answer_text(question, answers.get(question_id), ctx, catalog) for _, answers in columns]
        rows.append(AnswerRow(label, cells))
    return rows


def _answer_text(
    question: Question | None, answer: Mapping[str, Any] | None, ctx: PageContext, catalog: Catalog
) -> str:
    t = ctx.t
    if answer is None:
        return t("reporting.feedback.not_answered")
    parts: list[str] = []
    official = answer.get("official")
    if (
        isinstance(question, PrefilledStatisticQuestion)
        and isinstance(official, Mapping)
        and official.get("value") is not None
    ):
        shown = value_text(catalog.indicator(question.indicator), float(official["value"]), t)
        parts.append(f"{shown} ({t('reporting.origin.official')})")
    if answer.get("number") is not None:
        origin = answer.get("origin")
        shown = number_text(float(answer["number"]))
        parts.append(
            f"{shown} ({t(f'reporting.origin.{origin}')})" if origin in ("correction", "self_reported") else shown
        )
    if answer.get("yes_no") is not None:
        parts.append(t("reporting.answer.yes") if answer["yes_no"] else t("reporting.answer.no"))
    if answer.get("choices"):
        labels = {}
        if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
            labels = {category.id: category.label.get(ctx.language) for category in question.categories}
        parts.append(", ".join(labels.get(choice, choice) for choice in answer["choices"]))
    if answer.get("scale") is not None:
        scale = str(answer["scale"])
        if isinstance(question, ScaleQuestion):
            scale = f"{scale} ({question.min}–{question.max})"
        parts.append(scale)
    if answer.get("text"):
        parts.append(str(answer["text"]))
    if answer.get("comment"):
        parts.append(str(answer["comment"]))
    return "; ".join(parts) if parts else t("reporting.feedback.not_answered")


def _indicator_links(
    store: ReportStore, reporting: ReportingRound, code: str, ctx: PageContext
) -> list[tuple[str, str]]:
    """The catalogue indicators the form asks about, linked to the municipality's indicator pages."""
    form = _form(store, reporting)
    if form is None:
        return []
    seen: dict[str, str] = {}
    for entry in form.entries():
        indicator_id = entry.question.indicator
        if indicator_id is None or indicator_id in seen:
            continue
        try:
            indicator = store.catalog.indicator(indicator_id)
        except KeyError:
            continue
        seen[indicator_id] = indicator.name.get(ctx.language)
    return [(name, ctx.url(f"/region/{code}/indikator/{indicator_id}")) for indicator_id, name in seen.items()]


__all__ = ["AnswerRow", "CommentView", "feedback_context"]
