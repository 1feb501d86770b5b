"""The report form as the template shows it: sections per goal, each question with its label, hint, value (stored
or as typed), options, the error next to it, and for a prefilled statistic the official figure with its source,
year and data version (or why there is none) and what the municipality may give beside it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from starlette.requests import Request
from starlette.responses import Response

from boligmonitor.catalog.models import Catalog
from boligmonitor.catalog.reporting import (
    FigureOrigin,
    Form,
    MultipleChoiceQuestion,
    OpenTextQuestion,
    OwnNumberQuestion,
    PrefilledStatisticQuestion,
    Programme,
    Question,
    ScaleQuestion,
    SingleChoiceQuestion,
    YesNoQuestion,
)
from boligmonitor.store.accounts import Action
from boligmonitor.store.reporting import Answer, FigureState, OfficialFigure, ReportingError
from boligmonitor.web.auth.access import Principal
from boligmonitor.web.auth.resume import KeptAnswers, resume_at
from boligmonitor.web.context import PageContext
from boligmonitor.web.present.formatting import value_text
from boligmonitor.web.views.reporting.fields import NO, YES, FieldValues, comment_field, values_from_post
from boligmonitor.web.views.reporting.pages import page_context, report_store


@dataclass(frozen=True, slots=True)
class FigureView:
    """The official figure beside a prefilled statistic: shown value and source line, or why there is none."""

    published: bool
    value: str | None
    source: str | None
    missing: str | None
    origin: str | None  # what the stored answer uses: official, correction, self-reported (in words)
    own_allowed: bool  # a correction (published) or an own figure (missing) may be given
    own_label: str
    own_hint: str
    comment_allowed: bool


@dataclass(frozen=True, slots=True)
class QuestionView:
    id: str
    type: str
    label: str
    hint: str | None
    required: bool
    value: str | list[str]
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, label) for choices and scales
    error: str | None = None
    figure: FigureView | None = None
    comment_name: str = ""
    comment_value: str = ""
    comment_error: str | None = None
    max_length: int | None = None
    limits_hint: str | None = None

    @property
    def described_by(self) -> str:
        """The ids of the hint and error that describe the question's control(s)."""
        ids = [f"field-{self.id}-hint"] if self.hint or self.limits_hint else []
        if self.error:
            ids.append(f"field-{self.id}-error")
        return " ".join(ids)


@dataclass(frozen=True, slots=True)
class SectionView:
    id: str
    heading: str
    questions: list[QuestionView]


def section_heading(programme: Programme | None, goals: tuple[str, ...], title: str | None, ctx: PageContext) -> str:
    if title is not None:
        return title
    names = []
    for goal_id in goals:
        goal = next((goal for goal in programme.goals if goal.id == goal_id), None) if programme else None
        names.append(
            ctx.t("reporting.form.goal_section", number=goal.number, name=goal.name.get(ctx.language))
            if goal is not None
            else goal_id
        )
    return "; ".join(names)


def form_sections(
    form: Form,
    programme: Programme | None,
    answers: Mapping[str, Answer],
    values: FieldValues,
    errors: Mapping[str, str],
    ctx: PageContext,
    catalog: Catalog,
) -> list[SectionView]:
    sections = []
    for index, section in enumerate(form.sections):
        title = section.title.get(ctx.language) if section.title is not None else None
        questions = [
            question_view(question, answers.get(question.id), values, errors, ctx, catalog)
            for question in section.questions
        ]
        sections.append(
            SectionView(f"section-{index + 1}", section_heading(programme, section.goals, title, ctx), questions)
        )
    return sections


def question_view(
    question: Question,
    answer: Answer | None,
    values: FieldValues,
    errors: Mapping[str, str],
    ctx: PageContext,
    catalog: Catalog,
) -> QuestionView:
    t = ctx.t
    language = ctx.language
    label = question.text.get(language)
    hint = question.help.get(language) if question.help is not None else None
    value = values.get(question.id, [] if isinstance(question, MultipleChoiceQuestion) else "")
    base = QuestionView(
        id=question.id,
        type=question.type,
        label=label,
        hint=hint,
        required=question.required,
        value=value,
        error=errors.get(question.id),
    )
    if isinstance(question, PrefilledStatisticQuestion):
        official = answer.official if answer is not None else None
        comment = values.get(comment_field(question.id), "")
        return replace(
            base,
            figure=figure_view(question, official, answer, ctx, catalog),
            comment_name=comment_field(question.id),
            comment_value=comment if isinstance(comment, str) else "",
            comment_error=errors.get(comment_field(question.id)),
        )
    if isinstance(question, OwnNumberQuestion):
        return replace(base, limits_hint=t("reporting.answer.number_hint"))
    if isinstance(question, YesNoQuestion):
        options = [(YES, t("reporting.answer.yes")), (NO, t("reporting.answer.no"))]
        return replace(base, options=options)
    if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
        options = [(category.id, category.label.get(language)) for category in question.categories]
        limits = None
        if isinstance(question, MultipleChoiceQuestion) and question.max_choices is not None:
            limits = t("reporting.answer.max_choices", max=question.max_choices)
        return replace(base, options=options, limits_hint=limits)
    if isinstance(question, ScaleQuestion):
        labels = {label.value: label.label.get(language) for label in question.labels}
        options = [
            (str(step), f"{step} – {labels[step]}" if step in labels else str(step))
            for step in range(question.min, question.max + 1)
        ]
        limits = t("reporting.answer.scale_hint", min=question.min, max=question.max)
        return replace(base, options=options, limits_hint=limits)
    assert isinstance(question, OpenTextQuestion)
    limits = t("reporting.answer.max_length", max=question.max_length) if question.max_length else None
    return replace(base, max_length=question.max_length, limits_hint=limits)


def figure_view(
    question: PrefilledStatisticQuestion,
    official: OfficialFigure | None,
    answer: Answer | None,
    ctx: PageContext,
    catalog: Catalog,
) -> FigureView:
    t = ctx.t
    year = official.year if official is not None else question.year
    published = official is not None and official.state is FigureState.PUBLISHED
    value = source = missing = None
    if official is not None and published:
        value = value_text(catalog.indicator(question.indicator), official.value, t)
        source = t(
            "reporting.figure.source",
            source=dataset_text(ctx, official.dataset),
            year=official.year,
            version=official.data_version if official.data_version is not None else "–",
        )
    elif official is not None and official.state is FigureState.NOT_PUBLISHED:
        missing = t("reporting.figure.not_published", year=year, status=official.status or "")
    else:
        missing = t("reporting.figure.not_loaded", year=year if year is not None else "–")
    origin = answer.origin if answer is not None else None
    if published:
        own_allowed = question.correction
        own_label, own_hint = t("reporting.figure.correction"), t("reporting.figure.correction_hint")
    else:
        own_allowed = question.self_report_when_missing
        own_label, own_hint = t("reporting.figure.self_reported"), t("reporting.figure.self_reported_hint")
    return FigureView(
        published=published,
        value=value,
        source=source,
        missing=missing,
        origin=t(f"reporting.origin.{origin.value}") if isinstance(origin, FigureOrigin) else None,
        own_allowed=own_allowed,
        own_label=own_label,
        own_hint=own_hint,
        comment_allowed=question.comment,
    )


def dataset_text(ctx: PageContext, dataset_id: str | None) -> str:
    """ "Statistisk sentralbyrå: Table title", or the dataset's id where the loaded version does not list it."""
    found = ctx.data.dataset_of(dataset_id)
    if found is None:
        return dataset_id or "–"
    return f"{found.publisher}: {found.title}"


@resume_at(r"/rapportering/(?P<round_id>[0-9]{1,9})/(?P<municipality>[0-9]{4})")
async def resume_report_form(
    request: Request, principal: Principal, kept: KeptAnswers, where: Mapping[str, str]
) -> Response | None:
    """After her session expired and she signed in again: her report form with what she had typed, not saved,
    and a notice saying so — only where she may still edit the report (web/auth/resume.py)."""
    # routes draws the form page and imports this module: imported here, when a sign-in calls
    from boligmonitor.web.views.reporting import routes

    round_id, code = int(where["round_id"]), where["municipality"]
    if not principal.may(Action.REPORT_EDIT, code):
        return None
    store = report_store(request)
    try:
        reporting = store.round(round_id)
        report = store.report_for(round_id, code)
        form = store.form(reporting) if report is not None else None
    except ReportingError:
        return None
    if report is None or form is None:
        return None
    posted = kept.by_name()
    values = values_from_post(form, posted)
    version = (posted.get(routes.VERSION_FIELD) or [""])[0]
    expected = int(version) if version.isascii() and version.isdigit() and len(version) <= 9 else report.version
    ctx = page_context(request)
    return await routes.form_response(
        request,
        principal,
        round_id,
        code,
        values=values,
        expected_version=expected,
        notice=ctx.t("session.expired.restored"),
    )


__all__ = ["FigureView", "QuestionView", "SectionView", "dataset_text", "figure_view", "form_sections"]
