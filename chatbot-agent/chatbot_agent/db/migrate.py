"""Versioned SQL migrations (`migrations/NNNN_name.sql`), applied in order in one transaction (each in a savepoint),
under a transaction-level advisory lock so that instances starting at once never collide. Applied versions are
recorded in `auth_migrations`.

The lock is transaction-level on purpose: through PgBouncer in transaction mode (Neon's `-pooler` endpoints) every
transaction may run on another server connection, so a session-level lock and its unlock could land on different
ones and the lock would outlive the run. A transaction keeps its server connection to the end."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import asyncpg
from asyncpg.pool import PoolConnectionProxy

Connection = asyncpg.Connection | PoolConnectionProxy  # a connection of its own, or one from the pool

log = logging.getLogger(__name__)

# Arbitrary constant: the advisory-lock key of this service's migrations.
LOCK_KEY = 0x6368_6174_6175_7468 & 0x7FFF_FFFF_FFFF_FFFF
NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    """A migration the database refused; its transaction was rolled back, so none of it is applied."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


CORE = "chatbot_agent.db"


def available(sources: Sequence[str] = (CORE,)) -> list[Migration]:
    """The migrations in the `migrations/` folder of each package in `sources`: the core's, and those that sign-in
    methods bring in their own folders (`auth.methods.migration_sources()`). Versions are global: the core uses
    0001-0099 and each method its own block (auth/methods/README.md)."""
    found = []
    for package in dict.fromkeys(sources):
        folder = resources.files(package).joinpath("migrations")
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            match = NAME.match(entry.name)
            if match:
                found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    if len({m.version for m in found}) != len(found):
        raise RuntimeError("two migrations share a version number")
    return found


async def applied_versions(conn: Connection) -> list[int]:
    exists = await conn.fetchval("SELECT to_regclass('auth_migrations') IS NOT NULL")
    if not exists:
        return []
    return [r["version"] for r in await conn.fetch("SELECT version FROM auth_migrations ORDER BY version")]


async def migrate(conn: Connection, sources: Sequence[str] = (CORE,)) -> list[Migration]:
    """Apply the pending migrations; returns those applied. Safe to run concurrently from many processes, and
    through a transaction pooler. A failure rolls the whole run back."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", LOCK_KEY)
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS auth_migrations (
                   version integer PRIMARY KEY,
                   name text NOT NULL,
                   "appliedAt" timestamp with time zone NOT NULL DEFAULT now())"""
        )
        done = set(await applied_versions(conn))
        applied = []
        for m in available(sources):
            if m.version in done:
                continue
            try:
                async with conn.transaction():
                    await conn.execute(m.sql)
                    await conn.execute("INSERT INTO auth_migrations (version, name) VALUES ($1, $2)", m.version, m.name)
            except asyncpg.PostgresError as exc:
                hint = f"\nhint: {exc.hint}" if getattr(exc, "hint", None) else ""
                failed = f"migration {m.version:04d}_{m.name} failed and was rolled back"
                raise MigrationError(f"{failed}: {exc}{hint}") from exc
            applied.append(m)
    for m in applied:
        log.info("applied migration %04d_%s", m.version, m.name)
    return applied
