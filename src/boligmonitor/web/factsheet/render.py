"""A fact sheet as HTML and as a tagged PDF (PDF/UA-1), from one Jinja template.

The web page (``factsheet.html``, in the monitor's layout) and the print document (``factsheet_print.html``,
standalone, the source of the PDF and of the ``.html`` file the CLI writes) both include
``factsheet_body.html``. The print document carries its styles inline: the packaged ``print.css`` plus page rules
(A4, margins, running header with the municipality and date, page numbers) and the comparison icons, generated
here. Charts are the web's inline SVG; WeasyPrint does not apply the document's CSS inside an ``<svg>``, so for
print each chart gets ``static/charts.css`` as its own ``<style>`` (the web page, under a CSP without inline
styles, links the same file instead).

WeasyPrint (``pdf_variant="pdf/ua-1"``) writes the structure tree, ``/MarkInfo``, ``/Lang`` from ``<html lang>``,
the title from ``<title>`` with ``/DisplayDocTitle``, and each chart's ``<title>`` as the ``/Alt`` of its
``/Figure``. Its URL fetcher here serves package files and ``data:`` URLs only: nothing is fetched over a
network, and a refused URL fails the sheet.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, urlsplit
from urllib.request import url2pathname

from markupsafe import Markup

from boligmonitor.web.charts import COMPARISON_CATEGORIES, comparison_marker
from boligmonitor.web.context import PageContext
from boligmonitor.web.factsheet.content import FactSheet
from boligmonitor.web.factsheet.pdftags import margin_boxes_as_artifacts
from boligmonitor.web.rendering import environment

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcherResponse  # type: ignore[import-untyped]

T = TypeVar("T")
PDF_VARIANT = "pdf/ua-1"
PRINT_TEMPLATE = "factsheet_print.html"
WEB_TEMPLATE = "factsheet.html"
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_RULE = re.compile(r"([^{}@]+)\{([^{}]*)\}")


class RefusedURLError(ValueError):
    """WeasyPrint asked for something that is neither a package file nor a ``data:`` URL."""


class FactSheetRenderError(RuntimeError):
    """The PDF could not be made as promised (e.g. the document asked for a resource from elsewhere)."""


# ------------------------------------------------------------------------------------------------ styles


def _web_file(*parts: str) -> str:
    return resources.files("boligmonitor.web").joinpath(*parts).read_text(encoding="utf-8")


@cache
def print_css() -> str:
    return _COMMENT.sub("", resources.files(__package__).joinpath("print.css").read_text(encoding="utf-8"))


_MEDIA_BLOCK = re.compile(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}")
_CLASS = re.compile(r"\.([A-Za-z0-9_-]+)")


@cache
def _chart_rules() -> tuple[tuple[str, str], ...]:
    """charts.css as (selector, declarations) pairs, without comments and without its @media print block."""
    text = _MEDIA_BLOCK.sub("", _COMMENT.sub("", _web_file("static", "charts.css")))
    return tuple((" ".join(selector.split()), " ".join(body.split())) for selector, body in _RULE.findall(text))


def chart_css(svg: str = "") -> str:
    """The rules of ``static/charts.css`` a chart uses (every class of the selector occurs in ``svg``), as the
    chart's own ``<style>`` for print: WeasyPrint matches each rule against each element of the chart, so
    rules for other kinds of chart only cost time."""
    return "".join(
        f"{selector}{{{body}}}"
        for selector, body in _chart_rules()
        if all(name in svg for name in _CLASS.findall(selector))
    )


@cache
def _marker_attributes(category: str) -> str:
    """The presentation attributes (fill, stroke …) charts.css gives a marker of ``category``, in cascade order:
    as attributes the icon needs no ``<style>``, which WeasyPrint would match again for every icon it draws."""
    wanted = {"bm-marker", f"bm-cmp-{category}"}
    declarations: dict[str, str] = {}
    for selector, body in _chart_rules():
        for part in selector.split(","):
            classes = set(_CLASS.findall(part))
            if part.strip().startswith(".") and " " not in part.strip() and classes and classes <= wanted:
                for declaration in body.split(";"):
                    name, colon, value = declaration.partition(":")
                    if colon:
                        declarations[name.strip()] = value.strip()
    return " ".join(f'{name}="{value}"' for name, value in declarations.items())


@cache
def icon_css() -> str:
    """One background icon per comparison category: the chart marker's shape and colour, as a data: SVG.

    In the PDF a background is drawn as an artifact, which is what a decorative icon beside its words is.
    """
    rules = []
    for category in COMPARISON_CATEGORIES:
        marker = comparison_marker(category, 7, 7, 9).replace(
            f'class="bm-marker bm-cmp-{category}"', _marker_attributes(category)
        )
        svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 14 14">{marker}</svg>'
        rules.append(f'.bm-fs-cmp--{category}{{background-image:url("data:image/svg+xml,{quote(svg, safe="")}")}}')
    return "\n".join(rules)


def css_string(text: str) -> str:
    """``text`` as a double-quoted CSS string that cannot end the string, the rule or the ``<style>`` element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace("\n", "\\A ")
    return f'"{escaped}"'


def page_css(sheet: FactSheet, ctx: PageContext) -> str:
    """A4 pages: the municipality and the date at the top, the page number at the bottom, in the sheet's
    language."""
    t = ctx.t
    header = css_string(t("factsheet.page_header", region=sheet.name))
    made_on = css_string(sheet.made_on)
    site = css_string(f"{t('site.name')} · {sheet.data_version}")
    page = css_string(t("factsheet.page_number") + " ")
    of = css_string(" " + t("factsheet.page_of") + " ")
    return (
        "@page { size: A4; margin: 15mm 14mm 14mm 14mm;"
        f" @top-left {{ content: {header}; font-size: 7pt; color: #4a5058; }}"
        f" @top-right {{ content: {made_on}; font-size: 7pt; color: #4a5058; }}"
        f" @bottom-left {{ content: {site}; font-size: 6.5pt; color: #4a5058; }}"
        f" @bottom-right {{ content: {page} counter(page) {of} counter(pages); font-size: 7pt; color: #4a5058; }}"
        " }"
    )


# A title of a chart's part (a row, a point): a tooltip on the web, nothing on paper, and WeasyPrint would still
# cascade styles into each one. The chart's own title has an id (the figure's /Alt) and is kept.
_PART_TITLE = re.compile(r"<title>[^<]*</title>")


def svg_for_print(chart: Markup) -> Markup:
    """The chart with charts.css as its own ``<style>`` (right after its ``<desc>``), for WeasyPrint, without the
    tooltips of its parts."""
    text = _PART_TITLE.sub("", str(chart))
    if "</desc>" not in text:
        raise ValueError("a chart without <desc>: not one of web.charts' charts")
    return Markup(text.replace("</desc>", f"</desc><style>{chart_css(text)}</style>", 1))  # noqa: S704 - package CSS


def _svg_for_web(chart: Markup) -> Markup:
    return chart


# ------------------------------------------------------------------------------------------------- HTML


def halves(items: Sequence[T]) -> list[list[T]]:
    """``items`` in two runs of about equal text length, in order: the two columns of a list, read down the first
    and then the second."""
    weights = [len(repr(item)) for item in items]
    total, running, cut = sum(weights), 0, len(items)
    for index, weight in enumerate(weights):
        if running + weight / 2 > total / 2:
            cut = index
            break
        running += weight
    return [list(items[:cut]), list(items[cut:])]


def _context(sheet: FactSheet, for_print: bool) -> dict[str, Any]:
    chart: Callable[[Markup], Markup] = svg_for_print if for_print else _svg_for_web
    return {"sheet": sheet, "for_print": for_print, "chart": chart, "halves": halves}


def web_context(sheet: FactSheet) -> dict[str, Any]:
    """What ``factsheet.html`` needs besides what every page gets (``ctx``, ``t``, ``data``, ``page``)."""
    return _context(sheet, for_print=False)


def print_html(sheet: FactSheet, ctx: PageContext, *, created: date | None = None) -> str:
    """The standalone print document: the PDF's source, and the ``.html`` file the CLI writes."""
    css = Markup("\n".join([print_css(), icon_css(), page_css(sheet, ctx)]))  # noqa: S704 - package CSS, escaped strings
    template = environment().get_template(PRINT_TEMPLATE)
    return template.render(
        **_context(sheet, for_print=True),
        ctx=ctx,
        t=ctx.t,
        data=ctx.data,
        css=css,
        created=(created or date.today()).isoformat(),
    )


# -------------------------------------------------------------------------------------------------- PDF


def package_root() -> Path:
    return Path(str(resources.files("boligmonitor.web"))).resolve()


def package_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves files inside the ``boligmonitor.web`` package and ``data:`` URLs,
    and refuses everything else (http, https, ftp, files elsewhere) with :class:`RefusedURLError`."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = package_root()

    class PackageFetcher(URLFetcher):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file", "data"))
            self.refused: list[str] = []

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(url2pathname(urlsplit(url).path)).resolve()
                if path.is_relative_to(root) and path.is_file():
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _media_type(path)})
            self.refused.append(url)
            raise RefusedURLError(f"the fact sheet may only use package files, not {url}")

    return PackageFetcher()


def _media_type(path: Path) -> str:
    return {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}.get(
        path.suffix, "application/octet-stream"
    )


# Decoded images (the icons) shared by every sheet this process renders.
_IMAGE_CACHE: dict[str, Any] = {}
# One font configuration per thread, reused from sheet to sheet (WeasyPrint otherwise sets up fontconfig and Pango
# for every document); per thread because the web renders PDFs in its thread pool.
_FONTS = threading.local()


def _font_config() -> Any:
    if not hasattr(_FONTS, "config"):
        from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

        _FONTS.config = FontConfiguration()
    return _FONTS.config


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


def render_pdf(html: str) -> RenderedPdf:
    """A PDF/UA-1 document from a print document made by :func:`print_html`, and its page count."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    fetcher = package_fetcher()
    options: dict[str, Any] = {"pdf_variant": PDF_VARIANT, "cache": _IMAGE_CACHE}
    document = HTML(string=html, base_url=package_root().as_uri() + "/", url_fetcher=fetcher).render(
        font_config=_font_config(), **options
    )
    content: bytes = document.write_pdf(finisher=margin_boxes_as_artifacts, **options)
    if fetcher.refused:
        raise FactSheetRenderError(f"the fact sheet asked for resources from elsewhere: {', '.join(fetcher.refused)}")
    return RenderedPdf(content, len(document.pages))


def pdf_from_html(html: str) -> bytes:
    return render_pdf(html).content


def fact_sheet_pdf(sheet: FactSheet, ctx: PageContext, *, created: date | None = None) -> bytes:
    return pdf_from_html(print_html(sheet, ctx, created=created))


__all__ = [
    "PDF_VARIANT",
    "FactSheetRenderError",
    "RefusedURLError",
    "RenderedPdf",
    "css_string",
    "fact_sheet_pdf",
    "package_fetcher",
    "page_css",
    "pdf_from_html",
    "print_html",
    "render_pdf",
    "svg_for_print",
    "web_context",
]
