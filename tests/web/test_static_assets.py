"""Static assets: pages link them with fingerprints; the fingerprinted URL may be kept for a year."""

from __future__ import annotations

import hashlib
import re

from fastapi.testclient import TestClient

from boligmonitor.web.app import CONTENT_SECURITY_POLICY
from boligmonitor.web.static_assets import IMMUTABLE, static_directory

LINK = re.compile(r'(?:href|src)="/static/([^"?]+)\?v=([0-9a-f]+)"')


def test_every_static_link_carries_the_fingerprint_of_the_file(web_client: TestClient) -> None:
    html = web_client.get("/").text
    links = LINK.findall(html)
    assert {name for name, _ in links} >= {"app.css", "app.js", "favicon.svg", "vendor/designsystemet.css"}
    assert "/static/" not in LINK.sub("", html)  # no link without one
    for name, fingerprint in links:
        content = (static_directory() / name).read_bytes()
        assert hashlib.sha256(content).hexdigest().startswith(fingerprint)


def test_a_fingerprinted_asset_is_immutable_and_the_bare_url_revalidates(web_client: TestClient) -> None:
    name, fingerprint = next(link for link in LINK.findall(web_client.get("/").text) if link[0] == "app.css")
    content = (static_directory() / name).read_bytes()
    current = web_client.get(f"/static/{name}?v={fingerprint}")
    assert current.status_code == 200
    assert current.content == content
    assert current.headers["cache-control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert current.headers["content-type"] == "text/css; charset=utf-8"
    assert current.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert current.headers["vary"] == "Accept-Encoding"
    tag = current.headers["etag"]
    assert not tag.startswith("W/")
    for url in (f"/static/{name}", f"/static/{name}?v=0000"):  # unversioned or stale: the current file, revalidated
        other = web_client.get(url)
        assert other.content == content and other.headers["cache-control"] == "no-cache"
    not_modified = web_client.get(f"/static/{name}?v={fingerprint}", headers={"If-None-Match": tag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    head = web_client.head(f"/static/{name}?v={fingerprint}")
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == tag


def test_an_unknown_static_file_is_the_404_page(web_client: TestClient) -> None:
    response = web_client.get("/static/nope.css")
    assert response.status_code == 404
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
