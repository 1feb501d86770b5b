"""The signed-in person's choice of language for her e-mails (``/konto/sprak``): bokmål, nynorsk or English.

The pages follow ``?lang=`` on each request; e-mails have no request, so they are written in the language her
account keeps (``account.language``, bokmål until she chooses). A server-rendered form that works without
JavaScript: the CSRF token, the error next to the field and in a summary in the page's language, nothing written
on a bad answer, the change recorded in the audit log (``account.language_changed``) as made by her. Both routes
need ``account.own`` (any signed-in person) and concern her own account only.

    app.include_router(boligmonitor.web.auth.language.router)
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from boligmonitor.store.accounts import ACCOUNT_LANGUAGES, AccountError, Action
from boligmonitor.web.auth.access import Principal, auth_state, require
from boligmonitor.web.auth.views import page_context, problem_text, redirect, render, translator

router = APIRouter(include_in_schema=False)

LANGUAGE_PATH: Final = "/konto/sprak"
FIELD: Final = "language"
SAVED_NOTICE: Final = ("melding", "lagret")  # the query parameter of the page after a change
OwnAccount = Annotated[Principal, Depends(require(Action.OWN_ACCOUNT))]


@router.get(LANGUAGE_PATH, name="auth.language_form")
async def language_form(request: Request, principal: OwnAccount) -> Response:
    account = principal.account
    assert account is not None  # account.own lets nobody else through
    t = translator(request)
    saved = request.query_params.get(SAVED_NOTICE[0]) == SAVED_NOTICE[1]
    return _page(request, principal, chosen=account.language, notice=t("account_language.saved") if saved else None)


@router.post(LANGUAGE_PATH, name="auth.set_language")
async def set_language(request: Request, principal: OwnAccount) -> Response:
    account = principal.account
    assert account is not None
    t = translator(request)
    given = (await request.form()).get(FIELD)
    if not isinstance(given, str) or not given.strip():
        return _page(request, principal, chosen=None, errors={FIELD: t("account_language.error.required")})
    try:
        await run_in_threadpool(
            auth_state(request).accounts.set_language, account.email, given, actor=principal.actor()
        )
    except AccountError as problem:
        errors = {FIELD: problem_text(problem, t) if problem.field == FIELD else problem.message}
        return _page(request, principal, chosen=None, errors=errors)
    return redirect(page_context(request).url(LANGUAGE_PATH, **{SAVED_NOTICE[0]: SAVED_NOTICE[1]}))


def _page(
    request: Request,
    principal: Principal,
    *,
    chosen: str | None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
) -> Response:
    t = translator(request)
    return render(
        request,
        principal,
        "language.html",
        t("account_language.title"),
        status_code=400 if errors else 200,
        field=FIELD,
        languages=ACCOUNT_LANGUAGES,
        chosen=chosen,
        errors=errors or {},
        notice=notice,
    )


__all__ = ["LANGUAGE_PATH", "router"]
