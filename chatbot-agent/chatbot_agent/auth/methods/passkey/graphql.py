"""The passkey method's GraphQL fields: registration and sign-in options, registering, listing, renaming and
deleting passkeys, and signing in with one. WebAuthn's options and responses travel as JSON values, in the shapes
the browser's `PublicKeyCredential*JSON` types (and @simplewebauthn/browser) use."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from ....api.graphql.results import as_data, ctx_of, finish_sign_in, require
from ....api.graphql.types import AuthError, AuthResult
from .service import Passkey as PasskeyRecord
from .service import PasskeyService


@strawberry.type(description="A passkey on the account. Its public key never leaves the server.")
class Passkey:
    id: strawberry.ID
    name: str | None
    created_at: datetime | None
    device_type: str = strawberry.field(description="`singleDevice`, or `multiDevice` when it can be synced.")
    backed_up: bool = strawberry.field(description="Synced (e.g. by a password manager) at its last use.")
    transports: list[str] = strawberry.field(description='How the browser reaches it: "internal", "hybrid", "usb" …')


@strawberry.type(
    description="Options for the browser's WebAuthn call (`PublicKeyCredentialCreationOptionsJSON` or "
    "`PublicKeyCredentialRequestOptionsJSON`); the challenge works once, for 5 minutes."
)
class PasskeyOptions:
    options: JSON


@strawberry.type
class PasskeySuccess:
    passkey: Passkey


@strawberry.type
class DeletePasskeySuccess:
    id: strawberry.ID


PasskeyOptionsResult = Annotated[PasskeyOptions | AuthError, strawberry.union("PasskeyOptionsResult")]
PasskeyResult = Annotated[PasskeySuccess | AuthError, strawberry.union("PasskeyResult")]
DeletePasskeyResult = Annotated[DeletePasskeySuccess | AuthError, strawberry.union("DeletePasskeyResult")]


@strawberry.input
class RegisterPasskeyInput:
    response: JSON = strawberry.field(description="The browser's `RegistrationResponseJSON`.")
    name: str | None = strawberry.field(default=None, description="A name to tell it apart, at most 64 characters.")


@strawberry.input
class RenamePasskeyInput:
    id: strawberry.ID
    name: str


@strawberry.input
class SignInWithPasskeyInput:
    response: JSON = strawberry.field(description="The browser's `AuthenticationResponseJSON`.")


def passkey_of(record: PasskeyRecord) -> Passkey:
    return Passkey(
        id=strawberry.ID(record.id),
        name=record.name,
        created_at=record.created_at,
        device_type=record.device_type,
        backed_up=record.backed_up,
        transports=list(record.transports),
    )


def _service(info: Info) -> PasskeyService:
    service: PasskeyService = ctx_of(info).auth.passkey
    return service


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user's passkeys, newest first. Empty when signed out.")
    async def my_passkeys(self, info: Info) -> list[Passkey]:
        principal = await ctx_of(info).principal()
        if principal is None:
            return []
        return [passkey_of(p) for p in await _service(info).list(principal)]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Start adding a passkey to my account: options for `navigator.credentials."
        "create()`. Then `registerPasskey` with the browser's answer."
    )
    @as_data
    async def passkey_registration_options(self, info: Info) -> PasskeyOptionsResult:
        ctx = ctx_of(info)
        principal = await require(ctx)
        options = await _service(info).registration_options(principal, ctx.client)
        return PasskeyOptions(options=cast(JSON, options))

    @strawberry.mutation(
        description="Add the passkey the browser just created (the answer to `passkeyRegistrationOptions`)."
    )
    @as_data
    async def register_passkey(self, info: Info, input: RegisterPasskeyInput) -> PasskeyResult:
        ctx = ctx_of(info)
        principal = await require(ctx)
        record = await _service(info).register(principal, input.response, input.name, ctx.client)
        return PasskeySuccess(passkey=passkey_of(record))

    @strawberry.mutation(description="Rename one of my passkeys.")
    @as_data
    async def rename_passkey(self, info: Info, input: RenamePasskeyInput) -> PasskeyResult:
        ctx = ctx_of(info)
        principal = await require(ctx)
        record = await _service(info).rename(principal, str(input.id), input.name, ctx.client)
        return PasskeySuccess(passkey=passkey_of(record))

    @strawberry.mutation(description="Delete one of my passkeys: it can no longer sign in.")
    @as_data
    async def delete_passkey(self, info: Info, id: strawberry.ID) -> DeletePasskeyResult:
        ctx = ctx_of(info)
        principal = await require(ctx)
        await _service(info).delete(principal, str(id), ctx.client)
        return DeletePasskeySuccess(id=id)

    @strawberry.mutation(
        description="Start signing in with a passkey: options for `navigator.credentials.get()` "
        "(any passkey this browser holds for the site)."
    )
    @as_data
    async def passkey_sign_in_options(self, info: Info) -> PasskeyOptionsResult:
        options = await _service(info).sign_in_options(ctx_of(info).client)
        return PasskeyOptions(options=cast(JSON, options))

    @strawberry.mutation(
        description="Sign in with the browser's answer to `passkeySignInOptions` (sets the session "
        "cookie). A passkey that verified its user is multi-factor: no TOTP step."
    )
    @as_data
    async def sign_in_with_passkey(self, info: Info, input: SignInWithPasskeyInput) -> AuthResult:
        ctx = ctx_of(info)
        outcome = await _service(info).sign_in(
            input.response, ctx.client, replaces=ctx.session_token, cookies=ctx.request.cookies
        )
        return finish_sign_in(ctx, outcome)
