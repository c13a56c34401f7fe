"""`serve --workers N`: each worker listens on a socket of its own (SO_REUSEPORT), so new connections spread over
the workers instead of piling onto whichever worker wakes first; a worker that dies is replaced by one that listens
again; a port that is taken stops start-up with a message. Real processes, real sockets."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import psutil
import pytest

from chatbot_agent import listen

from .processes import cli, instances, service_env

pytestmark = pytest.mark.skipif(not listen.reuse_port_supported(), reason="SO_REUSEPORT balances on Linux only")


def listening(proc: psutil.Process, port: int) -> list:
    return [c for c in proc.net_connections("tcp") if c.status == psutil.CONN_LISTEN and c.laddr.port == port]


def established(proc: psutil.Process, port: int) -> int:
    return sum(1 for c in proc.net_connections("tcp") if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port)


def wait_for_listening_workers(instance, count: int, exclude: set[int] = frozenset(), timeout: float = 90) -> list:
    deadline = time.monotonic() + timeout
    while True:
        workers = [w for w in instance.workers() if w.pid not in exclude]
        ready = [w for w in workers if listening(w, instance.port)]
        if len(ready) == count:
            return ready
        assert time.monotonic() < deadline, f"{len(ready)} of {count} workers listen:\n{instance.output()}"
        time.sleep(0.2)


def health_over(conn: socket.socket) -> bytes:
    conn.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = conn.recv(4096)
        assert chunk, "the server closed the connection"
        answer += chunk
    return answer


def test_each_worker_listens_on_its_own_socket_and_new_connections_spread(database_url, tmp_path):
    with instances(service_env(database_url, tmp_path), tmp_path, ["spread"], workers=2) as [server]:
        workers = wait_for_listening_workers(server, 2)
        for worker in workers:
            assert len(listening(worker, server.port)) == 1, "one listening socket per worker"
        # The supervisor holds the address with a socket that never listens: no connection can wait on it.
        assert listening(psutil.Process(server.process.pid), server.port) == []

        # A burst of keep-alive connections, as a load balancer opens its pool: each is answered, and both workers
        # hold some (the kernel hashes each connection to a socket; all 24 on one worker: 1 in 8 million).
        conns = [socket.create_connection(("127.0.0.1", server.port), timeout=30) for _ in range(24)]
        try:
            for conn in conns:
                assert health_over(conn).startswith(b"HTTP/1.1 200")
            held = {w.pid: established(w, server.port) for w in workers}
        finally:
            for conn in conns:
                conn.close()
        assert sum(held.values()) == 24, held
        assert all(count > 0 for count in held.values()), f"every worker got connections: {held}"


def test_a_worker_that_dies_is_replaced_by_one_that_listens_on_a_new_socket(database_url, tmp_path):
    with instances(service_env(database_url, tmp_path), tmp_path, ["restart"], workers=2) as [server]:
        first, second = wait_for_listening_workers(server, 2)
        first.kill()
        first.wait(timeout=30)
        replacement = wait_for_listening_workers(server, 1, exclude={first.pid, second.pid})[0]
        assert replacement.pid != first.pid and listening(replacement, server.port)
        assert listening(second, server.port), "the other worker kept serving"
        # Every new connection is answered: none is routed to the dead worker's socket.
        for _ in range(16):
            with socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn:
                assert health_over(conn).startswith(b"HTTP/1.1 200")


def test_a_port_already_in_use_stops_start_up_with_a_message(database_url, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(cli("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"),
                              env=service_env(database_url, tmp_path), cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)  # fmt: skip
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "Address already in use" in done.stderr
    assert "Traceback" not in done.stderr
