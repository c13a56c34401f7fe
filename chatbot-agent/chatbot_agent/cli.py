"""`chatbot-agent` command line: serve | migrate | export-schema | check-db | gen-secrets | cleanup | reseal-secrets |
env-example."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import logs
from .config import ConfigError, Settings, load_settings, render_env_example
from .dbsource.dsn import SOURCE_ENV  # lets serve's workers log where the parent resolved the database from

log = logging.getLogger("chatbot_agent")

REBALANCE_ENV = "CHATBOT_AGENT_REBALANCE_PORT"  # serve's workers listen with SO_REUSEPORT on this port (listen.py)


def _settings(args: argparse.Namespace, **overrides) -> Settings:
    try:
        settings = load_settings(env_file=args.env_file, **overrides)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        print("see .env.example for every setting and its format", file=sys.stderr)
        raise SystemExit(2) from None
    logs.configure(settings.log_level, settings.log_format)
    return settings


async def _migrate(settings: Settings):
    from .auth.methods import migration_sources
    from .db import migrate
    from .dbsource import dsn, pool

    target = await dsn.resolve(settings)
    log.info("database: %s (%s)", target.source, target.redacted)
    conn = await pool.connect(target, settings)
    try:
        applied = await migrate.migrate(conn, migration_sources())
        versions = await migrate.applied_versions(conn)
    finally:
        await conn.close()
    return target, applied, versions


def _run_migrate(settings: Settings):
    from .db.migrate import MigrationError

    try:
        return asyncio.run(_migrate(settings))
    except MigrationError as exc:
        print(f"migration error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _, applied, versions = _run_migrate(settings)
    print(f"applied {len(applied)} migration(s); database at version {max(versions, default=0)}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port), ("workers", args.workers)) if v}
    settings = _settings(args, **overrides)
    target, _, versions = _run_migrate(settings)
    url = f"http://{settings.host}:{settings.port}"
    print(f"chatbot-agent auth on {url}  (database: {target.source}, schema version {max(versions, default=0)})")
    if not settings.production:
        print(f"GraphiQL: {url}/graphql")
    if settings.frontend_dist and (settings.frontend_dist / "index.html").is_file():
        print(f"Frontend: {url}/")
    common: dict[str, Any] = dict(
        host=settings.host,
        port=settings.port,
        log_config=None,
        proxy_headers=False,
        server_header=False,
        date_header=True,
        access_log=False,
    )
    # uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown; with Python's default handlers that would kill
    # the process (or print a KeyboardInterrupt traceback) before the embedded PostgreSQL is stopped. Turn them into
    # SystemExit so the `finally` below runs.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGINT, _exit_on_signal)  # Ctrl-C: the same clean stop, without a traceback
    metrics_dir = None
    try:
        if settings.workers == 1:
            from .app import create_app

            uvicorn.run(create_app(settings, target=target), **common)
        else:
            os.environ["DATABASE_URL"] = target.dsn  # every worker joins the database resolved here, once
            os.environ[SOURCE_ENV] = target.source
            metrics_dir = _shared_metrics_dir(settings)
            _serve_workers(settings, common, shared_socket=args.shared_socket)
    finally:
        if target.embedded is not None:
            target.embedded.cleanup()  # stops the embedded server unless another process still uses it
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


def _serve_workers(settings: Settings, common: dict, *, shared_socket: bool) -> None:
    """uvicorn's supervisor and N workers; each worker listens on a socket of its own (SO_REUSEPORT, see listen.py)
    unless `shared_socket` or the platform does not balance such sockets (then uvicorn's one shared socket)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from . import listen

    if shared_socket or not listen.reuse_port_supported():
        uvicorn.run("chatbot_agent.cli:app_factory", factory=True, workers=settings.workers, **common)
        return
    config = uvicorn.Config("chatbot_agent.cli:app_factory", factory=True, workers=settings.workers, **common)
    try:
        hold = listen.reserve(settings.host, settings.port)
    except OSError as exc:
        log.error("cannot listen on %s:%s: %s", settings.host, settings.port, exc)
        raise SystemExit(3) from None  # uvicorn's STARTUP_FAILURE, as when it binds itself
    try:
        config.port = hold.getsockname()[1]
        log.info(
            "listening on %s:%d, one socket per worker (SO_REUSEPORT), %d workers",
            settings.host,
            config.port,
            settings.workers,
        )
        sockets = [listen.WorkerSocket(settings.host, config.port)]
        os.environ[REBALANCE_ENV] = str(config.port)  # the workers even out long-lived connections
        Multiprocess(config, sockets=sockets).run()  # type: ignore[arg-type]
    finally:
        hold.close()


def _shared_metrics_dir(settings: Settings) -> str | None:
    """With metrics on and several workers: a fresh PROMETHEUS_MULTIPROC_DIR, so that the workers' metrics add up
    whichever worker a scrape reaches (http/metrics.py). Returns it (serve removes it on exit); None when metrics
    are off, or when the variable is set already (another supervisor's directory, left as it is)."""
    if settings.metrics_mode == "off" or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return None
    path = tempfile.mkdtemp(prefix="chatbot-agent-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path  # read by prometheus-client when a worker imports it
    log.info("metrics: %d workers share %s", settings.workers, path)
    return path


def _exit_on_signal(signum, frame) -> None:
    raise SystemExit(0)  # uvicorn has already shut down gracefully when it passes the signal on


def app_factory():
    """uvicorn worker entry point (serve --workers N)."""
    from .app import create_app

    settings = load_settings()
    logs.configure(settings.log_level, settings.log_format)
    app = create_app(settings)
    if port := os.environ.get(REBALANCE_ENV):
        from .listen import Rebalance

        return Rebalance(app, int(port))
    return app


def cmd_export_schema(args: argparse.Namespace) -> int:
    from .api.graphql.schema import build_schema

    schema = build_schema()

    text = schema.as_str() + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text)
        print(f"wrote {args.output}")
    return 0


def cmd_gen_secrets(args: argparse.Namespace) -> int:
    import secrets

    from .keys import generate_private_key, generate_secret_key

    print(f"SESSION_SECRET={secrets.token_urlsafe(32)}")
    print(f"JWT_PRIVATE_KEY={generate_private_key()}")
    print(f"SECRETS_ENCRYPTION_KEY={generate_secret_key()}")
    return 0


def cmd_cleanup(args: argparse.Namespace) -> int:
    from .db import upkeep
    from .dbsource import dsn, pool

    settings = _settings(args)

    async def run():
        target = await dsn.resolve(settings)
        conn = await pool.connect(target, settings)
        try:
            return await upkeep.delete_expired(conn, audit_retention_days=settings.audit_retention_days)
        finally:
            await conn.close()

    print(asyncio.run(run()))
    return 0


def cmd_reseal_secrets(args: argparse.Namespace) -> int:
    from .auth.core.secretbox import SecretBox
    from .auth.methods.two_factor.service import reseal_all
    from .dbsource import dsn, pool

    settings = _settings(args)

    async def run():
        target = await dsn.resolve(settings)
        conn = await pool.connect(target, settings)
        try:
            box = SecretBox(settings.secrets_encryption_key, settings.secrets_encryption_old_keys)
            return await reseal_all(conn, box)
        finally:
            await conn.close()

    resealed, unreadable = asyncio.run(run())
    print(f"re-sealed {resealed} two-factor row(s) under the current key; {unreadable} could not be opened")
    return 1 if unreadable else 0


def cmd_check_db(args: argparse.Namespace) -> int:
    try:
        from .dbsource.check import check_db
    except ImportError:
        print("check-db is not available in this build", file=sys.stderr)
        return 2
    return asyncio.run(check_db(_settings(args)))


def cmd_env_example(args: argparse.Namespace) -> int:
    sys.stdout.write(render_env_example())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chatbot-agent", description=__doc__)
    parser.add_argument("--env-file", default=".env", help="dotenv file to read (default: .env)")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate, then serve the API, GraphiQL and the frontend")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.add_argument(
        "--shared-socket",
        action="store_true",
        help="with --workers N: one listening socket shared by the workers (uvicorn's default) instead "
        "of one SO_REUSEPORT socket per worker",
    )
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="apply pending database migrations").set_defaults(func=cmd_migrate)
    export = sub.add_parser("export-schema", help="print or write the GraphQL SDL")
    export.add_argument("-o", "--output", default="-")
    export.set_defaults(func=cmd_export_schema)
    sub.add_parser("check-db", help="check the database connection through the MCP configuration").set_defaults(
        func=cmd_check_db
    )
    sub.add_parser(
        "gen-secrets", help="print fresh SESSION_SECRET, JWT_PRIVATE_KEY and SECRETS_ENCRYPTION_KEY lines"
    ).set_defaults(func=cmd_gen_secrets)
    sub.add_parser(
        "cleanup", help="delete expired sessions, tokens, rate-limit windows and old audit rows"
    ).set_defaults(func=cmd_cleanup)
    sub.add_parser(
        "reseal-secrets", help="re-seal second-factor secrets under SECRETS_ENCRYPTION_KEY (after a key rotation)"
    ).set_defaults(func=cmd_reseal_secrets)
    sub.add_parser("env-example", help="print .env.example, rendered from the settings' declarations").set_defaults(
        func=cmd_env_example
    )
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:  # found while running: a DSN option, .mcp.json, an MCP server, the database refusing
        print(f"configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    raise SystemExit(main())
