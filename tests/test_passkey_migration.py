"""Migration 0300 on a Better Auth database with the passkey plugin (the schema its migrator makes, from
tests/fixtures/better_auth/better-auth-1.7-plugins-postgres-schema.sql): the `passkey` table and its rows stay as
they are, a unique index on "credentialID" is added, and a passkey Better Auth registered signs in here. Two rows
sharing one credential id stop the migration, with a hint, and nothing is half-applied."""

from __future__ import annotations

import base64
import secrets
import string
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from chatbot_agent.auth.methods import migration_sources
from chatbot_agent.db import migrate

from .passkey_support import SoftAuthenticator, b64url
from .support import make_settings, running_app

pytestmark = pytest.mark.asyncio(loop_scope="session")

SCHEMA = (
    Path(__file__).parent / "fixtures" / "better_auth" / "better-auth-1.7-plugins-postgres-schema.sql"
).read_text()
ORIGIN = "http://localhost:8000"
SIGN_IN_OPTIONS = "mutation { passkeySignInOptions { ... on PasskeyOptions { options } } }"
SIGN_IN = """mutation($input: SignInWithPasskeyInput!) { signInWithPasskey(input: $input) {
  __typename ... on AuthSuccess { user { id email firstName } } ... on AuthError { code message } } }"""


def ba_id() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


async def better_auth_user(conn, email: str) -> str:
    user_id = ba_id()
    now = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    await conn.execute(
        """INSERT INTO "user" (id, name, email, "emailVerified", "createdAt", "updatedAt", "twoFactorEnabled",
                               "firstName", "lastName") VALUES ($1, 'Ada Lovelace', $2, true, $3, $3, false, 'Ada',
                               'Lovelace')""",
        user_id,
        email,
        now,
    )
    return user_id


async def better_auth_passkey(
    conn, user_id: str, authenticator: SoftAuthenticator, *, credential_id: str | None = None
):
    """A row as @better-auth/passkey writes it after verify-registration (random user handle on the device)."""
    response = authenticator.create(
        {"rp": {"id": "localhost"}, "user": {"id": b64url(secrets.token_bytes(16))}, "challenge": "AAAA"}
    )
    cred = authenticator.credentials[-1]
    await conn.execute(
        """INSERT INTO passkey (id, name, "publicKey", "userId", "credentialID", counter, "deviceType", "backedUp",
                                transports, "createdAt", aaguid)
           VALUES ($1, 'iCloud Keychain', $2, $3, $4, 3, 'multiDevice', true, 'internal,hybrid', $5,
                   'fbfc3007-154e-4ecc-8c0b-6e020557d7bd')""",
        ba_id(),
        base64.b64encode(cred.cose_public_key()).decode(),
        user_id,
        credential_id or response["id"],
        datetime(2024, 5, 1, tzinfo=UTC),
    )
    cred.counter = 3
    return cred


async def test_a_better_auth_passkey_table_is_adopted_and_its_passkeys_sign_in(databases, tmp_path):
    dsn = await databases.create("ba_passkey", migrated=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(SCHEMA)
        user_id = await better_auth_user(conn, "ada@example.com")
        authenticator = SoftAuthenticator(ORIGIN)
        await better_auth_passkey(conn, user_id, authenticator)
        before = [dict(r) for r in await conn.fetch("SELECT * FROM passkey")]

        applied = await migrate.migrate(conn, migration_sources())
        assert 300 in [m.version for m in applied]
        assert [dict(r) for r in await conn.fetch("SELECT * FROM passkey")] == before  # rows kept as they were
        indexes = {
            r["indexname"] for r in await conn.fetch("SELECT indexname FROM pg_indexes WHERE tablename = 'passkey'")
        }
        assert indexes == {"passkey_pkey", "passkey_userId_idx", "passkey_credentialID_idx", "passkey_credentialID_key"}
        assert await migrate.migrate(conn, migration_sources()) == []  # a second run applies nothing
    finally:
        await conn.close()

    async with running_app(make_settings(dsn, tmp_path)) as (_, api):
        options = (await api(SIGN_IN_OPTIONS))["passkeySignInOptions"]["options"]
        result = (await api(SIGN_IN, {"input": {"response": authenticator.get(options)}}))["signInWithPasskey"]
        assert result["__typename"] == "AuthSuccess", result
        assert result["user"] == {"id": user_id, "email": "ada@example.com", "firstName": "Ada"}


async def test_two_rows_with_one_credential_id_stop_the_migration(databases):
    dsn = await databases.create("ba_passkey_dupes", migrated=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(SCHEMA)
        ada = await better_auth_user(conn, "ada@example.com")
        eve = await better_auth_user(conn, "eve@example.com")
        cred = await better_auth_passkey(conn, ada, SoftAuthenticator(ORIGIN))
        await better_auth_passkey(conn, eve, SoftAuthenticator(ORIGIN), credential_id=cred.id)
        with pytest.raises(migrate.MigrationError) as failure:
            await migrate.migrate(conn, migration_sources())
        message = str(failure.value)
        assert "0300_passkey failed and was rolled back" in message
        assert 'several rows share one "credentialID"' in message and "hint: delete the duplicates" in message
        assert await migrate.applied_versions(conn) == []  # the whole run rolled back
        assert await conn.fetchval("SELECT count(*) FROM passkey") == 2

        await conn.execute('DELETE FROM passkey WHERE "userId" = $1', eve)  # the fix
        assert 300 in [m.version for m in await migrate.migrate(conn, migration_sources())]
    finally:
        await conn.close()
