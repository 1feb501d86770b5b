"""A dataset as users read it: its title and publisher in the page's language, without maintainers' notes.

The stored title of a reference dataset is the maintainers' description (often English); the locales hold a
user's title for the known ones (``locales/datasets.yaml``), the catalogue a Norwegian table title for the
statistics it reads; a dataset neither knows (a user's own import) keeps the title it was given.
"""

from __future__ import annotations

from boligmonitor.store import DatasetRow
from boligmonitor.web.context import PageContext
from boligmonitor.web.i18n import messages


def dataset_title(ctx: PageContext, dataset: DatasetRow) -> str:
    key = f"dataset.{dataset.id}.title"
    if key in messages():
        return ctx.t(key)
    for indicator in ctx.data.catalog.indicators:
        for source in indicator.sources:
            if source.dataset == dataset.id and source.table_title:
                return source.table_title
    return dataset.title


def dataset_publisher(ctx: PageContext, dataset: DatasetRow) -> str:
    key = f"dataset.{dataset.id}.publisher"
    return ctx.t(key) if key in messages() else dataset.publisher


__all__ = ["dataset_publisher", "dataset_title"]
