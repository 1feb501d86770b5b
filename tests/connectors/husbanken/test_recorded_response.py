"""The real recorded hypercube (terchris/atlas, shared/data/api_fixtures) parses to the values its tests assert.

Golden values: husbanken-qlik.md §6 and §9 (checked there against the fixture [V]) and terchris/atlas's
``__tests__/parse.test.ts`` (Arendal 2010, Røyrvik 2024, Svalbard 2020).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from boligmonitor.core.flags import Flag
from boligmonitor.core.status import Status
from boligmonitor.sources.connectors.husbanken import Definitions, HypercubeData, build_cubes
from boligmonitor.sources.connectors.husbanken.parse import CubeRow, parse_rows, read_layout
from boligmonitor.sources.cube import Cube

RELOAD = datetime(2026, 10, 2, 5, 33, tzinfo=UTC)  # atlas's live work is dated 2026-10-02; the fixture has no stamp
MEASURES = ("soknad", "vedtak", "utbetaling", "avslag", "belop")
COUNTER_CODES = ("soknad_teller", "vedtak_teller", "utbetaling_teller", "avslag_teller", "beregnet_bostotte_sum")


def _rows(definitions: Definitions, data: HypercubeData) -> list[CubeRow]:
    definition = definitions.cube(data.definition_id)
    parsed = parse_rows(definition, definitions.dataset(definition.dataset), data)
    assert parsed.problems == []
    return parsed.rows


def _values(rows: list[CubeRow], code: str, year: int) -> tuple[float | None, ...]:
    (row,) = [r for r in rows if r.region == code and r.year == year]
    return row.values


def test_layout_shape(recorded_layout: dict[str, object]) -> None:
    layout = read_layout(recorded_layout)
    assert (layout.columns, layout.rows) == (7, 69)
    assert layout.dimension_titles == ("KommuneNr", "År")
    assert layout.measure_titles == MEASURES
    assert layout.error_code is None and layout.column_errors == ()
    assert [(p.top, p.left, p.width, p.height) for p in layout.pages] == [(0, 0, 7, 69)]


def test_rows_and_golden_values(definitions: Definitions, recorded_data: HypercubeData) -> None:
    rows = _rows(definitions, recorded_data)
    assert len(rows) == 69
    assert {r.region for r in rows} == {"0301", "2111", "5043", "4203", "2100"}
    # terchris/atlas parse.test.ts
    assert _values(rows, "4203", 2010) == (14733, 13870, 12655, 863, 77105035)
    assert _values(rows, "5043", 2024) == (129, 98, 94, 31, 843925)
    assert _values(rows, "2100", 2020) == (0, 0, 0, 0, 0)
    # husbanken-qlik.md §6.5: small numbers pass through, no suppression in a custom cube
    assert _values(rows, "5043", 2015)[:4] == (4, 0, 0, 4)
    assert _values(rows, "0301", 2014)[:4] == (2, 1, 1, 1)
    # the largest amount (§9)
    assert max(r.values[4] or 0 for r in rows) == 102382757
    assert _values(rows, "4203", 2025)[4] == 102382757


def test_null_year_rows_and_the_long_format(definitions: Definitions, recorded_data: HypercubeData) -> None:
    rows = _rows(definitions, recorded_data)
    null_rows = [r for r in rows if r.in_null_bucket]
    assert len(null_rows) == 5  # one per code, all zero (§6.3)
    assert {r.region for r in null_rows} == {"0301", "2111", "5043", "4203", "2100"}
    assert not any(r.non_zero for r in null_rows)
    raw = recorded_data.rows[null_rows[0].line].keys[1]
    assert (raw.text, raw.number, raw.is_null) == ("-", None, True)  # qNum is the string "NaN"
    # atlas's rule: drop '-', unpivot 5 measures -> 64 x 5 = 320 long rows, and 2111 disappears (§9)
    long_rows = [
        (r.region, r.year, m, v) for r in rows if not r.in_null_bucket for m, v in zip(MEASURES, r.values, strict=True)
    ]
    assert len(long_rows) == 320
    assert "2111" not in {code for code, _, _, _ in long_rows}
    svalbard = [r for r in rows if r.region == "2100" and not r.in_null_bucket]
    assert sorted(r.year for r in svalbard if r.year) == [2013, 2014, 2017, 2018, 2019, 2020, 2022]
    assert not any(r.non_zero for r in svalbard)
    oslo_residual = {r.year for r in rows if r.region == "0301" and r.non_zero}
    assert oslo_residual == {2014, 2015, 2016, 2017, 2018, 2024, 2025}


@pytest.fixture
def cube(definitions: Definitions, recorded_data: HypercubeData) -> Cube:
    built = build_cubes(
        definitions,
        {recorded_data.definition_id: recorded_data},
        vintage=RELOAD,
        vintage_text="2026-10-02T05:33:00.000Z",
    )
    assert set(built.cubes) == {"husbanken:bostotte"}
    return built.cubes["husbanken:bostotte"]


def _cell(
    cube: Cube, region: str, code: str, year: str, group: str = "alle"
) -> tuple[float | None, Status, tuple[str, ...]]:
    index = cube.flat_index(
        [
            cube.dimension(d).index_of(c)
            for d, c in (("Region", region), ("Brukergruppe", group), ("ContentsCode", code), ("Tid", year))
        ]
    )
    return cube.values[index], cube.status_at(index), tuple(cube.flags.get(index, ()))


def test_cube_has_the_adapters_dimensions(cube: Cube) -> None:
    assert cube.ids == ("Region", "Brukergruppe", "ContentsCode", "Tid")
    assert cube.dimension("Region").role == "geo"
    assert cube.dimension("ContentsCode").codes == COUNTER_CODES
    assert cube.dimension("ContentsCode").units["utbetaling_teller"].base == "hendelser"
    assert cube.dimension("Tid").codes == tuple(str(y) for y in range(2010, 2027))  # 2008-2009: before the data
    assert cube.updated == "2026-10-02T05:33:00.000Z"


def test_cube_values(cube: Cube) -> None:
    arendal = [_cell(cube, "4203", code, "2010")[0] for code in COUNTER_CODES]
    assert arendal == [14733, 13870, 12655, 863, 77105035]
    assert [_cell(cube, "5043", code, "2024")[0] for code in COUNTER_CODES] == [129, 98, 94, 31, 843925]
    assert [_cell(cube, "5043", code, "2015")[0] for code in COUNTER_CODES[:4]] == [4, 0, 0, 4]
    assert _cell(cube, "4203", "soknad_teller", "2026")[2] == (Flag.PARTIAL_YEAR.value,)  # the reload's year
    assert _cell(cube, "4203", "soknad_teller", "2025")[2] == ()
    value, status, _ = _cell(cube, "4203", "soknad_teller", "2010", group="eldre")
    assert (value, status) == (None, Status.MISSING)  # the counters exist for all households only


def test_oslo_residual_and_svalbard_are_not_regions(
    definitions: Definitions, recorded_data: HypercubeData, cube: Cube
) -> None:
    # The fixture has Oslo's residual 0301 but none of its districts: 0301 must not pass as Oslo's total.
    assert cube.dimension("Region").codes == ("4203", "5043")
    built = build_cubes(definitions, {recorded_data.definition_id: recorded_data}, vintage=RELOAD)
    assert any("Oslo (0301) left out" in w and "never Oslo's total" in w for w in built.warnings)
    assert not any("Svalbard" in w for w in built.warnings)  # all zero: left out with a note, nothing to warn
    notes = " ".join(cube.notes)
    assert "Svalbard pseudo-codes 2100 and 2111 are left out" in notes
    assert "left out 5 rows of the null period '-' and 6 rows before 2010" in notes
    assert "bypass Husbanken's own suppression" in notes


def test_codes_outside_the_current_list_are_listed_not_dropped(
    definitions: Definitions, recorded_data: HypercubeData
) -> None:
    built = build_cubes(
        definitions, {recorded_data.definition_id: recorded_data}, vintage=RELOAD, current_municipality_codes={"4203"}
    )
    assert built.unlisted_codes == {"5043": tuple(range(2010, 2027))}
    assert "5043" in built.cubes["husbanken:bostotte"].dimension("Region").codes
    assert any("5043 (2010–2026)" in problem for problem in built.problems)
