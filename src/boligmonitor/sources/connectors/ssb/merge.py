"""Join the cubes of one table's requests back into one cube: the parts of a selection split under SSB's cell
limit, and the parts of a table fetched with more than one selection (municipalities over a codelist, the
country and counties with the table's own codes)."""

from __future__ import annotations

from collections.abc import Sequence

from boligmonitor.core.errors import InputError
from boligmonitor.core.status import Status
from boligmonitor.sources.cube import Cube, Dimension, FlagRuns


def merge_cubes(parts: Sequence[Cube], name: str = "<split response>") -> Cube:
    """One cube holding every cell of ``parts``, which must share their dimension ids and cover each cell of
    the combined grid exactly once (as the parts of a split selection do). Categories keep first-seen order.

    The parts must come from one publication: parts whose ``updated`` differ (the table was republished
    between two requests, or an archived part is older) are refused rather than mixed into one cube.
    """
    if not parts:
        raise ValueError("nothing to merge")
    if len(parts) == 1:
        return parts[0]
    ids = parts[0].ids
    if any(part.ids != ids for part in parts):
        raise InputError.single(name, "the parts of a split response have different dimensions")
    published = sorted({part.updated for part in parts if part.updated is not None})
    if len(published) > 1:
        raise InputError.single(
            name, f"the parts come from different publications (updated {', '.join(published)}): fetch again"
        )
    dimensions = []
    for position, dimension_id in enumerate(ids):
        codes: dict[str, str] = {}
        for part in parts:
            dimension = part.dimensions[position]
            for code, label in zip(dimension.codes, dimension.labels, strict=True):
                codes.setdefault(code, label)
        template = parts[0].dimensions[position]
        units = {code: unit for part in parts for code, unit in part.dimensions[position].units.items()}
        dimensions.append(
            Dimension(
                dimension_id,
                template.label,
                tuple(codes),
                tuple(codes.values()),
                template.role,
                units,
                template.extension,
            )
        )
    index_of = [{code: i for i, code in enumerate(d.codes)} for d in dimensions]
    sizes = [d.size for d in dimensions]
    total = 1
    for size in sizes:
        total *= size
    values: list[float | None] = [None] * total
    covered = [False] * total
    status: dict[int, Status] = {}
    flags: dict[int, tuple[str, ...]] = {}
    for part in parts:
        for flat, cell in enumerate(part.cells()):
            target = 0
            for position, code in enumerate(cell.codes):
                target = target * sizes[position] + index_of[position][code]
            if covered[target]:
                raise InputError.single(name, f"cell {cell.codes} is in more than one part")
            covered[target] = True
            values[target] = cell.value
            if cell.status is not Status.OK:
                status[target] = cell.status
            if flat in part.flags:
                flags[target] = part.flags[flat]
    if not all(covered):
        raise InputError.single(name, f"{covered.count(False)} cells of the combined table are in no part")
    first = parts[0]
    return Cube(
        dimensions=tuple(dimensions),
        values=values,
        status=status,
        flags=FlagRuns.from_mapping(flags),
        label=first.label,
        source=first.source,
        updated=first.updated,
        notes=first.notes,
        mandatory_notes=first.mandatory_notes,
        extension=first.extension,
    )
