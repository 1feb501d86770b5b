"""The JSON API of the programme analysis for signed-in users: the same figures as the pages' downloads, with
their provenance (data version, years, membership, group sizes), and errors as the API's JSON problems."""

from __future__ import annotations

import csv
import io

from boligmonitor.analysis.reasons import REASONS
from tests.web.programme.conftest import ANNE, PROGRAMME_ID, SIRI, AnalysisSite

API = f"/api/v1/program/{PROGRAMME_ID}"


def test_every_answer_carries_its_provenance(analysis_site: AnalysisSite) -> None:
    browser = analysis_site.browser(SIRI)
    version = browser.app.state.monitor.data.version  # type: ignore[attr-defined]
    for part, years in (
        ("maloppnaelse?ar=2019", {"year": 2019}),
        ("sammenligning?fra=2015&til=2019", {"start": 2015, "end": 2019, "size_groups": 2015}),
        ("andel-av-landet?fra=2015&til=2019", {"start": 2015, "end": 2019}),
        ("trendbrudd?ar=2019", {"membership_year": 2019, "break": 2014}),
    ):
        answer = browser.get(f"{API}/{part}")
        assert answer.status_code == 200, part
        assert answer.headers["cache-control"] == "no-store"
        document = answer.json()
        assert document["data_version"]["id"] == version.id
        assert document["years"] == years
        assert document["programme"]["id"] == PROGRAMME_ID and "SYNTHETIC" in document["programme"]["name"]
        assert document["membership"]["n_members"] == 70
        assert document["rows"] and set(document["rows"][0]) == set(document["columns"])
        assert {row["data_version"] for row in document["rows"]} == {version.id}
        # Reasons as keys with parameters beside the English text, for clients that write them in their language
        assert {"reason_key", "withheld_key"} & set(document["columns"]), part
        assert all(
            set(s) == {"indicator", "reason", "reason_key", "reason_params"} for s in document.get("skipped", [])
        )
    attainment = browser.get(f"{API}/maloppnaelse?ar=2019").json()["rows"]
    assert {row["reason_key"] for row in attainment} <= set(REASONS)


def test_the_comparison_gives_group_sizes_and_matches_the_download(analysis_site: AnalysisSite) -> None:
    browser = analysis_site.browser(SIRI)
    document = browser.get(f"{API}/sammenligning?fra=2015&til=2019").json()
    assert document["min_group_size"] == 5
    sizes = document["size_groups"]
    assert sum(sizes["n_municipalities"].values()) + sizes["n_without_population"] == 357
    population = [row for row in document["rows"] if row["indicator"] == "BEF01"]
    assert [(r["group"], r["size_group"], r["n_municipalities"]) for r in population] == [
        ("all", "all", 357),
        ("members", "all", 70),
        ("non_members", "all", 287),
        ("members", "large", 40),
        ("non_members", "large", population[4]["n_municipalities"]),
        ("members", "medium", 26),
        ("non_members", "medium", population[6]["n_municipalities"]),
        ("members", "small", 4),
        ("non_members", "small", population[8]["n_municipalities"]),
    ]
    small = population[7]
    assert small["start_value"] is None and small["withheld"]
    download = browser.get(f"/program/{PROGRAMME_ID}/sammenligning.csv?fra=2015&til=2019").content
    rows = list(csv.DictReader(io.StringIO(download.decode("utf-8-sig"))))
    assert len(rows) == len(document["rows"])
    downloaded = [r["n_municipalities"] for r in rows if r["indicator"] == "BEF01"]
    assert downloaded == [str(r["n_municipalities"]) for r in population]


def test_an_adviser_gets_the_programme_as_a_whole_and_her_regions_members(analysis_site: AnalysisSite) -> None:
    document = analysis_site.browser(ANNE).get(f"{API}/maloppnaelse?ar=2019").json()
    shown = document["membership"]["members_shown"]
    assert shown and all(code.startswith("50") for code in shown)
    assert document["membership"]["n_members"] == 70
    scopes = {row["scope"] for row in document["rows"]}
    assert scopes == {"programme", *shown}


def test_errors_are_json_problems(analysis_site: AnalysisSite) -> None:
    public = analysis_site.browser(None).get(f"{API}/maloppnaelse")
    assert public.status_code == 401 and public.json()["error"]["status"] == 401
    browser = analysis_site.browser(SIRI)
    bad = browser.get(f"{API}/maloppnaelse?ar=20x9&lang=en")
    assert bad.status_code == 400
    assert bad.json()["error"] == {"status": 400, "message": bad.json()["error"]["message"], "parameter": "ar"}
    assert "a year from" in bad.json()["error"]["message"]
    unknown = browser.get("/api/v1/program/no_such_programme/trendbrudd")
    assert unknown.status_code == 404 and unknown.json()["error"]["status"] == 404
