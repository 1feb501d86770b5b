"""URLs of the HTML pages and their download siblings.

Each route reads the URL into a :class:`PageContext`, calls a view (a function returning a :class:`Page`)
and renders it as HTML or, when the last path segment ends in ``.csv``/``.xlsx``/``.json``/``.jsonstat``, as
that download of the same table. Views are synchronous: FastAPI runs them in its thread pool.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from boligmonitor.web.context import PageContext, parse_benchmark, parse_display
from boligmonitor.web.downloads import FORMATS
from boligmonitor.web.i18n import Translator, parse_language
from boligmonitor.web.monitor import Monitor, UnknownPageError
from boligmonitor.web.pages import Page
from boligmonitor.web.rendering import render_download, render_html
from boligmonitor.web.request_params import parse_language_parameter, read_query
from boligmonitor.web.views import about, changes, compare, front, overview, picker, ranking, series, theme
from boligmonitor.web.views.indicator import page as indicator

router = APIRouter(include_in_schema=False)


def split_suffix(segment: str) -> tuple[str, str | None]:
    """ "0301.csv" -> ("0301", "csv"); "0301" -> ("0301", None). An unknown suffix is an unknown page."""
    name, dot, suffix = segment.rpartition(".")
    if not dot:
        return segment, None
    if suffix not in FORMATS:
        raise UnknownPageError("format", suffix)
    return name, suffix


def page_context(request: Request, path: str) -> PageContext:
    """The URL state of a page, every common parameter checked (:mod:`.request_params`): a value that cannot be
    read is a 400 page naming it, in the language asked for (bokmål when ``lang`` itself is the bad value)."""
    monitor: Monitor = request.app.state.monitor
    params = request.query_params
    t = Translator(parse_language(params.get("lang")))
    query = read_query(params.multi_items(), t, list_parameters=_LIST_PARAMETERS)
    return PageContext(
        language=parse_language_parameter(params.get("lang"), t),
        data=monitor.data,
        path=path,
        display=parse_display(params.get("visning"), t),
        benchmark=parse_benchmark(params.get("sammenlign"), t),
        query=query,
    )


_LIST_PARAMETERS = frozenset({"kommune"})


def respond(ctx: PageContext, fmt: str | None, view: Callable[[], Page]) -> Response:
    page = view()
    if fmt is None:
        return render_html(page, ctx)
    if page.download is None or fmt not in page.download.formats:
        raise UnknownPageError("format", fmt)
    return render_download(page, fmt)


def _page_with_downloads(path: str, name: str, view: Callable[[PageContext], Page]) -> None:
    """Route a top-level page without path parameters and its download sibling ``{path}.{fmt}`` (``/index.{fmt}``
    for ``/``, as :meth:`PageContext.with_suffix` links it), named ``{name}_page`` and ``{name}_download``."""
    stem = path.rstrip("/") or "/index"

    def html_page(request: Request) -> Response:
        ctx = page_context(request, path)
        return respond(ctx, None, lambda: view(ctx))

    def download(request: Request, fmt: str) -> Response:
        _, suffix = split_suffix(f"{stem.lstrip('/')}.{fmt}")  # "csv.csv" is a CSV, "txt" an unknown page
        ctx = page_context(request, path)
        return respond(ctx, suffix, lambda: view(ctx))

    router.add_api_route(path, html_page, methods=["GET"], name=f"{name}_page")
    router.add_api_route(f"{stem}.{{fmt}}", download, methods=["GET"], name=f"{name}_download")


_page_with_downloads("/", "front", front.front_page)
_page_with_downloads(changes.PATH, "changes", changes.changes_page)


@router.get("/velg")
def choose_region(request: Request) -> Response:
    ctx = page_context(request, "/velg")
    target = picker.resolve(ctx, request.query_params.get("q", ""), request.query_params.get("til", ""))
    if isinstance(target, str):
        return RedirectResponse(target, status_code=303)
    return render_html(target, ctx)


@router.get("/om")
def about_page(request: Request) -> Response:
    ctx = page_context(request, "/om")
    return respond(ctx, None, lambda: about.about_page(ctx))


@router.get("/region/{segment}")
def region_overview(request: Request, segment: str) -> Response:
    code, fmt = split_suffix(segment)
    ctx = page_context(request, f"/region/{code}")
    return respond(ctx, fmt, lambda: overview.overview_page(ctx, code))


@router.get("/region/{code}/tema/{segment}")
def theme_page(request: Request, code: str, segment: str) -> Response:
    theme_id, fmt = split_suffix(segment)
    ctx = page_context(request, f"/region/{code}/tema/{theme_id}")
    return respond(ctx, fmt, lambda: theme.theme_page(ctx, code, theme_id))


@router.get("/region/{code}/indikator/{segment}")
def series_page(request: Request, code: str, segment: str) -> Response:
    indicator_id, fmt = split_suffix(segment)
    ctx = page_context(request, f"/region/{code}/indikator/{indicator_id}")
    return respond(ctx, fmt, lambda: series.series_page(ctx, code, indicator_id))


@router.get("/indikator/{segment}")
def indicator_page(request: Request, segment: str) -> Response:
    indicator_id, fmt = split_suffix(segment)
    ctx = page_context(request, f"/indikator/{indicator_id}")
    return respond(ctx, fmt, lambda: indicator.indicator_page(ctx, indicator_id))


_page_with_downloads("/sammenlign", "compare", compare.compare_page)
_page_with_downloads("/rangering", "ranking", ranking.ranking_page)


__all__ = ["router", "split_suffix"]
