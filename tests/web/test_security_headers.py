"""Every response carries the security headers, whatever its status; HEAD works wherever GET does; redirects
are relative; an XLSX download is the same bytes on every request of one data version (issue 11, item 4).

Before: a 500 raised outside the page cache (any method but GET and HEAD) had no security headers, because
the exception handler ran outside the header middleware; ``/api/v1`` redirected to ``http://<Host header>/api/v1/``;
two requests for one ``.xlsx`` differed in ``docProps/core.xml`` (the time of writing) and in the ZIP entries' times.
"""

from __future__ import annotations

import datetime as dt
import io
import time
import types
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import load_workbook

from boligmonitor.web.app import SECURITY_HEADERS, create_app
from boligmonitor.web.monitor import MonitorData

FAILURE_PATH = "/test/feil"


def raise_a_bug() -> None:
    raise RuntimeError("a bug in a view (synthetic, for this test)")


@pytest.fixture(scope="module")
def client(built_database: Path) -> Iterator[TestClient]:
    """The monitor with one extra route that raises, as a bug in a view would; server errors are answered,
    not raised into the test."""
    app = create_app(f"sqlite:///{built_database}")
    app.add_api_route(FAILURE_PATH, raise_a_bug, methods=["GET", "POST"], include_in_schema=False)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def assert_security_headers(response: Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, f"{response.status_code} {response.url}: {name}"


def etag_of(client: TestClient, url: str) -> str:
    tag = client.get(url).headers["etag"]
    assert isinstance(tag, str)
    return tag


@pytest.mark.parametrize(
    ("method", "url", "headers", "status"),
    [
        ("GET", "/", {}, 200),
        ("GET", "/region/0301.csv", {}, 200),
        ("GET", "/api/v1/regions", {}, 200),
        ("GET", "/static/app.css", {}, 200),
        ("GET", "/openapi.json", {}, 200),
        ("GET", "/velg?q=0301", {}, 303),
        ("GET", "/api/v1", {}, 307),
        ("GET", "/region/0301/", {}, 307),
        ("GET", "/indikator/BEF14?ar=%C2%B2", {}, 400),
        ("GET", "/api/v1/observations?indicator=BEF14&year=%C2%B2", {}, 400),
        ("GET", "/finnes-ikke", {}, 404),
        ("GET", "/api/v1/finnes-ikke", {}, 404),
        ("GET", "/static/finnes-ikke.css", {}, 404),
        ("POST", "/", {}, 405),
        ("DELETE", "/api/v1/regions", {}, 405),
        ("PUT", "/static/app.css", {}, 405),
        ("GET", FAILURE_PATH, {}, 500),
        ("GET", FAILURE_PATH, {"Authorization": "Bearer x"}, 500),  # rendered for itself, outside the cache
        ("POST", FAILURE_PATH, {}, 500),  # never enters the page cache
        ("HEAD", FAILURE_PATH, {}, 500),
        ("HEAD", "/finnes-ikke", {}, 404),
        ("HEAD", "/indikator/BEF14?ar=%C2%B2", {}, 400),
    ],
)
def test_every_status_carries_the_security_headers(
    client: TestClient, method: str, url: str, headers: dict[str, str], status: int
) -> None:
    response = client.request(method, url, headers=headers, follow_redirects=False)
    assert response.status_code == status
    assert_security_headers(response)


def test_the_500_page_is_in_the_pages_language(client: TestClient) -> None:
    response = client.post(f"{FAILURE_PATH}?lang=en")
    assert response.status_code == 500
    assert "An unexpected error occurred." in response.text
    assert "a bug in a view" not in response.text  # the error is logged, not shown


def test_a_500_is_answered_even_when_the_error_page_fails(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_error_page(*_: object) -> None:
        raise RuntimeError("the error page fails too (synthetic)")

    monkeypatch.setattr("boligmonitor.web.app.error_page", broken_error_page)
    response = client.post(FAILURE_PATH)
    assert response.status_code == 500
    assert response.text == "500 Internal Server Error"
    assert_security_headers(response)


@pytest.mark.parametrize("url", ["/", "/region/0301.xlsx", "/api/v1/regions", "/static/app.css"])
def test_a_304_carries_the_security_headers(client: TestClient, url: str) -> None:
    response = client.get(url, headers={"If-None-Match": etag_of(client, url)})
    assert response.status_code == 304
    assert_security_headers(response)


# ------------------------------------------------------------------------------------------------- HEAD


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/region/0301",
        "/region/0301/tema/eldre_og_bolig",
        "/indikator/BEF14.xlsx",
        "/rangering.csv",
        "/region/0301/faktaark",
        "/api/v1/",
        "/api/v1/rankings?indicator=BEF14",
        "/openapi.json",
        "/static/app.css",
        "/static/favicon.svg",
        "/finnes-ikke",
        "/api/v1",
    ],
)
@pytest.mark.parametrize("private", [False, True])
def test_head_answers_like_get_without_a_body(client: TestClient, url: str, private: bool) -> None:
    headers = {"Authorization": "Bearer x"} if private else {}
    got = client.get(url, headers=headers, follow_redirects=False)
    head = client.head(url, headers=headers, follow_redirects=False)
    assert head.status_code == got.status_code
    assert head.content == b""
    for name in ("content-type", "content-length", "etag", "location", "cache-control", *SECURITY_HEADERS):
        assert head.headers.get(name) == got.headers.get(name), name


# -------------------------------------------------------------------------------------------- redirects


@pytest.mark.parametrize(
    ("url", "location"),
    [
        ("/api/v1", "/api/v1/"),
        ("/api/v1?lang=en", "/api/v1/?lang=en"),
        ("/region/0301/", "/region/0301"),
        ("/region/0301/tema/eldre_og_bolig/?visning=antall", "/region/0301/tema/eldre_og_bolig?visning=antall"),
        ("/region/%C3%A6/", "/region/%C3%A6"),
        ("/velg?q=0301", "/region/0301"),
    ],
)
def test_redirects_are_relative_whatever_the_host_header(client: TestClient, url: str, location: str) -> None:
    response = client.get(url, headers={"Host": "evil.example"}, follow_redirects=False)
    assert response.status_code in (303, 307)
    assert response.headers["location"] == location
    assert "evil.example" not in response.headers["location"]


@pytest.mark.parametrize("url", ["//evil.example/", "/region//", "/%2F%2Fevil.example/"])
def test_no_redirect_leaves_the_site(client: TestClient, url: str) -> None:
    response = client.get(url, follow_redirects=False)
    location = response.headers.get("location", "/")
    assert location.startswith("/") and not location.startswith("//")
    assert response.status_code < 500


# ------------------------------------------------------------------------------------------------ XLSX


class LaterDatetime(dt.datetime):
    """``datetime.datetime`` an hour ahead: what openpyxl's writer reads as the time of writing."""

    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> LaterDatetime:
        later = dt.datetime.now(tz) + dt.timedelta(hours=1)
        return cls(*later.timetuple()[:6], tzinfo=later.tzinfo)


@pytest.mark.parametrize("url", ["/indikator/BEF14.xlsx", "/region/0301/tema/eldre_og_bolig.xlsx", "/rangering.xlsx"])
def test_an_xlsx_download_is_the_same_bytes_on_every_request(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    """Rendered twice (Authorization keeps it out of the page cache), an hour apart as the writer sees it."""
    private = {"Authorization": "Bearer x"}
    first = client.get(url, headers=private)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3600)  # the ZIP entries' dates
    later = types.SimpleNamespace(datetime=LaterDatetime, timezone=dt.timezone)  # the module openpyxl imports
    monkeypatch.setattr("openpyxl.writer.excel.datetime", later)
    second = client.get(url, headers=private)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert first.headers["etag"] == second.headers["etag"]


def test_the_xlsx_dates_are_the_data_versions(client: TestClient) -> None:
    data = cast(FastAPI, client.app).state.monitor.data
    assert isinstance(data, MonitorData) and data.version is not None
    created = data.version.created_at.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    body = client.get("/indikator/BEF14.xlsx").content
    properties = load_workbook(io.BytesIO(body), read_only=True).properties
    assert properties.created == properties.modified == created
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert {info.date_time[:5] for info in archive.infolist()} == {created.timetuple()[:5]}
