"""Numbers in answers get the catalogue's domain rules: the indicator's (prefilled corrections and self-reported
figures, own numbers tied to an indicator) or the unit's, narrowed by the question's min, max and decimals."""

from __future__ import annotations

from datetime import date

import pytest

from boligmonitor.catalog import Catalog
from boligmonitor.catalog.models import COUNT_CEILING
from boligmonitor.catalog.reporting import (
    Form,
    OwnNumberQuestion,
    PrefilledStatisticQuestion,
    ReportingText,
    check_number,
    number_rules,
)

TEXT = ReportingText(nb="SYNTHETIC", nn="SYNTHETIC")


def _own_number(**fields: object) -> OwnNumberQuestion:
    data = {"id": "tall", "type": "own_number", "text": TEXT, "result_indicator": "quantitative", **fields}
    return OwnNumberQuestion.model_validate(data)


def test_the_2018_own_number_takes_its_indicators_rules(form_2018: Form, catalog: Catalog) -> None:
    question = form_2018.question("g05_nye_boliger_rus_psykisk")
    assert isinstance(question, OwnNumberQuestion)
    rules = number_rules(question, catalog)
    assert (rules.lowest, rules.highest, rules.whole) == (0, COUNT_CEILING, True)
    assert check_number(question, 14, year=2018, catalog=catalog) == []
    for value, words in ((-1, "negative"), (2.5, "not a whole number")):
        (violation,) = check_number(question, value, year=2018, catalog=catalog)
        assert violation.field == "value"
        assert "below 0" in violation.message or words in violation.message


def test_a_correction_beside_a_prefilled_share_is_a_possible_share(form_2018: Form, catalog: Catalog) -> None:
    question = form_2018.question("g02_midlertidig_over_tre_maneder")
    assert isinstance(question, PrefilledStatisticQuestion)
    assert check_number(question, 37.5, year=2018, catalog=catalog) == []
    (violation,) = check_number(question, 120, year=2018, catalog=catalog)
    assert violation.message.startswith("value 120 is above 100, the possible values of BL02 are 0–100")


def test_a_figure_for_an_impossible_year_is_refused(form_2018: Form, catalog: Catalog) -> None:
    question = form_2018.question("g08_startlan_andel_barnefamilier")
    assert isinstance(question, PrefilledStatisticQuestion)
    (violation,) = check_number(question, 50, year=1960, catalog=catalog, today=date(2026, 1, 1))
    assert violation.field == "year"


def test_an_own_number_without_indicator_takes_its_units_rule_and_its_limits(catalog: Catalog) -> None:
    question = _own_number(unit="percent", max=100, decimals=1)
    assert check_number(question, 12.3, year=2018, catalog=catalog) == []
    (violation,) = check_number(question, 12.34, year=2018, catalog=catalog)
    assert "more decimals than the question allows (at most 1 decimals)" in violation.message
    (violation,) = check_number(question, -0.5, year=2018, catalog=catalog)
    assert "below 0" in violation.message
    whole = _own_number(unit="count", min=1, max=500)
    (violation,) = check_number(whole, 600, year=2018, catalog=catalog)
    assert "question tall sets its own limits" in violation.message
    assert check_number(whole, 500, year=2018, catalog=catalog) == []


def test_the_question_narrows_its_indicators_rules(catalog: Catalog) -> None:
    question = _own_number(unit="count", indicator="RP03", max=200)
    rules = number_rules(question, catalog)
    assert (rules.lowest, rules.highest) == (0, 200)


def test_an_unbounded_unit_without_max_has_no_rules(catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="sets no upper bound: give max"):
        number_rules(_own_number(unit="nok"), catalog)
