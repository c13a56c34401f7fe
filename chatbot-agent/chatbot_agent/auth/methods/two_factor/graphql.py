"""The two-factor method's GraphQL fields: setup (enable, confirm), backup codes, turning it off, and the second
step of a sign-in (`verifyTwoFactor`)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from ....api.graphql.results import as_data, ctx_of, require, success_of, user_of
from ....api.graphql.types import AuthError, AuthResult, User
from .service import TRUST_TTL, TwoFactorService


@strawberry.type(
    description="Two-factor setup, shown once: scan `totpUri` (or type `secret`) into an authenticator "
    "app, save the backup codes, then `confirmTwoFactor` with a code from the app."
)
class TwoFactorSetup:
    totp_uri: str = strawberry.field(description="otpauth://totp/… URI, for the QR code.")
    secret: str = strawberry.field(description="The same secret in base32, for typing in by hand.")
    backup_codes: list[str] = strawberry.field(description="Ten one-time codes; only their hashes are kept.")


@strawberry.type(description="Two-factor was turned on or off.")
class TwoFactorStatus:
    message: str
    user: User


@strawberry.type(description="New backup codes, shown once; the old ones no longer work.")
class BackupCodes:
    backup_codes: list[str]


EnableTwoFactorResult = Annotated[TwoFactorSetup | AuthError, strawberry.union("EnableTwoFactorResult")]
TwoFactorStatusResult = Annotated[TwoFactorStatus | AuthError, strawberry.union("TwoFactorStatusResult")]
BackupCodesResult = Annotated[BackupCodes | AuthError, strawberry.union("BackupCodesResult")]


@strawberry.input
class EnableTwoFactorInput:
    password: str


@strawberry.input
class ConfirmTwoFactorInput:
    code: str


@strawberry.input
class DisableTwoFactorInput:
    password: str


@strawberry.input
class RegenerateBackupCodesInput:
    password: str


@strawberry.input
class VerifyTwoFactorInput:
    code: str = strawberry.field(description="A 6-digit code from the authenticator app, or a backup code.")
    trust_device: bool = strawberry.field(default=False, description="Skip the code on this browser for 30 days.")


def _service(info: Info) -> TwoFactorService:
    service: TwoFactorService = ctx_of(info).auth.two_factor
    return service


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Start turning on two-factor (needs the password). Nothing changes until "
        "`confirmTwoFactor` succeeds."
    )
    @as_data
    async def enable_two_factor(self, info: Info, input: EnableTwoFactorInput) -> EnableTwoFactorResult:
        setup = await _service(info).enable(await require(ctx_of(info)), input.password)
        return TwoFactorSetup(totp_uri=setup.totp_uri, secret=setup.secret, backup_codes=setup.backup_codes)

    @strawberry.mutation(description="Turn two-factor on with a first code from the authenticator app.")
    @as_data
    async def confirm_two_factor(self, info: Info, input: ConfirmTwoFactorInput) -> TwoFactorStatusResult:
        ctx = ctx_of(info)
        user = await _service(info).confirm(await require(ctx), input.code, ctx.client)
        return TwoFactorStatus(message="Two-factor authentication is on.", user=user_of(user))

    @strawberry.mutation(description="Turn two-factor off (needs the password); trusted devices are forgotten.")
    @as_data
    async def disable_two_factor(self, info: Info, input: DisableTwoFactorInput) -> TwoFactorStatusResult:
        ctx = ctx_of(info)
        user = await _service(info).disable(await require(ctx), input.password, ctx.client)
        ctx.set_cookie(_service(info).trust_cookie.clear_header())
        return TwoFactorStatus(message="Two-factor authentication is off.", user=user_of(user))

    @strawberry.mutation(description="Replace the backup codes (needs the password); the old ones stop working.")
    @as_data
    async def regenerate_backup_codes(self, info: Info, input: RegenerateBackupCodesInput) -> BackupCodesResult:
        codes = await _service(info).regenerate_backup_codes(await require(ctx_of(info)), input.password)
        return BackupCodes(backup_codes=codes)

    @strawberry.mutation(
        description="The second step of a sign-in that answered `TwoFactorRequired`: a TOTP or "
        "backup code, from the browser that holds the pending sign-in's cookie."
    )
    @as_data
    async def verify_two_factor(self, info: Info, input: VerifyTwoFactorInput) -> AuthResult:
        ctx = ctx_of(info)
        service = _service(info)
        done = await service.verify(
            ctx.pending_second_factor,
            input.code,
            ctx.client,
            trust_device=input.trust_device,
            replaces=ctx.session_token,
        )
        ctx.clear_pending_second_factor()
        ctx.start_session(done.signed_in)
        if done.trust_token:
            ctx.set_cookie(service.trust_cookie.set_header(done.trust_token, TRUST_TTL))
        return success_of(done.signed_in)
