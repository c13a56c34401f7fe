"""What every resolver shares: AuthFailure → `AuthError` data, the mapping of records to GraphQL types, and the
end of a sign-in (cookie + `AuthSuccess`, or `TwoFactorRequired`)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry
from strawberry.types import Info

from ...auth.core.errors import AuthFailure, Code
from ...auth.core.records import Principal, SecondFactorRequired, SignedIn, SignInOutcome
from ...auth.core.records import Session as SessionRecord
from ...auth.core.records import User as UserRecord
from ...db.errors import describe_failure
from .context import Context
from .types import AuthError, AuthErrorCode, AuthSuccess, Session, TwoFactorRequired, User

log = logging.getLogger("chatbot_agent.api.graphql")
R = TypeVar("R")
INTERNAL_MESSAGE = "Something went wrong on our side. Please try again in a moment."


def error_of(failure: AuthFailure) -> AuthError:
    return AuthError(
        code=failure.code, message=failure.message, field=failure.field, retry_after_seconds=failure.retry_after
    )


def as_data(resolver: Callable[..., Awaitable[R]]) -> Callable[..., Awaitable[R | AuthError]]:
    """AuthFailure → AuthError; any other exception → logged server-side, answered as a generic INTERNAL error."""

    @functools.wraps(resolver)
    async def wrapper(*args, **kwargs):
        try:
            return await resolver(*args, **kwargs)
        except AuthFailure as failure:
            return error_of(failure)
        except Exception as exc:  # noqa: BLE001
            log_failure(resolver.__name__, exc)
            return AuthError(code=AuthErrorCode.INTERNAL, message=INTERNAL_MESSAGE)

    return wrapper


def log_failure(where: str, exc: BaseException) -> None:
    """One clear line for an unexpected failure (a stack trace only for kinds we do not know; never to clients)."""
    message, known = describe_failure(exc)
    log.error("%s failed: %s", where, message, exc_info=None if known else exc)


def user_of(record: UserRecord) -> User:
    return User(
        id=strawberry.ID(record.id),
        first_name=record.first_name,
        last_name=record.last_name,
        email=record.email,
        email_verified=record.email_verified,
        created_at=record.created_at,
        two_factor_enabled=record.two_factor_enabled,
    )


def session_of(record: SessionRecord, current_id: str) -> Session:
    return Session(
        id=strawberry.ID(record.id),
        created_at=record.created_at,
        expires_at=record.expires_at,
        ip_address=record.ip_address,
        user_agent=record.user_agent,
        current=record.id == current_id,
    )


def success_of(signed_in: SignedIn) -> AuthSuccess:
    return AuthSuccess(
        user=user_of(signed_in.user),
        access_token=signed_in.access_token,
        access_token_expires_at=signed_in.access_token_expires_at,
    )


def finish_sign_in(ctx: Context, outcome: SignInOutcome) -> AuthSuccess | TwoFactorRequired:
    """A session: the cookie and `AuthSuccess`. A pending second factor: its challenge cookie, no session."""
    if isinstance(outcome, SecondFactorRequired):
        ctx.set_pending_second_factor(outcome)
        return TwoFactorRequired(methods=list(outcome.methods))
    ctx.start_session(outcome)
    return success_of(outcome)


def ctx_of(info: Info) -> Context:
    return info.context


async def require(ctx: Context, *, cookie_only: bool = False) -> Principal:
    principal = await ctx.principal(cookie_only=cookie_only)
    if principal is None:
        raise AuthFailure(Code.NOT_AUTHENTICATED, "You are not signed in.")
    return principal
