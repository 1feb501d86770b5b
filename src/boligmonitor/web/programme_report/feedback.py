"""The municipality's feedback page as a document: the same content (web/views/reporting/feedback.py) — its
submitted answers over the years, the adviser's comments and where its indicators are in the monitor — with a
title page, for the PDF and the DOCX."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from boligmonitor.store.reporting import ReportingError, ReportingRound, ReportStore
from boligmonitor.web.context import PageContext
from boligmonitor.web.programme_report.content import synthetic_statistics
from boligmonitor.web.views.reporting.feedback import AnswerRow, CommentView, feedback_context
from boligmonitor.web.views.reporting.pages import municipality_name


@dataclass(frozen=True, slots=True)
class FeedbackReport:
    municipality_code: str
    programme: str
    language: str
    title: str
    subtitle: str
    made_on: str
    lead: str
    years: tuple[str, ...]
    rows: tuple[AnswerRow, ...]
    comments: tuple[CommentView, ...]
    indicators_text: str
    synthetic: bool

    @property
    def file_stem(self) -> str:
        return f"boligmonitor-{self.municipality_code}-tilbakemelding-{self.language}"


def build_feedback_report(
    store: ReportStore,
    reporting: ReportingRound,
    code: str,
    ctx: PageContext,
    *,
    site_url: str = "",
    made_on: date | None = None,
) -> FeedbackReport:
    """The feedback report of municipality ``code`` in the programme of ``reporting``; ``site_url`` (the site's
    address, e.g. ``https://monitor.example``) makes the link to its indicators absolute on paper."""
    t = ctx.t
    context = feedback_context(store, reporting, code, ctx)
    name = municipality_name(ctx, code)
    version = ctx.data.version
    synthetic = synthetic_statistics(ctx.data)
    for each in store.rounds(reporting.programme_id):
        try:
            synthetic = synthetic or store.form(each).synthetic
        except (ReportingError, ValueError):  # a form no longer in the package: its answers show by question id
            continue
    return FeedbackReport(
        municipality_code=code,
        programme=str(context["programme"]),
        language=ctx.language,
        title=t("programme_report.feedback.title", municipality=name),
        subtitle=t("programme_report.feedback.subtitle", programme=context["programme"]),
        made_on=t(
            "programme_report.made_on",
            date=t.date(made_on or date.today()),
            version=version.id if version is not None else t("programme_report.no_version"),
        ),
        lead=t("reporting.feedback.lead"),
        years=tuple(context["years"]),
        rows=tuple(context["rows"]),
        comments=tuple(context["comments"]),
        indicators_text=t("programme_report.feedback.indicators_text", link=site_url + str(context["region_link"])),
        synthetic=synthetic,
    )


__all__ = ["FeedbackReport", "build_feedback_report"]
