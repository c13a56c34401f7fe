"""One store for one-time tokens of every kind: password resets, email verification, email change, account
deletion, and whatever sign-in methods add (magic links, second-factor challenges, WebAuthn challenges).

`create(kind, subject, ttl)` returns a fresh random token and stores only its SHA-256, under `<kind>:<hash>`;
`consume(kind, token)` deletes the row and returns it, so a token works once, only for its kind, only before it
expires, and of two concurrent uses exactly one wins. `peek` looks without using the token up."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from ...db import verifications as rows
from ...db.common import Executor
from .ids import hash_token, new_id, new_token
from .validation import plausible_token


@dataclass(frozen=True)
class Verification:
    kind: str
    subject: str
    expires_at: datetime
    data: dict[str, Any] = field(default_factory=dict)


class Verifications:
    def __init__(self, db: Executor) -> None:
        self.db = db

    @staticmethod
    def identifier(kind: str, token: str) -> str:
        if ":" in kind:
            raise ValueError("a verification kind has no ':'")
        return f"{kind}:{hash_token(token)}"

    async def create(
        self,
        kind: str,
        subject: str,
        ttl: timedelta | int,
        *,
        data: dict[str, Any] | None = None,
        db: Executor | None = None,
    ) -> str:
        seconds = ttl if isinstance(ttl, timedelta) else timedelta(seconds=ttl)
        token = new_token()
        await rows.insert(
            db or self.db,
            row_id=new_id(),
            identifier=self.identifier(kind, token),
            value=subject,
            expires_at=datetime.now(UTC) + seconds,
            data=json.dumps(data) if data else None,
        )
        return token

    async def peek(self, kind: str, token: str, *, db: Executor | None = None) -> Verification | None:
        if (typed := plausible_token(token)) is None:
            return None
        return self._of(kind, await rows.live(db or self.db, self.identifier(kind, typed)))

    async def consume(self, kind: str, token: str, *, db: Executor | None = None) -> Verification | None:
        if (typed := plausible_token(token)) is None:
            return None
        return self._of(kind, await rows.take(db or self.db, self.identifier(kind, typed)))

    async def revoke_all(self, kind: str, subject: str, *, db: Executor | None = None) -> int:
        """Drop every live token of a kind for one subject (older reset links once the password changed)."""
        return await rows.delete_of(db or self.db, f"{kind}:", subject)

    async def last_created(self, kind: str, subject: str) -> datetime | None:
        return await rows.newest_of(self.db, f"{kind}:", subject)

    @staticmethod
    def _of(kind: str, row: asyncpg.Record | None) -> Verification | None:
        if row is None:
            return None
        return Verification(kind, row["value"], row["expiresAt"], json.loads(row["data"]) if row["data"] else {})
