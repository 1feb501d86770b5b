"""The catalogue's domain rules (catalog/validation.py) applied to what the pipeline reads and computes.

The rules say what is wrong with a value; this module says where it is, so that the problem names the file and
the line and column of a tidy file, or the cell of a cube file by its dimension codes. The build and every
import (tidy CSV/XLSX, statbank CSV, JSON-stat) go through :class:`~boligmonitor.pipeline.indicators.
IndicatorBuilder`, which applies these checks in the same way: a single problem rejects the input.

- :func:`check_tidy_row`: a tidy row as written (counts whole, value within bounds, value = n / d × m).
- :func:`check_cells`: the cube cells a numerator or denominator sums, each a count.
- :func:`check_observations`: every computed observation (after sums and harmonisation).
- :func:`check_parts_within_whole`: a region's count is not larger than Norway's that year.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Final

import numpy as np

from boligmonitor.catalog.models import COUNT_CEILING, Indicator, Selection
from boligmonitor.catalog.validation import ValueRules, Violation, value_rules
from boligmonitor.core.errors import InputProblem
from boligmonitor.core.observation import Observation
from boligmonitor.core.regions import NORWAY
from boligmonitor.pipeline.derive import PreparedCube, selected_positions
from boligmonitor.sources.readers.tidy import TidyRow

# Problems listed per selection or indicator before the rest are counted in one line: enough to see the pattern.
MAX_LISTED: Final = 20


@dataclass(frozen=True)
class Where:
    """Where a value was read: a file and a line (tidy files), or a file and the cell's dimension codes."""

    file: str
    line: int | None = None
    cell: str | None = None  # "Region=0301, Tid=2023, ContentsCode=Personer1, Alder=080–105"
    detail: str | None = None  # e.g. the other lines summed into the same value

    def problem(self, violation: Violation, prefix: str = "") -> InputProblem:
        field = violation.field if self.cell is None else f"{self.cell} ({violation.field})"
        message = prefix + violation.message + (f" ({self.detail})" if self.detail else "")
        return InputProblem(self.file, message, line=self.line, field=field)


Locate = Callable[[Observation, str], Where]


class RuleBook:
    """The rules of each indicator, made once per build or import."""

    def __init__(self) -> None:
        self._rules: dict[str, ValueRules] = {}

    def __getitem__(self, indicator: Indicator) -> ValueRules:
        rules = self._rules.get(indicator.id)
        if rules is None:
            rules = self._rules[indicator.id] = value_rules(indicator)
        return rules


def check_tidy_row(rules: ValueRules, row: TidyRow, file: str) -> list[InputProblem]:
    """The problems of one tidy row, each with its line and column."""
    violations = rules.check(
        year=row.year, value=row.value, numerator=row.numerator, denominator=row.denominator, as_read=True
    )
    where = Where(file, line=row.line)
    return [where.problem(v, f"{row.indicator}: ") for v in violations]


def check_cells(
    rules: ValueRules, prepared: PreparedCube, selection: Selection, part: str, file: str
) -> list[InputProblem]:
    """Each cube cell that ``part`` (numerator or denominator) sums is a count: finite, not negative, whole
    (unless the indicator's counts are means), not beyond the count ceiling. A cell is named by its codes."""
    cube = prepared.cube
    positions = selected_positions(cube, selection)
    grid = np.ix_(*[np.asarray(p, dtype=np.intp) for p in positions])
    values = prepared.values[grid]
    with np.errstate(invalid="ignore"):
        suspect = np.isinf(values) | (values < 0) | (values > COUNT_CEILING)
        if rules.whole_counts:
            suspect |= np.isfinite(values) & (values != np.round(values))
    if not suspect.any():
        return []
    problems: list[InputProblem] = []
    found = np.argwhere(suspect)
    for coordinates in islice(found, MAX_LISTED):
        codes = [
            f"{dim.id}={dim.codes[positions[axis][index]]}"
            for axis, (dim, index) in enumerate(zip(cube.dimensions, coordinates, strict=True))
        ]
        number = float(values[tuple(coordinates)])
        for violation in rules.check_count(part, number):
            problems.append(Where(file, cell=", ".join(codes)).problem(violation, f"{rules.indicator_id}: "))
    if len(found) > MAX_LISTED:
        problems.append(
            InputProblem(file, f"{rules.indicator_id}: {len(found) - MAX_LISTED} more cells of its {part} as above")
        )
    return problems


def check_observations(rules: ValueRules, observations: Iterable[Observation], locate: Locate) -> list[InputProblem]:
    """Every computed observation within the indicator's rules; each problem where its value came from."""
    problems: list[InputProblem] = []
    n_more = 0
    for observation in observations:
        violations = rules.check(
            year=observation.year,
            value=observation.value,
            numerator=observation.numerator,
            denominator=observation.denominator,
        )
        for violation in violations:
            if len(problems) >= MAX_LISTED:
                n_more += 1
                continue
            where = locate(observation, violation.field)
            prefix = f"{rules.indicator_id} {observation.region_code} {observation.year}: "
            problems.append(where.problem(violation, prefix))
    if n_more:
        problems.append(InputProblem(problems[0].file, f"{rules.indicator_id}: {n_more} more values as above"))
    return problems


def check_parts_within_whole(
    rules: ValueRules, new: Sequence[Observation], locate: Locate, stored: Iterable[Observation] = ()
) -> list[InputProblem]:
    """A region's count (a count's value; a share's or rate's numerator and denominator) is at most Norway's of
    the same indicator and year: a part is not larger than the whole. ``stored``: the indicator's observations
    already in the database (an import); a pair is checked when either side is new, and the new side is named."""
    if not rules.counts:
        return []
    fields = ("value",) if rules.unit == "count" else ("numerator", "denominator")  # a count is its numerator
    if rules.numerator_is_change:  # a region's change can be larger than Norway's (growth here, decline elsewhere)
        fields = ("denominator",)
    new_keys = {o.key() for o in new}
    everything = [o for o in stored if o.key() not in new_keys] + list(new)
    norway_of = {o.year: o for o in everything if o.region_code == NORWAY}
    new_norway_years = {o.year for o in new if o.region_code == NORWAY}
    problems: list[InputProblem] = []
    for observation in everything:
        norway = norway_of.get(observation.year)
        if observation.region_code == NORWAY or norway is None:
            continue
        part_is_new = observation.key() in new_keys
        if not part_is_new and observation.year not in new_norway_years:
            continue
        for name in fields:
            part, whole = getattr(observation, name), getattr(norway, name)
            if part is None or whole is None or part <= whole * (1 + 1e-6) + 0.5:
                continue
            if part_is_new:
                blamed = observation
                message = f"{name} {_text(part)} is larger than Norway's {_text(whole)}: a part exceeds the whole"
            else:
                blamed = norway
                message = (
                    f"Norway's {name} {_text(whole)} is smaller than {observation.region_code}'s {_text(part)} "
                    "already stored: the whole is less than a part"
                )
            problems.append(locate(blamed, name).problem(Violation(name, message), _prefix(rules, blamed)))
            if len(problems) >= MAX_LISTED:
                return problems
    return problems


def _prefix(rules: ValueRules, observation: Observation) -> str:
    return f"{rules.indicator_id} {observation.region_code} {observation.year}: "


def _text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:.10g}"
