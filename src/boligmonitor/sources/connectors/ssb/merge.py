"""Join cubes back into one: the parts of a selection split under SSB's cell limit, and the parts of a table
fetched with more than one selection (municipalities over a codelist, the country and counties with the table's
own codes) -- :func:`merge_cubes`; and the ContentsCodes of one catalogue dataset that SSB publishes in more
than one table -- :func:`join_contents`."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from boligmonitor.core.errors import InputError
from boligmonitor.core.status import Status
from boligmonitor.sources.cube import Cube, Dimension, FlagRuns, Unit


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


def join_contents(parts: Sequence[tuple[Cube, Collection[str]]], name: str = "<joined tables>") -> Cube:
    """One cube holding, from each part's cube, the ContentsCodes listed with it: the catalogue's dataset whose
    codes SSB publishes in one or more tables (KOSTRA codes found by search, ssb-api.md §7.1).

    The cubes must have the same dimensions in the same order (region, contents, time, …) and no two parts may
    give the same cell. A cell that no part has -- a region or year one table lacks -- has no number and the
    status ``..`` (data missing), never 0. ``updated`` is the newest of the parts'.
    """
    if not parts:
        raise ValueError("nothing to join")
    ids = parts[0][0].ids
    if any(cube.ids != ids for cube, _ in parts):
        layouts = "; ".join(", ".join(cube.ids) for cube, _ in parts)
        raise InputError.single(name, f"the tables have different dimensions ({layouts}): they cannot be joined")
    metric = parts[0][0].metric_dimension()
    if metric is None:
        raise InputError.single(name, "the tables have no ContentsCode dimension")
    axis = ids.index(metric.id)
    codes: list[dict[str, str]] = [{} for _ in ids]
    templates = parts[0][0].dimensions
    units: dict[str, Unit] = {}
    for cube, wanted in parts:
        lacking = sorted(set(wanted) - set(cube.dimensions[axis].codes))
        if lacking:
            raise InputError.single(name, f"{cube.label or 'a table'} has no ContentsCode {', '.join(lacking)}")
        for position, dimension in enumerate(cube.dimensions):
            for code, label in zip(dimension.codes, dimension.labels, strict=True):
                if position != axis or code in wanted:
                    codes[position].setdefault(code, label)
        units.update({code: unit for code, unit in cube.dimensions[axis].units.items() if code in wanted})
    dimensions = [
        Dimension(
            template.id,
            template.label,
            tuple(found),
            tuple(found.values()),
            template.role,
            units if position == axis else template.units,
            template.extension,
        )
        for position, (template, found) in enumerate(zip(templates, codes, strict=True))
    ]
    index_of = [{code: i for i, code in enumerate(d.codes)} for d in dimensions]
    sizes = [d.size for d in dimensions]
    total = 1
    for size in sizes:
        total *= size
    values: list[float | None] = [None] * total
    covered = [False] * total
    status: dict[int, Status] = {}
    flags: dict[int, tuple[str, ...]] = {}
    for cube, wanted in parts:
        for flat, cell in enumerate(cube.cells()):
            if cell.codes[axis] not in wanted:
                continue
            target = 0
            for position, code in enumerate(cell.codes):
                target = target * sizes[position] + index_of[position][code]
            if covered[target]:
                raise InputError.single(name, f"cell {cell.codes} is in more than one table")
            covered[target] = True
            values[target] = cell.value
            if cell.status is not Status.OK:
                status[target] = cell.status
            if flat in cube.flags:
                flags[target] = cube.flags[flat]
    for target, done in enumerate(covered):
        if not done:
            status[target] = Status.MISSING
    published = [cube.updated for cube, _ in parts if cube.updated is not None]
    return Cube(
        dimensions=tuple(dimensions),
        values=values,
        status=status,
        flags=FlagRuns.from_mapping(flags),
        label=name,
        source=parts[0][0].source,
        updated=max(published) if published else None,
        notes=tuple(note for cube, _ in parts for note in cube.notes),
    )
