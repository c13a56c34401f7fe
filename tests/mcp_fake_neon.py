"""A stand-in for Neon's MCP server (npm @neondatabase/mcp-server-neon), for the tests: the real one needs Neon's API,
which cannot be reached from here. It speaks MCP over stdio (the Python `mcp` SDK's server side) and offers the two
tools chatbot-agent uses, with Neon's argument shape (`{"params": {...}}`) and answer format:

- get_connection_string: the DSN of FAKE_NEON_DSN for project FAKE_NEON_PROJECT (an error for any other project);
- run_sql: runs a query on that database in a read-only transaction and answers the rows as JSON.

Usage, as in .mcp.json: python tests/mcp_fake_neon.py start <NEON_API_KEY>
"""

from __future__ import annotations

import json
import os
import sys

import asyncpg
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel

server = MCPServer("fake-neon")


class ConnectionParams(BaseModel):
    projectId: str
    branchId: str | None = None
    computeId: str | None = None
    databaseName: str | None = None
    roleName: str | None = None


class SqlParams(BaseModel):
    sql: str
    projectId: str
    branchId: str | None = None
    databaseName: str | None = None


def _dsn(project_id: str) -> str:
    if len(sys.argv) < 3 or sys.argv[1] != "start" or not sys.argv[2]:
        raise ToolError("Invalid API key: usage is mcp-server-neon start <NEON_API_KEY>")
    if project_id != os.environ["FAKE_NEON_PROJECT"]:
        raise ToolError(f"Project {project_id} not found")
    return os.environ["FAKE_NEON_DSN"]


@server.tool()
def get_connection_string(params: ConnectionParams) -> str:
    """Get a PostgreSQL connection string for a Neon database."""
    uri = _dsn(params.projectId)
    return "\n".join(
        [
            "Connection string details:",
            f"URI: {uri}",
            f"Project ID: {params.projectId}",
            f"Database: {params.databaseName or 'neondb'}",
            f"Role: {params.roleName or 'neondb_owner'}",
            f"Branch ID: {params.branchId}" if params.branchId else "Using default branch",
            "Using default compute",
            "",
            "You can use this connection string with any PostgreSQL client to connect to your Neon database.",
        ]
    )


@server.tool()
async def run_sql(params: SqlParams) -> str:
    """Execute a single SQL statement against a Neon database."""
    conn = await asyncpg.connect(_dsn(params.projectId))
    try:
        async with conn.transaction(readonly=True):
            rows = await conn.fetch(params.sql)
    finally:
        await conn.close()
    return json.dumps([dict(r) for r in rows], indent=2, default=str)


if __name__ == "__main__":
    server.run("stdio")
