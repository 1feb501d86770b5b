"""The municipality's own goals and targets in a programme (catalog/reporting OwnGoal; the store's
``save_own_goal``/``delete_own_goal``): list, add, change and remove.

Where: ``/rapportering/{round_id}/{municipality}/egne-mal``. Own goals belong to the programme, not to one year,
but a municipality reaches them from a round's report form (and its feedback page), so the round in the path gives
the programme, the way back and the breadcrumbs; every round of a programme shows the same goals. The programme's
analysis pages (``/program/{id}``) are Husbanken's, not the municipality's.

Who: reporters of the municipality change them (``report.edit``, own municipality); everyone who may read the
municipality's reports (its readers, the region's adviser, analysts) reads them (``report.read``). Works without
JavaScript; errors beside their fields and in a summary; a stale version is a conflict, never an overwrite.

    app.include_router(boligmonitor.web.views.reporting.own_goals.router)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Final, get_args

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from boligmonitor.catalog.models import AmbitionKind, Unit
from boligmonitor.catalog.reporting import OwnGoal, OwnTarget, Programme
from boligmonitor.core.errors import InputError
from boligmonitor.core.regions import normalise_region_code
from boligmonitor.store.accounts import Action
from boligmonitor.store.reporting import ConflictError, ReportingError, ReportingRound, ReportStore, StoredOwnGoal
from boligmonitor.web.auth.access import Principal, require
from boligmonitor.web.context import PageContext
from boligmonitor.web.monitor import UnknownPageError
from boligmonitor.web.pages import BadRequestError
from boligmonitor.web.views.reporting.fields import number_text, parse_number
from boligmonitor.web.views.reporting.pages import (
    format_timestamp,
    municipality_name,
    page_context,
    programme_name,
    programme_of,
    redirect,
    render,
    report_store,
)

router = APIRouter(include_in_schema=False)

MUNICIPALITY: Final = "municipality"
Reader = Annotated[Principal, Depends(require(Action.REPORT_READ, municipality=MUNICIPALITY))]
Editor = Annotated[Principal, Depends(require(Action.REPORT_EDIT, municipality=MUNICIPALITY))]

PATH: Final = "/rapportering/{round_id}/{municipality}/egne-mal"
NOTICES: Final = {"lagt-til": "own_goals.added", "endret": "own_goals.changed", "fjernet": "own_goals.removed"}
UNITS: Final = get_args(Unit)
MAX_TEXT: Final = 2000
# Where the store's (and the catalogue's) field names land in the form.
_FORM_FIELD: Final = {
    "name": "navn",
    "description": "beskrivelse",
    "programme_goal": "programmal",
    "adopted": "vedtatt",
    "kind": "maltype",
    "target": "malverdi",
    "target_year": "malar",
    "baseline_year": "basisar",
    "indicator": "indikator",
    "measure": "maling",
    "unit": "enhet",
}
FIELDS: Final = tuple(_FORM_FIELD.values())
_NAMED_FIELD: Final = re.compile(r"^(?:Value error, )?([a-z_][a-z0-9_.]*): ")


def goals_path(round_id: int, municipality: str) -> str:
    return PATH.format(round_id=round_id, municipality=municipality)


@dataclass(frozen=True, slots=True)
class GoalRow:
    id: str
    name: str
    description: str | None
    programme_goal: str
    targets: list[str]
    adopted: str | None
    saved: str
    version: int
    edit_link: str
    remove_action: str


# Routes


@router.get(PATH, name="reporting.own_goals")
async def own_goals_page(request: Request, principal: Reader, round_id: int, municipality: str) -> Response:
    code = normalise_region_code(municipality)
    ctx = page_context(request)
    notice_key = NOTICES.get(request.query_params.get("melding", ""))
    return await _page(request, principal, round_id, code, notice=ctx.t(notice_key) if notice_key else None)


@router.post(PATH, name="reporting.own_goal_add")
async def add_own_goal(request: Request, principal: Editor, round_id: int, municipality: str) -> Response:
    code = normalise_region_code(municipality)
    store = report_store(request)
    reporting = _round(store, round_id)
    posted = await request.form()
    existing = await run_in_threadpool(store.own_goals, reporting.programme_id, code)
    goal_id = _new_id(str(posted.get("navn", "")), {stored.goal.id for stored in existing}, reporting.programme_id)
    return await _save(request, principal, reporting, code, goal_id, posted, expected_version=None)


@router.get(PATH + "/{goal_id}", name="reporting.own_goal_form")
async def own_goal_form(
    request: Request, principal: Editor, round_id: int, municipality: str, goal_id: str
) -> Response:
    code = normalise_region_code(municipality)
    store = report_store(request)
    reporting = _round(store, round_id)
    stored = await run_in_threadpool(_stored_goal, store, reporting, code, goal_id)
    return await _page(request, principal, round_id, code, editing=stored, values=_values_of(stored.goal))


@router.post(PATH + "/{goal_id}", name="reporting.own_goal_change")
async def change_own_goal(
    request: Request, principal: Editor, round_id: int, municipality: str, goal_id: str
) -> Response:
    code = normalise_region_code(municipality)
    store = report_store(request)
    reporting = _round(store, round_id)
    await run_in_threadpool(_stored_goal, store, reporting, code, goal_id)
    posted = await request.form()
    return await _save(request, principal, reporting, code, goal_id, posted, expected_version=_version(posted))


@router.post(PATH + "/{goal_id}/fjern", name="reporting.own_goal_remove")
async def remove_own_goal(
    request: Request, principal: Editor, round_id: int, municipality: str, goal_id: str
) -> Response:
    code = normalise_region_code(municipality)
    store = report_store(request)
    ctx = page_context(request)
    reporting = _round(store, round_id)
    await run_in_threadpool(_stored_goal, store, reporting, code, goal_id)
    posted = await request.form()
    try:
        await run_in_threadpool(
            store.delete_own_goal,
            reporting.programme_id,
            code,
            goal_id,
            expected_version=_version(posted),
            actor=principal.actor(),
        )
    except ConflictError as conflict:
        message = ctx.t(
            "own_goals.conflict", who=conflict.saved_by, when=format_timestamp(conflict.saved_at, ctx.language)
        )
        return await _page(request, principal, round_id, code, conflict=message, status_code=409)
    return redirect(ctx.url(goals_path(round_id, code), melding="fjernet"))


# Saving


async def _save(
    request: Request,
    principal: Principal,
    reporting: ReportingRound,
    code: str,
    goal_id: str,
    posted: FormData,
    *,
    expected_version: int | None,
) -> Response:
    store = report_store(request)
    ctx = page_context(request)
    values = {name: str(posted.get(name, "")).strip() for name in FIELDS}
    editing = None
    if expected_version is not None:
        editing = await run_in_threadpool(_stored_goal, store, reporting, code, goal_id)
    goal, errors = _goal_from(values, goal_id, reporting.programme_id, code, ctx)
    if goal is not None:
        try:
            await run_in_threadpool(
                store.save_own_goal, goal, actor=principal.actor(), expected_version=expected_version
            )
        except InputError as refused:
            errors = _input_errors(refused, ctx)
        except ConflictError as conflict:
            message = ctx.t(
                "own_goals.conflict", who=conflict.saved_by, when=format_timestamp(conflict.saved_at, ctx.language)
            )
            return await _page(
                request,
                principal,
                reporting.id,
                code,
                editing=editing,
                values=values,
                conflict=message,
                status_code=409,
            )
        except ReportingError as problem:
            errors = {"navn": ctx.t("own_goals.error.other", message=problem.message)}
    if errors:
        return await _page(
            request, principal, reporting.id, code, editing=editing, values=values, errors=errors, status_code=400
        )
    melding = "endret" if expected_version is not None else "lagt-til"
    return redirect(ctx.url(goals_path(reporting.id, code), melding=melding))


def _goal_from(
    values: Mapping[str, str], goal_id: str, programme_id: str, code: str, ctx: PageContext
) -> tuple[OwnGoal | None, dict[str, str]]:
    """The goal the form describes, or the problems by field (in the page's language); nothing is saved."""
    t = ctx.t
    errors: dict[str, str] = {}
    name = values["navn"]
    if not name:
        errors["navn"] = t("own_goals.error.name_required")
    for field in ("navn", "beskrivelse", "maling"):
        if len(values[field]) > MAX_TEXT:
            errors[field] = t("own_goals.error.too_long", max=MAX_TEXT)
    adopted: date | None = None
    if values["vedtatt"]:
        try:
            adopted = date.fromisoformat(values["vedtatt"])
        except ValueError:
            errors["vedtatt"] = t("own_goals.error.date")
    target: dict[str, object] | None = None
    if values["maltype"]:
        if values["maltype"] not in {kind.value for kind in AmbitionKind}:
            errors["maltype"] = t("own_goals.error.kind")
        number = parse_number(values["malverdi"]) if values["malverdi"] else None
        if number is None:
            errors["malverdi"] = t("own_goals.error.target")
        years = {}
        for field in ("malar", "basisar"):
            if values[field]:
                if not re.fullmatch(r"(19|20)[0-9]{2}", values[field]):
                    errors[field] = t("own_goals.error.year")
                else:
                    years[field] = int(values[field])
        if values["enhet"] and values["enhet"] not in UNITS:
            errors["enhet"] = t("own_goals.error.unit")
        measure = values["maling"]
        target = {
            "kind": values["maltype"],
            "target": number,
            "target_year": years.get("malar"),
            "baseline_year": years.get("basisar"),
            "indicator": values["indikator"] or None,
            "measure": {"nb": measure, "nn": measure} if measure else None,
            "unit": values["enhet"] or None,
        }
    elif any(values[field] for field in ("malverdi", "malar", "basisar", "indikator", "maling", "enhet")):
        errors["maltype"] = t("own_goals.error.kind_missing")
    if errors:
        return None, errors
    description = values["beskrivelse"]
    try:
        goal = OwnGoal.model_validate(
            {
                "id": goal_id,
                "programme": programme_id,
                "municipality": code,
                "programme_goal": values["programmal"] or None,
                "name": {"nb": name, "nn": name},
                "description": {"nb": description, "nn": description} if description else None,
                "adopted": adopted,
                "targets": [target] if target is not None else [],
            }
        )
    except ValidationError as invalid:
        for error in invalid.errors():
            location = [str(part) for part in error["loc"]]
            # A cross-field rule names its field at the start of the message: "baseline_year: a relative …"
            named = _NAMED_FIELD.match(str(error.get("msg", "")))
            if named is not None:
                location += named.group(1).split(".")
            field = next((_FORM_FIELD[part] for part in reversed(location) if part in _FORM_FIELD), "maltype")
            errors.setdefault(field, t(f"own_goals.error.field.{field}"))
        return None, errors
    return goal, {}


def _input_errors(refused: InputError, ctx: PageContext) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem in refused.problems:
        parts = (problem.field or "").split(".")
        fallback = "maltype" if "targets" in parts else "navn"
        field = next((_FORM_FIELD[part] for part in reversed(parts) if part in _FORM_FIELD), fallback)
        errors.setdefault(field, ctx.t(f"own_goals.error.field.{field}"))
    return errors


def _new_id(name: str, taken: set[str], programme_id: str) -> str:
    """A slug for a new goal from its name ("Færre i midlertidig bolig" -> "eget_faerre_i_midlertidig_bolig"),
    unique among the municipality's goals and never one of the programme's."""
    plain = name.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:40].strip("_")
    base = f"eget_{words}" if words else "eget_mal"
    programme = programme_of(programme_id)
    reserved = taken | ({goal.id for goal in programme.goals} if programme is not None else set())
    candidate, number = base, 2
    while candidate in reserved:
        candidate, number = f"{base}_{number}", number + 1
    return candidate


def _version(posted: FormData) -> int:
    raw = posted.get("versjon")
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise BadRequestError("versjon", str(raw or ""), "the goal's version, a whole number")
    return int(raw)


# The page


async def _page(
    request: Request,
    principal: Principal,
    round_id: int,
    code: str,
    *,
    editing: StoredOwnGoal | None = None,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
    conflict: str | None = None,
    status_code: int = 200,
) -> Response:
    store = report_store(request)
    ctx = page_context(request)
    reporting = _round(store, round_id)
    programme = programme_of(reporting.programme_id)
    stored = await run_in_threadpool(store.own_goals, reporting.programme_id, code)
    may_edit = principal.may(Action.REPORT_EDIT, code)
    path = goals_path(round_id, code)
    name = municipality_name(ctx, code)
    title = ctx.t("own_goals.title", municipality=name)
    report_link = ctx.url(f"/rapportering/{round_id}/{code}")
    indicators = sorted(
        (
            (indicator.id, f"{indicator.name.get(ctx.language)} ({indicator.id})")
            for indicator in store.catalog.indicators
        ),
        key=lambda pair: pair[1],
    )
    return render(
        request,
        principal,
        "own_goals.html",
        title,
        status_code=status_code,
        breadcrumbs=[
            (ctx.t("reporting.list.title"), ctx.url("/rapportering")),
            (programme_name(reporting.programme_id, ctx.language) + f" {reporting.year}", report_link),
            (title, None),
        ],
        goals=[_row(goal, programme, ctx, path, may_edit) for goal in stored],
        may_edit=may_edit,
        editing=editing,
        values=dict(values or {}),
        errors=dict(errors or {}),
        notice=notice,
        conflict=conflict,
        action=ctx.url(path + (f"/{editing.goal.id}" if editing is not None else "")),
        cancel_link=ctx.url(path),
        report_link=report_link,
        feedback_link=ctx.url(f"/rapportering/{round_id}/{code}/tilbakemelding"),
        programme_goals=_programme_goals(programme, ctx),
        kinds=[(kind.value, ctx.t(f"own_goals.kind.{kind.value}")) for kind in AmbitionKind],
        units=[(unit, ctx.t(f"own_goals.unit.{unit}")) for unit in UNITS],
        indicators=indicators,
    )


def _row(stored: StoredOwnGoal, programme: Programme | None, ctx: PageContext, path: str, may_edit: bool) -> GoalRow:
    goal = stored.goal
    goals = dict(_programme_goals(programme, ctx))
    return GoalRow(
        id=goal.id,
        name=goal.name.get(ctx.language),
        description=goal.description.get(ctx.language) if goal.description is not None else None,
        programme_goal=goals.get(goal.programme_goal or "", goal.programme_goal or ctx.t("own_goals.beside")),
        targets=[target_text(target, ctx) for target in goal.targets],
        adopted=ctx.t.date(goal.adopted) if goal.adopted is not None else None,
        saved=ctx.t(
            "reporting.saved_by", when=format_timestamp(stored.updated_at, ctx.language), who=stored.updated_by
        ),
        version=stored.version,
        edit_link=ctx.url(f"{path}/{goal.id}") if may_edit else "",
        remove_action=ctx.url(f"{path}/{goal.id}/fjern") if may_edit else "",
    )


def target_text(target: OwnTarget, ctx: PageContext) -> str:
    """ "Høyst 0 (BU01) innen 2020" — a target in words."""
    measure = target.indicator or (target.measure.get(ctx.language) if target.measure is not None else "")
    unit = f" {ctx.t(f'own_goals.unit.{target.unit}')}" if target.unit else ""
    text = ctx.t(f"own_goals.target.{target.kind.value}", target=number_text(target.target) + unit, measure=measure)
    if target.baseline_year is not None:
        text += " " + ctx.t("own_goals.target.from", year=target.baseline_year)
    if target.target_year is not None:
        text += " " + ctx.t("own_goals.target.by", year=target.target_year)
    return text


def own_goal_summaries(store: ReportStore, reporting: ReportingRound, code: str, ctx: PageContext) -> dict[str, Any]:
    """What the feedback page shows of the municipality's own goals: each goal in words, and the link here."""
    programme = programme_of(reporting.programme_id)
    path = goals_path(reporting.id, code)
    goals = [_row(stored, programme, ctx, path, False) for stored in store.own_goals(reporting.programme_id, code)]
    return {"own_goals": goals, "own_goals_link": ctx.url(path)}


def _programme_goals(programme: Programme | None, ctx: PageContext) -> list[tuple[str, str]]:
    if programme is None:
        return []
    return [
        (goal.id, ctx.t("reporting.form.goal_section", number=goal.number, name=goal.name.get(ctx.language)))
        for goal in programme.goals
    ]


def _values_of(goal: OwnGoal) -> dict[str, str]:
    target = goal.targets[0] if goal.targets else None
    return {
        "navn": goal.name.nb,
        "beskrivelse": goal.description.nb if goal.description is not None else "",
        "programmal": goal.programme_goal or "",
        "vedtatt": goal.adopted.isoformat() if goal.adopted is not None else "",
        "maltype": target.kind.value if target is not None else "",
        "malverdi": number_text(target.target) if target is not None else "",
        "malar": str(target.target_year) if target is not None and target.target_year else "",
        "basisar": str(target.baseline_year) if target is not None and target.baseline_year else "",
        "indikator": (target.indicator or "") if target is not None else "",
        "maling": target.measure.nb if target is not None and target.measure is not None else "",
        "enhet": (target.unit or "") if target is not None else "",
    }


def _round(store: ReportStore, round_id: int) -> ReportingRound:
    try:
        return store.round(round_id)
    except ReportingError:
        raise UnknownPageError("reporting_round", str(round_id)) from None


def _stored_goal(store: ReportStore, reporting: ReportingRound, code: str, goal_id: str) -> StoredOwnGoal:
    for stored in store.own_goals(reporting.programme_id, code):
        if stored.goal.id == goal_id:
            return stored
    raise UnknownPageError("own_goal", goal_id)


__all__ = ["PATH", "goals_path", "own_goal_summaries", "router", "target_text"]
