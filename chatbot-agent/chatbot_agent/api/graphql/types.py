"""The GraphQL types every part of the schema shares (names fixed by the API contract). A method's own inputs and
results live in its folder's graphql.py."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from ...auth.core.errors import Code

# The service's error codes, published as they are: one list of codes for the service and the API.
AuthErrorCode = strawberry.enum(
    Code,
    name="AuthErrorCode",
    description="Stable machine-readable error codes; clients branch on these, never on messages.",
)


@strawberry.type(description="A person with an account.")
class User:
    id: strawberry.ID
    first_name: str
    last_name: str
    email: str
    email_verified: bool
    created_at: datetime
    two_factor_enabled: bool = strawberry.field(
        default=False, description="Signing in asks for a second factor (TOTP or a backup code)."
    )


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


@strawberry.type(
    description="Password (or another first factor) accepted; a second factor is needed before a "
    "session starts. The pending sign-in lives in an HttpOnly cookie for a few minutes."
)
class TwoFactorRequired:
    methods: list[str] = strawberry.field(
        description='Second factors the user can finish with, e.g. "totp", "backup-code".'
    )


@strawberry.type(description="A failure the user can act on. `field` names the input field at fault, if any.")
class AuthError:
    code: AuthErrorCode  # type: ignore[valid-type]  # strawberry.enum(Code) is a class at run time
    message: str
    field: str | None = None
    retry_after_seconds: int | None = strawberry.field(
        default=None, description="With RATE_LIMITED: seconds until another attempt is allowed."
    )


@strawberry.type
class RevokeSessionsSuccess:
    revoked_sessions: int


AuthResult = Annotated[AuthSuccess | TwoFactorRequired | AuthError, strawberry.union("AuthResult")]
RevokeSessionsResult = Annotated[RevokeSessionsSuccess | AuthError, strawberry.union("RevokeSessionsResult")]
