"""`chatbot-agent check-db`: the database seen through the MCP server of `.mcp.json`, then directly, compared.

Through MCP (the Python `mcp` client, stdio): list the server's tools and run a read-only query for the auth tables
and the applied migration version — with @modelcontextprotocol/server-postgres's `query` tool, or, on the Neon
route (NEON_PROJECT_ID), `get_connection_string` then `run_sql` of Neon's server. Directly: the same query over
asyncpg with the service's own connection settings. Both must see the same database (name, server start time,
tables, version). Exit code 0 when they do, 1 otherwise or on any problem, whose message says what to do.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

from ..config import ConfigError, Settings, load_environment
from . import dsn, mcp, pool

IDENTITY_SQL = """SELECT current_database() AS database, current_user AS "user",
       pg_postmaster_start_time()::text AS started,
       array(SELECT tablename::text FROM pg_tables
              WHERE schemaname = current_schema()
                AND (tablename IN ('user', 'session', 'account', 'verification') OR tablename LIKE 'auth\\_%')
              ORDER BY 1) AS tables"""
VERSION_SQL = "SELECT coalesce(max(version), 0) AS version FROM auth_migrations"


@dataclass(frozen=True)
class View:
    database: str
    user: str
    started: str
    tables: tuple[str, ...]
    version: int | None  # None: not migrated

    @classmethod
    def of(cls, row: Mapping[str, Any] | asyncpg.Record, version_rows: list[Any] | None) -> View:
        version = int(version_rows[0]["version"]) if version_rows else None
        return cls(row["database"], row["user"], str(row["started"]), tuple(row["tables"] or ()), version)

    @property
    def identity(self) -> tuple:
        return self.database, self.started, self.tables, self.version

    def describe(self) -> str:
        schema = f"migration version {self.version}" if self.version is not None else "not migrated"
        tables = ", ".join(self.tables) or "no auth tables"
        return f"database {self.database} as {self.user}; {tables}; {schema}"


async def check_db(settings: Settings, env: Mapping[str, str] | None = None, out=None) -> int:
    env = load_environment() if env is None else env
    out = out or sys.stdout
    say = lambda text: print(text, file=out, flush=True)
    try:
        return await _check(settings, env, say)
    except ConfigError as exc:
        say(f"FAILED: {exc}")
        return 1


async def _check(settings: Settings, env: Mapping[str, str], say: Callable[[str], None]) -> int:
    config = mcp.load(settings.mcp_config)
    say(f"MCP configuration {config.path}: servers {', '.join(config.servers) or 'none'}")
    server = config.database_server(settings.mcp_db_server)
    postgres_route = bool(settings.database_url or settings.mcp_db_server or not settings.neon_project_id)
    if postgres_route:
        if server is None:
            raise mcp.McpError(
                f"{config.path} declares no PostgreSQL MCP server (@modelcontextprotocol/"
                "server-postgres), so AI tools do not see the service's database; add one as in the "
                "repository's .mcp.json, or name it with MCP_DB_SERVER"
            )
        try:
            server.database_url(env)
        except mcp.UnsetVariable as exc:
            raise mcp.McpError(
                f"{exc}; until then the service runs on the embedded PostgreSQL, which no MCP server "
                "sees (README: Use Neon)"
            ) from None
        target = await dsn.resolve(settings, env)
        _describe_target(target, say)
        async with mcp.session(server, env) as client:
            offered = await mcp.tools(client)
            say(f"MCP server '{server.name}' ({server.describe()}): tools {', '.join(offered) or 'none'}")
            via_mcp: View | None = await _inspect(client, offered, server.name)
    else:
        server = config.server(settings.neon_mcp_server, "NEON_MCP_SERVER")
        context = {
            "projectId": settings.neon_project_id,
            "branchId": settings.neon_branch_id,
            "databaseName": settings.neon_database,
        }
        async with mcp.session(server, env) as client:
            offered = await mcp.tools(client)
            say(f"MCP server '{server.name}' ({server.describe()}): tools {', '.join(offered) or 'none'}")
            text = await mcp.connection_string(
                client,
                offered,
                server.name,
                project_id=settings.neon_project_id or "",
                branch_id=settings.neon_branch_id,
                database=settings.neon_database,
                role=settings.neon_role,
            )
            target = dsn.Target.of(text, dsn.neon_source(settings), settings)
            _describe_target(target, say)
            has_sql = any(name in offered for name in mcp.SQL_TOOLS)
            via_mcp = await _inspect(client, offered, server.name, **context) if has_sql else None
    if via_mcp is None:
        say(f"through MCP '{server.name}': it offers no SQL tool; only the connection string was checked")
    else:
        say(f"through MCP '{server.name}': {via_mcp.describe()}")
    direct = await _inspect_direct(target, settings)
    say(f"directly (asyncpg): {direct.describe()}")
    if target.direct_dsn:
        conn = await pool.connect(target, settings)
        await conn.close()
        say("directly (asyncpg), admin endpoint for migrations: connected")
    if via_mcp is not None and via_mcp.identity != direct.identity:
        say(f"MISMATCH: the service and MCP server '{server.name}' do not see the same database")
        return 1
    if direct.version is None:
        say("the auth tables are missing: run `chatbot-agent migrate`")
    say(f"OK: the service and MCP server '{server.name}' use the same database")
    return 0


def _describe_target(target: dsn.Target, say: Callable[[str], None]) -> None:
    say(f"service database: {target.source}: {target.redacted}")
    for note in target.notes:
        say(f"  {note}")


async def _inspect(client, offered: dict, server: str, **context: Any) -> View:
    try:
        row = (await mcp.run_sql(client, offered, server, IDENTITY_SQL, **context))[0]
        versions = None
        if "auth_migrations" in (row.get("tables") or ()):
            versions = await mcp.run_sql(client, offered, server, VERSION_SQL, **context)
    except mcp.McpError as exc:
        raise mcp.McpError(f"through MCP server '{server}': {pool.explain(str(exc))}") from None
    return View.of(row, versions)


async def _inspect_direct(target: dsn.Target, settings: Settings) -> View:
    """The query over the service's own connection settings (its pooled endpoint, statement cache and TLS)."""
    conn = await pool.connect(target, settings, admin=False)
    try:
        async with conn.transaction(readonly=True):
            row = await conn.fetchrow(IDENTITY_SQL)
            assert row is not None  # a SELECT without FROM always answers one row
            versions = await conn.fetch(VERSION_SQL) if "auth_migrations" in row["tables"] else None
    finally:
        await conn.close()
    return View.of(row, versions)
