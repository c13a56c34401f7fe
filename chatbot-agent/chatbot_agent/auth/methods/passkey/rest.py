"""The passkey method's Better Auth routes (@better-auth/passkey 1.7), so `authClient.passkey.addPasskey()`,
`authClient.signIn.passkey()` and the passkey list of Better Auth's clients work against this server.

Differences from the plugin, each on purpose: the challenge is found through the signed client data (it is a
verification token), not through the plugin's `better-auth-passkey` cookie, so no cookie is set; a verification that
fails answers 400 FAILED_TO_VERIFY_REGISTRATION (the plugin: 500); an unknown passkey and a bad signature answer
alike, 401 AUTHENTICATION_FAILED (the plugin tells them apart); a passkey that did not verify its user, for a user
with two-factor on, answers the two-factor plugin's `twoFactorRedirect` instead of a session."""

from __future__ import annotations

from typing import Any

from ....api.rest import Rest, RestError, route
from ....api.rest.base import iso, session_json
from ...core.records import SecondFactorRequired
from .service import Passkey, PasskeyService

ATTACHMENTS = ("platform", "cross-platform")


def passkey_json(passkey: Passkey) -> dict[str, Any]:
    """The plugin's passkey object (a row of its table)."""
    return {
        "id": passkey.id,
        "name": passkey.name,
        "publicKey": passkey.public_key,
        "userId": passkey.user_id,
        "credentialID": passkey.credential_id,
        "counter": passkey.counter,
        "deviceType": passkey.device_type,
        "backedUp": passkey.backed_up,
        "transports": ",".join(passkey.transports) or None,
        "createdAt": iso(passkey.created_at),
        "aaguid": passkey.aaguid,
    }


def _service(rest: Rest) -> PasskeyService:
    service: PasskeyService = rest.auth.passkey
    return service


async def _response(rest: Rest) -> Any:
    body = await rest.body()
    if not isinstance(body.get("response"), dict):
        raise RestError(400, "VALIDATION_ERROR", "[body.response] Invalid input: expected object")
    return body["response"]


async def generate_register_options(rest: Rest) -> dict[str, Any]:
    principal = await rest.signed_in()
    attachment = rest.query("authenticatorAttachment", optional=True)
    if attachment is not None and attachment not in ATTACHMENTS:
        raise RestError(
            400, "VALIDATION_ERROR", '[query.authenticatorAttachment] expected "platform" | "cross-platform"'
        )
    return await _service(rest).registration_options(
        principal,
        rest.client,
        attachment="platform" if attachment == "platform" else "cross-platform" if attachment else None,
        user_name=rest.query("name", optional=True),
    )


async def verify_registration(rest: Rest) -> dict[str, Any]:
    principal = await rest.signed_in()
    response = await _response(rest)
    name = await rest.string("name", optional=True)
    return passkey_json(await _service(rest).register(principal, response, name, rest.client))


async def generate_authenticate_options(rest: Rest) -> dict[str, Any]:
    return await _service(rest).sign_in_options(rest.client, await rest.principal())


async def verify_authentication(rest: Rest) -> dict[str, Any]:
    response = await _response(rest)
    outcome = await _service(rest).sign_in(
        response, rest.client, replaces=rest.session_token, cookies=rest.request.cookies
    )
    if isinstance(outcome, SecondFactorRequired):  # no user verification, and two-factor is on: the code step
        rest.finish_sign_in(outcome)
        return rest.second_factor_answer(outcome)
    token = rest.finish_sign_in(outcome) or outcome.session_token
    sessions = await rest.auth.core.sessions.of_user(outcome.user.id)
    session = next(s for s in sessions if s.id == outcome.session_id)
    return {"session": session_json(session, token)}


async def list_user_passkeys(rest: Rest) -> list[dict[str, Any]]:
    principal = await rest.signed_in()
    return [passkey_json(p) for p in await _service(rest).list(principal)]


async def delete_passkey(rest: Rest) -> dict[str, Any]:
    passkey_id = await rest.string("id")
    principal = await rest.signed_in()
    await _service(rest).delete(principal, passkey_id or "", rest.client)
    return {"status": True}


async def update_passkey(rest: Rest) -> dict[str, Any]:
    passkey_id, name = await rest.string("id"), await rest.string("name")
    principal = await rest.signed_in()
    return {"passkey": passkey_json(await _service(rest).rename(principal, passkey_id or "", name or "", rest.client))}


CHALLENGE = {"INVALID_OR_EXPIRED_TOKEN": (400, "CHALLENGE_NOT_FOUND")}
ROUTES = [
    route("GET", "/passkey/generate-register-options", generate_register_options),
    route(
        "POST",
        "/passkey/verify-registration",
        verify_registration,
        INVALID_INPUT=(400, "FAILED_TO_VERIFY_REGISTRATION"),
        **CHALLENGE,
    ),
    route("GET", "/passkey/generate-authenticate-options", generate_authenticate_options),
    route(
        "POST",
        "/passkey/verify-authentication",
        verify_authentication,
        INVALID_INPUT=(400, "AUTHENTICATION_FAILED"),
        INVALID_CREDENTIALS=(401, "AUTHENTICATION_FAILED"),
        **CHALLENGE,
    ),
    route("GET", "/passkey/list-user-passkeys", list_user_passkeys),
    route("POST", "/passkey/delete-passkey", delete_passkey, INVALID_INPUT=(404, "PASSKEY_NOT_FOUND")),
    route("POST", "/passkey/update-passkey", update_passkey),
]
