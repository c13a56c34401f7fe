"""Plain ASGI middleware: request ids, body size limit, CSRF origin check, security headers, and the barrier that
makes a change to sessions or users take effect on every worker before the request that made it answers."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable, Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..db import notify
from ..logs import request_id

ROUTE_KEY = "chatbot_agent.route"  # a path template, set in the scope by a transport that routes by itself (REST)

log = logging.getLogger("chatbot_agent.http")


class RequestContext:
    """Gives each request an id (X-Request-Id, echoed back) and logs its one access line (method, path, status,
    duration; uvicorn's own access log is off, so there is no second line)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        incoming = Headers(scope=scope).get("x-request-id", "")
        rid = (
            incoming
            if 0 < len(incoming) <= 64 and incoming.isascii() and incoming.isprintable()
            else secrets.token_hex(8)
        )
        token = request_id.set(rid)
        started, status = time.perf_counter(), 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("x-request-id", rid)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # A REST route with a parameter is logged by its template: /api/auth/reset-password/:token, never the
            # token a mailed link carried in its path.
            path = scope.get(ROUTE_KEY) or scope["path"]
            log.info("%s %s %d %.1fms", scope["method"], path, status, (time.perf_counter() - started) * 1000)
            request_id.reset(token)


class SessionChanges:
    """A request whose SQL changed sessions or users (`db.notify.changed()`: a sign-out, a revocation, a rename, a
    password change …) sends its answer only after `barrier()` returns: every worker of every instance has dropped
    what its session cache held of them (auth/core/session_cache.py)."""

    def __init__(self, app: ASGIApp, *, barrier: Callable[[], Awaitable[object]]) -> None:
        self.app, self.barrier = app, barrier

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        changes = notify.Changes()
        token = notify.current.set(changes)

        async def send_when_applied(message: Message) -> None:
            if changes.seen and message["type"] == "http.response.start":
                changes.seen = False
                await self.barrier()
            await send(message)

        try:
            await self.app(scope, receive, send_when_applied)
        finally:
            notify.current.reset(token)


class BodyLimit:
    """Refuses bodies over `max_bytes` with 413, by Content-Length up front or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            return await _refuse(scope, receive, send, 413, "Request body too large.")
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _refuse(scope, receive, send, 413, "Request body too large.")


class _TooLarge(Exception):
    pass


class CsrfGuard:
    """State changes only from trusted origins.

    GraphQL runs only as `application/json` POST (a cross-site form cannot send that without a CORS preflight,
    which we never grant); GET never runs operations. A POST to the API whose Origin (or, lacking it, Referer) is
    outside TRUSTED_ORIGINS is refused before it reaches GraphQL — with or without a session cookie, so a hostile
    page can neither act with the victim's session nor sign the victim in to the attacker's account (login CSRF).
    Clients that send neither header (curl, server-to-server) are not browsers and cannot be forged into sending
    the victim's cookie.

    The REST routes (`rest_prefix`, Better Auth's /api/auth) get the same rule on every state-changing request, plus
    Better Auth's own (answered in its JSON error shape): a request that carries a cookie must name its Origin
    (MISSING_OR_NULL_ORIGIN), and a sign-in or sign-up from a browser (Sec-Fetch-* headers) must too, and must not
    be a cross-site navigation (CROSS_SITE_NAVIGATION_LOGIN_BLOCKED)."""

    SAFE = ("GET", "HEAD", "OPTIONS")
    LOGIN = ("/sign-in/", "/sign-up/")  # Better Auth's form-CSRF routes, under the REST prefix

    def __init__(self, app: ASGIApp, *, path: str, trusted: tuple[str, ...], rest_prefix: str | None = None) -> None:
        self.app, self.path, self.trusted, self.rest_prefix = app, path, set(trusted), rest_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self.path and scope["method"] == "POST":
            headers = Headers(scope=scope)
            origin = headers.get("origin") or _origin_of(headers.get("referer", ""))
            if origin and origin not in self.trusted:
                log.warning("refused cross-origin request", extra={"origin": origin[:100]})
                return await _refuse(scope, receive, send, 403, "Cross-origin request refused.")
        elif (
            scope["type"] == "http"
            and self.rest_prefix
            and scope["method"] not in self.SAFE
            and scope["path"].startswith(self.rest_prefix + "/")
        ):
            refused = self._rest_refusal(Headers(scope=scope), scope["path"][len(self.rest_prefix) :])
            if refused:
                code, message = refused
                log.warning("refused REST request: %s", code)
                body = {"message": message, "code": code}
                return await JSONResponse(body, status_code=403)(scope, receive, send)
        await self.app(scope, receive, send)

    def _rest_refusal(self, headers: Headers, path: str) -> tuple[str, str] | None:
        origin = headers.get("origin") or _origin_of(headers.get("referer", ""))
        if origin == "null":
            origin = None
        login = path.startswith(self.LOGIN)
        fetch_site, fetch_mode = headers.get("sec-fetch-site"), headers.get("sec-fetch-mode")
        if login and "cookie" not in headers and fetch_site == "cross-site" and fetch_mode == "navigate":
            return "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED", (
                "Cross-site navigation login blocked. This request appears to be a CSRF attack."
            )
        if origin is not None:
            return None if origin in self.trusted else ("INVALID_ORIGIN", "Invalid origin")
        browser = any(headers.get(h, "").strip() for h in ("sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest"))
        if "cookie" in headers or (login and browser) or headers.get("origin") == "null":
            return "MISSING_OR_NULL_ORIGIN", "Missing or null Origin"
        return None


def _origin_of(url: str) -> str | None:
    scheme, sep, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if sep else None


API_CSP = "frame-ancestors 'none'"
APP_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app, self.hsts = app, hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        api = scope["path"] == "/graphql" or scope["path"].startswith(("/health", "/api/"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                h.setdefault("x-content-type-options", "nosniff")
                h.setdefault("x-frame-options", "DENY")
                h.setdefault("referrer-policy", "no-referrer")
                h.setdefault("cross-origin-opener-policy", "same-origin")
                if "content-security-policy" not in h:
                    # The built frontend has no inline script or style: everything from our own origin only.
                    # The API path keeps a minimal policy; GraphiQL's page (development only) sets its own.
                    h["content-security-policy"] = API_CSP if api else APP_CSP
                if api:
                    h["cache-control"] = "no-store"
                if self.hsts:
                    h.setdefault("strict-transport-security", "max-age=63072000; includeSubDomains")
            await send(message)

        await self.app(scope, receive, with_headers)


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
    await JSONResponse({"errors": [{"message": message}]}, status_code=status)(scope, receive, send)
