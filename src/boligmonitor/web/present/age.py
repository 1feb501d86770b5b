"""How old a value is beside the others of its theme: a value more than :data:`OLDER_AFTER_YEARS` years before
the newest year of its theme is marked "eldre tall (2014)" wherever it is shown, so that old and new figures are
never read as one picture."""

from __future__ import annotations

from boligmonitor.catalog.models import QuantityKind
from boligmonitor.web.context import PageContext
from boligmonitor.web.monitor import MonitorData

OLDER_AFTER_YEARS = 3


def theme_newest_year(data: MonitorData, theme_id: str) -> int | None:
    """The newest year with a value among the theme's indicators (projections, which reach into the future, and
    indicators without data left out); None when none has a value."""
    years = [
        year
        for indicator in data.theme_indicators(theme_id)
        if indicator.kind is not QuantityKind.PROJECTION and (year := data.latest_year(indicator.id)) is not None
    ]
    return max(years, default=None)


def is_older(data: MonitorData, theme_id: str, year: int | None) -> bool:
    newest = theme_newest_year(data, theme_id)
    return year is not None and newest is not None and year < newest - OLDER_AFTER_YEARS


def older_text(ctx: PageContext, theme_id: str, year: int | None) -> str | None:
    """ "eldre tall (2014)" when ``year`` is more than three years before the theme's newest; else None."""
    return ctx.t("value.older", year=year) if is_older(ctx.data, theme_id, year) else None


__all__ = ["OLDER_AFTER_YEARS", "is_older", "older_text", "theme_newest_year"]
