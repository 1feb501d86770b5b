"""From hypercube rows to cubes: the edge cases (with small SYNTHETIC rows made up here) and the equivalence with
the development adapter on Husbanken's real monthly series (shared/data)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from boligmonitor.core.flags import Flag
from boligmonitor.core.status import Status
from boligmonitor.sources.connectors.husbanken import Definitions, HypercubeData, QlikResponseError, build_cubes
from boligmonitor.sources.connectors.husbanken.parse import QlikCell
from boligmonitor.sources.cube import Cube
from boligmonitor.sources.readers.jsonstat import read_jsonstat
from boligmonitor.sources.shared_data.common import Workspace
from boligmonitor.sources.shared_data.husbanken import write_husbanken
from boligmonitor.sources.shared_data.names import load_names

COUNTERS = "bostotte_tellere_kommune"
MONTHLY = "bostotte_husstander_kommune"
NATIONAL = "bostotte_husstander_norge"
NATIONAL_GROUPS = "bostotte_husstander_norge_brukergruppe"
DISTRICTS = [f"0{n}" for n in range(311, 326)]
NULL = QlikCell("-", None, True)


def _key(text: str) -> QlikCell:
    return QlikCell(text, float(text) if text.isdigit() else None)


def _numbers(values: Sequence[float | None]) -> list[QlikCell]:
    return [QlikCell("-", None) if v is None else QlikCell(str(v), float(v)) for v in values]


def _data(definitions: Definitions, definition_id: str, rows: list[list[QlikCell]]) -> HypercubeData:
    definition = definitions.cube(definition_id)
    data = HypercubeData(
        definition_id, tuple(f.field for f in definition.fields), tuple(m.label for m in definition.measures)
    )
    data.add_matrix(rows)
    return data


def _yearly(code: str, year: int | None, *values: float | None) -> list[QlikCell]:
    return [_key(code), NULL if year is None else _key(str(year)), *_numbers(values)]


def _value(
    cube: Cube, region: str, code: str, year: int, group: str = "alle"
) -> tuple[float | None, Status, tuple[str, ...]]:
    keys = (("Region", region), ("Brukergruppe", group), ("ContentsCode", code), ("Tid", str(year)))
    index = cube.flat_index([cube.dimension(d).index_of(c) for d, c in keys])
    return cube.values[index], cube.status_at(index), tuple(cube.flags.get(index, ()))


# ------------------------------------------------------------------------------ rows left out, reported, mapped


def test_non_zero_rows_that_are_left_out_are_reported(definitions: Definitions) -> None:
    rows = [
        _yearly("4203", 2015, 1, 1, 1, 0, 100),
        _yearly("4203", None, 3, 0, 0, 0, 0),  # '-' with a value (never seen so far, §6.3)
        _yearly("4203", 2009, 0, 0, 0, 0, 5),  # before the data begin
        _yearly("2100", 2015, 0, 0, 2, 0, 0),  # Svalbard with a value
        _yearly("5043", None, 0, 0, 0, 0, 0),  # the usual all-zero '-' row: a note, not a warning
    ]
    built = build_cubes(definitions, {COUNTERS: _data(definitions, COUNTERS, rows)})
    warnings = "\n".join(built.warnings)
    assert "rows without a year or month ('-') have values" in warnings and "soknad=3" in warnings
    assert "before the first year of data (2010)" in warnings and "belop=5" in warnings
    assert "Svalbard's pseudo-codes" in warnings and "KommuneNr 2100, 2015" in warnings
    cube = built.cubes["husbanken:bostotte"]
    assert cube.dimension("Region").codes == ("4203",)
    assert cube.dimension("Tid").codes == ("2015",)


def test_oslo_is_the_sum_of_every_oslo_code_when_the_districts_are_there(definitions: Definitions) -> None:
    rows = [_yearly(code, 2020, 10, 9, 8, 1, 1000) for code in DISTRICTS]
    rows.append(_yearly("0301", 2020, 2, 1, 1, 1, 50))  # the residual: counted in Oslo, never Oslo alone
    rows.append(_yearly("0326", 2020, 1, 0, 0, 0, 0))  # the discontinued district: Oslo only, and reported
    built = build_cubes(definitions, {COUNTERS: _data(definitions, COUNTERS, rows)})
    cube = built.cubes["husbanken:bostotte"]
    regions = cube.dimension("Region").codes
    assert regions == ("0301", *(f"0301{n:02d}" for n in range(1, 16)))
    assert _value(cube, "030101", "soknad_teller", 2020)[0] == 10  # 0311 Gamle Oslo
    assert _value(cube, "030115", "beregnet_bostotte_sum", 2020)[0] == 1000  # 0325 Søndre Nordstrand
    assert _value(cube, "0301", "soknad_teller", 2020)[0] == 15 * 10 + 2 + 1
    assert _value(cube, "0301", "beregnet_bostotte_sum", 2020)[0] == 15 * 1000 + 50
    assert any("0326 Uranienborg-Majorstua" in w for w in built.warnings)
    assert any("Oslo (0301) is the sum of every Oslo code" in note for note in cube.notes)


def test_oslo_is_left_out_when_a_district_is_missing(definitions: Definitions) -> None:
    rows = [_yearly(code, 2020, 10, 9, 8, 1, 1000) for code in DISTRICTS[:-1]]
    built = build_cubes(definitions, {COUNTERS: _data(definitions, COUNTERS, rows)})
    assert "0301" not in built.cubes["husbanken:bostotte"].dimension("Region").codes
    assert any("lacks Oslo's district codes 0325" in w for w in built.warnings)


def test_unreadable_codes_and_periods_are_problems(definitions: Definitions) -> None:
    rows = [
        _yearly("4203", 2020, 1, 1, 1, 1, 1),
        _yearly("Ukjent", 2020, 1, 1, 1, 1, 1),
        [_key("5043"), QlikCell("2020/21", None), *_numbers([1, 1, 1, 1, 1])],
        [_key("5043"), _key("2021"), *_numbers([1, 1, 1, 1])],  # a cell short
    ]
    built = build_cubes(definitions, {COUNTERS: _data(definitions, COUNTERS, rows)})
    problems = "\n".join(built.problems)
    assert "KommuneNr 'Ukjent' is not a 4-digit code; 1 rows left out" in problems
    assert "row 2: År '2020/21' is not a År between 1900 and 2200" in problems
    assert "row 3: 6 cells, expected 7" in problems
    assert built.cubes["husbanken:bostotte"].dimension("Region").codes == ("4203",)


def test_no_number_is_missing_never_zero(definitions: Definitions) -> None:
    rows = [_yearly("4203", 2020, None, 1, 1, 1, 1), _yearly("4203", 2021, 1, 1, 1, 1, 1)]
    cube = build_cubes(definitions, {COUNTERS: _data(definitions, COUNTERS, rows)}).cubes["husbanken:bostotte"]
    assert _value(cube, "4203", "soknad_teller", 2020)[:2] == (None, Status.MISSING)
    assert _value(cube, "4203", "vedtak_teller", 2020)[:2] == (1, Status.OK)


def test_columns_must_be_the_definitions(definitions: Definitions) -> None:
    data = _data(definitions, COUNTERS, [])
    data.measure_titles = ("Sum(BostøtteSøknadTeller)", "b", "c", "d", "e")  # no qLabel: the expression comes back
    with pytest.raises(QlikResponseError, match="not the labels"):
        build_cubes(definitions, {COUNTERS: data})


# ------------------------------------------------------------------------------------------- months to years


def _monthly(code: str, year: int, month: int, *values: float) -> list[QlikCell]:
    return [_key(code), _key(str(year)), _key(str(month)), *_numbers(values)]


def test_months_become_years_by_the_adapters_rules(definitions: Definitions) -> None:
    # Made-up months 2010-01 .. 2011-03 for one municipality; the app was reloaded on 2011-04-05, and its April
    # rows (incomplete) are left out. Measures: households paid, applications, refusals, amount paid.
    rows = [_monthly("4203", 2010, m, 100 + m, 10, 1, 1000) for m in range(1, 13)]
    rows += [_monthly("4203", 2011, m, 200, 20, 2, 2000) for m in (1, 3)]  # no row for February: no records
    rows += [_monthly("4203", 2011, 4, 999, 99, 9, 9999)]
    rows += [_monthly("5043", 2011, 1, 5, 5, 5, 5)]  # no rows in 2010 at all
    reload = datetime(2011, 4, 5, 5, 30, tzinfo=UTC)
    built = build_cubes(definitions, {MONTHLY: _data(definitions, MONTHLY, rows)}, vintage=reload)
    cube = built.cubes["husbanken:bostotte"]
    partial = (Flag.PARTIAL_YEAR.value,)
    # 2010: payment measures leave out 2010-01 (the first month), term measures keep all 12 months
    assert _value(cube, "4203", "husstander", 2010) == (
        round(sum(100 + m for m in range(2, 13)) / 11, 1),
        Status.OK,
        (),
    )
    assert _value(cube, "4203", "utbetalt", 2010) == (11 * 1000, Status.OK, partial)
    assert _value(cube, "4203", "soknader", 2010) == (12 * 10, Status.OK, ())
    # 2011: the last complete month is March (April is the reload month); term measures leave March out too
    assert _value(cube, "4203", "husstander", 2011) == (round((200 + 0 + 200) / 3, 1), Status.OK, partial)
    assert _value(cube, "4203", "utbetalt", 2011) == (4000, Status.OK, partial)
    assert _value(cube, "4203", "soknader", 2011) == (20, Status.OK, partial)  # January + February (no records)
    assert _value(cube, "4203", "avslag", 2011) == (2, Status.OK, partial)
    assert _value(cube, "5043", "husstander", 2010)[:2] == (None, Status.MISSING)  # no rows that year
    assert any("months from 2011-04 on are incomplete" in note for note in cube.notes)


def test_overlapping_definitions_are_refused(definitions: Definitions) -> None:
    row = _monthly("4203", 2010, 2, 1, 1, 1, 1)
    other = definitions.cube(MONTHLY).model_copy(update={"id": "another"})
    doubled = definitions.model_copy(update={"cubes": [*definitions.cubes, other]})
    fetched = {MONTHLY: _data(definitions, MONTHLY, [row]), "another": _data(doubled, "another", [row])}
    with pytest.raises(QlikResponseError, match="overlap"):
        build_cubes(doubled, fetched)


# ------------------------------------------------------------------- the same cube as the development adapter


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


MEASURE_COLUMNS = ("ant_husstander_utbetaling", "ant_soknader", "ant_avslag", "utbetalt_belop")


def _as_hypercube(
    definitions: Definitions, definition_id: str, rows: list[dict[str, str]], keys: Sequence[str]
) -> HypercubeData:
    """Husbanken's monthly extract (Torcode/bostotte-oslo, made with these definitions' expressions) as the rows a
    hypercube of ``definition_id`` gives."""
    matrix = [
        [_key(row[k]) if k != "brukergruppe" else QlikCell(row[k], None) for k in keys]
        + _numbers([float(row[c]) if row[c] not in ("", ":") else None for c in MEASURE_COLUMNS])
        for row in rows
    ]
    return _data(definitions, definition_id, matrix)


def test_the_same_values_as_the_development_adapter(
    definitions: Definitions, shared_data: Path, tmp_path: Path
) -> None:
    workspace = Workspace(shared_data, tmp_path)
    (entry,) = write_husbanken(workspace, load_names(workspace))
    adapter = read_jsonstat(tmp_path / entry.path)
    fetched = {
        NATIONAL: _as_hypercube(
            definitions,
            NATIONAL,
            _csv(shared_data / "husbanken/husbanken_bostotte_nasjonalt_manedlig.csv"),
            ("aar", "manedsnr"),
        ),
        NATIONAL_GROUPS: _as_hypercube(
            definitions,
            NATIONAL_GROUPS,
            _csv(shared_data / "husbanken/husbanken_bostotte_nasjonalt_brukergruppe_manedlig.csv"),
            ("brukergruppe", "aar", "manedsnr"),
        ),
        MONTHLY: _as_hypercube(
            definitions,
            MONTHLY,
            _csv(shared_data / "sub_municipal/husbanken_bostotte_oslo_bydel_manedlig.csv"),
            ("kommunenr", "aar", "manedsnr"),
        ),
    }
    extracted = datetime(2026, 8, 4, tzinfo=UTC)  # the extract's date (PROVENANCE.md)
    built = build_cubes(definitions, fetched, vintage=extracted)
    assert built.problems == () and built.warnings == ()
    ours = built.cubes["husbanken:bostotte"]
    assert ours.ids == adapter.ids
    assert ours.dimension("Tid").codes == adapter.dimension("Tid").codes
    compared = 0
    for cell in adapter.cells():
        region, group, code, year = cell.codes
        if cell.status is Status.MISSING or (region == "0301" and group != "alle"):
            continue  # Oslo by user group is a Fylke=Oslo selection, not one of these hypercubes
        value, status, flags = _value(ours, region, code, int(year), group)
        assert (value, status, set(flags)) == (cell.value, cell.status, set(cell.flags)), cell
        compared += 1
    assert compared == (1 + 5 + 1 + 15) * 4 * 17  # Norway, its 5 groups, Oslo, 15 districts; 4 measures; 17 years
