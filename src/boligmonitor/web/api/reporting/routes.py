"""A programme's analysis as JSON for signed-in users, the same as its pages (web/views/programme) and from the
same tables: goal attainment with the analysts' overrides, members against non-members by size group, the
members' share of the national total, and the trend-break test at the programme's start.

Every answer carries its provenance: the data version (id and time), the years, the membership (how many members,
how many the reader may see one by one) and the group sizes beside every figure. The same ``require`` as the pages
(``analysis.read``): a regional adviser gets the programme as a whole and only her region's members one by one.
Errors are the API's JSON problems (``{"error": {"status", "message", "parameter"?}}``); answers are personal
(``Cache-Control: no-store``).

    app.include_router(boligmonitor.web.api.reporting.routes.router)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from boligmonitor.analysis.reporting import Membership
from boligmonitor.catalog.reporting import Programme
from boligmonitor.geo.groups import SizeGroup
from boligmonitor.store.accounts import Action
from boligmonitor.web.auth.access import Principal, require
from boligmonitor.web.context import PageContext
from boligmonitor.web.rendering import json_response
from boligmonitor.web.views.programme import tables
from boligmonitor.web.views.programme.content import AnalysisPart, ProgrammeAnalysis
from boligmonitor.web.views.programme.pages import (
    Years,
    analysis_overrides,
    analysis_page_context,
    group_analysis,
    personal_analysis,
    programme_for,
    read_years,
    visible_members,
)
from boligmonitor.web.views.reporting.pages import NO_STORE, report_store

# Not in /openapi.json: the public API's schema (and its schemathesis run, which calls every operation without
# signing in) covers the public operations; these answer only signed-in users (401 otherwise).
router = APIRouter(prefix="/api/v1/program", tags=["programme analysis"], include_in_schema=False)

Reader = Annotated[Principal, Depends(require(Action.ANALYSIS_READ))]
NOTE: Final = (
    "Missing values are null, never zero. A group of fewer than 5 municipalities gets no figure (withheld says "
    "why). Colours: the rule's unless decided_by is 'analyst' (rule_colour and rule_reason keep the rule's)."
)


def _answer(document: dict[str, Any]) -> Response:
    response = json_response(document)
    response.headers["Cache-Control"] = NO_STORE
    return response


def _provenance(
    ctx: PageContext, programme: Programme, membership: Membership, principal: Principal, years: dict[str, Any]
) -> dict[str, Any]:
    version = ctx.data.version
    shown = visible_members(principal, membership.members)
    return {
        "programme": {
            "id": programme.id,
            "name": programme.name.get(ctx.language),
            "period": {"start": programme.period.start, "end": programme.period.end},
        },
        "data_version": None
        if version is None
        else {"id": version.id, "created_at": version.created_at.isoformat(), "kind": version.kind},
        "years": years,
        "membership": {
            "as_of": membership.as_of,
            "n_members": len(membership.members),
            "n_shown_one_by_one": len(shown),
            "members_shown": sorted(shown),
            "n_unmatched": len(membership.unmatched),
        },
        "note": NOTE,
    }


def _table(columns: Sequence[str], rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"columns": list(columns), "rows": rows}


@router.get("/{programme_id}/maloppnaelse", name="api.programme.attainment")
async def attainment(request: Request, principal: Reader, programme_id: str) -> Response:
    """Goal attainment in ``ar`` per goal and indicator, for the programme and each member the reader may see."""
    ctx = analysis_page_context(request)
    programme = await run_in_threadpool(programme_for, request, programme_id)  # reads imported members
    years = read_years(ctx, programme)
    overrides = await run_in_threadpool(analysis_overrides, report_store(request), programme.id, years.year)
    analysis = await run_in_threadpool(personal_analysis, request, programme, years.year, principal, overrides)
    assert analysis.attainment is not None
    document = _provenance(ctx, programme, analysis.membership, principal, {"year": years.year})
    document["overrides_unmatched"] = len(analysis.attainment.overrides_unmatched)
    document |= _table(
        tables.ATTAINMENT_COLUMNS + tables.REASON_KEY_COLUMNS["attainment"],
        tables.attainment_rows(analysis.attainment, reason_keys=True),
    )
    return _answer(document)


@router.get("/{programme_id}/sammenligning", name="api.programme.comparison")
async def comparison(request: Request, principal: Reader, programme_id: str) -> Response:
    """Members against non-members by size group, change from ``fra`` to ``til`` (Table 5.7's shape)."""
    ctx, programme, years, analysis = await _group_part(request, programme_id, AnalysisPart.COMPARISON)
    table = analysis.comparison
    assert table is not None
    span = {"start": years.start, "end": years.end, "size_groups": table.size_groups.year}
    document = _provenance(ctx, programme, analysis.membership, principal, span)
    counts = {size.value: 0 for size in SizeGroup}
    for size in table.size_groups.groups.values():
        counts[size.value] += 1
    document["size_groups"] = {
        "year": table.size_groups.year,
        "indicator": table.size_groups.indicator_id,
        "n_municipalities": counts,
        "n_without_population": len(table.size_groups.without_population),
    }
    document["min_group_size"] = tables.MIN_GROUP_SIZE
    document["skipped"] = tables.skipped_rows(table.skipped, reason_keys=True)
    document |= _table(
        tables.COMPARISON_COLUMNS + tables.REASON_KEY_COLUMNS["comparison"],
        tables.comparison_rows(table, reason_keys=True),
    )
    return _answer(document)


@router.get("/{programme_id}/andel-av-landet", name="api.programme.shares")
async def shares(request: Request, principal: Reader, programme_id: str) -> Response:
    """The members' share of the national total per indicator and year ``fra``–``til``, population and 80+ first."""
    ctx, programme, years, analysis = await _group_part(request, programme_id, AnalysisPart.SHARES)
    found = analysis.shares
    assert found is not None
    document = _provenance(ctx, programme, analysis.membership, principal, {"start": years.start, "end": years.end})
    document["skipped"] = tables.skipped_rows(found.skipped, reason_keys=True)
    document |= _table(
        tables.SHARE_COLUMNS + tables.REASON_KEY_COLUMNS["shares"], tables.share_rows(found, reason_keys=True)
    )
    return _answer(document)


@router.get("/{programme_id}/trendbrudd", name="api.programme.breaks")
async def breaks(request: Request, principal: Reader, programme_id: str) -> Response:
    """The trend-break test at the programme's first year for members and non-members, with its caveats."""
    ctx = analysis_page_context(request)
    programme = await run_in_threadpool(programme_for, request, programme_id)  # reads imported members
    years = read_years(ctx, programme)
    chosen = Years(years.year, years.year, years.year)
    analysis = await run_in_threadpool(group_analysis, request, programme, chosen, AnalysisPart.BREAKS)
    found = analysis.breaks
    assert found is not None
    document = _provenance(
        ctx, programme, analysis.membership, principal, {"membership_year": years.year, "break": found.break_year}
    )
    document["significance"] = tables.SIGNIFICANCE
    document["skipped"] = tables.skipped_rows(found.skipped, reason_keys=True)
    document |= _table(
        tables.BREAK_COLUMNS + tables.REASON_KEY_COLUMNS["breaks"], tables.break_rows(found, reason_keys=True)
    )
    return _answer(document)


async def _group_part(
    request: Request, programme_id: str, part: AnalysisPart
) -> tuple[PageContext, Programme, Years, ProgrammeAnalysis]:
    ctx = analysis_page_context(request)
    programme = await run_in_threadpool(programme_for, request, programme_id)  # reads imported members
    years = read_years(ctx, programme)
    analysis = await run_in_threadpool(group_analysis, request, programme, years, part)
    return ctx, programme, years, analysis


__all__ = ["router"]
