"""The one registry of file formats: which reader reads each build-input format, and how a file's format is told.

Build inputs name their format in the manifest and are read with :func:`read_file`; ``boligmonitor import``
and ``boligmonitor convert`` are handed a bare file and tell its format with :func:`sniff_format` first.
The two commands accept different formats and have always trusted different clues, so each states its
:class:`Sniffing` (:data:`IMPORT_SNIFFING`, :data:`CONVERT_SNIFFING`) instead of sharing one guess.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, get_args

from boligmonitor.core.errors import InputError
from boligmonitor.sources.cube import Cube
from boligmonitor.sources.manifest import FileFormat
from boligmonitor.sources.readers.geojson import RegionGeometry, read_geojson_regions
from boligmonitor.sources.readers.jsonstat import read_jsonstat
from boligmonitor.sources.readers.klass_files import read_klass_changes, read_klass_codes
from boligmonitor.sources.readers.klass_records import KlassChange, KlassCode
from boligmonitor.sources.readers.limits import printable_path
from boligmonitor.sources.readers.region_files import (
    RegionAttribute,
    SplitWeight,
    read_region_attributes,
    read_split_weights,
)
from boligmonitor.sources.readers.statbank_csv import read_statbank_csv
from boligmonitor.sources.readers.tidy import TidyRow, read_tidy

# --- what a file holds --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CubeFile:
    cube: Cube


@dataclass(frozen=True)
class TidyFile:
    rows: list[TidyRow]


@dataclass(frozen=True)
class KlassCodesFile:
    codes: list[KlassCode]


@dataclass(frozen=True)
class KlassChangesFile:
    changes: list[KlassChange]


@dataclass(frozen=True)
class RegionAttributesFile:
    attributes: list[RegionAttribute]


@dataclass(frozen=True)
class SplitWeightsFile:
    weights: list[SplitWeight]


@dataclass(frozen=True)
class GeometryFile:
    regions: list[RegionGeometry]


FileContent = (
    CubeFile | TidyFile | KlassCodesFile | KlassChangesFile | RegionAttributesFile | SplitWeightsFile | GeometryFile
)

# --- format name -> reader ----------------------------------------------------------------------------------

FORMATS: Final[tuple[FileFormat, ...]] = get_args(FileFormat)

CUBE_READERS: Final[Mapping[FileFormat, Callable[[Path], Cube]]] = {
    "jsonstat": read_jsonstat,
    "statbank-csv": read_statbank_csv,
}

READERS: Final[Mapping[FileFormat, Callable[[Path], FileContent]]] = {
    "jsonstat": lambda path: CubeFile(read_jsonstat(path)),
    "statbank-csv": lambda path: CubeFile(read_statbank_csv(path)),
    "tidy-csv": lambda path: TidyFile(read_tidy(path)),
    "tidy-xlsx": lambda path: TidyFile(read_tidy(path)),
    "klass-codes": lambda path: KlassCodesFile(read_klass_codes(path)),
    "klass-changes": lambda path: KlassChangesFile(read_klass_changes(path)),
    "region-attributes": lambda path: RegionAttributesFile(read_region_attributes(path)),
    "split-weights": lambda path: SplitWeightsFile(read_split_weights(path)),
    "geojson": lambda path: GeometryFile(read_geojson_regions(path)),
}


def read_file(path: Path, file_format: FileFormat) -> FileContent:
    """Read ``path`` as ``file_format``; bad input raises :class:`~boligmonitor.core.errors.InputError`."""
    return READERS[file_format](path)


def read_cube(path: Path, file_format: FileFormat) -> Cube:
    """Read a cube format (JSON-stat or statbank CSV); ValueError for a format that holds no cube."""
    reader = CUBE_READERS.get(file_format)
    if reader is None:
        raise ValueError(f"{file_format!r} is not a cube format ({', '.join(CUBE_READERS)})")
    return reader(path)


# --- suffix / first bytes -> format -------------------------------------------------------------------------

HEAD_BYTES: Final = 4096  # how much of a file sniffing looks at

SUFFIX_FORMATS: Final[Mapping[str, FileFormat]] = {".xlsx": "tidy-xlsx", ".xlsm": "tidy-xlsx", ".json": "jsonstat"}
TIDY_HEADER: Final = frozenset({"indicator", "region", "year"})  # a first line with these columns is tidy
_UTF16_BOMS: Final = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_ASCII_WHITESPACE: Final = " \t\n\r\x0b\x0c"  # what bytes.lstrip() strips


@dataclass(frozen=True)
class Sniffing:
    """How one command tells a file's format: which formats it accepts and which clues it trusts.

    Anything that is not recognised as another accepted format is read as an SSB statbank CSV.
    """

    formats: frozenset[FileFormat]
    by_suffix: bool  # a known suffix (:data:`SUFFIX_FORMATS`) decides before the content is looked at
    bom_before_json: bool  # a UTF-8 byte order mark before the ``{`` still means JSON

    def __post_init__(self) -> None:
        if "statbank-csv" not in self.formats:
            raise ValueError("sniffing falls back to statbank-csv, so it must be accepted")


IMPORT_SNIFFING: Final = Sniffing(
    formats=frozenset({"jsonstat", "statbank-csv", "tidy-csv", "tidy-xlsx"}), by_suffix=True, bom_before_json=False
)
CONVERT_SNIFFING: Final = Sniffing(
    formats=frozenset({"jsonstat", "statbank-csv"}), by_suffix=False, bom_before_json=True
)


def read_head(path: Path) -> bytes:
    """The first :data:`HEAD_BYTES` of the file (an unreadable file raises OSError: callers word that)."""
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def sniff_format(path: Path, head: bytes, sniffing: Sniffing) -> FileFormat:
    """The format of ``path`` from its suffix (if trusted) and its first bytes ``head``.

    JSON-stat if the first non-blank character is ``{``; tidy CSV if the first line's columns include
    :data:`TIDY_HEADER` (``,`` or ``;`` separated, whichever is more frequent); else a statbank CSV. A head
    with a UTF-16 byte order mark is read as UTF-16 for this (the reader then says what it accepts).
    An empty file (or one holding only a byte order mark) is left to the statbank reader, which says so. A
    file in an encoding no reader reads raises :class:`InputError`: UTF-32, or UTF-16 without a byte order
    mark (told by its NUL bytes).
    """
    if sniffing.by_suffix:
        by_suffix = SUFFIX_FORMATS.get(path.suffix.lower())
        if by_suffix is not None and by_suffix in sniffing.formats:
            return by_suffix
    text = _head_text(head, printable_path(path))
    text_start = text.removeprefix("\ufeff") if sniffing.bom_before_json or head.startswith(_UTF16_BOMS) else text
    if "jsonstat" in sniffing.formats and text_start.lstrip(_ASCII_WHITESPACE).startswith("{"):
        return "jsonstat"
    if "tidy-csv" in sniffing.formats and _has_tidy_header(text):
        return "tidy-csv"
    return "statbank-csv"


def _head_text(head: bytes, file: str) -> str:
    """The head as text (a UTF-8 or UTF-16 byte order mark kept as U+FEFF); InputError for an encoding no
    reader reads."""
    wide = _wide_encoding(head)
    if wide is not None:
        raise InputError.single(file, f"the file is {wide}; save it as UTF-8", line=1)
    if head.startswith(_UTF16_BOMS):
        text = head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
        text = "\ufeff" + text  # decode("utf-16") consumed the byte order mark
    else:
        text = head.decode("utf-8", errors="replace")
    return text


def _wide_encoding(head: bytes) -> str | None:
    """UTF-32 (by byte order mark or NUL bytes) or UTF-16 without a byte order mark, which no reader reads.

    Such text has a NUL byte beside nearly every ASCII character, in a fixed place: three in every four
    bytes for UTF-32, every other byte for UTF-16; UTF-8 text has none, other binary files no such pattern.
    UTF-16 with a byte order mark is left to the readers: SSB's statbank CSV reader accepts it, the others
    say to save the file as UTF-8.
    """
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "UTF-32"
    if head.startswith(_UTF16_BOMS) or len(head) < 8 or 0 not in head:
        return None
    share = [head[k::4].count(0) / len(head[k::4]) for k in range(4)]  # NULs by position in each 4 bytes
    if sorted(share)[1] > 0.9:  # three of the four positions
        return "UTF-32"
    even, odd = (share[0], share[2]), (share[1], share[3])
    if (min(odd) > 0.5 and max(even) < 0.1) or (min(even) > 0.5 and max(odd) < 0.1):  # little or big endian
        return "UTF-16 without a byte order mark"
    return None


def _has_tidy_header(text: str) -> bool:
    lines = text.lstrip("\ufeff").splitlines()
    first_line = lines[0] if lines else ""
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
    except csv.Error:  # e.g. a NUL character: then it is not a tidy header
        return False
    header = {cell.strip().strip('"').lower() for cell in cells}
    return header >= TIDY_HEADER
