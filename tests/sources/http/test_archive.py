"""The raw-response archive: byte-exact round trips, stable keys, corrupt entries skipped."""

from __future__ import annotations

import hashlib
import json
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from boligmonitor.sources.connectors.http.archive import (
    ArchivedRequest,
    ResponseArchive,
    kept_headers,
    request_key,
    table_id_from_url,
)

URL = "https://data.ssb.no/api/pxwebapi/v2/tables/12134/data"
FETCHED = datetime(2026, 4, 25, 10, 0, tzinfo=UTC)
HEADERS = {
    "Content-Type": "application/json; charset=UTF-8",
    "Date": "Sat, 25 Apr 2026 10:00:00 GMT",
    "ETag": '"abc"',
    "X-RateLimit-Remaining": "39",
    "Set-Cookie": "session=secret",
    "Server": "nginx",
}


def store_one(
    archive: ResponseArchive, body: bytes, params: dict[str, str] | None = None, when: datetime = FETCHED
) -> str:
    request = ArchivedRequest.of("GET", URL, params or {"lang": "no"})
    archive.store(request.key, request, 200, HEADERS, body, when, "2026-03-16T07:00:00Z")
    return request.key


def test_round_trip_is_byte_exact_with_real_response(tmp_path: Path, api_fixtures: Path) -> None:
    body = (api_fixtures / "ssb_pxwebapi_v2_12134_jsonstat2.json").read_bytes()
    archive = ResponseArchive(tmp_path / "archive")
    key = store_one(archive, body)
    loaded = archive.get(key)
    assert loaded is not None
    assert loaded.body == body
    assert (tmp_path / "archive" / f"{key}.body").read_bytes() == body
    assert loaded.status == 200
    assert loaded.fetched_at == FETCHED
    assert loaded.table_id == "12134"
    assert loaded.table_updated == "2026-03-16T07:00:00Z"
    assert loaded.request == ArchivedRequest.of("GET", URL, {"lang": "no"})
    assert loaded.json()["label"].startswith("12134")
    # Only the headers worth keeping, names lower-cased; nothing identifying the session.
    assert loaded.headers == {
        "content-type": "application/json; charset=UTF-8",
        "date": "Sat, 25 Apr 2026 10:00:00 GMT",
        "etag": '"abc"',
        "x-ratelimit-remaining": "39",
    }
    assert archive.warnings == []


@given(body=st.binary(max_size=2000))
def test_any_bytes_round_trip(body: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        archive = ResponseArchive(Path(directory))
        key = store_one(archive, body)
        loaded = archive.get(key)
        assert loaded is not None
        assert loaded.body == body


def test_index_traces_every_store(tmp_path: Path) -> None:
    archive = ResponseArchive(tmp_path)
    key = store_one(archive, b'{"v": 1}')
    store_one(archive, b'{"v": 2}', when=FETCHED + timedelta(days=1))  # same request, refetched
    lines = [json.loads(line) for line in archive.index_path.read_text("utf-8").splitlines()]
    assert [line["key"] for line in lines] == [key, key]
    assert lines[0]["body_sha256"] != lines[1]["body_sha256"]
    assert lines[0]["url"] == URL
    assert lines[0]["table_id"] == "12134"
    loaded = archive.get(key)
    assert loaded is not None
    assert loaded.body == b'{"v": 2}'  # the files hold the latest fetch


def test_no_temporary_files_left(tmp_path: Path) -> None:
    archive = ResponseArchive(tmp_path)
    key = store_one(archive, b"{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"{key}.body", f"{key}.json", "index.jsonl", "bodies"])
    assert [p.name for p in (tmp_path / "bodies").iterdir()] == [f"{hashlib.sha256(b'{}').hexdigest()}.body"]


def test_entries_and_latest_for_table(tmp_path: Path) -> None:
    archive = ResponseArchive(tmp_path)
    old = store_one(archive, b"[1]", {"lang": "no"}, FETCHED)
    new = store_one(archive, b"[2]", {"lang": "en"}, FETCHED + timedelta(hours=1))
    request = ArchivedRequest.of("GET", "https://data.ssb.no/api/klass/v1/classifications/131/codesAt")
    archive.store(request.key, request, 200, {}, b"{}", FETCHED + timedelta(days=2), None)
    assert {entry.key for entry in archive.entries()} == {old, new, request.key}
    latest = archive.latest_for_table("12134")
    assert latest is not None
    assert latest.key == new
    assert archive.latest_for_table("99999") is None
    assert archive.get("0" * 64) is None


def test_metadata_without_body_is_skipped_with_warning(tmp_path: Path) -> None:
    archive = ResponseArchive(tmp_path)
    broken = store_one(archive, b"[1]", {"lang": "no"})
    good = store_one(archive, b"[2]", {"lang": "en"})
    (tmp_path / f"{broken}.body").unlink()
    assert archive.get(broken) is None
    assert [entry.key for entry in archive.entries()] == [good]
    assert len(archive.warnings) == 1
    assert broken in archive.warnings[0]
    assert "metadata without body" in archive.warnings[0]


def test_body_hash_mismatch_is_skipped(tmp_path: Path) -> None:
    archive = ResponseArchive(tmp_path)
    key = store_one(archive, b'{"value": [81240]}')
    (tmp_path / f"{key}.body").write_bytes(b'{"value": [81241]}')
    assert archive.get(key) is None
    assert list(archive.entries()) == []
    assert "SHA-256" in archive.warnings[0]


def test_truncated_or_foreign_metadata_is_skipped(tmp_path: Path) -> None:
    archive = ResponseArchive(tmp_path)
    first = store_one(archive, b"[1]", {"lang": "no"})
    second = store_one(archive, b"[2]", {"lang": "en"})
    meta = tmp_path / f"{first}.json"
    meta.write_text(meta.read_text("utf-8")[:40], encoding="utf-8")
    other = json.loads((tmp_path / f"{second}.json").read_text("utf-8"))
    other["format"] = 99
    (tmp_path / f"{second}.json").write_text(json.dumps(other), encoding="utf-8")
    assert list(archive.entries()) == []
    assert len(archive.warnings) == 2


def test_request_key_ignores_dict_ordering() -> None:
    body_a = {"selection": [{"variableCode": "Region", "valueCodes": ["0301"]}], "placement": {"heading": ["Tid"]}}
    body_b = {"placement": {"heading": ["Tid"]}, "selection": [{"valueCodes": ["0301"], "variableCode": "Region"}]}
    params_a = {"lang": "no", "outputFormat": "json-stat2"}
    params_b = {"outputFormat": "json-stat2", "lang": "no"}
    assert request_key("post", URL, params_a, body_a) == request_key("POST", URL, params_b, body_b)
    assert request_key("GET", URL, {"Tid": 2024}, None) == request_key("GET", URL, {"Tid": ["2024"]}, None)
    assert request_key("GET", URL, None, None) == request_key("GET", URL, {}, None)


def test_request_key_distinguishes_real_differences() -> None:
    keys = {
        request_key("GET", URL, {"lang": "no"}, None),
        request_key("GET", URL, {"lang": "en"}, None),
        request_key("POST", URL, {"lang": "no"}, None),
        request_key("GET", URL + "x", {"lang": "no"}, None),
        request_key("GET", URL, {"lang": "no"}, {"a": 1}),
        request_key("GET", URL, {"Tid": ["2023", "2024"]}, None),
        request_key("GET", URL, {"Tid": ["2024", "2023"]}, None),  # order of values goes on the wire
    }
    assert len(keys) == 7


def test_request_key_is_sha256_of_documented_canonical_json() -> None:
    # Pinned so that archives written by one version stay addressable by the next (format in docs/http.md).
    canonical = b'{"body":null,"method":"GET","params":{"b":["1"]},"url":"https://example.test/a"}'
    assert request_key("get", "https://example.test/a", {"b": 1}, None) == hashlib.sha256(canonical).hexdigest()
    assert request_key("GET", "https://example.test/a", {"b": "1"}, None) == (
        "15bffa7fd419deab10d67d933377a3d9c07a6db113a95e084ed374d503ab7580"
    )


def test_rejects_bad_keys_and_naive_times(tmp_path: Path) -> None:
    archive = ResponseArchive(tmp_path)
    request = ArchivedRequest.of("GET", URL)
    with pytest.raises(ValueError, match="hex"):
        archive.store("../escape", request, 200, {}, b"", FETCHED, None)
    with pytest.raises(ValueError, match="hex"):
        archive.get("../../etc/passwd")
    with pytest.raises(ValueError, match="timezone"):
        archive.store(request.key, request, 200, {}, b"", datetime(2026, 1, 1), None)
    with pytest.raises(ValueError, match="UTC"):
        archive.store(
            request.key, request, 200, {}, b"", datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2))), None
        )
    assert list(tmp_path.iterdir()) == []


def test_table_id_from_url() -> None:
    assert table_id_from_url(URL) == "12134"
    assert table_id_from_url("https://data.ssb.no/api/pxwebapi/v2/tables/12134/metadata?lang=no") == "12134"
    assert table_id_from_url("https://data.ssb.no/api/v0/no/table/07221") == "07221"
    assert table_id_from_url("https://data.ssb.no/api/klass/v1/classifications/131") is None


def test_kept_headers() -> None:
    assert kept_headers({"Last-Modified": "x", "X-RateLimit-Policy": "40;w=60s", "Via": "proxy"}) == {
        "last-modified": "x",
        "x-ratelimit-policy": "40;w=60s",
    }


def test_every_fetched_body_stays_readable_by_its_hash(tmp_path: Path) -> None:
    """A new publication replaces the latest body under the request key, but the older bytes stay traceable."""
    archive = ResponseArchive(tmp_path)
    request = ArchivedRequest.of("POST", "http://127.0.0.1/api/pxwebapi/v2/tables/90001/data", None, {"a": 1})
    first_body = b'{"updated": "2026-03-16T07:00:00Z", "value": [1]}'
    second_body = b'{"updated": "2026-03-17T07:00:00Z", "value": [2]}'
    when = datetime(2026, 3, 16, 8, 0, tzinfo=UTC)
    first = archive.store(request.key, request, 200, {}, first_body, when, "2026-03-16T07:00:00Z")
    second = archive.store(request.key, request, 200, {}, second_body, when, "2026-03-17T07:00:00Z")
    latest = archive.get(request.key)
    assert latest is not None
    assert latest.body == second_body
    assert archive.body_by_hash(first.body_sha256) == first_body
    assert archive.body_by_hash(second.body_sha256) == second_body
    assert [entry["body_sha256"] for entry in archive.history(request.key)] == [first.body_sha256, second.body_sha256]
