"""`chatbot-agent serve` and `migrate` as real processes, as an operator runs them: one module for the tests of
workers, instances and migrations that must see separate processes (separate pools, caches, event loops)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from .support import JWT_KEY, SECRETS_KEY, SESSION_SECRET, free_port


def service_env(database_url: str, data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of an instance: the database, the secrets every instance shares, cheap argon2id."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(data_dir),
        "APP_ENV": "test",
        "DATABASE_URL": database_url,
        "DATA_DIR": str(data_dir),
        "FRONTEND_DIST": "",
        "SESSION_SECRET": SESSION_SECRET,
        "JWT_PRIVATE_KEY": JWT_KEY,
        "SECRETS_ENCRYPTION_KEY": SECRETS_KEY,
        "ARGON2_MEMORY_KIB": "1024",
        "ARGON2_TIME_COST": "1",
        "HASH_WORKERS": "1",
        "DB_POOL_MIN": "1",
        "DB_POOL_MAX": "3",
        "DB_CONNECT_RETRIES": "0",
        "RATE_LIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
    }
    if "PYTHONPATH" in os.environ:
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    env.update(settings)
    return env


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "chatbot_agent.cli", "--env-file", os.devnull, *args]


@dataclass
class Instance:
    """One `chatbot-agent serve` process (with its workers) listening on 127.0.0.1:port."""

    port: int
    process: subprocess.Popen
    log: Path
    name: str = ""
    _closed: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def workers(self) -> list[psutil.Process]:
        children = psutil.Process(self.process.pid).children()
        return [c for c in children if "resource_tracker" not in " ".join(c.cmdline())]

    def wait_healthy(self, timeout: float = 90) -> Instance:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, f"{self.name} exited:\n{self.output()}"
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return self
            assert time.monotonic() < deadline, f"{self.name} did not become healthy:\n{self.output()}"
            time.sleep(0.1)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode


def start_instance(
    env: dict[str, str], tmp: Path, *, name: str = "instance", workers: int = 1, extra: tuple[str, ...] = ()
) -> Instance:
    port = free_port()
    log = tmp / f"{name}-{port}.log"
    env = {**env, "PUBLIC_URL": env.get("PUBLIC_URL", f"http://127.0.0.1:{port}")}
    with open(log, "wb") as out:
        process = subprocess.Popen(
            cli("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), *extra),
            env=env,
            cwd=tmp,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Instance(port, process, log, name)


@contextlib.contextmanager
def instances(env: dict[str, str], tmp: Path, names: list[str], **kw) -> Iterator[list[Instance]]:
    """Start one instance per name (all at once), wait until every one answers /health; stop them all after."""
    started = [start_instance(env, tmp, name=n, **kw) for n in names]
    try:
        for instance in started:
            instance.wait_healthy()
        yield started
    finally:
        for instance in started:
            instance.stop()
