"""Classify database failures for logs: a clear line for the operator, never SQL or a password in it."""

from __future__ import annotations

import asyncio

import asyncpg

UNAVAILABLE = (
    OSError,  # refused, reset, unreachable, DNS
    asyncio.TimeoutError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.PostgresConnectionError,
)


def is_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, UNAVAILABLE)


def describe_failure(exc: BaseException) -> tuple[str, bool]:
    """(log message, whether it is a known kind that needs no stack trace)."""
    if is_unavailable(exc):
        return f"database unavailable ({type(exc).__name__})", True
    if isinstance(exc, asyncpg.PostgresError):
        return f"database error {exc.sqlstate} ({type(exc).__name__})", False
    return f"unexpected {type(exc).__name__}", False
