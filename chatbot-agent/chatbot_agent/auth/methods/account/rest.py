"""The account method's Better Auth routes: update-user, change-email, delete-user."""

from __future__ import annotations

from typing import Any

from ....api.rest import Rest, RestError, route
from ...core.errors import AuthFailure, Code
from ..email_verification.rest import api_link
from .service import UNSET, Unset


async def update_user(rest: Rest) -> dict[str, Any]:
    """Better Auth's clients send `name` (split as at sign-up) and `image`; firstName/lastName (its additional
    fields) are taken as they are. The address is changed with change-email only."""
    principal = await rest.signed_in()
    body = await rest.body()
    if body.get("email"):
        raise RestError(400, "EMAIL_CAN_NOT_BE_UPDATED", "Email can not be updated")
    name = await rest.string("name", optional=True)
    first, last = await rest.string("firstName", optional=True), await rest.string("lastName", optional=True)
    image: str | Unset | None = UNSET
    if "image" in body:
        image = await rest.string("image", optional=True)
    if name is None and first is None and last is None and isinstance(image, Unset):
        raise RestError(400, None, "No fields to update")
    split = name if first is None and last is None else None
    await rest.auth.account.update_profile(principal, first, last, rest.client, name=split, image=image)
    if principal.session_token:  # Better Auth sets the session cookie (and set-auth-token) again after the change
        rest.set_cookie(rest.cookie.set_header(principal.session_token, persistent=rest.remembered))
        rest.expose_token(principal.session_token)
    return {"status": True}


async def change_email(rest: Rest) -> dict[str, Any]:
    """Better Auth's clients send no password: the current address then confirms the change first. With `password`
    (ours) the link goes straight to the new address. A taken address is answered like a free one (nothing is
    mailed), as Better Auth does."""
    principal = await rest.signed_in()
    new_email = await rest.string("newEmail") or ""
    password = await rest.string("password", optional=True)
    callback = await rest.string("callbackURL", optional=True)
    if new_email.strip().lower() == principal.user.email.lower():
        raise RestError(400, None, "Email is the same")
    try:
        await rest.auth.account.change_email(principal, new_email, password, link_for=api_link(rest, callback))
    except AuthFailure as failure:
        if failure.code is not Code.EMAIL_TAKEN:
            raise
    return {"status": True}


async def delete_user(rest: Rest) -> dict[str, Any]:
    """With the password (or the mailed link's token): deleted, signed out. An account without a password gets the
    link by mail. Without the password an account that has one is asked to re-authenticate (SESSION_EXPIRED)."""
    principal = await rest.signed_in()
    password = await rest.string("password", optional=True)
    token = await rest.string("token", optional=True)
    await rest.string("callbackURL", optional=True)
    done = await rest.auth.account.delete_account(principal, rest.client, password=password or None, token=token)
    if not done.deleted:
        return {"success": True, "message": "Verification email sent"}
    rest.end_session()
    return {"success": True, "message": "User deleted"}


ROUTES = [
    route("POST", "/update-user", update_user),
    route("POST", "/change-email", change_email, INVALID_CREDENTIALS=(400, "INVALID_PASSWORD")),
    route(
        "POST",
        "/delete-user",
        delete_user,
        INVALID_CREDENTIALS=(400, "INVALID_PASSWORD"),
        INVALID_OR_EXPIRED_TOKEN=(404, "INVALID_TOKEN"),
        INVALID_INPUT=(400, "SESSION_EXPIRED"),
    ),
]
