"""The database comes from the MCP configuration: `.mcp.json` parsing and `${VAR}` expansion, the resolution order
(DATABASE_URL, the PostgreSQL MCP server, Neon's MCP server, embedded), Neon's DSN quirks, and `check-db` end to end.

The PostgreSQL MCP server is the real one (npm @modelcontextprotocol/server-postgres, installed from
tests/mcp-servers/package.json) pointed at the session's embedded PostgreSQL over its Unix socket. Neon's MCP server
cannot reach Neon from here, so the `get_connection_string` route runs against tests/mcp_fake_neon.py, a small local
MCP server (stdio, Python `mcp` SDK) offering that tool with Neon's argument shape and answer format.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import ssl
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import asyncpg
import pytest
import pytest_asyncio
from chatbot_agent.auth.methods import migration_sources
from chatbot_agent.config import ConfigError, load_environment
from chatbot_agent.db import migrate
from chatbot_agent.dbsource import check, dsn, mcp, pool

from .support import ROOT, make_settings

pytestmark = pytest.mark.asyncio(loop_scope="session")

MCP_SERVERS = ROOT / "tests" / "mcp-servers"
POSTGRES_BIN = MCP_SERVERS / "node_modules" / ".bin" / "mcp-server-postgres"
FAKE_NEON = ROOT / "tests" / "mcp_fake_neon.py"
NEON_CONSOLE_DSN = (
    "postgresql://neondb_owner:npg_s3cret@ep-cool-darkness-a1b2c3d4-pooler.us-east-2.aws.neon.tech"
    "/neondb?sslmode=require&channel_binding=require"
)
SECRET = "s3cret-pw"  # the embedded server trusts local users, so any password works; it must never be printed


@pytest.fixture(scope="session")
def postgres_mcp_server() -> Path:
    """The real PostgreSQL MCP server; installed here when `make test` has not done it yet."""
    if not POSTGRES_BIN.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install the PostgreSQL MCP server: install Node.js >= 20")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(MCP_SERVERS)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return POSTGRES_BIN


def socket_dsn(embedded_dsn: str, password: str | None = SECRET) -> str:
    """The embedded server's DSN in a form both asyncpg and node-postgres read: the socket folder as the host."""
    parts = urlsplit(embedded_dsn)
    folder = parse_qs(parts.query)["host"][0]
    auth = f"postgres:{password}" if password else "postgres"
    return f"postgresql://{auth}@{quote(folder, safe='')}{parts.path}"


def write_config(tmp: Path, servers: dict) -> Path:
    path = tmp / ".mcp.json"
    path.write_text(json.dumps({"mcpServers": servers}, indent=2))
    return path


def committed_postgres_server() -> dict:
    """The committed .mcp.json's postgres server, run from the locally installed package instead of `npx -y`."""
    entry = json.loads((ROOT / ".mcp.json").read_text())["mcpServers"]["postgres"]
    package = next(i for i, a in enumerate(entry["args"]) if "server-postgres" in a)
    return {"command": str(POSTGRES_BIN), "args": entry["args"][package + 1 :]}


def fake_neon_server() -> dict:
    return {
        "command": sys.executable,
        "args": [str(FAKE_NEON), "start", "${NEON_API_KEY}"],
        "env": {"FAKE_NEON_DSN": "${FAKE_NEON_DSN}", "FAKE_NEON_PROJECT": "proj-test"},
    }


def settings_for(tmp: Path, config: Path | None = None, **overrides):
    return make_settings(overrides.pop("database_url", None), tmp, mcp_config=config or tmp / ".mcp.json", **overrides)


# ---------------------------------------------------------------------------------------------------- .mcp.json


async def test_committed_mcp_json_declares_neon_and_postgres_with_secrets_as_references():
    config = mcp.load(ROOT / ".mcp.json")
    assert set(config.servers) == {"neon", "postgres"}
    neon, postgres = config.servers["neon"], config.servers["postgres"]
    assert "@neondatabase/mcp-server-neon" in neon.describe() and neon.args[-2:] == ("start", "${NEON_API_KEY}")
    assert config.database_server(None) is postgres
    assert postgres.database_url({"DATABASE_URL": NEON_CONSOLE_DSN}) == NEON_CONSOLE_DSN
    text = (ROOT / ".mcp.json").read_text()
    assert "://" not in text and "napi_" not in text, "secrets only as ${VAR} references"
    pinned = json.loads((MCP_SERVERS / "package.json").read_text())["dependencies"]
    assert f"@modelcontextprotocol/server-postgres@{pinned['@modelcontextprotocol/server-postgres']}" in postgres.args


async def test_variables_expand_from_the_environment_and_dotenv(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("PGPASS=from-dotenv\nDATABASE_URL=\n")
    monkeypatch.setenv("PGHOST_X", "db.example.org")
    env = load_environment(tmp_path / ".env")
    server = mcp.ServerSpec(
        "pg",
        "npx",
        (
            "-y",
            "mcp-server-postgres",
            "postgresql://app:${PGPASS}@${PGHOST_X}/${PGDB:-app}?sslmode=${env:SSLMODE:-require}",
        ),
    )
    assert server.database_url(env) == "postgresql://app:from-dotenv@db.example.org/app?sslmode=require"
    with pytest.raises(mcp.UnsetVariable, match=r"needs \$\{PGPASS\}, which is not set"):
        server.database_url({"PGHOST_X": "h"})


@pytest.mark.parametrize(
    "content, overrides, message",
    [
        (None, {"mcp_db_server": "postgres"}, r"\.mcp\.json not found: the repository ships one at its root"),
        ('{"mcpServers": {"postgres": {"command": "npx",}}}', {}, r"is not valid JSON: .* at line 1, column 47"),
        ('["postgres"]', {}, r'has no "mcpServers" object'),
        ('{"mcpServers": {"postgres": {"args": []}}}', {}, r"server 'postgres' in .* has no \"command\""),
        (
            '{"mcpServers": {"a": {"command": "x"}, "b": {"command": "y"}}}',
            {"mcp_db_server": "pg"},
            r"has no server named 'pg' \(MCP_DB_SERVER\); its servers: a, b",
        ),
        (
            '{"mcpServers": {"postgres": {"command": "npx", "args": ["mcp-server-postgres", "${DATABASE_URL}"]}}}',
            {"mcp_db_server": "postgres"},
            r"server 'postgres' in .* needs \$\{DATABASE_URL\}, which is not set",
        ),
        (
            '{"mcpServers": {"neon": {"command": "npx", "args": ["start", "key"]}}}',
            {"mcp_db_server": "neon"},
            r"server 'neon' in .* has no postgresql:// argument",
        ),
    ],
)
async def test_unusable_mcp_configuration_stops_with_a_clear_message(tmp_path, content, overrides, message):
    if content is not None:
        (tmp_path / ".mcp.json").write_text(content)
    with pytest.raises(ConfigError, match=message):
        dsn.from_mcp_config(settings_for(tmp_path, **overrides), {})


async def test_unresolvable_postgres_server_falls_through_with_the_reason(tmp_path):
    """The committed .mcp.json without DATABASE_URL: nothing configured, so embedded (the source says why)."""
    choice = dsn.from_mcp_config(settings_for(tmp_path, ROOT / ".mcp.json"), {})
    assert choice.dsn is None
    assert choice.source.endswith("server 'postgres' needs ${DATABASE_URL}, which is not set")
    assert dsn.from_mcp_config(settings_for(tmp_path), {}).source == f"no {tmp_path / '.mcp.json'}"


# ------------------------------------------------------------------------------------------------ Neon DSN quirks


async def test_a_neon_console_dsn_works_verbatim_with_asyncpg(tmp_path):
    target = dsn.Target.of(NEON_CONSOLE_DSN, "DATABASE_URL", settings_for(tmp_path))
    assert target.dsn == NEON_CONSOLE_DSN, "workers of `serve` get the DSN as configured"
    assert "channel_binding" not in target.connect_dsn and "sslmode" not in target.connect_dsn
    context = target.connect_kwargs["ssl"]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname, "channel binding's guarantee, by TLS"
    assert target.pooler == "transaction" and target.connect_kwargs["statement_cache_size"] == 0
    assert any("SCRAM-SHA-256-PLUS" in note for note in target.notes)
    admin = target.admin()
    assert urlsplit(admin.connect_dsn).hostname == "ep-cool-darkness-a1b2c3d4.us-east-2.aws.neon.tech"
    assert "statement_cache_size" not in admin.connect_kwargs and admin.connect_kwargs["ssl"] is context
    assert "npg_s3cret" not in target.redacted and "npg_s3cret" not in repr(target)


@pytest.mark.parametrize(
    "query, pooler, expect",
    [
        ("sslmode=require", "auto", {"query": "sslmode=require", "cache": True}),
        (
            "sslmode=require&channel_binding=prefer&keepalives=1",
            "transaction",
            {"query": "sslmode=require", "cache": False},
        ),
        (
            "application_name=auth&options=-c%20search_path%3Dauth",
            "auto",
            {"query": "application_name=auth&options=-c%20search_path%3Dauth", "cache": True},
        ),
        ("connect_timeout=7", "auto", {"query": "", "timeout": 7.0, "cache": True}),
    ],
)
async def test_libpq_options_are_translated_for_asyncpg(tmp_path, query, pooler, expect):
    target = dsn.Target.of(
        f"postgresql://u:p@db.example.org/app?{query}", "DATABASE_URL", settings_for(tmp_path, db_pooler=pooler)
    )
    assert urlsplit(target.connect_dsn).query == expect["query"]
    assert ("statement_cache_size" not in target.connect_kwargs) == expect["cache"]
    assert target.connect_kwargs.get("timeout") == expect.get("timeout")


@pytest.mark.parametrize(
    "query, message",
    [
        ("search_path=auth", r"the DSN option 'search_path' is not supported \(asyncpg would send it to the server"),
        ("sslmode=required", r"sslmode=required is not valid; use one of disable, allow, prefer, require"),
        ("sslmode=disable&channel_binding=require", r"channel_binding=require needs TLS, but the DSN says sslmode=dis"),
        ("channel_binding=always", r"channel_binding=always is not valid"),
        ("channel_binding=require&sslrootcert=/nonexistent/ca.pem", r"cannot load the TLS certificates named in"),
    ],
)
async def test_unusable_dsn_options_are_refused_by_name(tmp_path, query, message):
    with pytest.raises(dsn.DatabaseConfigError, match=rf"^DATABASE_URL: {message}"):
        dsn.Target.of(f"postgresql://u:p@h/db?{query}", "DATABASE_URL", settings_for(tmp_path))


# ---------------------------------------------------------------------------------------------------- resolution


async def test_database_url_comes_first_and_a_different_mcp_database_is_reported(tmp_path, caplog):
    config = write_config(
        tmp_path, {"postgres": {"command": "npx", "args": ["mcp-server-postgres", "postgresql://x@other/db"]}}
    )
    settings = settings_for(tmp_path, config, database_url="postgresql://app:pw@db.example.org/app")
    with caplog.at_level(logging.WARNING, "chatbot_agent.db.dsn"):
        target = await dsn.resolve(settings, {})
    assert target.source == "DATABASE_URL" and target.dsn == settings.database_url
    assert "DATABASE_URL differs from the DSN of" in caplog.text
    assert "server 'postgres', which AI tools use" in caplog.text


async def test_the_postgres_mcp_servers_dsn_is_the_services_database(tmp_path, databases):
    url = socket_dsn(await databases.create("mcpdsn"))
    config = write_config(
        tmp_path, {"db": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-postgres", "${APP_DB}"]}}
    )
    target = await dsn.resolve(settings_for(tmp_path, config), {"APP_DB": url})
    assert target.source == f"{config} server 'db'" and target.dsn == url
    conn = await pool.connect(target, settings_for(tmp_path))
    try:
        assert await conn.fetchval("SELECT count(*) FROM auth_migrations") == len(
            migrate.available(migration_sources())
        )
    finally:
        await conn.close()


async def test_neon_project_resolves_through_get_connection_string(tmp_path, databases, caplog):
    url = socket_dsn(await databases.create("neonmcp"))
    config = write_config(tmp_path, {"neon": fake_neon_server()})
    settings = settings_for(tmp_path, config, neon_project_id="proj-test", neon_branch_id="br-main")
    target = await dsn.resolve(settings, {"NEON_API_KEY": "napi_test", "FAKE_NEON_DSN": url})
    assert target.dsn == url
    assert target.source == "Neon project proj-test, branch br-main via MCP server 'neon'"
    db_pool = await pool.open_pool(target, settings)
    try:
        assert await db_pool.fetchval("SELECT current_database()") == urlsplit(url).path.lstrip("/")
    finally:
        await db_pool.close()
    wrong = settings_for(tmp_path, config, neon_project_id="proj-other")
    with pytest.raises(mcp.McpError, match=r"MCP server 'neon', tool get_connection_string: .*proj-other not found"):
        await dsn.resolve(wrong, {"NEON_API_KEY": "napi_test", "FAKE_NEON_DSN": url})


async def test_neon_route_without_the_server_in_mcp_json_names_what_is_missing(tmp_path):
    settings = settings_for(tmp_path, write_config(tmp_path, {}), neon_project_id="proj-test")
    with pytest.raises(mcp.McpError, match=r"has no server named 'neon' \(NEON_MCP_SERVER\); its servers: none"):
        await dsn.resolve(settings, {})


# -------------------------------------------------------------------------------------------------------- check-db


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def checked_db(databases) -> str:
    return await databases.create("checkdb")


async def test_check_db_end_to_end_through_the_postgres_mcp_server(tmp_path, checked_db, postgres_mcp_server):
    """`chatbot-agent check-db` in a subprocess: the committed .mcp.json's postgres server, started over stdio by
    the Python mcp client, queries the database; asyncpg does too; both agree."""
    config = write_config(
        tmp_path,
        {
            "neon": {"command": "npx", "args": ["-y", "@neondatabase/mcp-server-neon"]},
            "postgres": committed_postgres_server(),
        },
    )
    url = socket_dsn(checked_db)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DATABASE_URL": url,
        "MCP_CONFIG": str(config),
        "DATA_DIR": str(tmp_path / "data"),
        "FRONTEND_DIST": "",
    }
    result = subprocess.run(
        [sys.executable, "-m", "chatbot_agent.cli", "check-db"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    version = max(m.version for m in migrate.available(migration_sources()))
    assert f"MCP server 'postgres' ({POSTGRES_BIN} '${{DATABASE_URL}}'): tools query" in out
    tables = "account, auth_audit, auth_migrations, auth_rate_limit, session, user, verification"
    assert f"through MCP 'postgres': database {urlsplit(checked_db).path[1:]} as postgres; {tables}" in out
    assert f"; migration version {version}" in out and "directly (asyncpg): database " in out
    assert out.rstrip().endswith("OK: the service and MCP server 'postgres' use the same database")
    assert SECRET not in out + result.stderr and "service database: DATABASE_URL: postgresql://postgres:***@" in out


async def test_check_db_reports_a_different_database_behind_the_mcp_server(
    tmp_path, databases, checked_db, postgres_mcp_server
):
    other = socket_dsn(await databases.create("otherdb", migrated=False), password=None)
    config = write_config(tmp_path, {"postgres": {"command": str(POSTGRES_BIN), "args": [other]}})
    out = io.StringIO()
    code = await check.check_db(settings_for(tmp_path, config, database_url=socket_dsn(checked_db)), {}, out)
    assert code == 1
    text = out.getvalue()
    assert "through MCP 'postgres': database otherdb_" in text and "no auth tables; not migrated" in text
    assert "MISMATCH: the service and MCP server 'postgres' do not see the same database" in out.getvalue()


async def test_check_db_through_the_neon_mcp_server(tmp_path, checked_db):
    config = write_config(tmp_path, {"neon": fake_neon_server()})
    out = io.StringIO()
    env = {"NEON_API_KEY": "napi_test", "FAKE_NEON_DSN": socket_dsn(checked_db)}
    code = await check.check_db(settings_for(tmp_path, config, neon_project_id="proj-test"), env, out)
    text = out.getvalue()
    assert code == 0, text
    assert "tools get_connection_string, run_sql" in text
    assert "service database: Neon project proj-test via MCP server 'neon': postgresql://postgres:***@" in text
    assert "through MCP 'neon': database checkdb_" in text and text.rstrip().endswith("use the same database")
    assert SECRET not in text


@pytest.mark.parametrize(
    "servers, overrides, env, message",
    [
        (None, {}, {}, r"FAILED: .*\.mcp\.json not found"),
        (
            {"neon": {"command": "npx", "args": []}},
            {"database_url": "postgresql://u@h/db"},
            {},
            r"FAILED: .* declares no PostgreSQL MCP server .* so AI tools do not see the service's database",
        ),
        (
            {"postgres": {"command": "npx", "args": ["mcp-server-postgres", "${DATABASE_URL}"]}},
            {},
            {},
            r"FAILED: server 'postgres' in .* needs \$\{DATABASE_URL\}, which is not set",
        ),
        (
            {"postgres": {"command": "no-such-mcp-server", "args": ["mcp-server-postgres", "${DATABASE_URL}"]}},
            {},
            {"DATABASE_URL": f"postgresql://u:{SECRET}@127.0.0.1:9/db"},
            r"FAILED: MCP server 'postgres': command 'no-such-mcp-server' not found",
        ),
        (
            "postgres",
            {},
            {"DATABASE_URL": f"postgresql://u:{SECRET}@127.0.0.1:9/db"},
            r"FAILED: through MCP server 'postgres': the database is unreachable \(.*ECONNREFUSED 127\.0\.0\.1:9.*\)",
        ),
    ],
)
async def test_check_db_errors_say_what_to_do(tmp_path, postgres_mcp_server, servers, overrides, env, message):
    if servers == "postgres":
        servers = {"postgres": {"command": str(POSTGRES_BIN), "args": ["${DATABASE_URL}"]}}
    config = write_config(tmp_path, servers) if servers is not None else tmp_path / ".mcp.json"
    out = io.StringIO()
    assert await check.check_db(settings_for(tmp_path, config, **overrides), env, out) == 1
    assert out.getvalue().count("FAILED") == 1
    assert re.search(message, out.getvalue()), out.getvalue()
    assert SECRET not in out.getvalue()


async def test_migrate_uses_the_database_neon_mcp_names_and_logs_where_from(tmp_path, databases):
    """`chatbot-agent migrate` with NEON_PROJECT_ID only: the DSN comes over MCP; one log line says which database
    and from where, without the password."""
    fresh = socket_dsn(await databases.create("neonmig", migrated=False))
    config = write_config(tmp_path, {"neon": fake_neon_server()})
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "NEON_PROJECT_ID": "proj-test",
        "MCP_CONFIG": str(config),
        "NEON_API_KEY": "napi_test",
        "FAKE_NEON_DSN": fresh,
        "DATA_DIR": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "chatbot_agent.cli", "migrate"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"applied {len(migrate.available(migration_sources()))} migration(s)" in result.stdout
    line = next(line for line in result.stderr.splitlines() if "database: Neon project" in line)
    assert "database: Neon project proj-test via MCP server 'neon' (postgresql://postgres:***@%2F" in line
    assert "/neonmig_" in line
    assert SECRET not in result.stdout + result.stderr
    conn = await asyncpg.connect(fresh)
    try:
        assert await migrate.applied_versions(conn) == [m.version for m in migrate.available(migration_sources())]
    finally:
        await conn.close()
