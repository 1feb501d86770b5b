"""Property tests: random cubes, written in every JSON-stat variant, read back cell for cell.

The cubes are synthetic by construction (random ids, codes, values, symbols and flags).
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from boligmonitor.core.flags import Flag
from boligmonitor.core.status import Status
from boligmonitor.sources.cube import Cube, Dimension, Unit
from boligmonitor.sources.readers.convert import write_tidy_csv
from boligmonitor.sources.readers.jsonstat import read_jsonstat, write_jsonstat

_LETTERS = "abcdefghijklmnopqrstuvwxyzæøåABCDEFGHIJKLMNOPQRSTUVWXYZÆØÅáčđŋšŧž"
_TEXT = st.text(alphabet=_LETTERS + "0123456789 -_.,;:'\"/()%+", min_size=1, max_size=12)
_DIMENSION_IDS = st.one_of(
    st.sampled_from(["Kjønn og år", "Region", "Tid", "ContentsCode", "år", "KOKkommuneregion0000"]),
    st.text(alphabet=_LETTERS + " 0123456789", min_size=1, max_size=14).filter(lambda s: s.strip() == s),
).filter(lambda s: s not in ("value", "status", "flags"))
_SYMBOLS = [s for s in Status if s is not Status.OK]
_VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
)


@st.composite
def dimensions(draw: st.DrawFn, dimension_id: str) -> Dimension:
    codes = tuple(draw(st.lists(_TEXT, min_size=1, max_size=3, unique=True)))
    labels = tuple(draw(st.lists(_TEXT, min_size=len(codes), max_size=len(codes))))
    units = {
        code: Unit(base=draw(_TEXT), decimals=draw(st.none() | st.integers(0, 4)))
        for code in draw(st.lists(st.sampled_from(codes), unique=True))
    }
    extension = draw(st.sampled_from([{}, {"elimination": True, "eliminationValueCode": codes[0]}]))
    return Dimension(
        id=dimension_id,
        label=draw(_TEXT),
        codes=codes,
        labels=labels,
        role=draw(st.sampled_from([None, "time", "geo", "metric"])),
        units=units,
        extension=extension,
    )


@st.composite
def cubes(draw: st.DrawFn) -> Cube:
    ids = draw(st.lists(_DIMENSION_IDS, min_size=1, max_size=4, unique=True))
    dims = tuple(draw(dimensions(i)) for i in ids)
    n_cells = math.prod(d.size for d in dims)
    cells = st.integers(0, n_cells - 1)
    notes = tuple(draw(st.lists(_TEXT, max_size=3)))
    return Cube(
        dimensions=dims,
        values=draw(st.lists(_VALUES, min_size=n_cells, max_size=n_cells)),
        status=draw(st.dictionaries(cells, st.sampled_from(_SYMBOLS))),
        flags=draw(
            st.dictionaries(
                cells,
                st.lists(st.sampled_from([f.value for f in Flag]), min_size=1, max_size=3, unique=True).map(tuple),
            )
        ),
        label=draw(st.just("") | _TEXT),
        source=draw(st.just("") | _TEXT),
        updated=draw(st.none() | st.just("2026-03-16T07:00:00Z")),
        notes=notes,
        mandatory_notes=tuple(sorted(draw(st.sets(st.integers(0, len(notes) - 1)))) if notes else ()),
        extension=draw(st.sampled_from([{}, {"px": {"tableid": "12134", "decimals": 0}}])),
    )


def _encode_variant(document: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """The same dataset in another of the encodings JSON-stat 2.0 allows."""
    variant = copy.deepcopy(document)
    values = variant["value"]
    if data.draw(st.booleans(), label="value as object"):
        keep_nulls = data.draw(st.booleans(), label="object keeps nulls")
        variant["value"] = {str(i): v for i, v in enumerate(values) if keep_nulls or v is not None}
    status = variant.pop("status", {})
    status_form = data.draw(st.sampled_from(["object", "array", "absent-if-empty"]), label="status form")
    if status_form == "array":
        ordinary = data.draw(st.sampled_from([None, ""]), label="ordinary entry")
        variant["status"] = [status.get(str(i), ordinary) for i in range(len(values))]
    elif status or status_form == "object":
        variant["status"] = status
    for dimension in variant["dimension"].values():
        category = dimension["category"]
        if data.draw(st.booleans(), label="index as object"):
            positions = list(enumerate(category["index"]))
            shuffled = data.draw(st.permutations(positions), label="key order")
            category["index"] = {code: position for position, code in shuffled}
        if len(category["label"]) == 1 and data.draw(st.booleans(), label="drop single index"):
            del category["index"]
    return variant


def _assert_same_cube(read: Cube, original: Cube) -> None:
    assert read.ids == original.ids
    assert list(read.cells()) == list(original.cells())
    assert read == original


@settings(max_examples=60, deadline=None)
@given(cube=cubes(), data=st.data())
def test_every_encoding_variant_reads_back_the_same_cells(cube: Cube, data: st.DataObject) -> None:
    document = _encode_variant(write_jsonstat(cube), data)
    _assert_same_cube(read_jsonstat(document), cube)
    # And through JSON text, as it would arrive over the wire.
    text = json.dumps(document, ensure_ascii=data.draw(st.booleans(), label="ascii"))
    _assert_same_cube(read_jsonstat(text.encode()), cube)


@settings(max_examples=20, deadline=None)
@given(cube=cubes(), symbol=st.sampled_from(_SYMBOLS), as_array=st.booleans())
def test_one_status_for_every_cell(cube: Cube, symbol: Status, as_array: bool) -> None:
    document = write_jsonstat(cube)
    document["status"] = [symbol.value] if as_array else symbol.value
    read = read_jsonstat(document)
    assert read.status == dict.fromkeys(range(len(cube.values)), symbol)
    assert list(read.values) == list(cube.values)


@settings(max_examples=20, deadline=None)
@given(cube=cubes())
def test_labels_equal_to_codes_may_be_left_out(cube: Cube) -> None:
    document = write_jsonstat(cube)
    for dimension in document["dimension"].values():
        category = dimension["category"]
        if all(code == label for code, label in category["label"].items()):
            del category["label"]
    _assert_same_cube(read_jsonstat(document), cube)


@settings(max_examples=30, deadline=None)
@given(cube=cubes())
def test_write_jsonstat_round_trip_and_determinism(cube: Cube) -> None:
    document = write_jsonstat(cube)
    assert json.dumps(document) == json.dumps(write_jsonstat(cube))
    _assert_same_cube(read_jsonstat(json.dumps(document, separators=(",", ":"))), cube)


@settings(max_examples=40, deadline=None)
@given(cube=cubes())
def test_tidy_csv_reread_gives_the_same_cells(cube: Cube) -> None:
    out = io.StringIO(newline="")
    count = write_tidy_csv(cube, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert count == len(rows) == len(cube.values)
    has_flags = any(cube.flags.values())
    for row, cell in zip(rows, cube.cells(), strict=True):
        assert tuple(row[i] for i in cube.ids) == cell.codes
        assert (float(row["value"]) if row["value"] else None) == cell.value
        assert "e" not in row["value"].lower()
        assert row["status"] == cell.status.value
        if has_flags:
            assert row["flags"] == ",".join(sorted(cell.flags))
