"""Request planning: resolving selections, counting cells, and splitting under the cell limit.

Metadata here is synthetic (built by :func:`synthetic_metadata`) except where the real 12134 response is used.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boligmonitor.core.errors import InputError, UnknownCodesError
from boligmonitor.sources.connectors.ssb.pxweb import (
    Codelist,
    CodelistValue,
    Selection,
    TableMetadata,
    Variable,
    parse_metadata,
)
from boligmonitor.sources.connectors.ssb.requests import cells, expand, plan_requests, split_selection

ROLES = {"Tid": "time", "Region": "geo", "ContentsCode": "metric"}


def synthetic_metadata(sizes: dict[str, int], eliminable: tuple[str, ...] = ()) -> TableMetadata:
    """A synthetic table: variable ``V`` with ``sizes[V]`` codes ``V0``, ``V1``, ... (years for ``Tid``)."""
    variables = []
    for name, size in sizes.items():
        codes = tuple(str(2000 + k) for k in range(size)) if name == "Tid" else tuple(f"{name}{k}" for k in range(size))
        variables.append(
            Variable(
                id=name, label=name, codes=codes, labels=codes, role=ROLES.get(name), elimination=name in eliminable
            )
        )
    return TableMetadata(table_id="synthetic", label="synthetic", updated=None, variables=tuple(variables))


def all_of(metadata: TableMetadata) -> Selection:
    return Selection.of({v.id: "*" for v in metadata.variables})


def cells_of(selection: Selection) -> list[tuple[str, ...]]:
    return list(itertools.product(*(v.values for v in selection.variables)))


# --------------------------------------------------------------------------------------------- expanding


def test_wildcards_patterns_and_functions_resolve_in_metadata_order() -> None:
    metadata = TableMetadata(
        table_id="synthetic",
        label="synthetic",
        updated=None,
        variables=(
            Variable("Region", "region", ("0", "4601", "4602", "46", "5001"), ("a", "b", "c", "d", "e"), role="geo"),
            Variable("ContentsCode", "c", ("A", "B"), ("A", "B"), role="metric"),
            Variable("Tid", "år", ("2021", "2022", "2023", "2024"), ("2021", "2022", "2023", "2024"), role="time"),
        ),
    )

    def resolved(region: str | list[str], tid: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        chosen = expand(Selection.of({"Region": region, "ContentsCode": "*", "Tid": tid}), metadata)
        return chosen.variables[0].values, chosen.variables[2].values

    assert resolved("46*", "top(2)") == (("4601", "4602", "46"), ("2024", "2023")[::-1])
    assert resolved("????", "bottom(1)") == (("4601", "4602", "5001"), ("2021",))
    assert resolved(["5001", "46??"], "from(2023)") == (("4601", "4602", "5001"), ("2023", "2024"))
    assert resolved("0", "range(2022,2023)")[1] == ("2022", "2023")
    assert resolved("0", "to(2022)")[1] == ("2021", "2022")
    assert resolved("0", "top(2,1)")[1] == ("2022", "2023")


def test_an_expression_that_selects_nothing_is_refused() -> None:
    metadata = synthetic_metadata({"ContentsCode": 1, "Tid": 3})
    for expression in ("top(x)", "from(1999)", "19*"):
        with pytest.raises(InputError, match="selects no value of Tid"):
            cells(Selection.of({"ContentsCode": "*", "Tid": expression}), metadata)


def test_unknown_codes_are_all_named() -> None:
    metadata = synthetic_metadata({"Region": 3, "ContentsCode": 1, "Tid": 2})
    selection = Selection.of({"Region": ["Region0", "0104", "3002"], "ContentsCode": "*", "Tid": "*"})
    with pytest.raises(UnknownCodesError) as caught:
        cells(selection, metadata)
    assert caught.value.codes == ("0104", "3002")


def test_mandatory_and_stray_variables_are_refused_and_eliminable_ones_count_once() -> None:
    metadata = synthetic_metadata({"Region": 5, "Kjonn": 2, "ContentsCode": 1, "Tid": 3}, eliminable=("Kjonn", "Tid"))
    with pytest.raises(InputError, match=r"mandatory.*Region"):
        cells(Selection.of({"ContentsCode": "*", "Tid": "*"}), metadata)
    with pytest.raises(InputError, match=r"mandatory.*Tid"):  # time never eliminates in v2, whatever metadata says
        cells(Selection.of({"Region": "*", "ContentsCode": "*"}), metadata)
    with pytest.raises(InputError, match="no variable"):
        cells(Selection.of({"Alder": "*", "Region": "*", "ContentsCode": "*", "Tid": "*"}), metadata)
    assert cells(Selection.of({"Region": "*", "ContentsCode": "*", "Tid": "*"}), metadata) == 15


def test_codelist_selections_resolve_against_the_given_codelist() -> None:
    metadata = synthetic_metadata({"Region": 3, "ContentsCode": 1, "Tid": 2})
    synthetic_codelist = Codelist(
        "agg_KommSummer", "synthetic", "Aggregation", tuple(CodelistValue(f"K-{k}", "", ()) for k in range(4))
    )
    selection = Selection.of({"Region": "*", "ContentsCode": "*", "Tid": "*"}, codelists={"Region": "agg_KommSummer"})
    with pytest.raises(ValueError, match="load it"):
        cells(selection, metadata)
    assert cells(selection, metadata, {"agg_KommSummer": synthetic_codelist}) == 8
    explicit = Selection.of({"Region": ["K-1", "K-2"], "ContentsCode": "*", "Tid": "*"}, {"Region": "agg_KommSummer"})
    assert cells(explicit, metadata) == 4  # counted as given; the server checks them


def test_cells_of_the_real_12134_selection(api_fixtures: Path) -> None:
    import json

    document = json.loads((api_fixtures / "ssb_pxwebapi_v2_12134_jsonstat2.json").read_text("utf-8"))
    metadata = parse_metadata(document, "12134")
    selection = Selection.of({"KOKkommuneregion0000": "*", "ContentsCode": "KOSAG110000", "Tid": "2024"})
    assert cells(selection, metadata) == 3
    assert split_selection(selection, metadata, max_cells=1) == [
        Selection.of({"KOKkommuneregion0000": [code], "ContentsCode": ["KOSAG110000"], "Tid": ["2024"]})
        for code in ("0301", "4601", "5001")
    ]


# --------------------------------------------------------------------------------------------- splitting


def test_all_municipalities_over_years_split_by_region_into_the_lower_bound() -> None:
    metadata = synthetic_metadata({"Region": 900, "Alder": 106, "ContentsCode": 2, "Tid": 30})
    parts = split_selection(all_of(metadata), metadata, max_cells=800_000)
    total = 900 * 106 * 2 * 30
    assert len(parts) == math.ceil(total / 800_000) == 8
    assert {len(p.variables[2].values) for p in parts} == {2}  # ContentsCode never cut


def test_contents_code_is_cut_only_when_nothing_else_can_be() -> None:
    metadata = synthetic_metadata({"Region": 1, "ContentsCode": 10, "Tid": 1})
    parts = split_selection(all_of(metadata), metadata, max_cells=4)
    assert [len(p.variables[1].values) for p in parts] == [4, 3, 3]


def test_when_no_single_variable_suffices_the_largest_is_cut_first() -> None:
    metadata = synthetic_metadata({"Region": 10, "ContentsCode": 1, "Tid": 10, "Alder": 10})
    parts = split_selection(all_of(metadata), metadata, max_cells=25)
    assert all(math.prod(len(v.values) for v in p.variables) <= 25 for p in parts)
    # Step 3: the three equal variables tie, time wins and is cut into single years; each year is then cut
    # into 5 parts of 2 regions (region beats Alder on the tie). 50 parts: above the bound ceil(1000/25) = 40.
    assert len(parts) == 10 * 5
    assert all(len(p.get("Tid").values) == 1 for p in parts)  # type: ignore[union-attr]
    assert all(len(p.get("Region").values) == 2 for p in parts)  # type: ignore[union-attr]


def test_plan_requests_lists_every_part_with_its_cells() -> None:
    small = synthetic_metadata({"Region": 3, "ContentsCode": 1, "Tid": 2})
    big = synthetic_metadata({"Region": 7, "ContentsCode": 2, "Tid": 5})
    plan = plan_requests({"A": (small, all_of(small)), "B": (big, all_of(big))}, max_cells=30)
    # B: cutting Region (3 parts) or Tid (3 parts) ties; time is preferred.
    assert [(p.table_id, p.cells) for p in plan] == [("A", 6), ("B", 28), ("B", 28), ("B", 14)]
    assert sum(p.cells for p in plan if p.table_id == "B") == 70


def test_max_cells_must_be_positive() -> None:
    metadata = synthetic_metadata({"ContentsCode": 1, "Tid": 1})
    with pytest.raises(ValueError, match="at least 1"):
        split_selection(all_of(metadata), metadata, max_cells=0)


@st.composite
def tables(draw: st.DrawFn) -> tuple[TableMetadata, int]:
    sizes = {"ContentsCode": draw(st.integers(1, 5)), "Tid": draw(st.integers(1, 10))}
    for name in draw(st.lists(st.sampled_from(["Region", "Alder", "Kjonn"]), unique=True, max_size=3)):
        sizes[name] = draw(st.integers(1, 8))
    total = math.prod(sizes.values())
    return synthetic_metadata(sizes), draw(st.integers(1, max(1, total + 3)))


@settings(max_examples=200, deadline=None)
@given(tables())
def test_split_covers_each_cell_once_and_meets_the_bound(table: tuple[TableMetadata, int]) -> None:
    metadata, max_cells = table
    whole = expand(all_of(metadata), metadata)
    total = len(cells_of(whole))
    parts = split_selection(all_of(metadata), metadata, max_cells=max_cells)

    counted = Counter(cell for part in parts for cell in cells_of(part))
    assert counted == Counter(cells_of(whole))  # every cell exactly once
    assert all(cells(part, metadata) <= max_cells for part in parts)
    assert len(parts) >= math.ceil(total / max_cells)

    sizes = {v.variable: len(v.values) for v in whole.variables}
    n_contents = sizes["ContentsCode"]
    if n_contents <= max_cells:  # cutting ContentsCode was avoidable
        assert all(len(p.get("ContentsCode").values) == n_contents for p in parts)  # type: ignore[union-attr]
    evenly = [
        name
        for name, size in sizes.items()
        if name != "ContentsCode" and size > 1 and total // size <= max_cells and max_cells % (total // size) == 0
    ]
    if total > max_cells and evenly:
        assert len(parts) == math.ceil(total / max_cells)
    cut = {v for p in parts for v, size in ((c.variable, len(c.values)) for c in p.variables) if size < sizes[v]}
    if len(cut) == 1:  # a single-variable split has the minimal count for that variable
        (name,) = cut
        rest = total // sizes[name]
        assert len(parts) == math.ceil(sizes[name] / (max_cells // rest))
