"""Which municipalities and theme the comparison page shows, read from its URL.

``kommune`` may be given up to ten times; each value is what the visitor typed or picked: a number ("0301",
"301"), a name ("Bergen") or the picker's "4601 Bergen" form, resolved like the site picker. Norway in any
spelling ("0", "0000", "Hele landet", "Norge") is accepted: it is always the table's last column, and asked for
alone it is shown by itself. A value that matches no municipality, several, or a county is reported by name with
what to do, never a server error; more than ten values is a bad request. ``tema`` is a theme id (default: the
first theme).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from boligmonitor.catalog.models import Theme
from boligmonitor.core.regions import RegionLevel
from boligmonitor.store import RegionRow
from boligmonitor.web.context import BENCHMARK_WORDS, PageContext
from boligmonitor.web.present.navigation import themes_in_order
from boligmonitor.web.request_params import bad_request
from boligmonitor.web.views.picker import find_regions, means_norway

MAX_MUNICIPALITIES = 10
MAX_CHOICES = 10  # suggestions offered for a name that matches several municipalities
COMPARE_PATH = "/sammenlign"


@dataclass(frozen=True)
class Problem:
    """A ``kommune`` value that was left out, the reason in words and the municipalities it might mean."""

    entry: str
    message: str
    choices: list[tuple[str, str]] = field(default_factory=list)  # (label, URL with the entry replaced)


@dataclass
class Selection:
    regions: list[RegionRow]  # the chosen municipalities, in the order given
    problems: list[Problem]
    theme: Theme
    norway: bool = False  # Norway was asked for ("0", "0000", "Hele landet"): always a column, so accepted as is

    @property
    def codes(self) -> list[str]:
        return [region.code for region in self.regions]

    @property
    def shown(self) -> bool:
        """Whether there is a table to show: a municipality was chosen, or Norway alone was asked for."""
        return bool(self.regions) or self.norway


def requested_entries(ctx: PageContext) -> list[str]:
    """The ``kommune`` values as given, trimmed, empty ones (an empty add field) and repeats left out."""
    raw = ctx.query.get("kommune", [])
    values = [raw] if isinstance(raw, str) else list(raw)
    entries: list[str] = []
    for value in values:
        entry = " ".join(value.split())
        if entry and entry.casefold() not in {e.casefold() for e in entries}:
            entries.append(entry)
    return entries


def read_selection(ctx: PageContext) -> Selection:
    theme = _theme(ctx)
    entries = requested_entries(ctx)
    # Norway is no municipality: asked for, it is shown (always the last column) and does not count towards the ten.
    norway = any(means_norway(entry) for entry in entries)
    entries = [entry for entry in entries if not means_norway(entry)]
    if len(entries) > MAX_MUNICIPALITIES:
        raise bad_request(
            "kommune", ", ".join(entries), ctx.t("compare.too_many", max=MAX_MUNICIPALITIES, n=len(entries))
        )
    regions: list[RegionRow] = []
    pending: list[tuple[str, list[RegionRow]]] = []
    for entry in entries:
        found = find_regions(ctx, entry)
        municipalities = [region for region in found if region.level == RegionLevel.MUNICIPALITY]
        if len(municipalities) == 1:
            if municipalities[0].code not in {region.code for region in regions}:
                regions.append(municipalities[0])
        else:
            pending.append((entry, found))
    problems = [_problem(ctx, entry, found, regions, theme) for entry, found in pending]
    return Selection(regions, problems, theme, norway)


def _problem(ctx: PageContext, entry: str, found: list[RegionRow], chosen: list[RegionRow], theme: Theme) -> Problem:
    t = ctx.t
    municipalities = [region for region in found if region.level == RegionLevel.MUNICIPALITY]
    if not found:
        return Problem(entry, t("compare.problem.unknown", entry=entry))
    if not municipalities:
        kind = t(f"region.level.{found[0].level}")
        return Problem(entry, t("compare.problem.not_municipality", entry=entry, kind=kind))
    codes = [region.code for region in chosen]
    choices = [
        (f"{region.name} ({region.code})", compare_url(ctx, [*codes, region.code], theme.id))
        for region in municipalities[:MAX_CHOICES]
        if region.code not in codes
    ]
    return Problem(entry, t("compare.problem.several", entry=entry, n=len(municipalities)), choices)


def _theme(ctx: PageContext) -> Theme:
    themes = themes_in_order(ctx)
    wanted = ctx.query.get("tema")
    if wanted is None or wanted == "":
        return themes[0]
    if isinstance(wanted, str):
        for theme in themes:
            if theme.id == wanted:
                return theme
    value = wanted if isinstance(wanted, str) else ",".join(wanted)
    raise bad_request("tema", value, ctx.t("compare.bad_theme", themes=", ".join(theme.id for theme in themes)))


def compare_url(ctx: PageContext, codes: list[str], theme_id: str) -> str:
    """The comparison of ``codes`` in ``theme_id``, keeping the display and benchmark choices."""
    return ctx.url(
        COMPARE_PATH,
        kommune=codes,
        tema=theme_id,
        visning=ctx.display.value,
        sammenlign=BENCHMARK_WORDS[ctx.benchmark],
    )


__all__ = [
    "COMPARE_PATH",
    "MAX_MUNICIPALITIES",
    "Problem",
    "Selection",
    "compare_url",
    "read_selection",
    "requested_entries",
]
