"""`chatbot-agent serve` as a user runs it: no configuration at all (embedded PostgreSQL), then a clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import psutil
import pytest

from .support import free_port


def _postgres_of(data_dir) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "postgres" and str(data_dir) in " ".join(proc.info["cmdline"] or []):
            found.append(proc)
    return found


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_on_embedded_postgres_then_stop_cleanly(tmp_path, stop_signal):
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PORT": str(port),
        "FRONTEND_DIST": "",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "chatbot_agent.cli", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, server.stdout.read()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve did not become healthy"
            time.sleep(0.2)
        body = {
            "query": "mutation($i: SignUpInput!) { signUp(input: $i) { __typename } }",
            "variables": {
                "i": {
                    "firstName": "Ada",
                    "lastName": "L",
                    "email": "ada@example.com",
                    "password": "a long enough passphrase",
                }
            },
        }
        answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json=body, timeout=10).json()
        assert answer == {"data": {"signUp": {"__typename": "AuthSuccess"}}}
        assert _postgres_of(tmp_path / ".data" / "postgres"), "the embedded PostgreSQL runs in DATA_DIR"
        server.send_signal(stop_signal)
        output, _ = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, output
    assert "Traceback" not in output
    deadline = time.monotonic() + 15
    while _postgres_of(tmp_path / ".data" / "postgres") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _postgres_of(tmp_path / ".data" / "postgres"), "the embedded PostgreSQL stops with the service"
