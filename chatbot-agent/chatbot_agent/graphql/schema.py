"""Query and Mutation: thin resolvers that call AuthService and turn AuthFailure into `AuthError` data."""

from __future__ import annotations

import functools
from functools import partial
import logging
import re
from typing import Awaitable, Callable, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, MaxAliasesLimiter, MaxTokensLimiter, ParserCache, QueryDepthLimiter
from strawberry.extensions import AddValidationRules, DisableIntrospection, ValidationCache
from strawberry.types import Info

from ..auth.errors import AuthFailure, Code
from ..auth.service import AuthService, Principal, SignedIn
from ..db.repo import SessionRecord, UserRecord
from ..db.errors import describe_failure
from .context import Context
from .types import (
    AuthError, AuthErrorCode, AuthResult, AuthSuccess, ChangePasswordInput, ChangePasswordResult,
    ChangePasswordSuccess, PasswordPolicy, RequestPasswordResetInput, RequestPasswordResetResult,
    RequestPasswordResetSuccess, ResetPasswordInput, ResetPasswordResult, ResetPasswordSuccess, RevokeSessionsResult,
    RevokeSessionsSuccess, Session, SignInInput, SignUpInput, User,
)  # fmt: skip

log = logging.getLogger(__name__)
R = TypeVar("R")
INTERNAL_MESSAGE = "Something went wrong on our side. Please try again in a moment."


def _error(failure: AuthFailure) -> AuthError:
    return AuthError(code=failure.code, message=failure.message, field=failure.field,
                     retry_after_seconds=failure.retry_after)  # fmt: skip


def as_data(resolver: Callable[..., Awaitable[R]]) -> Callable[..., Awaitable[R | AuthError]]:
    """AuthFailure → AuthError; any other exception → logged server-side, answered as a generic INTERNAL error."""

    @functools.wraps(resolver)
    async def wrapper(*args, **kwargs):
        try:
            return await resolver(*args, **kwargs)
        except AuthFailure as failure:
            return _error(failure)
        except Exception as exc:  # noqa: BLE001
            log_failure(resolver.__name__, exc)
            return AuthError(code=AuthErrorCode.INTERNAL, message=INTERNAL_MESSAGE)

    return wrapper


def log_failure(where: str, exc: BaseException) -> None:
    """One clear line for an unexpected failure (a stack trace only for kinds we do not know; never to clients)."""
    message, known = describe_failure(exc)
    log.error("%s failed: %s", where, message, exc_info=None if known else exc)


def user_of(record: UserRecord) -> User:
    return User(id=strawberry.ID(record.id), first_name=record.first_name, last_name=record.last_name,
                email=record.email, email_verified=record.email_verified, created_at=record.created_at)  # fmt: skip


def session_of(record: SessionRecord, current_id: str) -> Session:
    return Session(id=strawberry.ID(record.id), created_at=record.created_at, expires_at=record.expires_at,
                   ip_address=record.ip_address, user_agent=record.user_agent, current=record.id == current_id)  # fmt: skip


def _success(signed_in: SignedIn) -> AuthSuccess:
    return AuthSuccess(user=user_of(signed_in.user), access_token=signed_in.access_token,
                       access_token_expires_at=signed_in.access_token_expires_at)  # fmt: skip


def _ctx(info: Info) -> tuple[Context, AuthService]:
    ctx: Context = info.context
    return ctx, ctx.service


async def _require(ctx: Context, *, cookie_only: bool = False) -> Principal:
    principal = await ctx.principal(cookie_only=cookie_only)
    if principal is None:
        raise AuthFailure(Code.NOT_AUTHENTICATED, "You are not signed in.")
    return principal


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user (session cookie or `Authorization: Bearer`); null otherwise.")
    async def me(self, info: Info) -> User | None:
        principal = await info.context.principal()
        return None if principal is None else user_of(principal.user)

    @strawberry.field(description="The signed-in user's live sessions, newest first. Empty when signed out.")
    async def my_sessions(self, info: Info) -> list[Session]:
        ctx, service = _ctx(info)
        principal = await ctx.principal()
        if principal is None:
            return []
        return [session_of(s, principal.session_id) for s in await service.list_sessions(principal)]

    @strawberry.field(description="The password rules the server enforces.")
    def password_policy(self, info: Info) -> PasswordPolicy:
        policy = info.context.service.policy
        return PasswordPolicy(min_length=policy.min_length, max_length=policy.max_length)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create an account and sign in (sets the session cookie).")
    @as_data
    async def sign_up(self, info: Info, input: SignUpInput) -> AuthResult:
        ctx, service = _ctx(info)
        signed_in = await service.sign_up(input.first_name, input.last_name, input.email, input.password, ctx.client)
        ctx.start_session(signed_in)
        return _success(signed_in)

    @strawberry.mutation(description="Sign in with email and password (sets the session cookie).")
    @as_data
    async def sign_in(self, info: Info, input: SignInInput) -> AuthResult:
        ctx, service = _ctx(info)
        signed_in = await service.sign_in(input.email, input.password, ctx.client, replaces=ctx.session_token)
        ctx.start_session(signed_in)
        return _success(signed_in)

    @strawberry.mutation(description="End the current session and clear the cookie. True when a session ended.")
    async def sign_out(self, info: Info) -> bool:
        ctx, service = _ctx(info)
        ended = await service.sign_out(ctx.session_token)
        ctx.end_session()
        return ended

    @strawberry.mutation(description="A fresh access token for the session in the cookie.")
    @as_data
    async def refresh_access_token(self, info: Info) -> AuthResult:
        ctx, service = _ctx(info)
        principal = await _require(ctx, cookie_only=True)
        access = service.access_token(principal)
        return AuthSuccess(user=user_of(principal.user), access_token=access.token,
                           access_token_expires_at=access.expires_at)  # fmt: skip

    @strawberry.mutation(description="Mail a one-time reset link. The same answer whether or not the email exists.")
    @as_data
    async def request_password_reset(self, info: Info, input: RequestPasswordResetInput) -> RequestPasswordResetResult:
        ctx, service = _ctx(info)
        return RequestPasswordResetSuccess(message=await service.request_password_reset(input.email, ctx.client))

    @strawberry.mutation(description="Set a new password with a mailed token; signs the user out everywhere.")
    @as_data
    async def reset_password(self, info: Info, input: ResetPasswordInput) -> ResetPasswordResult:
        ctx, service = _ctx(info)
        message = await service.reset_password(input.token, input.new_password, ctx.client)
        if ctx.session_token:
            ctx.end_session()
        return ResetPasswordSuccess(message=message)

    @strawberry.mutation(description="Change the password (needs the current one); other sessions are revoked.")
    @as_data
    async def change_password(self, info: Info, input: ChangePasswordInput) -> ChangePasswordResult:
        ctx, service = _ctx(info)
        principal = await _require(ctx)
        revoked = await service.change_password(principal, input.current_password, input.new_password)
        return ChangePasswordSuccess(message="Your password has been changed.", revoked_sessions=revoked)

    @strawberry.mutation(description="Revoke one of my sessions by id (my current one signs me out).")
    @as_data
    async def revoke_session(self, info: Info, id: strawberry.ID) -> RevokeSessionsResult:
        ctx, service = _ctx(info)
        principal = await _require(ctx)
        revoked = await service.revoke_session(principal, str(id))
        if revoked and str(id) == principal.session_id and principal.via == "cookie":
            ctx.end_session()
        return RevokeSessionsSuccess(revoked_sessions=revoked)

    @strawberry.mutation(description="Revoke all my sessions except the current one.")
    @as_data
    async def revoke_other_sessions(self, info: Info) -> RevokeSessionsResult:
        ctx, service = _ctx(info)
        principal = await _require(ctx)
        return RevokeSessionsSuccess(revoked_sessions=await service.revoke_other_sessions(principal))


def _unexpected(error: GraphQLError) -> bool:
    """Mask errors raised by our code (they may carry internals); keep GraphQL's own syntax/validation errors."""
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)


_CLIENT_VALUE = re.compile(r":|\b(?:found|got)\b")


class AuthSchema(strawberry.Schema):
    """Logs every error once and never with the values a client sent: graphql-core quotes rejected variables in
    its messages (a mistyped `pasword` field would put the password in the log)."""

    def process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:
        for error in errors:
            if _unexpected(error):
                log_failure(".".join(map(str, error.path or ())) or "operation", error.original_error)
            else:
                log.info("GraphQL request rejected: %s", _CLIENT_VALUE.split(error.message, maxsplit=1)[0].strip())


def build_schema(*, max_depth: int = 10, max_tokens: int = 1000, max_aliases: int = 15,
                 introspection: bool = True) -> strawberry.Schema:  # fmt: skip
    # Factories, not instances: a fresh extension per request (the parse/validation caches are module-level).
    # The depth and alias limiters build a new rule class per instance, and ValidationCache is keyed by the rule
    # classes: build their rules once, so every request shares them and a known query is validated only once.
    rules = [*QueryDepthLimiter(max_depth=max_depth).validation_rules,
             *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules]  # fmt: skip
    extensions: list = [
        partial(ParserCache, maxsize=1024),
        partial(ValidationCache, maxsize=1024),
        partial(AddValidationRules, rules),
        partial(MaxTokensLimiter, max_token_count=max_tokens),
        partial(MaskErrors, should_mask_error=_unexpected, error_message=INTERNAL_MESSAGE),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return AuthSchema(query=Query, mutation=Mutation, extensions=extensions)


schema = build_schema()  # for export-schema and codegen; the app builds its own with configured limits
