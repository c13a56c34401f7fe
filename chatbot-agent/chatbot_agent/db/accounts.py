"""The `account` table: one row per way into a user (`credential` for the password; providers later)."""

from __future__ import annotations

import asyncpg

from .common import CREDENTIAL, Executor, count


async def insert_credential(conn: Executor, *, account_id: str, user_id: str, password_hash: str) -> None:
    await conn.execute(
        """INSERT INTO account (id, "accountId", "providerId", "userId", password, "createdAt", "updatedAt")
           VALUES ($1, $2, $3, $2, $4, now(), now())""",
        account_id,
        user_id,
        CREDENTIAL,
        password_hash,
    )


async def password_of(db: Executor, user_id: str) -> str | None:
    stored: str | None = await db.fetchval(
        f"""SELECT password FROM account WHERE "userId" = $1 AND "providerId" = '{CREDENTIAL}'""", user_id
    )
    return stored


async def set_password(db: Executor, user_id: str, password_hash: str) -> None:
    """Set the password, creating the credential account of a user who had none (a Better Auth user who only ever
    signed in through a social provider, and now resets a password)."""
    await db.execute(
        f"""INSERT INTO account (id, "accountId", "providerId", "userId", password, "createdAt", "updatedAt")
            VALUES (replace(gen_random_uuid()::text, '-', ''), $1, '{CREDENTIAL}', $1, $2, now(), now())
            ON CONFLICT ("userId") WHERE "providerId" = '{CREDENTIAL}'
            DO UPDATE SET password = EXCLUDED.password, "updatedAt" = now()""",
        user_id,
        password_hash,
    )


async def replace_password_if_unchanged(db: Executor, user_id: str, old_hash: str, new_hash: str) -> bool:
    """Rehash on sign-in: only when nobody changed the password in between."""
    status = await db.execute(
        f"""UPDATE account SET password = $3, "updatedAt" = now()
            WHERE "userId" = $1 AND "providerId" = '{CREDENTIAL}' AND password = $2""",
        user_id,
        old_hash,
        new_hash,
    )
    return count(status) == 1


async def of_user(db: Executor, user_id: str) -> list[asyncpg.Record]:
    return await db.fetch(
        """SELECT id, "accountId", "providerId", "userId", password IS NOT NULL AS "hasPassword", "createdAt"
           FROM account WHERE "userId" = $1 ORDER BY "createdAt" """,
        user_id,
    )
