"""The fact sheet on the web: ``/region/{code}/faktaark`` in the monitor's layout, and its siblings.

- ``/region/{code}/faktaark.pdf`` — the tagged PDF (PDF/UA-1), in the page's language (``?lang=nn``);
- ``/region/{code}/faktaark.csv`` (``.xlsx``, ``.json``, ``.jsonstat``) — every figure on the sheet as tidy rows.

An unknown code, or a county or Norway (fact sheets are per municipality), is the monitor's 404 page. Include
this router in the app before ``routes.router``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from fastapi import APIRouter, Request
from starlette.responses import Response

from boligmonitor.web.context import PageContext
from boligmonitor.web.downloads import FORMATS
from boligmonitor.web.factsheet.batch import file_stem
from boligmonitor.web.factsheet.content import build_fact_sheet, fact_sheet_region
from boligmonitor.web.factsheet.render import fact_sheet_pdf, web_context
from boligmonitor.web.i18n import DEFAULT_LANGUAGE, LANGUAGES
from boligmonitor.web.monitor import UnknownPageError
from boligmonitor.web.pages import Page
from boligmonitor.web.present.download_table import download
from boligmonitor.web.rendering import render_download, render_html
from boligmonitor.web.routes import page_context

router = APIRouter(include_in_schema=False)

PDF_CACHE_SIZE = 32  # recent PDFs kept per process: a sheet takes a second or two to render


def factsheet_page(ctx: PageContext, code: str) -> Page:
    """The fact sheet as a monitor page (the PDF's content, in the site's layout), with its download table."""
    sheet = build_fact_sheet(ctx, code)
    region = sheet.region
    path = f"/region/{region.code}/faktaark"
    context = web_context(sheet)
    context.update(
        {
            "pdf_url": ctx.url(f"{path}.pdf"),
            "other_pdfs": [
                (language, f"{path}.pdf" + ("" if language == DEFAULT_LANGUAGE else f"?lang={language}"))
                for language in LANGUAGES
                if language != ctx.language
            ],
            "overview_url": ctx.url(f"/region/{region.code}"),
        }
    )
    return Page(
        "factsheet.html",
        sheet.title,
        context,
        download=download(ctx, f"boligmonitor-{region.code}-faktaark", sheet.title, sheet.records),
        breadcrumbs=[
            (ctx.t("nav.home"), ctx.url("/")),
            (sheet.name, ctx.url(f"/region/{region.code}")),
            (ctx.t("factsheet.facts_crumb"), None),
        ],
    )


@router.get("/region/{code}/faktaark")
def factsheet_html(request: Request, code: str) -> Response:
    ctx = page_context(request, f"/region/{code}/faktaark")
    return render_html(factsheet_page(ctx, code), ctx)


@router.get("/region/{code}/faktaark.{fmt}")
def factsheet_file(request: Request, code: str, fmt: str) -> Response:
    ctx = page_context(request, f"/region/{code}/faktaark")
    if fmt == "pdf":
        return _pdf_response(ctx, code)
    if fmt not in FORMATS:
        raise UnknownPageError("format", fmt)
    return render_download(factsheet_page(ctx, code), fmt)


def _pdf_response(ctx: PageContext, code: str) -> Response:
    region = fact_sheet_region(ctx, code)
    version = ctx.data.version.id if ctx.data.version else 0
    key = (version, region.code, ctx.language)
    pdf = _PDFS.get(key)
    if pdf is None:
        pdf = fact_sheet_pdf(build_fact_sheet(ctx, region.code), ctx)
        _PDFS.put(key, pdf)
    name = f"{file_stem(region.code, region.name)}-{ctx.language}.pdf"
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


class _RecentPdfs:
    """The last :data:`PDF_CACHE_SIZE` PDFs by (data version, municipality, language)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[int, str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, str, str]) -> bytes | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: tuple[int, str, str], pdf: bytes) -> None:
        with self._lock:
            self._items[key] = pdf
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_PDFS = _RecentPdfs(PDF_CACHE_SIZE)

__all__ = ["factsheet_page", "router"]
