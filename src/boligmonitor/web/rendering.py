"""Jinja2 set-up and the renderers that turn a :class:`Page` into HTML or one of its downloads."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.responses import Response

from boligmonitor.web.charts import comparison_icon
from boligmonitor.web.context import BENCHMARK_WORDS, PageContext
from boligmonitor.web.downloads import FORMATS, MEDIA_TYPES, to_bytes
from boligmonitor.web.i18n import LANGUAGES, format_number
from boligmonitor.web.pages import Page
from boligmonitor.web.present.navigation import picker_options
from boligmonitor.web.static_assets import static_url

LANGUAGE_NAMES = {"nb": "Norsk bokmål", "nn": "Norsk nynorsk", "en": "English"}


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("boligmonitor.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a typo in a template is an error in tests, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["LANGUAGES"] = LANGUAGES
    env.globals["LANGUAGE_NAMES"] = LANGUAGE_NAMES
    env.globals["DOWNLOAD_FORMATS"] = FORMATS
    env.globals["BENCHMARK_WORDS"] = BENCHMARK_WORDS
    env.globals["comparison_icon"] = comparison_icon
    env.globals["picker_options"] = picker_options
    env.globals["static_url"] = static_url  # fingerprinted links: a browser keeps each file until it changes
    env.filters["number"] = format_number
    return env


def render_html(page: Page, ctx: PageContext, extra: dict[str, Any] | None = None) -> Response:
    template = environment().get_template(page.template)
    html = template.render(
        page=page,
        ctx=ctx,
        t=ctx.t,
        data=ctx.data,
        **page.context,
        **(extra or {}),
    )
    return Response(html, status_code=page.status_code, media_type="text/html; charset=utf-8")


def render_download(page: Page, fmt: str) -> Response:
    if page.download is None or fmt not in page.download.formats:
        raise LookupError(fmt)
    body = to_bytes(page.download, fmt)
    suffix = "json" if fmt == "jsonstat" else fmt
    name = page.download.name + ("-jsonstat" if fmt == "jsonstat" else "")
    headers = {"Content-Disposition": f'inline; filename="{name}.{suffix}"'}
    if fmt in ("csv", "xlsx"):
        headers["Content-Disposition"] = f'attachment; filename="{name}.{suffix}"'
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)


def json_response(document: Any, status_code: int = 200) -> Response:
    return Response(json.dumps(document, ensure_ascii=False), status_code=status_code, media_type="application/json")


__all__ = ["environment", "json_response", "render_download", "render_html"]
