"""The asyncpg pool: bounded, with per-connection timeouts, and a first connect retried with backoff."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from ..config import Settings
from .dsn import Target
from .errors import is_unavailable

log = logging.getLogger(__name__)


async def connect_with_retry(settings: Settings, attempt):
    """Run `attempt()` until it succeeds, retrying unavailability with exponential backoff (Neon computes that
    scaled to zero take a few seconds to wake)."""
    delay = 0.5
    for n in range(settings.db_connect_retries + 1):
        try:
            return await attempt()
        except Exception as exc:
            if not is_unavailable(exc) or n == settings.db_connect_retries:
                raise
            log.warning("database not reachable (%s); retrying in %.1fs", type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 8.0)


async def open_pool(target: Target, settings: Settings) -> asyncpg.Pool:
    async def attempt():
        return await asyncpg.create_pool(
            target.dsn, min_size=settings.db_pool_min, max_size=settings.db_pool_max,
            timeout=settings.db_connect_timeout, command_timeout=settings.db_command_timeout,
            max_inactive_connection_lifetime=300, **target.connect_kwargs,
        )  # fmt: skip

    return await connect_with_retry(settings, attempt)


async def connect(target: Target, settings: Settings) -> asyncpg.Connection:
    async def attempt():
        return await asyncpg.connect(target.dsn, timeout=settings.db_connect_timeout, **target.connect_kwargs)

    return await connect_with_retry(settings, attempt)
