"""Outgoing mail. SMTP through aiosmtplib when SMTP_URL is set; otherwise the development console mailer, which
writes the message (with its link) to the server log, clearly marked.

Mail leaves through a bounded in-process queue drained by a background task, so an answer never waits for SMTP
(and `requestPasswordReset` answers as fast for a known email as for an unknown one)."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from ...logs import REVEAL

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool | None

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        """smtp://[user:pass@]host[:port][?starttls=true|false]  or  smtps://... (implicit TLS, port 465)."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("expected smtp://user:pass@host:port or smtps://user:pass@host:465")
        query = parse_qs(parts.query)
        start_tls = None  # aiosmtplib: STARTTLS when the server offers it
        if "starttls" in query:
            start_tls = query["starttls"][0].lower() in ("1", "true", "yes")
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit else 587),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=implicit,
            start_tls=False if implicit else start_tls,
        )


class MailMonitor(Protocol):
    """Told how each queued mail ends (metrics: sent, failed by reason)."""

    def sent(self) -> None: ...

    def failed(self, reason: str) -> None: ...  # "queue_full" or the exception's class name


@dataclass(frozen=True)
class Draft:
    to: str
    subject: str
    text: str
    html: str | None = None


class Mailer:
    def __init__(self, *, smtp_url: str | None, sender: str, timeout: float = 10.0, queue_size: int = 1000) -> None:
        self.target = SmtpTarget.parse(smtp_url) if smtp_url else None
        self.sender, self.timeout = sender, timeout
        self._queue: asyncio.Queue[tuple[Callable[[], Awaitable[Draft | None]], contextvars.Context]] = asyncio.Queue(
            maxsize=queue_size
        )
        self._worker: asyncio.Task[None] | None = None
        self.monitor: MailMonitor | None = None

    @property
    def queued(self) -> int:
        """Mails waiting to be composed or sent."""
        return self._queue.qsize()

    @property
    def development(self) -> bool:
        return self.target is None

    def start(self) -> None:
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._drain(), name="mailer")

    async def stop(self, drain_timeout: float = 5.0) -> None:
        if self._worker is None:
            return
        try:
            await asyncio.wait_for(self._queue.join(), drain_timeout)
        except TimeoutError:
            log.warning("mailer stopped with %d message(s) unsent", self._queue.qsize())
        self._worker.cancel()
        self._worker = None

    def send(self, draft: Draft) -> bool:
        """Queue a mail that is already composed."""

        async def ready() -> Draft:
            return draft

        return self.enqueue_job(ready)

    def enqueue_job(self, compose: Callable[[], Awaitable[Draft | None]]) -> bool:
        """Queue a mail whose content is composed in the background (it may need the database); `compose` returns
        None when there is nothing to send. Neither composing nor sending ever delays the caller."""
        try:
            self._queue.put_nowait((compose, contextvars.copy_context()))  # logs keep the request's id
        except asyncio.QueueFull:
            log.error("mail queue full: a message was dropped")
            if self.monitor is not None:
                self.monitor.failed("queue_full")
            return False
        self.start()
        return True

    def _message(self, draft: Draft) -> EmailMessage:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, draft.to, draft.subject
        message.set_content(draft.text)
        if draft.html:
            message.add_alternative(draft.html, subtype="html")
        return message

    async def send_now(self, message: EmailMessage) -> None:
        if self.target is None:
            log.warning(
                "DEVELOPMENT MODE (no SMTP_URL): mail not sent; its content follows.\nTo: %s\nSubject: %s\n\n%s",
                message["To"],
                message["Subject"],
                _text_of(message),
                extra={REVEAL: True},
            )
            return
        t = self.target
        await aiosmtplib.send(
            message,
            hostname=t.host,
            port=t.port,
            username=t.username,
            password=t.password,
            use_tls=t.use_tls,
            start_tls=t.start_tls,
            timeout=self.timeout,
        )

    async def _drain(self) -> None:
        while True:
            compose, context = await self._queue.get()
            try:
                await asyncio.get_running_loop().create_task(self._deliver(compose), context=context)
            finally:
                self._queue.task_done()

    async def _deliver(self, compose: Callable[[], Awaitable[Draft | None]]) -> None:
        try:
            draft = await compose()
            if draft is not None:
                await self.send_now(self._message(draft))
                if self.monitor is not None:
                    self.monitor.sent()
        except Exception as exc:  # noqa: BLE001 - a failed mail must not kill the worker
            log.error("mail not sent: %s", type(exc).__name__)
            if self.monitor is not None:
                self.monitor.failed(type(exc).__name__)


def _text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    return str((part or message).get_content())
