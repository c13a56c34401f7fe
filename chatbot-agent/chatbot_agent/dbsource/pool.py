"""The asyncpg pool: bounded, with per-connection timeouts, and a first connect retried with backoff.

A failure to connect that a user can fix (wrong password, TLS required, host unreachable, ...) ends as a
`DatabaseConfigError` that says so, with the DSN's password redacted."""

from __future__ import annotations

import asyncio
import logging
import ssl

import asyncpg

from ..config import Settings
from ..db.errors import is_unavailable
from ..logs import redact
from .dsn import DatabaseConfigError, Target

log = logging.getLogger(__name__)


async def connect_with_retry(settings: Settings, attempt, target: Target | None = None):
    """Run `attempt()` until it succeeds, retrying unavailability with exponential backoff (Neon computes that
    scaled to zero take a few seconds to wake)."""
    delay = 0.5
    for n in range(settings.db_connect_retries + 1):
        try:
            return await attempt()
        except Exception as exc:
            if not is_unavailable(exc) or _is_final(exc) or n == settings.db_connect_retries:
                if target is None:
                    raise
                raise DatabaseConfigError(
                    f"cannot connect to {target.redacted} ({target.source}): {explain(exc)}"
                ) from exc
            log.warning("database not reachable (%s); retrying in %.1fs", type(exc).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 8.0)


def _is_final(exc: BaseException) -> bool:
    """Failures that waiting will not fix: TLS refused or unverifiable, bad configuration."""
    return isinstance(exc, (ssl.SSLError, ssl.CertificateError, asyncpg.exceptions.ClientConfigurationError)) or (
        isinstance(exc, ConnectionError) and "SSL" in str(exc)
    )


def _timeout(target: Target, settings: Settings) -> float:
    return target.connect_kwargs.get("timeout", settings.db_connect_timeout)


def _kwargs(target: Target) -> dict:
    return {k: v for k, v in target.connect_kwargs.items() if k != "timeout"}


async def _keep_server_state(conn: asyncpg.Connection) -> None:
    """Pool reset: nothing to send. asyncpg's default reset query (RESET ALL, pg_advisory_unlock_all, CLOSE ALL,
    UNLISTEN *) costs a round trip on every release, doubling the work of a `me`; the service never leaves session
    state behind (no SET, LISTEN, cursors or session-level locks: the migration lock is transaction-level), and an
    unfinished transaction is still rolled back by asyncpg itself. Behind a transaction pooler that query would also
    act on whichever client holds the server session next."""


async def open_pool(target: Target, settings: Settings) -> asyncpg.Pool:
    reset = _keep_server_state

    async def attempt():
        return await asyncpg.create_pool(
            target.connect_dsn or target.dsn,
            min_size=settings.db_pool_min,
            max_size=settings.db_pool_max,
            timeout=_timeout(target, settings),
            command_timeout=settings.db_command_timeout,
            max_inactive_connection_lifetime=300,
            reset=reset,
            **_kwargs(target),
        )

    return await connect_with_retry(settings, attempt, target)


async def connect(target: Target, settings: Settings, *, admin: bool = True) -> asyncpg.Connection:
    """One connection, by default for an admin task (migrations, cleanup): to Neon's direct endpoint when the DSN
    names its pooler. `admin=False`: the service's own endpoint and settings, as its pool connects."""
    chosen = target.admin() if admin else target

    async def attempt():
        return await asyncpg.connect(
            chosen.connect_dsn or chosen.dsn, timeout=_timeout(chosen, settings), **_kwargs(chosen)
        )

    return await connect_with_retry(settings, attempt, chosen)


def explain(exc: BaseException | str) -> str:
    """What went wrong connecting, in words a user can act on; for asyncpg's exceptions and the messages of other
    PostgreSQL clients (an MCP server's), never with a password in it."""
    text = str(exc)
    low = text.lower()
    if isinstance(exc, asyncpg.InvalidPasswordError) or "password authentication failed" in low:
        return "wrong password (or user) — check the DSN's user and password (Neon: Roles in the console can reset it)"
    if "no encryption" in low or "insecure" in low or "ssl/tls required" in low or "ssl required" in low:
        return "the server requires TLS — add ?sslmode=require to the DSN"
    if isinstance(exc, ssl.SSLCertVerificationError) or "certificate verify failed" in low or "self-signed" in low:
        return (
            "the server's TLS certificate could not be verified — use its CA with sslrootcert=/path/ca.pem, or "
            f"sslmode=require without channel_binding=require to encrypt without verifying ({redact(text)})"
        )
    if "does not support ssl" in low or "rejected ssl upgrade" in low:
        return "the server does not offer TLS, but the DSN requires it (sslmode) — check host and port"
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return f"the database does not exist — create it or fix the DSN's database name ({redact(text)})"
    if isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError):
        return f"the server refused this user or address ({redact(text)})"
    unreachable = (
        "econnrefused",
        "enotfound",
        "etimedout",
        "ehostunreach",
        "connection refused",
        "timeout",
        "name or service not known",
        "could not translate host",
        "connect call failed",
    )
    if isinstance(exc, (OSError, asyncio.TimeoutError)) or any(s in low for s in unreachable):
        detail = redact(text) or type(exc).__name__
        return (
            f"the database is unreachable ({detail}) — is the host and port right and the server running? "
            "A Neon compute that scaled to zero wakes on connect within seconds"
        )
    return redact(text) or type(exc).__name__
