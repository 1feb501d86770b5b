"""SSB's legacy API (``/api/v0``, also called PxWebApi v1), for tables not on v2 (ssb-api.md §2.5).

Build new fetches on v2 (:mod:`.pxweb`). The legacy API takes a v0 query body,
``{"query": [{"code", "selection": {"filter", "values"}}], "response": {"format": "json-stat2"}}``, posted to
``/api/v0/{lang}/table/{id}`` [T]; the project's fixtures ``ssb_pxwebapi_v0_07221_query.json`` and
``..._jsonstat2_response.json`` are such a request and its real answer [V].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from boligmonitor.sources.connectors.ssb import HttpGetPost, SsbApiError, get_json, post_checked
from boligmonitor.sources.connectors.ssb.pxweb import (
    CONTENTS_VARIABLE,
    OUTPUT_FORMAT,
    Selection,
    TableMetadata,
    Variable,
    role_by_name,
)
from boligmonitor.sources.cube import Cube
from boligmonitor.sources.readers.jsonstat import read_jsonstat


def v0_table_data(http: HttpGetPost, table_path: str, query_body: Mapping[str, Any]) -> Cube:
    """``POST {table_path}`` with ``query_body`` exactly as given; the JSON-stat 2.0 answer as a :class:`Cube`.

    ``table_path`` is relative to :data:`~boligmonitor.sources.connectors.ssb.PXWEB_V0_BASE_URL`, e.g.
    ``no/table/07221``.
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


# --------------------------------------------------------------------------------------------- metadata


def v0_table_metadata(http: HttpGetPost, table_path: str, table_id: str) -> TableMetadata:
    """``GET {table_path}`` (e.g. ``no/table/07221``): the table's variables, in the same record as v2's.

    The v0 metadata body is PxWeb's ``{"title", "variables": [{"code", "text", "values", "valueTexts",
    "elimination", "time"}]}`` [I: the PxWeb v1 format as third-party clients read it; ssb-api.md §2.5 names
    the endpoint but no response is recorded]. It has no ``updated`` stamp: the freshness of a v0 table is
    known only from its data response. Units and notes also come only with the data.
    """
    what = f"metadata of SSB v0 table {table_id}"
    document = get_json(http, table_path.strip("/"), {}, what)
    return parse_v0_metadata(document, table_id)


def parse_v0_metadata(document: Any, table_id: str) -> TableMetadata:
    """Read a v0 metadata body; raises :class:`SsbApiError` if it has no readable ``variables``."""
    what = f"metadata of SSB v0 table {table_id}"
    raw_variables = document.get("variables") if isinstance(document, Mapping) else None
    if not isinstance(raw_variables, list) or not raw_variables:
        raise SsbApiError(what, 200, detail="not a v0 metadata document (no 'variables' list)")
    variables: list[Variable] = []
    for position, item in enumerate(raw_variables):
        if not isinstance(item, Mapping) or not isinstance(item.get("code"), str):
            raise SsbApiError(what, 200, detail=f"variables[{position}] has no 'code'")
        values = item.get("values")
        if not isinstance(values, list) or not values:
            raise SsbApiError(what, 200, detail=f"variables[{position}] ({item['code']}) has no 'values'")
        codes = tuple(str(value) for value in values)
        texts = item.get("valueTexts")
        labels = tuple(str(t) for t in texts) if isinstance(texts, list) and len(texts) == len(codes) else codes
        code = str(item["code"])
        is_time = item.get("time") is True
        role = "time" if is_time else "metric" if code == CONTENTS_VARIABLE else role_by_name(code)
        variables.append(
            Variable(
                id=code,
                label=str(item.get("text") or code),
                codes=codes,
                labels=labels,
                role=role,
                elimination=item.get("elimination") is True,
            )
        )
    title = document.get("title") if isinstance(document, Mapping) else None
    return TableMetadata(table_id=table_id, label=str(title or ""), updated=None, variables=tuple(variables), source="")


# --------------------------------------------------------------------------------------------- data


def v0_query(selection: Selection) -> dict[str, Any]:
    """The v0 POST body for an explicit :class:`~boligmonitor.sources.connectors.ssb.pxweb.Selection` (ssb-api.md §2.5).

    Plain codes use ``"filter": "item"``; a v2 codelist id ``agg_X`` / ``vs_X`` becomes the v0 filter
    ``agg:X`` / ``vs:X`` [I: the naming matches ``agg_KommSummer`` / ``agg:KommSummer`` in §2.3 and §2.5].
    """
    query: list[dict[str, Any]] = []
    for chosen in selection.variables:
        if not chosen.is_explicit:
            raise ValueError(f"resolve {chosen.variable} to explicit codes before building a v0 query")
        kind = "item"
        if chosen.codelist is not None:
            prefix, _, name = chosen.codelist.partition("_")
            if prefix not in ("agg", "vs") or not name:
                raise ValueError(f"no v0 filter for codelist {chosen.codelist!r}")
            kind = f"{prefix}:{name}"
        query.append({"code": chosen.variable, "selection": {"filter": kind, "values": list(chosen.values)}})
    return {"query": query, "response": {"format": OUTPUT_FORMAT}}
