"""Outgoing mail. SMTP through aiosmtplib when SMTP_URL is set; otherwise the development console mailer, which
writes the message (with its link) to the server log, clearly marked.

Mail leaves through a bounded in-process queue drained by a background task, so an answer never waits for SMTP
(and `requestPasswordReset` answers as fast for a known email as for an unknown one)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from ..logs import REVEAL

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
    def parse(cls, url: str) -> "SmtpTarget":
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
            host=parts.hostname, port=parts.port or (465 if implicit else 587),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=implicit, start_tls=False if implicit else start_tls,
        )  # fmt: skip


class Mailer:
    def __init__(self, *, smtp_url: str | None, sender: str, timeout: float = 10.0, queue_size: int = 1000) -> None:
        self.target = SmtpTarget.parse(smtp_url) if smtp_url else None
        self.sender, self.timeout = sender, timeout
        self._queue: asyncio.Queue[EmailMessage] = asyncio.Queue(maxsize=queue_size)
        self._worker: asyncio.Task | None = None

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
        except asyncio.TimeoutError:
            log.warning("mailer stopped with %d message(s) unsent", self._queue.qsize())
        self._worker.cancel()
        self._worker = None

    def enqueue(self, to: str, subject: str, text: str) -> bool:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(text)
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            log.error("mail queue full: a message was dropped")
            return False
        self.start()
        return True

    async def send_now(self, message: EmailMessage) -> None:
        if self.target is None:
            log.warning(
                "DEVELOPMENT MODE (no SMTP_URL): mail not sent; its content follows.\nTo: %s\nSubject: %s\n\n%s",
                message["To"], message["Subject"], message.get_content(), extra={REVEAL: True},
            )  # fmt: skip
            return
        t = self.target
        await aiosmtplib.send(
            message, hostname=t.host, port=t.port, username=t.username, password=t.password, use_tls=t.use_tls,
            start_tls=t.start_tls, timeout=self.timeout,
        )  # fmt: skip

    async def _drain(self) -> None:
        while True:
            message = await self._queue.get()
            try:
                await self.send_now(message)
            except Exception as exc:  # noqa: BLE001 - a failed mail must not kill the worker
                log.error("sending mail failed: %s", type(exc).__name__)
            finally:
                self._queue.task_done()
