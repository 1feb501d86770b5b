"""SSB statbank CSV downloads. No real download is available offline: every file here is a small synthetic
example shaped like SSB's "Lagre som CSV" output and named synthetic_*."""

from __future__ import annotations

from pathlib import Path

import pytest

from boligmonitor.core.errors import InputError, InputProblem
from boligmonitor.core.status import Status
from boligmonitor.sources.cube import Cube
from boligmonitor.sources.readers.statbank_csv import read_statbank_csv

TITLE_07459 = '"07459: Befolkning, etter region, alder, statistikkvariabel og år"'


def _write(tmp_path: Path, name: str, lines: list[str], *, encoding: str = "utf-8", end: str = "\r\n") -> Path:
    path = tmp_path / name
    path.write_bytes((end.join(lines) + end).encode(encoding))
    return path


def _value(cube: Cube, *codes: str) -> tuple[float | None, Status]:
    flat = cube.flat_index([d.index_of(c) for d, c in zip(cube.dimensions, codes, strict=True)])
    return cube.values[flat], cube.status_at(flat)


def _problems(path: Path) -> tuple[InputProblem, ...]:
    with pytest.raises(InputError) as error:
        read_statbank_csv(path)
    return error.value.problems


def test_wide_layout_with_title_bom_and_decimal_comma(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_statbank_07459_wide.csv"
    lines = [
        TITLE_07459,
        "",
        '"region";"alder";"Personer 2023";"Personer 2024"',
        '"0301 Oslo";"0 år";7501;7394',
        '"0301 Oslo";"1 år";..;7200',
        '"4601 Bergen";"0 år";3100;-',
        '"4601 Bergen";"1 år";3050,5;:',
    ]
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode())
    cube = read_statbank_csv(path)

    assert cube.label == "07459: Befolkning, etter region, alder, statistikkvariabel og år"
    assert cube.extension == {"statbank_csv": {"layout": "wide", "encoding": "utf-8", "table_id": "07459"}}
    assert cube.ids == ("region", "alder", "statistikkvariabel", "år")
    region = cube.dimension("region")
    assert (region.codes, region.labels, region.role) == (("0301", "4601"), ("Oslo", "Bergen"), "geo")
    # "0 år", "1 år" are not split: the label would lose its number.
    assert cube.dimension("alder").codes == ("0 år", "1 år")
    assert cube.dimension("statistikkvariabel").role == "metric"
    assert cube.dimension("år").codes == ("2023", "2024")
    assert cube.time_dimension() is cube.dimension("år")
    assert _value(cube, "0301", "0 år", "Personer", "2024") == (7394, Status.OK)
    assert _value(cube, "0301", "1 år", "Personer", "2023") == (None, Status.MISSING)
    assert _value(cube, "4601", "0 år", "Personer", "2024") == (0, Status.NIL)
    assert _value(cube, "4601", "1 år", "Personer", "2023") == (3050.5, Status.OK)
    assert _value(cube, "4601", "1 år", "Personer", "2024") == (None, Status.CONFIDENTIAL)


def test_long_layout_in_windows_1252(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "synthetic_statbank_07459_long.csv",
        [
            '"region";"kjønn";"alder";"statistikkvariabel";"år";"Personer"',
            '"3201 Bærum";"1 Menn";"0 år";"Personer";"2024";683',
            '"3201 Bærum";"2 Kvinner";"0 år";"Personer";"2024";.',
            '"3201 Bærum";"1 Menn";"105 år eller eldre";"Personer";"2024";...',
            '"3201 Bærum";"2 Kvinner";"105 år eller eldre";"Personer";"2024";1',
        ],
        encoding="cp1252",
        end="\n",
    )
    cube = read_statbank_csv(path)

    assert cube.extension["statbank_csv"] == {
        "layout": "long",
        "encoding": "windows-1252",
        "value_column": "Personer",
    }
    assert cube.label == ""
    assert cube.ids == ("region", "kjønn", "alder", "statistikkvariabel", "år")
    assert cube.dimension("region").labels == ("Bærum",)
    kjonn = cube.dimension("kjønn")
    assert (kjonn.codes, kjonn.labels) == (("1", "2"), ("Menn", "Kvinner"))
    assert cube.dimension("alder").codes == ("0 år", "105 år eller eldre")
    assert [d.role for d in cube.dimensions] == ["geo", None, None, "metric", "time"]
    assert _value(cube, "3201", "2", "0 år", "Personer", "2024") == (None, Status.NOT_APPLICABLE)
    assert _value(cube, "3201", "1", "105 år eller eldre", "Personer", "2024") == (
        None,
        Status.NOT_YET_AVAILABLE,
    )


def test_wide_layout_with_two_statistikkvariabler_and_quarters(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "synthetic_statbank_wide_quarters.csv",
        [
            '"region";"Solgte boliger 2023K4";"Solgte boliger 2024K1";"Prisindeks 2023K4";"Prisindeks 2024K1"',
            '"EAK Hele landet";120;99;128,3;130,1',
            '"0301 Oslo";30;28;140,2;142,0',
        ],
    )
    cube = read_statbank_csv(path)

    assert cube.ids == ("region", "statistikkvariabel", "kvartal")
    assert cube.dimension("region").codes == ("EAK", "0301")
    assert cube.dimension("statistikkvariabel").codes == ("Solgte boliger", "Prisindeks")
    assert cube.dimension("kvartal").codes == ("2023K4", "2024K1")
    assert _value(cube, "0301", "Prisindeks", "2024K1") == (142.0, Status.OK)
    assert _value(cube, "EAK", "Solgte boliger", "2024K1") == (99, Status.OK)


def test_wide_layout_with_time_only_headers_and_comma_separator(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "synthetic_statbank_comma.csv",
        [
            '"region","statistikkvariabel","2023","2024"',
            '"0301 Oslo","Andel leid",31.5,32',
            '"4601 Bergen","Andel leid",..,24.25',
        ],
    )
    cube = read_statbank_csv(path)

    assert cube.ids == ("region", "statistikkvariabel", "år")
    assert cube.values == [31.5, 32, None, 24.25]
    assert cube.status == {2: Status.MISSING}


def test_trailing_notes_after_a_blank_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "synthetic_statbank_notes.csv",
        ['"region";"Personer 2024"', '"0301 Oslo";717710', "", '"Tall for 2024 er foreløpige."'],
    )
    cube = read_statbank_csv(path)
    assert cube.notes == ("Tall for 2024 er foreløpige.",)
    assert cube.values == [717710]


# ------------------------------------------------------------------------------------------- bad input


def test_every_bad_cell_is_named_with_line_and_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "synthetic_statbank_bad_cells.csv",
        [
            TITLE_07459,
            "",
            '"region";"alder";"Personer 2023";"Personer 2024"',
            '"0301 Oslo";"0 år";7501;n/a',
            '"0301 Oslo";"1 år";;7200',
            '"4601 Bergen";"0 år";1 234;3100',
            '"4601 Bergen";"1 år";3000;3000',
        ],
    )
    problems = _problems(path)
    assert [(p.line, p.field) for p in problems] == [
        (4, "Personer 2024"),
        (5, "Personer 2023"),
        (6, "Personer 2023"),
    ]
    assert all(p.file == str(path) for p in problems)
    assert "not a number or SSB status symbol: 'n/a'" in problems[0].message


def test_wrong_column_count_and_duplicate_combination(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "synthetic_statbank_duplicates.csv",
        [
            '"region";"år";"Personer"',
            '"0301 Oslo";"2024";1',
            '"0301 Oslo";"2024";2',
            '"4601 Bergen";"2024"',
        ],
    )
    problems = _problems(path)
    assert problems[0].line == 3
    assert problems[0].field == "region, år"
    assert "duplicate combination region=0301 Oslo, år=2024 (first on line 2)" in problems[0].message
    assert problems[1].line == 4
    assert "2 fields but the header has 3" in problems[1].message


def test_truncated_last_line(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_statbank_truncated.csv"
    path.write_text('"region";"Personer 2023";"Personer 2024"\n"0301 Oslo";7501;7394\n"4601 Bergen";31', "utf-8")
    problems = _problems(path)
    assert [p.line for p in problems] == [3]
    assert "truncated last line" in problems[0].message


def test_truncated_inside_quotes(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_statbank_cut_quote.csv"
    path.write_text('"region";"Personer 2024"\n"0301 Oslo";7394\n"4601 Ber', "utf-8")
    (problem,) = _problems(path)
    assert problem.line == 3
    assert "truncated file" in problem.message


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        # UTF-8 "ø" on line 2, a Windows-1252 "å" on line 3: two encodings in one file.
        (b'"region";"Personer 2024"\n' + '"3201 Bærum";1\n'.encode() + b'"\xc5s";2\n', 3, "mixes UTF-8"),
        (b'"region";"Personer 2024"\n"0301 Oslo";1\n"\x81";2\n', 3, "neither UTF-8 nor Windows-1252"),
        ('"region";"Personer 2024"\n"0301 Oslo";1\n'.encode("utf-16-le"), 1, "control character U+0000"),
    ],
)
def test_wrong_encoding(tmp_path: Path, content: bytes, line: int, message: str) -> None:
    path = tmp_path / "synthetic_statbank_encoding.csv"
    path.write_bytes(content)
    (problem,) = _problems(path)
    assert problem.line == line
    assert "wrong encoding" in problem.message
    assert message in problem.message


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_statbank_utf16.csv"
    path.write_bytes('"region";"Personer 2024"\r\n"3201 Bærum";130000\r\n'.encode("utf-16"))
    cube = read_statbank_csv(path)
    assert cube.dimension("region").labels == ("Bærum",)
    assert cube.extension["statbank_csv"]["encoding"] == "utf-16"


def test_empty_file_and_missing_file(tmp_path: Path) -> None:
    empty = tmp_path / "synthetic_empty.csv"
    empty.write_bytes(b"\n\n")
    assert "empty" in _problems(empty)[0].message
    assert "cannot read the file" in _problems(tmp_path / "nowhere.csv")[0].message


def test_repeated_value_column_headers(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "synthetic_statbank_repeated.csv",
        ['"region";"Personer 2024";"Personer 2024"', '"0301 Oslo";1;2'],
    )
    problems = _problems(path)
    assert problems[0].line == 1
    assert "duplicate column headers: Personer 2024" in problems[0].message


def test_missing_combination_is_rejected(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "synthetic_statbank_incomplete.csv",
        [
            '"region";"kjønn";"Personer 2024"',
            '"0301 Oslo";"1 Menn";1',
            '"0301 Oslo";"2 Kvinner";2',
            '"4601 Bergen";"1 Menn";3',
        ],
    )
    (problem,) = _problems(path)
    assert problem.message == "1 combinations of categories are missing, e.g. region=4601 Bergen, kjønn=2 Kvinner"


def test_time_dimension_is_named_from_the_title_only_when_it_names_a_period(tmp_path: Path) -> None:
    lines = ['"region";"Personer 2024"', '"0301 Oslo";1']
    titled = _write(tmp_path, "synthetic_a.csv", ['"12345: Personer, etter region og kvartal"', "", *lines])
    assert read_statbank_csv(titled).ids == ("region", "statistikkvariabel", "kvartal")
    other = _write(tmp_path, "synthetic_b.csv", ['"12345: Personer og husholdninger"', "", *lines])
    assert read_statbank_csv(other).ids == ("region", "statistikkvariabel", "år")
