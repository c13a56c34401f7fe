"""Prometheus metrics at /metrics, with prometheus-client.

What is measured:
- every HTTP request by route (the path template of the matched route, never the raw path: "/api/auth/reset-
  password/:token") and method: count by status, latency;
- every GraphQL request by operation: its type and top-level field (`mutation signIn`), taken from the validated
  document. The client's operation name is not used: a client could send a new one per request and grow the
  label set without bound. A request that never executes (invalid JSON or GraphQL) is `(invalid)`;
- sign-ins by method and result (`success`, or the failure code), from the core's events;
- the password-hashing queue: jobs waiting for a thread, their wait, the threads;
- the database pool: connections in use, idle, and the maximum;
- the mail queue: mails waiting, mails sent, failures by reason;
- the session cache: entries, whether its listener is heard, lookups answered from memory or the database;
- the worker processes serving.

Several workers (`serve --workers N`): each uvicorn worker is a process with its own counters, and a scrape reaches
one of them. `serve` therefore points PROMETHEUS_MULTIPROC_DIR at a fresh directory before the workers start;
prometheus-client's multiprocess mode then keeps every worker's values in files there, and a scrape, whichever
worker answers it, adds them up (gauges: summed over the live workers). A worker that dies is dropped from the
gauges at the next scrape (its counters stay: they happened). Set the variable yourself when another supervisor
(gunicorn) runs the app.

METRICS (config.py): `on`; `off` (nothing is measured, /metrics answers 404); `token` (/metrics answers only to
`Authorization: Bearer <METRICS_TOKEN>`, 401 otherwise). `auto`, the default, is off in production."""

from __future__ import annotations

import asyncio
import contextlib
import glob
import hmac
import logging
import os
import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from graphql import FieldNode, OperationDefinitionNode
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from ..auth.core import events
from ..auth.core.errors import Code
from .middleware import ROUTE_KEY  # the path template a transport that routes by itself set (api/rest)

if TYPE_CHECKING:
    from ..auth.core.core import Core
    from ..auth.core.events import Event
    from ..config import Settings

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
PREFIX = "chatbot_auth_"
OPERATION_KEY = "chatbot_agent.graphql_operation"  # set in the ASGI scope by the schema extension
INVALID = "(invalid)"
UNMATCHED = "(unmatched)"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
CODES = frozenset(code.value for code in Code)
SAMPLE_SECONDS = 2.0
LATENCY_BUCKETS = (0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
WAIT_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_LIVE_FILE = re.compile(r"^gauge_live\w+?_(\d+)\.db$")


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


class Metrics:
    """The metrics of one app. `enabled` is False with METRICS=off: then nothing is measured or served."""

    def __init__(self, settings: Settings) -> None:
        self.mode = settings.metrics_mode
        self.token = (settings.metrics_token or "").encode()
        self.enabled = self.mode != "off"
        self.multiprocess = multiprocess_dir()
        self.registry = CollectorRegistry()
        self._core: Core | None = None
        self._sampler: asyncio.Task[None] | None = None
        r = self.registry
        live: dict[str, Any] = {"multiprocess_mode": "livesum", "registry": r}
        self.http_requests = Counter(
            PREFIX + "http_requests_total",
            "HTTP requests by route template.",
            ["route", "method", "status"],
            registry=r,
        )
        self.http_latency = Histogram(
            PREFIX + "http_request_duration_seconds",
            "HTTP request latency by route template.",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.graphql_requests = Counter(
            PREFIX + "graphql_requests_total", "GraphQL requests by operation.", ["type", "operation"], registry=r
        )
        self.graphql_latency = Histogram(
            PREFIX + "graphql_request_duration_seconds",
            "GraphQL request latency (the whole HTTP request) by operation.",
            ["type", "operation"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.sign_ins = Counter(
            PREFIX + "sign_ins_total",
            "Sign-in attempts by method and result (success, or the AuthErrorCode).",
            ["method", "result"],
            registry=r,
        )
        self.hash_queue = Gauge(PREFIX + "password_hash_queue_depth", "Hashing jobs waiting for a process.", **live)
        self.hash_wait = Histogram(
            PREFIX + "password_hash_wait_seconds",
            "Time a hashing job waited for a hashing process.",
            buckets=WAIT_BUCKETS,
            registry=r,
        )
        self.hash_workers = Gauge(PREFIX + "password_hash_processes", "Password-hashing processes.", **live)
        self.db_pool = Gauge(PREFIX + "db_pool_connections", "Database pool connections by state.", ["state"], **live)
        self.db_pool_max = Gauge(PREFIX + "db_pool_max_connections", "Database pool size limit.", **live)
        self.mail_queue = Gauge(PREFIX + "mail_queue_depth", "Mails waiting to be composed or sent.", **live)
        self.mail_sent = Counter(
            PREFIX + "mail_sent_total", "Mails handed to the SMTP server (or the log).", registry=r
        )
        self.mail_failures = Counter(
            PREFIX + "mail_failures_total", "Mails not sent, by reason.", ["reason"], registry=r
        )
        self.workers = Gauge(PREFIX + "worker_processes", "Worker processes serving.", **live)
        self.cache_entries = Gauge(PREFIX + "session_cache_entries", "Session lookups held in memory.", **live)
        self.cache_listening = Gauge(
            PREFIX + "session_cache_listening",
            "Workers whose session cache hears the database's change notifications (and so answers).",
            **live,
        )
        self.cache_lookups = Counter(
            PREFIX + "session_cache_lookups_total",
            "Session lookups by where they were answered: hit (memory) or miss (the database).",
            ["result"],
            registry=r,
        )
        self._cache_counted = (0, 0)

    # ------------------------------------------------------------------------------------------------ wiring

    @property
    def schema_extensions(self) -> list[type[SchemaExtension]]:
        return [OperationLabel] if self.enabled else []

    def routes(self) -> list[Route]:
        return [Route("/metrics", self.endpoint, methods=["GET"])]

    def watch(self, core: Core) -> None:
        """Once the core exists (app lifespan): hashing, mail and sign-in hooks, and the gauge sampler."""
        if not self.enabled:
            return
        self._core = core
        core.hashing.monitor = _HashingMonitor(self)
        core.mailer.monitor = _MailMonitor(self)
        core.events.on(events.SIGNED_IN, self._signed_in)
        core.events.on(events.SIGN_IN_FAILED, self._sign_in_failed)
        self.workers.set(1)
        self.hash_workers.set(core.hashing.workers)
        self.sample()
        self._sampler = asyncio.get_running_loop().create_task(self._sample_forever(), name="metrics-sampler")

    async def stop(self) -> None:
        if self._sampler is not None:
            self._sampler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sampler
            self._sampler = None
        if self.enabled:
            self.workers.set(0)
            if self.multiprocess:
                multiprocess.mark_process_dead(os.getpid(), self.multiprocess)

    # ---------------------------------------------------------------------------------------------- measuring

    def sample(self) -> None:
        """The gauges read from objects: DB pool and mail queue of this process."""
        core = self._core
        if core is None:
            return
        pool = core.pool
        size, idle = pool.get_size(), pool.get_idle_size()
        self.db_pool.labels("in_use").set(size - idle)
        self.db_pool.labels("idle").set(idle)
        self.db_pool_max.set(pool.get_max_size())
        self.mail_queue.set(core.mailer.queued)
        cache = core.sessions.cache
        self.cache_entries.set(len(cache))
        self.cache_listening.set(1 if cache.listening else 0)
        hits, misses = cache.hits, cache.misses
        self.cache_lookups.labels("hit").inc(hits - self._cache_counted[0])
        self.cache_lookups.labels("miss").inc(misses - self._cache_counted[1])
        self._cache_counted = (hits, misses)

    async def _sample_forever(self) -> None:
        while True:
            await asyncio.sleep(SAMPLE_SECONDS)
            try:
                self.sample()
            except Exception as exc:  # noqa: BLE001 - a gauge must never stop the worker
                log.warning("metrics sample failed: %s", type(exc).__name__)

    async def _signed_in(self, event: Event) -> None:
        self.sign_ins.labels(_method(event), "success").inc()

    async def _sign_in_failed(self, event: Event) -> None:
        code = event.data.get("code")
        self.sign_ins.labels(_method(event), code if code in CODES else "other").inc()

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        method = scope["method"] if scope["method"] in METHODS else "other"
        route = scope.get("route")
        template = scope.get(ROUTE_KEY) or ((getattr(route, "path", None) or "/") if route is not None else UNMATCHED)
        self.http_requests.labels(template, method, str(status)).inc()
        self.http_latency.labels(template, method).observe(seconds)
        if template == "/graphql" and method == "POST":
            kind, operation = scope.get(OPERATION_KEY, ("", INVALID))
            self.graphql_requests.labels(kind, operation).inc()
            self.graphql_latency.labels(kind, operation).observe(seconds)

    # ------------------------------------------------------------------------------------------------ serving

    async def endpoint(self, request: Request) -> Response:
        if not self.enabled:
            return PlainTextResponse("Not Found", status_code=404)
        if self.mode == "token" and not self._authorized(request):
            return PlainTextResponse("Unauthorized", status_code=401, headers={"www-authenticate": "Bearer"})
        self.sample()
        if self.multiprocess:
            _forget_dead_workers(self.multiprocess)
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=self.multiprocess)
            body = generate_latest(registry)
        else:
            body = generate_latest(self.registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"cache-control": "no-store"})

    def _authorized(self, request: Request) -> bool:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), self.token)


class HttpMetrics:
    """ASGI middleware: count and time every HTTP request (outermost, so refusals count too)."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.metrics.enabled:
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self.metrics.observe(scope, status, time.perf_counter() - started)


class OperationLabel(SchemaExtension):
    """Labels the request (its ASGI scope) with the executed operation: its type and top-level field."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        scope = getattr(getattr(ctx.context, "request", None), "scope", None)
        if scope is not None and ctx.graphql_document is not None:
            scope[OPERATION_KEY] = _operation_label(ctx.graphql_document.definitions, ctx.operation_name)
        yield


def _operation_label(definitions: Any, name: str | None) -> tuple[str, str]:
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    chosen = next((d for d in operations if name is not None and d.name and d.name.value == name), None)
    chosen = chosen or (operations[0] if operations else None)
    if chosen is None:
        return "", INVALID
    fields = {s.name.value for s in chosen.selection_set.selections if isinstance(s, FieldNode)}
    operation = fields.pop() if len(fields) == 1 else "(multiple)" if fields else "(fragment)"
    return chosen.operation.value, operation


def _method(event: Event) -> str:
    return str(event.data.get("method") or "unknown")[:40]


def _forget_dead_workers(path: str) -> None:
    """Live gauges of workers that died without a clean stop (killed, crashed) leave the sums."""
    for file in glob.glob(os.path.join(path, "gauge_live*.db")):
        match = _LIVE_FILE.match(os.path.basename(file))
        if match and not _alive(int(match[1])):
            multiprocess.mark_process_dead(int(match[1]), path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _HashingMonitor:
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def queued(self) -> None:
        self.metrics.hash_queue.inc()

    def started(self, waited_seconds: float | None) -> None:
        self.metrics.hash_queue.dec()
        if waited_seconds is not None:
            self.metrics.hash_wait.observe(waited_seconds)


class _MailMonitor:
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def sent(self) -> None:
        self.metrics.mail_sent.inc()

    def failed(self, reason: str) -> None:
        self.metrics.mail_failures.labels(reason[:40]).inc()
