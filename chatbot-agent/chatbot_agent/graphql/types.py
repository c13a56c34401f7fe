"""Strawberry types of the public GraphQL contract (names fixed by the API contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Union

import strawberry

from ..auth.errors import Code


# The service's error codes, published as they are: one list of codes for the service and the API.
AuthErrorCode = strawberry.enum(
    Code, name="AuthErrorCode", description="Stable machine-readable error codes; clients branch on these, never on messages."
)


@strawberry.type(description="A person with an account.")
class User:
    id: strawberry.ID
    first_name: str
    last_name: str
    email: str
    email_verified: bool
    created_at: datetime


@strawberry.type(description="A signed-in browser or device.")
class Session:
    id: strawberry.ID
    created_at: datetime
    expires_at: datetime
    ip_address: str | None
    user_agent: str | None
    current: bool = strawberry.field(description="True for the session making this request.")


@strawberry.type(description="Signed in: the user, and a short-lived JWT access token for other services.")
class AuthSuccess:
    user: User
    access_token: str
    access_token_expires_at: datetime


@strawberry.type(description="A failure the user can act on. `field` names the input field at fault, if any.")
class AuthError:
    code: AuthErrorCode
    message: str
    field: str | None = None
    retry_after_seconds: int | None = strawberry.field(
        default=None, description="With RATE_LIMITED: seconds until another attempt is allowed."
    )


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


@strawberry.type
class RevokeSessionsSuccess:
    revoked_sessions: int


AuthResult = Annotated[Union[AuthSuccess, AuthError], strawberry.union("AuthResult")]
RequestPasswordResetResult = Annotated[
    Union[RequestPasswordResetSuccess, AuthError], strawberry.union("RequestPasswordResetResult")
]
ResetPasswordResult = Annotated[Union[ResetPasswordSuccess, AuthError], strawberry.union("ResetPasswordResult")]
ChangePasswordResult = Annotated[Union[ChangePasswordSuccess, AuthError], strawberry.union("ChangePasswordResult")]
RevokeSessionsResult = Annotated[Union[RevokeSessionsSuccess, AuthError], strawberry.union("RevokeSessionsResult")]


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
