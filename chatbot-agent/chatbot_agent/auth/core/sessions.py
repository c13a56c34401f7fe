"""Sessions: issue, rotate, look up, revoke. Every sign-in method ends here (through `Core.sign_in`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg

from ...db import sessions as rows
from ...db.common import Executor
from .ids import hash_token, new_id, new_token
from .records import AccessToken, Client, Principal, Session, SignedIn, User
from .session_cache import SessionCache
from .tokens import AccessTokens
from .validation import TOKEN_MAX, USER_AGENT_MAX

Row = asyncpg.Record | None


def now() -> datetime:
    return datetime.now(UTC)


class Sessions:
    def __init__(
        self,
        db: Executor,
        tokens: AccessTokens,
        *,
        ttl_seconds: int,
        update_age_seconds: int,
        cache: SessionCache | None = None,
    ) -> None:
        self.db, self.tokens = db, tokens
        self.ttl = timedelta(seconds=ttl_seconds)
        self.update_age = timedelta(seconds=update_age_seconds)
        self.cache = cache if cache is not None else SessionCache(seconds=0, connect=None, db=db)

    async def open(
        self, user: User, client: Client, *, replaces: str | None = None, db: Executor | None = None
    ) -> SignedIn:
        """A new session for `user`; `replaces` (the token of the caller's current session, if any) is revoked in
        the same statement, so the session id rotates on every sign-in."""
        token, expires, session_id = new_token(), now() + self.ttl, new_id()
        await rows.insert(
            db or self.db,
            session_id=session_id,
            token_hash=hash_token(token),
            user_id=user.id,
            expires_at=expires,
            ip_address=client.ip,
            user_agent=(client.user_agent or None) and client.user_agent[:USER_AGENT_MAX],
            replaces=hash_token(replaces) if replaces else None,
        )
        access, access_expires = self.tokens.issue(user.id, session_id)
        return SignedIn(user, session_id, token, expires, access, access_expires)

    async def from_token(self, token: str) -> Principal | None:
        """The principal of a session token (from the cookie, or a Better Auth bearer); slides the expiry at most
        once per update age."""
        key = hash_token(token)
        row = await self._lookup(key, rows.user_by_token, key)
        if row is None:
            return None
        expires, refreshed, current = row["expiresAt"], None, now()
        if expires - current < self.ttl - self.update_age:
            refreshed = current + self.ttl
            await rows.extend(self.db, row["sessionId"], refreshed)
        return Principal(User.of(row), row["sessionId"], "cookie", refreshed, token, _session_of(row, refreshed))

    async def from_access_token(self, token: str) -> Principal | None:
        claims = self.tokens.verify(token)
        if claims is None or claims.session_id is None:
            return None
        # revoked means revoked: the cache is exact (session_cache.py), or the database answers
        row = await self._lookup("id:" + claims.session_id, rows.user_by_id, claims.session_id, claims.user_id)
        if row is None or row["id"] != claims.user_id:
            return None
        return Principal(User.of(row), claims.session_id, "bearer", session=_session_of(row))

    async def _lookup(self, key: str, query: Callable[..., Awaitable[Row]], *args: str) -> Row:
        """A live session's row with its user's: from the cache when it holds it, else from the database (and then
        cached). Expired sessions are never answered from the cache."""
        cache = self.cache
        row: Row = cache.get(key)
        if row is not None and row["expiresAt"] > now():
            return row
        version = cache.version
        row = await query(self.db, *args)
        if row is not None:
            cache.put(key, row["id"], row, version)
        return row

    def access_token(self, principal: Principal) -> AccessToken:
        token, expires = self.tokens.issue(principal.user.id, principal.session_id)
        return AccessToken(token, expires)

    async def end(self, token: str | None) -> tuple[str, str] | None:
        """Sign a session out: (user id, session id) when one ended."""
        if not token:
            return None
        row = await rows.delete_by_token(self.db, hash_token(token))
        return None if row is None else (row["userId"], row["id"])

    async def of_user(self, user_id: str) -> list[Session]:
        return [Session.of(r) for r in await rows.of_user(self.db, user_id)]

    async def revoke(self, user_id: str, session_id: str) -> int:
        if not session_id or len(session_id) > TOKEN_MAX or "\x00" in session_id:
            return 0  # not an id any session can have (PostgreSQL text cannot even hold NUL)
        return await rows.delete_one(self.db, user_id, session_id)

    async def revoke_all(self, user_id: str, *, keep: str | None = None, db: Executor | None = None) -> int:
        return await rows.delete_all(db or self.db, user_id, keep=keep)


def _session_of(row: asyncpg.Record, refreshed: datetime | None = None) -> Session:
    """The session columns of `rows.user_by_token`/`user_by_id` (as `extend` left them when it slid the expiry)."""
    return Session(
        row["sessionId"],
        row["id"],
        row["sessionCreatedAt"],
        now() if refreshed else row["sessionUpdatedAt"],
        refreshed or row["expiresAt"],
        row["ipAddress"],
        row["userAgent"],
    )
