"""JSON has no infinity, but ``1e999999`` parses as one and a 400-digit integer cannot become a float: the
JSON-stat reader refuses both, naming the cell. Every document here is SYNTHETIC."""

from __future__ import annotations

import json

import pytest

from boligmonitor.core.errors import InputError
from boligmonitor.sources.readers.jsonstat import read_jsonstat

DOCUMENT = {
    "version": "2.0",
    "class": "dataset",
    "id": ["Region", "Tid"],
    "size": [1, 3],
    "dimension": {
        "Region": {"category": {"index": ["0301"]}},
        "Tid": {"category": {"index": ["2021", "2022", "2023"]}},
    },
}


@pytest.mark.parametrize("number", ["1e999999", "-1e999999", "1" + "0" * 400])
@pytest.mark.parametrize("dense", [True, False])
def test_an_infinite_or_too_large_value_is_refused_with_its_cell(number: str, dense: bool) -> None:
    values = "[1, 2, NUMBER]" if dense else '{"0": 1, "2": NUMBER}'
    text = json.dumps(DOCUMENT)[:-1] + f', "value": {values.replace("NUMBER", number)}}}'
    with pytest.raises(InputError) as caught:
        read_jsonstat(text, name="synthetic_infinite.json")
    [problem] = caught.value.problems
    assert problem.file == "synthetic_infinite.json"
    assert problem.field == ("value[2]" if dense else 'value["2"]')
    assert "not a finite number" in problem.message


def test_large_finite_values_still_read() -> None:
    text = json.dumps({**DOCUMENT, "value": [1.5e308, 1.5e308, 0]})  # their sum overflows; each is finite
    assert read_jsonstat(text).values[:2] == [1.5e308, 1.5e308]
