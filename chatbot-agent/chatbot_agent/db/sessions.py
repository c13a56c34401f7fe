"""The `session` table. `token` holds sha256(cookie token), never the token itself."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from . import notify
from .common import USER_COLS, Executor, count

# A session's columns beside the user's (whose id, createdAt, updatedAt share the names).
SESSION_COLS = (
    's.id AS "sessionId", s."expiresAt", s."createdAt" AS "sessionCreatedAt", s."updatedAt" AS "sessionUpdatedAt", '
    's."ipAddress", s."userAgent"'
)


async def insert(
    db: Executor,
    *,
    session_id: str,
    token_hash: str,
    user_id: str,
    expires_at: datetime,
    ip_address: str | None,
    user_agent: str | None,
    replaces: str | None = None,
) -> None:
    """Open a session; `replaces` (a token hash) is revoked in the same statement: one round trip, atomic."""
    if replaces is not None:
        notify.changed()
    await db.execute(
        """WITH replaced AS (DELETE FROM session WHERE token = $7)
           INSERT INTO session (id, token, "userId", "expiresAt", "ipAddress", "userAgent", "createdAt", "updatedAt")
           VALUES ($1, $2, $3, $4, $5, $6, now(), now())""",
        session_id,
        token_hash,
        user_id,
        expires_at,
        ip_address,
        user_agent,
        replaces,
    )


async def user_by_token(db: Executor, token_hash: str) -> asyncpg.Record | None:
    """The user of a live session, with the session's columns (`sessionId` …): the one query behind every `me`."""
    return await db.fetchrow(
        f"""SELECT {USER_COLS}, {SESSION_COLS} FROM session s
            JOIN "user" u ON u.id = s."userId"
            WHERE s.token = $1 AND s."expiresAt" > now()""",
        token_hash,
    )


async def user_by_id(db: Executor, session_id: str, user_id: str) -> asyncpg.Record | None:
    return await db.fetchrow(
        f"""SELECT {USER_COLS}, {SESSION_COLS} FROM session s JOIN "user" u ON u.id = s."userId"
            WHERE s.id = $1 AND s."userId" = $2 AND s."expiresAt" > now()""",
        session_id,
        user_id,
    )


async def extend(db: Executor, session_id: str, expires_at: datetime) -> None:
    await db.execute('UPDATE session SET "expiresAt" = $2, "updatedAt" = now() WHERE id = $1', session_id, expires_at)


async def delete_by_token(db: Executor, token_hash: str) -> asyncpg.Record | None:
    notify.changed()
    return await db.fetchrow('DELETE FROM session WHERE token = $1 RETURNING id, "userId"', token_hash)


async def delete_one(db: Executor, user_id: str, session_id: str) -> int:
    notify.changed()
    return count(await db.execute('DELETE FROM session WHERE id = $1 AND "userId" = $2', session_id, user_id))


async def delete_all(db: Executor, user_id: str, *, keep: str | None = None) -> int:
    notify.changed()
    status = await db.execute(
        'DELETE FROM session WHERE "userId" = $1 AND ($2::text IS NULL OR id <> $2)', user_id, keep
    )
    return count(status)


async def of_user(db: Executor, user_id: str) -> list[asyncpg.Record]:
    return await db.fetch(
        """SELECT id, "userId", "createdAt", "updatedAt", "expiresAt", "ipAddress", "userAgent" FROM session
           WHERE "userId" = $1 AND "expiresAt" > now() ORDER BY "createdAt" DESC""",
        user_id,
    )
