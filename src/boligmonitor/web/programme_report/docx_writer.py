"""The analysis report and the feedback report as DOCX (python-docx), for those who edit the text further.

The document has structure a screen reader and Word's navigation pane can use: the title as Heading 1, each
section as Heading 2 and its parts as Heading 3 (never skipping a level); tables whose first row is marked as a
header row repeated on every page (``w:tblHeader``) and that carry their caption as the table's title
(``w:tblCaption``) as well as in a Caption paragraph above; a colour always written out in words (the cell's
shade only repeats it); the document's title and language in its core properties and its default language on
every run (``w:lang``). It has no images, so there is no alternative text to give. SYNTHETIC data says so on the
title page and in the footer of every page.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Final

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table, _Cell

from boligmonitor.web.context import PageContext
from boligmonitor.web.i18n import Translator
from boligmonitor.web.programme_report.content import (
    BreaksPart,
    CodeRow,
    ColourText,
    ComparisonPart,
    ProgrammeReport,
    SharesPart,
)
from boligmonitor.web.programme_report.feedback import FeedbackReport
from boligmonitor.web.views.programme.present import ReasonText

MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LANGUAGE_TAGS: Final = {"nb": "nb-NO", "nn": "nn-NO", "en": "en-GB"}

Cell = str | ColourText


def report_docx(report: ProgrammeReport, ctx: PageContext) -> bytes:
    """The analysis report as a DOCX file."""
    t = ctx.t
    document = _document(report.title, report.subtitle, report.language, report.synthetic, ctx)
    document.add_paragraph(report.made_on)
    document.add_heading(t("programme_report.about"), level=2)
    for text in report.about:
        document.add_paragraph(text)
    for goal in report.goals:
        document.add_heading(goal.heading, level=2)
        if goal.main_goal:
            document.add_paragraph(goal.main_goal)
        document.add_heading(t("programme_report.development"), level=3)
        if goal.attainment:
            document.add_paragraph(goal.attainment_summary)
            header = [
                t("programme_report.col.indicator"),
                t("programme_report.col.value", year=report.year),
                t("programme_report.col.baseline"),
                t("programme_report.col.target"),
                t("programme_report.col.colour"),
                t("programme_report.col.members"),
                t("programme_report.col.reason"),
            ]
            rows: list[list[Cell]] = []
            for row in goal.attainment:
                colour = row.colour
                if row.override_note:
                    colour = ColourText(row.colour.key, f"{row.colour.label}. {row.override_note}")
                reason = str(row.reason)
                rows.append([row.indicator, row.value, row.baseline, row.target, colour, row.members, reason])
            caption = t("programme_report.development.caption", year=report.year, number=goal.number)
            _table(document, caption, header, rows)
        else:
            document.add_paragraph(t("programme_report.development.none"))
        if goal.choices:
            document.add_heading(t("programme_report.categories"), level=3)
            for question in goal.choices:
                document.add_paragraph(question.summary)
                _table(
                    document,
                    t("programme_report.categories.caption", question=question.question, answered=question.answered),
                    [t("programme_report.col.category"), t("programme_report.col.count")],
                    [[category.label, str(category.count)] for category in question.categories],
                )
        document.add_heading(t("programme_report.coded"), level=3)
        if goal.codes:
            _table(
                document,
                t("programme_report.coded.caption", year=report.year),
                [t(f"programme_report.col.{name}") for name in ("code", "mentioned", "passages")],
                [[_code_label(code), code.municipalities, str(code.passages)] for code in goal.codes],
            )
        else:
            document.add_paragraph(t("programme_report.coded.none"))
        document.add_heading(t("programme_report.quotes"), level=3)
        for quote in goal.quotes:
            document.add_paragraph(quote.text, style="Quote")
            document.add_paragraph(quote.source)
        if not goal.quotes:
            document.add_paragraph(t("programme_report.quotes.none"))
    if report.comparison is not None:
        _comparison(document, report.comparison, t)
    if report.shares is not None:
        _shares(document, report.shares, t)
    if report.breaks is not None:
        _breaks(document, report.breaks, t)
    return _bytes(document)


def _comparison(document: DocxDocument, part: ComparisonPart, t: Translator) -> None:
    document.add_heading(t("programme_report.comparison"), level=2)
    document.add_paragraph(part.lead)
    document.add_paragraph(part.caveat)
    document.add_paragraph(t("programme_report.comparison.years", start=part.start, end=part.end))
    if part.without_population:
        document.add_paragraph(part.without_population)
    header = [
        t("programme_analysis.comparison.group"),
        t("programme_analysis.comparison.size"),
        t("programme_analysis.comparison.n"),
        str(part.start),
        str(part.end),
        t("programme_analysis.comparison.change", start=part.start, end=part.end),
        t("programme_analysis.comparison.relative"),
    ]
    for table in part.tables:
        document.add_heading(table.heading, level=3)
        document.add_paragraph(table.summary)
        rows: list[list[Cell]] = []
        for row in table.rows:
            figures = [row.withheld] * 4 if row.withheld else [row.start, row.end, row.change, row.relative]
            rows.append([row.group, row.size, row.n, *figures])
        docx_table = _table(document, table.caption, header, rows)
        for position, row in enumerate(table.rows, start=1):
            if row.withheld:  # one cell for the reason, as on the page
                cells = docx_table.rows[position].cells
                merged = cells[3].merge(cells[6])
                merged.text = ""
                merged.paragraphs[0].add_run(row.withheld)
        _list(document, table.caveats)
    if part.few:
        document.add_heading(t("programme_analysis.comparison.few_heading"), level=3)
        document.add_paragraph(t("programme_analysis.comparison.few", min=5))
        _list(document, part.few)
    if part.skipped:
        document.add_heading(t("programme_analysis.skipped"), level=3)
        _list(document, [f"{indicator}: {reason}" for indicator, reason in part.skipped])


def _shares(document: DocxDocument, part: SharesPart, t: Translator) -> None:
    document.add_heading(t("programme_report.shares"), level=2)
    document.add_paragraph(part.lead)
    header = [
        t(f"programme_analysis.shares.{name}") for name in ("year", "members", "nation", "share", "counts", "published")
    ]
    for table in part.tables:
        document.add_heading(table.heading, level=3)
        document.add_paragraph(table.summary)
        rows: list[list[Cell]] = []
        for row in table.rows:
            share = str(row["share"])
            if row["partial"]:
                share += f" ({t('programme_analysis.shares.partial')})"
            if row["reason"]:
                share += f" {row['reason']}"  # a ReasonText: its words
            rows.append([str(row["year"]), row["members"], row["nation"], share, row["n"], row["published"]])
        _table(document, table.caption, header, rows)
    if not part.tables:
        document.add_paragraph(t("programme_report.shares.none"))


def _breaks(document: DocxDocument, part: BreaksPart, t: Translator) -> None:
    document.add_heading(t("programme_report.breaks"), level=2)
    document.add_paragraph(part.lead)
    document.add_heading(t("programme_analysis.breaks.caveats_heading"), level=3)
    _list(document, part.caveats)
    header = [
        t("programme_analysis.comparison.group"),
        t("programme_analysis.comparison.n"),
        t("programme_analysis.breaks.level"),
        t("programme_analysis.breaks.slope"),
    ]
    for section in part.sections:
        document.add_heading(section.heading, level=3)
        document.add_paragraph(f"{section.summary} {section.window}")
        for group in section.groups:
            for sentence in group.sentences:
                document.add_paragraph(sentence)
        rows: list[list[Cell]] = []
        for group in section.groups:
            if group.tested:
                rows.append([group.group, group.n, group.level, group.slope])
            else:
                untested = f"{t('programme_analysis.breaks.not_tested')} {group.reason}"
                rows.append([group.group, group.n, untested, untested])
        _table(document, t("programme_analysis.breaks.caption", indicator=section.heading), header, rows)
        for group in section.groups:
            if group.caveats:
                document.add_paragraph(t("programme_report.breaks.group_caveats", group=group.group))
                _list(document, group.caveats)
    if not part.sections:
        document.add_paragraph(t("programme_report.breaks.none"))


def _list(document: DocxDocument, items: Sequence[str | ReasonText]) -> None:
    for item in items:
        document.add_paragraph(str(item), style="List Bullet")


def feedback_docx(feedback: FeedbackReport, ctx: PageContext) -> bytes:
    """The feedback report as a DOCX file."""
    t = ctx.t
    document = _document(feedback.title, feedback.subtitle, feedback.language, feedback.synthetic, ctx)
    document.add_paragraph(feedback.made_on)
    document.add_paragraph(feedback.lead)
    document.add_heading(t("reporting.feedback.answers"), level=2)
    if feedback.years:
        _table(
            document,
            t("reporting.feedback.caption", programme=feedback.programme),
            [t("reporting.feedback.question"), *feedback.years],
            [[row.question, *row.cells] for row in feedback.rows],
        )
    else:
        document.add_paragraph(t("reporting.feedback.no_answers"))
    document.add_heading(t("reporting.feedback.comments"), level=2)
    for comment in feedback.comments:
        meta = t("programme_report.feedback.comment_meta", year=comment.year, who=comment.author, when=comment.written)
        if comment.goal:
            meta += " · " + t("programme_report.feedback.comment_goal", goal=comment.goal)
        document.add_paragraph(meta)
        document.add_paragraph(comment.text, style="Quote")
    if not feedback.comments:
        document.add_paragraph(t("reporting.dialogue.none"))
    document.add_heading(t("reporting.feedback.indicators"), level=2)
    document.add_paragraph(feedback.indicators_text)
    return _bytes(document)


# ------------------------------------------------------------------------------------------------ parts


def _document(title: str, subtitle: str, language: str, synthetic: bool, ctx: PageContext) -> DocxDocument:
    t = ctx.t
    document = Document()
    tag = LANGUAGE_TAGS.get(language, language)
    properties = document.core_properties
    properties.title = f"{title} (SYNTHETIC)" if synthetic else title
    properties.language = tag
    properties.subject = subtitle
    properties.author = t("site.name")
    properties.keywords = "SYNTHETIC" if synthetic else ""
    _default_language(document, tag)
    if synthetic:
        warning = document.add_paragraph()
        warning.add_run(t("programme_report.synthetic")).bold = True
    document.add_heading(title, level=1)
    document.add_paragraph(subtitle)
    version = ctx.data.version
    footer = t("site.name") + (f" · {version.id}" if version is not None else "")
    if synthetic:
        footer = f"{t('programme_report.synthetic_footer')} · {footer}"
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.text = f"{footer} · {t('programme_report.page_number')} "
    _page_number(paragraph._p)
    return document


def _page_number(paragraph: object) -> None:
    """A PAGE field at the end of the paragraph: Word and LibreOffice put each page's number there."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph.append(field)  # type: ignore[attr-defined]


def _default_language(document: DocxDocument, tag: str) -> None:
    """``w:lang`` in the document defaults: every run is in the report's language unless it says otherwise."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        return
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        return
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.append(language)
    language.set(qn("w:val"), tag)


def _table(document: DocxDocument, caption: str, header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> Table:
    """A table with its caption above, a repeated header row and the first column as row headers (bold)."""
    document.add_paragraph(caption, style="Caption")
    table: Table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    _table_caption(table, caption)
    header_row = table.rows[0]
    _repeat_as_header(header_row._tr)
    for cell, text in zip(header_row.cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        cells = table.add_row().cells  # type: ignore[no-untyped-call]  # python-docx leaves it unannotated
        for position, (cell, value) in enumerate(zip(cells, values, strict=True)):
            _fill(cell, value, bold=position == 0)
    return table


def _fill(cell: _Cell, value: Cell, *, bold: bool) -> None:
    text = value.label if isinstance(value, ColourText) else value
    cell.text = ""
    run = cell.paragraphs[0].add_run(text)
    run.bold = bold or None
    if isinstance(value, ColourText):
        shade = OxmlElement("w:shd")
        shade.set(qn("w:val"), "clear")
        shade.set(qn("w:color"), "auto")
        shade.set(qn("w:fill"), value.shade)
        cell._tc.get_or_add_tcPr().append(shade)


def _repeat_as_header(row: object) -> None:
    properties = row.get_or_add_trPr()  # type: ignore[attr-defined]
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _table_caption(table: Table, caption: str) -> None:
    """The table's title (what Word shows as its alternative text title)."""
    element = OxmlElement("w:tblCaption")
    element.set(qn("w:val"), caption[:255])
    # In the schema's order tblCaption follows every property python-docx writes (style, width, look).
    table._tbl.tblPr.append(element)


def _code_label(code: CodeRow) -> str:
    return f"{code.code}: {code.description}" if code.description else code.code


def _bytes(document: DocxDocument) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


__all__ = ["MEDIA_TYPE", "feedback_docx", "report_docx"]
