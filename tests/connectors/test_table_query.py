"""The query for a table, built from its metadata and the recipes that read it (sources/connectors/ssb/query.py):
region by role with the monitor's levels, every period, the recipes' ContentsCodes, and every other variable
eliminated, else its marked total, else a problem naming table and variable -- never a silent pick.

Metadata comes from the fake server's tables: the recorded 12134 (real), 09895 (real, legacy API) and the
SYNTHETIC 90001-90004.
"""

from __future__ import annotations

import json

import pytest

from boligmonitor.catalog.models import CodeRange, Selection
from boligmonitor.core.errors import InputError
from boligmonitor.core.status import Status
from boligmonitor.pipeline.fetch_plan import RecipePart, table_selection
from boligmonitor.sources.connectors.ssb import pxweb
from boligmonitor.sources.connectors.ssb.merge import join_contents
from boligmonitor.sources.connectors.ssb.pxweb_v0 import parse_v0_metadata
from boligmonitor.sources.connectors.ssb.query import Codelists
from boligmonitor.sources.cube import Cube, Dimension
from tests.connectors.support import polite_client
from tests.fakessb import FakeSsb, ManualClock, TableCatalogue
from tests.fakessb.catalogue import SYNTHETIC_NO_TOTAL_TABLE_ID, SYNTHETIC_TOTAL_TABLE_ID


def metadata(catalogue: TableCatalogue, table_id: str) -> pxweb.TableMetadata:
    return pxweb.parse_metadata(json.loads(catalogue.table(table_id).metadata()), table_id)


def part(table: str, measure: str, select: dict[str, list[str] | CodeRange | str] | None = None) -> RecipePart:
    selection = Selection.model_validate({"dataset": f"ssb:{table}", "measure": measure, "select": select or {}})
    return RecipePart("XX01", "numerator", selection, table)


def test_a_total_marked_in_the_metadata_is_asked_for(fake_ssb_catalogue: TableCatalogue) -> None:
    table = SYNTHETIC_TOTAL_TABLE_ID
    described = metadata(fake_ssb_catalogue, table)
    assert described.variable("Eierform").total_code == "SYNT_T"  # category.child: SYNT_T over 1 and 2
    query = table_selection(described, (), [part(table, "SYNT03")])
    assert query.problems == () and query.recipe_problems == ()
    assert query.selection is not None
    chosen = {v.variable: v.values for v in query.selection.variables}
    assert chosen["Eierform"] == ("SYNT_T",)
    assert query.totals == {"Eierform": "SYNT_T"}
    assert "total category: Eierform SYNT_T" in query.settled()
    # The monitor's regions only: Norway without Oslo is not asked for.
    assert chosen["KOKkommuneregion0000"] == ("EAK", "EKA03", "0301", "4601")
    assert chosen["Tid"] == ("2023", "2024")


def test_a_variable_without_elimination_or_total_is_a_problem_naming_table_and_variable(
    fake_ssb_catalogue: TableCatalogue,
) -> None:
    table = SYNTHETIC_NO_TOTAL_TABLE_ID
    query = table_selection(metadata(fake_ssb_catalogue, table), (), [part(table, "SYNT04")])
    assert query.selection is None and query.selections == ()  # nothing is asked for
    [problem] = query.problems
    assert f"table {table}" in problem and "AntRom" in problem and "the recipe must settle" in problem
    assert "XX01" in problem
    settled = table_selection(metadata(fake_ssb_catalogue, table), (), [part(table, "SYNT04", {"AntRom": ["2"]})])
    assert settled.problems == ()
    assert settled.selection is not None and settled.selection.get("AntRom") == pxweb.VariableSelection(
        "AntRom", ("2",)
    )


def test_the_real_09895_metadata_gives_the_clear_problem_for_rooms(fake_ssb_catalogue: TableCatalogue) -> None:
    """Real metadata (a recorded legacy answer): AntRom cannot be eliminated and has no total, so a part that does
    not settle it gets the clear problem; BEF12's recipe settles it. Soner2 (price zones) is a region variable by
    name, and only its national row is asked for: its "01" is Oslo og Bærum, not a county."""
    v0 = parse_v0_metadata(fake_ssb_catalogue.table("09895").v0_metadata(), "09895")
    query = table_selection(v0, (), [part("09895", "Husleie")])
    assert any("AntRom" in problem and "no total" in problem for problem in query.problems)
    settled = table_selection(v0, (), [part("09895", "Husleie", {"AntRom": ["2"]})])
    assert settled.problems == () and settled.selection is not None
    zones, rooms = settled.selection.get("Soner2"), settled.selection.get("AntRom")
    assert zones is not None and zones.values == ("00",)
    assert rooms is not None and rooms.values == ("2",)


def test_eliminable_variables_are_left_out_and_selected_ones_fetched(fake_ssb_catalogue: TableCatalogue) -> None:
    described = metadata(fake_ssb_catalogue, "90002")  # Region (agg_KommSummer), Kjonn, Alder eliminable
    ages = part("90002", "Personer1", {"Alder": CodeRange(from_code="000", to_code="001")})
    query = table_selection(described, (), [ages])
    assert query.selection is not None
    assert query.eliminated == ("Kjonn",)
    assert query.selection.get("Kjonn") is None
    alder = query.selection.get("Alder")
    assert alder is not None and alder.values == ("000", "001")
    # Without a codelist loader the region is the table's own codes of the monitor's levels.
    region = query.selection.get("Region")
    assert region is not None and region.codelist is None and "0" in region.values and "0104" in region.values


def test_recipe_parts_that_do_not_fit_are_named(fake_ssb_catalogue: TableCatalogue) -> None:
    described = metadata(fake_ssb_catalogue, "90002")
    selects_ages = part("90002", "Personer1", {"Alder": ["000", "099"], "Bydel": "all"})
    silent = RecipePart("XX02", "denominator", Selection(dataset="ssb:90002", measure="Personer1"), "90002")
    query = table_selection(described, ["Nope1"], [selects_ages, silent])
    assert query.missing_contents == frozenset({"Nope1"})
    problems = "\n".join(query.recipe_problems)
    assert "XX01 numerator: table 90002 has no variable Bydel" in problems
    assert "XX01 numerator: table 90002 has no Alder categories 099" in problems
    assert "XX02 denominator: table 90002 is fetched with the Alder categories other recipes select (000)" in problems


def test_a_table_no_recipe_reads_is_fetched_whole(fake_ssb_catalogue: TableCatalogue) -> None:
    described = metadata(fake_ssb_catalogue, "90002")
    query = table_selection(described, ())
    assert query.selection is not None
    assert {v.variable: len(v.values) for v in query.selection.variables} == {
        "Region": 10,
        "Kjonn": 2,
        "Alder": 3,
        "ContentsCode": 1,
        "Tid": 7,
    }


def test_the_municipal_codelist_with_the_tables_own_country_counties_and_districts(
    fake_ssb_catalogue: TableCatalogue,
) -> None:
    with FakeSsb(fake_ssb_catalogue) as server, polite_client(server.base_url, ManualClock(), None) as http:
        described = pxweb.table_metadata(http, "90002")
        query = table_selection(described, (), [part("90002", "Personer1", {"Alder": "all"})], Codelists(http))
    assert query.region_codelist == "agg_KommSummer"
    assert query.selection is not None and query.own_regions is not None
    region = query.selection.get("Region")
    own = query.own_regions.get("Region")
    assert region is not None and region.values == ("K-0301", "K-3103", "K-4601")
    assert own is not None and own.values == ("0", "03", "31", "46")
    assert query.own_region_levels == "country and counties"


def test_a_table_without_a_region_variable_cannot_be_queried() -> None:
    described = pxweb.TableMetadata(
        "99999",
        "SYNTHETIC",
        None,
        (
            pxweb.Variable("ContentsCode", "statistikkvariabel", ("A",), ("A",), role="metric"),
            pxweb.Variable("Tid", "år", ("2024",), ("2024",), role="time"),
        ),
    )
    query = table_selection(described, (), [part("99999", "A")])
    assert query.problems == ("table 99999 has no region variable (by role or by name)",)


# --------------------------------------------------------------------------------------------- joining


def _cube(regions: tuple[str, ...], code: str, values: list[float | None], updated: str) -> Cube:
    return Cube(
        dimensions=(
            Dimension("KOKkommuneregion0000", "region", regions, regions, "geo"),
            Dimension("ContentsCode", "statistikkvariabel", (code, "OTHER"), (code, "other"), "metric"),
            Dimension("Tid", "år", ("2024",), ("2024",), "time"),
        ),
        values=values,
        label=f"SYNTHETIC {code}",
        updated=updated,
    )


def test_contents_of_two_tables_join_and_what_one_lacks_is_missing_never_zero() -> None:
    first = _cube(("EAK", "0301"), "A", [1.0, 9.0, 2.0, 9.0], "2026-03-16T07:00:00Z")
    second = _cube(("EAK",), "B", [3.0, 9.0], "2026-06-15T06:00:00Z")
    joined = join_contents([(first, ("A",)), (second, ("B",))], name="ssb:kostra_x")
    assert joined.dimension("ContentsCode").codes == ("A", "B")
    cells = {cell.codes[:2]: (cell.value, cell.status) for cell in joined.cells()}
    assert cells[("EAK", "A")] == (1.0, Status.OK)
    assert cells[("0301", "B")] == (None, Status.MISSING)
    assert joined.updated == "2026-06-15T06:00:00Z"
    with pytest.raises(InputError, match="no ContentsCode C"):
        join_contents([(first, ("C",))])
    with pytest.raises(InputError, match="more than one table"):
        join_contents([(first, ("A",)), (first, ("A",))])


def test_tables_with_different_layouts_are_not_joined() -> None:
    first = _cube(("EAK",), "A", [1.0, 9.0], "x")
    other = Cube(
        dimensions=(
            Dimension("Region", "region", ("0",), ("0",), "geo"),
            Dimension("ContentsCode", "statistikkvariabel", ("B",), ("B",), "metric"),
            Dimension("Tid", "år", ("2024",), ("2024",), "time"),
        ),
        values=[1.0],
    )
    with pytest.raises(InputError, match="different dimensions"):
        join_contents([(first, ("A",)), (other, ("B",))])
