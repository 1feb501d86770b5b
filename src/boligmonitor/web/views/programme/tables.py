"""The programme analysis as tidy tables: one row per figure with its years, group sizes and data version. The
pages show these rows, the downloads (CSV, CSV for Excel (norsk), XLSX, JSON) are made from them, and the JSON API
returns them, so the three cannot disagree. Column names and codes are English and stable; the pages put words in
the reader's language on them.

The ``reason`` columns are the analysis's English sentences. For a client that writes them in its own language,
``reason_keys=True`` adds each sentence as a stable key with its parameters (the columns of
:data:`REASON_KEY_COLUMNS`; keys in :data:`boligmonitor.analysis.reasons.REASONS`, texts in
``web/locales/programme_reasons.yaml``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from boligmonitor.analysis.reasons import Reason, untranslated
from boligmonitor.analysis.reporting import (
    MIN_GROUP_SIZE,
    AssessedAttainment,
    GroupBreak,
    MembersAgainstNonMembers,
    NationalShares,
    ProgrammeBreaks,
    SkippedIndicator,
)
from boligmonitor.analysis.reporting.group_comparison import SIZE_ORDER
from boligmonitor.catalog.models import Catalog
from boligmonitor.geo.groups import SizeGroup
from boligmonitor.web.views.programme.content import AttainmentContent

SIGNIFICANCE: Final = 0.05
"""A break's level or slope change becomes a sentence only when its two-sided p-value is below this."""

ATTAINMENT_COLUMNS: Final = (
    "goal",
    "goal_number",
    "catalogue_goal",
    "indicator",
    "scope",
    "year",
    "colour",
    "decided_by",
    "reason",
    "rule_colour",
    "rule_reason",
    "analyst",
    "decided_on",
    "value",
    "target_value",
    "baseline_year",
    "baseline_value",
    "n_municipalities",
    "n_with_value",
    "note",
    "data_version",
)

COMPARISON_COLUMNS: Final = (
    "indicator",
    "unit",
    "start_year",
    "end_year",
    "group",
    "size_group",
    "n_municipalities",
    "n_left_out",
    "start_value",
    "end_value",
    "absolute_change",
    "relative_change",
    "withheld",
    "data_version",
)

SHARE_COLUMNS: Final = (
    "indicator",
    "year",
    "counted",
    "members_total",
    "national_total",
    "share",
    "partial",
    "n_members",
    "n_members_with_values",
    "n_municipalities",
    "n_municipalities_with_values",
    "missing_population_share",
    "published_national_total",
    "reason",
    "data_version",
)

BREAK_COLUMNS: Final = (
    "indicator",
    "break_year",
    "first_year",
    "last_year",
    "group",
    "n_municipalities",
    "n_left_out",
    "tested",
    "method",
    "level_change",
    "level_change_low",
    "level_change_high",
    "level_change_p",
    "slope_change",
    "slope_change_low",
    "slope_change_high",
    "slope_change_p",
    "reason",
    "caveats",
    "data_version",
)

REASON_KEY_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "attainment": ("reason_key", "reason_params", "rule_reason_key", "rule_reason_params", "notes"),
    "comparison": ("withheld_key", "withheld_params", "caveats"),
    "shares": ("reason_key", "reason_params"),
    "breaks": ("reason_key", "reason_params", "caveat_reasons"),
    "skipped": ("reason_key", "reason_params"),
}
"""The columns ``reason_keys=True`` adds to each table: ``*_key`` / ``*_params`` one sentence (None when there is
none, or for an analyst's own words), ``notes`` / ``caveats`` / ``caveat_reasons`` a list of
``{"key": …, "params": {…}}``."""

GROUP_ORDER: Final[tuple[tuple[bool | None, SizeGroup | None], ...]] = (
    (None, None),
    (True, None),
    (False, None),
    *((member, size) for size in SIZE_ORDER for member in (True, False)),
)


def group_code(member: bool | None) -> str:
    return "all" if member is None else ("members" if member else "non_members")


def reason_record(reason: Reason) -> dict[str, Any]:
    """One sentence as JSON: its key and its parameters."""
    return {"key": reason.key, "params": dict(reason.params)}


def _reason_fields(name: str, reason: Reason | None) -> dict[str, Any]:
    return {f"{name}_key": None if reason is None else reason.key, f"{name}_params": _params(reason)}


def _params(reason: Reason | None) -> dict[str, Any] | None:
    return None if reason is None else dict(reason.params)


def _records(reasons: Iterable[Reason], english: Iterable[str]) -> list[dict[str, Any]]:
    found = list(reasons) or [untranslated(text) for text in english]
    return [reason_record(reason) for reason in found]


def attainment_rows(content: AttainmentContent, *, reason_keys: bool = False) -> list[dict[str, Any]]:
    goal_numbers = {goal.goal.id: goal.goal.number for goal in content.goals}
    rows = []
    for assessed in content.assessments():
        row = _attainment_row(assessed, goal_numbers)
        if reason_keys:
            result = assessed.result
            row |= _reason_fields("reason", assessed.why)
            row |= _reason_fields("rule_reason", result.status.why)
            row["notes"] = _records(result.notes, [result.note] if result.note else [])
        rows.append(row)
    return rows


def skipped_rows(skipped: Iterable[SkippedIndicator], *, reason_keys: bool = False) -> list[dict[str, Any]]:
    """The indicators an analysis could not use: ``indicator`` and ``reason`` (English), and with ``reason_keys``
    the reason as a key with parameters."""
    rows = []
    for item in skipped:
        row: dict[str, Any] = {"indicator": item.indicator_id, "reason": item.reason}
        if reason_keys:
            row |= _reason_fields("reason", item.structured_reason)
        rows.append(row)
    return rows


def _attainment_row(assessed: AssessedAttainment, goal_numbers: Mapping[str, int]) -> dict[str, Any]:
    result = assessed.result
    status = result.status
    key = result.key
    override = assessed.override
    return {
        "goal": key.goal_id,
        "goal_number": goal_numbers.get(key.goal_id),
        "catalogue_goal": key.catalogue_goal_id,
        "indicator": key.indicator_id,
        "scope": key.scope,
        "year": key.year,
        "colour": assessed.colour,
        "decided_by": assessed.decided_by,
        "reason": assessed.reason,
        "rule_colour": status.colour,
        "rule_reason": status.reason,
        "analyst": None if override is None else override.analyst,
        "decided_on": None if override is None else override.decided_on.isoformat(),
        "value": status.value,
        "target_value": status.target_value,
        "baseline_year": status.baseline_year,
        "baseline_value": status.baseline_value,
        "n_municipalities": result.n_municipalities,
        "n_with_value": result.n_with_value,
        "note": result.note,
        "data_version": result.data_version,
    }


def comparison_rows(table: MembersAgainstNonMembers, *, reason_keys: bool = False) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for changes in table.indicators:
        for member, size in GROUP_ORDER:
            figure = changes.figure(member, size)
            rows.append(
                {
                    "indicator": changes.indicator_id,
                    "unit": changes.unit,
                    "start_year": changes.start_year,
                    "end_year": changes.end_year,
                    "group": group_code(member),
                    "size_group": "all" if size is None else size.value,
                    "n_municipalities": figure.n_municipalities,
                    "n_left_out": len(figure.left_out),
                    "start_value": figure.start_value,
                    "end_value": figure.end_value,
                    "absolute_change": figure.absolute_change,
                    "relative_change": figure.relative_change,
                    "withheld": figure.withheld,
                    "data_version": changes.data_version,
                }
            )
            if reason_keys:
                rows[-1] |= _reason_fields("withheld", figure.withheld_why)
                rows[-1]["caveats"] = _records(changes.caveat_reasons, changes.caveats)
    return rows


def share_rows(shares: NationalShares, *, reason_keys: bool = False) -> list[dict[str, Any]]:
    return [
        {
            "indicator": share.indicator_id,
            "year": share.year,
            "counted": share.counted,
            "members_total": share.members_total,
            "national_total": share.national_total,
            "share": share.share,
            "partial": share.partial,
            "n_members": share.n_members,
            "n_members_with_values": share.n_members_with_values,
            "n_municipalities": share.n_municipalities,
            "n_municipalities_with_values": share.n_municipalities_with_values,
            "missing_population_share": share.missing_population_share,
            "published_national_total": share.published_national_total,
            "reason": share.reason,
            "data_version": share.data_version,
        }
        | (_reason_fields("reason", share.why) if reason_keys else {})
        for share in shares.shares
    ]


def break_rows(breaks: ProgrammeBreaks, *, reason_keys: bool = False) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for found in breaks.breaks:
        for group in (found.members, found.non_members):
            row = _break_row(found.indicator_id, found.break_year, found.years, group, found.data_version)
            if reason_keys:
                row |= _reason_fields("reason", group.why)
                row["caveat_reasons"] = _records(group.all_caveat_reasons, group.all_caveats)
            rows.append(row)
    return rows


def _break_row(
    indicator_id: str, break_year: int, years: tuple[int, ...], group: GroupBreak, version: int | None
) -> dict[str, Any]:
    result = group.result
    level = None if result is None else result.level_change
    slope = None if result is None else result.slope_change
    return {
        "indicator": indicator_id,
        "break_year": break_year,
        "first_year": years[0] if years else None,
        "last_year": years[-1] if years else None,
        "group": group.group,
        "n_municipalities": group.n_municipalities,
        "n_left_out": len(group.left_out),
        "tested": group.computed,
        "method": None if result is None else result.method,
        "level_change": None if level is None else level.estimate,
        "level_change_low": None if level is None else level.lower,
        "level_change_high": None if level is None else level.upper,
        "level_change_p": None if level is None else level.p_value,
        "slope_change": None if slope is None else slope.estimate,
        "slope_change_low": None if slope is None else slope.lower,
        "slope_change_high": None if slope is None else slope.upper,
        "slope_change_p": None if slope is None else slope.p_value,
        "reason": group.reason,
        "caveats": " | ".join(group.all_caveats),
        "data_version": version,
    }


def significant(p_value: float | None) -> bool:
    return p_value is not None and p_value < SIGNIFICANCE


def indicator_name(catalog: Catalog, indicator_id: str | None, language: str) -> str:
    if indicator_id is None:
        return "–"
    try:
        indicator = catalog.indicator(indicator_id)
    except KeyError:
        return indicator_id
    return str(getattr(indicator.name, language))


__all__ = [
    "ATTAINMENT_COLUMNS",
    "BREAK_COLUMNS",
    "COMPARISON_COLUMNS",
    "GROUP_ORDER",
    "MIN_GROUP_SIZE",
    "REASON_KEY_COLUMNS",
    "SHARE_COLUMNS",
    "SIGNIFICANCE",
    "attainment_rows",
    "break_rows",
    "comparison_rows",
    "group_code",
    "indicator_name",
    "reason_record",
    "share_rows",
    "significant",
    "skipped_rows",
]
