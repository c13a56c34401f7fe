"""The password method's GraphQL fields: signUp, signIn, password reset, change password, the password policy."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from ....api.graphql.results import as_data, ctx_of, finish_sign_in, require
from ....api.graphql.types import AuthError, AuthResult
from .service import PasswordService


@strawberry.type
class RequestPasswordResetSuccess:
    message: str


@strawberry.type
class ResetPasswordSuccess:
    message: str


@strawberry.type
class ChangePasswordSuccess:
    message: str
    revoked_sessions: int


RequestPasswordResetResult = Annotated[
    RequestPasswordResetSuccess | AuthError, strawberry.union("RequestPasswordResetResult")
]
ResetPasswordResult = Annotated[ResetPasswordSuccess | AuthError, strawberry.union("ResetPasswordResult")]
ChangePasswordResult = Annotated[ChangePasswordSuccess | AuthError, strawberry.union("ChangePasswordResult")]


@strawberry.input
class SignUpInput:
    first_name: str
    last_name: str
    email: str
    password: str


@strawberry.input
class SignInInput:
    email: str
    password: str


@strawberry.input
class RequestPasswordResetInput:
    email: str


@strawberry.input
class ResetPasswordInput:
    token: str
    new_password: str


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.type(description="Password rules the server enforces, so clients can show them before submit.")
class PasswordPolicy:
    min_length: int
    max_length: int


def _service(info: Info) -> PasswordService:
    service: PasswordService = ctx_of(info).auth.password
    return service


@strawberry.type
class Query:
    @strawberry.field(description="The password rules the server enforces.")
    def password_policy(self, info: Info) -> PasswordPolicy:
        policy = _service(info).policy
        return PasswordPolicy(min_length=policy.min_length, max_length=policy.max_length)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create an account and sign in (sets the session cookie).")
    @as_data
    async def sign_up(self, info: Info, input: SignUpInput) -> AuthResult:
        ctx = ctx_of(info)
        outcome = await _service(info).sign_up(
            input.first_name, input.last_name, input.email, input.password, ctx.client, cookies=ctx.request.cookies
        )
        return finish_sign_in(ctx, outcome)

    @strawberry.mutation(
        description="Sign in with email and password (sets the session cookie), or answer "
        "`TwoFactorRequired` when the account has a second factor."
    )
    @as_data
    async def sign_in(self, info: Info, input: SignInInput) -> AuthResult:
        ctx = ctx_of(info)
        outcome = await _service(info).sign_in(
            input.email, input.password, ctx.client, replaces=ctx.session_token, cookies=ctx.request.cookies
        )
        return finish_sign_in(ctx, outcome)

    @strawberry.mutation(description="Mail a one-time reset link. The same answer whether or not the email exists.")
    @as_data
    async def request_password_reset(self, info: Info, input: RequestPasswordResetInput) -> RequestPasswordResetResult:
        message = await _service(info).request_password_reset(input.email, ctx_of(info).client)
        return RequestPasswordResetSuccess(message=message)

    @strawberry.mutation(description="Set a new password with a mailed token; signs the user out everywhere.")
    @as_data
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> ResetPasswordResult:
        ctx = ctx_of(info)
        message = await _service(info).reset_password(input.token, input.new_password, ctx.client)
        if ctx.session_token:
            ctx.end_session()
        return ResetPasswordSuccess(message=message)

    @strawberry.mutation(description="Change the password (needs the current one); other sessions are revoked.")
    @as_data
    async def change_password(self, info: Info, input: ChangePasswordInput) -> ChangePasswordResult:
        ctx = ctx_of(info)
        principal = await require(ctx)
        revoked = await _service(info).change_password(
            principal, input.current_password, input.new_password, ctx.client
        )
        return ChangePasswordSuccess(message="Your password has been changed.", revoked_sessions=revoked)
