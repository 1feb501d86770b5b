"""The catalogue's domain rules: which values each indicator can take (catalog/validation.py, docs/catalog.md).

Values are synthetic, except where a real published figure shows why a rule is as precise as it is (named so).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from boligmonitor.catalog import Catalog, load_catalog
from boligmonitor.catalog.models import COUNT_CEILING, UNIT_RULES
from boligmonitor.catalog.validation import FIRST_YEAR, ValueRules, Violation, decimals_written, value_rules
from boligmonitor.core.errors import InputError
from tests.catalog.test_catalog_models import line_of, load_text, synthetic_catalog, synthetic_indicator

TODAY = date(2026, 12, 6)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def rules(catalog: Catalog, indicator_id: str) -> ValueRules:
    return value_rules(catalog.indicator(indicator_id), today=TODAY)


def check(
    r: ValueRules,
    value: float | None = None,
    numerator: float | None = None,
    denominator: float | None = None,
    year: int = 2023,
) -> list[Violation]:
    return r.check(year=year, value=value, numerator=numerator, denominator=denominator, as_read=True)


def test_every_indicator_has_a_finite_upper_bound_and_every_unit_a_rule(catalog: Catalog) -> None:
    assert set(UNIT_RULES) == {
        "count", "percent", "per_1000", "per_10000", "nok", "nok_per_m2", "years", "ratio", "index", "months"
    }  # fmt: skip
    for indicator in catalog.indicators:
        bound = value_rules(indicator, today=TODAY).highest
        assert bound < float("inf"), indicator.id


def test_a_huge_score_is_refused_by_the_scale(catalog: Catalog) -> None:
    # The reproduction: RU05 (a scale 1–5) with 1.797e308 was imported and broke its pages.
    [violation] = check(rules(catalog, "RU05"), value=1.797e308)
    assert violation.field == "value" and "above 5" in violation.message
    assert [v.field for v in check(rules(catalog, "RU05"), value=0.5)] == ["value"]
    assert check(rules(catalog, "RU05"), value=3.5) == []


def test_a_share_is_a_part_of_its_denominator(catalog: Catalog) -> None:
    share = rules(catalog, "BU01")
    [violation] = check(share, numerator=250, denominator=200)
    assert violation.field == "numerator" and "greater than denominator 200" in violation.message
    assert [v.field for v in check(share, value=-5)] == ["value"]
    assert [v.field for v in check(share, value=100.5)] == ["value"]
    assert [v.field for v in check(share, numerator=-3, denominator=10)] == ["numerator"]
    assert check(share, value=12.5, numerator=25, denominator=200) == []


def test_a_value_must_agree_with_its_numerator_and_denominator_within_its_rounding(catalog: Catalog) -> None:
    # The reproduction: RU01,0301,2022,99,21,200 showed 99 % with an interval around 10.5 %.
    yes_no = rules(catalog, "RU01")
    [violation] = check(yes_no, value=99, numerator=21, denominator=200)
    assert "disagrees with numerator / denominator × 100 = 10.5" in violation.message
    assert check(yes_no, value=10.5, numerator=21, denominator=200) == []
    assert check(yes_no, value=10, numerator=21, denominator=200) == []  # rounded to whole per cent
    assert check(yes_no, value=11, numerator=21, denominator=200) == []  # 10.5 rounded up
    assert check(yes_no, value=12, numerator=21, denominator=200) != []
    assert check(yes_no, value=10.4, numerator=21, denominator=200) != []  # one decimal: 10.5
    count = rules(catalog, "KB01")
    assert check(count, value=12, numerator=12) == []
    assert [v.field for v in check(count, value=12, numerator=13)] == ["value"]


def test_counts_are_whole_non_negative_and_bounded(catalog: Catalog) -> None:
    count = rules(catalog, "KB01")
    assert [v.field for v in check(count, value=-3)] == ["value"]
    assert "not a whole number" in check(count, value=1.5)[0].message
    assert [v.field for v in check(count, value=COUNT_CEILING + 1)] == ["value"]
    rate = rules(catalog, "FL01")
    assert "not a whole number" in check(rate, numerator=2.5, denominator=100)[0].message
    assert "more than 10 000 000" in check(rate, numerator=1, denominator=2e7)[0].message
    # Husbanken's households are annual means of monthly counts: a real value of 312.6 is fine.
    assert check(rules(catalog, "HB05"), value=312.6) == []


def test_a_population_of_one_for_oslo_is_refused(catalog: Catalog) -> None:
    [violation] = check(rules(catalog, "BEF01"), value=1)
    assert "below 100" in violation.message and "Utsira" in violation.message
    assert check(rules(catalog, "BEF01"), value=188) == []  # Utsira, the smallest municipality (real)


def test_a_ratio_of_two_counts_may_exceed_100_percent(catalog: Catalog) -> None:
    # Real: IMDi's data have FL06 at 667 % (100 decided against a request of 15, 3422 in 2022).
    decision = rules(catalog, "FL06")
    assert check(decision, value=100 / 15 * 100, numerator=100, denominator=15) == []
    assert [v.field for v in check(decision, value=10_001)] == ["value"]


def test_years_lie_within_the_catalogue_span(catalog: Catalog) -> None:
    share = rules(catalog, "BU01")
    assert [v.field for v in check(share, value=1, year=FIRST_YEAR - 1)] == ["year"]
    assert "only a projection" in check(share, value=1, year=TODAY.year + 2)[0].message
    assert check(share, value=1, year=TODAY.year + 1) == []
    assert check(rules(catalog, "EL09"), value=40, year=2040) == []  # a projection
    assert check(rules(catalog, "EL09"), value=-20, year=2040) == []  # a projected fall


def test_non_finite_numbers_are_refused(catalog: Catalog) -> None:
    assert "not a finite number" in check(rules(catalog, "KB07"), value=float("inf"))[0].message
    assert "not a finite number" in rules(catalog, "FL01").check_count("denominator", float("inf"))[0].message


def test_decimals_written() -> None:
    assert [decimals_written(v) for v in (10.5, 99.0, 0.25, 1e-05, 12345.0)] == [1, 0, 2, 5, 0]


# --- the loader ---------------------------------------------------------------------------------------------


def test_a_unit_that_does_not_bound_its_value_needs_a_max(tmp_path: Path) -> None:
    text = synthetic_catalog(synthetic_indicator(unit="per_1000", kind="rate", bounded=False))
    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)
    [problem] = error.value.problems
    assert "does not bound the value: give limits.max" in problem.message
    assert problem.line == line_of(text, "id: AA01")


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ("limits: {max: 150, basis: synthetic}\n", "a share lies within 0–100 %"),
        ("limits: {max: 50}\n", "a bound needs its basis"),
        ("limits: {min: 5, max: 5, basis: synthetic}\n", "is not above min"),
        ("limits: {numerator_within_denominator: false}\n", "a share is a part of its denominator"),
    ],
)
def test_limits_cannot_widen_a_share_and_need_a_basis(tmp_path: Path, limits: str, message: str) -> None:
    text = synthetic_catalog(synthetic_indicator(unit="percent", extra=limits))
    with pytest.raises(InputError) as error:
        load_text(tmp_path, text)
    assert any(message in p.message for p in error.value.problems), error.value.problems


def test_a_count_is_never_negative(tmp_path: Path) -> None:
    text = synthetic_catalog(synthetic_indicator(unit="count", extra="limits: {min: -1, basis: synthetic}\n"))
    with pytest.raises(InputError, match="a count is never negative"):
        load_text(tmp_path, text)
