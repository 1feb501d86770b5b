"""`boligmonitor import` says exactly what it did with every row, and never changes another dataset's provenance.

Every file here is SYNTHETIC (named synthetic_*).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from boligmonitor.core.errors import InputError
from boligmonitor.pipeline.importer import DatasetConflictError, import_file
from boligmonitor.store import Store


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_three_rows_of_merged_municipalities_are_reported_as_summed(store_copy: Store, tmp_path: Path) -> None:
    # Before: "Imported 1 observations" and nothing about the other two rows. 1001, 1017 and 1018 merged into
    # Kristiansand (4204 today) in 2020: their 2019 values are one value of today's municipality.
    text = "indicator,region,year,value\nKB01,1001,2019,10\nKB01,1017,2019,3\nKB01,1018,2019,2\n"
    summary = import_file(write(tmp_path, "synthetic_merged.csv", text), store_copy)
    assert (summary.read, summary.observations, summary.new, summary.replaced) == (3, 1, 1, 0)
    assert (summary.combined_rows, summary.combined_into, summary.skipped) == (3, 1, ())
    assert "3 rows summed into 1 observations of merged municipalities" in summary.describe()
    [kristiansand] = store_copy.observations(indicator_id="KB01", region_code="4204", year=2019)
    assert kristiansand.value == 15


def test_a_number_that_ends_in_a_missing_value_is_reported_with_why(store_copy: Store, tmp_path: Path) -> None:
    # 0104 Moss merged with 0136 Rygge in 2020: Moss alone is not today's 3103, which stays missing.
    text = "indicator,region,year,value,status\nKB01,0301,2023,120,\nKB01,4601,2023,,:\nKB01,0104,2019,7,\n"
    summary = import_file(write(tmp_path, "synthetic_three.csv", text), store_copy)
    assert (summary.read, summary.observations, summary.without_value) == (3, 3, {"..": 1, ":": 1})
    [lost] = summary.numbers_not_shown
    assert lost.rows == 1 and "no value for 0136, which also map to 3103" in lost.reason
    assert lost.examples == ("line 4: 0104 2019 → 3103",)
    assert "rows whose number went into an observation without a value" in summary.describe()


def test_a_row_that_gives_no_observation_is_counted_as_skipped_with_its_reason(
    store_copy: Store, tmp_path: Path
) -> None:
    # A share without its counts for a municipality since merged cannot be summed into today's municipality.
    text = "indicator,region,year,value\nBU01,1001,2019,12.5\nBU01,0301,2019,10\n"
    summary = import_file(write(tmp_path, "synthetic_skipped.csv", text), store_copy)
    [skipped] = summary.skipped
    assert skipped.rows == 1 and skipped.examples == ("line 2: 1001 2019",)
    assert "cannot be summed or divided" in skipped.reason
    assert summary.read == 2 and summary.observations == 1  # 0301 only
    assert "skipped   1 row:" in summary.describe()


def test_a_second_import_of_the_same_file_replaces_its_values(store_copy: Store, tmp_path: Path) -> None:
    path = write(
        tmp_path, "synthetic_again.csv", "indicator,region,year,value\nKB01,0301,2023,120\nKB01,4601,2023,80\n"
    )
    first = import_file(path, store_copy)
    second = import_file(path, store_copy)
    assert (first.new, first.replaced) == (2, 0)
    assert (second.new, second.replaced) == (0, 2)
    assert second.dataset == first.dataset == "import:synthetic_again.csv" and second.dataset_note is None


def test_an_explicit_dataset_that_exists_with_other_provenance_is_refused(store_copy: Store, tmp_path: Path) -> None:
    # Before: --dataset ssb:07459 replaced the publisher, title and checksum that SSB's population values cite.
    before = {d.id: d for d in store_copy.datasets()}["ssb:07459"]
    version = store_copy.current_version()
    path = write(tmp_path, "synthetic_owned.csv", "indicator,region,year,value\nKB01,0301,2023,120\n")
    with pytest.raises(DatasetConflictError) as caught:
        import_file(path, store_copy, dataset="ssb:07459")
    [problem] = caught.value.problems
    assert problem.field == "dataset" and "already exists with other provenance" in problem.message
    assert "cited by" in problem.message and "an import cannot change it" in problem.message
    assert {d.id: d for d in store_copy.datasets()}["ssb:07459"] == before
    assert store_copy.current_version() == version

    summary = import_file(path, store_copy, dataset="local:synthetic-register")
    assert summary.dataset == "local:synthetic-register"
    [stored] = store_copy.observations(indicator_id="KB01", region_code="0301", year=2023)
    assert stored.dataset_id == "local:synthetic-register"


def test_a_changed_file_under_the_same_name_gets_a_dataset_of_its_own(store_copy: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "synthetic_edit.csv", "indicator,region,year,value\nKB01,0301,2023,120\nKB01,4601,2023,80\n")
    first = import_file(path, store_copy)
    first_row = {d.id: d for d in store_copy.datasets()}[first.dataset]
    path.write_text("indicator,region,year,value\nKB01,0301,2023,125\n", encoding="utf-8")
    second = import_file(path, store_copy)
    assert second.dataset == "import:synthetic_edit.csv@2"
    assert second.dataset_note is not None and "exists with other provenance" in second.dataset_note
    datasets = {d.id: d for d in store_copy.datasets()}
    assert datasets[first.dataset] == first_row  # Bergen's value still cites the first file, unchanged
    cited = {o.region_code: o.dataset_id for o in store_copy.observations(indicator_id="KB01", year=2023)}
    assert cited == {"0301": "import:synthetic_edit.csv@2", "4601": "import:synthetic_edit.csv"}


def test_the_report_as_json(store_copy: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "synthetic_json.csv", "indicator,region,year,value\nKB01,0301,2023,120\n")
    report = json.loads(json.dumps(import_file(path, store_copy).as_dict()))
    assert report["read"] == 1 and report["read_unit"] == "rows"
    assert report["file"] == str(path) and report["observations"] == 1 and report["skipped"] == []


def test_a_dataset_conflict_is_an_input_error(store_copy: Store, tmp_path: Path) -> None:
    assert issubclass(DatasetConflictError, InputError)  # the command line reports it and exits with status 2
