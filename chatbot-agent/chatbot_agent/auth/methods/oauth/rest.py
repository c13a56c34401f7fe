"""Social sign-in's Better Auth routes: sign-in/social, link-social, list-accounts, unlink-account, and the provider's
way back, `GET /api/auth/callback/:id` (Better Auth's path, so OAuth apps registered for a Better Auth deployment keep
their redirect URI).

The callback always answers with a redirect into the web app: where the sign-in started from on success (with the
session cookie), or the sign-in page (the account page when linking; Better Auth's `errorCallbackURL` when one was
given) with the error's code. Never a 500 and never JSON: a failure we did not foresee (a database that is down) is
logged and lands on the sign-in page as `internal`."""

from __future__ import annotations

import logging
from typing import Any

from starlette.responses import Response

from ....api.rest import Rest, RestError, route
from ....api.rest.base import iso
from ....api.session import RequestSession
from ...core.errors import AuthFailure, Code
from ...core.records import SecondFactorRequired, SignedIn
from .service import INTERNAL, OAuthService, Started, state_cookie

log = logging.getLogger(__name__)

TWO_FACTOR_PAGE = "/two-factor"
PROVIDER_NOT_FOUND = RestError(404, "PROVIDER_NOT_FOUND", "Provider not found")


def _service(rest: Rest) -> OAuthService:
    service: OAuthService = rest.auth.oauth
    return service


def _redirect_answer(rest: Rest, started: Started, disable_redirect: bool | None) -> dict[str, Any]:
    rest.set_cookie(state_cookie(rest.cookie, started.max_age).set_header(started.state))
    if not disable_redirect:
        rest.headers["location"] = started.url
    return {"url": started.url, "redirect": not disable_redirect}


async def sign_in_social(rest: Rest) -> dict[str, Any]:
    """Better Auth's `signIn.social`: `{url, redirect}`. Its ID-token sign-in (a token the client got elsewhere) is
    not offered: every sign-in goes through the provider with PKCE and a browser-bound state."""
    provider = await rest.string("provider")
    if (await rest.body()).get("idToken") is not None:
        raise RestError(404, "ID_TOKEN_NOT_SUPPORTED", "id token not supported")
    callback = await rest.string("callbackURL", optional=True)
    error_to = await rest.string("errorCallbackURL", optional=True)
    new_user_to = await rest.string("newUserCallbackURL", optional=True)
    disable = await rest.boolean("disableRedirect")
    try:
        started = await _service(rest).begin(
            provider or "", callback, rest.client, error_to=error_to, new_user_to=new_user_to
        )
    except AuthFailure as failure:
        if failure.code is Code.INVALID_INPUT and failure.field == "provider":
            raise PROVIDER_NOT_FOUND from None
        raise
    return _redirect_answer(rest, started, disable)


async def link_social(rest: Rest) -> dict[str, Any]:
    """Better Auth's `linkSocial`: connect another provider to the signed-in user (who must come back with the same
    session cookie)."""
    provider = await rest.string("provider")
    callback = await rest.string("callbackURL", optional=True)
    error_to = await rest.string("errorCallbackURL", optional=True)
    disable = await rest.boolean("disableRedirect")
    principal = await rest.principal(cookie_only=True)
    if principal is None:
        raise RestError(401, "UNAUTHORIZED", "Unauthorized")
    try:
        started = await _service(rest).begin(
            provider or "", callback, rest.client, link_user=principal.user, error_to=error_to
        )
    except AuthFailure as failure:
        if failure.code is Code.INVALID_INPUT and failure.field == "provider":
            raise PROVIDER_NOT_FOUND from None
        raise
    return _redirect_answer(rest, started, disable)


async def list_accounts(rest: Rest) -> list[dict[str, Any]]:
    """Better Auth's account list: never the password or provider tokens; `scopes` as a list."""
    principal = await rest.signed_in()
    return [
        {
            "id": a.id,
            "providerId": a.provider_id,
            "accountId": a.account_id,
            "userId": a.user_id,
            "createdAt": iso(a.created_at),
            "updatedAt": iso(a.updated_at),
            "scopes": list(a.scopes),
        }
        for a in await _service(rest).accounts_of(principal)
    ]


async def unlink_account(rest: Rest) -> dict[str, Any]:
    """Better Auth 1.7: `{accountId}` is the account row's id (as list-accounts answers it). Never the last way in."""
    account_id = await rest.string("accountId")
    principal = await rest.signed_in()
    await _service(rest).unlink(principal, row_id=account_id or "")
    return {"status": True}


async def callback(rest: Rest) -> Response:
    provider_id = rest.params["id"]
    service = _service(rest)
    cookie = state_cookie(rest.cookie)
    headers = rest.headers
    try:
        params = {
            key: value
            for key, value in rest.request.query_params.items()
            if key in ("code", "state", "error", "error_description", "iss")
        }
        finished = await service.finish(
            provider_id,
            params,
            cookie.decode(rest.request.cookies.get(cookie.spec.name)),
            rest.client,
            principal=await rest.principal(cookie_only=True),
            replaces=rest.session_token,
            cookies=dict(rest.request.cookies),
        )
        location = finished.redirect
        if isinstance(finished.outcome, SignedIn):
            RequestSession.start_session(rest, finished.outcome)  # the cookie only: no token in a redirect's headers
        elif isinstance(finished.outcome, SecondFactorRequired):
            rest.set_pending_second_factor(finished.outcome)
            location = service.core.link(TWO_FACTOR_PAGE)
    except Exception:  # the browser must land somewhere sensible, never on an error page
        log.exception("social sign-in callback failed", extra={"provider": provider_id})
        del headers["set-cookie"]
        location = service.error_url(INTERNAL, provider_id)
    headers.append("set-cookie", cookie.clear_header())
    return Response(
        status_code=302,
        headers={"location": location, "cache-control": "no-store", "referrer-policy": "no-referrer"},
    )


ROUTES = [
    route("POST", "/sign-in/social", sign_in_social),
    route("POST", "/link-social", link_social),
    route("GET", "/list-accounts", list_accounts),
    route(
        "POST",
        "/unlink-account",
        unlink_account,
        LAST_SIGN_IN_METHOD=(400, "FAILED_TO_UNLINK_LAST_ACCOUNT"),
        INVALID_INPUT=(400, "ACCOUNT_NOT_FOUND"),
    ),
    route("GET", "/callback/:id", callback),
]
