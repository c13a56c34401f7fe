"""What every REST route shares: Better Auth's error shape and JSON, the request's body and session, redirects.

A route is a function `async def handler(rest: Rest) -> answer`: it parses with `rest.body()`, `rest.string(...)`,
calls one service, and returns a dict/list/None (JSON, 200), a `Response` (a redirect), or raises `AuthFailure`
(mapped to Better Auth's `{"message", "code"}` with its status) or `RestError` (a Better Auth error of its own).
Rules, rate limits, enumeration resistance and logging stay in the services; Origin checks in the middleware.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response

from ...auth.core.errors import AuthFailure, Code
from ...auth.core.records import Principal, SecondFactorRequired, Session, SignedIn, SignInOutcome, User
from ...http.redirects import is_trusted_redirect
from ..session import RequestSession, client_of

log = logging.getLogger("chatbot_agent.api.rest")

JSON = "application/json"


class RestError(Exception):
    """A Better Auth error answer: `{"message": …, "code": …}` with an HTTP status (`code` omitted when None)."""

    def __init__(self, status: int, code: str | None, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, dict(headers or {})

    def response(self) -> Response:
        body = {"message": self.message} if self.code is None else {"message": self.message, "code": self.code}
        return Response(orjson.dumps(body), status_code=self.status, media_type=JSON, headers=self.headers)


UNAUTHORIZED = RestError(401, "UNAUTHORIZED", "Unauthorized")
INTERNAL = RestError(500, "INTERNAL_SERVER_ERROR", "Internal Server Error")

# AuthFailure code -> (status, Better Auth code); a route may map some its own way: `route(..., CODE=(status, code))`
FAILURES: dict[Code, tuple[int, str]] = {
    Code.INVALID_INPUT: (400, "VALIDATION_ERROR"),
    Code.EMAIL_TAKEN: (422, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"),
    Code.WEAK_PASSWORD: (400, "PASSWORD_COMPROMISED"),  # refined by `weak_password_code`
    Code.INVALID_CREDENTIALS: (401, "INVALID_EMAIL_OR_PASSWORD"),
    Code.INVALID_OR_EXPIRED_TOKEN: (400, "INVALID_TOKEN"),
    Code.NOT_AUTHENTICATED: (401, "UNAUTHORIZED"),
    Code.EMAIL_NOT_VERIFIED: (403, "EMAIL_NOT_VERIFIED"),
    Code.INTERNAL: (500, "INTERNAL_SERVER_ERROR"),
}


def error_of(failure: AuthFailure, overrides: Mapping[Code, tuple[int, str]] | None = None) -> RestError:
    if failure.code is Code.RATE_LIMITED:  # Better Auth's rate limiter: no code, X-Retry-After in seconds
        retry = str(failure.retry_after or 60)
        return RestError(
            429, None, "Too many requests. Please try again later.", {"X-Retry-After": retry, "Retry-After": retry}
        )
    status, code = (overrides or {}).get(failure.code) or FAILURES.get(failure.code, (400, failure.code.value))
    if failure.code is Code.WEAK_PASSWORD and failure.code not in (overrides or {}):
        code = weak_password_code(failure)
    return RestError(status, code, failure.message)


def weak_password_code(failure: AuthFailure) -> str:
    """Better Auth's codes for what our policy refuses: too short, too long, and (its haveibeenpwned plugin's code)
    a password that is among the most common ones; a password that is the email has no Better Auth code."""
    codes = {"too_short": "PASSWORD_TOO_SHORT", "too_long": "PASSWORD_TOO_LONG", "common": "PASSWORD_COMPROMISED"}
    return codes.get(failure.reason or "", "WEAK_PASSWORD")


# ------------------------------------------------------------------------------------------------------ JSON


def iso(moment: datetime | None) -> str | None:
    """JavaScript's `Date.toISOString()`: UTC, milliseconds, `Z` (Better Auth's clients parse it back to a Date)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def user_json(user: User) -> dict[str, Any]:
    """Better Auth's user object, plus our firstName/lastName (its `additionalFields`)."""
    return {
        "name": user.name,
        "email": user.email,
        "emailVerified": user.email_verified,
        "image": user.image,
        "createdAt": iso(user.created_at),
        "updatedAt": iso(user.updated_at or user.created_at),
        "firstName": user.first_name,
        "lastName": user.last_name,
        "id": user.id,
    }


def session_json(session: Session, token: str) -> dict[str, Any]:
    """Better Auth's session object. `token` is the session token when the caller holds it; for its other sessions it
    is a handle that /revoke-session accepts (we keep only a hash of their tokens, so we cannot answer them)."""
    return {
        "expiresAt": iso(session.expires_at),
        "token": token,
        "createdAt": iso(session.created_at),
        "updatedAt": iso(session.updated_at),
        "ipAddress": session.ip_address or "",
        "userAgent": session.user_agent or "",
        "userId": session.user_id,
        "id": session.id,
    }


def with_query(url: str, **params: str) -> str:
    """`url` with `params` set in its query (kept: its other parameters), like URL.searchParams.set."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode(query + list(params.items()))))


def json_response(data: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type=JSON)


# ------------------------------------------------------------------------------------------------------ routes


Handler = Callable[["Rest"], Awaitable[Any]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # under /api/auth; a `:name` segment is a parameter (`/reset-password/:token`)
    handler: Handler
    errors: Mapping[Code, tuple[int, str]] = field(default_factory=dict)  # this route's Better Auth codes


def route(method: str, path: str, handler: Handler, **errors: tuple[int, str]) -> Route:
    """One line per route in a method's rest.py: `route("POST", "/sign-in/email", sign_in, INVALID_INPUT=(400,
    "INVALID_EMAIL"))` (keyword: an AuthFailure code this route answers with its own Better Auth status and code)."""
    return Route(method, path, handler, {Code[name]: value for name, value in errors.items()})


# ------------------------------------------------------------------------------------------------------ request


class Rest(RequestSession):
    """One REST request: its body, parameters and session (RequestSession, shared with GraphQL), and the headers the
    answer carries (Set-Cookie, set-auth-token)."""

    def __init__(self, request: Request, state: Any, params: Mapping[str, str]) -> None:
        client = client_of(request, state.settings.trusted_proxy_count)
        super().__init__(request, MutableHeaders(), state.auth, state.cookie, client)
        self.settings = state.settings
        self.params = params
        self._body: dict[str, Any] | None = None

    # -------------------------------------------------------------------------------------------- input

    async def body(self) -> dict[str, Any]:
        """The JSON object sent (`{}` when there is no body). Better Auth's answers for what is not one."""
        if self._body is None:
            raw = await self.request.body()
            media = self.request.headers.get("content-type", "").split(";")[0].strip().lower()
            if not raw.strip():
                self._body = {}
            elif media != JSON:
                raise RestError(
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                    f'Content-Type "{media}" is not allowed. Allowed types: application/json',
                )
            else:
                try:
                    parsed = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    raise RestError(400, "BAD_REQUEST", "Invalid JSON in request body") from None
                if not isinstance(parsed, dict):
                    raise RestError(400, "BODY_MUST_BE_AN_OBJECT", "Body must be an object")
                self._body = parsed
        return self._body

    @staticmethod
    def _invalid(where: str, key: str, expected: str, value: Any) -> RestError:
        received = "undefined" if value is _MISSING else _js_type(value)
        return RestError(
            400, "VALIDATION_ERROR", f"[{where}.{key}] Invalid input: expected {expected}, received {received}"
        )

    async def string(self, key: str, *, optional: bool = False) -> str | None:
        value = (await self.body()).get(key, _MISSING)
        if value is _MISSING or value is None:
            if optional:
                return None
            raise self._invalid("body", key, "string", value if value is None else _MISSING)
        if not isinstance(value, str):
            raise self._invalid("body", key, "string", value)
        return value

    async def boolean(self, key: str) -> bool | None:
        value = (await self.body()).get(key)
        if value is not None and not isinstance(value, bool):
            raise self._invalid("body", key, "boolean", value)
        return value

    def query(self, key: str, *, optional: bool = False) -> str | None:
        value = self.request.query_params.get(key)
        if value is None and not optional:
            raise self._invalid("query", key, "string", _MISSING)
        return value

    def trusted(self, url: str | None, label: str = "callbackURL") -> str | None:
        """A callback or redirect URL the answer may send a browser to: a safe relative path or a trusted origin
        (Better Auth's origin check; 403 INVALID_CALLBACK_URL / INVALID_REDIRECT_URL otherwise). No open redirect."""
        if url and not is_trusted_redirect(url, self.settings.allowed_origins):
            log.warning("refused untrusted %s", label, extra={"url": url[:100]})
            code = {
                "callbackURL": "INVALID_CALLBACK_URL",
                "redirectTo": "INVALID_REDIRECT_URL",
                "errorCallbackURL": "INVALID_ERROR_CALLBACK_URL",
                "newUserCallbackURL": "INVALID_NEW_USER_CALLBACK_URL",
            }[label]
            raise RestError(403, code, f"Invalid {'redirectURL' if label == 'redirectTo' else label}")
        return url

    async def check_callbacks(self) -> None:
        """Better Auth's origin check of every state-changing request: the callback and redirect URLs it names must
        be trusted (relative paths allowed)."""
        body = await self.body()
        self.trusted(_url_field(body.get("callbackURL")) or self.request.query_params.get("callbackURL"))
        for label in ("redirectTo", "errorCallbackURL", "newUserCallbackURL"):
            self.trusted(_url_field(body.get(label)), label)

    def absolute(self, url: str) -> str:
        """A trusted relative path made absolute against PUBLIC_URL (Better Auth resolves against its baseURL)."""
        if url.startswith("/"):
            return self.settings.public_url.rstrip("/") + url
        return url

    # -------------------------------------------------------------------------------------------- session

    async def signed_in(self) -> Principal:
        """The caller's principal (cookie, or bearer), or 401 UNAUTHORIZED."""
        principal = await self.principal()
        if principal is None:
            raise UNAUTHORIZED
        return principal

    def start_session(self, signed_in: SignedIn, *, remember: bool = True) -> None:
        """The session cookie, and (Better Auth's bearer plugin) the same signed value in `set-auth-token`."""
        super().start_session(signed_in, remember=remember)
        self.expose_token(signed_in.session_token)

    def finish_sign_in(self, outcome: SignInOutcome, *, remember: bool = True) -> str | None:
        """A session (cookie + set-auth-token; its token, for the JSON), or a pending second factor (None)."""
        if isinstance(outcome, SignedIn):
            self.start_session(outcome, remember=remember)
            return outcome.session_token
        self.set_pending_second_factor(outcome)
        return None

    @staticmethod
    def second_factor_answer(pending: SecondFactorRequired) -> dict[str, Any]:
        """Better Auth's two-factor plugin's answer to a sign-in that needs the second factor."""
        return {"twoFactorRedirect": True, "twoFactorMethods": list(pending.methods)}

    def expose_token(self, token: str) -> None:
        self.headers["set-auth-token"] = self.cookie.signed(token)
        self.headers["access-control-expose-headers"] = "set-auth-token"

    def end_session(self) -> None:
        """Clear the session cookie, and, like Better Auth, its cache and remember-me siblings."""
        remembered = self.remembered
        super().end_session()
        if self.cookie.spec.name.endswith(".session_token"):
            for sibling in ("session_data", "dont_remember"):
                if sibling != self.DONT_REMEMBER or remembered:  # (else already cleared)
                    self.set_cookie(self.cookie.sibling(sibling, 0).clear_header())

    # -------------------------------------------------------------------------------------------- answers

    @staticmethod
    def redirect(url: str) -> Response:
        return Response(status_code=302, headers={"location": url}, media_type=JSON)


class _Missing:
    pass


_MISSING: Any = _Missing()


def _url_field(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise RestError(400, None, "Invalid URL: expected a string")
    return value


def _js_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
