"""The open answers' JSON API on SQLite and PostgreSQL: the codebook, one question's answers with their coded
passages (filters, paging and a total), counts by code × size group × year with the group sizes beside, example
quotes, and full-text search with each database's own engine. Redacted text never appears in any answer, only the
marker; errors are the API's JSON problems naming the parameter. Answers, people and statistics are SYNTHETIC.

One site per database for the module (the tests only read): 5001's answer has a redacted name and three coded
passages (one an example quote), 5006's one passage (an example quote), 0301's none.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Final

import pytest

from boligmonitor.analysis.reporting.open_answers import code_counts
from boligmonitor.analysis.reporting.size_groups import SizeGroups
from boligmonitor.geo.groups import SizeGroup
from boligmonitor.store.reporting.coding import Span, locate
from boligmonitor.web.api.reporting import open_answers
from tests.store.reporting.coding.synthetic_coding import OPEN_QUESTION, TEXTS
from tests.store.reporting.synthetic import PROGRAMME, SYNTHETIC_YEAR
from tests.web.programme_coding.conftest import ANNE, SIRI, CodingSite

API: Final = f"/api/v1/program/{PROGRAMME}/apne-svar"
ANSWERS: Final = f"{API}/sporsmal/{OPEN_QUESTION}"
PERSON: Final = "Kari Nordmann på 45 år"  # the SYNTHETIC personal data redacted in 5001's answer
GOAL: Final = "mal_01_overgangsfase"


@dataclass(frozen=True)
class Coded:
    site: CodingSite
    staff: int  # SYNTHETIC Bemanning, under GOAL
    housing: int  # SYNTHETIC Boliger, no goal
    child: int  # under housing, unused


@pytest.fixture(scope="module")
def coded(api_site_on_each_database: CodingSite) -> Coded:
    site = api_site_on_each_database
    siri = site.actor(SIRI)
    staff = site.coding.add_code(PROGRAMME, "SYNTHETIC Bemanning", actor=siri, goal_id=GOAL, description="Ansatte")
    housing = site.coding.add_code(PROGRAMME, "SYNTHETIC Boliger", actor=siri)
    child = site.coding.add_code(PROGRAMME, "SYNTHETIC Nye boliger", actor=siri, parent_id=housing.id)
    first = site.answer("5001")
    text = first.text
    person = locate(text, PERSON)
    assert person is not None
    site.coding.redact(first.report_version_id, OPEN_QUESTION, person, "SYNTHETIC navn og alder", actor=siri)
    sentence = locate(text, "SYNTHETIC: Vi har ansatt en boligkoordinator.")
    around = locate(text, PERSON + " fikk bolig.")
    new = locate(text, "Boligene er nye!")
    assert sentence is not None and around is not None and new is not None
    version = first.report_version_id
    site.coding.code_passage(
        version, OPEN_QUESTION, sentence, [staff.id], actor=siri, example_quote=True, note="SYNTHETIC notat"
    )
    site.coding.code_passage(version, OPEN_QUESTION, around, [housing.id], actor=siri)
    site.coding.code_passage(version, OPEN_QUESTION, new, [housing.id, staff.id], actor=siri)
    other = site.answer("5006")
    site.coding.code_passage(
        other.report_version_id, OPEN_QUESTION, Span(0, len(other.text)), [housing.id], actor=siri, example_quote=True
    )
    return Coded(site, staff.id, housing.id, child.id)


def _get(coded: Coded, path: str, email: str = SIRI) -> dict[str, Any]:
    response = coded.site.browser(email).get(path)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"].startswith("application/json")
    assert PERSON not in response.text and "45 år" not in response.text  # redacted, everywhere
    document: dict[str, Any] = response.json()
    return document


def test_every_answer_says_synthetic_and_carries_programme_years_and_marker(coded: Coded) -> None:
    for path in ("/kodebok", f"/sporsmal/{OPEN_QUESTION}", "/tellinger", "/sitater", "/sok?q=bolig"):
        document = _get(coded, API + path)
        assert document["programme"]["id"] == PROGRAMME, path
        assert document["synthetic"] is True and document["synthetic_note"].startswith("SYNTHETIC"), path
        assert document["years"] == [SYNTHETIC_YEAR], path
        assert document["redaction_marker"] == "[sladdet]", path
        assert document["readable"] == {"n_municipalities": 3, "municipalities": ["0301", "5001", "5006"]}, path
        assert "redaction_marker" in document["note"]
    english = _get(coded, API + "/kodebok?lang=en")
    assert english["redaction_marker"] == "[redacted]" and english["note"].startswith("Redacted parts")
    assert _get(coded, API + "/kodebok?lang=nn")["redaction_marker"] == "[sladda]"


def test_the_codebook_gives_codes_with_goals_parents_and_uses(coded: Coded) -> None:
    document = _get(coded, API + "/kodebok")
    codes = {code["name"]: code for code in document["codes"]}
    assert codes["SYNTHETIC Bemanning"]["goal"]["id"] == GOAL
    assert codes["SYNTHETIC Bemanning"]["goal"]["number"] == 1
    assert codes["SYNTHETIC Bemanning"]["description"] == "Ansatte"
    assert codes["SYNTHETIC Boliger"]["goal"] is None and codes["SYNTHETIC Boliger"]["parent_id"] is None
    assert codes["SYNTHETIC Nye boliger"]["parent_id"] == coded.housing
    uses = {name: code["n_passages"] for name, code in codes.items()}
    assert uses == {"SYNTHETIC Bemanning": 2, "SYNTHETIC Boliger": 3, "SYNTHETIC Nye boliger": 0}
    goals = {goal["id"]: goal["codes"] for goal in document["goals"]}
    assert goals[GOAL] == [coded.staff]
    assert sorted(goals[None]) == sorted([coded.housing, coded.child])
    assert [goal["id"] for goal in document["goals"]][-1] is None  # codes under no goal last


def test_the_answers_come_redacted_with_their_passages(coded: Coded) -> None:
    document = _get(coded, ANSWERS)
    assert document["question"] == {"id": OPEN_QUESTION, "text": "SYNTHETIC aktiviteter"}
    assert document["total"] == 3 and document["next_offset"] is None
    answers = {answer["municipality"]["code"]: answer for answer in document["answers"]}
    assert list(answers) == ["0301", "5001", "5006"]
    first = answers["5001"]
    assert first["text"] == TEXTS["5001"].replace(PERSON, "[sladdet]")
    assert first["n_redacted"] == 1 and answers["5006"]["n_redacted"] == 0
    assert first["year"] == SYNTHETIC_YEAR and first["size_group"] == "unknown" and first["synthetic"] is True
    assert [(p["text"], [c["id"] for c in p["codes"]], p["example_quote"]) for p in first["passages"]] == [
        ("SYNTHETIC: Vi har ansatt en boligkoordinator.", [coded.staff], True),
        ("[sladdet] fikk bolig.", [coded.housing], False),
        ("Boligene er nye!", sorted([coded.housing, coded.staff]), False),
    ]
    for passage in first["passages"]:
        assert first["text"][passage["start"] : passage["end"]] == passage["text"]
    assert first["passages"][0]["note"] == "SYNTHETIC notat"
    assert sorted(code["id"] for code in first["codes"]) == sorted([coded.staff, coded.housing])
    assert answers["0301"]["passages"] == [] and answers["0301"]["codes"] == []
    english = _get(coded, ANSWERS + "?kommune=5001&lang=en")["answers"][0]
    assert english["passages"][1]["text"] == "[redacted] fikk bolig."


def test_answers_are_filtered_and_paged(coded: Coded) -> None:
    def codes_of(query: str) -> tuple[int, list[str]]:
        document = _get(coded, ANSWERS + query)
        return document["total"], [answer["municipality"]["code"] for answer in document["answers"]]

    assert codes_of(f"?kode={coded.staff}") == (1, ["5001"])
    assert codes_of(f"?kode={coded.housing}") == (2, ["5001", "5006"])
    assert codes_of(f"?kode={coded.child}") == (0, [])
    assert codes_of("?kommune=5006") == (1, ["5006"])
    assert codes_of(f"?ar={SYNTHETIC_YEAR}&kommune=K-5001") == (1, ["5001"])
    assert codes_of(f"?ar={SYNTHETIC_YEAR - 1}") == (0, [])
    paged = _get(coded, ANSWERS + "?limit=1&offset=1")
    assert paged["total"] == 3 and paged["next_offset"] == 2
    assert [answer["municipality"]["code"] for answer in paged["answers"]] == ["5001"]
    assert paged["filters"] == {"ar": None, "kommune": None, "kode": None, "limit": 1, "offset": 1}
    assert _get(coded, ANSWERS + "?offset=5")["answers"] == []


def test_counts_by_code_size_group_and_year_carry_the_group_sizes(coded: Coded) -> None:
    document = _get(coded, API + "/tellinger")
    assert document["size_groups"]["order"] == ["unknown", "all"]  # the SYNTHETIC statistics have no population
    assert document["size_groups"]["labels"]["small"] == "Små (under 5 000)"
    assert document["answering"] == [
        {"year": SYNTHETIC_YEAR, "size_group": "unknown", "municipalities": 3},
        {"year": SYNTHETIC_YEAR, "size_group": "all", "municipalities": 3},
    ]
    assert document["rows"] and all(set(row) == set(document["columns"]) for row in document["rows"])
    totals = {row["code"]: row for row in document["rows"] if row["size_group"] == "all"}
    assert (totals["SYNTHETIC Bemanning"]["municipalities"], totals["SYNTHETIC Bemanning"]["answering"]) == (1, 3)
    assert totals["SYNTHETIC Bemanning"]["passages"] == 2
    assert (totals["SYNTHETIC Boliger"]["municipalities"], totals["SYNTHETIC Boliger"]["passages"]) == (2, 3)
    assert totals["SYNTHETIC Boliger"]["share"] == round(2 / 3, 4)
    assert (totals["SYNTHETIC Nye boliger"]["municipalities"], totals["SYNTHETIC Nye boliger"]["share"]) == (0, 0)
    # The same figures as the analysis the counts page renders.
    site = coded.site
    answers = site.coding.open_answers(PROGRAMME)
    expected = code_counts(answers, site.coding.passages(PROGRAMME), site.coding.codes(PROGRAMME), {})
    for row in document["rows"]:
        cell = (
            expected.total(row["code_id"], row["year"])
            if row["size_group"] == "all"
            else expected.cell(row["code_id"], row["year"], row["size_group"])
        )
        assert (row["municipalities"], row["answering"], row["passages"]) == (
            cell.municipalities,
            cell.answering,
            cell.passages,
        )
    assert _get(coded, API + f"/tellinger?ar={SYNTHETIC_YEAR - 1}")["rows"] == []


def test_an_adviser_counts_and_reads_her_regions_answers_only(coded: Coded) -> None:
    counts = _get(coded, API + "/tellinger", ANNE)
    assert [row["municipalities"] for row in counts["answering"]] == [2, 2]
    assert _get(coded, ANSWERS, ANNE)["total"] == 2
    codebook = {code["name"]: code["n_passages"] for code in _get(coded, API + "/kodebok", ANNE)["codes"]}
    assert codebook["SYNTHETIC Boliger"] == 3


def test_example_quotes_are_redacted_with_their_notes(coded: Coded) -> None:
    document = _get(coded, API + "/sitater")
    quotes = [(q["municipality"]["code"], q["text"], q["note"]) for q in document["quotes"]]
    assert quotes == [
        ("5001", "SYNTHETIC: Vi har ansatt en boligkoordinator.", "SYNTHETIC notat"),
        ("5006", TEXTS["5006"], None),
    ]
    assert document["quotes"][0]["question"] == "SYNTHETIC aktiviteter" and document["quotes"][0]["synthetic"]
    staff = _get(coded, API + f"/sitater?kode={coded.staff}")["quotes"]
    assert [quote["municipality"]["code"] for quote in staff] == ["5001"]
    assert [q["municipality"]["code"] for q in _get(coded, API + "/sitater?kommune=5006")["quotes"]] == ["5006"]


def test_search_uses_the_database_engine_and_never_finds_redacted_words(coded: Coded) -> None:
    document = _get(coded, API + "/sok?q=boligkoordinator")
    assert [hit["municipality"]["code"] for hit in document["hits"]] == ["5001"]
    hit = document["hits"][0]
    assert hit["question"] == "SYNTHETIC aktiviteter" and hit["synthetic"] is True
    assert hit["matches"] and all(
        hit["snippet"][start:end].lower() == "boligkoordinator" for start, end in hit["matches"]
    )
    assert hit["snippet"].startswith("SYNTHETIC: Vi har ansatt en boligkoordinator. [sladdet] fikk bolig.")
    assert _get(coded, API + "/sok?q=Nordmann")["hits"] == []  # only in the redacted span
    every = _get(coded, API + "/sok?q=SYNTHETIC")
    assert sorted(hit["municipality"]["code"] for hit in every["hits"]) == ["0301", "5001", "5006"]
    assert every["more"] is False
    one = _get(coded, API + "/sok?q=SYNTHETIC&limit=1")
    assert len(one["hits"]) == 1 and one["more"] is True
    assert [h["municipality"]["code"] for h in _get(coded, API + "/sok?q=SYNTHETIC&kommune=0301")["hits"]] == ["0301"]
    adviser = _get(coded, API + "/sok?q=SYNTHETIC", ANNE)
    assert sorted(hit["municipality"]["code"] for hit in adviser["hits"]) == ["5001", "5006"]
    assert _get(coded, API + f"/sok?q=SYNTHETIC&ar={SYNTHETIC_YEAR - 1}")["hits"] == []
    assert len(_get(coded, API + f"/sok?q=SYNTHETIC&sporsmal={OPEN_QUESTION}")["hits"]) == 3


@pytest.mark.parametrize(
    ("path", "parameter", "words"),
    [
        (ANSWERS + "?ar=20x9", "ar", "a year from"),
        (ANSWERS + "?ar=1850", "ar", "a year from"),
        (ANSWERS + "?kode=999999", "kode", "codebook"),
        (ANSWERS + "?kode=abc", "kode", "codebook"),
        (ANSWERS + "?limit=0", "limit", "from 1 to 200"),
        (ANSWERS + "?limit=201", "limit", "from 1 to 200"),
        (ANSWERS + "?offset=-1", "offset", "from 0 to"),
        (ANSWERS + "?kommune=50", "kommune", "municipality number"),
        (ANSWERS + "?kommune=%D9%A1%D9%A2%D9%A3%D9%A4", "kommune", "municipality number"),
        (API + "/sitater?kode=1.5", "kode", "codebook"),
        (API + "/sok", "q", "search words"),
        (API + "/sok?q=" + "a" * 201, "q", "at most 200"),
        (API + "/sok?q=bolig&sporsmal=nei", "sporsmal", "aktiviteter"),
        (API + "/sok?q=bolig%00", "q", "no control characters"),  # PostgreSQL refuses NUL in a text
        (API + "/sitater?kommune=%20", "kommune", "municipality number"),
        (API + "/tellinger?ar=x", "ar", "a year from"),
        (API + "/kodebok?lang=xx", "lang", "en av nb, nn, en"),  # the language asked for is unreadable
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(coded: Coded, path: str, parameter: str, words: str) -> None:
    glue = "&" if "?" in path else "?"
    response = coded.site.browser(SIRI).get(path if "lang=" in path else f"{path}{glue}lang=en")
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["status"], error["parameter"]) == (400, parameter)
    assert words in error["message"]


def test_unknown_programmes_and_questions_are_404_problems(coded: Coded) -> None:
    browser = coded.site.browser(SIRI)
    for path in (
        "/api/v1/program/no_such_programme/apne-svar/kodebok",
        f"{API}/sporsmal/antall_boliger",  # a question, but not an open one
        f"{API}/sporsmal/no_such_question",
    ):
        response = browser.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["status"] == 404


def test_counts_and_answers_follow_the_size_groups(coded: Coded, monkeypatch: pytest.MonkeyPatch) -> None:
    """With populations (here SYNTHETIC groups in place of the monitor's: 5001 large, 5006 medium, 0301 without a
    population), each cell counts its group and carries its group's size."""

    def synthetic_groups(request: object, years: Collection[int]) -> dict[int, SizeGroups]:
        groups = {"5001": SizeGroup.LARGE, "5006": SizeGroup.MEDIUM}
        return {year: SizeGroups(year, groups, ("0301",), {"5001": 30_000.0, "5006": 9_000.0}) for year in years}

    monkeypatch.setattr(open_answers, "size_groups", synthetic_groups)
    document = _get(coded, API + "/tellinger")
    assert document["size_groups"]["order"] == ["medium", "large", "unknown", "all"]
    sizes = {row["size_group"]: row["municipalities"] for row in document["answering"]}
    assert sizes == {"medium": 1, "large": 1, "unknown": 1, "all": 3}
    housing = {
        row["size_group"]: (row["municipalities"], row["answering"], row["passages"])
        for row in document["rows"]
        if row["code_id"] == coded.housing
    }
    assert housing == {"medium": (1, 1, 1), "large": (1, 1, 2), "unknown": (0, 1, 0), "all": (2, 3, 3)}
    answers = _get(coded, ANSWERS)["answers"]
    assert [(a["municipality"]["code"], a["size_group"]) for a in answers] == [
        ("0301", "unknown"),
        ("5001", "large"),
        ("5006", "medium"),
    ]


def test_the_api_is_read_only_and_not_in_the_public_schema(coded: Coded) -> None:
    browser = coded.site.browser(SIRI)
    assert "apne-svar" not in browser.get("/openapi.json").text  # signed-in users only, as the programme API
    refused = browser.post(API + "/kodebok", headers={"x-csrf-token": "x"})
    assert refused.status_code in (403, 405)  # no changes through the API (a POST is refused, never applied)
    assert sorted(code.name for code in coded.site.coding.codes(PROGRAMME)) == [
        "SYNTHETIC Bemanning",
        "SYNTHETIC Boliger",
        "SYNTHETIC Nye boliger",
    ]


ODD_VALUES: Final = ["", " ", "0", "-1", "1e3", "١", "a" * 300, "\x00", "' OR 1=1 --", '"', "NEAR(a b)", "*", "-", "or"]


@pytest.mark.parametrize("parameter", ["q", "ar", "kommune", "kode", "limit", "offset", "sporsmal", "lang"])
def test_odd_values_are_answered_never_an_error_of_ours(coded: Coded, parameter: str) -> None:
    browser = coded.site.browser(SIRI)
    for value in ODD_VALUES:
        for path in (ANSWERS, API + "/sok", API + "/sitater", API + "/tellinger"):
            query = {"q": "bolig", parameter: value} if path.endswith("/sok") else {parameter: value}
            response = browser.get(path, params=query)
            assert response.status_code in (200, 400), (path, parameter, value, response.text)
            assert PERSON not in response.text
