"""The one error type services raise, and the one list of codes. The transports map it to their error shape
(GraphQL `AuthError` data; Better Auth's JSON over REST). A method that needs a new code adds it here, so clients
see one enum."""

from __future__ import annotations

import enum


class Code(str, enum.Enum):
    INVALID_INPUT = "INVALID_INPUT"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    WEAK_PASSWORD = "WEAK_PASSWORD"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_OR_EXPIRED_TOKEN = "INVALID_OR_EXPIRED_TOKEN"
    RATE_LIMITED = "RATE_LIMITED"
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
    EMAIL_NOT_VERIFIED = "EMAIL_NOT_VERIFIED"
    PROVIDER_UNAVAILABLE = "PROVIDER_UNAVAILABLE"  # social sign-in: the provider cannot be reached
    LAST_SIGN_IN_METHOD = "LAST_SIGN_IN_METHOD"  # unlinking it would leave the user no way in
    INTERNAL = "INTERNAL"


class AuthFailure(Exception):
    """A failure the user can act on: a stable code, a human message, optionally the input field at fault, and a
    finer `reason` where a transport tells cases apart (WEAK_PASSWORD: too_short, too_long, common, email)."""

    def __init__(
        self,
        code: Code,
        message: str,
        field: str | None = None,
        retry_after: int | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code, self.message, self.field, self.retry_after, self.reason = code, message, field, retry_after, reason

    def __repr__(self) -> str:
        return f"AuthFailure({self.code.value}, {self.message!r}, field={self.field!r})"


INVALID_CREDENTIALS = "Email or password is incorrect."
INVALID_TOKEN = "This reset link is invalid or has expired. Request a new one."
NOT_SIGNED_IN = "You are not signed in."
