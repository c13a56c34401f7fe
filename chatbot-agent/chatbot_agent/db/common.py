"""What the SQL modules share."""

from __future__ import annotations

from typing import Any, Protocol

import asyncpg

CREDENTIAL = "credential"  # account."providerId" of the password account, as Better Auth names it
USER_COLS = (
    'u.id, u."firstName", u."lastName", u.email, u."emailVerified", u."createdAt", u.image, u."updatedAt", '
    'coalesce(u."twoFactorEnabled", false) AS "twoFactorEnabled"'  # the column: two-factor's migration 0200
)


class Executor(Protocol):  # asyncpg.Connection, a pool's connection, or asyncpg.Pool
    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]: ...
    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None: ...
    async def fetchval(self, query: str, *args: Any) -> Any: ...
    async def execute(self, query: str, *args: Any) -> str: ...


def count(status: str) -> int:
    """Rows affected, from asyncpg's command status ('DELETE 3')."""
    return int(status.rsplit(" ", 1)[-1])
