"""Which values are SYNTHETIC: made up by the fake test servers (``scripts/fake-sources``), never statistics.

The mark is recorded at fetch time, never guessed from numbers: when a server says its data are made up (the fake
SSB server's table label, the fake KLASS records' notes, the fake Qlik engine's app title and its
``boligmonitorSynthetic`` layout field), the fetch writes the dataset's title as ``SYNTHETIC: …``
(``pipeline/refresh.py``, ``pipeline/refresh_husbanken.py``) and the database keeps that title with every dataset.
A real SSB or Husbanken title is Norwegian and never starts with the English upper-case word, so the one rule here
-- the stored title starts with :data:`SYNTHETIC` -- cannot be triggered by real data.

Pages show the mark on each source line (``present/cards.py``) and in a banner (``templates/_synthetic_banner.html``,
which applies the same rule), the API in each observation record (``synthetic``, ``dataset_title``), downloads in
their ``source`` column (``downloads.py``; the theme page's rows carry their card's source line, other pages'
rows get theirs from :func:`with_sources`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from boligmonitor.store import DatasetRow
from boligmonitor.web.downloads import SOURCE_COLUMN
from boligmonitor.web.monitor import MonitorData

#: The word every synthetic dataset's stored title starts with.
SYNTHETIC = "SYNTHETIC"


def is_synthetic(dataset: DatasetRow | None) -> bool:
    """Whether ``dataset`` was made up by a fake server (its stored title starts with ``SYNTHETIC``)."""
    return dataset is not None and dataset.title.startswith(SYNTHETIC)


def any_synthetic(datasets: Iterable[DatasetRow]) -> bool:
    """Whether any of ``datasets`` (a data version's) is synthetic: the pages then carry the banner."""
    return any(is_synthetic(dataset) for dataset in datasets)


def title_without_mark(title: str) -> str:
    """A synthetic dataset's title without its leading ``SYNTHETIC:`` (the page's own mark says it in words)."""
    if not title.startswith(SYNTHETIC):
        return title
    return title.removeprefix(SYNTHETIC).lstrip(":").strip() or title


def source_text(publisher: str, table: str | None, title: str | None, *, synthetic: bool) -> str:
    """One source as a download's ``source`` column gives it: publisher, table, title; ``SYNTHETIC`` first when the
    value is made up, so a spreadsheet filtered on the column cannot miss it."""
    text = publisher + (f" {table}" if table else "") + (f": {title}" if title else "")
    return f"{SYNTHETIC}: {text}" if synthetic and not text.startswith(SYNTHETIC) else text


def row_source(data: MonitorData, row: Mapping[str, Any]) -> str | None:
    """The source of a download row's value (its indicator, region and year): the stored dataset it was read from,
    SYNTHETIC first when made up; None for a row without a stored observation."""
    indicator, region, year = row.get("indicator"), row.get("region"), row.get("year")
    if not isinstance(indicator, str) or not isinstance(region, str) or not isinstance(year, int):
        return None
    observation = data.tables.observations(indicator).get((region, year))
    dataset = data.dataset_of(observation.dataset_id if observation is not None else None)
    if dataset is None:
        return None
    return source_text(dataset.publisher, dataset.table, dataset.title, synthetic=is_synthetic(dataset))


def with_sources(data: MonitorData, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with the :data:`~boligmonitor.web.downloads.SOURCE_COLUMN` filled in where a row lacks it (the
    theme page's rows carry their card's source already), for any page's download."""
    return [row if row.get(SOURCE_COLUMN) else {**row, SOURCE_COLUMN: row_source(data, row)} for row in rows]


__all__ = [
    "SYNTHETIC",
    "any_synthetic",
    "is_synthetic",
    "row_source",
    "source_text",
    "title_without_mark",
    "with_sources",
]
