"""The provider's way back: `GET /api/auth/callback/{provider}`, Better Auth's path, so OAuth apps registered for a
Better Auth deployment keep their redirect URI.

It always answers with a redirect into the web app: the page the sign-in started from on success (with the session
cookie), or the sign-in page (the account page when linking) with `?oauth_error=<code>`. Never a 500: a failure we did
not foresee (a database that is down) is logged and lands on the sign-in page as `internal`."""

from __future__ import annotations

import logging
from dataclasses import replace

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ....api.session import RequestSession, client_of
from ...core.cookies import SessionCookie
from ...core.records import SecondFactorRequired, SignedIn
from .service import CALLBACK_PATH, INTERNAL, STATE_TTL_SECONDS

log = logging.getLogger(__name__)

STATE_COOKIE = "oauth_state"
TWO_FACTOR_PAGE = "/two-factor"


def state_cookie(cookie: SessionCookie, max_age: int = STATE_TTL_SECONDS) -> SessionCookie:
    """The signed, HttpOnly, SameSite=Lax cookie that binds an attempt to the browser that started it. Lax: the
    provider's redirect back is a top-level GET navigation, which carries it; its path is the callback's only."""
    sibling = cookie.sibling(STATE_COOKIE, max_age)
    sibling.spec = replace(sibling.spec, path=CALLBACK_PATH.rstrip("/"))
    return sibling


async def callback(request: Request) -> Response:
    app_state = request.app.state.auth
    provider_id = request.path_params["provider"]
    headers = MutableHeaders()
    session = RequestSession(
        request, headers, app_state.auth, app_state.cookie, client_of(request, app_state.settings.trusted_proxy_count)
    )
    service = app_state.auth.oauth
    cookie = state_cookie(app_state.cookie)
    try:
        params = {
            k: v for k, v in request.query_params.items() if k in ("code", "state", "error", "error_description", "iss")
        }
        finished = await service.finish(
            provider_id,
            params,
            cookie.decode(request.cookies.get(cookie.spec.name)),
            session.client,
            principal=await session.principal(cookie_only=True),
            replaces=session.session_token,
            cookies=dict(request.cookies),
        )
        location = finished.redirect
        if isinstance(finished.outcome, SignedIn):
            session.start_session(finished.outcome)
        elif isinstance(finished.outcome, SecondFactorRequired):
            session.set_pending_second_factor(finished.outcome)
            location = service.core.link(TWO_FACTOR_PAGE)
    except Exception:
        log.exception("social sign-in callback failed", extra={"provider": provider_id})
        headers = MutableHeaders()
        location = service.error_url(INTERNAL, provider_id)
    response = Response(
        status_code=302, headers={"location": location, "cache-control": "no-store", "referrer-policy": "no-referrer"}
    )
    response.headers.append("set-cookie", cookie.clear_header())
    for value in headers.getlist("set-cookie"):
        response.headers.append("set-cookie", value)
    return response


ROUTES = [Route(CALLBACK_PATH + "{provider}", callback, methods=["GET"])]
