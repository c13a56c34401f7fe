"""A per-worker cache of session lookups, kept exact by PostgreSQL LISTEN/NOTIFY.

Every `me` and every authenticated request used to ask the database whether its session was still alive. This
cache answers from memory instead, and stays exact because the database itself announces every change that could
make an answer wrong: migration 0004's triggers send the user's id on `auth_session_changes` whenever one of their
live sessions is deleted or altered, or the user row changes. Each worker LISTENs on a connection of its own and
drops that user's entries as the notification arrives, on every worker of every instance.

Why a revocation takes effect at once everywhere:

- A request whose SQL changed sessions or users (`db.notify.changed()`) does not answer before every listening
  worker has acknowledged a barrier sent after its change (`barrier()`, called by the HTTP middleware). PostgreSQL
  delivers notifications in commit order, so a worker that acknowledged the barrier had already dropped the entry.
  The client cannot reach any worker, of any instance, that still holds it.
- A lookup in flight while any notification arrives is not stored (the `version` check), so a row read before a
  change can never be cached after it.
- The cache answers only while its listener has proven, within the last `grace` seconds, that it hears the
  channels: every `heartbeat` seconds each worker announces its id through the pool (the road changes take) and
  must hear it back. A listener that stops hearing (a dropped or half-open connection, a transaction pooler in
  between) turns its cache off within `grace`; it comes back empty when the worker hears itself again. The same
  heartbeats tell each worker who else listens, i.e. whose acknowledgement a barrier waits for.
- Entries live at most `seconds` (SESSION_CACHE_SECONDS) and never past the session's own expiry.
- A change made outside any request of ours (an administrator's SQL, a Better Auth server on the same tables)
  has no barrier; its notification is still applied as it arrives, within a millisecond on a quiet machine.

The listener runs only while the cache is used: after `idle` seconds without a lookup it closes its connection (a
Neon compute may then scale to zero) and the next lookup starts it again; until it is heard, lookups go to the
database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from ...db import notify
from ...db.common import Executor

log = logging.getLogger(__name__)

Connect = Callable[[], Awaitable[asyncpg.Connection]]
BARRIER_SECONDS = 5.0
ROLL_CALL_SECONDS = 0.25  # how long the answers to a roll call may take to come back


class SessionCache:
    def __init__(
        self,
        *,
        seconds: float,
        connect: Connect | None,
        db: Executor,
        max_entries: int = 20_000,
        heartbeat: float = 1.0,
        grace: float = 3.0,
        idle: float = 60.0,
    ) -> None:
        self.seconds = seconds
        self.enabled = seconds > 0 and connect is not None
        self.connect, self.db = connect, db
        self.max_entries, self.heartbeat, self.grace, self.idle = max_entries, heartbeat, grace, idle
        self._entries: dict[str, tuple[float, str, Any]] = {}  # key -> (stored at, user id, value)
        self._keys_of: dict[str, set[str]] = {}  # user id -> keys
        self._version = 0  # bumped by every drop: a lookup that overlapped one is not stored
        self._live_until = 0.0  # monotonic: the cache answers only before this
        self._last_used = 0.0
        self.id = secrets.token_hex(6)  # this worker, on the heartbeat and acks channels
        self._sent_at = 0.0  # when our last heartbeat went out, unanswered; 0: none in flight
        self._heard_since = 0.0  # when the listener first heard itself after (re)connecting; 0: not yet
        self._failing = False  # the last attempt to listen failed
        self._roll_call_at = 0.0  # when our own roll call came back (every listener got it then)
        self._peers: dict[str, float] = {}  # worker id -> when its heartbeat was last heard (ourselves included)
        self._barriers: dict[str, set[str]] = {}  # our nonce -> workers that acknowledged it
        self._barrier_heard = asyncio.Event()
        self._conn: asyncpg.Connection | None = None
        self._conn_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._replies: set[asyncio.Task[None]] = set()  # acks and roll-call answers in flight (kept: asyncio does not)
        self.hits = self.misses = 0

    # ---- lookups

    def get(self, key: str) -> Any:
        """The cached value of `key`, or None (absent, too old, or the listener not proven to hear)."""
        if not self.enabled:
            return None
        now = time.monotonic()
        self._last_used = now
        if self._task is None:
            self._start()
        entry = self._entries.get(key) if now < self._live_until else None
        if entry is None or now - entry[0] >= self.seconds:
            self.misses += 1
            return None
        self.hits += 1
        return entry[2]

    @property
    def version(self) -> int:
        """Take it before reading the database; hand it to `put` with what was read."""
        return self._version

    def put(self, key: str, user_id: str, value: Any, version: int) -> None:
        if not self.enabled or version != self._version or time.monotonic() >= self._live_until:
            return
        if key not in self._entries and len(self._entries) >= self.max_entries:
            self._evict_oldest()
        self._entries[key] = (time.monotonic(), user_id, value)
        self._keys_of.setdefault(user_id, set()).add(key)

    def drop(self, user_id: str) -> None:
        """Forget every entry of `user_id` (the listener calls it; so can a writer that wants it sooner)."""
        self._version += 1
        for key in self._keys_of.pop(user_id, ()):
            self._entries.pop(key, None)

    def clear(self) -> None:
        self._version += 1
        self._entries.clear()
        self._keys_of.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _evict_oldest(self) -> None:
        key, (_, user_id, _) = next(iter(self._entries.items()))
        del self._entries[key]
        keys = self._keys_of.get(user_id)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._keys_of[user_id]

    # ---- the listener

    @property
    def listening(self) -> bool:
        return time.monotonic() < self._live_until

    def _start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="session-cache-listener")

    def _heard(self, channel: str, payload: str) -> None:
        now = time.monotonic()
        if channel == notify.CHANGES:
            self.drop(payload)
        elif channel == notify.HEARTBEAT:
            if payload.startswith("?"):  # a roll call: whoever listens answers at once
                if payload[1:] == self.id:
                    self._roll_call_at = now
                else:
                    self._reply(notify.HEARTBEAT, self.id)
                return
            worker, _, leaving = payload.partition(":")
            if leaving:
                self._peers.pop(worker, None)
            else:
                self._peers[worker] = now
            if worker == self.id and self._sent_at:
                self._live_until = self._sent_at + self.grace
                self._sent_at = 0.0
                self._heard_since = self._heard_since or now
        elif channel == notify.BARRIER:
            # Every notification before it has been applied (they are relayed in order): acknowledge.
            self._reply(notify.ACKS, f"{payload}:{self.id}")
        elif channel == notify.ACKS:
            nonce, _, worker = payload.partition(":")
            acked = self._barriers.get(nonce)
            if acked is not None:
                acked.add(worker)
                self._barrier_heard.set()

    def _deaf(self) -> None:
        self._live_until = 0.0
        self._sent_at = 0.0
        self._heard_since = 0.0
        self._roll_call_at = 0.0
        self._peers.clear()
        self.clear()

    async def _know_the_listeners(self) -> None:
        self._last_used = time.monotonic()
        if self._task is None:
            self._start()
        deadline = time.monotonic() + self.grace
        while not self._failing and time.monotonic() < deadline:
            now, since, roll_call = time.monotonic(), self._heard_since, self._roll_call_at
            if since and (now - since > self.heartbeat * 1.5 or (roll_call and now - roll_call > ROLL_CALL_SECONDS)):
                return
            await asyncio.sleep(0.02)

    def _reply(self, channel: str, payload: str) -> None:
        task = asyncio.get_running_loop().create_task(self._send_on_listener(channel, payload))
        self._replies.add(task)
        task.add_done_callback(self._replies.discard)

    async def _send_on_listener(self, channel: str, payload: str) -> None:
        async with self._conn_lock:
            conn = self._conn
            if conn is None or conn.is_closed():
                return
            with contextlib.suppress(Exception):
                await notify.send(conn, channel, payload)

    async def barrier(self) -> bool:
        """Wait until every worker heard listening within `grace` (this one included) has applied the changes
        committed so far. True when all acknowledged; False (and a warning) when one stayed silent for
        BARRIER_SECONDS: a worker that hung or died without saying goodbye.

        Who listens is learnt from the heartbeats, one a second from each worker; a worker whose own listener is
        idle (no lookup for a minute) or has just started first listens long enough to have heard them all."""
        if not self.enabled:
            return True
        await self._know_the_listeners()
        now = time.monotonic()
        waiting = {w for w, heard in self._peers.items() if now - heard < self.grace}
        if not waiting:
            return True
        nonce = secrets.token_hex(8)
        acked = self._barriers[nonce] = set()
        try:
            await notify.send(self.db, notify.BARRIER, nonce)
            async with asyncio.timeout(BARRIER_SECONDS):
                while not waiting <= acked:
                    self._barrier_heard.clear()
                    await self._barrier_heard.wait()
            return True
        except TimeoutError:
            missing = len(waiting - acked)
            log.warning("session cache barrier: %d of %d workers did not acknowledge", missing, len(waiting))
            return False
        finally:
            del self._barriers[nonce]

    async def _run(self) -> None:
        assert self.connect is not None
        delay = 0.5
        try:
            while time.monotonic() - self._last_used < self.idle:
                conn = None
                try:
                    conn = self._conn = await self.connect()
                    lost = asyncio.Event()
                    conn.add_termination_listener(lambda _c, lost=lost: lost.set())
                    await notify.listen(conn, self._heard)
                    self.clear()  # whatever was cached before LISTEN took effect may have missed a change
                    await notify.send(self.db, notify.HEARTBEAT, "?" + self.id)  # who else listens?
                    self._failing = False
                    delay = 0.5
                    await self._beat(lost)
                except Exception as exc:  # noqa: BLE001  # any failure: deaf until heard again
                    self._failing = True
                    log.warning("session cache listener: %s; lookups go to the database", type(exc).__name__)
                finally:
                    self._deaf()
                    if conn is not None and not conn.is_closed():
                        await self._send_on_listener(notify.HEARTBEAT, f"{self.id}:leaving")
                        with contextlib.suppress(Exception):
                            await asyncio.wait_for(conn.close(), 2)
                    self._conn = None
                if time.monotonic() - self._last_used < self.idle:
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 8.0)
        finally:
            self._deaf()
            self._task = None

    async def _beat(self, lost: asyncio.Event) -> None:
        """Announce this worker through the pool each `heartbeat` seconds while the cache is in use and the
        connection lives; hearing it back keeps the cache on."""
        while not lost.is_set() and time.monotonic() - self._last_used < self.idle:
            if not self._sent_at or time.monotonic() - self._sent_at > self.grace:
                self._sent_at = time.monotonic()
                await notify.send(self.db, notify.HEARTBEAT, self.id)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), self.heartbeat)

    async def close(self) -> None:
        task = self._task
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._deaf()
