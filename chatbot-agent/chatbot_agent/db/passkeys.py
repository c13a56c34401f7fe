"""The `passkey` table (Better Auth's passkey plugin): WebAuthn credentials, one row each. Encodings in
auth/methods/passkey/ceremony.py; `credentialID` is unique (migration 0300)."""

from __future__ import annotations

import asyncpg

from .common import Executor, count

COLS = (
    'id, name, "publicKey", "userId", "credentialID", counter, "deviceType", "backedUp", transports, '
    '"createdAt", aaguid'
)


async def insert(
    db: Executor,
    *,
    passkey_id: str,
    user_id: str,
    name: str | None,
    public_key: str,
    credential_id: str,
    counter: int,
    device_type: str,
    backed_up: bool,
    transports: str | None,
    aaguid: str | None,
) -> asyncpg.Record | None:
    """The new row, or None when the credential is registered already (to anyone)."""
    return await db.fetchrow(
        f"""INSERT INTO passkey (id, name, "publicKey", "userId", "credentialID", counter, "deviceType", "backedUp",
                                transports, "createdAt", aaguid)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), $10)
            ON CONFLICT ("credentialID") DO NOTHING
            RETURNING {COLS}""",
        passkey_id,
        name,
        public_key,
        user_id,
        credential_id,
        counter,
        device_type,
        backed_up,
        transports,
        aaguid,
    )


async def of_user(db: Executor, user_id: str) -> list[asyncpg.Record]:
    return await db.fetch(
        f'SELECT {COLS} FROM passkey WHERE "userId" = $1 ORDER BY "createdAt" DESC NULLS LAST, id', user_id
    )


async def by_credential_id(db: Executor, credential_id: str) -> asyncpg.Record | None:
    return await db.fetchrow(f'SELECT {COLS} FROM passkey WHERE "credentialID" = $1', credential_id)


async def rename(db: Executor, user_id: str, passkey_id: str, name: str) -> asyncpg.Record | None:
    return await db.fetchrow(
        f'UPDATE passkey SET name = $3 WHERE id = $2 AND "userId" = $1 RETURNING {COLS}', user_id, passkey_id, name
    )


async def delete(db: Executor, user_id: str, passkey_id: str) -> asyncpg.Record | None:
    """The deleted row (its name, for the notice), or None when the user has no such passkey."""
    return await db.fetchrow(
        f'DELETE FROM passkey WHERE id = $2 AND "userId" = $1 RETURNING {COLS}', user_id, passkey_id
    )


async def advance_counter(db: Executor, passkey_id: str, seen: int, new: int, *, backed_up: bool) -> bool:
    """Store the signature counter of a verified sign-in, only if no other sign-in moved it meanwhile (of two
    concurrent uses of one signature count, one fails). Authenticators that do not count stay at 0."""
    status = await db.execute(
        'UPDATE passkey SET counter = $3, "backedUp" = $4 WHERE id = $1 AND counter = $2',
        passkey_id,
        seen,
        new,
        backed_up,
    )
    return count(status) == 1
