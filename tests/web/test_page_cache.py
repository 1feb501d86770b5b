"""The page cache in the real app, on a copy of the session's database: pages, downloads and API answers are
rendered once per data version and sent again as the same bytes; a new version renders them anew."""

from __future__ import annotations

import dataclasses
import shutil
from collections import Counter
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from boligmonitor.store import Store, create_engine_for
from boligmonitor.web.app import CONTENT_SECURITY_POLICY, create_app
from boligmonitor.web.context import PageContext
from boligmonitor.web.monitor import Monitor
from boligmonitor.web.pages import Page
from boligmonitor.web.views import theme

PAGE = "/region/4601/tema/befolkning_boligmarked"


@pytest.fixture(scope="module")
def database(built_database: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("page-cache") / "copy.sqlite"
    shutil.copy(built_database, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def app(database: str) -> FastAPI:
    return create_app(database)


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)  # no lifespan: versions change only when a test reloads


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts the theme view's renders by region code."""
    counts: Counter[str] = Counter()
    render = theme.theme_page

    def counted(ctx: PageContext, code: str, theme_id: str) -> Page:
        counts[code] += 1
        return render(ctx, code, theme_id)

    monkeypatch.setattr(theme, "theme_page", counted)
    return counts


def test_a_page_is_rendered_once_and_sent_again_as_the_same_bytes(client: TestClient, renders: Counter[str]) -> None:
    url = "/region/1103/tema/befolkning_boligmarked?lang=nn"
    first = client.get(url)
    second = client.get(url)
    assert renders["1103"] == 1
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    tag = first.headers["etag"]
    assert tag == second.headers["etag"] and tag.startswith('"') and len(tag) > 20  # strong: a hash of the body
    assert first.headers["cache-control"] == "no-cache"
    assert second.headers["vary"] == "Accept-Encoding"
    assert second.headers["content-encoding"] == "gzip"
    assert second.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert second.headers["x-content-type-options"] == "nosniff"
    assert second.headers["content-type"] == "text/html; charset=utf-8"
    not_modified = client.get(url, headers={"If-None-Match": tag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert renders["1103"] == 1
    head = client.head(url)
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == tag


def test_downloads_and_api_answers_are_kept_with_their_headers(client: TestClient) -> None:
    for url in (PAGE + ".csv", PAGE + ".xlsx", "/api/v1/observations?indicator=BEF03&region=4601"):
        first = client.get(url)
        second = client.get(url, headers={"Accept-Encoding": "identity"})
        assert first.content == second.content, url
        assert first.headers.get("content-disposition") == second.headers.get("content-disposition"), url
        assert first.headers["content-type"] == second.headers["content-type"]
    assert client.get("/api/v1/catalog").headers["cache-control"] == "public, max-age=60"


def test_a_cookie_of_the_monitor_or_an_authorization_bypasses_the_cache(
    client: TestClient, renders: Counter[str]
) -> None:
    url = "/region/1106/tema/befolkning_boligmarked"
    shared = client.get(url)
    for headers in ({"Cookie": "boligmonitor_session=abc"}, {"Authorization": "Basic eDp5"}):
        private = client.get(url, headers=headers)
        assert private.content == shared.content  # no accounts yet: the same page, but rendered for itself
        assert private.headers["cache-control"] == "private, no-cache"
    assert renders["1106"] == 3
    client.get(url)
    assert renders["1106"] == 3


def test_a_new_data_version_renders_pages_anew(database: str, app: FastAPI, client: TestClient) -> None:
    monitor: Monitor = app.state.monitor
    before = client.get(PAGE)
    api_before = client.get("/api/v1/observations?indicator=BEF03&region=4601&year=2024").json()
    observation = monitor.data.tables.observations("BEF03")[("4601", 2024)]
    new_value = round((observation.value or 0) + 11.1, 1)
    store = Store(create_engine_for(database))
    with store.write("import", "SYNTHETIC test change") as writer:
        writer.put_observations([dataclasses.replace(observation, value=new_value, numerator=None, denominator=None)])
    store.close()

    assert client.get(PAGE).content == before.content  # still the loaded version until it is swapped
    monitor.reload()
    after = client.get(PAGE)
    assert after.content != before.content
    assert after.headers["etag"] != before.headers["etag"]
    assert client.get(PAGE, headers={"If-None-Match": before.headers["etag"]}).status_code == 200
    api_after = client.get("/api/v1/observations?indicator=BEF03&region=4601&year=2024").json()
    assert api_after["data_version"]["id"] == api_before["data_version"]["id"] + 1
    assert api_after["observations"][0]["value"] == new_value


def test_a_bug_is_the_monitors_500_page_with_security_headers_and_never_kept(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "/region/1108/tema/befolkning_boligmarked"
    render = theme.theme_page

    def broken(ctx: PageContext, code: str, theme_id: str) -> Page:
        raise RuntimeError("SYNTHETIC bug")

    monkeypatch.setattr(theme, "theme_page", broken)
    failed = TestClient(app, raise_server_exceptions=False).get(url)
    assert failed.status_code == 500
    assert failed.headers["content-type"] == "text/html; charset=utf-8" and '<html lang="nb"' in failed.text
    assert failed.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    monkeypatch.setattr(theme, "theme_page", render)
    assert TestClient(app).get(url).status_code == 200
