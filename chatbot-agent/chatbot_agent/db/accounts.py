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


# ---- social sign-in: provider accounts (providerId = the provider's id, accountId = its subject)


async def find_provider(db: Executor, provider_id: str, account_id: str) -> asyncpg.Record | None:
    return await db.fetchrow(
        f"""SELECT id, "userId" FROM account
            WHERE "providerId" = $1 AND "accountId" = $2 AND "providerId" <> '{CREDENTIAL}'""",
        provider_id,
        account_id,
    )


async def listing(db: Executor, user_id: str) -> list[asyncpg.Record]:
    """The user's accounts as Better Auth lists them (never the password or provider tokens)."""
    return await db.fetch(
        """SELECT id, "accountId", "providerId", "userId", scope, "createdAt", "updatedAt",
                  password IS NOT NULL AS "hasPassword"
           FROM account WHERE "userId" = $1 ORDER BY "createdAt" """,
        user_id,
    )


async def insert_provider(
    db: Executor, *, row_id: str, provider_id: str, account_id: str, user_id: str, scope: str | None
) -> bool:
    """Link a provider account (no provider tokens are stored); False when that subject is linked already (the unique
    index of migration 0400 decides races)."""
    status = await db.execute(
        f"""INSERT INTO account (id, "accountId", "providerId", "userId", scope, "createdAt", "updatedAt")
            VALUES ($1, $2, $3, $4, $5, now(), now())
            ON CONFLICT ("providerId", "accountId") WHERE "providerId" <> '{CREDENTIAL}' DO NOTHING""",
        row_id,
        account_id,
        provider_id,
        user_id,
        scope,
    )
    return count(status) == 1


async def delete_unless_last(
    pool: asyncpg.Pool,
    user_id: str,
    *,
    row_id: str | None = None,
    provider_id: str | None = None,
    account_id: str | None = None,
) -> str:
    """Remove one of the user's accounts, chosen by row id, or by provider (and subject): "deleted", "not_found", or
    "last" when it is the user's only way in (a password account counts only with a password; passkeys count). The
    user row is locked, so two concurrent unlinks cannot remove the last two ways in together."""
    async with pool.acquire() as conn, conn.transaction():
        if await conn.fetchval('SELECT id FROM "user" WHERE id = $1 FOR UPDATE', user_id) is None:
            return "not_found"
        rows = await conn.fetch(
            f"""SELECT id, "providerId", "accountId",
                       ("providerId" <> '{CREDENTIAL}' OR password IS NOT NULL) AS "wayIn"
                FROM account WHERE "userId" = $1 ORDER BY "createdAt" """,
            user_id,
        )
        target = next(
            (
                r
                for r in rows
                if (
                    r["id"] == row_id
                    if row_id
                    else r["providerId"] == provider_id and (account_id is None or r["accountId"] == account_id)
                )
            ),
            None,
        )
        if target is None:
            return "not_found"
        passkeys = 0
        if await conn.fetchval("SELECT to_regclass('passkey') IS NOT NULL"):  # the passkey method's table
            passkeys = await conn.fetchval('SELECT count(*) FROM passkey WHERE "userId" = $1', user_id)
        if target["wayIn"] and sum(r["wayIn"] for r in rows) + passkeys <= 1:
            return "last"
        await conn.execute("DELETE FROM account WHERE id = $1", target["id"])
        return "deleted"
