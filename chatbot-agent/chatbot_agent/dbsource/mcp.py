"""The MCP configuration (`.mcp.json`) and the MCP client that talks to the servers it declares.

`.mcp.json` is the file AI editors read (`{"mcpServers": {name: {"command", "args", "env"}}}`); it declares the
database the service uses too: the PostgreSQL MCP server's `${DATABASE_URL}`-style argument is the DSN, and Neon's
MCP server answers `get_connection_string` for a Neon project. Secrets stay in `.env` as `${VAR}` references
(`${VAR:-default}` and VS Code's `${env:VAR}` are understood as well).

Servers are started over stdio with the Python `mcp` SDK, in the folder of `.mcp.json`, as the editors do. Every
problem a user can fix raises `McpError` (a `ConfigError`) whose message says what to do.
"""

from __future__ import annotations

import contextlib
import json
import re
import shlex
import shutil
import tempfile
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import ConfigError
from ..logs import redact

SCHEMES = ("postgres://", "postgresql://")
POSTGRES_SERVER_MARK = "server-postgres"  # @modelcontextprotocol/server-postgres, or its bin mcp-server-postgres
VAR = re.compile(r"\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
DSN_IN_TEXT = re.compile(r"postgres(?:ql)?://[^\s\"'`<>]+")
STARTUP_TIMEOUT = 120.0  # seconds: `npx -y` downloads the server on first use
REQUEST_TIMEOUT = 60.0


class McpError(ConfigError):
    """.mcp.json or one of its servers is not usable; the message says what to do."""


class UnsetVariable(McpError):
    def __init__(self, server: ServerSpec, names: list[str]) -> None:
        self.server, self.names = server, names
        refs = ", ".join(f"${{{n}}}" for n in names)
        super().__init__(
            f"server '{server.name}' in {server.config} needs {refs}, which is not set "
            "(set it in the environment or in .env)"
        )


# ------------------------------------------------------------------------------------------------ configuration


@dataclass(frozen=True)
class ServerSpec:
    name: str
    command: str
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    config: Path = Path(".mcp.json")

    @property
    def cwd(self) -> Path:
        return self.config.resolve().parent

    def describe(self) -> str:
        """The command line as written in .mcp.json (unexpanded, so no secret shows)."""
        return shlex.join([self.command, *self.args])

    def is_postgres(self) -> bool:
        return any(POSTGRES_SERVER_MARK in part for part in (self.command, *self.args))

    def expand(self, text: str, env: Mapping[str, str]) -> str:
        missing = missing_variables(text, env)
        if missing:
            raise UnsetVariable(self, missing)
        return VAR.sub(lambda m: env.get(m[1]) or m[2] or "", text)

    def database_url(self, env: Mapping[str, str]) -> str:
        """The DSN this server connects to: its argument (or env value) that is a postgres:// URL once expanded.

        Raises UnsetVariable when the DSN (or an argument that may be it) references an unset variable."""
        unresolved: list[str] = []
        for raw in (*self.args, *self.env.values()):
            missing = missing_variables(raw, env)
            partial = VAR.sub(lambda m: env.get(m[1]) or m[2] or m[0], raw)
            if partial.startswith(SCHEMES):
                if missing:
                    raise UnsetVariable(self, missing)
                return partial
            if missing and VAR.fullmatch(raw):
                unresolved += missing  # a bare ${VAR}: maybe the DSN, we cannot tell until it is set
        if unresolved:
            raise UnsetVariable(self, unresolved)
        raise McpError(
            f"server '{self.name}' in {self.config} has no postgresql:// argument "
            f"({self.describe()}); name the PostgreSQL server with MCP_DB_SERVER"
        )


def missing_variables(text: str, env: Mapping[str, str]) -> list[str]:
    return [m[1] for m in VAR.finditer(text) if not env.get(m[1]) and m[2] is None]


@dataclass(frozen=True)
class McpConfig:
    path: Path
    servers: dict[str, ServerSpec]

    def server(self, name: str, setting: str) -> ServerSpec:
        if name not in self.servers:
            known = ", ".join(sorted(self.servers)) or "none"
            raise McpError(f"{self.path} has no server named '{name}' ({setting}); its servers: {known}")
        return self.servers[name]

    def database_server(self, name: str | None) -> ServerSpec | None:
        """The server named MCP_DB_SERVER, else the first one running @modelcontextprotocol/server-postgres."""
        if name:
            return self.server(name, "MCP_DB_SERVER")
        return next((s for s in self.servers.values() if s.is_postgres()), None)


def load(path: Path) -> McpConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise McpError(
            f"{path} not found: the repository ships one at its root; run from there or set MCP_CONFIG to its path"
        ) from None
    except OSError as exc:
        raise McpError(f"{path} cannot be read: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise McpError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    servers = data.get("mcpServers", data.get("servers")) if isinstance(data, dict) else None
    if not isinstance(servers, dict):
        raise McpError(f'{path} has no "mcpServers" object (expected {{"mcpServers": {{"name": {{"command": ...}}}}}})')
    specs = {}
    for name, entry in servers.items():
        if not isinstance(entry, dict):
            raise McpError(f"server '{name}' in {path} is not an object")
        if "command" not in entry and "url" in entry:
            specs[name] = ServerSpec(name, "", config=path)  # remote server: fine for editors, not startable here
            continue
        command, args, env = entry.get("command"), entry.get("args", []), entry.get("env", {})
        if not isinstance(command, str) or not command.strip():
            raise McpError(f"server '{name}' in {path} has no \"command\"")
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            raise McpError(f"server '{name}' in {path}: \"args\" must be a list of strings")
        if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
            raise McpError(f"server '{name}' in {path}: \"env\" must map names to strings")
        specs[name] = ServerSpec(name, command, tuple(args), dict(env), path)
    return McpConfig(path, specs)


# ------------------------------------------------------------------------------------------------------- client


@contextlib.asynccontextmanager
async def session(spec: ServerSpec, env: Mapping[str, str]) -> AsyncIterator[Any]:
    """An initialized `mcp.Client` to the server, started over stdio with its ${VAR}s expanded."""
    from mcp import Client, StdioServerParameters
    from mcp.client.stdio import stdio_client
    from mcp.types import Implementation

    if not spec.command:
        raise McpError(
            f"server '{spec.name}' in {spec.config} is a remote (URL) server; chatbot-agent starts stdio servers only"
        )
    command = spec.expand(spec.command, env)
    params = StdioServerParameters(
        command=command,
        args=[spec.expand(a, env) for a in spec.args],
        env={k: spec.expand(v, env) for k, v in spec.env.items()},
        cwd=spec.cwd,
    )
    if shutil.which(command, path=env.get("PATH")) is None and not (spec.cwd / command).is_file():
        hint = " (npx comes with Node.js ≥ 20: https://nodejs.org)" if command in ("npx", "node") else ""
        raise McpError(f"MCP server '{spec.name}': command '{command}' not found{hint}")
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as errlog:
        client = Client(
            stdio_client(params, errlog=errlog),
            mode="legacy",
            read_timeout_seconds=STARTUP_TIMEOUT,
            client_info=Implementation(name="chatbot-agent", version="0.1.0"),
        )
        started = False
        try:
            async with client:
                started = True
                yield client
        except Exception as exc:
            leaf = _leaf(exc)
            if started or isinstance(leaf, McpError):
                if leaf is exc:
                    raise
                raise leaf from None
            raise McpError(
                f"MCP server '{spec.name}' ({spec.describe()}) did not start: {_describe(leaf, errlog)}"
            ) from None


def _describe(leaf: BaseException, errlog) -> str:
    errlog.flush()
    errlog.seek(0)
    lines = [line.strip() for line in errlog.read().splitlines() if line.strip()]
    detail = str(leaf) or type(leaf).__name__
    if isinstance(leaf, TimeoutError):
        detail = f"no answer within {STARTUP_TIMEOUT:.0f} s"
    if lines:
        detail += f"; it said: {lines[-1][:300]}"
    return redact(detail)


def _leaf(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _text(result) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content).strip()


async def tools(client) -> dict[str, Any]:
    return {tool.name: tool for tool in (await client.list_tools()).tools}


def _arguments(tool, values: dict[str, Any]) -> dict[str, Any]:
    """Neon's tools take their arguments wrapped in `params` (newer releases) or flat (older): follow the schema."""
    values = {k: v for k, v in values.items() if v is not None}
    properties = (tool.input_schema or {}).get("properties", {})
    return {"params": values} if "params" in properties and not set(values) & set(properties) else values


async def call(client, tool, values: dict[str, Any], server: str) -> str:
    """Call a tool; its text, or McpError with the server's (redacted) message."""
    from mcp import MCPError

    try:
        result = await client.call_tool(tool.name, _arguments(tool, values), read_timeout_seconds=REQUEST_TIMEOUT)
    except MCPError as exc:
        raise McpError(f"MCP server '{server}', tool {tool.name}: {redact(str(exc))}") from None
    text = _text(result)
    if result.is_error:
        raise McpError(f"MCP server '{server}', tool {tool.name}: {redact(text)[:500]}")
    return text


async def neon_connection_string(
    spec: ServerSpec,
    env: Mapping[str, str],
    *,
    project_id: str,
    branch_id: str | None = None,
    database: str | None = None,
    role: str | None = None,
) -> str:
    """Ask Neon's MCP server (`get_connection_string`) for the DSN of a project's branch/database/role."""
    async with session(spec, env) as client:
        offered = await tools(client)
        return await connection_string(
            client, offered, spec.name, project_id=project_id, branch_id=branch_id, database=database, role=role
        )


async def connection_string(
    client,
    offered: dict[str, Any],
    server: str,
    *,
    project_id: str,
    branch_id: str | None,
    database: str | None,
    role: str | None,
) -> str:
    tool = offered.get("get_connection_string")
    if tool is None:
        raise McpError(
            f"MCP server '{server}' has no get_connection_string tool (is it Neon's MCP server?); "
            f"it offers: {', '.join(sorted(offered)) or 'nothing'}"
        )
    text = await call(
        client,
        tool,
        {"projectId": project_id, "branchId": branch_id, "databaseName": database, "roleName": role},
        server,
    )
    match = DSN_IN_TEXT.search(text)
    if not match:
        raise McpError(f"MCP server '{server}' answered get_connection_string without a postgresql:// URL")
    return match[0]


SQL_TOOLS = ("query", "run_sql")  # @modelcontextprotocol/server-postgres, Neon's MCP server


async def run_sql(client, offered: dict[str, Any], server: str, sql: str, **context: Any) -> list[dict]:
    """Run a read-only query through the server's SQL tool; the rows as dicts."""
    tool = next((offered[name] for name in SQL_TOOLS if name in offered), None)
    if tool is None:
        raise McpError(
            f"MCP server '{server}' offers no SQL tool ({' or '.join(SQL_TOOLS)}); "
            f"it offers: {', '.join(sorted(offered)) or 'nothing'}"
        )
    values = {"sql": sql, **(context if tool.name == "run_sql" else {})}
    text = await call(client, tool, values, server)
    try:
        rows = json.loads(text)
    except json.JSONDecodeError:
        raise McpError(f"MCP server '{server}', tool {tool.name}: the answer is not JSON rows: {text[:200]}") from None
    return rows if isinstance(rows, list) else [rows]
