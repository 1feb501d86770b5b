"""Plan PxWebApi requests: resolve a selection against a table's metadata, count its cells, and split it
into as few requests as possible under the cell limit (ssb-api.md §3.1).

The limit is ``maxDataCells`` from ``GET /config`` -- 800 000 in the reported example [T]; read it at run
time and pass it as ``max_cells``. Cells are the product of the selected value counts per variable; an
eliminated variable counts once.

**How a selection is split** (:func:`split_selection`). Only explicit codes can be split, so wildcards,
patterns and functions are first resolved against the metadata (:func:`expand`). Then, with ``T`` cells in
total and limit ``M``:

1. If ``T <= M``: one request.
2. Else, for each variable ``v`` with ``n_v > 1`` codes whose *rest* ``R_v = T / n_v`` fits (``R_v <= M``),
   cutting ``v`` alone into chunks of at most ``k_v = floor(M / R_v)`` codes gives ``p_v = ceil(n_v / k_v)``
   parts. Any split that cuts only ``v`` needs at least ``p_v`` parts (a part with more than ``k_v`` codes
   of ``v`` has more than ``M`` cells), so ``p_v`` is minimal *for that variable*. The variable with the
   fewest parts is chosen; ties go to time, then region, then other variables, then the larger one.
   ``ContentsCode`` is considered only when every other variable is down to one code (split by time or
   region rather than by content, §3.1), so it is never cut while its own codes fit in one request.
   Chunks are balanced (sizes differ by at most one) and keep the metadata order.
3. Else no single variable suffices: the largest non-contents variable (time and region first on ties) is
   cut into single codes and each part is split again from step 1.

**Bound.** Every split needs at least ``ceil(T / M)`` parts. In step 2, when ``R_v`` divides ``M`` for some
non-contents variable (the variable "can be cut evenly"), ``p_v = ceil(n_v * R_v / M) = ceil(T / M)``: the
lower bound is met exactly. Otherwise the result is minimal for the chosen variable but may exceed
``ceil(T / M)`` (e.g. when the only splittable variable has 3 codes of 400 001 cells each and
``M = 800 000``: 3 parts, not 2). Step 3 gives ``n_v`` times the parts of the sub-problem; it is not
claimed minimal (10 x 10 x 10 codes with ``M = 25`` gives 50 parts where 40 boxes of 1 x 5 x 5 would do).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from boligmonitor.core.errors import InputError, UnknownCodesError
from boligmonitor.sources.connectors.ssb.pxweb import (
    CONTENTS_VARIABLE,
    WILDCARD,
    Codelist,
    Selection,
    TableMetadata,
    Variable,
    VariableSelection,
)

DEFAULT_MAX_CELLS: Final = 800_000
_FUNCTION = re.compile(r"^\s*(top|bottom|range|from|to)\s*\(\s*([^,()]*?)\s*(?:,\s*([^,()]*?)\s*)?\)\s*$", re.I)
_CONTENTS_RANK: Final = 3
_SPLIT_RANK: Final = {"time": 0, "geo": 1, None: 2, "metric": _CONTENTS_RANK}


LEGACY_API: Final = "v0"
CURRENT_API: Final = "v2"


@dataclass(frozen=True)
class PlannedRequest:
    """One data request of a ``fetch --plan``: which table, which selection, how many cells, which API."""

    table_id: str
    selection: Selection
    cells: int
    api: str = CURRENT_API  # "v0" for a table only the legacy API has (ssb-api.md §2.5)


def effective_max_cells(announced: int | None, ceiling: int = DEFAULT_MAX_CELLS) -> int:
    """The cell limit to split under: ``/config``'s ``maxDataCells`` when known, never above ``ceiling``.

    ``ceiling`` is our own default (800 000, the reported value [T]) or a stricter one asked for; a server
    announcing more is not trusted beyond it, a server announcing less is obeyed.
    """
    if announced is None or announced < 1:
        return ceiling
    return min(announced, ceiling)


# --------------------------------------------------------------------------------------------- resolving


def expand(selection: Selection, metadata: TableMetadata, codelists: Mapping[str, Codelist] | None = None) -> Selection:
    """The same selection with every wildcard, pattern and function replaced by the codes it selects.

    Codes come in metadata (or codelist) order. A variable with a codelist is resolved against that codelist,
    which must then be given in ``codelists`` (keyed by codelist id) unless its values are plain codes.
    Raises :class:`InputError` for a variable the table lacks, a mandatory variable left out, an expression
    that selects nothing, and (:class:`UnknownCodesError`) codes the table or codelist does not have -- the
    server would fail the whole request for any one of them (ssb-api.md §3.3).
    """
    where = f"SSB table {metadata.table_id}"
    known = {v.id for v in metadata.variables}
    stray = [v.variable for v in selection.variables if v.variable not in known]
    if stray:
        raise InputError.single(where, f"the table has no variable(s) {', '.join(stray)}", field="selection")
    missing = [
        v.id
        for v in metadata.variables
        if selection.get(v.id) is None and (not v.elimination or v.role in ("time", "metric"))
    ]
    if missing:
        raise InputError.single(
            where, f"mandatory variable(s) not selected: {', '.join(missing)} (they cannot be eliminated)"
        )
    return Selection(tuple(_expand_one(chosen, metadata, codelists or {}) for chosen in selection.variables))


def _expand_one(
    chosen: VariableSelection, metadata: TableMetadata, codelists: Mapping[str, Codelist]
) -> VariableSelection:
    variable = metadata.variable(chosen.variable)
    if chosen.codelist is None:
        universe = variable.codes
    elif chosen.codelist in codelists:
        universe = tuple(value.code for value in codelists[chosen.codelist].values)
    elif chosen.is_explicit:
        return chosen  # codes of a codelist we have not loaded: counted as given, checked by the server
    else:
        raise ValueError(
            f"cannot resolve {list(chosen.values)} of {chosen.variable} over codelist {chosen.codelist}: "
            "load it with pxweb.codelist() and pass it in `codelists`"
        )
    where = f"SSB table {metadata.table_id}"
    selected: set[str] = set()
    unknown: list[str] = []
    for value in chosen.values:
        matched = _match(value, universe, variable)
        if matched is None:
            unknown.append(value)
        elif not matched:
            raise InputError.single(where, f"{value!r} selects no value of {chosen.variable}", field=chosen.variable)
        else:
            selected.update(matched)
    if unknown:
        raise UnknownCodesError(f"{chosen.variable} value", unknown, file=where)
    return VariableSelection(chosen.variable, tuple(c for c in universe if c in selected), chosen.codelist)


def _match(value: str, universe: Sequence[str], variable: Variable) -> list[str] | None:
    """Codes ``value`` selects; None for a plain code not in ``universe``."""
    function = _FUNCTION.match(value)
    if function:
        return _apply_function(function.group(1).lower(), function.group(2), function.group(3), universe, variable)
    if value == WILDCARD:
        return list(universe)
    if "*" in value or "?" in value:
        # SSB patterns: * any run of characters, ? exactly one (§2.2, [T]).
        pattern = re.compile("".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in value))
        return [code for code in universe if pattern.fullmatch(code)]
    return [value] if value in universe else None


def _apply_function(
    name: str, first: str, second: str | None, universe: Sequence[str], variable: Variable
) -> list[str]:
    codes = list(universe)
    if name in ("top", "bottom"):
        if not first.isdigit() or not (second or "0").isdigit():
            return []  # reported by the caller as selecting nothing
        count, offset = int(first), int(second or 0)
        # top(n) on time starts from the newest period (§2.2, [T]); metadata lists time oldest first [I].
        # On other variables top/bottom are taken as the first/last codes in metadata order [I].
        newest_first = variable.role == "time"
        from_end = (name == "top") == newest_first
        ordered = codes[::-1] if from_end else codes
        return ordered[offset : offset + count]
    start = codes.index(first) if name in ("range", "from") and first in codes else None
    if name == "range":
        end = codes.index(second) if second in codes else None
        return [] if start is None or end is None else codes[start : end + 1]
    if name == "from":
        return [] if start is None else codes[start:]
    end = codes.index(first) if first in codes else None  # to(b)
    return [] if end is None else codes[: end + 1]


# --------------------------------------------------------------------------------------------- counting


def cells(selection: Selection, metadata: TableMetadata, codelists: Mapping[str, Codelist] | None = None) -> int:
    """Number of cells ``selection`` asks for: the product of selected value counts (eliminated = 1)."""
    return math.prod(len(chosen.values) for chosen in expand(selection, metadata, codelists).variables)


# --------------------------------------------------------------------------------------------- splitting


def split_selection(
    selection: Selection,
    metadata: TableMetadata,
    max_cells: int = DEFAULT_MAX_CELLS,
    codelists: Mapping[str, Codelist] | None = None,
) -> list[Selection]:
    """Selections with explicit codes that together ask for each cell exactly once, each ``<= max_cells``.

    See the module docstring for the rule and the bound on the number of parts. Raises ``ValueError`` if
    ``max_cells < 1``.
    """
    if max_cells < 1:
        raise ValueError(f"max_cells must be at least 1, not {max_cells}")
    return _split(expand(selection, metadata, codelists), metadata, max_cells)


def _split(selection: Selection, metadata: TableMetadata, max_cells: int) -> list[Selection]:
    sizes = {chosen.variable: len(chosen.values) for chosen in selection.variables}
    total = math.prod(sizes.values())
    if total <= max_cells:
        return [selection]
    splittable = [name for name, size in sizes.items() if size > 1]
    others = [name for name in splittable if _rank(metadata, name) != _CONTENTS_RANK]
    # ContentsCode is considered only once every other variable is down to one code.
    group = others or splittable
    options = []
    for name in group:
        rest = total // sizes[name]
        if rest <= max_cells:
            parts = math.ceil(sizes[name] / (max_cells // rest))
            options.append((parts, _rank(metadata, name), -sizes[name], name))
    if options:
        parts, _, _, name = min(options)
        return _cut(selection, name, parts)
    _, _, name = min((-sizes[name], _rank(metadata, name), name) for name in group)
    return [part for single in _cut(selection, name, sizes[name]) for part in _split(single, metadata, max_cells)]


def _rank(metadata: TableMetadata, name: str) -> int:
    if name == CONTENTS_VARIABLE:
        return _CONTENTS_RANK
    return _SPLIT_RANK.get(metadata.variable(name).role, 2)


def _cut(selection: Selection, name: str, parts: int) -> list[Selection]:
    """``parts`` selections whose codes of ``name`` are consecutive chunks differing in size by at most one."""
    chosen = selection.get(name)
    assert chosen is not None
    codes = chosen.values
    base, extra = divmod(len(codes), parts)
    pieces: list[Selection] = []
    start = 0
    for k in range(parts):
        end = start + base + (1 if k < extra else 0)
        pieces.append(selection.replace(VariableSelection(name, codes[start:end], chosen.codelist)))
        start = end
    return pieces


# --------------------------------------------------------------------------------------------- planning


def plan_requests(
    tables: Mapping[str, tuple[TableMetadata, Selection | Sequence[Selection]]],
    max_cells: int = DEFAULT_MAX_CELLS,
    codelists: Mapping[str, Codelist] | None = None,
    legacy: Collection[str] = (),
) -> list[PlannedRequest]:
    """Every request a fetch would make, table by table in the given order, for ``fetch --plan``.

    A table may need several selections (e.g. municipalities over a codelist and the country and counties
    with the table's own codes); each is split on its own, in the order given. Tables in ``legacy`` are
    fetched through the legacy v0 API; their requests are marked ``api="v0"``.
    """
    planned: list[PlannedRequest] = []
    for table_id, (metadata, chosen) in tables.items():
        api = LEGACY_API if table_id in legacy else CURRENT_API
        selections = [chosen] if isinstance(chosen, Selection) else chosen
        for selection in selections:
            for part in split_selection(selection, metadata, max_cells, codelists):
                planned.append(PlannedRequest(table_id, part, math.prod(len(v.values) for v in part.variables), api))
    return planned
