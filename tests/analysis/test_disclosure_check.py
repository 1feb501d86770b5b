"""The independent disclosure checker, alone and on the output of the suppression procedure.

All tables are synthetic (made-up counts on made-up region trees): the point is the edge cases.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from boligmonitor.analysis.disclosure_check import Problem, PublishedCell, check_table
from boligmonitor.analysis.suppression import (
    Cell,
    Relation,
    SuppressionRules,
    apply,
    geographic_relations,
    primary,
    secondary,
)
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status

RULES = SuppressionRules()


def shown(key: str, numerator: float, denominator: float | None = None) -> PublishedCell:
    value = None if denominator is None else numerator / denominator * 100
    return PublishedCell(key, value, numerator, denominator, Status.OK)


def hidden(key: str) -> PublishedCell:
    return PublishedCell(key, None, None, None, Status.CONFIDENTIAL)


def kinds(problems: Sequence[Problem]) -> list[str]:
    return [problem.kind for problem in problems]


# --- single cells --------------------------------------------------------------------------------------


def test_visible_small_counts_shares_and_complements_are_problems() -> None:
    assert kinds(check_table([shown("a", 2)], [], RULES)) == ["visible_small_count"]
    assert check_table([shown("a", 3), shown("z", 0)], [], RULES) == []
    assert kinds(check_table([shown("a", 5, 9)], [], RULES)) == ["visible_small_denominator"]
    assert check_table([shown("a", 5, 10)], [], RULES) == []
    assert kinds(check_table([shown("a", 48, 50)], [], RULES)) == ["visible_small_complement"]
    assert check_table([shown("a", 47, 50)], [], RULES) == []


def test_a_hidden_count_with_visible_share_and_denominator_is_a_problem() -> None:
    leaky = PublishedCell("a", 4.0, None, 50, Status.CONFIDENTIAL)
    (problem,) = check_table([leaky], [], RULES)
    assert problem.kind == "share_reveals_hidden_count"
    assert problem.keys == ("a",)


# --- relations -----------------------------------------------------------------------------------------


def test_a_relation_with_one_hidden_member_is_a_problem_naming_the_cells() -> None:
    table = [shown("T", 20), hidden("a"), shown("b", 9), shown("c", 9)]
    (problem,) = check_table(table, [Relation("T", ("a", "b", "c"))], RULES)
    assert problem.kind == "single_hidden_in_relation"
    assert problem.keys == ("a", "T", "b", "c")


def test_a_hidden_member_next_to_a_missing_one_is_not_recoverable() -> None:
    missing = PublishedCell("b", None, None, None, Status.MISSING)
    table = [shown("T", 20), hidden("a"), missing, shown("c", 9)]
    assert check_table(table, [Relation("T", ("a", "b", "c"))], RULES) == []


def test_recovery_through_a_combination_of_relations_is_found() -> None:
    # A = x + y and B = x + y + z: each relation has at least two hidden members, yet z = B − A.
    table = [shown("A", 20), shown("B", 27), hidden("x"), hidden("y"), hidden("z")]
    relations = [Relation("A", ("x", "y")), Relation("B", ("x", "y", "z"))]
    (problem,) = check_table(table, relations, RULES)
    assert problem.kind == "recoverable_by_combination"
    assert problem.keys == ("z",)


# --- suppression procedure + checker on a synthetic hierarchy ------------------------------------------


@dataclass(frozen=True)
class SyntheticRegion:
    code: str
    parent: str | None
    numerator: float | None  # None: the publisher already shows ':'
    denominator: float | None


def to_observation(region: SyntheticRegion) -> Observation:
    value = None
    if region.numerator is not None and region.denominator:
        value = region.numerator / region.denominator * 100
    return Observation(
        indicator_id="synthetic_share",
        region_code=region.code,
        year=2024,
        value=value,
        numerator=region.numerator,
        denominator=region.denominator if region.numerator is not None else None,
        unit="prosent",
        status=Status.OK if region.numerator is not None else Status.CONFIDENTIAL,
        dataset_id="synthetic",
    )


def suppress_and_publish(regions: Sequence[SyntheticRegion], with_secondary: bool = True) -> list[PublishedCell]:
    observations = [to_observation(region) for region in regions]
    cells = [Cell(obs.key(), obs.numerator, obs.denominator, obs.status) for obs in observations]
    decisions = primary(cells, RULES)
    if with_secondary:
        decisions = secondary(decisions, relations_for(regions), cells, RULES)
    return [
        PublishedCell(obs.key(), obs.value, obs.numerator, obs.denominator, obs.status)
        for obs in apply(observations, decisions)
    ]


def relations_for(regions: Sequence[SyntheticRegion]) -> list[Relation]:
    parent_of: dict[Hashable, Hashable] = {
        ("synthetic_share", r.code, 2024): ("synthetic_share", r.parent, 2024) for r in regions if r.parent
    }
    return geographic_relations(parent_of)


def build_tree(leaves: dict[str, tuple[float | None, float]], parent_of: dict[str, str]) -> list[SyntheticRegion]:
    """Totals are sums of their children, as the publisher would publish them (from the true counts)."""
    true: dict[str, tuple[float, float]] = {}

    def total(code: str) -> tuple[float, float]:
        if code not in true:
            if code in leaves:
                numerator, denominator = leaves[code]
                true[code] = (numerator if numerator is not None else 1.0, denominator)
            else:
                parts = [total(child) for child, parent in parent_of.items() if parent == code]
                true[code] = (sum(p[0] for p in parts), sum(p[1] for p in parts))
        return true[code]

    codes = set(parent_of) | set(parent_of.values())
    return [
        SyntheticRegion(
            code,
            parent_of.get(code),
            None if code in leaves and leaves[code][0] is None else total(code)[0],
            total(code)[1],
        )
        for code in sorted(codes)
    ]


SYNTHETIC_TREE = {"F1": "N", "F2": "N", "K11": "F1", "K12": "F1", "K21": "F2", "B111": "K11", "B112": "K11"}


def test_checker_fails_on_primary_alone_and_passes_after_secondary() -> None:
    leaves: dict[str, tuple[float | None, float]] = {
        "B111": (2, 40),
        "B112": (12, 60),
        "K12": (25, 80),
        "K21": (30, 90),
    }
    regions = build_tree(leaves, SYNTHETIC_TREE)
    relations = relations_for(regions)

    problems = check_table(suppress_and_publish(regions, with_secondary=False), relations, RULES)
    assert kinds(problems) == ["single_hidden_in_relation"]
    assert problems[0].keys[0] == ("synthetic_share", "B111", 2024)

    assert check_table(suppress_and_publish(regions), relations, RULES) == []


def test_the_count_share_toggle_cannot_reveal_a_hidden_count() -> None:
    leaves: dict[str, tuple[float | None, float]] = {
        "B111": (2, 40),
        "B112": (12, 60),
        "K12": (25, 80),
        "K21": (30, 90),
    }
    published = {cell.key: cell for cell in suppress_and_publish(build_tree(leaves, SYNTHETIC_TREE))}
    for key in (("synthetic_share", "B111", 2024), ("synthetic_share", "B112", 2024)):
        cell = published[key]
        assert cell.status is Status.CONFIDENTIAL
        assert (cell.value, cell.numerator, cell.denominator) == (None, None, None)


@st.composite
def synthetic_hierarchies(draw: st.DrawFn) -> list[SyntheticRegion]:
    """Random synthetic land → counties → municipalities (→ districts) trees with small random counts."""
    parent_of: dict[str, str] = {}
    leaves: dict[str, tuple[float | None, float]] = {}
    count = st.integers(min_value=0, max_value=15)
    extra = st.integers(min_value=0, max_value=25)
    publisher_hidden = st.integers(min_value=0, max_value=9).map(lambda n: n == 0)  # about one leaf in ten

    def leaf(code: str) -> None:
        numerator = draw(count)
        denominator = numerator + draw(extra)
        leaves[code] = (None if draw(publisher_hidden) else float(numerator), float(denominator))

    for f in range(draw(st.integers(min_value=1, max_value=3))):
        county = f"F{f}"
        parent_of[county] = "N"
        for k in range(draw(st.integers(min_value=1, max_value=3))):
            municipality = f"K{f}{k}"
            parent_of[municipality] = county
            districts = draw(st.integers(min_value=0, max_value=3))
            if districts == 0:
                leaf(municipality)
            for b in range(districts):
                parent_of[f"B{f}{k}{b}"] = municipality
                leaf(f"B{f}{k}{b}")
    return build_tree(leaves, parent_of)


@settings(max_examples=150, deadline=None)
@given(synthetic_hierarchies())
def test_primary_plus_secondary_always_passes_the_checker(regions: list[SyntheticRegion]) -> None:
    assert check_table(suppress_and_publish(regions), relations_for(regions), RULES) == []
