"""The channels of the session caches (auth/core/session_cache.py).

- `auth_session_changes`: migration 0004's triggers announce there every change that can make a cached session
  lookup wrong; the payload is the user's id.
- `auth_session_heartbeat`: each listening worker announces its id there every second. Hearing its own proves the
  road from the pool to the listener works; hearing the others tells it who is listening.
- `auth_session_barrier` / `auth_session_acks`: after a request changed sessions or users, its worker sends a
  barrier nonce and waits until every listening worker has acknowledged it (`<nonce>:<worker id>`). Notifications
  arrive in commit order, so a worker that acknowledges the barrier has applied every change committed before it.

`changed()` is how the SQL functions that fire those triggers tell the request they run in (if any) to wait for the
barrier before it answers."""

from __future__ import annotations

import contextvars
from collections.abc import Callable

import asyncpg

from .common import Executor

CHANGES = "auth_session_changes"
HEARTBEAT = "auth_session_heartbeat"
BARRIER = "auth_session_barrier"
ACKS = "auth_session_acks"
CHANNELS = (CHANGES, HEARTBEAT, BARRIER, ACKS)

Callback = Callable[[str, str], None]  # (channel, payload)


class Changes:
    """Set on a request (http/middleware.py): whether its SQL changed sessions or users."""

    __slots__ = ("seen",)

    def __init__(self) -> None:
        self.seen = False


current: contextvars.ContextVar[Changes | None] = contextvars.ContextVar("session_changes", default=None)


def changed() -> None:
    """Called next to SQL that deletes or alters a live session or changes a user (the triggers of 0004 fire)."""
    holder = current.get()
    if holder is not None:
        holder.seen = True


async def listen(conn: asyncpg.Connection, callback: Callback) -> None:
    """LISTEN on every channel, on `conn`: a connection of its own, never a transaction pooler's."""

    def relay(_conn: object, _pid: int, channel: str, payload: object) -> None:
        callback(channel, str(payload))

    for channel in CHANNELS:
        await conn.add_listener(channel, relay)


async def send(db: Executor, channel: str, payload: str) -> None:
    await db.execute("SELECT pg_notify($1, $2)", channel, payload)
