"""Cube -> tidy CSV, and `convert_file` on real JSON-stat responses and a synthetic statbank CSV."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest

from boligmonitor.core.errors import InputError
from boligmonitor.core.status import Status
from boligmonitor.sources.cube import Cube, Dimension
from boligmonitor.sources.readers.convert import convert_file, cube_to_tidy_rows, format_value, write_tidy_csv


def _convert(path: Path) -> tuple[int, str]:
    out = io.StringIO(newline="")
    count = convert_file(path, out)
    return count, out.getvalue()


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_real_07221_response_to_tidy_csv(api_fixtures: Path) -> None:
    count, text = _convert(api_fixtures / "ssb_pxwebapi_v0_07221_jsonstat2_response.json")
    rows = _rows(text)

    assert count == len(rows) == 288
    assert text.startswith("Region,Boligtype,ContentsCode,Tid,value,status\r\n")
    missing = [r for r in rows if r["status"]]
    assert len(missing) == 24
    assert all(r["status"] == ".." and r["value"] == "" for r in missing)
    assert {(r["Region"], r["Boligtype"]) for r in missing} == {("007", "02"), ("010", "02"), ("011", "02")}
    assert rows[176] == {
        "Region": "007",
        "Boligtype": "02",
        "ContentsCode": "Boligindeks",
        "Tid": "2022K1",
        "value": "",
        "status": "..",
    }
    assert all(r["value"] for r in rows if not r["status"])


def test_real_12134_response_writes_integers_without_decimals(api_fixtures: Path) -> None:
    _, text = _convert(api_fixtures / "ssb_pxwebapi_v2_12134_jsonstat2.json")
    assert text.splitlines() == [
        "KOKkommuneregion0000,ContentsCode,Tid,value,status",
        "0301,KOSAG110000,2024,81240,",
        "4601,KOSAG110000,2024,66605,",
        "5001,KOSAG110000,2024,62853,",
    ]


def test_statbank_csv_is_detected_by_content(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_statbank_07459_wide.json"  # the extension does not decide
    path.write_text(
        '"07459: Befolkning, etter region og år"\n\n"region";"Personer 2023";"Personer 2024"\n'
        '"0301 Oslo";709037;717710\n"4601 Bergen";..;291940\n',
        encoding="utf-8",
    )
    count, text = _convert(path)
    assert count == 4
    assert text.splitlines() == [
        "region,statistikkvariabel,år,value,status",
        "0301,Personer,2023,709037,",
        "0301,Personer,2024,717710,",
        "4601,Personer,2023,,..",
        "4601,Personer,2024,291940,",
    ]


def test_json_with_bom_and_leading_space_is_json_stat(tmp_path: Path, api_fixtures: Path) -> None:
    raw = (api_fixtures / "ssb_pxwebapi_v2_12134_jsonstat2.json").read_bytes()
    path = tmp_path / "synthetic_bom.txt"
    path.write_bytes(b"\xef\xbb\xbf \n" + raw)
    assert _convert(path)[0] == 3


def test_bad_input_raises_before_anything_is_written(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_truncated.json"
    path.write_text('{"version": "2.0", "class": "dataset", "id": ["Tid"], ', encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(InputError):
        convert_file(path, out)
    assert out.getvalue() == ""


def _synthetic_cube() -> Cube:
    return Cube(
        dimensions=(
            Dimension("Kjønn og år", "kjønn og år", ("menn, 2024", 'kvinner "2024"'), ("a", "b")),
            Dimension("Tid", "år", ("2024",), ("2024",), role="time"),
        ),
        values=[1e-05, None],
        status={1: Status.CONFIDENTIAL},
        flags={0: ("series_break", "estimated")},
    )


def test_column_names_are_dimension_ids_and_quoting_is_rfc_4180() -> None:
    out = io.StringIO(newline="")
    assert write_tidy_csv(_synthetic_cube(), out) == 2
    assert out.getvalue() == (
        "Kjønn og år,Tid,value,status,flags\r\n"
        '"menn, 2024",2024,0.00001,,"estimated,series_break"\r\n'
        '"kvinner ""2024""",2024,,:,\r\n'
    )
    assert list(cube_to_tidy_rows(_synthetic_cube()))[1] == {
        "Kjønn og år": 'kvinner "2024"',
        "Tid": "2024",
        "value": "",
        "status": ":",
        "flags": "",
    }


def test_write_to_a_path_is_utf8_and_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    assert write_tidy_csv(_synthetic_cube(), target) == 2
    assert target.read_bytes().startswith("Kjønn og år,".encode())

    broken = Cube(dimensions=(Dimension("Tid", "år", ("2024",), ("2024",)),), values=[math.inf])
    with pytest.raises(ValueError, match="not a value"):
        write_tidy_csv(broken, tmp_path / "broken.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_dimension_named_like_a_tidy_column_is_refused(tmp_path: Path) -> None:
    cube = Cube(dimensions=(Dimension("value", "value", ("a",), ("a",)),), values=[1])
    with pytest.raises(ValueError, match="clash"):
        list(cube_to_tidy_rows(cube))
    path = tmp_path / "synthetic_clash.csv"
    path.write_text('"value";"Personer 2024"\n"a";1\n', encoding="utf-8")
    with pytest.raises(InputError, match="clash"):
        convert_file(path, io.StringIO())


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (81240, "81240"),
        (81240.0, "81240"),
        (7.5, "7.5"),
        (-0.0, "0"),
        (1e-05, "0.00001"),
        (-3.25e-07, "-0.000000325"),
        (1.5e20, "150000000000000000000"),
        (0.1 + 0.2, "0.30000000000000004"),
        (2**70, "1180591620717411303424"),
    ],
)
def test_format_value_is_plain_decimal(value: float | None, text: str) -> None:
    assert format_value(value) == text
    if value is not None:
        assert float(text) == value
