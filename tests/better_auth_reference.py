"""The real Better Auth 1.7.25 server, started by the tests as the reference for our REST routes.

`tests/better-auth-client/server.mjs` runs Better Auth on node:http with PostgreSQL (`pg`) and the bearer plugin; its
npm packages are pinned by that folder's package-lock.json (`make test` runs `npm ci` there; `ensure_installed` does it
too when the folder is missing or stale, so a plain `pytest` works). Its database is a fresh one on the tests' embedded
PostgreSQL with Better Auth's own schema (tests/fixtures/better_auth/). Mails are not sent: the server writes each one
as a JSON line to a file, which `mail_link` reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from .support import free_port

NODE_DIR = Path(__file__).resolve().parent / "better-auth-client"
SCHEMA = Path(__file__).resolve().parent / "fixtures" / "better_auth" / "better-auth-1.7-postgres-schema.sql"
SECRET = "better-auth-reference-secret-0123456789abcdefghijklmnop"
APP_ORIGIN = "http://app.example"  # the frontend's origin in the REST tests: trusted by both servers


def ensure_installed() -> str:
    """`npm ci` in tests/better-auth-client when node_modules is missing or older than the lock; the version."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise RuntimeError("Node.js ≥ 20 with npm is required for the Better Auth tests (apt-get install nodejs npm)")
    marker = NODE_DIR / "node_modules" / ".package-lock.json"
    lock = NODE_DIR / "package-lock.json"
    if not marker.is_file() or marker.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=NODE_DIR,
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=600,
        )
    return json.loads((NODE_DIR / "node_modules" / "better-auth" / "package.json").read_text())["version"]


async def create_database(databases) -> str:
    """A fresh database holding exactly the schema Better Auth 1.7's migrator creates."""
    dsn = await databases.create("better_auth_ref", migrated=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(SCHEMA.read_text())
    finally:
        await conn.close()
    return dsn


@dataclass
class BetterAuthServer:
    url: str
    process: subprocess.Popen
    mail_log: Path
    log_path: Path

    def mails(self, kind: str, to: str) -> list[dict]:
        if not self.mail_log.exists():
            return []
        lines = self.mail_log.read_text().splitlines()
        return [m for m in map(json.loads, lines) if m["kind"] == kind and m["to"].lower() == to.lower()]

    async def mail_link(self, kind: str, to: str, count: int = 1, timeout: float = 10.0) -> str:
        """The link of the `count`-th mail of this kind to this address."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.mails(kind, to)
            if len(found) >= count:
                return found[count - 1]["url"]
            await asyncio.sleep(0.05)
        raise AssertionError(f"Better Auth sent no {kind} mail #{count} to {to} within {timeout}s")

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)  # its own process group: only what we started
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@contextlib.contextmanager
def better_auth_server(
    database_url: str, workdir: Path, trusted_origins: tuple[str, ...] = ()
) -> Iterator[BetterAuthServer]:
    """Better Auth on 127.0.0.1:<free port> until the block ends."""
    ensure_installed()
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    log_path, mail_log = workdir / f"better-auth-{port}.log", workdir / f"better-auth-{port}-mail.jsonl"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(workdir)),
        "PORT": str(port),
        "DATABASE_URL": database_url,
        "BETTER_AUTH_SECRET": SECRET,
        "MAIL_LOG": str(mail_log),
        "TRUSTED_ORIGINS": ",".join(trusted_origins),
        "NODE_ENV": "production",  # "test" would turn Better Auth's Origin checks off
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            ["node", "server.mjs"],
            cwd=NODE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = BetterAuthServer(f"http://127.0.0.1:{port}", process, mail_log, log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"Better Auth exited with {process.returncode}:\n{server.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(server.url + "/api/auth/ok", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"Better Auth did not answer on {server.url} within 60 s:\n{server.log_tail()}")
            time.sleep(0.1)
        yield server
    finally:
        server.stop()


def new_email(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}@example.com"
