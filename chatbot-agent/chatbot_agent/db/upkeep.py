"""Housekeeping: the expiry sweep and the health probe."""

from __future__ import annotations

from . import audit
from .common import Executor, count


async def delete_expired(db: Executor, *, audit_retention_days: int | None = None) -> dict[str, int]:
    """Expired sessions, tokens and rate-limit windows; with `audit_retention_days`, audit rows older than that."""
    sessions = count(await db.execute('DELETE FROM session WHERE "expiresAt" <= now()'))
    tokens = count(await db.execute('DELETE FROM verification WHERE "expiresAt" <= now()'))
    limits = count(await db.execute('DELETE FROM auth_rate_limit WHERE "resetAt" <= now()'))
    removed = {"sessions": sessions, "verificationTokens": tokens, "rateLimits": limits}
    if audit_retention_days is not None:
        removed["auditEvents"] = await audit.delete_older_than(db, audit_retention_days)
    return removed


async def ping(db: Executor) -> bool:
    return bool(await db.fetchval("SELECT true"))
