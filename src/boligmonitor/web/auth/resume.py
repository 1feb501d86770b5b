"""Answers typed into a form whose session expired, kept in the page until she signs in again.

A form that may be sent after a long while (the report form) carries two hidden fields: :data:`RESUME_FIELD`, the
path of its page, and :data:`ACCOUNT_FIELD`, the id of the account it was drawn for. When such a form is posted
without a live session, the sign-in page is shown in place of the redirect (401), holding the posted fields as
hidden fields of its own form (:data:`CARRIED_PREFIX` + name) — in the browser only, never stored on the server
for someone not signed in. Her sign-in posts them back with the sign-in form's own CSRF token; if the account that
signs in is the one the form was drawn for and a view has registered the page (:func:`resume_at`), that view draws
the form again with the answers filled in and not yet saved. Otherwise she simply lands on the page (``neste``).

Bounds: at most :data:`MAX_CARRIED_FIELDS` fields and :data:`MAX_CARRIED_BYTES` of names and values; larger posts
lose their answers (the page says so) rather than becoming an unbounded page. Only a path on this site that a
registered pattern matches is ever a destination (no open redirect); a post another site sent is never carried.

The web layer's views register their pages here; this package never imports them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from boligmonitor.web.auth.access import CSRF_FIELD, Principal
from boligmonitor.web.auth.views import safe_next

RESUME_FIELD: Final = "gjenoppta"  # the form page's path
ACCOUNT_FIELD: Final = "gjenoppta_konto"  # the account the form was drawn for
CARRIED_PREFIX: Final = "behold:"  # a kept field in the sign-in form
MAX_CARRIED_FIELDS: Final = 600
MAX_CARRIED_BYTES: Final = 256 * 1024
_NOT_CARRIED: Final = frozenset({CSRF_FIELD, RESUME_FIELD, ACCOUNT_FIELD})


@dataclass(frozen=True, slots=True)
class KeptAnswers:
    """A form's posted fields, in order (a name repeats for several choices), for the page at ``path``, drawn for
    the account ``account_id``."""

    path: str
    account_id: int
    fields: tuple[tuple[str, str], ...]

    def by_name(self) -> dict[str, list[str]]:
        values: dict[str, list[str]] = {}
        for name, value in self.fields:
            values.setdefault(name, []).append(value)
        return values

    def hidden_fields(self) -> list[tuple[str, str]]:
        """The sign-in form's hidden fields that carry these answers."""
        return [
            (RESUME_FIELD, self.path),
            (ACCOUNT_FIELD, str(self.account_id)),
            *((CARRIED_PREFIX + name, value) for name, value in self.fields),
        ]


class TooLargeError(Exception):
    """A post with more (or longer) fields than a sign-in page will carry."""


Resumer = Callable[[Request, Principal, KeptAnswers, Mapping[str, str]], Awaitable[Response | None]]
_RESUMERS: list[tuple[re.Pattern[str], Resumer]] = []


def resume_at(pattern: str) -> Callable[[Resumer], Resumer]:
    """Register the view that draws a form page (whose path matches ``pattern`` in full) again with kept
    answers. It gets the request, the newly signed-in principal, the answers and the pattern's named groups, and
    returns the page, or None where it will not (she may not edit it, it no longer exists)."""

    def register(resumer: Resumer) -> Resumer:
        _RESUMERS.append((re.compile(pattern), resumer))
        return resumer

    return register


def resumer_for(path: str) -> tuple[Resumer, dict[str, str]] | None:
    """The registered view of a page path (its query left out), with the path's named parts."""
    bare = urlsplit(path).path
    for pattern, resumer in _RESUMERS:
        found = pattern.fullmatch(bare)
        if found is not None:
            return resumer, found.groupdict()
    return None


def kept_from_expired_post(request: Request, form: FormData) -> KeptAnswers | None:
    """The answers of a resumable form posted without a live session, or None (not such a form, a post from
    another site, a destination no view registered). Raises :class:`TooLargeError` beyond the bounds."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return None
    fields = [(name, value) for name, value in form.multi_items() if isinstance(value, str)]
    return _kept(form.get(RESUME_FIELD), form.get(ACCOUNT_FIELD), [f for f in fields if f[0] not in _NOT_CARRIED])


def kept_from_sign_in(form: FormData) -> KeptAnswers | None:
    """The answers a sign-in form carries back (see :meth:`KeptAnswers.hidden_fields`), or None."""
    fields = [
        (name.removeprefix(CARRIED_PREFIX), value)
        for name, value in form.multi_items()
        if name.startswith(CARRIED_PREFIX) and isinstance(value, str)
    ]
    try:
        return _kept(form.get(RESUME_FIELD), form.get(ACCOUNT_FIELD), fields)
    except TooLargeError:
        return None


def _kept(raw_path: object, raw_account: object, fields: list[tuple[str, str]]) -> KeptAnswers | None:
    path = safe_next(raw_path)
    if path is None or resumer_for(path) is None:
        return None
    if not isinstance(raw_account, str) or not raw_account.isascii() or not raw_account.isdigit():
        return None
    if len(raw_account) > 18:
        return None
    if len(fields) > MAX_CARRIED_FIELDS or sum(len(name) + len(value) for name, value in fields) > MAX_CARRIED_BYTES:
        raise TooLargeError(path)
    return KeptAnswers(path, int(raw_account), tuple(fields))


__all__ = [
    "ACCOUNT_FIELD",
    "CARRIED_PREFIX",
    "MAX_CARRIED_BYTES",
    "MAX_CARRIED_FIELDS",
    "RESUME_FIELD",
    "KeptAnswers",
    "Resumer",
    "TooLargeError",
    "kept_from_expired_post",
    "kept_from_sign_in",
    "resume_at",
    "resumer_for",
]
