"""The analysis report and the feedback report as print documents and tagged PDF (PDF/UA-1).

The print documents (``programme_report/report_print.html``, ``feedback_print.html``) stand alone with their
styles inline: the packaged ``print.css``, one swatch per colour (a data: SVG background, drawn as an artifact),
and page rules in the report's language — the title at the top, the site, the data version and, for SYNTHETIC
data, the word SYNTHETIC at the bottom of every page, and page numbers. The PDF is made by the fact sheet's
machinery (:func:`boligmonitor.web.factsheet.render.render_pdf`: WeasyPrint with ``pdf/ua-1``, package files and
``data:`` URLs only, page furniture as artifacts).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources
from urllib.parse import quote

from markupsafe import Markup

from boligmonitor.web.context import PageContext
from boligmonitor.web.factsheet.render import css_string, render_pdf
from boligmonitor.web.programme_report.content import COLOURS, SWATCHES, ProgrammeReport
from boligmonitor.web.programme_report.feedback import FeedbackReport
from boligmonitor.web.rendering import environment

REPORT_TEMPLATE = "programme_report/report_print.html"
FEEDBACK_TEMPLATE = "programme_report/feedback_print.html"


@cache
def print_css() -> str:
    return resources.files(__package__).joinpath("print.css").read_text(encoding="utf-8")


@cache
def swatch_css() -> str:
    """A square of each colour in front of its words."""
    rules = []
    for colour in COLOURS:
        square = f'<rect width="10" height="10" fill="{SWATCHES[colour]}"/>'
        svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">{square}</svg>'
        rules.append(f'.bm-pr-colour--{colour}{{background-image:url("data:image/svg+xml,{quote(svg, safe="")}")}}')
    return "\n".join(rules)


def page_css(header: str, ctx: PageContext, *, synthetic: bool) -> str:
    """A4 pages: ``header`` at the top; the site and data version (and SYNTHETIC) and the page number below."""
    t = ctx.t
    version = ctx.data.version
    footer = t("site.name") + (f" · {version.id}" if version is not None else "")
    if synthetic:
        footer = f"{t('programme_report.synthetic_footer')} · {footer}"
    page = css_string(t("programme_report.page_number") + " ")
    of = css_string(" " + t("programme_report.page_of") + " ")
    return (
        "@page { size: A4; margin: 18mm 16mm 18mm 16mm;"
        f" @top-left {{ content: {css_string(header)}; font-size: 7.5pt; color: #4a5058; }}"
        f" @bottom-left {{ content: {css_string(footer)}; font-size: 7.5pt; color: #4a5058; }}"
        f" @bottom-right {{ content: {page} counter(page) {of} counter(pages); font-size: 7.5pt; color: #4a5058; }}"
        " }"
    )


def _css(header: str, ctx: PageContext, *, synthetic: bool) -> Markup:
    parts = [print_css(), swatch_css(), page_css(header, ctx, synthetic=synthetic)]
    return Markup("\n".join(parts))  # noqa: S704 - package CSS and strings escaped by css_string


def report_print_html(report: ProgrammeReport, ctx: PageContext, *, created: date | None = None) -> str:
    """The analysis report as a standalone document: the PDF's source."""
    return (
        environment()
        .get_template(REPORT_TEMPLATE)
        .render(
            report=report,
            for_print=True,
            ctx=ctx,
            t=ctx.t,
            css=_css(report.title, ctx, synthetic=report.synthetic),
            created=(created or date.today()).isoformat(),
        )
    )


def feedback_print_html(feedback: FeedbackReport, ctx: PageContext, *, created: date | None = None) -> str:
    """The feedback report as a standalone document: the PDF's source."""
    return (
        environment()
        .get_template(FEEDBACK_TEMPLATE)
        .render(
            feedback=feedback,
            ctx=ctx,
            t=ctx.t,
            css=_css(feedback.title, ctx, synthetic=feedback.synthetic),
            created=(created or date.today()).isoformat(),
        )
    )


def report_pdf(report: ProgrammeReport, ctx: PageContext, *, created: date | None = None) -> bytes:
    return render_pdf(report_print_html(report, ctx, created=created)).content


def feedback_pdf(feedback: FeedbackReport, ctx: PageContext, *, created: date | None = None) -> bytes:
    return render_pdf(feedback_print_html(feedback, ctx, created=created)).content


__all__ = [
    "feedback_pdf",
    "feedback_print_html",
    "page_css",
    "report_pdf",
    "report_print_html",
    "swatch_css",
]
