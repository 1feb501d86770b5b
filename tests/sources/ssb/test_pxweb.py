"""PxWebApi v2 and v0 connectors against the real recorded SSB responses, served by an in-memory transport."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from boligmonitor.core.status import Status
from boligmonitor.sources.connectors.http import PoliteClient, RateLimiter, RetryPolicy
from boligmonitor.sources.connectors.ssb import PXWEB_V0_BASE_URL, PXWEB_V2_BASE_URL, SsbApiError
from boligmonitor.sources.connectors.ssb.pxweb import (
    Selection,
    codelist,
    resolve_table_for_contents_code,
    search_tables,
    table_data,
    table_metadata,
)
from boligmonitor.sources.connectors.ssb.pxweb_v0 import v0_table_data
from tests.sources.ssb import MockHttp, relative_path, serve

JSON = {"content-type": "application/json"}
SELECTION_12134 = Selection.of(
    {"KOKkommuneregion0000": ["0301", "4601", "5001"], "ContentsCode": ["KOSAG110000"], "Tid": ["2024"]}
)


@pytest.fixture(scope="module")
def body_12134(api_fixtures: Path) -> bytes:
    return (api_fixtures / "ssb_pxwebapi_v2_12134_jsonstat2.json").read_bytes()


@pytest.fixture(scope="module")
def error_bodies(api_fixtures: Path) -> dict[str, bytes]:
    probe = json.loads((api_fixtures / "ssb_api_probe_2026-04-25_requests_and_errors.json").read_text("utf-8"))
    return {case["label"]: case["snippet"].encode() for case in probe["errors"]}


# --------------------------------------------------------------------------------------------- data


def test_table_data_posts_the_selection_and_reads_the_real_response(body_12134: bytes) -> None:
    http = serve({"tables/12134/data": body_12134})
    cube = table_data(http, "12134", SELECTION_12134)

    (request,) = http.sent
    assert request.method == "POST"
    assert request.url.path == "/api/pxwebapi/v2/tables/12134/data"
    assert dict(request.url.params) == {"lang": "no", "outputFormat": "json-stat2"}
    assert json.loads(request.content) == {
        "selection": [
            {"variableCode": "KOKkommuneregion0000", "valueCodes": ["0301", "4601", "5001"]},
            {"variableCode": "ContentsCode", "valueCodes": ["KOSAG110000"]},
            {"variableCode": "Tid", "valueCodes": ["2024"]},
        ]
    }
    assert cube.ids == ("KOKkommuneregion0000", "ContentsCode", "Tid")
    assert list(cube.values) == [81240, 66605, 62853]
    assert cube.updated == "2026-03-16T07:00:00Z"
    assert list(cube.mandatory_notes) == [1, 3]


def test_codelist_goes_into_the_post_body_and_is_kept_on_the_selection(body_12134: bytes) -> None:
    selection = Selection.of(
        {"Region": ["K-0301", "K-3103"], "ContentsCode": "Personer1", "Tid": "from(2015)"},
        codelists={"Region": "agg_KommSummer"},
    )
    http = serve({"tables/07459/data": body_12134})
    table_data(http, "07459", selection, lang="en")

    sent = json.loads(http.sent[0].content)
    assert sent["selection"][0] == {
        "variableCode": "Region",
        "valueCodes": ["K-0301", "K-3103"],
        "codelist": "agg_KommSummer",
    }
    assert sent["selection"][2] == {"variableCode": "Tid", "valueCodes": ["from(2015)"]}
    assert http.sent[0].url.params["lang"] == "en"
    assert selection.codelists() == {"Region": "agg_KommSummer"}


def test_selection_rejects_a_codelist_for_an_unselected_variable() -> None:
    with pytest.raises(ValueError, match="not selected"):
        Selection.of({"Tid": "2024"}, codelists={"Region": "agg_KommSummer"})


@pytest.mark.parametrize(
    ("label", "title", "api_status"),
    [
        ("ugyldig tabell-ID", "Non-existent table", 404),
        ("ugyldig kommune-kode", "Non-existent value", 400),
        ("manglende mandatory", "Missing selection for mandantory variable", 400),
        ("ugyldig ContentsCode", "Non-existent value", 400),
        ("kommune uten data", "Non-existent value", 400),
    ],
)
def test_real_error_bodies_become_ssb_api_errors_naming_table_and_title(
    error_bodies: dict[str, bytes], label: str, title: str, api_status: int
) -> None:
    http = serve({"tables/12134/data": (400, error_bodies[label])})
    with pytest.raises(SsbApiError) as caught:
        table_data(http, "12134", SELECTION_12134)
    error = caught.value
    assert (error.http_status, error.title, error.api_status) == (400, title, api_status)
    assert "12134" in str(error)
    assert title in str(error)
    assert not error.too_many_cells


def test_unknown_table_error_says_both_statuses(error_bodies: dict[str, bytes]) -> None:
    http = serve({"tables/99999/metadata": (400, error_bodies["ugyldig tabell-ID"])})
    with pytest.raises(SsbApiError, match=r"SSB table 99999: Non-existent table \(HTTP 400, body status 404\)"):
        table_metadata(http, "99999")


def test_too_many_cells_is_recognised_by_title_or_403() -> None:
    # Synthetic: the title is reported by third parties (ssb-api.md §3.3), not in the recorded probe.
    synthetic = b'{"type":"Parameter error","title":"Too many cells selected","status":400}'
    for status in (400, 403):
        body = synthetic if status == 400 else b""
        with pytest.raises(SsbApiError) as caught:
            table_data(serve({"tables/12134/data": (status, body)}), "12134", SELECTION_12134)
        assert caught.value.too_many_cells


def test_non_json_error_keeps_a_snippet_of_the_body() -> None:
    http = serve({"tables/12134/data": (502, b"<html>Bad gateway</html>")})
    with pytest.raises(SsbApiError, match="Bad gateway") as caught:
        table_data(http, "12134", SELECTION_12134)
    assert caught.value.title is None


# --------------------------------------------------------------------------------------------- metadata


def test_metadata_reads_variables_units_roles_notes(body_12134: bytes) -> None:
    # The real data response stands in for the metadata response: both are JSON-stat 2.0 with the same
    # dimension members; no real v2 metadata response is recorded yet.
    http = serve({"tables/12134/metadata": body_12134})
    metadata = table_metadata(http, "12134")

    assert dict(http.sent[0].url.params) == {"lang": "no", "outputFormat": "json-stat2"}
    assert metadata.updated == "2026-03-16T07:00:00Z"
    assert [v.id for v in metadata.variables] == ["KOKkommuneregion0000", "ContentsCode", "Tid"]
    region = metadata.by_role("geo")
    assert region is not None and region.id == "KOKkommuneregion0000"
    assert region.codes == ("0301", "4601", "5001")
    assert region.label_of("5001") == "Trondheim - Tråante"
    assert region.elimination is False
    assert metadata.contents_codes == ("KOSAG110000",)
    unit = metadata.unit_of("KOSAG110000")
    assert unit is not None and (unit.base, unit.decimals) == ("kr", 0)
    assert len(metadata.notes) == 5
    assert metadata.mandatory_notes == (1, 3)


def test_metadata_reads_codelists_and_elimination_from_extensions() -> None:
    synthetic_metadata: dict[str, Any] = {
        "version": "2.0",
        "class": "dataset",
        "label": "synthetic",
        "id": ["Region", "ContentsCode", "Tid"],
        "size": [2, 1, 2],
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "dimension": {
            "Region": {
                "label": "region",
                "category": {"index": {"0": 0, "0301": 1}, "label": {"0": "Hele landet", "0301": "Oslo"}},
                "extension": {
                    "elimination": True,
                    "eliminationValueCode": "0",
                    "codeLists": [
                        {"id": "agg_KommSummer", "label": "Kommuner summert", "type": "Aggregation"},
                        {"id": "vs_Kommune", "label": "Kommuner", "type": "Valueset"},
                    ],
                },
            },
            "ContentsCode": {"label": "statistikkvariabel", "category": {"index": ["Personer1"]}},
            "Tid": {"label": "år", "category": {"index": ["2023", "2024"]}},
        },
    }
    http = serve({"tables/00000/metadata": json.dumps(synthetic_metadata).encode()})
    metadata = table_metadata(http, "00000")
    region = metadata.variable("Region")
    assert region.role == "geo"  # no role.geo: found by SSB's usual name
    assert (region.elimination, region.elimination_code) == (True, "0")
    assert [(c.id, c.type) for c in region.codelists] == [("agg_KommSummer", "Aggregation"), ("vs_Kommune", "Valueset")]
    assert metadata.variable("ContentsCode").labels == ("Personer1",)


# --------------------------------------------------------------------------------------------- search, codelists


def _synthetic_search_page(ids: list[tuple[str, str, bool]], page: int, total_pages: int) -> bytes:
    tables = [
        {"id": i, "label": f"{i}: synthetic", "updated": updated, "discontinued": gone, "variableNames": ["region"]}
        for i, updated, gone in ids
    ]
    return json.dumps({"tables": tables, "page": {"pageNumber": page, "totalPages": total_pages}}).encode()


def test_search_follows_pages_and_sends_the_documented_parameters() -> None:
    pages = {
        "1": _synthetic_search_page([("12259", "2024-06-01T06:00:00Z", True)], 1, 2),
        "2": _synthetic_search_page([("14332", "2025-06-16T06:00:00Z", False)], 2, 2),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=pages[request.url.params["pageNumber"]])

    http = MockHttp(handler)
    hits = search_tables(http, "kommunalt disponerte boliger")

    assert [h.id for h in hits] == ["12259", "14332"]
    assert hits[0].discontinued is True and hits[1].updated == "2025-06-16T06:00:00Z"
    first = http.sent[0]
    assert relative_path(first, http.base_url) == "tables"
    assert dict(first.url.params) == {
        "query": "kommunalt disponerte boliger",
        "lang": "no",
        "includeDiscontinued": "true",
        "pageSize": "100",
        "pageNumber": "1",
    }
    assert len(http.sent) == 2


def test_codelist_reads_value_maps() -> None:
    synthetic_codelist = {
        "id": "agg_KommSummer",
        "label": "Kommuner summert til gjeldende inndeling",
        "type": "Aggregation",
        "values": [
            {"code": "K-3103", "label": "Moss", "valueMap": ["0104", "0136", "3002", "3103"]},
            {"code": "K-0301", "label": "Oslo", "valueMap": ["0301"]},
        ],
    }
    http = serve({"codelists/agg_KommSummer": json.dumps(synthetic_codelist).encode()})
    result = codelist(http, "agg_KommSummer")
    assert result.type == "Aggregation"
    assert result.value_map()["K-3103"] == ("0104", "0136", "3002", "3103")
    assert dict(http.sent[0].url.params) == {"lang": "no"}


def test_resolve_prefers_current_tables_and_checks_the_metadata(body_12134: bytes) -> None:
    search = _synthetic_search_page(
        [("11111", "2026-01-01T00:00:00Z", True), ("12134", "2026-03-16T07:00:00Z", False)], 1, 1
    )
    http = serve({"tables": search, "tables/12134/metadata": body_12134, "tables/11111/metadata": body_12134})

    assert resolve_table_for_contents_code(http, "KOSAG110000", ["frie", "inntekter"]) == "12134"
    assert http.sent[0].url.params["query"] == "frie inntekter"
    assert relative_path(http.sent[1], http.base_url) == "tables/12134/metadata"  # current table tried first
    assert len(http.sent) == 2

    assert resolve_table_for_contents_code(http, "KOSnotthere000", ["frie"]) is None


# --------------------------------------------------------------------------------------------- v0


def test_v0_posts_the_query_file_unchanged_and_reads_the_real_response(api_fixtures: Path) -> None:
    query = json.loads((api_fixtures / "ssb_pxwebapi_v0_07221_query.json").read_text("utf-8"))
    response = (api_fixtures / "ssb_pxwebapi_v0_07221_jsonstat2_response.json").read_bytes()
    http = serve({"no/table/07221": response}, base_url=PXWEB_V0_BASE_URL)

    cube = v0_table_data(http, "no/table/07221", query)

    (request,) = http.sent
    assert request.method == "POST"
    assert str(request.url) == "https://data.ssb.no/api/v0/no/table/07221"
    assert json.loads(request.content) == query
    assert cube.shape == (12, 3, 1, 8)
    assert sum(1 for s in cube.status.values() if s == Status.MISSING) == 24
    assert cube.values[176] is None


def test_v0_refuses_a_query_for_another_format(api_fixtures: Path) -> None:
    query = json.loads((api_fixtures / "ssb_pxwebapi_v0_07221_query.json").read_text("utf-8"))
    query["response"] = {"format": "csv"}
    with pytest.raises(ValueError, match="json-stat2"):
        v0_table_data(serve({}), "no/table/07221", query)


# --------------------------------------------------------------------------------------------- with PoliteClient


def test_polite_client_plugs_in_and_its_fetch_errors_name_table_and_title(
    body_12134: bytes, error_bodies: dict[str, bytes]
) -> None:
    """The real client satisfies HttpGetPost; a 400 it raises as FetchError comes out as SsbApiError."""

    def handler(request: httpx.Request) -> httpx.Response:
        if "99999" in request.url.path:
            return httpx.Response(400, content=error_bodies["ugyldig tabell-ID"], headers=JSON)
        return httpx.Response(200, content=body_12134, headers=JSON)

    def no_sleep(seconds: float) -> None:
        assert seconds == 0

    limiter = RateLimiter(calls=100, per_seconds=60.0, clock=lambda: 0.0, sleep=no_sleep)
    with PoliteClient(
        PXWEB_V2_BASE_URL, limiter=limiter, retry=RetryPolicy(), archive=None, transport=httpx.MockTransport(handler)
    ) as client:
        assert list(table_data(client, "12134", SELECTION_12134).values) == [81240, 66605, 62853]
        with pytest.raises(SsbApiError) as caught:
            table_data(client, "99999", SELECTION_12134)
    assert (caught.value.http_status, caught.value.title, caught.value.api_status) == (400, "Non-existent table", 404)
    assert "SSB table 99999" in str(caught.value)
