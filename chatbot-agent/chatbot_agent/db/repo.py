"""Every SQL statement of the service, as small async functions over an asyncpg connection (or pool).

Column names follow Better Auth (camelCase, quoted). Tokens arrive here already hashed; nothing in this module
sees a plaintext token or password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, Sequence

import asyncpg

CREDENTIAL = "credential"
RESET_PREFIX = "reset-password:"


class Executor(Protocol):  # asyncpg.Connection or asyncpg.Pool
    async def fetch(self, query: str, *args): ...
    async def fetchrow(self, query: str, *args): ...
    async def fetchval(self, query: str, *args): ...
    async def execute(self, query: str, *args): ...


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: str
    first_name: str
    last_name: str
    email: str
    email_verified: bool
    created_at: datetime

    @classmethod
    def of(cls, row: asyncpg.Record) -> "UserRecord":
        return cls(row["id"], row["firstName"], row["lastName"], row["email"], row["emailVerified"], row["createdAt"])


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: str
    user_id: str
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    ip_address: str | None
    user_agent: str | None


_USER_COLS = 'u.id, u."firstName", u."lastName", u.email, u."emailVerified", u."createdAt"'


def _count(status: str) -> int:
    return int(status.rsplit(" ", 1)[-1])


# ---------------------------------------------------------------------------------------------------------- users


async def find_credential(db: Executor, email: str) -> tuple[UserRecord, str | None] | None:
    """The user with this email (case-insensitive) and the stored hash of its credential account, if any."""
    row = await db.fetchrow(
        f"""SELECT {_USER_COLS}, a.password FROM "user" u
            LEFT JOIN account a ON a."userId" = u.id AND a."providerId" = '{CREDENTIAL}'
            WHERE lower(u.email) = lower($1)""",
        email,
    )
    return None if row is None else (UserRecord.of(row), row["password"])


async def password_of(db: Executor, user_id: str) -> str | None:
    return await db.fetchval(
        f"""SELECT password FROM account WHERE "userId" = $1 AND "providerId" = '{CREDENTIAL}'""", user_id
    )


async def insert_user(
    conn: asyncpg.Connection, *, user_id: str, account_id: str, first_name: str, last_name: str, email: str,
    password_hash: str,
) -> UserRecord | None:  # fmt: skip
    """Create the user and its credential account (call inside a transaction). None when the email is taken."""
    row = await conn.fetchrow(
        """INSERT INTO "user" AS u (id, name, email, "emailVerified", "firstName", "lastName", "createdAt", "updatedAt")
           VALUES ($1, $2 || ' ' || $3, $4, false, $2, $3, now(), now())
           ON CONFLICT DO NOTHING
           RETURNING """ + _USER_COLS,
        user_id, first_name, last_name, email,
    )  # fmt: skip
    if row is None:
        return None
    await conn.execute(
        """INSERT INTO account (id, "accountId", "providerId", "userId", password, "createdAt", "updatedAt")
           VALUES ($1, $2, $3, $2, $4, now(), now())""",
        account_id, user_id, CREDENTIAL, password_hash,
    )  # fmt: skip
    return UserRecord.of(row)


async def set_password(db: Executor, user_id: str, password_hash: str) -> None:
    """Set the password, creating the credential account of a user who had none (a Better Auth user who only ever
    signed in through a social provider, and now resets a password)."""
    await db.execute(
        f"""INSERT INTO account (id, "accountId", "providerId", "userId", password, "createdAt", "updatedAt")
            VALUES (replace(gen_random_uuid()::text, '-', ''), $1, '{CREDENTIAL}', $1, $2, now(), now())
            ON CONFLICT ("userId") WHERE "providerId" = '{CREDENTIAL}'
            DO UPDATE SET password = EXCLUDED.password, "updatedAt" = now()""",
        user_id, password_hash,
    )  # fmt: skip


async def replace_password_if_unchanged(db: Executor, user_id: str, old_hash: str, new_hash: str) -> bool:
    """Rehash on sign-in: only when nobody changed the password in between."""
    status = await db.execute(
        f"""UPDATE account SET password = $3, "updatedAt" = now()
            WHERE "userId" = $1 AND "providerId" = '{CREDENTIAL}' AND password = $2""",
        user_id, old_hash, new_hash,
    )  # fmt: skip
    return _count(status) == 1


# ------------------------------------------------------------------------------------------------------- sessions


async def insert_session(
    db: Executor, *, session_id: str, token_hash: str, user_id: str, expires_at: datetime,
    ip_address: str | None, user_agent: str | None, replaces: str | None = None,
) -> None:  # fmt: skip
    """Open a session; `replaces` (a token hash) is revoked in the same statement: one round trip, atomic."""
    await db.execute(
        """WITH replaced AS (DELETE FROM session WHERE token = $7)
           INSERT INTO session (id, token, "userId", "expiresAt", "ipAddress", "userAgent", "createdAt", "updatedAt")
           VALUES ($1, $2, $3, $4, $5, $6, now(), now())""",
        session_id, token_hash, user_id, expires_at, ip_address, user_agent, replaces,
    )  # fmt: skip


async def user_by_session_token(db: Executor, token_hash: str) -> tuple[UserRecord, str, datetime] | None:
    """The user of a live session, with the session id and expiry: the one query behind every `me`."""
    row = await db.fetchrow(
        f"""SELECT {_USER_COLS}, s.id AS "sessionId", s."expiresAt" FROM session s
            JOIN "user" u ON u.id = s."userId"
            WHERE s.token = $1 AND s."expiresAt" > now()""",
        token_hash,
    )
    return None if row is None else (UserRecord.of(row), row["sessionId"], row["expiresAt"])


async def user_by_session_id(db: Executor, session_id: str, user_id: str) -> UserRecord | None:
    row = await db.fetchrow(
        f"""SELECT {_USER_COLS} FROM session s JOIN "user" u ON u.id = s."userId"
            WHERE s.id = $1 AND s."userId" = $2 AND s."expiresAt" > now()""",
        session_id, user_id,
    )  # fmt: skip
    return None if row is None else UserRecord.of(row)


async def extend_session(db: Executor, session_id: str, expires_at: datetime) -> None:
    await db.execute('UPDATE session SET "expiresAt" = $2, "updatedAt" = now() WHERE id = $1', session_id, expires_at)


async def delete_session_by_token(db: Executor, token_hash: str) -> int:
    return _count(await db.execute("DELETE FROM session WHERE token = $1", token_hash))


async def delete_session(db: Executor, user_id: str, session_id: str) -> int:
    return _count(await db.execute('DELETE FROM session WHERE id = $1 AND "userId" = $2', session_id, user_id))


async def delete_sessions(db: Executor, user_id: str, *, keep: str | None = None) -> int:
    status = await db.execute(
        'DELETE FROM session WHERE "userId" = $1 AND ($2::text IS NULL OR id <> $2)', user_id, keep
    )
    return _count(status)


async def list_sessions(db: Executor, user_id: str) -> list[SessionRecord]:
    rows = await db.fetch(
        """SELECT id, "userId", "createdAt", "updatedAt", "expiresAt", "ipAddress", "userAgent" FROM session
           WHERE "userId" = $1 AND "expiresAt" > now() ORDER BY "createdAt" DESC""",
        user_id,
    )
    return [SessionRecord(*r.values()) for r in rows]


# -------------------------------------------------------------------------------------------- verification tokens


async def insert_reset_token(db: Executor, *, row_id: str, token_hash: str, user_id: str, expires_at: datetime) -> None:
    await db.execute(
        """INSERT INTO verification (id, identifier, value, "expiresAt", "createdAt", "updatedAt")
           VALUES ($1, $2, $3, $4, now(), now())""",
        row_id, RESET_PREFIX + token_hash, user_id, expires_at,
    )  # fmt: skip


async def reset_token_owner(db: Executor, token_hash: str) -> UserRecord | None:
    """The user a live reset token belongs to (the token stays unused)."""
    row = await db.fetchrow(
        f"""SELECT {_USER_COLS} FROM verification v JOIN "user" u ON u.id = v.value
            WHERE v.identifier = $1 AND v."expiresAt" > now()""",
        RESET_PREFIX + token_hash,
    )
    return None if row is None else UserRecord.of(row)


async def consume_reset_token(conn: asyncpg.Connection, token_hash: str) -> str | None:
    """Delete a live reset token and return its user id; of concurrent callers exactly one gets it."""
    return await conn.fetchval(
        'DELETE FROM verification WHERE identifier = $1 AND "expiresAt" > now() RETURNING value',
        RESET_PREFIX + token_hash,
    )


async def delete_reset_tokens(db: Executor, user_id: str) -> int:
    status = await db.execute(
        "DELETE FROM verification WHERE value = $1 AND identifier LIKE $2", user_id, RESET_PREFIX + "%"
    )
    return _count(status)


# ---------------------------------------------------------------------------------------------------- rate limits


_COUNT_ATTEMPT = """ON CONFLICT (key) DO UPDATE SET
             count = CASE WHEN r."resetAt" <= now() THEN 1 ELSE r.count + 1 END,
             "resetAt" = CASE WHEN r."resetAt" <= now() THEN EXCLUDED."resetAt" ELSE r."resetAt" END
           RETURNING r.key, r.count, r."resetAt" """


async def hit_rate_limits(
    db: Executor, gate: tuple[str, int, int], keys: Sequence[str], windows: Sequence[int]
) -> list[tuple[str, int, datetime]]:
    """Count one attempt against fixed windows, in one round trip: first `gate` (key, window seconds, limit), then
    each of `keys` only while the gate has room. So a request refused by the gate (an address over its budget)
    adds no row for the values it carries (ever new emails): the table grows with the budgets, not with the attack.

    Returns (key, attempts in the current window, when the window ends) for each key counted."""
    rows = await db.fetch(
        f"""WITH gate AS (
             INSERT INTO auth_rate_limit AS r (key, count, "resetAt") VALUES ($1, 1, now() + make_interval(secs => $2))
             {_COUNT_ATTEMPT}
           ), rest AS (
             INSERT INTO auth_rate_limit AS r (key, count, "resetAt")
             SELECT k, 1, now() + make_interval(secs => w) FROM unnest($4::text[], $5::int[]) AS t(k, w)
             WHERE (SELECT count FROM gate) <= $3
             {_COUNT_ATTEMPT}
           )
           SELECT * FROM gate UNION ALL SELECT * FROM rest""",
        gate[0], gate[1], gate[2], list(keys), list(windows),
    )  # fmt: skip
    return [(r["key"], r["count"], r["resetAt"]) for r in rows]


# ----------------------------------------------------------------------------------------------------- upkeep


async def delete_expired(db: Executor) -> dict[str, int]:
    sessions = _count(await db.execute('DELETE FROM session WHERE "expiresAt" <= now()'))
    tokens = _count(await db.execute('DELETE FROM verification WHERE "expiresAt" <= now()'))
    limits = _count(
        await db.execute(
            'DELETE FROM auth_rate_limit WHERE "resetAt" <= now()'
        )
    )
    return {"sessions": sessions, "verificationTokens": tokens, "rateLimits": limits}


async def ping(db: Executor) -> bool:
    return await db.fetchval("SELECT true")
