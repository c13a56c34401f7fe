"""The security audit trail: the core's events, and those of the other methods, as rows of `auth_audit`.

Every event is heard (`core.events.on_any`); those in `RECORDED`, or whose name starts with one of `PREFIXES`, are
kept with their time, the client's address and user agent (bounded), the failure code when there is one, and a few
whitelisted details (`DETAILS`). Nothing else of an event is stored, so a secret or token that a method puts in its
event data never reaches the table.

Recording never slows or fails the user's action: the handler only puts the row on a bounded in-process queue, and
one background writer inserts batches. A failed insert, or a full queue, is logged and the action stands. A reader
of the trail (`recent`) first waits briefly for this process's queue to drain, so a user sees their last action.

An account's deletion erases its trail (no row of a deleted user is left, as account deletion promises): the
handler deletes the user's rows at once, rows still queued are dropped at insert time (the user no longer exists),
and the deletion itself is kept without the user (time, address, user agent) until it expires.

Refused attempts that a rate limit stopped (code RATE_LIMITED) are counted by the metrics, not recorded: they cost
the attacker nothing, and one row each would let a flood fill the table."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ....db import audit
from ...core import events
from ...core.core import Core
from ...core.errors import Code
from ...core.events import Event

log = logging.getLogger(__name__)

RECORDED = frozenset(
    {
        events.USER_SIGNED_UP,
        events.SIGNED_IN,
        events.SIGN_IN_FAILED,
        events.SIGNED_OUT,
        events.SESSIONS_REVOKED,
        events.PASSWORD_CHANGED,
        events.PASSWORD_RESET,
        events.PASSWORD_RESET_REQUESTED,
        events.EMAIL_VERIFIED,
        events.EMAIL_CHANGED,
        events.PROFILE_UPDATED,
        events.ACCOUNT_DELETED,
    }
)
PREFIXES = ("two_factor.", "passkey.", "oauth.", "magic_link.")  # every event of these methods
NOT_RECORDED = frozenset({Code.RATE_LIMITED.value})
DETAILS = frozenset({"method", "count", "revoked", "provider", "passkey_id", "passkey_name", "session_id"})
CODES = frozenset(code.value for code in Code)

MAX_TEXT = 100  # a detail's text
MAX_USER_AGENT = 512
MAX_IP = 64
MAX_EVENT = 64
QUEUE_SIZE = 10_000
BATCH = 200
DEFAULT_LIMIT, MAX_LIMIT = 20, 100


def recorded(name: str) -> bool:
    return name in RECORDED or name.startswith(PREFIXES)


def _bounded(text: str | None, limit: int) -> str | None:
    return None if text is None else text[:limit]


def details_of(data: dict[str, Any]) -> dict[str, str | int | bool]:
    """The whitelisted fields of an event's data, plain values only, text bounded."""
    kept: dict[str, str | int | bool] = {}
    for key in sorted(DETAILS & data.keys()):
        value = data[key]
        if isinstance(value, bool | int):
            kept[key] = value
        elif isinstance(value, str):
            kept[key] = value[:MAX_TEXT]
    return kept


def row_of(event: Event, at: datetime) -> audit.AuditRow:
    code = event.data.get("code")
    client = event.client
    return audit.AuditRow(
        user_id=event.user_id,
        created_at=at,
        event=event.name[:MAX_EVENT],
        code=code if code in CODES else None,  # only our codes: never a value a method passed under that name
        ip_address=_bounded(client.ip if client else None, MAX_IP),
        user_agent=_bounded(client.user_agent if client else None, MAX_USER_AGENT),
        details=json.dumps(details_of(event.data), separators=(",", ":")),
    )


@dataclass(frozen=True)
class SecurityEvent:
    id: str
    event: str
    created_at: datetime
    code: str | None
    ip_address: str | None
    user_agent: str | None
    method: str | None
    revoked_sessions: int | None


def _event_of(row: Any) -> SecurityEvent:
    details = json.loads(row["details"]) if row["details"] else {}
    revoked = details.get("count", details.get("revoked"))
    return SecurityEvent(
        id=str(row["id"]),
        event=row["event"],
        created_at=row["createdAt"],
        code=row["code"],
        ip_address=row["ipAddress"],
        user_agent=row["userAgent"],
        method=details.get("method"),
        revoked_sessions=revoked if isinstance(revoked, int) and not isinstance(revoked, bool) else None,
    )


class AuditService:
    def __init__(self, core: Core) -> None:
        self.core = core
        self._queue: asyncio.Queue[audit.AuditRow] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self._writer: asyncio.Task[None] | None = None
        self._queued = self._written = 0  # rows queued / rows whose insert has ended (written or failed)
        self._progress = asyncio.Event()
        self._closed = False
        self.dropped = 0
        core.events.on_any(self._record)

    # --------------------------------------------------------------------------------------------------- writing

    async def _record(self, event: Event) -> None:
        if not recorded(event.name) or event.data.get("code") in NOT_RECORDED:
            return
        if self._closed:
            log.warning("audit: event %s after shutdown not recorded", event.name)
            return
        row = row_of(event, datetime.now(UTC))
        if event.name == events.ACCOUNT_DELETED and event.user_id is not None:
            row = row._replace(user_id=None)
            try:
                await audit.delete_of_user(self.core.pool, event.user_id)
            except Exception as exc:  # noqa: BLE001 - the account is gone; its rows expire with the retention
                log.error("audit: the rows of a deleted account were not erased: %s", type(exc).__name__)
        try:
            self._queue.put_nowait(row)
        except asyncio.QueueFull:
            self.dropped += 1
            log.error("audit queue full: event %s not recorded", event.name)
            return
        self._queued += 1
        self._start()

    def _start(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._drain(), name="audit-writer")

    async def _drain(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await audit.insert_many(self.core.pool, batch)
            except Exception as exc:  # noqa: BLE001 - the user's action stands; the trail loses these rows
                log.error("audit: %d event(s) not recorded: %s", len(batch), type(exc).__name__)
            finally:
                self._written += len(batch)
                self._progress.set()
                for _ in batch:
                    self._queue.task_done()

    async def flush(self, within: float = 1.0) -> None:
        """Wait (at most `within` seconds) until the rows queued before this call are written; rows queued
        meanwhile (a busy server) do not make it wait longer."""
        target = self._queued
        if self._writer is None or self._writer.done():
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while self._written < target:
                    self._progress.clear()
                    await self._progress.wait()

    async def on_startup(self) -> None:
        self._start()

    async def on_shutdown(self) -> None:
        self._closed = True
        if self._writer is not None and not self._writer.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), 5.0)
        if self._queue.qsize():
            log.warning("audit writer stopped with %d event(s) unrecorded", self._queue.qsize())
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
            self._writer = None

    # --------------------------------------------------------------------------------------------------- reading

    async def recent(self, user_id: str, limit: int = DEFAULT_LIMIT) -> list[SecurityEvent]:
        """The user's last events, newest first (`limit` kept within 1..100)."""
        await self.flush()
        rows = await audit.of_user(self.core.pool, user_id, max(1, min(limit, MAX_LIMIT)))
        return [_event_of(row) for row in rows]
