"""Impossible values never get in: every import path checks each value against the catalogue's domain rules and
names the file, line and column (tidy files) or the cell's codes (cube files); nothing is written then.

Every file here is SYNTHETIC (named synthetic_*), written for one reproduction of issue 11.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.flags import Flag
from boligmonitor.pipeline.importer import import_file
from boligmonitor.store import Store

HEADER = "indicator,region,year,value,numerator,denominator"


def write(tmp_path: Path, name: str, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")
    return path


def refused(path: Path, store: Store) -> tuple[InputProblem, ...]:
    """The problems of importing ``path``; asserts that nothing was written."""
    before = store.current_version()
    with pytest.raises(InputError) as caught:
        import_file(path, store)
    assert store.current_version() == before
    return caught.value.problems


def test_a_huge_value_is_refused_with_its_line_and_column(store_copy: Store, tmp_path: Path) -> None:
    # Imported before, and /indikator/RU05 answered 500 ever after (an OverflowError drawing its chart).
    huge = str(int(1.797e308))  # written out in digits: the tidy format has no exponents
    [problem] = refused(write(tmp_path, "synthetic_huge.csv", f"RU05,0301,2023,{huge},,"), store_copy)
    assert (problem.line, problem.field) == (2, "value")
    assert "RU05" in problem.message and "above 5" in problem.message
    assert store_copy.observations(indicator_id="RU05") == []


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ("RU01,0301,2022,99,21,200", "value", "disagrees with numerator / denominator × 100 = 10.5"),
        ("BU01,0301,2022,,250,200", "numerator", "greater than denominator 200"),
        ("BU01,0301,2022,-5,,", "value", "below 0"),
        ("KB01,0301,2022,-3,,", "value", "below 0"),
        ("KB01,0301,2022,,-3,", "numerator", "negative"),
        ("KB01,0301,2022,2.5,,", "value", "not a whole number"),
        ("BEF01,0301,2023,1,,", "value", "below 100"),
        ("BU01,0301,2031,5,,", "year", "only a projection"),
    ],
)
def test_each_impossible_value_is_refused(store_copy: Store, tmp_path: Path, row: str, field: str, words: str) -> None:
    [problem] = refused(write(tmp_path, "synthetic_impossible.csv", row), store_copy)
    assert problem.file.endswith("synthetic_impossible.csv")
    assert (problem.line, problem.field) == (2, field)
    assert words in problem.message


def test_every_bad_row_is_listed_in_file_order(store_copy: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "synthetic_several.csv",
        "RU01,0301,2022,99,21,200",
        "KB01,0301,2022,12,,",  # fine
        "BEF01,0301,2023,1,,",
        "BU01,4601,2022,,250,200",
    )
    problems = refused(path, store_copy)
    assert [(p.line, p.field) for p in problems] == [(2, "value"), (4, "value"), (5, "numerator")]
    assert store_copy.observations(indicator_id="KB01") == []


def test_a_municipality_larger_than_norway_is_refused(store_copy: Store, tmp_path: Path) -> None:
    # BEF01 for Norway is stored (5 488 984 in 2023); a synthetic Oslo of 6 million is larger than the whole.
    [problem] = refused(write(tmp_path, "synthetic_larger.csv", "BEF01,0301,2023,6000000,,"), store_copy)
    assert problem.line == 2 and "larger than Norway's" in problem.message


def test_a_share_summed_over_merged_municipalities_is_checked_too(store_copy: Store, tmp_path: Path) -> None:
    # Each row is fine; their sum for today's 4204 Kristiansand is not a part of its denominator.
    path = write(
        tmp_path,
        "synthetic_summed.csv",
        "BU01,1001,2019,,90,100",
        "BU01,1017,2019,,50,10",  # line 3: 50 of 10 is refused by itself
    )
    problems = refused(path, store_copy)
    assert [(p.line, p.field) for p in problems] == [(3, "numerator")]


def test_note_and_source_are_stored_with_the_value(store_copy: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "synthetic_note_source.csv",
        "KB01,0301,2023,120,,,Synthetic: ny telling fra 2023,Synthetic register tabell 4",
        header=f"{HEADER},note,source",
    )
    import_file(path, store_copy)
    [stored] = store_copy.observations(indicator_id="KB01", region_code="0301", year=2023)
    assert stored.note == "Synthetic: ny telling fra 2023"
    assert stored.source_table == "Synthetic register tabell 4"


def synthetic_population_cube(value_of: dict[str, float]) -> dict[str, object]:
    """A JSON-stat shaped like SSB 07459 (Region × Alder × ContentsCode × Tid) for Oslo 2023, SYNTHETIC values:
    100 persons of each age unless ``value_of`` says otherwise."""
    ages = [f"{age:03d}" for age in range(106)]
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "SYNTHETIC population by age",
        "id": ["Region", "Alder", "ContentsCode", "Tid"],
        "size": [1, len(ages), 1, 1],
        "role": {"geo": ["Region"], "time": ["Tid"], "metric": ["ContentsCode"]},
        "dimension": {
            "Region": {"category": {"index": ["0301"]}},
            "Alder": {"category": {"index": ages}},
            "ContentsCode": {"category": {"index": ["Personer1"]}},
            "Tid": {"category": {"index": ["2023"]}},
        },
        "value": [value_of.get(age, 100) for age in ages],
        "extension": {"px": {"tableid": "07459"}},
    }


def test_a_negative_cell_in_a_json_stat_file_is_named_by_its_codes(store_copy: Store, tmp_path: Path) -> None:
    path = tmp_path / "synthetic_07459.json"
    path.write_text(json.dumps(synthetic_population_cube({"017": -5})), encoding="utf-8")
    problems = refused(path, store_copy)
    assert problems, problems
    assert all(p.file == str(path) for p in problems)
    assert any(
        p.field == "Region=0301, Alder=017, ContentsCode=Personer1, Tid=2023 (numerator)" and "negative" in p.message
        for p in problems
    ), problems


def test_an_infinite_json_stat_value_is_refused(store_copy: Store, tmp_path: Path) -> None:
    path = tmp_path / "synthetic_07459_infinite.json"
    text = json.dumps(synthetic_population_cube({"017": 123456789})).replace("123456789", "1e999999")
    path.write_text(text, encoding="utf-8")
    [problem] = refused(path, store_copy)
    assert problem.field == "value[17]" and "not a finite number" in problem.message


def test_a_valid_cube_imports_under_a_new_dataset_with_its_outliers_flagged(store_copy: Store, tmp_path: Path) -> None:
    # A synthetic population of 10 600 for Oslo: possible (over 100, under Norway's), but a hundredth of Oslo's
    # own series: kept and flagged outlier.
    path = tmp_path / "synthetic_07459_valid.json"
    path.write_text(json.dumps(synthetic_population_cube({})), encoding="utf-8")
    summary = import_file(path, store_copy)
    assert summary.dataset == "ssb:07459@2"  # the build's ssb:07459 keeps its own provenance
    [oslo] = store_copy.observations(indicator_id="BEF01", region_code="0301", year=2023)
    assert oslo.value == 10_600 and oslo.dataset_id == "ssb:07459@2"
    assert Flag.OUTLIER in oslo.flags
    assert summary.outliers >= 1
    # The report says, per indicator reading the table, how many values came from it, and why none for some.
    assert (summary.read, summary.read_unit, summary.observations) == (106, "cells", 8)
    assert summary.by_indicator["BEF01"] == 1 and summary.by_indicator["FL01"] == 0
    assert "FL01: none: dataset imdi:bosetting is needed too" in summary.describe()
