"""Core: the parts every sign-in method shares, built once per process, and the one path a sign-in takes.

    core.sign_in(user, client, method=...)  ->  SignedIn | SecondFactorRequired

Methods register sign-in gates (`core.gates.append(...)`): each may refuse the sign-in with an AuthFailure (an
unverified email where verification is required) or turn it into a pending second factor (TOTP). Only when every
gate lets it through is a session opened and `session.signed_in` emitted."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import asyncpg

from ...config import Settings
from ...db import upkeep, users
from ...db.common import Executor
from . import events
from .events import Events
from .mail import Mailer
from .passwords import PasswordHashing, PasswordPolicy
from .ratelimit import RateLimiter
from .records import Client, Principal, SecondFactorRequired, SignedIn, SignInOutcome, User
from .session_cache import SessionCache
from .sessions import Sessions
from .tokens import AccessTokens
from .verifications import Verifications

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignInAttempt:
    user: User
    client: Client
    method: str  # "password", "magic-link", "passkey", "oauth:<provider>" …
    second_factor_done: bool = False  # a passkey is multi-factor by itself; set after a second factor is verified
    sign_up: bool = False  # the session right after creating the account
    cookies: Mapping[str, str] = field(default_factory=dict)  # the request's cookies (a trusted-device cookie …)


Gate = Callable[[SignInAttempt], Awaitable[SecondFactorRequired | None]]


class Core:
    def __init__(
        self,
        settings: Settings,
        pool: asyncpg.Pool,
        hashing: PasswordHashing,
        tokens: AccessTokens,
        mailer: Mailer,
        *,
        session_cache: SessionCache | None = None,
    ) -> None:
        self.settings, self.pool, self.hashing, self.tokens, self.mailer = settings, pool, hashing, tokens, mailer
        self.policy = PasswordPolicy(min_length=settings.password_min_length, max_length=settings.password_max_length)
        self.limiter = RateLimiter(pool, enabled=settings.rate_limit_enabled)
        self.sessions = Sessions(
            pool,
            tokens,
            ttl_seconds=settings.session_ttl_seconds,
            update_age_seconds=settings.session_update_age_seconds,
            cache=session_cache,
        )
        self.verifications = Verifications(pool)
        self.events = Events()
        self.gates: list[Gate] = []
        # Each enabled method's service by method name, filled as they are built (in registry order), so a method
        # can build on an earlier one: the account method checks passwords with the password method's service.
        self.services: dict[str, Any] = {}

    async def sign_in(
        self,
        user: User,
        client: Client,
        *,
        method: str,
        replaces: str | None = None,
        second_factor_done: bool = False,
        sign_up: bool = False,
        cookies: Mapping[str, str] | None = None,
        db: Executor | None = None,
        emit: bool = True,
    ) -> SignInOutcome:
        """The one way a sign-in ends: gates first, then a session (the caller's old one, `replaces`, revoked).

        Inside the caller's transaction (`db`), pass `emit=False` and call `signed_in` after the commit, so no
        handler sees a user that may still roll back."""
        attempt = SignInAttempt(user, client, method, second_factor_done, sign_up, cookies or {})
        for gate in self.gates:
            pending = await gate(attempt)
            if pending is not None:
                log.info("sign-in waits for a second factor", extra={"user_id": user.id, "method": method})
                return pending
        signed_in = await self.sessions.open(user, client, replaces=replaces, db=db)
        if emit:
            await self.signed_in(signed_in, client, method)
        return signed_in

    async def signed_in(self, outcome: SignInOutcome, client: Client, method: str) -> None:
        if isinstance(outcome, SignedIn):
            log.info("user signed in", extra={"user_id": outcome.user.id, "method": method})
            await self.events.emit(
                events.SIGNED_IN, user=outcome.user, client=client, method=method, session_id=outcome.session_id
            )

    async def sign_out(self, token: str | None, client: Client) -> bool:
        ended = await self.sessions.end(token)
        if ended is not None:
            await self.events.emit(events.SIGNED_OUT, user_id=ended[0], client=client, session_id=ended[1])
        return ended is not None

    async def revoke_session(self, principal: Principal, session_id: str, client: Client) -> int:
        revoked = await self.sessions.revoke(principal.user.id, session_id)
        if revoked:
            await self.events.emit(
                events.SESSIONS_REVOKED, user=principal.user, client=client, count=revoked, session_id=session_id
            )
        return revoked

    async def revoke_other_sessions(self, principal: Principal, client: Client) -> int:
        revoked = await self.sessions.revoke_all(principal.user.id, keep=principal.session_id)
        if revoked:
            await self.events.emit(events.SESSIONS_REVOKED, user=principal.user, client=client, count=revoked)
        return revoked

    async def revoke_all_sessions(self, principal: Principal, client: Client) -> int:
        """Every session of the caller, its own included (Better Auth's /revoke-sessions)."""
        revoked = await self.sessions.revoke_all(principal.user.id)
        if revoked:
            await self.events.emit(events.SESSIONS_REVOKED, user=principal.user, client=client, count=revoked)
        return revoked

    async def user(self, user_id: str) -> User | None:
        row = await users.by_id(self.pool, user_id)
        return None if row is None else User.of(row)

    def link(self, path: str, **query: str) -> str:
        """A link into the web app (mailed links land on its pages)."""
        return f"{self.settings.frontend_url}{path}" + (f"?{urlencode(query)}" if query else "")

    async def delete_expired(self) -> dict[str, int]:
        return await upkeep.delete_expired(self.pool, audit_retention_days=self.settings.audit_retention_days)
