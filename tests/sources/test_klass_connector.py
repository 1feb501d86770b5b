"""KLASS connector: the real codesAt response for 131 served in memory; requests checked path by path."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import httpx
import pytest

from boligmonitor.sources.connectors.klass import (
    COUNTIES,
    KOSTRA_GROUPS,
    MUNICIPALITIES,
    changes,
    codes,
    codes_at,
    corresponds_at,
)
from boligmonitor.sources.connectors.ssb import KLASS_BASE_URL, SsbApiError
from boligmonitor.sources.readers.klass_files import read_klass_codes
from boligmonitor.sources.readers.klass_records import KlassChange
from tests.sources.ssb import MockHttp, relative_path, serve


@pytest.fixture(scope="module")
def codes_at_path(api_fixtures: Path) -> Path:
    return api_fixtures / "klass_131_codesAt_2026-01-01.json"


def test_codes_at_reads_the_real_131_response(codes_at_path: Path) -> None:
    http = serve({"classifications/131/codesAt.json": codes_at_path.read_bytes()}, base_url=KLASS_BASE_URL)
    found = codes_at(http, MUNICIPALITIES, date(2026, 1, 1))

    (request,) = http.sent
    assert request.method == "GET"
    assert str(request.url).startswith("https://data.ssb.no/api/klass/v1/classifications/131/codesAt.json?")
    assert dict(request.url.params) == {"date": "2026-01-01", "language": "nb"}
    assert len(found) == 358
    by_code = {c.code: c for c in found}
    assert by_code["0301"].name == "Oslo - Oslove"
    assert by_code["9999"].name == "Uoppgitt"
    assert all(c.level == "1" and c.parent_code is None and c.valid_from is None for c in found)
    # Same records as the file reader gives for the same body: live and stored input are interchangeable.
    assert found == read_klass_codes(codes_at_path)


def test_codes_at_passes_the_language() -> None:
    http = serve({"classifications/104/codesAt.json": b'{"codes": []}'}, base_url=KLASS_BASE_URL)
    assert codes_at(http, COUNTIES, date(2024, 1, 1), language="nn") == []
    assert http.sent[0].url.params["language"] == "nn"


def test_codes_over_a_period_keeps_validity() -> None:
    synthetic = {
        "codes": [
            {
                "code": "3002",
                "parentCode": None,
                "level": "1",
                "name": "Moss",
                "shortName": "",
                "presentationName": "",
                "validFrom": "2020-01-01",
                "validTo": "2024-01-01",
                "validFromInRequestedRange": "2020-01-01",
                "validToInRequestedRange": "2024-01-01",
                "notes": "",
            }
        ]
    }
    http = serve({"classifications/131/codes.json": json.dumps(synthetic).encode()}, base_url=KLASS_BASE_URL)
    (moss,) = codes(http, MUNICIPALITIES, date(2015, 1, 1), date(2025, 1, 1))
    assert (moss.valid_from, moss.valid_to) == (date(2020, 1, 1), date(2024, 1, 1))
    assert dict(http.sent[0].url.params) == {"from": "2015-01-01", "to": "2025-01-01", "language": "nb"}


def test_changes_reads_code_changes_and_sends_include_future() -> None:
    synthetic = {
        "codeChanges": [
            {
                "oldCode": "3002",
                "oldName": "Moss",
                "oldShortName": "",
                "newCode": "3103",
                "newName": "Moss",
                "newShortName": "",
                "changeOccurred": "2024-01-01",
            }
        ]
    }
    http = serve({"classifications/131/changes.json": json.dumps(synthetic).encode()}, base_url=KLASS_BASE_URL)
    found = changes(http, MUNICIPALITIES, date(2023, 12, 31), date(2024, 1, 2), include_future=True)
    assert found == [KlassChange("3002", "Moss", "", "3103", "Moss", "", date(2024, 1, 1))]
    assert dict(http.sent[0].url.params) == {
        "from": "2023-12-31",
        "to": "2024-01-02",
        "includeFuture": "true",
        "language": "nb",
    }


def test_corresponds_at_municipality_to_county() -> None:
    synthetic = {
        "correspondenceItems": [
            {"sourceCode": "3103", "sourceName": "Moss", "targetCode": "31", "targetName": "Østfold"},
            {"sourceCode": "0301", "sourceName": "Oslo", "targetCode": "03", "targetName": "Oslo"},
        ]
    }
    http = serve({"classifications/131/correspondsAt.json": json.dumps(synthetic).encode()}, base_url=KLASS_BASE_URL)
    found = corresponds_at(http, MUNICIPALITIES, COUNTIES, date(2024, 1, 1))
    assert [(c.source_code, c.target_code) for c in found] == [("3103", "31"), ("0301", "03")]
    assert dict(http.sent[0].url.params) == {"targetClassificationId": "104", "date": "2024-01-01", "language": "nb"}


def test_errors_and_malformed_bodies_name_the_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if relative_path(request, KLASS_BASE_URL).startswith("classifications/112"):
            return httpx.Response(404, content=b'{"error":"not found"}')
        return httpx.Response(200, content=b'{"codes": [{"code": "01"}]}')

    http = MockHttp(handler, base_url=KLASS_BASE_URL)
    with pytest.raises(SsbApiError, match=r"KLASS 112 codesAt 2024-01-01: .*HTTP 404"):
        codes_at(http, KOSTRA_GROUPS, date(2024, 1, 1))
    with pytest.raises(SsbApiError, match=r"codes\[0\]\.name is missing"):
        codes_at(http, MUNICIPALITIES, date(2024, 1, 1))
    with pytest.raises(SsbApiError, match="codeChanges"):
        changes(http, MUNICIPALITIES, date(2020, 1, 1), date(2021, 1, 1))


@pytest.mark.parametrize(
    ("synthetic_change", "named"),
    [
        # the date is checked first, then the fields in KLASS's order (old code, names, new code, ...)
        ({"oldCode": "", "newCode": "0301", "changeOccurred": "soon"}, "changeOccurred"),
        ({"oldCode": "0301", "oldName": 1.5, "newCode": "", "changeOccurred": "2020-01-01"}, "oldName"),
        ({"oldCode": "0301", "newCode": "", "newName": [], "changeOccurred": "2020-01-01"}, "newCode"),
    ],
)
def test_a_bad_change_names_its_first_bad_field(synthetic_change: dict[str, object], named: str) -> None:
    body = json.dumps({"codeChanges": [synthetic_change]}).encode()
    http = serve({"classifications/131/changes.json": body}, base_url=KLASS_BASE_URL)
    with pytest.raises(SsbApiError, match=rf"codeChanges\[0\]\.{named} "):
        changes(http, MUNICIPALITIES, date(2020, 1, 1), date(2021, 1, 1))
