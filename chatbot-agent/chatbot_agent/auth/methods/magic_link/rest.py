"""The magic-link method's Better Auth routes (its magicLink plugin): POST /sign-in/magic-link mails
`<PUBLIC_URL>/api/auth/magic-link/verify?token=…&callbackURL=…`, and GET /magic-link/verify signs in with it.

Deliberate differences: an unknown email gets no account (Better Auth signs one up unless `disableSignUp`), and a
user with two-factor on is not signed in by the link alone: the pending sign-in's cookie is set and the browser goes
to the web app's two-factor page (`<FRONTEND_URL>/two-factor`, with `next` when the callback is a path)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from ....api.rest import Rest, route, user_json, with_query
from ...core.errors import AuthFailure
from ...core.records import SecondFactorRequired
from .service import MagicLinkService


async def _text(rest: Rest, key: str) -> str:
    """A required string of the body (Better Auth's VALIDATION_ERROR when it is absent)."""
    return await rest.string(key) or ""


def _service(rest: Rest) -> MagicLinkService:
    service: MagicLinkService = rest.auth.magic_link
    return service


async def send(rest: Rest) -> dict[str, Any]:
    email = await _text(rest, "email")
    callbacks = {
        key: rest.trusted(await rest.string(key, optional=True), key)
        for key in ("callbackURL", "errorCallbackURL", "newUserCallbackURL")
    }
    base = rest.settings.public_url.rstrip("/")

    def link_for(token: str) -> str:
        query = f"token={token}"
        for key in ("callbackURL", "errorCallbackURL"):
            if callbacks[key]:
                query += f"&{key}={quote(callbacks[key] or '', safe='')}"
        return f"{base}/api/auth/magic-link/verify?{query}"

    await _service(rest).request(email, None, rest.client, link_for=link_for)
    return {"status": True}


async def verify(rest: Rest) -> Response | dict[str, Any]:
    token = rest.query("token")
    callback = rest.trusted(rest.query("callbackURL", optional=True))
    failed = rest.trusted(rest.query("errorCallbackURL", optional=True), "errorCallbackURL") or callback
    try:
        outcome = await _service(rest).sign_in(
            token or "", rest.client, replaces=rest.session_token, cookies=rest.request.cookies
        )
    except AuthFailure:
        if failed:  # Better Auth's redirect with the error, for the browser that opened the mailed link
            return rest.redirect(with_query(rest.absolute(failed), error="INVALID_TOKEN"))
        raise
    token_out = rest.finish_sign_in(outcome)
    if isinstance(outcome, SecondFactorRequired):
        if callback is None:
            return rest.second_factor_answer(outcome)
        page = rest.auth.core.link("/two-factor", **({"next": callback} if callback.startswith("/") else {}))
        return rest.redirect(page)
    if callback:
        return rest.redirect(rest.absolute(callback))
    return {"token": token_out, "user": user_json(outcome.user)}


ROUTES = [
    route("POST", "/sign-in/magic-link", send, INVALID_INPUT=(400, "INVALID_EMAIL")),
    route("GET", "/magic-link/verify", verify),
]
