"""The reader registry: every manifest format has a reader, and how `import` and `convert` tell formats apart
(synthetic first bytes; nothing is read from disk except one real fixture)."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from boligmonitor.sources.manifest import FileFormat
from boligmonitor.sources.readers.registry import (
    CONVERT_SNIFFING,
    CUBE_READERS,
    FORMATS,
    IMPORT_SNIFFING,
    READERS,
    CubeFile,
    KlassCodesFile,
    Sniffing,
    read_cube,
    read_file,
    sniff_format,
)

BOM = b"\xef\xbb\xbf"


def test_every_manifest_format_has_a_reader() -> None:
    assert set(READERS) == set(get_args(FileFormat)) == set(FORMATS)
    assert set(CUBE_READERS) == {"jsonstat", "statbank-csv"}


def test_each_command_accepts_only_formats_it_can_read() -> None:
    assert IMPORT_SNIFFING.formats == {"jsonstat", "statbank-csv", "tidy-csv", "tidy-xlsx"}
    assert CONVERT_SNIFFING.formats <= set(CUBE_READERS)
    with pytest.raises(ValueError, match="statbank-csv"):
        Sniffing(formats=frozenset({"jsonstat"}), by_suffix=False, bom_before_json=False)


def test_read_file_gives_what_the_format_holds(api_fixtures: Path) -> None:
    path = api_fixtures / "klass_131_codesAt_2026-01-01.json"
    content = read_file(path, "klass-codes")
    assert isinstance(content, KlassCodesFile)
    assert content.codes[0].code == "0301"
    cube_path = api_fixtures / "ssb_pxwebapi_v2_12134_jsonstat2.json"
    cube = read_file(cube_path, "jsonstat")
    assert isinstance(cube, CubeFile)
    assert read_cube(cube_path, "jsonstat").shape == cube.cube.shape


def test_read_cube_refuses_a_format_without_a_cube(api_fixtures: Path) -> None:
    with pytest.raises(ValueError, match="'klass-codes' is not a cube format"):
        read_cube(api_fixtures / "klass_131_codesAt_2026-01-01.json", "klass-codes")


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("synthetic.xlsx", b"PK\x03\x04", "tidy-xlsx"),
        ("synthetic.XLSM", b"", "tidy-xlsx"),
        ("synthetic.json", b"[1, 2]", "jsonstat"),  # the suffix decides
        ("synthetic.csv", b' \n {"class": "dataset"}', "jsonstat"),
        ("synthetic.csv", BOM + b'{"class": "dataset"}', "statbank-csv"),  # import does not look past a BOM
        ("synthetic.csv", b"indicator;region;year;value\n", "tidy-csv"),
        ("synthetic.txt", BOM + b'"Indicator","Region","Year"\r\n', "tidy-csv"),
        ("synthetic.csv", b'"07459: Befolkning"\n\n"region";"\xc3\xa5r";"Personer"\n', "statbank-csv"),
        ("synthetic.csv", b"indicator;region\n", "statbank-csv"),
        ("synthetic.csv", b"", "statbank-csv"),
    ],
)
def test_import_sniffing(name: str, head: bytes, expected: FileFormat) -> None:
    assert sniff_format(Path(name), head, IMPORT_SNIFFING) == expected


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("synthetic.json", b' {"class": "dataset"}', "jsonstat"),
        ("synthetic.csv", BOM + b'{"class": "dataset"}', "jsonstat"),  # convert looks past a BOM
        ("synthetic.json", b"[1, 2]", "statbank-csv"),  # the suffix does not decide
        ("synthetic.xlsx", b"PK\x03\x04", "statbank-csv"),
        ("synthetic.csv", b"indicator;region;year;value\n", "statbank-csv"),  # convert reads no tidy files
    ],
)
def test_convert_sniffing(name: str, head: bytes, expected: FileFormat) -> None:
    assert sniff_format(Path(name), head, CONVERT_SNIFFING) == expected
