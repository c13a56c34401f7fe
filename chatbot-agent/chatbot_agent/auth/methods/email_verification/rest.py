"""The email-verification method's Better Auth routes: send-verification-email and the mailed link, verify-email."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.responses import Response

from ....api.rest import Rest, RestError, route, user_json, with_query
from ...core.errors import AuthFailure, Code
from .service import LinkFor

# What a failed link tells the page it lands on (`?error=`), as Better Auth names it.
LINK_ERRORS = {Code.INVALID_OR_EXPIRED_TOKEN: "INVALID_TOKEN", Code.EMAIL_TAKEN: "USER_ALREADY_EXISTS"}


def api_link(rest: Rest, callback: str | None) -> LinkFor | None:
    """With a `callbackURL`, the mail carries Better Auth's link, `<PUBLIC_URL>/api/auth/verify-email?token=…
    &callbackURL=…` (GET verify-email, then the callback); without one, the web app's /verify-email page."""
    if not callback:
        return None
    base = rest.settings.public_url.rstrip("/")
    return lambda token: f"{base}/api/auth/verify-email?token={token}&callbackURL={quote(callback, safe='')}"


async def send_verification_email(rest: Rest) -> dict[str, Any]:
    """Signed out: the same answer whether or not `email` is an account's (unverified) address. Signed in: only
    for the caller's own, unverified address."""
    email = await rest.string("email") or ""
    callback = await rest.string("callbackURL", optional=True)
    service = rest.auth.email_verification
    if service.mode == "off":
        raise RestError(400, "VERIFICATION_EMAIL_NOT_ENABLED", "Verification email isn't enabled")
    principal = await rest.principal()
    if principal is None:
        await service.send_verification_email_to(email, rest.client, link_for=api_link(rest, callback))
        return {"status": True}
    if principal.user.email.lower() != email.strip().lower():
        raise RestError(400, "EMAIL_MISMATCH", "Email mismatch")
    if principal.user.email_verified:
        raise RestError(400, "EMAIL_ALREADY_VERIFIED", "Email is already verified")
    await service.send_verification_email(principal, rest.client, link_for=api_link(rest, callback))
    return {"status": True}


async def verify_email(rest: Rest) -> dict[str, Any] | Response:
    """The mailed link. With `callbackURL`: there, or there with `?error=INVALID_TOKEN`; without: JSON (the user once
    an email change is complete, else null) or 401 INVALID_TOKEN."""
    token = rest.query("token") or ""
    callback = rest.trusted(rest.query("callbackURL", optional=True))
    try:
        verified = await rest.auth.email_verification.verify_email(
            token, rest.client, link_for=api_link(rest, callback)
        )
    except AuthFailure as failure:
        if callback and failure.code in LINK_ERRORS:
            return rest.redirect(with_query(callback, error=LINK_ERRORS[failure.code]))
        raise
    if callback:
        return rest.redirect(callback)
    return {"status": True, "user": user_json(verified.user) if verified.kind == "changed" else None}


ROUTES = [
    route("POST", "/send-verification-email", send_verification_email),
    route("GET", "/verify-email", verify_email, INVALID_OR_EXPIRED_TOKEN=(401, "INVALID_TOKEN")),
]
