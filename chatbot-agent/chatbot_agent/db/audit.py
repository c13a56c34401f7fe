"""The `auth_audit` table: the security audit trail (migrations in auth/methods/audit/migrations/).

Rows arrive already cleaned by the audit service: an event name, a failure code, the client's address and user
agent (bounded) and a small JSON object of whitelisted details. No secret or token ever reaches this module."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

import asyncpg

from .common import Executor, count


class AuditRow(NamedTuple):
    user_id: str | None
    created_at: datetime
    event: str
    code: str | None
    ip_address: str | None
    user_agent: str | None
    details: str  # a JSON object, as text


async def insert_many(db: asyncpg.Pool | asyncpg.Connection, rows: Sequence[AuditRow]) -> None:
    """One round trip for a batch (asyncpg pipelines executemany). A row of a user who no longer exists is not
    written: rows reach the table after the action, and an account deleted meanwhile leaves no row behind."""
    await db.executemany(
        """INSERT INTO auth_audit ("userId", "createdAt", event, code, "ipAddress", "userAgent", details)
           SELECT $1, $2, $3, $4, $5, $6, $7::jsonb
           WHERE $1::text IS NULL OR EXISTS (SELECT 1 FROM "user" WHERE id = $1)""",
        rows,
    )


async def delete_of_user(db: Executor, user_id: str) -> int:
    return count(await db.execute('DELETE FROM auth_audit WHERE "userId" = $1', user_id))


async def of_user(db: Executor, user_id: str, limit: int) -> list[asyncpg.Record]:
    """The user's last `limit` events, newest first."""
    rows: list[asyncpg.Record] = await db.fetch(
        """SELECT id, event, code, "createdAt", "ipAddress", "userAgent", details::text AS details FROM auth_audit
           WHERE "userId" = $1 ORDER BY "createdAt" DESC, id DESC LIMIT $2""",
        user_id,
        limit,
    )
    return rows


async def delete_older_than(db: Executor, days: int) -> int:
    return count(
        await db.execute(
            """DELETE FROM auth_audit WHERE "createdAt" < now() - make_interval(days => $1)""",
            days,
        )
    )
