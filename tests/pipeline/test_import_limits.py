"""`boligmonitor import` of hostile or broken files: each is refused with an InputError naming the file (and line
and field where there is one) and writes nothing; a file name that is not UTF-8 imports; a tidy file is built
and written one indicator at a time. All files are synthetic and small."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.pipeline import importer
from boligmonitor.pipeline.geography import Geography
from boligmonitor.pipeline.importer import import_file
from boligmonitor.pipeline.indicators import IndicatorBuilder
from boligmonitor.pipeline.inputs import BuildInputs
from boligmonitor.store import Store

TIDY_HEADER = "indicator,region,year,value"


def refused(path: Path, store: Store) -> InputProblem:
    """The one problem of importing ``path``; asserts that nothing was written."""
    before = store.current_version()
    with pytest.raises(InputError) as caught:
        import_file(path, store)
    assert store.current_version() == before
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value.problems[0]


def test_a_sparse_json_stat_claiming_a_billion_cells_is_refused_by_its_size(store_copy: Store, tmp_path: Path) -> None:
    ids = ["synthetic_a", "synthetic_b", "synthetic_c"]
    document = {
        "version": "2.0",
        "class": "dataset",
        "id": ids,
        "size": [1000, 1000, 1000],
        "dimension": {i: {"category": {"index": [f"c{n}" for n in range(1000)]}} for i in ids},
        "value": {"0": 1},
    }
    path = tmp_path / "synthetic_sparse.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    problem = refused(path, store_copy)
    assert problem.file == str(path) and problem.field == "size" and "1000000000 cells" in problem.message


def test_deeply_nested_json_is_refused_not_a_recursion_error(store_copy: Store, tmp_path: Path) -> None:
    path = tmp_path / "synthetic_deep.json"
    path.write_bytes(b"[" * 200_000)
    problem = refused(path, store_copy)
    assert problem.line == 1 and "nested more than 64 levels deep" in problem.message


def test_a_csv_header_over_the_field_limit_is_refused_naming_line_1(store_copy: Store, tmp_path: Path) -> None:
    path = tmp_path / "synthetic_long_header.csv"
    path.write_text(f'{TIDY_HEADER},"{"x" * 140_000}"\nKB01,0301,2023,1\n', encoding="utf-8")
    problem = refused(path, store_copy)
    assert problem.line == 1 and problem.message.startswith("a field is longer than 131 072 characters")


def test_a_utf16_tidy_file_is_told_to_be_saved_as_utf8(store_copy: Store, tmp_path: Path) -> None:
    # It was read as an SSB statbank CSV: "field 'source': not a number or SSB status symbol".
    path = tmp_path / "synthetic_utf16.csv"
    path.write_bytes(f"{TIDY_HEADER},source\nKB01,0301,2023,1,synthetic\n".encode("utf-16"))
    problem = refused(path, store_copy)
    assert problem.line == 1 and problem.message.startswith("the file is UTF-16")
    assert "save it as 'CSV UTF-8'" in problem.message


def test_a_file_with_only_a_byte_order_mark_is_an_empty_file(store_copy: Store, tmp_path: Path) -> None:
    path = tmp_path / "synthetic_bom.csv"
    path.write_bytes(b"\xef\xbb\xbf")
    problem = refused(path, store_copy)
    assert (problem.line, problem.message) == (1, "the file is empty")


def test_a_file_name_that_is_not_utf8_is_imported_and_named_printably(store_copy: Store, tmp_path: Path) -> None:
    # The name used to crash the write (UnicodeEncodeError: surrogates not allowed) after all was checked.
    path = Path(os.fsdecode(os.fsencode(tmp_path) + b"/synthetic_\xff.csv"))
    path.write_text(f"{TIDY_HEADER}\nKB01,0301,2023,5\n", encoding="utf-8")
    summary = import_file(path, store_copy)
    assert summary.dataset == "import:synthetic_\\xff.csv" and summary.observations == 1
    assert "synthetic_\\xff.csv" in summary.describe()
    [dataset] = [d for d in store_copy.datasets() if d.id == summary.dataset]
    assert dataset.file == "synthetic_\\xff.csv" and dataset.provenance.endswith("synthetic_\\xff.csv")

    bad = Path(os.fsdecode(os.fsencode(tmp_path) + b"/synthetic_bad_\xff.csv"))
    bad.write_text(f"{TIDY_HEADER}\nKB01,0301,2023,x\n", encoding="utf-8")
    problem = refused(bad, store_copy)
    assert problem.file.endswith("synthetic_bad_\\xff.csv") and problem.field == "value"


def test_a_tidy_file_is_built_and_written_one_indicator_at_a_time(
    store_copy: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows_per_build: list[int] = []

    class CountingBuilder(IndicatorBuilder):
        def __init__(self, inputs: BuildInputs, geography: Geography) -> None:
            rows_per_build.append(sum(len(rows) for _, rows in inputs.tidy))
            super().__init__(inputs, geography)

    monkeypatch.setattr(importer, "IndicatorBuilder", CountingBuilder)
    years = range(2019, 2024)
    lines = [f"{indicator},{region},{year},{n}" for n, (indicator, region, year) in enumerate(
        (indicator, region, year) for indicator in ("KB01", "BU01") for region in ("0301", "4601") for year in years
    )]  # fmt: skip
    path = tmp_path / "synthetic_two_indicators.csv"
    path.write_text(TIDY_HEADER + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    summary = import_file(path, store_copy)
    assert rows_per_build == [10, 10]
    assert summary.indicators == ("BU01", "KB01") and summary.observations == 20
    states = {s.indicator_id: s for s in store_copy.indicator_status()}
    assert states["KB01"].n_values == 10 and states["BU01"].n_values == 10


def test_a_problem_in_a_later_indicator_leaves_the_earlier_ones_unwritten(store_copy: Store, tmp_path: Path) -> None:
    # BU01 is built and written first; KB01's 2019 value under 5012 Snillfjord, split in 2020 without weights
    # in the database, is a problem: the whole import is rolled back.
    path = tmp_path / "synthetic_late_problem.csv"
    path.write_text(f"{TIDY_HEADER}\nBU01,0301,2023,12\nKB01,5012,2019,4\n", encoding="utf-8")
    before = store_copy.current_version()
    with pytest.raises(InputError, match="5012"):
        import_file(path, store_copy)
    assert store_copy.current_version() == before
    assert store_copy.observations(indicator_id="BU01") == []
