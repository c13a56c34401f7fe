"""The `verification` table: one-time tokens of every kind. `identifier` is `<kind>:<sha256 of the token>` (Better
Auth's `reset-password:<token>` form, hashed), `value` the subject (a user id), `data` optional JSON."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from .common import Executor, count


async def insert(
    db: Executor, *, row_id: str, identifier: str, value: str, expires_at: datetime, data: str | None
) -> None:
    await db.execute(
        """INSERT INTO verification (id, identifier, value, data, "expiresAt", "createdAt", "updatedAt")
           VALUES ($1, $2, $3, $4::jsonb, $5, now(), now())""",
        row_id,
        identifier,
        value,
        data,
        expires_at,
    )


async def live(db: Executor, identifier: str) -> asyncpg.Record | None:
    """The live row of this identifier, left in place."""
    return await db.fetchrow(
        'SELECT value, data::text AS data, "expiresAt" FROM verification WHERE identifier = $1 AND "expiresAt" > now()',
        identifier,
    )


async def take(db: Executor, identifier: str) -> asyncpg.Record | None:
    """Delete the live row of this identifier and return it: of concurrent callers exactly one gets it."""
    return await db.fetchrow(
        """DELETE FROM verification WHERE identifier = $1 AND "expiresAt" > now()
           RETURNING value, data::text AS data, "expiresAt" """,
        identifier,
    )


async def delete_of(db: Executor, prefix: str, value: str) -> int:
    """Delete every row of a kind (`prefix` = '<kind>:') for one subject."""
    status = await db.execute(
        "DELETE FROM verification WHERE value = $1 AND starts_with(identifier, $2)", value, prefix
    )
    return count(status)


async def delete_subject(db: Executor, value: str) -> int:
    return count(await db.execute("DELETE FROM verification WHERE value = $1", value))


async def newest_of(db: Executor, prefix: str, value: str) -> datetime | None:
    """When the newest row of a kind for one subject was made (to space out re-sent mails)."""
    newest: datetime | None = await db.fetchval(
        'SELECT max("createdAt") FROM verification WHERE value = $1 AND starts_with(identifier, $2)', value, prefix
    )
    return newest
