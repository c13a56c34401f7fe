"""Taking over a Better Auth 1.7 database that used the twoFactor and magicLink plugins (the schema its migrator
made, `pg_dump -s`): `migrate` keeps the `twoFactor` table and its rows, adds only our column, and a Better Auth
user with two-factor on still needs a second factor and can finish with one of their Better Auth backup codes
(kept as a plain JSON list by Better Auth); the code is then spent and the list sealed."""

from __future__ import annotations

import json
import secrets

import asyncpg
import pytest
from chatbot_agent.auth.methods import migration_sources
from chatbot_agent.db import migrate

from .support import ME, make_settings, running_app
from .test_better_auth import FIXTURES, ba_hash, ba_id
from .test_two_factor import SIGN_IN_2FA, verify

pytestmark = pytest.mark.asyncio(loop_scope="session")

SCHEMA = (FIXTURES / "better-auth-1.7-plugins-postgres-schema.sql").read_text()
PASSWORD = "their old password 1234"
THEIR_CODES = ["AbCdE-fGhIj", "KlMnO-pQrSt", "UvWxY-z0123"]


async def test_a_better_auth_two_factor_user_keeps_a_second_factor_and_their_backup_codes(databases, tmp_path):
    dsn = await databases.create("ba_2fa", migrated=False)
    user_id, email = ba_id(), f"ba.{secrets.token_hex(4)}@example.com"
    # Better Auth's secret is its own ciphertext (XChaCha20-Poly1305 under BETTER_AUTH_SECRET, hex); not ours.
    their_secret = secrets.token_hex(60)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(SCHEMA)
        await conn.execute(
            """INSERT INTO "user" (id, name, email, "emailVerified", "createdAt", "updatedAt", "twoFactorEnabled",
                                   "firstName", "lastName")
               VALUES ($1, 'Ada Lovelace', $2, true, now(), now(), true, 'Ada', 'Lovelace')""",
            user_id,
            email,
        )
        await conn.execute(
            """INSERT INTO account (id, "accountId", "providerId", "userId", password, "createdAt", "updatedAt")
               VALUES ($1, $2, 'credential', $2, $3, now(), now())""",
            ba_id(),
            user_id,
            ba_hash(PASSWORD),
        )
        await conn.execute(
            """INSERT INTO "twoFactor" (id, secret, "backupCodes", "userId", verified) VALUES ($1, $2, $3, $4, true)""",
            ba_id(),
            their_secret,
            json.dumps(THEIR_CODES),
            user_id,
        )
        assert [m.version for m in await migrate.migrate(conn, migration_sources())]
        assert await migrate.migrate(conn, migration_sources()) == []  # a second run applies nothing
        row = await conn.fetchrow(
            'SELECT secret, "backupCodes", "lastUsedStep" FROM "twoFactor" WHERE "userId" = $1', user_id
        )
        assert (row["secret"], json.loads(row["backupCodes"]), row["lastUsedStep"]) == (their_secret, THEIR_CODES, None)
    finally:
        await conn.close()

    async with running_app(make_settings(dsn, tmp_path)) as (_, api):
        pending = (await api(SIGN_IN_2FA, {"input": {"email": email, "password": PASSWORD}}))["signIn"]
        assert pending["__typename"] == "TwoFactorRequired"  # two-factor stays on
        refused = await verify(api, "123456")  # their TOTP secret is not ours to open: refused, not an error
        assert (refused["__typename"], refused["code"]) == ("AuthError", "INVALID_CREDENTIALS")
        assert (await verify(api, "abcde-fghij"))["code"] == "INVALID_CREDENTIALS"  # theirs are case-sensitive
        done = await verify(api, THEIR_CODES[0])
        assert done["__typename"] == "AuthSuccess" and done["user"]["email"] == email
        assert (await api(ME))["me"]["email"] == email
        await api("mutation { signOut }")
        assert (await api(SIGN_IN_2FA, {"input": {"email": email, "password": PASSWORD}}))["signIn"][
            "__typename"
        ] == "TwoFactorRequired"
        assert (await verify(api, THEIR_CODES[0]))["code"] == "INVALID_CREDENTIALS"  # spent
        assert (await verify(api, THEIR_CODES[1]))["__typename"] == "AuthSuccess"

    conn = await asyncpg.connect(dsn)
    try:
        stored = await conn.fetchval('SELECT "backupCodes" FROM "twoFactor" WHERE "userId" = $1', user_id)
    finally:
        await conn.close()
    assert stored.startswith("v1.") and not any(c in stored for c in THEIR_CODES)  # sealed now
