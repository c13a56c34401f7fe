"""Which database: DATABASE_URL, the MCP configuration (.mcp.json), or the embedded PostgreSQL.

Produces a `Target`: the DSN asyncpg gets, the extra connect arguments (TLS, statement cache), and a description
of where it came from, with the password redacted, for the one start-up log line."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from ..config import Settings


@dataclass
class Target:
    dsn: str = field(repr=False)
    source: str
    connect_kwargs: dict = field(default_factory=dict, repr=False)
    embedded: object | None = field(default=None, repr=False)  # the embedded server handle, kept alive

    @property
    def redacted(self) -> str:
        return redact(self.dsn)


def redact(dsn: str) -> str:
    parts = urlsplit(dsn)
    if not parts.password:
        return dsn
    netloc = f"{parts.username}:***@{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


async def resolve(settings: Settings) -> Target:
    if settings.database_url:
        return Target(settings.database_url, "DATABASE_URL")
    from . import embedded

    server, dsn = embedded.start(settings.data_dir)
    return Target(dsn, f"embedded PostgreSQL in {settings.data_dir / 'postgres'}", embedded=server)
