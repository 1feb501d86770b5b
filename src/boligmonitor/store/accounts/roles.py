"""Roles, actions and the one rule that says whether a person may do an action for a municipality.

Which role may do which action, and how far it reaches (every municipality, the adviser's region, her own
municipality, or none) is data: ``permissions.yaml`` beside this module, read once and checked complete. The web
layer's ``require`` (``boligmonitor.web.auth``) applies :func:`permits` on every route; this module is pure so
that the command line and the analysis can ask the same question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Final

import yaml


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    HUSBANKEN_ANALYST = "husbanken_analyst"  # all municipalities
    REGIONAL_ADVISER = "regional_adviser"  # the municipalities of her adviser region
    MUNICIPAL_REPORTER = "municipal_reporter"  # edits and submits her municipality's reports
    MUNICIPAL_READER = "municipal_reader"  # reads her municipality's reports
    PUBLIC = "public"  # everyone without an account; never an account's role


ACCOUNT_ROLES: Final = tuple(role for role in Role if role is not Role.PUBLIC)
MUNICIPAL_ROLES: Final = frozenset({Role.MUNICIPAL_REPORTER, Role.MUNICIPAL_READER})


class Action(StrEnum):
    """What a route does, in the words of ``permissions.yaml``."""

    MONITOR_READ = "monitor.read"
    PUBLISHED_READ = "published.read"
    SIGN_IN = "account.sign_in"
    OWN_ACCOUNT = "account.own"
    MANAGE_ACCOUNTS = "account.manage"
    AUDIT_READ = "audit.read"
    REPORT_READ = "report.read"
    REPORT_EDIT = "report.edit"
    REPORT_SUBMIT = "report.submit"
    REPORT_RETURN = "report.return"
    REPORT_COMMENT = "report.comment"
    ANALYSIS_READ = "analysis.read"
    ANALYSIS_EDIT = "analysis.edit"


class Reach(StrEnum):
    """How far a role's permission for an action reaches."""

    ALL = "all"  # every municipality, and actions about none
    REGION = "region"  # the municipalities of the adviser's region
    OWN = "own"  # the account's own municipality
    NONE = "none"


PERMISSIONS_FILE: Final = "permissions.yaml"


@cache
def permissions() -> Mapping[Action, Mapping[Role, Reach]]:
    """action -> role -> reach, from ``permissions.yaml``; every action and every role must be there."""
    text = resources.files("boligmonitor.store.accounts").joinpath(PERMISSIONS_FILE).read_text(encoding="utf-8")
    return parse_permissions(yaml.safe_load(text), PERMISSIONS_FILE)


def parse_permissions(document: object, source: str) -> Mapping[Action, Mapping[Role, Reach]]:
    """Check a permission table: every action and every role exactly once, a known reach in every cell, and
    the public never reaching further than everyone (it has no municipality nor region)."""
    if not isinstance(document, dict):
        raise ValueError(f"{source}: expected a mapping of actions to roles")
    problems: list[str] = []
    table: dict[Action, dict[Role, Reach]] = {}
    known_actions = {action.value: action for action in Action}
    for name, cells in document.items():
        action = known_actions.get(str(name))
        if action is None:
            problems.append(f"unknown action {name!r}")
            continue
        if not isinstance(cells, dict):
            problems.append(f"{name}: expected a mapping of roles to reach")
            continue
        row: dict[Role, Reach] = {}
        for role_name, reach_name in cells.items():
            try:
                role, reach = Role(str(role_name)), Reach(str(reach_name))
            except ValueError:
                problems.append(f"{name}.{role_name}: unknown role or reach {reach_name!r}")
                continue
            if role is Role.PUBLIC and reach not in (Reach.ALL, Reach.NONE):
                problems.append(f"{name}.public: the public has no municipality or region; use all or none")
            row[role] = reach
        missing = [role.value for role in Role if role not in row]
        if missing:
            problems.append(f"{name}: no cell for {', '.join(missing)}")
        table[action] = row
    absent = [action.value for action in Action if action not in table]
    if absent:
        problems.append(f"no row for {', '.join(absent)}")
    if problems:
        raise ValueError(f"{source}: " + "; ".join(problems))
    return table


@dataclass(frozen=True, slots=True)
class Holder:
    """Whoever asks: a role and what it reaches. ``region_areas`` are the county (2-digit) and municipality
    (4-digit) codes of a regional adviser's region; empty for every other role."""

    role: Role
    municipality: str | None = None
    region_areas: frozenset[str] = field(default_factory=frozenset)


PUBLIC: Final = Holder(Role.PUBLIC)


def reach(role: Role, action: Action) -> Reach:
    return permissions()[action][role]


def in_areas(municipality: str, areas: frozenset[str]) -> bool:
    """Whether a municipality lies in a region: listed itself, or its county (its first two digits) listed."""
    return municipality in areas or municipality[:2] in areas


def permits(holder: Holder, action: Action, municipality: str | None = None) -> bool:
    """Whether ``holder`` may do ``action`` for ``municipality`` (a canonical 4-digit code).

    Without a municipality (a list page, the audit log) any reach but none is enough: the page then shows only
    what :func:`reaches` allows.
    """
    extent = reach(holder.role, action)
    if extent is Reach.NONE:
        return False
    if municipality is None or extent is Reach.ALL:
        return True
    if extent is Reach.OWN:
        return holder.municipality is not None and municipality == holder.municipality
    return in_areas(municipality, holder.region_areas)


def reaches(holder: Holder, action: Action, municipalities: frozenset[str]) -> frozenset[str]:
    """The municipalities among ``municipalities`` that ``holder`` may do ``action`` for (for list pages)."""
    return frozenset(code for code in municipalities if permits(holder, action, code))


__all__ = [
    "ACCOUNT_ROLES",
    "MUNICIPAL_ROLES",
    "PUBLIC",
    "Action",
    "Holder",
    "Reach",
    "Role",
    "in_areas",
    "parse_permissions",
    "permissions",
    "permits",
    "reach",
    "reaches",
]
