"""The core's own fields: who am I, my sessions, sign out, access tokens. Every method's schema builds on these."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from .results import as_data, ctx_of, require, session_of, user_of
from .types import AuthResult, AuthSuccess, RevokeSessionsResult, RevokeSessionsSuccess, Session, User


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user (session cookie or `Authorization: Bearer`); null otherwise.")
    async def me(self, info: Info) -> User | None:
        principal = await ctx_of(info).principal()
        return None if principal is None else user_of(principal.user)

    @strawberry.field(description="The signed-in user's live sessions, newest first. Empty when signed out.")
    async def my_sessions(self, info: Info) -> list[Session]:
        ctx = ctx_of(info)
        principal = await ctx.principal()
        if principal is None:
            return []
        sessions = await ctx.auth.core.sessions.of_user(principal.user.id)
        return [session_of(s, principal.session_id) for s in sessions]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="End the current session and clear the cookie. True when a session ended.")
    async def sign_out(self, info: Info) -> bool:
        ctx = ctx_of(info)
        ended = await ctx.auth.core.sign_out(ctx.session_token, ctx.client)
        ctx.end_session()
        return ended

    @strawberry.mutation(description="A fresh access token for the session in the cookie.")
    @as_data
    async def refresh_access_token(self, info: Info) -> AuthResult:
        ctx = ctx_of(info)
        principal = await require(ctx, cookie_only=True)
        access = ctx.auth.core.sessions.access_token(principal)
        return AuthSuccess(
            user=user_of(principal.user), access_token=access.token, access_token_expires_at=access.expires_at
        )

    @strawberry.mutation(description="Revoke one of my sessions by id (my current one signs me out).")
    @as_data
    async def revoke_session(self, info: Info, id: strawberry.ID) -> RevokeSessionsResult:
        ctx = ctx_of(info)
        principal = await require(ctx)
        revoked = await ctx.auth.core.revoke_session(principal, str(id), ctx.client)
        if revoked and str(id) == principal.session_id and principal.via == "cookie":
            ctx.end_session()
        return RevokeSessionsSuccess(revoked_sessions=revoked)

    @strawberry.mutation(description="Revoke all my sessions except the current one.")
    @as_data
    async def revoke_other_sessions(self, info: Info) -> RevokeSessionsResult:
        ctx = ctx_of(info)
        principal = await require(ctx)
        return RevokeSessionsSuccess(revoked_sessions=await ctx.auth.core.revoke_other_sessions(principal, ctx.client))
