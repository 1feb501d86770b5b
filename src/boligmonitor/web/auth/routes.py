"""The pages of accounts and access: sign in and out, accept an invitation, one's account, the audit log, and
OpenID Connect sign-in when configured. Server-rendered forms that work without JavaScript; an error is shown
next to its field in the page's language. Every route carries ``require``."""

from __future__ import annotations

import math
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from boligmonitor.store.accounts import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    Action,
    IssuedSession,
    SignInRefused,
    Throttled,
)
from boligmonitor.web.auth.access import Principal, _session_and_areas, auth_state, require
from boligmonitor.web.auth.cookies import SESSION_COOKIE, SIGN_IN_COOKIE, clear_cookie, set_cookie
from boligmonitor.web.auth.oidc import OidcClient, OidcError
from boligmonitor.web.auth.resume import KeptAnswers, kept_from_sign_in, resumer_for
from boligmonitor.web.auth.views import (
    NO_STORE,
    page_context,
    problem_text,
    redirect,
    render,
    safe_next,
    translator,
)
from boligmonitor.web.request_params import parse_integer

router = APIRouter(include_in_schema=False)

SignIn = Annotated[Principal, Depends(require(Action.SIGN_IN))]
OwnAccount = Annotated[Principal, Depends(require(Action.OWN_ACCOUNT))]
AuditReader = Annotated[Principal, Depends(require(Action.AUDIT_READ))]

AUDIT_PAGE_SIZE: Final = 100
AFTER_SIGN_IN: Final = "/konto"


# Signing in and out


@router.get("/logg-inn", name="auth.sign_in_form")
async def sign_in_form(request: Request, principal: SignIn) -> Response:
    return sign_in_page(request, principal, email="", next_path=safe_next(request.query_params.get("neste")))


@router.post("/logg-inn", name="auth.sign_in")
async def sign_in(request: Request, principal: SignIn) -> Response:
    t = translator(request)
    form = await request.form()
    email, password = str(form.get("email", "")).strip(), str(form.get("password", ""))
    kept = kept_from_sign_in(form)  # answers typed before her session expired, if the page carried any
    next_path = kept.path if kept is not None else safe_next(form.get("neste"))
    errors = {}
    if not email:
        errors["email"] = t("auth.error.email_required")
    if not password:
        errors["password"] = t("auth.error.password_required")
    if errors:
        return sign_in_page(
            request, principal, email=email, next_path=next_path, errors=errors, kept=kept, status_code=400
        )
    state = auth_state(request)
    outcome = await run_in_threadpool(
        state.accounts.sign_in,
        email,
        password,
        client_address=principal.client_address,
        replacing_token=principal.session_token,
    )
    if isinstance(outcome, Throttled):
        minutes = max(1, math.ceil(outcome.retry_after.total_seconds() / 60))
        return sign_in_page(
            request,
            principal,
            email=email,
            next_path=next_path,
            form_error=t(f"auth.error.throttled_{outcome.by}", minutes=minutes),
            kept=kept,
            status_code=429,
            headers={"Retry-After": str(math.ceil(outcome.retry_after.total_seconds()))},
        )
    if isinstance(outcome, SignInRefused):
        errors["password"] = t("auth.error.wrong_credentials")
        return sign_in_page(
            request, principal, email=email, next_path=next_path, errors=errors, kept=kept, status_code=400
        )
    if kept is not None and kept.account_id == outcome.account.id:
        resumed = await _resumed(request, principal, outcome, kept)
        if resumed is not None:
            return resumed
    return _signed_in(request, outcome, next_path)


async def _resumed(request: Request, before: Principal, issued: IssuedSession, kept: KeptAnswers) -> Response | None:
    """Her form drawn again with the answers she typed before her session expired (not saved), by the view that
    registered its page, as the account that has just signed in; with the new session's cookie."""
    found = resumer_for(kept.path)
    if found is None:
        return None
    resumer, where = found
    session, areas = await run_in_threadpool(_session_and_areas, auth_state(request).accounts, issued.token)
    if session is None:
        return None
    principal = Principal(
        account=session.account,
        session=session,
        session_token=issued.token,
        browser_token=before.browser_token,
        browser_token_is_new=False,
        region_areas=areas,
        client_address=before.client_address,
    )
    request.state.principal = principal
    response = await resumer(request, principal, kept, where)
    if response is None:
        return None
    settings = auth_state(request).settings
    response.headers["Cache-Control"] = NO_STORE
    set_cookie(
        response,
        request,
        settings,
        SESSION_COOKIE,
        issued.token,
        max_age=int(settings.session_policy.absolute.total_seconds()),
    )
    clear_cookie(response, request, settings, SIGN_IN_COOKIE)
    return response


@router.post("/logg-ut", name="auth.sign_out")
async def sign_out(request: Request, principal: OwnAccount) -> Response:
    state = auth_state(request)
    if principal.session_token is not None:
        await run_in_threadpool(
            state.accounts.sign_out, principal.session_token, client_address=principal.client_address
        )
    response = redirect(page_context(request).url("/"))
    clear_cookie(response, request, state.settings, SESSION_COOKIE)
    return response


# Invitations


@router.get("/invitasjon/{token}", name="auth.invitation_form")
async def invitation_form(request: Request, token: str, principal: SignIn) -> Response:
    invited = await run_in_threadpool(auth_state(request).accounts.invited_account, token)
    if invited is None:
        return _invalid_invitation(request, principal)
    return _invitation_page(request, principal, invited.email)


@router.post("/invitasjon/{token}", name="auth.accept_invitation")
async def accept_invitation(request: Request, token: str, principal: SignIn) -> Response:
    t = translator(request)
    accounts = auth_state(request).accounts
    invited = await run_in_threadpool(accounts.invited_account, token)
    if invited is None:
        return _invalid_invitation(request, principal)
    form = await request.form()
    password, repeated = str(form.get("password", "")), str(form.get("password_repeat", ""))
    errors = {}
    if not password:
        errors["password"] = t("auth.error.password_required")
    elif password != repeated:
        errors["password_repeat"] = t("auth.error.passwords_differ")
    if errors:
        return _invitation_page(request, principal, invited.email, errors=errors, status_code=400)
    try:
        issued = await run_in_threadpool(
            accounts.accept_invitation,
            token,
            password,
            client_address=principal.client_address,
            replacing_token=principal.session_token,
        )
    except AccountError as problem:
        if problem.field == "token":
            return _invalid_invitation(request, principal)
        errors[problem.field] = problem_text(problem, t)
        return _invitation_page(request, principal, invited.email, errors=errors, status_code=400)
    return _signed_in(request, issued, None)


# One's own account and the audit log


@router.get("/konto", name="auth.account")
async def account_page(request: Request, principal: OwnAccount) -> Response:
    t = translator(request)
    account = principal.account
    assert account is not None
    data = page_context(request).data
    region = data.regions.get(account.municipality_code) if account.municipality_code else None
    return render(
        request,
        principal,
        "account.html",
        t("auth.account.title"),
        account=account,
        municipality_name=region.name if region is not None else None,
        region_areas=sorted(principal.region_areas),
        may_read_audit=principal.may(Action.AUDIT_READ),
    )


@router.get("/admin/logg", name="auth.audit_log")
async def audit_log_page(request: Request, principal: AuditReader) -> Response:
    t = translator(request)
    raw_before = request.query_params.get("eldre_enn")
    before_id = (
        parse_integer(raw_before, "eldre_enn", 1, 2**62, t("auth.audit.older_than_expected")) if raw_before else None
    )
    entries = await run_in_threadpool(
        auth_state(request).accounts.audit_entries, limit=AUDIT_PAGE_SIZE + 1, before_id=before_id
    )
    older = entries[AUDIT_PAGE_SIZE - 1].id if len(entries) > AUDIT_PAGE_SIZE else None
    return render(
        request, principal, "audit_log.html", t("auth.audit.title"), entries=entries[:AUDIT_PAGE_SIZE], older=older
    )


# OpenID Connect


@router.get("/logg-inn/oidc", name="auth.oidc_start")
async def oidc_start(request: Request, principal: SignIn) -> Response:
    client = _oidc_client(request)
    if client is None:
        return _oidc_unavailable(request, principal)
    try:
        authorisation = await client.authorisation(_redirect_uri(request, client))
    except OidcError:
        return _oidc_failed(request, principal, 502)
    await run_in_threadpool(
        auth_state(request).accounts.begin_oidc_sign_in,
        state=authorisation.state,
        browser_token=principal.browser_token,
        nonce=authorisation.nonce,
        code_verifier=authorisation.code_verifier,
        next_path=safe_next(request.query_params.get("neste")) or "",
    )
    response = redirect(authorisation.url)
    principal.keep_browser_token(response, request, signed_in_too=True)
    return response


@router.get("/logg-inn/oidc/svar", name="auth.oidc_callback")
async def oidc_callback(request: Request, principal: SignIn) -> Response:
    client = _oidc_client(request)
    if client is None:
        return _oidc_unavailable(request, principal)
    state = auth_state(request)
    params = request.query_params
    returned_state = params.get("state")
    if principal.browser_token_is_new or not returned_state:  # no sign-in cookie: not the browser that started
        return _oidc_failed(request, principal, 400)
    pending = await run_in_threadpool(
        state.accounts.finish_oidc_sign_in, state=returned_state, browser_token=principal.browser_token
    )
    code = params.get("code")
    if pending is None or not code or params.get("error"):
        return _oidc_failed(request, principal, 400)
    try:
        claims = await client.verified_claims(_redirect_uri(request, client), code, pending)
    except OidcError:
        return _oidc_failed(request, principal, 400)
    email = client.email_of(claims)
    if email is None:
        return _oidc_failed(request, principal, 400)
    outcome = await run_in_threadpool(
        state.accounts.sign_in_verified,
        email,
        method="oidc",
        client_address=principal.client_address,
        replacing_token=principal.session_token,
    )
    if isinstance(outcome, SignInRefused):
        t = translator(request)
        return sign_in_page(
            request,
            principal,
            email="",
            next_path=safe_next(pending.next_path),
            form_error=t("auth.error.oidc_no_account", name=client.settings.name),
            status_code=403,
        )
    return _signed_in(request, outcome, safe_next(pending.next_path))


# Shared parts


def _signed_in(request: Request, issued: IssuedSession, next_path: str | None) -> Response:
    """Where a sign-in leads: the page she came for, or her account; the new session's cookie, the sign-in
    cookie gone."""
    settings = auth_state(request).settings
    response = redirect(next_path or page_context(request).url(AFTER_SIGN_IN))
    max_age = int(settings.session_policy.absolute.total_seconds())
    set_cookie(response, request, settings, SESSION_COOKIE, issued.token, max_age=max_age)
    clear_cookie(response, request, settings, SIGN_IN_COOKIE)
    return response


def sign_in_page(
    request: Request,
    principal: Principal,
    *,
    email: str,
    next_path: str | None,
    errors: dict[str, str] | None = None,
    form_error: str | None = None,
    notice: str | None = None,
    kept: KeptAnswers | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The sign-in page; ``kept`` answers (an expired session's form) ride along in hidden fields."""
    t = translator(request)
    client = _oidc_client(request)
    oidc_url = None
    if client is not None:
        oidc_url = page_context(request).url("/logg-inn/oidc", neste=next_path)
    return render(
        request,
        principal,
        "sign_in.html",
        t("auth.sign_in.title"),
        status_code=status_code,
        headers=headers,
        email=email,
        next_path=next_path or "",
        errors=errors or {},
        form_error=form_error,
        notice=notice,
        kept_fields=kept.hidden_fields() if kept is not None else [],
        oidc_url=oidc_url,
        oidc_name=client.settings.name if client is not None else None,
    )


def _invitation_page(
    request: Request,
    principal: Principal,
    email: str,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    t = translator(request)
    return render(
        request,
        principal,
        "invitation.html",
        t("auth.invitation.title"),
        status_code=status_code,
        email=email,
        errors=errors or {},
        minimum=MIN_PASSWORD_LENGTH,
    )


def _invalid_invitation(request: Request, principal: Principal) -> Response:
    t = translator(request)
    return render(
        request,
        principal,
        "message.html",
        t("auth.invitation.invalid_title"),
        status_code=404,
        message=t("auth.invitation.invalid"),
    )


def _oidc_client(request: Request) -> OidcClient | None:
    client = getattr(request.app.state, "auth_oidc", None)
    return client if isinstance(client, OidcClient) else None


def _redirect_uri(request: Request, client: OidcClient) -> str:
    return client.settings.redirect_uri or str(request.url_for("auth.oidc_callback"))


def _oidc_unavailable(request: Request, principal: Principal) -> Response:
    t = translator(request)
    return render(
        request, principal, "message.html", t("auth.oidc.title"), status_code=404, message=t("auth.oidc.unavailable")
    )


def _oidc_failed(request: Request, principal: Principal, status_code: int) -> Response:
    t = translator(request)
    return render(
        request,
        principal,
        "message.html",
        t("auth.oidc.title"),
        status_code=status_code,
        message=t("auth.oidc.failed"),
        link=page_context(request).url("/logg-inn"),
    )


__all__ = ["router", "sign_in_page"]
