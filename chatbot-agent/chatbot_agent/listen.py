"""Listening sockets for `serve --workers N`: one per worker, so the kernel spreads connections evenly.

uvicorn's workers share one listening socket by default. Each worker's event loop (uvloop/libuv) accepts every
pending connection when it wakes, so a burst of new connections (a load balancer opening its keep-alive pool, a
client's connection pool) often lands on one worker, which then serves them all on one core while the others idle.

With `SO_REUSEPORT` (Linux ≥ 3.9) each worker listens on a socket of its own bound to the same address, and the
kernel assigns each new connection to one of them when it arrives (by a hash of its addresses and ports), however
bursty the arrivals: each worker gets its share on average, and a worker never takes another's connections.

uvicorn's supervisor stays in charge (restarts, SIGHUP, SIGTTIN/TTOU): it hands every worker it spawns the `sockets`
list, and ours holds a `WorkerSocket`, which pickles to the address only, so each worker that unpickles it binds a
fresh socket of its own. That socket is bound but not yet listening: uvicorn
listens on it once the application has started, so no connection waits in the queue of a worker still starting.

The supervisor itself keeps a bound, non-listening socket on the address for its lifetime: it holds the port (no
other program can take it between worker restarts), while the kernel routes connections only to listening sockets.
"""

from __future__ import annotations

import socket
import sys


def reuse_port_supported() -> bool:
    """SO_REUSEPORT balances connections across sockets on Linux only (BSD/macOS give them all to one socket)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def bind(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    """A TCP socket bound to (host, port), not listening yet."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def reserve(host: str, port: int) -> socket.socket:
    """The supervisor's hold on the address: fails like a plain bind when another program listens there (even one
    with SO_REUSEPORT), then binds with SO_REUSEPORT so the workers can bind too. Port 0 picks a free port."""
    probe = bind(host, port, reuse_port=False)
    port = probe.getsockname()[1]
    probe.close()
    return bind(host, port, reuse_port=True)


def _worker_socket(host: str, port: int) -> socket.socket:
    return bind(host, port, reuse_port=True)


class WorkerSocket:
    """Stands for a listening socket in uvicorn's `sockets` list: in each worker it unpickles to a new socket bound
    to (host, port) with SO_REUSEPORT (uvicorn spawns workers, so their arguments travel pickled)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def __reduce__(self):
        return _worker_socket, (self.host, self.port)

    def __repr__(self) -> str:
        return f"WorkerSocket({self.host!r}, {self.port})"
