"""What the SQL modules share."""

from __future__ import annotations

from typing import Protocol

CREDENTIAL = "credential"  # account."providerId" of the password account, as Better Auth names it
USER_COLS = 'u.id, u."firstName", u."lastName", u.email, u."emailVerified", u."createdAt"'


class Executor(Protocol):  # asyncpg.Connection or asyncpg.Pool
    async def fetch(self, query: str, *args): ...
    async def fetchrow(self, query: str, *args): ...
    async def fetchval(self, query: str, *args): ...
    async def execute(self, query: str, *args): ...


def count(status: str) -> int:
    """Rows affected, from asyncpg's command status ('DELETE 3')."""
    return int(status.rsplit(" ", 1)[-1])
