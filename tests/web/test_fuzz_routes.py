"""Every route of the app, with generated path and query parameters, is answered: never a 5xx, always the
security headers, a relative Location on a redirect and no body for HEAD (issue 11, "every request is answered").

The routes are enumerated from ``app.routes`` (routers included in the app are walked), so a new page or
endpoint is fuzzed without touching this file. Parameters are drawn from values that reach real data (region
codes, theme and indicator ids, the pages' own words), mixed with Unicode text, long strings, negative and huge
numbers and floats written every way Python can. Hypothesis runs derandomised with a fixed budget per route,
so a run takes seconds and cannot flake. Left out for time: the fact sheet's PDF (2–3 s per rendering; the
PDF has its own tests in test_factsheet.py), reached here only with codes that are not municipalities.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import BaseRoute, Mount, Route

from boligmonitor.geo.groups import SizeGroup
from boligmonitor.web.app import SECURITY_HEADERS
from boligmonitor.web.downloads import FORMATS
from boligmonitor.web.static_assets import static_assets

EXAMPLES_PER_ROUTE = 20
REGIONS = ["0301", "4601", "46", "0"]
INDICATORS = ["BEF03", "BEF14", "BEF16"]
THEMES = ["eldre_og_bolig", "bostedslose"]
SUFFIXES = ["", *(f".{fmt}" for fmt in FORMATS)]
METHODS = ["GET"] * 12 + ["HEAD", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]

# Values that reach real data, per query parameter (pages and API).
KNOWN_VALUES: dict[str, list[str]] = {
    "lang": ["nb", "nn", "en"],
    "visning": ["andel", "antall", "forholdstall"],
    "sammenlign": ["landet", "fylket", "kostragruppen", "storrelse", "lignende"],
    "ar": ["2023", "2010", "2024"],
    "fylke": ["03", "46", "11"],
    "kostragruppe": ["EKG13", "13"],
    "storrelse": [group.value for group in SizeGroup],
    "kommune": ["0301", "4601", "Bergen", "1103"],
    "marker": ["0301", "4601"],
    "sorter": ["verdi", "navn", "nummer"],
    "retning": ["asc", "desc"],
    "modell": ["husbanken"],
    "vekter": ["BEF03=6", "FL01=2:-"],
    "normalisering": ["zscore", "minmax", "rank"],
    "dekning": ["0.5", "0,8", "1"],
    "krymping": ["ja", "nei"],
    "q": ["Oslo", "0301", "Bergen"],
    "til": ["tema/eldre_og_bolig", "indikator/BEF03"],
    "tema": THEMES,
    "indicator": INDICATORS,
    "region": REGIONS,
    "year": ["2023", "2020"],
    "limit": ["5", "1"],
    "offset": ["0", "3"],
    "level": ["municipality", "county"],
    "benchmark": ["norway", "county", "peers"],
    "county": ["03", "46"],
}

COMMON = ("lang", "visning", "sammenlign")
# The query parameters each page reads (pages do not declare them to FastAPI, the API's routes do).
PAGE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "/indikator/": (*COMMON, "ar", "fylke", "kostragruppe", "storrelse", "kommune", "marker", "sorter", "retning"),
    "/sammenlign": (*COMMON, "kommune", "kommune", "tema"),
    "/rangering": (*COMMON, "fylke", "kommune", "modell", "vekter", "normalisering", "dekning", "ar", "krymping"),
    "/velg": (*COMMON, "q", "til"),
}


def page_parameters(template: str) -> tuple[str, ...]:
    for prefix, names in PAGE_PARAMETERS.items():
        if template.startswith(prefix):
            return names
    return COMMON


# What an attacker or a broken link sends.
junk_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
digits_of_every_script = st.text(st.characters(categories=("Nd", "No")), min_size=1, max_size=6)  # "²", "٢٠٢٣"
junk_values = st.one_of(
    junk_text,
    digits_of_every_script,
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats().map(repr),
    st.sampled_from(["²", "٢٠٢٣", "EKG١٣", "-1", "1e400", "nan", "inf", "0x10", "2_023", " 2023", "2023.0", "+2023"]),
    st.sampled_from(["<script>", "%00", "..", "../..", "//evil.example", "\\\\evil.example", "'; --"]),
    st.text(min_size=490, max_size=520),
    st.just("9" * 5000),
)


def mostly(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Four draws in five from ``valid``, else junk: a bug usually needs the rest of the request to be right.
    (``st.one_of`` would not do: Hypothesis draws its branches as it likes, mostly the junk.)"""
    return st.sampled_from([valid, valid, valid, valid, junk_values]).flatmap(lambda chosen: chosen)


@dataclass(frozen=True)
class Target:
    """A route to fuzz: its path template, its path parameters and the query parameters it reads."""

    template: str
    path_parameters: tuple[str, ...]
    query_parameters: tuple[str, ...]
    method: str = "GET"  # what the route answers (the fuzzing sends any method)


def leaf_routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """The app's routes with included routers opened (FastAPI keeps an included router as one entry)."""
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from leaf_routes(nested.routes)
        else:
            yield route


def targets(app: FastAPI) -> list[Target]:
    found = []
    for route in leaf_routes(app.routes):
        if isinstance(route, Mount):
            found.append(Target(route.path + "/{path}", ("path",), ("v",)))
        elif isinstance(route, APIRoute):
            query = tuple(parameter.name for parameter in route.dependant.query_params)
            methods = route.methods or {"GET"}
            method = "GET" if "GET" in methods else sorted(methods)[0]
            parameters = query or page_parameters(route.path)
            found.append(Target(route.path, tuple(route.param_convertors), parameters, method))
        elif isinstance(route, Route):
            found.append(Target(route.path, tuple(route.param_convertors), ()))
    return found


def path_values(target: Target, name: str) -> st.SearchStrategy[str]:
    template = target.template
    if name == "path":  # under /static/
        return mostly(st.sampled_from(sorted(static_assets())))
    if name == "fmt":  # a download sibling; the fact sheet's PDF only with junk (see the module's note)
        return mostly(st.sampled_from(FORMATS))
    if name == "code":
        return mostly(st.sampled_from(REGIONS))
    if "/tema/" in template:
        stems = THEMES
    elif "/indikator/" in template:
        stems = INDICATORS
    else:
        stems = REGIONS
    return mostly(st.tuples(st.sampled_from(stems), st.sampled_from(SUFFIXES)).map("".join))


def known_values(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(KNOWN_VALUES[name]) if name in KNOWN_VALUES else junk_text


def query_pairs(target: Target) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Parameters the route reads with values that reach real data, then at most one poisoned: a known or
    junk name with a junk value (last, so that it is the value read when the name is repeated)."""
    if not target.query_parameters:
        return st.lists(st.tuples(junk_text, junk_values), max_size=2)
    own = st.sampled_from(target.query_parameters)
    valid = own.flatmap(lambda name: st.tuples(st.just(name), known_values(name)))
    poisoned_name = st.sampled_from([own, own, own, st.sampled_from(sorted(KNOWN_VALUES)), junk_text])
    poisoned = st.tuples(poisoned_name.flatmap(lambda chosen: chosen), junk_values)
    return st.tuples(st.lists(valid, max_size=4), st.lists(poisoned, max_size=1)).map(lambda parts: parts[0] + parts[1])


def fill(template: str, name: str, value: str) -> str:
    """``template`` with its path parameter ``name`` (``{name}`` or ``{name:converter}``) replaced by ``value``."""
    return re.sub(r"\{" + re.escape(name) + r"(:[^}]*)?\}", lambda _: value, template)


@st.composite
def requests_for(draw: st.DrawFn, target: Target) -> tuple[str, str]:
    path = target.template
    for name in target.path_parameters:
        value = draw(path_values(target, name))
        path = fill(path, name, quote(value, safe=""))
    query = urlencode(draw(query_pairs(target)))
    return draw(st.sampled_from(METHODS)), path + ("?" + query if query else "")


def fuzz(client: TestClient, target: Target) -> None:
    """Requests for one route, each answered below 500 with the security headers (see the module)."""

    @given(requests_for(target))
    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answered(request: tuple[str, str]) -> None:
        method, url = request
        response = client.request(method, url, follow_redirects=False)
        assert response.status_code < 500, f"{method} {url}: {response.text[:300]}"
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, f"{method} {url}: {name}"
        if 300 <= response.status_code < 400 and response.status_code != 304:
            location = response.headers["location"]
            assert location.startswith("/") and not location.startswith("//"), location
        if method == "HEAD":
            assert response.content == b""

    answered()


def test_every_route_answers_every_request(web_client: TestClient) -> None:
    app = web_client.app
    assert isinstance(app, FastAPI)
    found = targets(app)
    assert {"/region/{code}/tema/{segment}", "/api/v1/observations", "/static/{path}"} <= {t.template for t in found}
    for target in found:
        fuzz(web_client, target)


def plain_request(target: Target) -> str:
    """A request for ``target`` with the first known value of each parameter (and what the route needs)."""
    path = target.template
    for name in target.path_parameters:
        value = {"path": "app.css", "fmt": "csv", "code": "0301"}.get(name)
        if value is None:
            value = THEMES[0] if "/tema/" in path else INDICATORS[0] if "/indikator/" in path else REGIONS[0]
        path = fill(path, name, value)
    return path + NEEDED_QUERY.get(target.template, "")


NEEDED_QUERY = {
    "/sammenlign.{fmt}": "?kommune=0301",  # a comparison of nothing has nothing to download
    "/api/v1/observations": "?indicator=BEF03",
    "/api/v1/comparisons": "?region=0301",
    "/api/v1/rankings": "?indicator=BEF03",
}


def test_the_fuzzed_routes_are_the_apps_routes(web_client: TestClient) -> None:
    """Each enumerated template, filled with known values, reaches its route (an answer, a redirect, or a
    refusal to someone not signed in): the enumeration and the templates are the app's own, so the fuzzing
    above reaches real pages too."""
    app = web_client.app
    assert isinstance(app, FastAPI)
    unreached = []
    for target in targets(app):
        response = web_client.request(target.method, plain_request(target), follow_redirects=False)
        expected = REFUSED_WITH_KNOWN_VALUES.get((target.method, target.template))
        if not (response.status_code < 400 or response.status_code in (401, 403, expected)):
            unreached.append((target.method, target.template, response.status_code))
    assert not unreached


# Routes whose every request without a secret is refused: an invitation's token is only ever in its link, a
# sign-in form posted without its fields is a 400 naming them, and OpenID Connect is not configured here.
REFUSED_WITH_KNOWN_VALUES = {
    ("GET", "/logg-inn/oidc"): 404,
    ("GET", "/logg-inn/oidc/svar"): 404,
    ("GET", "/invitasjon/{token}"): 404,
    ("POST", "/invitasjon/{token}"): 404,
    ("POST", "/logg-inn"): 400,
}


@pytest.mark.parametrize("url", ["/region/46/faktaark.pdf", "/region/9999/faktaark.pdf", "/region/%C2%B2/faktaark.pdf"])
def test_a_fact_sheet_pdf_for_no_municipality_is_a_404(web_client: TestClient, url: str) -> None:
    response = web_client.get(url)
    assert response.status_code == 404
    assert response.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
