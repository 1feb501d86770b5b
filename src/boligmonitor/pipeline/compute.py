"""Turn harmonised numerator, denominator and published-value aggregates into observations.

Rules (see docs/catalog.md and methods.md §10):
- a share or rate is numerator / denominator × multiplier; the publisher's own value is kept instead when the
  value is for the publisher's own region (original or recoded), because it is what the publisher shows;
- a unit without a multiplier (years, kroner) with a denominator is numerator / denominator × the recipe's
  ``factor`` (1 when none: KB07's years of tenancy; 1000 for KB10's 1000 kr per resident in kroner);
- when only a published share and a numerator exist, the denominator is implied (numerator / share ×
  multiplier) and flagged ``estimated``: it lets merged municipalities be summed honestly;
- a denominator of 0 gives no value (status ``.`` not applicable), never 0 or infinity;
- statuses combine to the most restrictive one; a missing part makes the value missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from boligmonitor.catalog.models import Indicator
from boligmonitor.core.flags import Flag, Harmonisation
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status
from boligmonitor.pipeline.derive import Aggregate, Derived

_PUBLISHER_OWN = (Harmonisation.ORIGINAL, Harmonisation.RECODED)


# What a value's input says of (region, year): notes before the computation's own (a tidy row's own note), notes
# after them (how its numbers were harmonised), and a source of its own (a tidy row's source; None: the dataset's).
Annotations = tuple[Sequence[str], Sequence[str], str | None]
Annotate = Callable[[str, int], Annotations]
_NONE: Annotations = ((), (), None)


@dataclass(frozen=True)
class SourceInfo:
    dataset_id: str
    source_table: str | None
    fetched_at: datetime | None


def _combine(parts: Iterable[Aggregate | None]) -> tuple[Status, Harmonisation, frozenset[Flag]]:
    status, harmonisation, flags = Status.OK, Harmonisation.ORIGINAL, frozenset[Flag]()
    for part in parts:
        if part is None:
            continue
        status = status.combine(part.status)
        harmonisation = harmonisation.combine(part.harmonisation)
        flags = flags | part.flags
    return status, harmonisation, flags


def compute_observations(
    indicator: Indicator,
    *,
    numerator: Derived | None,
    denominator: Derived | None,
    published: Derived | None,
    source: SourceInfo,
    keep_region: Iterable[str] | None = None,
    annotate: Annotate | None = None,
) -> list[Observation]:
    """One observation per (region, year) that the numerator or the published value covers; ``annotate`` adds
    notes and a source of the input's own (each said once)."""
    keys = set(numerator.cells if numerator else ()) | set(published.cells if published else ())
    if keep_region is not None:
        allowed = set(keep_region)
        keys = {key for key in keys if key[0] in allowed}
    observations = []
    for region, year in sorted(keys):
        n = numerator.cells.get((region, year)) if numerator else None
        d = denominator.cells.get((region, year)) if denominator else None
        p = published.cells.get((region, year)) if published else None
        texts = annotate(region, year) if annotate else _NONE
        observations.append(_observation(indicator, region, year, n, d, p, source, texts))
    return observations


def _observation(
    indicator: Indicator,
    region: str,
    year: int,
    n: Aggregate | None,
    d: Aggregate | None,
    p: Aggregate | None,
    source: SourceInfo,
    texts: Annotations = _NONE,
) -> Observation:
    multiplier = indicator.multiplier
    numerator = n.value if n else None
    denominator = d.value if d else None
    notes: list[str] = []
    status, harmonisation, flags = _combine((n, d, p) if multiplier else (n, p))
    value: float | None

    if multiplier is None and n is not None and d is not None:
        # A ratio of amounts in a unit without a multiplier (years of tenancy, kroner per resident): n / d × factor.
        status, harmonisation, flags = _combine((n, d))
        factor = indicator.recipe.factor if indicator.recipe is not None and indicator.recipe.factor else 1
        if denominator == 0:
            value = None
            status = Status.NOT_APPLICABLE
            notes.append("denominator is 0")
        else:
            value = None if numerator is None or denominator is None else numerator / denominator * factor
    elif multiplier is None:
        value = numerator if n is not None else (p.value if p else None)
        if n is not None:
            status, harmonisation, flags = _combine((n,))
    else:
        published_value = p.value if p and p.harmonisation in _PUBLISHER_OWN else None
        if denominator is None and numerator is not None and p is not None and p.value:
            denominator = numerator / p.value * multiplier
            flags = flags | {Flag.ESTIMATED}
            notes.append("denominator implied from the published share")
        if published_value is not None:
            value = published_value
            status, harmonisation, _ = _combine((p,))
        elif numerator is not None and denominator is not None:
            if denominator == 0:
                value = None
                status = Status.NOT_APPLICABLE
                notes.append("denominator is 0")
            else:
                value = numerator / denominator * multiplier
                status = _combine((n, d))[0] if d is not None else _combine((n, p))[0]
        else:
            value = None
            if n is not None and d is None and p is None:
                status = status.combine(Status.MISSING)
                notes.append("no denominator for this region and year")

    if value is None and status.has_value:
        status = Status.MISSING
    return Observation(
        indicator_id=indicator.id,
        region_code=region,
        year=year,
        value=value,
        numerator=numerator,
        denominator=denominator,
        unit=indicator.unit,
        status=status,
        dataset_id=source.dataset_id,
        source_table=texts[2] or source.source_table,
        fetched_at=source.fetched_at,
        harmonisation=harmonisation,
        flags=flags,
        note="; ".join(dict.fromkeys([*texts[0], *notes, *texts[1]])) or None,
    )
