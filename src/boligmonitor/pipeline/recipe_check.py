"""What held of each SSB recipe part against a table's metadata: the table found, its ContentsCode there, and its
other dimensions settled (eliminated, a total, or the categories the recipe names) — beside what the catalogue's
evidence claims for the part (verified, third party, assumed).

It reads a :class:`~boligmonitor.pipeline.fetch_plan.FetchPlan`, so it costs no request beyond the plan's
metadata calls. The opt-in live test (tests/live) prints it against SSB's real metadata; offline it runs
against the fake SSB server's SYNTHETIC recipe tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from boligmonitor.catalog.models import Catalog
from boligmonitor.pipeline.fetch_plan import FetchPlan, RecipePart, recipe_parts

Held = Literal["held", "failed", "not checked"]
UNSTATED: Final = "unstated"  # a part without evidence (the catalogue requires it for SSB parts)


@dataclass(frozen=True, slots=True)
class RecipeCheck:
    """One recipe part: its table (named or found by search), what its evidence claims, and what held.

    ``contents_code`` and ``dimensions`` are None when the table could not be checked (not found, not loaded);
    ``problems`` are the plan's words for what failed.
    """

    indicator: str
    part: str
    table: str | None
    claimed: str
    table_found: bool
    contents_code: bool | None
    dimensions: bool | None
    problems: tuple[str, ...] = ()

    @property
    def held(self) -> Held:
        if not self.table_found or self.contents_code is None or self.dimensions is None:
            return "not checked" if not self.problems else "failed"
        return "held" if self.contents_code and self.dimensions else "failed"


def check_recipes(plan: FetchPlan, catalog: Catalog) -> list[RecipeCheck]:
    """Every SSB recipe part of ``catalog``, in catalogue order, checked against the metadata ``plan`` read."""
    return [_check(part, plan) for part in recipe_parts(catalog)]


def _check(part: RecipePart, plan: FetchPlan) -> RecipeCheck:
    measure = part.selection.measure or ""
    evidence = part.selection.evidence
    claimed = evidence.summary if evidence is not None else UNSTATED
    table = part.table or plan.resolved.get(measure)
    if table is None:
        found = tuple(problem for problem in plan.problems if f"ContentsCode {measure}" in problem)
        return RecipeCheck(part.indicator, part.part, None, claimed, False, None, None, found)
    query = plan.queries.get(table)
    if query is None:
        found = tuple(problem for problem in plan.problems if problem.startswith(f"table {table}:"))
        return RecipeCheck(part.indicator, part.part, table, claimed, False, None, None, found)
    has_code = measure not in query.missing_contents
    own = tuple(problem for problem in query.recipe_problems if part.who in problem)
    settled = not query.problems and not own
    problems = (
        *((f"table {table} has no ContentsCode {measure}",) if not has_code else ()),
        *query.problems,
        *own,
    )
    return RecipeCheck(part.indicator, part.part, table, claimed, True, has_code, settled, problems)


def describe_checks(checks: Sequence[RecipeCheck]) -> list[str]:
    """A plain-text table, one line per part, and a count per outcome and per claim."""
    lines = [f"{'part':<24} {'table':<8} {'claimed':<12} {'table':<6} {'code':<6} {'dims':<6} held"]
    for check in checks:
        lines.append(
            f"{check.indicator + ' ' + check.part:<24} {check.table or '-':<8} {check.claimed:<12} "
            f"{_mark(check.table_found):<6} {_mark(check.contents_code):<6} {_mark(check.dimensions):<6} {check.held}"
        )
        lines.extend(f"    {problem}" for problem in check.problems)
    lines.append(_counts("held", (check.held for check in checks)))
    lines.append(_counts("claimed", (check.claimed for check in checks)))
    return lines


def _mark(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "NO")


def _counts(what: str, values: Iterable[str]) -> str:
    counted: dict[str, int] = {}
    for value in values:
        counted[value] = counted.get(value, 0) + 1
    return f"{what}: " + ", ".join(f"{value} {count}" for value, count in sorted(counted.items()))


__all__ = ["UNSTATED", "Held", "RecipeCheck", "check_recipes", "describe_checks"]
