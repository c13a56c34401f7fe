"""The two-factor method's Better Auth routes (its twoFactor plugin): /two-factor/enable, disable, get-totp-uri,
verify-totp, verify-backup-code, generate-backup-codes. Email OTP (send-otp, verify-otp) is not offered.

As in Better Auth, verify-totp does two jobs: with a pending sign-in's cookie it finishes the sign-in; from a signed-in
session whose setup is not confirmed yet, it turns two-factor on."""

from __future__ import annotations

from typing import Any

from ....api.rest import Rest, route, user_json
from .service import TRUST_TTL, TwoFactorService


async def _text(rest: Rest, key: str) -> str:
    """A required string of the body (Better Auth's VALIDATION_ERROR when it is absent)."""
    return await rest.string(key) or ""


def _service(rest: Rest) -> TwoFactorService:
    service: TwoFactorService = rest.auth.two_factor
    return service


async def enable(rest: Rest) -> dict[str, Any]:
    password = await _text(rest, "password")
    setup = await _service(rest).enable(await rest.signed_in(), password)
    return {"totpURI": setup.totp_uri, "backupCodes": setup.backup_codes}


async def disable(rest: Rest) -> dict[str, Any]:
    password = await _text(rest, "password")
    await _service(rest).disable(await rest.signed_in(), password, rest.client)
    rest.set_cookie(_service(rest).trust_cookie.clear_header())
    return {"status": True}


async def get_totp_uri(rest: Rest) -> dict[str, Any]:
    password = await _text(rest, "password")
    return {"totpURI": await _service(rest).totp_uri(await rest.signed_in(), password)}


async def generate_backup_codes(rest: Rest) -> dict[str, Any]:
    password = await _text(rest, "password")
    codes = await _service(rest).regenerate_backup_codes(await rest.signed_in(), password)
    return {"status": True, "backupCodes": codes}


async def _verify(rest: Rest, only: str) -> dict[str, Any]:
    code = await _text(rest, "code")
    trust = await rest.boolean("trustDevice") is True
    service = _service(rest)
    challenge = rest.pending_second_factor
    if challenge is None and only == "totp" and (principal := await rest.principal()) is not None:
        user = await service.confirm(principal, code, rest.client)  # the setup's first code
        return {"token": principal.session_token, "user": user_json(user)}
    done = await service.verify(
        challenge, code, rest.client, trust_device=trust, replaces=rest.session_token, only=only
    )
    rest.clear_pending_second_factor()
    rest.start_session(done.signed_in)
    if done.trust_token:
        rest.set_cookie(service.trust_cookie.set_header(done.trust_token, TRUST_TTL))
    return {"token": done.signed_in.session_token, "user": user_json(done.signed_in.user)}


async def verify_totp(rest: Rest) -> dict[str, Any]:
    return await _verify(rest, "totp")


async def verify_backup_code(rest: Rest) -> dict[str, Any]:
    return await _verify(rest, "backup-code")


WRONG_PASSWORD = {"INVALID_CREDENTIALS": (400, "INVALID_PASSWORD")}
WRONG_CODE = {
    "INVALID_CREDENTIALS": (401, "INVALID_CODE"),
    "INVALID_OR_EXPIRED_TOKEN": (401, "INVALID_TWO_FACTOR_COOKIE"),
}

ROUTES = [
    route("POST", "/two-factor/enable", enable, **WRONG_PASSWORD),
    route("POST", "/two-factor/disable", disable, **WRONG_PASSWORD),
    route("POST", "/two-factor/get-totp-uri", get_totp_uri, **WRONG_PASSWORD),
    route("POST", "/two-factor/generate-backup-codes", generate_backup_codes, **WRONG_PASSWORD),
    route("POST", "/two-factor/verify-totp", verify_totp, **WRONG_CODE),
    route(
        "POST",
        "/two-factor/verify-backup-code",
        verify_backup_code,
        INVALID_CREDENTIALS=(401, "INVALID_BACKUP_CODE"),
        INVALID_OR_EXPIRED_TOKEN=(401, "INVALID_TWO_FACTOR_COOKIE"),
    ),
]
