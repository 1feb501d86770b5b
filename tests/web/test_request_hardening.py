"""Every request is answered (issue 11, reproduction 4): a query parameter that cannot be read is a 400 naming
it, in the page's language (a JSON error under /api/), never a 500 and never silently taken for something else.

Before: ``/indikator/BEF14?ar=%C2%B2`` raised ``int('²')`` (500), a 5 000-digit ``ar`` overflowed ``int``'s digit
limit (500), ``ar=٢٠٢٣`` and ``kostragruppe=EKG١٣`` were read as 2023 and EKG13, ``visning=foo`` was shown as the
default, ``dekning=∞`` was compared as a float and the API took ``year=2023.0`` and ``year=+2023`` for 2023.
"""

from __future__ import annotations

import math
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from boligmonitor.web.app import create_app
from boligmonitor.web.charts import (
    UNCATEGORISED,
    Bar,
    FunnelCurve,
    FunnelPoint,
    LinePoint,
    LineSeries,
    SpineLabels,
    SpineRow,
    funnel_plot,
    line_chart,
    ranked_bars,
    sparkline,
    spine_chart,
)
from boligmonitor.web.charts.svg import LinearScale, LogScale, log_ticks, nice_domain, nice_ticks, num
from boligmonitor.web.i18n import Translator
from boligmonitor.web.pages import BadRequestError
from boligmonitor.web.request_params import (
    FIRST_YEAR,
    LAST_YEAR,
    MAX_QUERY_LENGTH,
    MAX_REPEATS,
    MAX_VALUE_LENGTH,
    SHOWN_LENGTH,
    parse_decimal,
    parse_integer,
    parse_year,
    read_query,
    shown,
)

INDICATOR = "BEF14"
FIVE_THOUSAND_DIGITS = "1" * 5000
SUPERSCRIPT_TWO = "%C2%B2"  # "²": str.isdigit() says yes, int() raises
ARABIC_INDIC_2023 = "%D9%A2%D9%A0%D9%A2%D9%A3"  # "٢٠٢٣": int() reads it as 2023
SUFFIXES = ["", ".csv", ".xlsx", ".json", ".jsonstat"]
PAGES_READING_THE_YEAR = [f"/indikator/{INDICATOR}", "/rangering"]
PAGES = [
    "/",
    "/region/0301",
    "/region/0301/tema/eldre_og_bolig",
    f"/region/0301/indikator/{INDICATOR}",
    *PAGES_READING_THE_YEAR,
]


def assert_bad_parameter(response_text: str, status_code: int, parameter: str) -> None:
    assert status_code == 400, response_text[:300]
    assert f"{parameter}=" in response_text


# ------------------------------------------------------------------------------- the reproductions


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("path", PAGES_READING_THE_YEAR)
@pytest.mark.parametrize("year", [SUPERSCRIPT_TWO, ARABIC_INDIC_2023, FIVE_THOUSAND_DIGITS, "-2023", "2023.0", "2_023"])
def test_a_year_not_written_in_ascii_digits_is_a_400_naming_ar(
    web_client: TestClient, path: str, suffix: str, year: str
) -> None:
    response = web_client.get(f"{path}{suffix}?ar={year}")
    assert_bad_parameter(response.text, response.status_code, "ar")
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_five_thousand_digit_value_is_refused_on_the_series_page_too(web_client: TestClient, suffix: str) -> None:
    response = web_client.get(f"/region/0301/indikator/{INDICATOR}{suffix}?ar={FIVE_THOUSAND_DIGITS}")
    assert_bad_parameter(response.text, response.status_code, "ar")
    assert "1" * (SHOWN_LENGTH + 1) not in response.text  # the value is repeated shortened, not whole


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nb", "et år med data"), ("nn", "eit år med data"), ("en", "a year with data")],
)
def test_the_400_page_is_in_the_pages_language(web_client: TestClient, language: str, expected: str) -> None:
    response = web_client.get(f"/indikator/{INDICATOR}?ar={SUPERSCRIPT_TWO}&lang={language}")
    assert response.status_code == 400
    assert f'<html lang="{language}"' in response.text
    assert expected in response.text
    assert "ar=²" in response.text


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("parameter", ["visning", "sammenlign", "lang"])
def test_an_unknown_word_for_a_common_choice_is_a_400_not_the_default(
    web_client: TestClient, path: str, parameter: str
) -> None:
    response = web_client.get(f"{path}?{parameter}=foo")
    assert_bad_parameter(response.text, response.status_code, parameter)


@pytest.mark.parametrize(
    ("query", "language", "choices"),
    [
        ("visning=foo&lang=en", "en", "one of andel, antall, forholdstall"),
        ("sammenlign=foo&lang=nn", "nn", "ein av landet, fylket, kostragruppen, storrelse, lignende"),
        ("lang=se", "nb", "en av nb, nn, en"),
    ],
)
def test_the_400_for_a_choice_lists_the_choices(
    web_client: TestClient, query: str, language: str, choices: str
) -> None:
    response = web_client.get(f"/region/0301?{query}")
    assert response.status_code == 400
    assert f'<html lang="{language}"' in response.text
    assert choices in response.text


def test_the_choices_themselves_still_work(web_client: TestClient) -> None:
    for query in ["visning=antall", "visning=forholdstall", "sammenlign=fylket", "lang=nn", "visning=", "lang="]:
        assert web_client.get(f"/region/0301?{query}").status_code == 200, query


@pytest.mark.parametrize("year", [FIRST_YEAR - 1, LAST_YEAR + 1, 0, 99999])
def test_a_ranking_year_outside_the_catalogues_span_is_a_400(web_client: TestClient, year: int) -> None:
    response = web_client.get(f"/rangering?ar={year}&lang=en")
    assert_bad_parameter(response.text, response.status_code, "ar")
    assert f"a year from {FIRST_YEAR} to {LAST_YEAR}" in response.text


@pytest.mark.parametrize("coverage", ["nan", "inf", "-inf", "1e400", "%D9%A0.5", "0x1", "0.5.5", "½"])
def test_coverage_is_a_plain_decimal(web_client: TestClient, coverage: str) -> None:
    response = web_client.get(f"/rangering?dekning={coverage}")
    assert_bad_parameter(response.text, response.status_code, "dekning")


def test_coverage_may_be_written_with_a_decimal_comma(web_client: TestClient) -> None:
    assert web_client.get("/rangering?dekning=0,5").status_code == 200


def test_a_kostra_group_in_other_digits_is_no_group(web_client: TestClient) -> None:
    assert web_client.get(f"/indikator/{INDICATOR}?kostragruppe=EKG13").status_code == 200
    response = web_client.get(f"/indikator/{INDICATOR}?kostragruppe=EKG%D9%A1%D9%A3")  # EKG١٣
    assert_bad_parameter(response.text, response.status_code, "kostragruppe")


def test_an_overlong_value_is_refused_before_it_is_read(web_client: TestClient) -> None:
    response = web_client.get("/sammenlign", params={"kommune": "Oslo" * MAX_VALUE_LENGTH})
    assert_bad_parameter(response.text, response.status_code, "kommune")
    assert "OsloOsloOslo" * 10 not in response.text


def test_too_many_values_and_an_overlong_query_are_refused(web_client: TestClient) -> None:
    repeated = "&".join(["kommune=0301"] * (MAX_REPEATS + 1))
    response = web_client.get(f"/indikator/{INDICATOR}?{repeated}")
    assert_bad_parameter(response.text, response.status_code, "kommune")
    many = "&".join(f"p{number}=x" for number in range(MAX_QUERY_LENGTH // 4))
    assert web_client.get(f"/?{many}").status_code == 400


def test_the_picker_refuses_an_overlong_search(web_client: TestClient) -> None:
    response = web_client.get("/velg", params={"q": "a" * (MAX_VALUE_LENGTH + 1)})
    assert_bad_parameter(response.text, response.status_code, "q")


# -------------------------------------------------------------------------------------------- the API


@pytest.mark.parametrize(
    "year", [SUPERSCRIPT_TWO, ARABIC_INDIC_2023, FIVE_THOUSAND_DIGITS, "2023.0", "%2B2023", "2_023"]
)
def test_an_api_year_is_ascii_digits_only(web_client: TestClient, year: str) -> None:
    response = web_client.get(f"/api/v1/rankings?indicator={INDICATOR}&year={year}&lang=en")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["status"] == 400
    assert error["parameter"] == "year"
    assert error["message"].startswith("Invalid request: query.year")


def test_an_api_error_names_the_parameter_of_a_rule_across_parameters(web_client: TestClient) -> None:
    error = web_client.get("/api/v1/comparisons?region=0&benchmark=peers").json()["error"]
    assert error["parameter"] == "benchmark"


@pytest.mark.parametrize("offset", ["1000000001", "99999999999999999999"])
def test_an_api_offset_has_an_upper_bound(web_client: TestClient, offset: str) -> None:
    response = web_client.get(f"/api/v1/observations?indicator={INDICATOR}&offset={offset}")
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == "offset"


# --------------------------------------------------------------------------------- the parsing module


T = Translator("en")


@pytest.mark.parametrize("text", ["²", "٢٠٢٣", "", " 1", "1 ", "+1", "-1", "1.0", "1_0", "1e3", "0x10", "1" * 19])
def test_parse_integer_takes_ascii_digits_only(text: str) -> None:
    with pytest.raises(BadRequestError) as raised:
        parse_integer(text, "n", 0, 10**18, "a number")
    assert raised.value.parameter == "n"
    assert len(raised.value.value) <= SHOWN_LENGTH


def test_parse_integer_and_year_check_the_range() -> None:
    assert parse_integer("0042", "n", 0, 100, "x") == 42
    with pytest.raises(BadRequestError):
        parse_integer("101", "n", 0, 100, "x")
    assert parse_year("2023", "ar", "x") == 2023
    assert parse_year("2023", "ar", "x", years=[2022, 2023]) == 2023
    for text in [str(FIRST_YEAR - 1), str(LAST_YEAR + 1)]:
        with pytest.raises(BadRequestError):
            parse_year(text, "ar", "x")
    with pytest.raises(BadRequestError):
        parse_year("2021", "ar", "x", years=[2022, 2023])


@pytest.mark.parametrize("text", ["nan", "inf", "1e400", "٠٫٥", "0,5,5", "5.", "−1", "+1", "1e", "e5", "1_0", "0x1"])
def test_parse_decimal_refuses_what_float_would_take(text: str) -> None:
    with pytest.raises(BadRequestError):
        parse_decimal(text, "d", -math.inf, math.inf, "x")


def test_parse_decimal_reads_comma_and_point() -> None:
    assert parse_decimal("0,25", "d", 0, 1, "x") == 0.25
    assert parse_decimal("-2.5", "d", -3, 0, "x") == -2.5
    assert parse_decimal(".5", "d", 0, 1, "x") == parse_decimal("5e-1", "d", 0, 1, "x") == 0.5
    with pytest.raises(BadRequestError):
        parse_decimal("1.5", "d", 0, 1, "x")


def test_read_query_groups_repeats_and_bounds_lengths() -> None:
    query = read_query([("a", "1"), ("b", "2"), ("a", "3"), ("k", "x")], T, list_parameters={"k"})
    assert query == {"a": ["1", "3"], "b": "2", "k": ["x"]}
    for pairs, parameter in [
        ([("a", "x" * (MAX_VALUE_LENGTH + 1))], "a"),
        ([("x" * (MAX_VALUE_LENGTH + 1), "1")], shown("x" * (MAX_VALUE_LENGTH + 1))),
        ([("a", "1")] * (MAX_REPEATS + 1), "a"),
        ([(f"p{i}", "x" * 100) for i in range(MAX_QUERY_LENGTH // 100 + 1)], None),
    ]:
        with pytest.raises(BadRequestError) as raised:
            read_query(pairs, T)
        if parameter is not None:
            assert raised.value.parameter == parameter


def test_shown_shortens_long_values() -> None:
    assert shown("abc") == "abc"
    assert len(shown("x" * 5000)) == SHOWN_LENGTH
    assert shown("x" * 5000).endswith("…")


# ------------------------------------------------------------------------- charts take any stored value


EXTREMES = [1.797e308, -1.797e308, math.inf, -math.inf, math.nan, 0.0, -0.0, 5e-324, 1e-310, 1e17, 1e300]
any_float = st.one_of(st.floats(), st.sampled_from(EXTREMES))
positive_float = st.one_of(st.floats(min_value=5e-324, allow_infinity=True), st.sampled_from([5e-324, 1.797e308]))


def format_value(value: float) -> str:
    return Translator("nb").number(value, 2)


@given(any_float, any_float)
@settings(max_examples=300, deadline=None, derandomize=True, database=None)
def test_ticks_and_scales_take_any_two_floats(low: float, high: float) -> None:
    ticks = nice_ticks(low, high)
    assert 2 <= len(ticks) <= 101
    assert all(math.isfinite(tick) for tick in ticks)
    assert ticks == sorted(ticks)
    scale = LinearScale((ticks[0], ticks[-1]), (0.0, 100.0))
    for value in (low, high, *ticks):
        assert math.isfinite(scale(value))
    raw = LinearScale((low, high), (0.0, 100.0))
    assert all(math.isfinite(raw(value)) for value in (low, high))
    for value in (low, high):
        num(value)  # never raises, whatever the value


@given(positive_float, positive_float)
@settings(max_examples=200, deadline=None, derandomize=True, database=None)
def test_a_log_axis_takes_any_positive_range(a: float, b: float) -> None:
    low, high = min(a, b), max(a, b)
    ticks = log_ticks(low, high)
    scale = LogScale((low, high), (0.0, 100.0))
    assert all(math.isfinite(scale(tick)) for tick in ticks)
    assert math.isfinite(scale(low)) and math.isfinite(scale(high))


@pytest.mark.parametrize(
    ("low", "high"),
    [(1.797e308, 1.797e308), (-1.797e308, 1.797e308), (0.0, 1.797e308), (5.0, 5.0), (1e17, 1e17 + 16), (0, 5e-324)],
)
def test_extreme_and_single_value_axes(low: float, high: float) -> None:
    start, end, step = nice_domain(low, high)
    assert math.isfinite(start) and math.isfinite(end) and start < end and step > 0


@given(st.lists(st.tuples(any_float, any_float, any_float), min_size=1, max_size=6), any_float)
@settings(max_examples=60, deadline=None, derandomize=True, database=None)
def test_bars_take_any_values(values: list[tuple[float, float, float]], reference: float) -> None:
    bars = [Bar(f"{i:04d}", f"Synthetic {i}", v, lo, hi, UNCATEGORISED) for i, (v, lo, hi) in enumerate(values)]
    chart = ranked_bars(
        "bars", bars, reference=reference, reference_label="ref", title="t", description="d", format_value=format_value
    )
    assert "nan" not in chart and "inf" not in chart


@given(st.lists(any_float, min_size=1, max_size=8))
@settings(max_examples=60, deadline=None, derandomize=True, database=None)
def test_lines_and_sparklines_take_any_values(values: list[float]) -> None:
    points = [LinePoint(2015 + i, value, value - 1, value + 1) for i, value in enumerate(values)]
    series = [LineSeries("a", "Synthetic", points, emphasis=True)]
    chart = line_chart("lines", series, breaks=[], y_label="y", title="t", description="d", format_value=format_value)
    spark = sparkline("spark", points, title="t", description="d")
    assert "nan" not in chart + spark and "inf" not in chart + spark


@given(st.lists(st.tuples(any_float, positive_float), min_size=1, max_size=6), any_float)
@settings(max_examples=60, deadline=None, derandomize=True, database=None)
def test_a_funnel_takes_any_values(points: list[tuple[float, float]], target: float) -> None:
    funnel_points = [FunnelPoint(f"{i:04d}", "Synthetic", v, d, "similar") for i, (v, d) in enumerate(points)]
    denominators = [d for _, d in points]
    curve = FunnelCurve(0.95, denominators, [v - 1 for v, _ in points], [v + 1 for v, _ in points], "95 %")
    chart = funnel_plot(
        "funnel",
        funnel_points,
        [curve],
        target=target,
        target_label="Norge",
        x_label="x",
        y_label="y",
        title="t",
        description="d",
        format_value=format_value,
    )
    assert "nan" not in chart and "inf" not in chart


@given(st.tuples(any_float, any_float, any_float, any_float, any_float, any_float))
@settings(max_examples=60, deadline=None, derandomize=True, database=None)
def test_a_spine_takes_any_values(numbers: tuple[float, float, float, float, float, float]) -> None:
    value, national, *quartiles = numbers
    low, q1, q3, high = sorted(quartiles, key=lambda x: (math.isnan(x), x))
    row = SpineRow("BEF14", "Synthetic", value, national, low, q1, q3, high, "similar", True)
    labels = SpineLabels("verst", "best", "lav", "høy", "Norge", "mangler")
    chart = spine_chart("spine", [row], title="t", description="d", labels=labels)
    assert "nan" not in chart and "inf" not in chart


# ------------------------------------------------------------- a stored extreme value breaks no page


EXTREME_INDICATOR = "BEF16"  # a price per m², stored as a value without numerator and denominator
EXTREME_VALUES = {"0301": 1.797e308, "4601": -1.797e308, "5001": math.inf}


@pytest.fixture(scope="module")
def extreme_client(built_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The session's database with SYNTHETIC extreme values written straight into the table (imports refuse
    them now; an older database may hold them): the largest float, its negative and infinity."""
    copy = tmp_path_factory.mktemp("extreme") / "synthetic_extreme.sqlite"
    shutil.copyfile(built_database, copy)
    with sqlite3.connect(copy) as connection:
        for region, value in EXTREME_VALUES.items():
            connection.execute(
                "UPDATE observation SET value = ? WHERE indicator_id = ? AND region_code = ?",
                (value, EXTREME_INDICATOR, region),
            )
    with TestClient(create_app(f"sqlite:///{copy}"), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(
    "url",
    [
        f"/indikator/{EXTREME_INDICATOR}",
        f"/indikator/{EXTREME_INDICATOR}.csv",
        f"/indikator/{EXTREME_INDICATOR}.xlsx",
        f"/indikator/{EXTREME_INDICATOR}?visning=forholdstall",
        f"/indikator/{EXTREME_INDICATOR}?sorter=verdi&retning=asc",
        *(f"/region/{region}/indikator/{EXTREME_INDICATOR}" for region in EXTREME_VALUES),
        f"/region/0301/indikator/{EXTREME_INDICATOR}.xlsx",
        f"/region/4601/indikator/{EXTREME_INDICATOR}.jsonstat",
        *(f"/region/{region}" for region in EXTREME_VALUES),
        "/region/0301/faktaark",
        "/sammenlign?kommune=0301&kommune=4601",
        "/rangering?fylke=03",
        f"/api/v1/rankings?indicator={EXTREME_INDICATOR}",
        f"/api/v1/comparisons?region=0301&indicator={EXTREME_INDICATOR}",
        f"/api/v1/observations?indicator={EXTREME_INDICATOR}&region=4601",
    ],
)
def test_a_stored_extreme_value_breaks_no_page(extreme_client: TestClient, url: str) -> None:
    response = extreme_client.get(url)
    assert response.status_code < 500, response.text[:500]
