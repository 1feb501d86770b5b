"""Flags that say how a value came to be: harmonisation to today's municipalities and other caveats."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Harmonisation(StrEnum):
    """How a value relates to the region code it is stored under (ordered from exact to estimated)."""

    ORIGINAL = "original"  # published for this very code
    RECODED = "recoded"  # published for the same area under an earlier code (1:1 renumbering)
    SUMMED = "summed"  # the sum of the values of merged predecessor municipalities
    ESTIMATED = "estimated"  # includes a share of a split municipality, allocated with explicit weights

    def combine(self, other: Harmonisation) -> Harmonisation:
        """The less exact of two: a sum including an estimated part is estimated."""
        return self if _RANK[self] >= _RANK[other] else other


_RANK = {h: rank for rank, h in enumerate(Harmonisation)}  # members are declared from exact to estimated


class Flag(StrEnum):
    """Caveats that travel with a value into every table, chart and download."""

    ESTIMATED = "estimated"  # the value (or its denominator) is an estimate, e.g. implied from a share
    SUPPRESSED = "suppressed"  # hidden by our own disclosure control
    SERIES_BREAK = "series_break"  # not comparable with the previous year of the series
    PRELIMINARY = "preliminary"  # may still be revised by the publisher
    PARTIAL_YEAR = "partial_year"  # the period is not yet complete
    HARMONISED_BY_PUBLISHER = "harmonised_by_publisher"  # recomputed to current borders by the publisher
    # Set by boligmonitor, never by a source: far outside the region's own series or all regions that year,
    # yet possible, so kept and shown with the flag (pipeline/outliers.py, docs/catalog.md "Domain rules").
    OUTLIER = "outlier"
    # Set by boligmonitor: a refresh changed this value from what an earlier data version held for the same
    # region and year; the earlier value is kept in the store's observation changes (pipeline/revisions.py).
    REVISED = "revised"


def format_flags(flags: Iterable[Flag]) -> str:
    """Canonical text form used in the database and in CSV files: sorted, comma separated."""
    return ",".join(sorted(f.value for f in flags))


def parse_flags(text: str | None) -> frozenset[Flag]:
    """Inverse of :func:`format_flags`; raises ValueError naming an unknown flag."""
    if not text:
        return frozenset()
    return frozenset(Flag(part.strip()) for part in text.split(",") if part.strip())
