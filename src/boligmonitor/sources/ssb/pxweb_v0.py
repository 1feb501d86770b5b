"""SSB's legacy API (``/api/v0``, also called PxWebApi v1): data only, for tables not on v2 (ssb-api.md §2.5).

Build new fetches on v2 (:mod:`.pxweb`). The legacy API takes a v0 query body,
``{"query": [{"code", "selection": {"filter", "values"}}], "response": {"format": "json-stat2"}}``, posted to
``/api/v0/{lang}/table/{id}`` [T]; the project's fixtures ``ssb_pxwebapi_v0_07221_query.json`` and
``..._jsonstat2_response.json`` are such a request and its real answer [V].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from boligmonitor.sources.cube import Cube
from boligmonitor.sources.jsonstat import read_jsonstat
from boligmonitor.sources.ssb import HttpGetPost, post_checked


def v0_table_data(http: HttpGetPost, table_path: str, query_body: Mapping[str, Any]) -> Cube:
    """``POST {table_path}`` with ``query_body`` exactly as given; the JSON-stat 2.0 answer as a :class:`Cube`.

    ``table_path`` is relative to :data:`~boligmonitor.sources.ssb.PXWEB_V0_BASE_URL`, e.g. ``no/table/07221``.
    The body must ask for ``"response": {"format": "json-stat2"}`` (raises ``ValueError`` otherwise): the
    other formats are not read here, and JSON-stat 1 would lose status symbols. The v0 API does not report
    which valueset or aggregation (``vs:``/``agg:`` filter) produced the codes: keep ``query_body`` with the data.
    """
    response_spec = query_body.get("response")
    output_format = response_spec.get("format") if isinstance(response_spec, Mapping) else None
    if output_format != "json-stat2":
        raise ValueError(f'a v0 query must ask for "response": {{"format": "json-stat2"}}, not {output_format!r}')
    if not isinstance(query_body.get("query"), list):
        raise ValueError('a v0 query body needs a "query" list')
    response = post_checked(http, table_path.strip("/"), dict(query_body), {}, f"data from SSB v0 table {table_path}")
    return read_jsonstat(response.body, name=f"SSB v0 table {table_path}")
