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

The hash spreads many connections evenly, but a few long-lived ones can stay uneven for their whole life; `Rebalance`
(below) has a worker above its share close its surplus after a response, so that their clients reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import socket
import sys
from dataclasses import dataclass

log = logging.getLogger(__name__)


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


# --------------------------------------------------------------------------------------------------------------
# Rebalancing: the kernel's hash is even on average, but a handful of long-lived keep-alive connections (a reverse
# proxy's pool, a load generator) can still fall 6 to 2 or 21 to 11, and keep that split for their whole life.

TCP_ESTABLISHED, TCP_LISTEN = "01", "0A"


@dataclass(frozen=True)
class Spread:
    """Connections to one port, as the kernel lists them (/proc/net/tcp and tcp6): this process's, every process's,
    and the number of listening sockets (one per worker)."""

    mine: int
    total: int
    listeners: int

    @property
    def excess(self) -> int:
        """How many of its connections this worker holds beyond an even share (rounded up)."""
        if self.listeners < 2 or self.total == 0:
            return 0
        return max(0, self.mine - math.ceil(self.total / self.listeners))


def _socket_inodes() -> set[str]:
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir("/proc/self/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/self/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    return inodes


def spread(port: int) -> Spread:
    suffix = f":{port:04X}"
    mine = total = listeners = 0
    own = _socket_inodes()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as rows:
            next(rows, None)  # header
            for row in rows:
                cols = row.split()
                if len(cols) < 10 or not cols[1].endswith(suffix):
                    continue
                if cols[3] == TCP_LISTEN:
                    listeners += 1
                elif cols[3] == TCP_ESTABLISHED:
                    total += 1
                    mine += cols[9] in own
    return Spread(mine, total, listeners)


class Rebalance:
    """ASGI middleware for a worker listening with SO_REUSEPORT. About twice a second it compares the connections it
    holds with the others' (`spread`); while it holds more than an even share, it answers that many requests with
    `Connection: close`. Their clients reconnect at once (HTTP/1.1 clients do so without an error) and the kernel
    hashes each new connection afresh, so within a few seconds the workers hold even shares. Only a worker above its
    share closes anything, one connection per surplus connection, so an even spread is left alone."""

    def __init__(self, app, port: int, interval: float = 0.5) -> None:
        self.app, self.port, self.interval = app, port, interval
        self.to_close = 0
        self._watcher: asyncio.Task | None = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self._watcher is None:
            self._watcher = asyncio.get_running_loop().create_task(self._watch())
        if self.to_close <= 0:
            return await self.app(scope, receive, send)

        async def send_closing(message) -> None:
            if message["type"] == "http.response.start" and self.to_close > 0:
                self.to_close -= 1
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, send_closing)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                self.to_close = (await asyncio.to_thread(spread, self.port)).excess
            except Exception:  # never let the watcher die of a /proc oddity; the kernel's hash still spreads
                log.exception("rebalance: cannot read the connection spread")
                self.to_close = 0
                await asyncio.sleep(30)
