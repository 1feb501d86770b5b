"""What held of each SSB recipe part against table metadata (pipeline/recipe_check.py): every part against the
fake SSB server's SYNTHETIC recipe tables, and each way a part can fail, from plans written out here."""

from __future__ import annotations

import pytest

from boligmonitor.catalog import load_catalog
from boligmonitor.pipeline.fetch_plan import FetchPlan, plan_fetch, recipe_parts
from boligmonitor.pipeline.recipe_check import check_recipes, describe_checks
from boligmonitor.sources.connectors.ssb.query import TableQuery
from tests.connectors.support import polite_client
from tests.fakessb import FakeSsb, ManualClock, TableCatalogue


def test_every_recipe_part_holds_against_the_fake_servers_tables(
    recipe_catalogue: TableCatalogue, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = load_catalog()
    clock = ManualClock(1000.0)
    with FakeSsb(recipe_catalogue, clock=clock) as server, polite_client(server.base_url, clock, None) as http:
        plan = plan_fetch(http, catalog)
    checks = check_recipes(plan, catalog)
    print("\n".join(describe_checks(checks)))
    assert len(checks) == len(recipe_parts(catalog)) > 60
    assert [check for check in checks if check.held != "held"] == []
    assert {check.claimed for check in checks} <= {"verified", "third_party", "assumed"}
    assert f"held: held {len(checks)}" in capsys.readouterr().out


def _first_fixed_part() -> tuple[str, str, str, str]:
    """A part whose source names its table: (indicator, part, table, ContentsCode)."""
    part = next(part for part in recipe_parts(load_catalog()) if part.table is not None)
    assert part.table is not None and part.selection.measure is not None
    return part.indicator, part.part, part.table, part.selection.measure


def test_a_missing_contents_code_fails_the_part_and_says_so() -> None:
    indicator, part, table, code = _first_fixed_part()
    plan = FetchPlan(queries={table: TableQuery(table, None, missing_contents=frozenset({code}))})
    check = next(c for c in check_recipes(plan, load_catalog()) if (c.indicator, c.part) == (indicator, part))
    assert (check.table_found, check.contents_code, check.held) == (True, False, "failed")
    assert f"table {table} has no ContentsCode {code}" in check.problems


def test_an_unsettled_dimension_fails_every_part_of_the_table() -> None:
    indicator, part, table, _ = _first_fixed_part()
    problem = f"table {table}: variable Alder cannot be eliminated and has no total; the recipe must choose"
    plan = FetchPlan(queries={table: TableQuery(table, None, problems=(problem,))})
    check = next(c for c in check_recipes(plan, load_catalog()) if (c.indicator, c.part) == (indicator, part))
    assert (check.contents_code, check.dimensions, check.held) == (True, False, "failed")
    assert problem in check.problems


def test_a_recipe_problem_fails_only_the_part_it_names() -> None:
    indicator, part, table, _ = _first_fixed_part()
    problem = f"{indicator} {part}: does not name Kjonn, which the query keeps with 3 categories"
    plan = FetchPlan(queries={table: TableQuery(table, None, recipe_problems=(problem,))})
    checks = [c for c in check_recipes(plan, load_catalog()) if c.table == table]
    assert {(c.indicator, c.part): c.held for c in checks}[(indicator, part)] == "failed"
    assert all(c.held == "held" for c in checks if (c.indicator, c.part) != (indicator, part))


def test_a_table_that_could_not_be_read_fails_with_the_plans_problem_and_unplanned_tables_are_not_checked() -> None:
    indicator, part, table, _ = _first_fixed_part()
    plan = FetchPlan(problems=[f"table {table}: Non-existent table"])
    checks = check_recipes(plan, load_catalog())
    check = next(c for c in checks if (c.indicator, c.part) == (indicator, part))
    assert (check.table_found, check.held, check.problems) == (False, "failed", (f"table {table}: Non-existent table",))
    assert {c.held for c in checks if c.table != table} == {"not checked"}
