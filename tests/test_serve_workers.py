"""`serve --workers N`: each worker listens on a socket of its own (SO_REUSEPORT), so new connections spread over
the workers instead of piling onto whichever worker wakes first; long-lived connections that still fell unevenly are
evened out (the fuller worker closes its surplus after a response); a worker that dies is replaced by one that listens
again; a port that is taken stops start-up with a message. Real processes, real sockets."""

from __future__ import annotations

import socket
import subprocess
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
    """One keep-alive request; returns the status line and headers (the body is read and dropped)."""
    conn.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = conn.recv(4096)
        assert chunk, "the server closed the connection"
        answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    length = int(
        next(line.split(b":", 1)[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    )
    while len(body) < length:
        body += conn.recv(4096)
    return head


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


def test_long_lived_connections_that_fell_unevenly_are_evened_out(database_url, tmp_path):
    """A client with a fixed pool of keep-alive connections that all landed on one worker, and that reconnects
    whenever the server says `Connection: close` (as HTTP/1.1 clients and proxies do), ends up with an even share on
    each worker: the fuller worker closed its surplus, and then nothing more."""
    with instances(service_env(database_url, tmp_path), tmp_path, ["rebalance"], workers=2) as [server]:
        first, second = wait_for_listening_workers(server, 2)
        # The worst split the hash can give: open connections (no request yet) and keep only those on `first`.
        opened = [socket.create_connection(("127.0.0.1", server.port), timeout=30) for _ in range(80)]
        time.sleep(1)  # let the workers accept them
        on_first = {c.raddr.port for c in first.net_connections("tcp") if c.status == psutil.CONN_ESTABLISHED}
        conns = [c for c in opened if c.getsockname()[1] in on_first][:24]
        for conn in opened:
            if conn not in conns:
                conn.close()
        assert len(conns) == 24, f"only {len(conns)} of 80 connections landed on one worker"
        time.sleep(1)
        assert (established(first, server.port), established(second, server.port)) == (24, 0)

        closed_by_server = 0
        try:
            deadline = time.monotonic() + 90
            while True:
                for n, conn in enumerate(conns):
                    if b"connection: close" in health_over(conn).lower():
                        closed_by_server += 1
                        conn.close()
                        conns[n] = socket.create_connection(("127.0.0.1", server.port), timeout=30)
                held = (established(first, server.port), established(second, server.port))
                if held == (12, 12):
                    break
                assert time.monotonic() < deadline, f"still uneven: {held}"
                time.sleep(0.05)
            time.sleep(1.5)  # even now: another round of requests keeps every connection
            assert not any(b"connection: close" in health_over(conn).lower() for conn in conns)
        finally:
            for conn in conns:
                conn.close()
        assert closed_by_server >= 12, "the surplus of the full worker was closed by the server"


def test_spread_counts_excess_over_an_even_share():
    from chatbot_agent.listen import Spread

    assert Spread(mine=7, total=8, listeners=2).excess == 3
    assert Spread(mine=4, total=8, listeners=2).excess == 0
    assert Spread(mine=5, total=9, listeners=2).excess == 0  # 5 is the rounded-up share of 9
    assert Spread(mine=5, total=5, listeners=1).excess == 0  # a lone worker has nobody to give connections to
    assert Spread(mine=0, total=0, listeners=2).excess == 0


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
        done = subprocess.run(
            cli("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"),
            env=service_env(database_url, tmp_path),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "Address already in use" in done.stderr
    assert "Traceback" not in done.stderr
