"""The audit trail's GraphQL field: mySecurityEvents."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from ....api.graphql.results import ctx_of
from ...core.errors import Code
from .service import DEFAULT_LIMIT
from .service import SecurityEvent as Record


@strawberry.type(description="Something that happened to the account's security: a sign-in, a failed one, a change.")
class SecurityEvent:
    id: strawberry.ID
    event: str = strawberry.field(
        description='What happened: "session.signed_in", "session.sign_in_failed", "password.changed", '
        '"session.revoked", "two_factor.enabled" …'
    )
    created_at: datetime
    # Code is published as the AuthErrorCode enum (api/graphql/types.py)
    code: Code | None = strawberry.field(description="Why it failed; null when it succeeded.")
    method: str | None = strawberry.field(description='How: "password", "passkey", "oauth:github" …')
    ip_address: str | None
    user_agent: str | None
    revoked_sessions: int | None = strawberry.field(description="How many sessions it ended, when it ended some.")


def _of(record: Record) -> SecurityEvent:
    return SecurityEvent(
        id=strawberry.ID(record.id),
        event=record.event,
        created_at=record.created_at,
        code=Code(record.code) if record.code else None,
        method=record.method,
        ip_address=record.ip_address,
        user_agent=record.user_agent,
        revoked_sessions=record.revoked_sessions,
    )


@strawberry.type
class Query:
    @strawberry.field(
        description="The signed-in user's last security events (at most 100), newest first. Empty when signed out."
    )
    async def my_security_events(self, info: Info, limit: int | None = DEFAULT_LIMIT) -> list[SecurityEvent]:
        ctx = ctx_of(info)
        principal = await ctx.principal()
        if principal is None:
            return []
        return [
            _of(record)
            for record in await ctx.auth.audit.recent(principal.user.id, DEFAULT_LIMIT if limit is None else limit)
        ]
