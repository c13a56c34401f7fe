"""The password method's Better Auth routes: sign-up/email, sign-in/email, change-password, the reset by mail."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from ....api.rest import Rest, RestError, route, user_json, with_query


async def sign_up(rest: Rest) -> dict[str, Any]:
    """Better Auth's clients send `name`; firstName/lastName (its additional fields) when the app declares them.
    Without them the service splits `name` as the migration from Better Auth does."""
    name = await rest.string("name")
    email, password = await rest.string("email"), await rest.string("password")
    first, last = await rest.string("firstName", optional=True), await rest.string("lastName", optional=True)
    remember = await rest.boolean("rememberMe") is not False
    split = first is None and last is None
    outcome = await rest.auth.password.sign_up(
        first, last, email, password, rest.client, name=name if split else None, cookies=rest.request.cookies
    )
    return {"token": rest.finish_sign_in(outcome, remember=remember), "user": user_json(outcome.user)}


async def sign_in(rest: Rest) -> dict[str, Any]:
    email, password = await rest.string("email"), await rest.string("password")
    callback = await rest.string("callbackURL", optional=True)
    remember = await rest.boolean("rememberMe") is not False
    outcome = await rest.auth.password.sign_in(
        email, password, rest.client, replaces=rest.session_token, cookies=rest.request.cookies
    )
    token = rest.finish_sign_in(outcome, remember=remember)
    if token is None:  # a second factor is pending: no session yet
        return rest.second_factor_answer(outcome)
    answer = {"redirect": bool(callback), "token": token}
    if callback:
        rest.headers["location"] = callback
        answer["url"] = callback
    return {**answer, "user": user_json(outcome.user)}


async def change_password(rest: Rest) -> dict[str, Any]:
    """Every other session is revoked whatever `revokeOtherSessions` says; with it, the caller's session is replaced
    by a new one too (a new cookie and token), as Better Auth does."""
    new, current = await rest.string("newPassword"), await rest.string("currentPassword")
    rotate = await rest.boolean("revokeOtherSessions")
    principal = await rest.signed_in()
    await rest.auth.password.change_password(principal, current, new, rest.client)
    token = None
    if rotate:
        signed_in = await rest.auth.core.sessions.open(principal.user, rest.client, replaces=principal.session_token)
        rest.start_session(signed_in)
        token = signed_in.session_token
    return {"token": token, "user": user_json(principal.user)}


async def request_password_reset(rest: Rest) -> dict[str, Any]:
    """With `redirectTo` the mail carries Better Auth's link, `<PUBLIC_URL>/api/auth/reset-password/<token>
    ?callbackURL=<redirectTo>`, which lands on that page with `?token=`; without it, our web app's reset page."""
    email = await rest.string("email")
    redirect_to = rest.trusted(await rest.string("redirectTo", optional=True), "redirectTo")
    link_for = None
    if redirect_to:
        base = rest.settings.public_url.rstrip("/")
        link_for = lambda token: f"{base}/api/auth/reset-password/{token}?callbackURL={quote(redirect_to, safe='')}"
    message = await rest.auth.password.request_password_reset(email, rest.client, link_for=link_for)
    return {"status": True, "message": message}


async def reset_link(rest: Rest) -> Response:
    """The mailed link: to `callbackURL?token=<token>` while the token is good, else `callbackURL?error=INVALID_TOKEN`.
    The token is only looked at here; the reset itself (POST /reset-password) consumes it."""
    callback = rest.trusted(rest.query("callbackURL"))
    token = rest.params["token"]
    if not callback:
        return rest.redirect(
            with_query(f"{rest.settings.public_url.rstrip('/')}/api/auth/error", error="INVALID_TOKEN")
        )
    if not await rest.auth.password.reset_token_is_valid(token, rest.client):
        return rest.redirect(with_query(rest.absolute(callback), error="INVALID_TOKEN"))
    return rest.redirect(with_query(rest.absolute(callback), token=token))


async def reset_password(rest: Rest) -> dict[str, Any]:
    new = await rest.string("newPassword")
    token = await rest.string("token", optional=True) or rest.query("token", optional=True)
    if not token:
        raise RestError(400, "INVALID_TOKEN", "Invalid token")
    await rest.auth.password.reset_password(token, new, rest.client)
    return {"status": True}


ROUTES = [
    route("POST", "/sign-up/email", sign_up),
    route("POST", "/sign-in/email", sign_in, INVALID_INPUT=(400, "INVALID_EMAIL")),
    route("POST", "/change-password", change_password, INVALID_CREDENTIALS=(400, "INVALID_PASSWORD")),
    route("POST", "/request-password-reset", request_password_reset),
    route("POST", "/forget-password", request_password_reset),  # its name before Better Auth 1.4; older clients
    route("GET", "/reset-password/:token", reset_link),
    route("POST", "/reset-password", reset_password),
]
