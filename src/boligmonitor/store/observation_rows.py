"""Observations to and from rows of the observation table: the one mapping the reader and the writer share.

Every field of :class:`~boligmonitor.core.observation.Observation` is stored in the column of the same
name, and the table adds ``data_version``; status, harmonisation and flags are stored as text. Both
directions run once per observation (hundreds of thousands at web start-up or in a build), so they work on
positions worked out here once from the names, not on the names row by row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from functools import lru_cache
from math import isfinite
from operator import attrgetter
from typing import Any, Final

from sqlalchemy import Column

from boligmonitor.core.flags import Flag, Harmonisation, format_flags, parse_flags
from boligmonitor.core.observation import Observation
from boligmonitor.core.status import Status
from boligmonitor.store import schema

_VERSION_COLUMN: Final = "data_version"
_FIELD_NAMES: Final = tuple(field.name for field in fields(Observation))
_TABLE_NAMES: Final = tuple(schema.observation.columns.keys())
_STORED_NAMES: Final = tuple(name for name in _TABLE_NAMES if name != _VERSION_COLUMN)  # the table's order
if sorted(_STORED_NAMES) != sorted(_FIELD_NAMES) or _VERSION_COLUMN not in _TABLE_NAMES:
    raise RuntimeError("schema.observation must have a column for each field of Observation, and data_version")

# Reading selects the columns in Observation's field order: a row, once decoded, is its positional arguments.
COLUMNS: Final[tuple[Column[Any], ...]] = tuple(schema.observation.c[name] for name in _FIELD_NAMES)
"""The columns :func:`from_row` reads, in this order."""

# Writing gets the fields in the table's column order and inserts the data version at its column.
_stored_values: Final = attrgetter(*_STORED_NAMES)


@lru_cache(maxsize=256)
def _flags(text: str) -> frozenset[Flag]:
    # Few distinct flag combinations exist; parse each once.
    return parse_flags(text)


# Lookups by stored text; a text that is no member raises KeyError (the database holds something unknown).
_STATUS: Final[Mapping[str, Status]] = {status.value: status for status in Status}
_HARMONISATION: Final[Mapping[str, Harmonisation]] = {item.value: item for item in Harmonisation}
_READ_STATUS: Final = _FIELD_NAMES.index("status")
_READ_HARMONISATION: Final = _FIELD_NAMES.index("harmonisation")
_READ_FLAGS: Final = _FIELD_NAMES.index("flags")


def from_row(row: Sequence[Any]) -> Observation:
    """The observation stored in ``row``, the values of :data:`COLUMNS`."""
    values = list(row)
    values[_READ_STATUS] = _STATUS[values[_READ_STATUS]]
    values[_READ_HARMONISATION] = _HARMONISATION[values[_READ_HARMONISATION]]
    values[_READ_FLAGS] = _flags(values[_READ_FLAGS])
    return Observation(*values)


_STATUS_TEXT: Final[Mapping[Status, str]] = {status: status.value for status in Status}
_HARMONISATION_TEXT: Final[Mapping[Harmonisation, str]] = {item: item.value for item in Harmonisation}
_NO_FLAGS: Final[frozenset[Flag]] = frozenset()
_WRITE_STATUS: Final = _STORED_NAMES.index("status")
_WRITE_HARMONISATION: Final = _STORED_NAMES.index("harmonisation")
_WRITE_FLAGS: Final = _STORED_NAMES.index("flags")
_WRITE_VERSION: Final = _TABLE_NAMES.index(_VERSION_COLUMN)


def to_row(observation: Observation, data_version: int) -> tuple[Any, ...]:
    """The observation's values as stored, in the column order of :data:`schema.observation`.

    Raises ValueError for an unknown status or harmonisation and for a NaN or infinite number.
    """
    values = list(_stored_values(observation))
    try:
        values[_WRITE_STATUS] = _STATUS_TEXT[observation.status]
        values[_WRITE_HARMONISATION] = _HARMONISATION_TEXT[observation.harmonisation]
    except KeyError as error:
        raise ValueError(f"observation {observation.key()}: unknown status or harmonisation {error}") from None
    value, numerator, denominator = observation.value, observation.numerator, observation.denominator
    if (
        (value is not None and not isfinite(value))
        or (numerator is not None and not isfinite(numerator))
        or (denominator is not None and not isfinite(denominator))
    ):
        raise ValueError(
            f"observation {observation.key()}: value {value!r}, numerator {numerator!r}, denominator "
            f"{denominator!r}; store a missing value as None with a status saying why"
        )
    flags = observation.flags
    values[_WRITE_FLAGS] = "" if flags == _NO_FLAGS else format_flags(flags)
    values.insert(_WRITE_VERSION, data_version)
    return tuple(values)
