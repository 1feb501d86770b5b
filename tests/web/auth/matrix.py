"""What every authorisation-matrix test shares (the tables themselves stay written out by hand in each test): the
roles' short names for the tables, a response written as its outcome, a router's (method, path) pairs, and the
``require`` requirements a route carries."""

from __future__ import annotations

import httpx
from fastapi import APIRouter
from fastapi.routing import APIRoute

from boligmonitor.store.accounts import Role
from boligmonitor.web.auth import Requirement

PUB, ADM, ANA, ADV, REP, REA = (
    Role.PUBLIC,
    Role.ADMINISTRATOR,
    Role.HUSBANKEN_ANALYST,
    Role.REGIONAL_ADVISER,
    Role.MUNICIPAL_REPORTER,
    Role.MUNICIPAL_READER,
)


def outcome(response: httpx.Response) -> str:
    """A cell of a table: the status, and where a redirect leads (without its query)."""
    if response.is_redirect:
        return f"{response.status_code} {response.headers['location'].split('?')[0]}"
    return str(response.status_code)


def route_methods(router: APIRouter) -> set[tuple[str, str]]:
    """Every (method, path) the router answers: what a matrix must list, no more and no less."""
    return {
        (method, route.path) for route in router.routes if isinstance(route, APIRoute) for method in route.methods or ()
    }


def requirements_of(route: APIRoute) -> list[Requirement]:
    """The ``require`` dependencies a route carries, however deeply they are nested."""
    found: list[Requirement] = []
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        if isinstance(dependant.call, Requirement):
            found.append(dependant.call)
        pending.extend(dependant.dependencies)
    return found


__all__ = ["ADM", "ADV", "ANA", "PUB", "REA", "REP", "outcome", "requirements_of", "route_methods"]
