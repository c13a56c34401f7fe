"""The `twoFactor` table (Better Auth's twoFactor plugin) and `user."twoFactorEnabled"`.

One row per user: `secret` (the TOTP secret, sealed), `backupCodes` (their digests, sealed), `verified` (false while
the setup waits for its first code), and ours: `lastUsedStep`, the TOTP time step of the last accepted code (a code
of that step or an earlier one is refused). Every change that must not race (a code used twice at once, two backup
codes spent together) is one conditional UPDATE: of concurrent callers exactly one wins."""

from __future__ import annotations

import asyncpg

from . import notify
from .common import Executor, count

COLS = 'id, secret, "backupCodes", "userId", coalesce(verified, true) AS verified, "lastUsedStep"'


async def of_user(db: Executor, user_id: str) -> asyncpg.Record | None:
    """The user's row (a Better Auth row without `verified` counts as verified, as Better Auth reads it)."""
    return await db.fetchrow(
        f'SELECT {COLS} FROM "twoFactor" WHERE "userId" = $1 ORDER BY coalesce(verified, true) DESC LIMIT 1', user_id
    )


async def is_enabled(db: Executor, user_id: str) -> bool:
    return bool(await db.fetchval('SELECT coalesce("twoFactorEnabled", false) FROM "user" WHERE id = $1', user_id))


async def lock_user(conn: Executor, user_id: str) -> bool | None:
    """Lock the user row for this transaction (enable/disable do not interleave); its twoFactorEnabled, or None."""
    enabled: bool | None = await conn.fetchval(
        'SELECT coalesce("twoFactorEnabled", false) FROM "user" WHERE id = $1 FOR UPDATE', user_id
    )
    return enabled


async def start_setup(conn: Executor, *, row_id: str, user_id: str, secret: str, backup_codes: str) -> None:
    """A new, unconfirmed setup: any earlier (unconfirmed) row of the user is replaced."""
    await conn.execute('DELETE FROM "twoFactor" WHERE "userId" = $1', user_id)
    await conn.execute(
        """INSERT INTO "twoFactor" (id, secret, "backupCodes", "userId", verified, "failedVerificationCount")
           VALUES ($1, $2, $3, $4, false, 0)""",
        row_id,
        secret,
        backup_codes,
        user_id,
    )


async def confirm(conn: Executor, user_id: str, row_id: str, step: int) -> bool:
    """Turn the setup on with its first code's step; False when it changed meanwhile (or is already on)."""
    done = await conn.execute(
        """UPDATE "twoFactor" SET verified = true, "lastUsedStep" = $3, "failedVerificationCount" = 0
           WHERE "userId" = $1 AND id = $2 AND verified IS NOT TRUE""",
        user_id,
        row_id,
        step,
    )
    if count(done) != 1:
        return False
    notify.changed()
    await conn.execute('UPDATE "user" SET "twoFactorEnabled" = true, "updatedAt" = now() WHERE id = $1', user_id)
    return True


async def use_step(db: Executor, user_id: str, row_id: str, step: int) -> bool:
    """Record a TOTP step as used; False when that step (or a later one) was used already: a replay."""
    done = await db.execute(
        """UPDATE "twoFactor" SET "lastUsedStep" = $3, "failedVerificationCount" = 0
           WHERE "userId" = $1 AND id = $2 AND ("lastUsedStep" IS NULL OR "lastUsedStep" < $3)""",
        user_id,
        row_id,
        step,
    )
    return count(done) == 1


async def replace_backup_codes(db: Executor, user_id: str, row_id: str, new: str, *, old: str | None = None) -> bool:
    """Store new backup codes; with `old`, only while the column still holds it (a spent code cannot be spent
    twice by two requests at once)."""
    done = await db.execute(
        """UPDATE "twoFactor" SET "backupCodes" = $3
           WHERE "userId" = $1 AND id = $2 AND ($4::text IS NULL OR "backupCodes" = $4)""",
        user_id,
        row_id,
        new,
        old,
    )
    return count(done) == 1


async def replace_secret(db: Executor, row_id: str, old: str, new: str) -> bool:
    """Re-sealed under the current key (key rotation), unless it changed meanwhile."""
    return (
        count(await db.execute('UPDATE "twoFactor" SET secret = $3 WHERE id = $1 AND secret = $2', row_id, old, new))
        == 1
    )


async def disable(conn: Executor, user_id: str) -> int:
    """Turn two-factor off: the row goes, and the user's flag."""
    deleted = count(await conn.execute('DELETE FROM "twoFactor" WHERE "userId" = $1', user_id))
    notify.changed()
    await conn.execute('UPDATE "user" SET "twoFactorEnabled" = false, "updatedAt" = now() WHERE id = $1', user_id)
    return deleted


async def sealed_rows(db: Executor, after_id: str | None, limit: int) -> list[asyncpg.Record]:
    """Rows in id order, for re-sealing them all under the current key (`chatbot-agent reseal-secrets`)."""
    return await db.fetch(
        'SELECT id, "userId", secret, "backupCodes" FROM "twoFactor" WHERE ($1::text IS NULL OR id > $1) '
        "ORDER BY id LIMIT $2",
        after_id,
        limit,
    )
