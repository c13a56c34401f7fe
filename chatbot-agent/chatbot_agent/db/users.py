"""The `user` table (with the credential account a password sign-up creates alongside)."""

from __future__ import annotations

import asyncpg

from . import notify
from .common import CREDENTIAL, USER_COLS, Executor, count


async def find_credential(db: Executor, email: str) -> asyncpg.Record | None:
    """The user with this email (case-insensitive) and, as `password`, the stored hash of its credential account."""
    return await db.fetchrow(
        f"""SELECT {USER_COLS}, a.password FROM "user" u
            LEFT JOIN account a ON a."userId" = u.id AND a."providerId" = '{CREDENTIAL}'
            WHERE lower(u.email) = lower($1)""",
        email,
    )


async def by_id(db: Executor, user_id: str) -> asyncpg.Record | None:
    return await db.fetchrow(f'SELECT {USER_COLS} FROM "user" u WHERE u.id = $1', user_id)


async def by_email(db: Executor, email: str) -> asyncpg.Record | None:
    return await db.fetchrow(f'SELECT {USER_COLS} FROM "user" u WHERE lower(u.email) = lower($1)', email)


async def insert(
    conn: Executor,
    *,
    user_id: str,
    first_name: str,
    last_name: str,
    email: str,
    email_verified: bool = False,
) -> asyncpg.Record | None:
    """Create a user; None when the email is taken (case-insensitively)."""
    return await conn.fetchrow(
        """INSERT INTO "user" AS u (id, name, email, "emailVerified", "firstName", "lastName", "createdAt", "updatedAt")
           VALUES ($1, $2 || ' ' || $3, $4, $5, $2, $3, now(), now())
           ON CONFLICT DO NOTHING
           RETURNING """
        + USER_COLS,
        user_id,
        first_name,
        last_name,
        email,
        email_verified,
    )


async def set_names(
    db: Executor, user_id: str, first_name: str, last_name: str, *, image: str | None = None, set_image: bool = False
) -> asyncpg.Record | None:
    """The names (and `name`, first + ' ' + last), and with `set_image` the image (None removes it)."""
    notify.changed()
    return await db.fetchrow(
        """UPDATE "user" AS u SET "firstName" = $2, "lastName" = $3, name = $2 || ' ' || $3,
               image = CASE WHEN $5 THEN $4 ELSE image END, "updatedAt" = now()
           WHERE id = $1 RETURNING """
        + USER_COLS,
        user_id,
        first_name,
        last_name,
        image,
        set_image,
    )


async def mark_verified(db: Executor, user_id: str, email: str | None = None) -> asyncpg.Record | None:
    """Set emailVerified (only while the address is still `email`, when given: a link for an old address does not
    verify a new one)."""
    notify.changed()
    return await db.fetchrow(
        """UPDATE "user" AS u SET "emailVerified" = true, "updatedAt" = now()
           WHERE id = $1 AND ($2::text IS NULL OR lower(email) = lower($2)) RETURNING """
        + USER_COLS,
        user_id,
        email,
    )


async def change_email(db: Executor, user_id: str, new_email: str) -> asyncpg.Record | None:
    """Move the user to `new_email`, verified (the link was opened at that address). None when it is taken: the
    unique index on lower(email) decides races."""
    notify.changed()
    try:
        return await db.fetchrow(
            """UPDATE "user" AS u SET email = $2, "emailVerified" = true, "updatedAt" = now()
               WHERE id = $1 RETURNING """
            + USER_COLS,
            user_id,
            new_email,
        )
    except asyncpg.UniqueViolationError:
        return None


async def delete(db: Executor, user_id: str) -> int:
    """Delete the user; sessions and accounts go with it (ON DELETE CASCADE)."""
    notify.changed()
    return count(await db.execute('DELETE FROM "user" WHERE id = $1', user_id))
