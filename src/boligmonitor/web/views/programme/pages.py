"""What the programme analysis pages and their JSON API share: the programme of a path, the request's years read
through ``request_params`` (bounded; a 400 in the page's language, or a JSON problem under /api/), the analysts'
overrides converted from the store's records, and the analysis of one data version, kept while that version is
served (the comparison, share and break parts read every municipality's values: computed once per version and
choice of years, never per visitor)."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from starlette.requests import Request

from boligmonitor.analysis.goals import Colour
from boligmonitor.analysis.reporting import AttainmentKey, AttainmentOverride
from boligmonitor.catalog.reporting import Programme, load_programme, programme_ids
from boligmonitor.catalog.validation import FIRST_YEAR
from boligmonitor.store.accounts import Action
from boligmonitor.store.reporting import ReportStore, StoredOverride
from boligmonitor.store.reporting.members import programme_in_effect
from boligmonitor.store.rows import RegionChangeRow
from boligmonitor.web.auth.access import Principal
from boligmonitor.web.context import PageContext
from boligmonitor.web.i18n import Translator, parse_language
from boligmonitor.web.monitor import Monitor, MonitorData, UnknownPageError
from boligmonitor.web.request_params import (
    LAST_YEAR,
    bad_request,
    parse_language_parameter,
    parse_year,
    read_query,
    single,
)
from boligmonitor.web.views.programme.content import (
    AnalysisPart,
    ProgrammeAnalysis,
    programme_analysis,
)
from boligmonitor.web.views.reporting.pages import report_store

COLOURS_BY_NAME: Final[dict[str, Colour]] = {"green": "green", "yellow": "yellow", "red": "red", "grey": "grey"}
YEAR: Final = "ar"
START: Final = "fra"
END: Final = "til"
MEMBER: Final = "kommune"
PROGRAMME_ONLY: Final = "program"
PROGRAMMES_STATE: Final = "programmes"  # app.state.programmes: id -> Programme (tests give a SYNTHETIC one)
POPULATION: Final = "BEF01"
CACHED_ANALYSES: Final = 24


def programme_for(request: Request, programme_id: str) -> Programme:
    """The programme of the path: the app's own (``app.state.programmes``) when set, else the package's; with the
    members imported into the store in place of its own when there are any (``programme_in_effect``)."""
    given: Mapping[str, Programme] | None = getattr(request.app.state, PROGRAMMES_STATE, None)
    if given is not None:
        found = given.get(programme_id)
        if found is None:
            raise UnknownPageError("programme_analysis", programme_id)
        return programme_in_effect(found, report_store(request))
    if programme_id not in programme_ids():
        raise UnknownPageError("programme_analysis", programme_id)
    return programme_in_effect(load_programme(programme_id), report_store(request))


def monitor_data(request: Request) -> MonitorData:
    monitor: Monitor = request.app.state.monitor
    return monitor.data


def analysis_page_context(request: Request) -> PageContext:
    """The page context with the query read (bounded) so that links and downloads keep the chosen years."""
    asked = parse_language(request.query_params.get("lang"))  # the language of a 400 about the query itself
    query = read_query(request.query_params.multi_items(), Translator(asked))
    language = parse_language_parameter(single(query, "lang"), Translator(asked))
    return PageContext(language=language, data=monitor_data(request), path=request.url.path, query=query)


@dataclass(frozen=True, slots=True)
class Years:
    """The years a page shows: ``year`` (goal attainment, membership), ``start``–``end`` (comparison, shares)."""

    year: int
    start: int
    end: int


def data_years(data: MonitorData) -> tuple[int, ...]:
    """The years with population figures in the loaded version (the analyses need the population)."""
    return tuple(data.tables.years(POPULATION))


def default_year(programme: Programme, data: MonitorData) -> int:
    """The programme's last year with data: the latest year, up to the programme's end, in which an indicator of
    its goals has values (else the last with population figures), so that the page opens on figures where there
    are any."""
    measured: set[int] = set()
    for goal in programme.goals:
        for catalogue_goal_id in goal.catalogue_goals:
            try:
                indicator_ids = data.catalog.goal(catalogue_goal_id).indicator_ids
            except KeyError:
                continue
            for indicator_id in indicator_ids:
                measured.update(data.tables.years(indicator_id))
    last = programme.period.end if programme.period.end is not None else max([*measured, *data_years(data)], default=0)
    for candidates in (measured, set(data_years(data))):
        within = [year for year in candidates if year <= last]
        if within:
            return max(within)
    return programme.period.end or programme.period.start


def read_years(
    ctx: PageContext, programme: Programme, *, year: str = "ar", start: str = "fra", end: str = "til"
) -> Years:
    """``ar``, ``fra`` and ``til`` from the query (years of the catalogue's span; 400 naming the parameter),
    defaulting to the programme's last year with data and, for a comparison, the programme's first year."""
    expected = ctx.t("programme_analysis.error.year", low=FIRST_YEAR, high=LAST_YEAR)

    def given(name: str) -> int | None:
        text = single(ctx.query, name)
        return None if text is None else parse_year(text, name, expected)

    shown_year = given(YEAR) or default_year(programme, ctx.data)
    end_year = given(END) or shown_year
    chosen_start = given(START)
    start_year = min(programme.period.start, end_year - 1) if chosen_start is None else chosen_start
    if start_year >= end_year:
        refused = ctx.t("programme_analysis.error.start_before_end", end=end_year)
        raise bad_request(START, str(start_year), refused)
    return Years(shown_year, start_year, end_year)


def chosen_members(ctx: PageContext, visible: Collection[str]) -> frozenset[str] | None:
    """``kommune``: one member's code (of those the viewer may see), ``program`` for the programme as a whole
    only, or nothing for every member; anything else is a 400 naming the parameter."""
    given = single(ctx.query, MEMBER)
    if given is None:
        return None
    if given == PROGRAMME_ONLY:
        return frozenset()
    if given not in visible:
        raise bad_request(MEMBER, given, ctx.t("programme_analysis.error.member", programme=PROGRAMME_ONLY))
    return frozenset({given})


def visible_members(principal: Principal, members: Collection[str]) -> frozenset[str]:
    """The members the viewer may see one by one (a regional adviser: those of her region)."""
    return principal.municipalities(Action.ANALYSIS_READ, frozenset(members))


def as_analysis_override(stored: StoredOverride) -> AttainmentOverride:
    """The store's record as the analysis applies it (checked again there: colour and reason)."""
    key = stored.key
    attainment_key = AttainmentKey(key.goal_id, key.catalogue_goal_id, key.indicator_id, key.scope, key.year)
    colour = COLOURS_BY_NAME.get(stored.colour, "grey")  # the store checks the colour; the analysis again
    return AttainmentOverride(attainment_key, colour, stored.reason, stored.analyst, stored.decided_at.date())


def analysis_overrides(store: ReportStore, programme_id: str, year: int) -> list[AttainmentOverride]:
    return [as_analysis_override(stored) for stored in store.overrides(programme_id, year)]


# The analysis of the loaded version, kept per version and choice


_cache: OrderedDict[tuple[object, ...], tuple[weakref.ref[MonitorData], ProgrammeAnalysis]] = OrderedDict()
_changes: list[tuple[weakref.ref[MonitorData], list[RegionChangeRow]]] = []
_lock = threading.Lock()


def region_changes(request: Request, data: MonitorData) -> list[RegionChangeRow]:
    """The store's code changes, read once per loaded version (memberships are carried through them)."""
    with _lock:
        for loaded, changes in _changes:
            if loaded() is data:
                return changes
    monitor: Monitor = request.app.state.monitor
    with monitor.store.snapshot() as reader:
        read = reader.region_changes()
    with _lock:
        _changes[:] = [(weakref.ref(data), read)]
    return read


def group_analysis(request: Request, programme: Programme, years: Years, part: AnalysisPart) -> ProgrammeAnalysis:
    """One group part (comparison, shares, breaks) of the analysis, computed once per loaded version, programme and
    years: these parts show groups over all members and do not depend on who asks. (Entries hold the version
    weakly: an entry of a version no longer served is never a hit and falls out.)"""
    data = monitor_data(request)
    key = (id(data), programme.id, programme.version, programme.members, years, part)
    with _lock:
        found = _cache.get(key)
        if found is not None and found[0]() is data:
            _cache.move_to_end(key)
            return found[1]
    computed = programme_analysis(
        data,
        data.catalog,
        programme,
        years.year,
        changes=region_changes(request, data),
        compare=(years.start, years.end),
        share_years=range(years.start, years.end + 1),
        parts={part},
    )
    with _lock:
        _cache[key] = (weakref.ref(data), computed)
        while len(_cache) > CACHED_ANALYSES:
            _cache.popitem(last=False)
    return computed


def personal_analysis(
    request: Request,
    programme: Programme,
    year: int,
    principal: Principal,
    overrides: Sequence[AttainmentOverride],
    parts: Collection[AnalysisPart] = (AnalysisPart.ATTAINMENT,),
    only: Collection[str] | None = None,
) -> ProgrammeAnalysis:
    """Goal attainment (or only the membership, ``parts=()``) for ``principal``: her members only (of those, only
    ``only`` when given), with the analysts' overrides as stored now."""
    data = monitor_data(request)
    changes = region_changes(request, data)
    everyone = programme_analysis(data, data.catalog, programme, year, changes=changes, parts=())
    visible = visible_members(principal, everyone.membership.members)
    if only is not None:
        visible = visible & frozenset(only)
    return programme_analysis(
        data,
        data.catalog,
        programme,
        year,
        overrides=overrides,
        visible_members=visible,
        changes=changes,
        parts=parts,
    )


__all__ = [
    "MEMBER",
    "PROGRAMME_ONLY",
    "Years",
    "analysis_overrides",
    "analysis_page_context",
    "as_analysis_override",
    "chosen_members",
    "data_years",
    "default_year",
    "group_analysis",
    "monitor_data",
    "personal_analysis",
    "programme_for",
    "read_years",
    "region_changes",
    "visible_members",
]
