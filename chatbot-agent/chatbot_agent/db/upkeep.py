"""Housekeeping: the expiry sweep and the health probe."""

from __future__ import annotations

from .common import Executor, count


async def delete_expired(db: Executor) -> dict[str, int]:
    sessions = count(await db.execute('DELETE FROM session WHERE "expiresAt" <= now()'))
    tokens = count(await db.execute('DELETE FROM verification WHERE "expiresAt" <= now()'))
    limits = count(await db.execute('DELETE FROM auth_rate_limit WHERE "resetAt" <= now()'))
    return {"sessions": sessions, "verificationTokens": tokens, "rateLimits": limits}


async def ping(db: Executor) -> bool:
    return bool(await db.fetchval("SELECT true"))
