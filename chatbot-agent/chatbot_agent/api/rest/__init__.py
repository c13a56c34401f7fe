"""Better Auth 1.7's REST routes under /api/auth: a second transport over the same services as GraphQL.

The routes of the session (get-session, sign-out, list/revoke sessions) and /ok, /error are here (sessions.py);
each sign-in method brings its own in `auth/methods/<name>/rest.py` as `ROUTES = [route(...), ...]`, one line per
route, mounted when the method is enabled. Shared helpers (Better Auth's JSON and error shape, body parsing, the
session cookie and bearer token, redirects) are in base.py.

Like Better Auth's router, a path or method it does not serve answers an empty 404.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from importlib import import_module
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ...auth.core.errors import AuthFailure
from ...auth.methods.base import Method
from ...db.errors import describe_failure
from ...http.middleware import ROUTE_KEY
from .base import INTERNAL, Rest, RestError, Route, error_of, json_response, route

__all__ = ["PREFIX", "Rest", "RestApp", "RestError", "Route", "route", "routes_of"]

log = logging.getLogger("chatbot_agent.api.rest")

PREFIX = "/api/auth"


def routes_of(methods: Iterable[Method]) -> list[Route]:
    """The shared routes, then each enabled method's `rest.py` ROUTES (a method without one has no REST routes)."""
    from . import sessions

    found = list(sessions.ROUTES)
    for method in methods:
        try:
            module = import_module(f"{method.package}.rest")
        except ModuleNotFoundError as exc:
            if exc.name != f"{method.package}.rest":
                raise
            continue
        found.extend(module.ROUTES)
    return found


class RestApp:
    """ASGI app mounted at /api/auth: exact paths in a dict, `:param` paths matched segment by segment."""

    def __init__(self, state: Any, routes: Iterable[Route]) -> None:
        self.state = state
        self.exact: dict[tuple[str, str], Route] = {}
        self.patterns: list[tuple[str, list[str], Route]] = []
        for r in routes:
            key = (r.method, r.path)
            if key in self.exact or any(m == r.method and "/".join(p) == r.path for m, p, _ in self.patterns):
                raise ValueError(f"two REST routes for {r.method} {r.path}")
            if ":" in r.path:
                self.patterns.append((r.method, r.path.split("/"), r))
            else:
                self.exact[key] = r

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        method = "GET" if method == "HEAD" else method
        found = self.exact.get((method, path))
        if found is not None:
            return found, {}
        parts = path.split("/")
        for m, pattern, r in self.patterns:
            if m != method or len(pattern) != len(parts):
                continue
            params = {}
            for want, got in zip(pattern, parts, strict=True):
                if want.startswith(":") and got:
                    params[want[1:]] = got
                elif want != got:
                    break
            else:
                return r, params
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"][len(PREFIX) :] if scope["path"].startswith(PREFIX) else scope["path"]
        found = self.match(scope["method"], path.rstrip("/") or "/")
        if found is None:
            return await Response(status_code=404)(scope, receive, send)
        r, params = found
        scope[ROUTE_KEY] = PREFIX + r.path  # the path template, for the access line and the metrics
        rest = Rest(Request(scope, receive), self.state, params)
        try:
            if r.method != "GET":
                await rest.check_callbacks()
            answer = await r.handler(rest)
            response = answer if isinstance(answer, Response) else json_response(answer)
        except RestError as error:
            response = error.response()
        except AuthFailure as failure:
            response = error_of(failure, r.errors).response()
        except Exception as exc:
            message, known = describe_failure(exc)
            log.error("%s %s failed: %s", r.method, r.path, message, exc_info=None if known else exc)
            response = INTERNAL.response()
        response.raw_headers.extend(rest.headers.raw)
        await response(scope, receive, send)


# Re-exported for methods' rest.py files: `from ...api.rest import Rest, route, user_json …`
from .base import session_json, user_json, with_query  # noqa: E402,F401
