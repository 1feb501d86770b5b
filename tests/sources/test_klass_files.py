"""KLASS codes and changes: the real classification 131 files, and bad input named by file, line, field."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.sources.readers.klass_files import read_klass_changes, read_klass_codes
from boligmonitor.sources.readers.klass_records import KlassChange, KlassCode


@pytest.fixture(scope="module")
def codes_json(api_fixtures: Path) -> Path:
    return api_fixtures / "klass_131_codesAt_2026-01-01.json"


@pytest.fixture(scope="module")
def changes_csv(shared_data: Path) -> Path:
    return shared_data / "registry" / "klass131_changes_2011_2024.csv"


def problems_of(path: Path, kind: str = "codes") -> tuple[InputProblem, ...]:
    read = read_klass_codes if kind == "codes" else read_klass_changes
    with pytest.raises(InputError) as caught:
        read(path)
    assert all(p.file == str(path) for p in caught.value.problems)
    return caught.value.problems


# --- real files --------------------------------------------------------------------------------------------


def test_real_codes_json(codes_json: Path) -> None:
    codes = read_klass_codes(codes_json)
    assert len(codes) == 358
    by_code = {c.code: c for c in codes}
    assert by_code["9999"].name == "Uoppgitt"
    assert by_code["0301"] == KlassCode(
        code="0301",
        parent_code=None,
        level="1",
        name="Oslo - Oslove",
        short_name="",
        presentation_name="",
        valid_from=None,
        valid_to=None,
        notes=by_code["0301"].notes,
    )
    assert "sørsamisk" in by_code["0301"].notes
    assert Counter(c.code[:2] for c in codes if c.code != "9999")["46"] == 43


def test_as_mapping_gives_back_the_klass_json(codes_json: Path) -> None:
    raw = json.loads(codes_json.read_text(encoding="utf-8"))["codes"]
    assert [c.as_mapping() for c in read_klass_codes(codes_json)] == raw


def test_real_codes_csv_gives_the_same_codes_as_the_json(codes_json: Path, shared_data: Path) -> None:
    from_csv = read_klass_codes(shared_data / "registry" / "klass131_kommuner_codesAt_2026-01-01.csv")
    assert from_csv == read_klass_codes(codes_json)


def test_real_changes_csv(changes_csv: Path) -> None:
    changes = read_klass_changes(changes_csv)
    assert len(changes) == 516
    per_day = Counter(c.change_occurred for c in changes)
    assert per_day[date(2020, 1, 1)] == 317
    assert per_day[date(2024, 1, 1)] == 118
    assert per_day[date(2018, 1, 1)] == 58
    assert min(per_day) == date(2011, 1, 1)
    alesund = {c.new_code for c in changes if c.old_code == "1507"}
    assert alesund == {"1508", "1580"}
    assert KlassChange("3002", "Moss", "", "3103", "Moss", "", date(2024, 1, 1)) in changes


def test_changes_json_body_round_trip(changes_csv: Path, tmp_path: Path) -> None:
    changes = read_klass_changes(changes_csv)
    body = tmp_path / "changes.json"
    body.write_text(json.dumps({"codeChanges": [c.as_mapping() for c in changes]}), encoding="utf-8")
    assert read_klass_changes(body) == changes


# --- KLASS's own CSV output: ';' separated, ISO-8859-1 (synthetic sample) -----------------------------------

SYNTHETIC_KLASS_CSV = (
    "code;parentCode;level;name;shortName;presentationName;validFrom;validTo;notes\n0219;;1;Bærum;;;;;\n"
)


def test_klass_api_csv_with_explicit_encoding(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_klass.csv"
    path.write_bytes(SYNTHETIC_KLASS_CSV.encode("iso-8859-1"))
    [code] = read_klass_codes(path, encoding="iso-8859-1")
    assert (code.code, code.name) == ("0219", "Bærum")
    [problem] = problems_of(path)
    assert problem.line == 2
    assert "Latin-1" in problem.message


# --- bad input ----------------------------------------------------------------------------------------------


def write_json(tmp_path: Path, body: object) -> Path:
    path = tmp_path / "synthetic.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


def test_json_problems_name_the_list_position(tmp_path: Path) -> None:
    path = write_json(
        tmp_path,
        {
            "codes": [
                {"code": "0301", "name": "Oslo"},
                {"name": "no code"},
                {"code": "0302", "name": "X", "validTo": "2024"},
            ]
        },
    )
    assert {(p.line, p.field) for p in problems_of(path)} == {
        (None, "codes[1].code"),
        (None, "codes[2].validTo"),
    }


def test_duplicate_code(tmp_path: Path) -> None:
    path = write_json(tmp_path, {"codes": [{"code": "0301", "name": "Oslo"}, {"code": "0301", "name": "Oslo"}]})
    [problem] = problems_of(path)
    assert problem.field == "codes[1].code"
    assert "codes[0]" in problem.message


def test_changes_body_given_as_codes_gets_a_hint(tmp_path: Path) -> None:
    [problem] = problems_of(write_json(tmp_path, {"codeChanges": []}))
    assert "codeChanges" in problem.message


def test_empty_codes_list(tmp_path: Path) -> None:
    [problem] = problems_of(write_json(tmp_path, {"codes": []}))
    assert "no codes" in problem.message


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.json"
    path.write_text('{"codes": [\n{"code": "0301",\n}]}', encoding="utf-8")
    [problem] = problems_of(path)
    assert problem.line == 3


def test_csv_problems_name_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_changes.csv"
    path.write_text(
        "oldCode,oldName,oldShortName,newCode,newName,newShortName,changeOccurred\n"
        "1507,Ålesund,,1508,Ålesund,,2024-01-01\n"
        "1507,Ålesund,,1580,Haram,,01.01.2024\n"
        ",Nowhere,,1580,Haram,,2024-01-01\n",
        encoding="utf-8",
    )
    found = {(p.line, p.field) for p in problems_of(path, "changes")}
    assert found == {(3, "changeOccurred"), (4, "oldCode")}


def test_csv_missing_required_column(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_changes.csv"
    path.write_text("oldCode,newCode\n1507,1508\n", encoding="utf-8")
    [problem] = problems_of(path, "changes")
    assert (problem.line, problem.field) == (1, "changeOccurred")
