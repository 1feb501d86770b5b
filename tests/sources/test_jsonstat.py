"""JSON-stat 2.0 reader and writer: the real SSB responses, every format variant, and rejected input."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

from boligmonitor.core.errors import InputError
from boligmonitor.core.status import Status
from boligmonitor.sources.cube import Cube, Dimension, Unit
from boligmonitor.sources.readers.jsonstat import read_jsonstat, write_jsonstat

V2_12134 = "ssb_pxwebapi_v2_12134_jsonstat2.json"
V0_07221 = "ssb_pxwebapi_v0_07221_jsonstat2_response.json"
V0_09895 = "ssb_pxwebapi_v0_09895_jsonstat2_leiemarked.json"


def _api_fixtures_dir() -> Path:
    # Same place as the `api_fixtures` fixture in tests/conftest.py; needed at collection time to
    # parametrise over the files. The tests themselves open the files through the fixture.
    configured = os.environ.get("BOLIGMONITOR_SHARED_DATA")
    shared = Path(configured) if configured else Path(__file__).resolve().parents[2].parent / "shared" / "data"
    return shared / "api_fixtures"


def _is_jsonstat_dataset(path: Path) -> bool:
    try:
        document = json.loads(path.read_bytes())
    except ValueError:
        return False
    return isinstance(document, dict) and (document.get("class") == "dataset" or document.get("version") == "2.0")


JSONSTAT_FIXTURES = sorted(p.name for p in _api_fixtures_dir().glob("*.json") if _is_jsonstat_dataset(p))


def _load(api_fixtures: Path, name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((api_fixtures / name).read_bytes())
    return document


# ------------------------------------------------------------------------------------ real SSB responses


def test_the_known_fixtures_are_found_for_parametrisation() -> None:
    assert {V2_12134, V0_07221, V0_09895} <= set(JSONSTAT_FIXTURES)


@pytest.mark.parametrize("fixture_name", JSONSTAT_FIXTURES)
def test_every_real_dataset_keeps_every_value_and_status(api_fixtures: Path, fixture_name: str) -> None:
    document = _load(api_fixtures, fixture_name)
    cube = read_jsonstat(api_fixtures / fixture_name)

    assert list(cube.ids) == document["id"]
    assert list(cube.shape) == document["size"]
    assert len(cube.values) == math.prod(document["size"])
    raw_values = document["value"]
    if isinstance(raw_values, dict):
        raw_values = [raw_values.get(str(i)) for i in range(len(cube.values))]
    assert list(cube.values) == raw_values
    raw_status = document.get("status") or {}
    assert {str(i): s.value for i, s in cube.status.items()} == raw_status
    for dimension in cube.dimensions:
        assert list(dimension.codes) == list(document["dimension"][dimension.id]["category"]["index"])
    # Reading what we write gives the same cube.
    assert read_jsonstat(write_jsonstat(cube)) == cube


def test_12134_kostra_v2_response(api_fixtures: Path) -> None:
    cube = read_jsonstat(api_fixtures / V2_12134)

    assert cube.label == "12134: Utvalgte nøkkeltall for kommuneregnskap, kommunekonsern, etter region og år"
    assert cube.source == "Statistisk sentralbyrå"
    assert cube.updated == "2026-03-16T07:00:00Z"
    assert cube.ids == ("KOKkommuneregion0000", "ContentsCode", "Tid")
    assert cube.shape == (3, 1, 1)
    assert cube.values == [81240, 66605, 62853]
    assert cube.status == {}
    region = cube.dimension("KOKkommuneregion0000")
    assert region.codes == ("0301", "4601", "5001")
    assert region.labels == ("Oslo - Oslove", "Bergen", "Trondheim - Tråante")
    assert region.role == "geo"
    assert region.extension == {"elimination": False, "show": "code_value"}
    assert cube.geo_dimension() is region
    assert cube.time_dimension() is cube.dimension("Tid")
    contents = cube.dimension("ContentsCode")
    assert contents.role == "metric"
    assert contents.units == {"KOSAG110000": Unit(base="kr", decimals=0)}
    assert contents.extension["measuringType"] == {"KOSAG110000": "Flow"}
    assert len(cube.notes) == 5
    assert cube.mandatory_notes == (1, 3)
    assert "KOSTRA-gruppene mellom 2019 og 2020" in cube.notes[1]
    assert cube.notes[3].startswith("Tall for landet uten Oslo publiseres ikke 16. mars 2026")
    # noteMandatory lives in mandatory_notes only; the rest of the extension is kept whole.
    assert "noteMandatory" not in cube.extension
    assert cube.extension["px"]["tableid"] == "12134"
    assert cube.extension["px"]["heading"] == ["ContentsCode", "Tid"]
    assert [(c.codes, c.value) for c in cube.cells()] == [
        (("0301", "KOSAG110000", "2024"), 81240),
        (("4601", "KOSAG110000", "2024"), 66605),
        (("5001", "KOSAG110000", "2024"), 62853),
    ]


def test_07221_v0_response_keeps_the_24_missing_cells(api_fixtures: Path) -> None:
    cube = read_jsonstat(api_fixtures / V0_07221)

    assert cube.shape == (12, 3, 1, 8)
    assert cube.updated is not None
    assert cube.updated.startswith("2024-01-12")
    expected_missing = [*range(176, 184), *range(248, 256), *range(272, 280)]
    assert sorted(cube.status) == expected_missing
    assert set(cube.status.values()) == {Status.MISSING}
    assert [i for i, v in enumerate(cube.values) if v is None] == expected_missing
    cells = list(cube.cells())
    missing_groups = {(cells[i].codes[0], cells[i].codes[1]) for i in expected_missing}
    assert missing_groups == {("007", "02"), ("010", "02"), ("011", "02")}
    assert {cells[i].codes[3] for i in range(176, 184)} == {f"{y}K{q}" for y in (2022, 2023) for q in range(1, 5)}
    assert cube.dimension("Region").label_of("010") == "Trøndelag uten Trondheim"
    assert cube.dimension("Boligtype").label_of("02") == "Småhus"
    # No role.geo in v0 responses: the region dimension is found by its name.
    assert cube.dimension("Region").role is None
    assert cube.geo_dimension() is cube.dimension("Region")
    assert cube.dimension("ContentsCode").units == {"Boligindeks": Unit(base="indeks", decimals=1)}
    assert cube.dimension("Region").extension["eliminationValueCode"] == "TOTAL"
    assert any(note.startswith(".. = Tallgrunnlag mangler") for note in cube.notes)
    assert cube.mandatory_notes == ()


def test_09895_v0_rental_survey(api_fixtures: Path) -> None:
    cube = read_jsonstat(api_fixtures / V0_09895)

    assert cube.shape == (2, 5, 2, 14)
    assert len(cube.values) == 280
    assert all(v is not None for v in cube.values)
    assert cube.status == {}
    assert cube.dimension("Soner2").codes == ("00", "01")
    assert cube.dimension("AntRom").codes == ("1", "2", "3", "4", "5+")
    assert cube.dimension("ContentsCode").codes == ("Husleie", "Husleiear")
    assert cube.dimension("Tid").codes == tuple(str(y) for y in range(2012, 2026))
    assert cube.dimension("Tid").role == "time"
    # no role.geo, but Soner2 is a region variable by its name: price zones, whose national row only is a region
    # of the monitor (sources/connectors/ssb/kostra_regions.py, PRICE_AREA_VARIABLES)
    geo = cube.geo_dimension()
    assert geo is not None and geo.id == "Soner2" and geo.role is None
    assert cube.label.startswith("09895: Gjennomsnittlig leie per kvm (kr)")
    assert cube.values[0] == 5300


def test_source_may_be_a_path_string_text_bytes_or_mapping(api_fixtures: Path) -> None:
    path = api_fixtures / V2_12134
    from_path = read_jsonstat(path)
    assert read_jsonstat(str(path)) == from_path
    assert read_jsonstat(path.read_bytes()) == from_path
    assert read_jsonstat(path.read_text(encoding="utf-8")) == from_path
    assert read_jsonstat(_load(api_fixtures, V2_12134)) == from_path


def test_a_callers_mapping_is_not_shared_with_the_cube(api_fixtures: Path) -> None:
    document = _load(api_fixtures, V2_12134)
    cube = read_jsonstat(document)
    document["value"][0] = 0
    document["extension"]["px"]["tableid"] = "changed"
    assert cube.values[0] == 81240
    assert cube.extension["px"]["tableid"] == "12134"


# ------------------------------------------------------------------------------------------- variants


def _tiny(**members: Any) -> dict[str, Any]:
    """A synthetic 2 × 2 dataset; keyword arguments replace or add members."""
    document: dict[str, Any] = {
        "version": "2.0",
        "class": "dataset",
        "id": ["Region", "Tid"],
        "size": [2, 2],
        "dimension": {
            "Region": {"label": "region", "category": {"index": ["0301", "4601"]}},
            "Tid": {"label": "år", "category": {"index": {"2023": 0, "2024": 1}}},
        },
        "value": [1, 2.5, None, 4],
    }
    document.update(members)
    return document


def test_value_as_object_keyed_by_flat_index_fills_the_rest_with_none() -> None:
    cube = read_jsonstat(_tiny(value={"0": 1, "3": 4.5}))
    assert cube.values == [1, None, None, 4.5]


def test_status_as_one_string_applies_to_every_cell() -> None:
    cube = read_jsonstat(_tiny(status="*"))
    assert cube.status == dict.fromkeys(range(4), Status.PRELIMINARY)
    # A preliminary number keeps its value and its symbol.
    assert [(c.value, c.status) for c in cube.cells()][1] == (2.5, Status.PRELIMINARY)


def test_status_as_array_with_none_and_empty_entries_for_ordinary_cells() -> None:
    cube = read_jsonstat(_tiny(status=[None, "", "..", "-"]))
    assert cube.status == {2: Status.MISSING, 3: Status.NIL}


def test_status_as_one_element_array_applies_to_every_cell() -> None:
    assert read_jsonstat(_tiny(status=[":"])).status == dict.fromkeys(range(4), Status.CONFIDENTIAL)


def test_category_index_as_object_orders_codes_by_position() -> None:
    document = _tiny()
    document["dimension"]["Region"]["category"]["index"] = {"4601": 1, "0301": 0}
    assert read_jsonstat(document).dimension("Region").codes == ("0301", "4601")


def test_missing_category_labels_are_the_codes_and_missing_dimension_label_is_the_id() -> None:
    document = _tiny()
    del document["dimension"]["Tid"]["label"]
    cube = read_jsonstat(document)
    assert cube.dimension("Region").labels == ("0301", "4601")
    assert cube.dimension("Tid").label == "Tid"


def test_single_category_without_index_uses_its_label_key() -> None:
    document = _tiny(id=["Region", "ContentsCode", "Tid"], size=[2, 1, 2])
    document["dimension"]["ContentsCode"] = {
        "label": "statistikkvariabel",
        "category": {"label": {"Personer1": "Personer"}, "unit": {"Personer1": {"base": "personer"}}},
    }
    cube = read_jsonstat(document)
    contents = cube.dimension("ContentsCode")
    assert (contents.codes, contents.labels) == (("Personer1",), ("Personer",))
    assert contents.units == {"Personer1": Unit(base="personer", decimals=None)}


def test_roles_flags_and_mandatory_notes_are_read() -> None:
    document = _tiny(
        role={"geo": ["Region"], "time": ["Tid"]},
        note=["a", "b"],
        extension={
            "noteMandatory": {"0": False, "1": True},
            "boligmonitor": {"flags": {"1": ["estimated", "series_break"], "2": []}, "build": "x"},
        },
    )
    cube = read_jsonstat(document)
    assert [d.role for d in cube.dimensions] == ["geo", "time"]
    assert cube.mandatory_notes == (1,)
    assert cube.flags == {1: ("estimated", "series_break")}
    assert cube.extension == {"boligmonitor": {"build": "x"}}
    assert [c.flags for c in cube.cells()] == [(), ("estimated", "series_break"), (), ()]


# ---------------------------------------------------------------------------------------------- writer


def test_writer_output_is_compact_deterministic_json_stat() -> None:
    cube = Cube(
        dimensions=(
            Dimension("Region", "region", ("0301", "4601"), ("Oslo", "Bergen"), role="geo"),
            Dimension(
                "ContentsCode",
                "statistikkvariabel",
                ("Andel",),
                ("Andel",),
                role="metric",
                units={"Andel": Unit("prosent", 1)},
            ),
        ),
        values=[7.5, None],
        status={1: Status.CONFIDENTIAL},
        flags={0: ("estimated",)},
        label="synthetic",
        notes=("n0", "n1"),
        mandatory_notes=(1,),
    )
    document = write_jsonstat(cube)
    assert document == {
        "version": "2.0",
        "class": "dataset",
        "label": "synthetic",
        "note": ["n0", "n1"],
        "role": {"geo": ["Region"], "metric": ["ContentsCode"]},
        "id": ["Region", "ContentsCode"],
        "size": [2, 1],
        "dimension": {
            "Region": {
                "label": "region",
                "category": {"index": ["0301", "4601"], "label": {"0301": "Oslo", "4601": "Bergen"}},
            },
            "ContentsCode": {
                "label": "statistikkvariabel",
                "category": {
                    "index": ["Andel"],
                    "label": {"Andel": "Andel"},
                    "unit": {"Andel": {"base": "prosent", "decimals": 1}},
                },
            },
        },
        "value": [7.5, None],
        "status": {"1": ":"},
        "extension": {"noteMandatory": {"1": True}, "boligmonitor": {"flagRuns": [[0, 1, ["estimated"]]]}},
    }
    assert json.dumps(write_jsonstat(cube)) == json.dumps(document)
    assert read_jsonstat(json.dumps(document)) == cube


def test_writer_omits_status_when_every_cell_is_ordinary_and_refuses_nan() -> None:
    dimension = Dimension("Tid", "år", ("2024",), ("2024",))
    assert "status" not in write_jsonstat(Cube((dimension,), [1.0]))
    with pytest.raises(ValueError, match="NaN or infinity"):
        write_jsonstat(Cube((dimension,), [math.nan]))
    with pytest.raises(ValueError, match="out of range"):
        write_jsonstat(Cube((dimension,), [1.0], status={3: Status.MISSING}))


# ------------------------------------------------------------------------------------------- bad input


def _single_problem(error: pytest.ExceptionInfo[InputError]) -> tuple[str, int | None, str | None, str]:
    assert len(error.value.problems) == 1
    problem = error.value.problems[0]
    return problem.file, problem.line, problem.field, problem.message


def test_truncated_real_response_names_file_and_line(api_fixtures: Path, tmp_path: Path) -> None:
    raw = (api_fixtures / V0_07221).read_bytes()
    truncated = tmp_path / "truncated_07221.json"
    truncated.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(InputError) as error:
        read_jsonstat(truncated)
    file, line, _, message = _single_problem(error)
    assert file == str(truncated)
    assert line is not None
    assert 1 < line <= raw[: len(raw) // 2].count(b"\n") + 1
    assert "not valid JSON" in message
    assert str(truncated) in str(error.value)
    assert f"line {line}" in str(error.value)


def test_size_that_does_not_match_the_categories(api_fixtures: Path) -> None:
    document = _load(api_fixtures, V0_07221)
    document["size"][1] = 4
    text = json.dumps(document, indent=2, ensure_ascii=False)
    with pytest.raises(InputError) as error:
        read_jsonstat(text, name="synthetic_size_mismatch.json")
    file, line, field, message = _single_problem(error)
    assert file == "synthetic_size_mismatch.json"
    assert field == "dimension.Boligtype.category.index"
    assert "3 categories but its size is 4" in message
    assert line is not None
    assert text.splitlines()[line - 1].strip().startswith('"index"')


def test_value_count_that_does_not_match_the_sizes() -> None:
    with pytest.raises(InputError) as error:
        read_jsonstat(_tiny(value=[1, 2, 3]))
    _, _, field, message = _single_problem(error)
    assert field == "value"
    assert "3 entries but the sizes give 4 cells" in message


def test_unknown_status_symbol_names_the_entry_and_its_line(api_fixtures: Path) -> None:
    document = _load(api_fixtures, V0_07221)
    document["status"]["180"] = "x"
    text = json.dumps(document, indent=4, ensure_ascii=False)
    with pytest.raises(InputError) as error:
        read_jsonstat(text.encode(), name="synthetic_bad_status.json")
    _, line, field, message = _single_problem(error)
    assert field == 'status["180"]'
    assert "unknown status symbol 'x'" in message
    assert line is not None
    assert text.splitlines()[line - 1].strip() == '"180": "x",'


def test_every_non_numeric_value_is_reported_with_its_line(api_fixtures: Path) -> None:
    document = _load(api_fixtures, V0_07221)
    document["value"][17] = "12,5"
    document["value"][200] = True
    text = json.dumps(document, indent=4, ensure_ascii=False)
    with pytest.raises(InputError) as error:
        read_jsonstat(text)
    problems = error.value.problems
    assert [p.field for p in problems] == ["value[17]", "value[200]"]
    assert [text.splitlines()[p.line - 1].strip() for p in problems if p.line] == ['"12,5",', "true,"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"status": {"4": ".."}}, 'status["4"]', "flat index 4 is out of range"),
        ({"value": {"x": 1}}, "value.x", "not a flat index"),
        ({"value": [1, float("nan"), 3, 4]}, "value[1]", "not a number: NaN"),
        ({"class": "collection"}, "class", "class 'collection' is not supported"),
        ({"class": None}, "class", "no 'class' member"),
        ({"size": [2]}, "size", "'size' has 1 entries but 'id' has 2"),
        ({"role": {"geo": ["Kommune"]}}, "role.geo[0]", "unknown dimension 'Kommune'"),
        ({"status": 7}, "status", "a string, array or object"),
        (
            {"extension": {"boligmonitor": {"flags": {"0": ["guessed"]}}}},
            'extension.boligmonitor.flags["0"]',
            "unknown flags 'guessed'",
        ),
        ({"extension": {"noteMandatory": {"2": True}}}, 'extension.noteMandatory["2"]', "out of range"),
    ],
)
def test_malformed_members_are_rejected_with_their_field(change: dict[str, Any], field: str, message: str) -> None:
    document = _tiny()
    document.update(change)
    text = json.dumps(document)  # json writes NaN for float("nan"), as some producers do
    with pytest.raises(InputError) as error:
        read_jsonstat(text, name="synthetic.json")
    _, line, reported_field, reported_message = _single_problem(error)
    assert reported_field == field
    assert message in reported_message
    assert line == 1


def test_category_index_position_out_of_range() -> None:
    document = _tiny()
    document["dimension"]["Tid"]["category"]["index"] = {"2023": 0, "2024": 2}
    with pytest.raises(InputError) as error:
        read_jsonstat(document, name="synthetic.json")
    _, line, field, message = _single_problem(error)
    assert (line, field) == (None, 'dimension.Tid.category.index["2024"]')  # a mapping has no lines
    assert "position 2 is not in 0..1" in message


def test_not_a_dataset_at_all(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is an object, not an array"):
        read_jsonstat(b"[1, 2]")
    missing = tmp_path / "nowhere.json"
    with pytest.raises(InputError, match="cannot read the file"):
        read_jsonstat(missing)
    latin1 = tmp_path / "synthetic_latin1.json"
    latin1.write_bytes('{"label": "Bærum"}'.encode("latin-1"))
    with pytest.raises(InputError, match="not valid UTF-8") as error:
        read_jsonstat(latin1)
    assert error.value.problems[0].line == 1


def test_a_flood_of_bad_values_is_listed_up_to_a_limit_then_counted() -> None:
    document = _tiny(id=["Tid"], size=[300], value=["x"] * 300)
    document["dimension"] = {"Tid": {"category": {"index": [str(y) for y in range(1700, 2000)]}}}
    with pytest.raises(InputError) as error:
        read_jsonstat(json.dumps(document, indent=1))
    problems = error.value.problems
    assert len(problems) == 101
    assert problems[99].field == "value[99]"
    assert problems[99].line is not None
    assert problems[100].message == "200 more values are not numbers"


def test_flags_are_written_as_runs_of_consecutive_cells_and_read_back_per_cell() -> None:
    """Synthetic cube: flags covering whole blocks are stored as a few runs, not one entry per cell."""
    ages = Dimension("Alder", "alder", tuple(f"{a:03d}" for a in range(100)), tuple(str(a) for a in range(100)))
    years = Dimension("Tid", "år", ("2019", "2020"), ("2019", "2020"), role="time")
    flagged: dict[int, tuple[str, ...]] = dict.fromkeys(range(150), ("summed", "harmonised_by_publisher"))
    flagged.update(dict.fromkeys(range(150, 200), ("estimated",)))
    cube = Cube(dimensions=(years, ages), values=[float(i) for i in range(200)], flags=flagged)
    document = write_jsonstat(cube)
    assert document["extension"]["boligmonitor"]["flagRuns"] == [
        [0, 150, ["summed", "harmonised_by_publisher"]],
        [150, 50, ["estimated"]],
    ]
    read = read_jsonstat(document)
    assert dict(read.flags) == flagged
    assert read.flags[149] == ("summed", "harmonised_by_publisher")
    assert 200 not in read.flags


def test_overlapping_flag_runs_are_rejected() -> None:
    document = {
        "version": "2.0",
        "class": "dataset",
        "id": ["x"],
        "size": [3],
        "dimension": {"x": {"category": {"index": ["a", "b", "c"]}}},
        "value": [1, 2, 3],
        "extension": {"boligmonitor": {"flagRuns": [[0, 2, ["estimated"]], [1, 2, ["summed"]]]}},
    }
    with pytest.raises(InputError, match="overlap"):
        read_jsonstat(document, name="synthetic_overlap.json")
