"""Which database: DATABASE_URL, the MCP configuration (.mcp.json), Neon's MCP server, or the embedded PostgreSQL.

Resolution order:
1. `DATABASE_URL` (also what `serve --workers N` hands its workers, so they join the database the parent chose);
2. the PostgreSQL MCP server of `.mcp.json` (`MCP_DB_SERVER`, default the one running
   @modelcontextprotocol/server-postgres) once its `${VAR}`s resolve;
3. `NEON_PROJECT_ID`: Neon's MCP server (`NEON_MCP_SERVER` in `.mcp.json`) answers `get_connection_string`;
4. the embedded PostgreSQL in DATA_DIR.

Every DSN then goes through `Target.of`, which makes the libpq options of a DSN copied from Neon's console work with
asyncpg: `sslmode` and the other TLS options asyncpg knows pass through; `channel_binding` is taken out (asyncpg
cannot do SCRAM-SHA-256-PLUS; with `require` the server certificate and host name are verified instead, which keeps
a man in the middle out as channel binding would); `sslrootcert=system` means the system CA store; any other option
is refused by name rather than sent to the server as a setting. A `-pooler` host (PgBouncer in transaction mode) or
`DB_POOLER=transaction` turns off asyncpg's prepared-statement cache; single admin connections (migrations) go to
Neon's direct endpoint (the host without `-pooler`), as Neon documents.
"""

from __future__ import annotations

import logging
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..config import ConfigError, Settings, load_environment
from ..logs import redact as _redact_text
from . import mcp

SOURCE_ENV = "CHATBOT_AGENT_DB_SOURCE"  # set by `serve` for its workers: where the parent resolved the database from

log = logging.getLogger(__name__)

SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
# libpq options asyncpg itself understands (connect_utils._parse_connect_dsn_and_args).
ASYNCPG_OPTIONS = {
    "host",
    "port",
    "dbname",
    "database",
    "user",
    "password",
    "passfile",
    "service",
    "sslmode",
    "sslcert",
    "sslkey",
    "sslrootcert",
    "sslcrl",
    "sslpassword",
    "sslnegotiation",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "target_session_attrs",
    "krbsrvname",
    "gsslib",
}
# libpq options that are startup parameters of the protocol itself: libpq sends them to the server, so may we.
STARTUP_OPTIONS = {"application_name", "options"}
# libpq options with no asyncpg counterpart and nothing lost without them; and node-postgres's `uselibpqcompat`
# (libpq's meaning of sslmode=require there), so that one DSN serves the service and a Node.js MCP server alike.
HARMLESS_OPTIONS = {
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "sslsni",
    "sslcompression",
    "uselibpqcompat",
}
VERIFIED_TLS_OPTIONS = {"sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword", "ssl_min_protocol_version"}
TLS_OPTIONS = {o for o in ASYNCPG_OPTIONS if o.startswith("ssl")}


class DatabaseConfigError(ConfigError):
    """The database settings cannot work as given; the message names the option or variable and what to do."""


def redact(dsn: str) -> str:
    return _redact_text(dsn)


@dataclass
class Target:
    dsn: str = field(repr=False)  # as configured: what `serve` hands its workers as DATABASE_URL
    source: str
    connect_kwargs: dict = field(default_factory=dict, repr=False)
    embedded: object | None = field(default=None, repr=False)  # the embedded server handle, kept alive
    connect_dsn: str = field(default="", repr=False)  # what asyncpg gets: libpq-only options translated away
    pooler: str = "none"  # transaction | session | none
    direct_dsn: str | None = field(default=None, repr=False)  # Neon's non-pooler endpoint, for admin connections
    notes: tuple[str, ...] = ()

    @property
    def redacted(self) -> str:
        return redact(self.dsn)

    @classmethod
    def of(cls, dsn: str, source: str, settings: Settings, *, embedded: object | None = None) -> Target:
        """A target for `dsn`, with its libpq options made fit for asyncpg (see the module docstring)."""
        parts = urlsplit(dsn)
        if parts.scheme not in ("postgres", "postgresql"):
            raise DatabaseConfigError(f"{source}: expected a postgresql:// URL, got {redact(dsn)[:80]!r}")
        options = dict(parse_qsl(parts.query, keep_blank_values=True))
        binding = options.get("channel_binding", "prefer")
        kwargs: dict = {}
        notes: list[str] = []
        for name in list(options):
            if name in ASYNCPG_OPTIONS or name in STARTUP_OPTIONS:
                continue
            value = options.pop(name)
            if name == "connect_timeout":
                kwargs["timeout"] = _positive(value, name, source)
            elif name == "fallback_application_name":
                options.setdefault("application_name", value)
            elif name != "channel_binding" and name not in HARMLESS_OPTIONS:
                raise DatabaseConfigError(
                    f"{source}: the DSN option '{name}' is not supported (asyncpg would send it to the server as a "
                    f"setting); remove it, or pass a server setting as options=-c {name}=..."
                )
        mode = options.get("sslmode")
        if mode is not None and mode not in SSLMODES:
            raise DatabaseConfigError(f"{source}: sslmode={mode} is not valid; use one of {', '.join(SSLMODES)}")
        if binding not in ("disable", "prefer", "require"):
            raise DatabaseConfigError(f"{source}: channel_binding={binding} is not valid; use disable, prefer, require")
        if binding == "require" or options.get("sslrootcert") == "system":
            if mode in ("disable", "allow"):
                why = "channel_binding=require" if binding == "require" else "sslrootcert=system"
                raise DatabaseConfigError(f"{source}: {why} needs TLS, but the DSN says sslmode={mode}")
            kwargs["ssl"] = _verified_context(options, source)
            if binding == "require":
                notes.append(
                    "channel_binding=require: asyncpg cannot do SCRAM-SHA-256-PLUS channel binding, so the "
                    "server certificate and host name are verified instead (TLS verify-full)"
                )
            options = {k: v for k, v in options.items() if k not in TLS_OPTIONS}
        pooler = settings.db_pooler
        hosts = _hosts(parts.netloc, options)
        if pooler == "auto":
            pooler = "transaction" if any(h.split(".")[0].endswith("-pooler") for h in hosts) else "none"
        if pooler == "transaction":
            kwargs["statement_cache_size"] = 0
        connect_dsn = urlunsplit(parts._replace(query=urlencode(options, quote_via=quote)))
        direct = _neon_direct(connect_dsn, hosts) if pooler == "transaction" else None
        if pooler == "transaction":
            notes.append(
                "transaction pooler"
                + (" (-pooler host)" if settings.db_pooler == "auto" else "")
                + ": prepared-statement cache off"
                + (
                    f"; migrations and admin commands use the direct endpoint {urlsplit(direct).hostname}"
                    if direct
                    else ""
                )
            )
        return cls(dsn, source, kwargs, embedded, connect_dsn, pooler, direct, tuple(notes))

    def admin(self) -> Target:
        """The target for one admin connection (migrations, cleanup, checks): Neon's direct endpoint when the DSN
        names its pooler, since PgBouncer in transaction mode keeps no session state between transactions."""
        if not self.direct_dsn:
            return self
        kwargs = {k: v for k, v in self.connect_kwargs.items() if k != "statement_cache_size"}
        return replace(self, connect_dsn=self.direct_dsn, connect_kwargs=kwargs, pooler="none", direct_dsn=None)


def _positive(value: str, name: str, source: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if seconds <= 0:
        raise DatabaseConfigError(f"{source}: {name}={value} is not valid; use a number of seconds")
    return seconds


def _hosts(netloc: str, options: Mapping[str, str]) -> list[str]:
    hostlist = options.get("host") or netloc.rpartition("@")[2]
    hosts = []
    for h in filter(None, (h.strip() for h in hostlist.split(","))):
        hosts.append(h[1 : h.find("]")] if h.startswith("[") else h.rsplit(":", 1)[0] if ":" in h else h)
    return [h.lower() for h in hosts]


def _neon_direct(dsn: str, hosts: list[str]) -> str | None:
    """Neon's pooled endpoint is `ep-x-pooler.<region>.neon.tech`; the direct one is `ep-x.<region>.neon.tech`."""
    if len(hosts) != 1 or not hosts[0].endswith(".neon.tech") or "-pooler." not in hosts[0]:
        return None
    direct = dsn.replace(hosts[0], hosts[0].replace("-pooler.", ".", 1), 1)
    return direct if direct != dsn else None


def _verified_context(options: Mapping[str, str], source: str) -> ssl.SSLContext:
    """TLS with the certificate chain and host name verified (libpq's verify-full), against `sslrootcert` when it
    names a file, else the system CA store (certifi's bundle when the system has none)."""
    unsupported = sorted(o for o in options if o in TLS_OPTIONS and o not in VERIFIED_TLS_OPTIONS)
    if unsupported:
        raise DatabaseConfigError(
            f"{source}: {', '.join(unsupported)} cannot be combined with channel_binding=require "
            "or sslrootcert=system; remove it"
        )
    root = options.get("sslrootcert")
    try:
        if root and root != "system":
            context = ssl.create_default_context(cafile=os.path.expanduser(root))
        else:
            context = ssl.create_default_context()
            if not context.get_ca_certs():
                import certifi

                context.load_verify_locations(cafile=certifi.where())
        if options.get("sslcert"):
            context.load_cert_chain(
                os.path.expanduser(options["sslcert"]),
                os.path.expanduser(options.get("sslkey", options["sslcert"])),
                password=options.get("sslpassword"),
            )
    except (OSError, ssl.SSLError) as exc:
        raise DatabaseConfigError(f"{source}: cannot load the TLS certificates named in the DSN: {exc}") from None
    if options.get("ssl_min_protocol_version"):
        version = options["ssl_min_protocol_version"].replace(".", "_")
        context.minimum_version = getattr(ssl.TLSVersion, version, ssl.TLSVersion.TLSv1_2)
    return context


# --------------------------------------------------------------------------------------------------- resolution


@dataclass(frozen=True)
class McpChoice:
    dsn: str | None  # the PostgreSQL MCP server's DSN, when it resolves
    source: str  # where it came from, or why .mcp.json gave no database


def from_mcp_config(settings: Settings, env: Mapping[str, str]) -> McpChoice:
    """The database of the PostgreSQL MCP server in .mcp.json, or why there is none.

    Raises McpError for a broken file, an unknown MCP_DB_SERVER, or (when MCP_DB_SERVER names the server
    explicitly) an unset ${VAR}."""
    path = settings.mcp_config
    if not path.is_file():
        if settings.mcp_db_server:
            mcp.load(path)  # raises: MCP_DB_SERVER names a server in a file that is not there
        return McpChoice(None, f"no {path}")
    config = mcp.load(path)
    server = config.database_server(settings.mcp_db_server)
    if server is None:
        return McpChoice(None, f"{path} declares no PostgreSQL MCP server")
    try:
        dsn = server.database_url(env)
    except mcp.UnsetVariable as exc:
        if settings.mcp_db_server:
            raise
        refs = ", ".join(f"${{{n}}}" for n in exc.names)
        return McpChoice(None, f"{path} server '{server.name}' needs {refs}, which is not set")
    return McpChoice(dsn, f"{path} server '{server.name}'")


async def resolve(settings: Settings, env: Mapping[str, str] | None = None) -> Target:
    env = load_environment() if env is None else env
    if settings.database_url:
        source = env.get(SOURCE_ENV) or os.environ.get(SOURCE_ENV) or "DATABASE_URL"
        target = Target.of(settings.database_url, source, settings)
        _warn_if_mcp_differs(settings, env, target)
    else:
        choice = from_mcp_config(settings, env)
        if choice.dsn:
            target = Target.of(choice.dsn, choice.source, settings)
        elif settings.neon_project_id:
            target = Target.of(await neon_dsn(settings, env), neon_source(settings), settings)
        else:
            target = _embedded(settings, choice.source)
    for note in target.notes:
        log.info("database: %s", note)
    return target


def neon_source(settings: Settings) -> str:
    branch = f", branch {settings.neon_branch_id}" if settings.neon_branch_id else ""
    return f"Neon project {settings.neon_project_id}{branch} via MCP server '{settings.neon_mcp_server}'"


async def neon_dsn(settings: Settings, env: Mapping[str, str]) -> str:
    server = mcp.load(settings.mcp_config).server(settings.neon_mcp_server, "NEON_MCP_SERVER")
    return await mcp.neon_connection_string(
        server,
        env,
        project_id=settings.neon_project_id or "",
        branch_id=settings.neon_branch_id,
        database=settings.neon_database,
        role=settings.neon_role,
    )


def _embedded(settings: Settings, why: str) -> Target:
    from . import embedded

    server, dsn = embedded.start(settings.data_dir)
    source = f"embedded PostgreSQL in {settings.data_dir / 'postgres'} (DATABASE_URL and NEON_PROJECT_ID unset; {why})"
    return Target.of(dsn, source, settings, embedded=server)


def _warn_if_mcp_differs(settings: Settings, env: Mapping[str, str], target: Target) -> None:
    """AI tools use the MCP server's database; say so when the service is pointed elsewhere."""
    try:
        choice = from_mcp_config(settings, env)
    except ConfigError as exc:
        log.warning("database: %s (the service uses DATABASE_URL)", exc)
        return
    if choice.dsn and choice.dsn != settings.database_url:
        log.warning(
            "database: DATABASE_URL differs from the DSN of %s, which AI tools use (%s)",
            choice.source,
            redact(choice.dsn),
        )
