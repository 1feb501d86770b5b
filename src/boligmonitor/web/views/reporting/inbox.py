"""The inbox page (``/innboks``): the signed-in person's notifications, newest first, unread ones marked.

A message holds a link and never an answer or a comment's text. Opening one is a POST (``/innboks/{id}``, a
form button "Åpne" with the CSRF token): it marks the message read and redirects to the page it is about; a GET
changes nothing. "Merk som lest" (``/innboks/{id}/lest``) marks it read and comes back. Every route needs
``account.own`` (any signed-in person); a message of another account is an unknown page (404), never shown.

    app.include_router(boligmonitor.web.views.reporting.inbox.router)

:func:`unread_count` gives the number of unread messages for the page header.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from boligmonitor.store.accounts import Action
from boligmonitor.store.accounts.transactions import account_reading
from boligmonitor.store.reporting import Notification, ReportingRound, ReportStore
from boligmonitor.store.reporting import notifications as outbox
from boligmonitor.web.auth.access import Principal, require
from boligmonitor.web.context import PageContext
from boligmonitor.web.monitor import UnknownPageError
from boligmonitor.web.views.reporting.pages import (
    format_timestamp,
    municipality_name,
    page_context,
    programme_name,
    redirect,
    render,
    report_store,
)

router = APIRouter(include_in_schema=False)

INBOX_PATH: Final = "/innboks"
SHOWN: Final = 100  # the newest messages on the page
Owner = Annotated[Principal, Depends(require(Action.OWN_ACCOUNT))]


def unread_count(request: Request, account_id: int) -> int:
    """How many of the account's messages are unread (for the page header; one small query)."""
    return outbox.unread_count(report_store(request).engine, account_id)


@router.get(INBOX_PATH, name="inbox.list")
async def inbox_page(request: Request, principal: Owner) -> Response:
    store = report_store(request)
    ctx = page_context(request)
    account_id = _account_id(principal)
    messages, unread, rounds = await run_in_threadpool(_messages, store, account_id)
    notice = ctx.t("inbox.marked") if request.query_params.get("melding") == "lest" else None
    return render(
        request,
        principal,
        "inbox.html",
        ctx.t("inbox.title"),
        messages=[_row(message, rounds, ctx) for message in messages],
        unread=unread,
        shown=SHOWN,
        notice=notice,
        breadcrumbs=[(ctx.t("nav.home"), ctx.url("/")), (ctx.t("inbox.title"), None)],
    )


@router.post(INBOX_PATH + "/{notification_id}", name="inbox.open")
async def open_message(request: Request, principal: Owner, notification_id: int) -> Response:
    """Mark the message read and go to the page it is about."""
    store = report_store(request)
    message = await run_in_threadpool(_own, store, notification_id, _account_id(principal))
    await run_in_threadpool(store.mark_read, message.id, account_id=message.recipient_account_id)
    return redirect(page_context(request).url(_safe_path(message.link)))


@router.post(INBOX_PATH + "/{notification_id}/lest", name="inbox.mark_read")
async def mark_read(request: Request, principal: Owner, notification_id: int) -> Response:
    """Mark the message read and come back to the inbox."""
    store = report_store(request)
    message = await run_in_threadpool(_own, store, notification_id, _account_id(principal))
    await run_in_threadpool(store.mark_read, message.id, account_id=message.recipient_account_id)
    return redirect(page_context(request).url(INBOX_PATH, melding="lest") + f"#melding-{message.id}")


def _account_id(principal: Principal) -> int:
    if principal.account is None:  # require(OWN_ACCOUNT) lets nobody else through
        raise RuntimeError("the inbox needs a signed-in account")
    return principal.account.id


def _messages(store: ReportStore, account_id: int) -> tuple[list[Notification], int, dict[int, ReportingRound]]:
    shown = store.notifications(account_id, limit=SHOWN)
    with account_reading(store.engine) as connection:
        unread = outbox.count_unread(connection, account_id)
    return shown, unread, {reporting.id: reporting for reporting in store.rounds()}


def _own(store: ReportStore, notification_id: int, account_id: int) -> Notification:
    with account_reading(store.engine) as connection:
        found = outbox.own_notification(connection, notification_id, account_id)
    if found is None:  # unknown, or another person's: the same answer, so ids reveal nothing
        raise UnknownPageError("notification", str(notification_id))
    return found


def _row(message: Notification, rounds: dict[int, ReportingRound], ctx: PageContext) -> dict[str, object]:
    parts = []
    reporting = rounds.get(message.round_id) if message.round_id is not None else None
    if reporting is not None:
        parts.append(f"{programme_name(reporting.programme_id, ctx.language)} {reporting.year}")
    if message.municipality_code is not None:
        parts.append(municipality_name(ctx, message.municipality_code))
    about = ", ".join(parts)
    return {
        "id": message.id,
        "kind": ctx.t(f"inbox.kind.{message.kind.value}"),
        "about": about,
        "received": format_timestamp(message.created_at, ctx.language),
        "unread": message.read_at is None,
        "open_action": ctx.url(f"{INBOX_PATH}/{message.id}"),
        "read_action": ctx.url(f"{INBOX_PATH}/{message.id}/lest"),
    }


def _safe_path(link: str) -> str:
    """A path on this site (the outbox holds only such); anything else leads to the inbox, never away."""
    if link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return link
    return INBOX_PATH


__all__ = ["INBOX_PATH", "router", "unread_count"]
