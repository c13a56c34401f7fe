"""Who is calling? A guard for the routes of other Python services (the chatbot backend) that sit next to this auth
service and talk to it over HTTP only. It imports nothing of the service itself and works without FastAPI.

    guard = AuthGuard("https://auth.example.com")          # the auth service's base URL

    # FastAPI
    @app.post("/chat")
    async def chat(user: AuthUser = Depends(guard.current_user)): ...

    # Starlette
    app = Starlette(routes=..., middleware=[guard.middleware()])   # request.user, @requires("authenticated", 401)

Credentials, in this order:

* `Authorization: Bearer <access token>`: an EdDSA JWT verified locally against the service's JWKS
  (`<auth_url>/.well-known/jwks.json`, fetched and cached by PyJWT's `PyJWKClient`, refetched when a token names an
  unknown `kid`, at most once per `jwks_cooldown` seconds), checking signature, `iss`, `aud` and `exp`. No request to
  the service, so a token stays valid until it expires (15 minutes by default) even after sign-out; with
  `check_revocation=True` the guard asks the service instead (one round trip), which refuses revoked sessions.
* the session cookie (`cookie_name`), which only the service can check: the guard forwards it to the service's
  GraphQL `me` (server to server) on every request, so a sign-out or revocation takes effect immediately. Cookies
  on a state-changing request (or a WebSocket) from a foreign `Origin` are ignored, so a hostile page cannot act
  with the visitor's cookie (CSRF).

An invalid or missing credential means "nobody" (401 from `current_user`); an auth service that cannot be reached
means 503, never a silent pass.
"""

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, cast
from urllib.parse import urlsplit

import anyio.to_thread
import httpx
import jwt
from jwt import PyJWK, PyJWKClient
from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError, BaseUser
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

__all__ = [
    "AuthGuard",
    "AuthServiceUnavailable",
    "AuthUser",
    "current_user",
    "optional_user",
]

ALGORITHMS = ["EdDSA"]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ME_QUERY = "query GuardMe { me { id firstName lastName email emailVerified } }"
_SCOPE_KEY = "chatbot_agent.guard.user"  # per-request cache: the middleware and the dependencies ask once
_UNSET = object()


class AuthServiceUnavailable(Exception):
    """The auth service (its JWKS or its `me`) could not be reached or answered nonsense."""


@dataclass(frozen=True, eq=False)
class AuthUser(BaseUser):
    """The caller. `via` is "bearer" or "cookie". A bearer token carries the user id (`sub`) and session id (`sid`)
    only: the names and email are filled when the service was asked (cookie, `check_revocation`, `load_profile`)."""

    id: str
    via: str
    session_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    email_verified: bool | None = None
    claims: Mapping[str, Any] = field(default_factory=dict)
    _credential: tuple[str, str] = field(default=("", ""), repr=False)

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.first_name or self.id

    @property
    def identity(self) -> str:
        return self.id


class AuthGuard(AuthenticationBackend):
    """Starlette authentication backend and FastAPI dependencies (`current_user`, `optional_user`).

    auth_url:         base URL of the auth service, as this service reaches it (e.g. http://auth:8000)
    issuer:           expected `iss`: the service's JWT_ISSUER, by default its PUBLIC_URL (default: auth_url)
    audience:         expected `aud`: the service's JWT_AUDIENCE
    cookie_name:      the service's SESSION_COOKIE_NAME
    check_revocation: also ask the service about bearer tokens (revocation immediate, one round trip each)
    trusted_origins:  origins besides this service's own whose state-changing requests may use the cookie
    jwks_lifespan:    seconds the key set is cached; jwks_cooldown: minimum seconds between refetches for
                      unknown key ids (a flood of forged `kid`s cannot hammer the service)
    leeway:           seconds of clock skew allowed on `exp`
    """

    def __init__(
        self,
        auth_url: str,
        *,
        issuer: str | None = None,
        audience: str = "chatbot-agent",
        cookie_name: str = "chatbot_session",
        check_revocation: bool = False,
        trusted_origins: Iterable[str] = (),
        jwks_lifespan: float = 300,
        jwks_cooldown: float = 30,
        leeway: float = 0,
        timeout: float = 5.0,
    ) -> None:
        self.auth_url = auth_url.rstrip("/")
        self.issuer = (issuer or self.auth_url).rstrip("/")
        self.audience, self.cookie_name, self.check_revocation = audience, cookie_name, check_revocation
        self.trusted_origins = frozenset(o.rstrip("/").lower() for o in trusted_origins)
        self.leeway, self.timeout = leeway, timeout
        self.graphql_url = f"{self.auth_url}/graphql"
        self.jwks = _JWKSClient(
            f"{self.auth_url}/.well-known/jwks.json",
            lifespan=jwks_lifespan,
            cooldown_duration=jwks_cooldown,
            timeout=timeout,
            headers={"User-Agent": "chatbot-agent-guard"},
        )
        self._http: httpx.AsyncClient | None = None
        self._http_loop: asyncio.AbstractEventLoop | None = None

    # ------------------------------------------------------------------------------------------ who is calling

    async def user_from(self, conn: HTTPConnection) -> AuthUser | None:
        """The caller of this request, or None. Raises AuthServiceUnavailable. Answered once per request."""
        cached = conn.scope.get(_SCOPE_KEY, _UNSET)
        if cached is not _UNSET:
            return cast("AuthUser | None", cached)
        user = None
        if (bearer := _bearer(conn)) is not None:
            user = await self.verify_access_token(bearer)
        elif (cookie := self._cookie_pair(conn)) is not None and self._cookie_allowed(conn):
            user = await self._ask_service("cookie", cookie)
        conn.scope[_SCOPE_KEY] = user
        return user

    async def verify_access_token(self, token: str) -> AuthUser | None:
        """Claims checked locally (signature against the JWKS, iss, aud, exp); with check_revocation the service
        also confirms the session is alive. None for anything invalid."""
        try:
            key = await self._signing_key(token)
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWKClientConnectionError as e:
            raise AuthServiceUnavailable(f"JWKS unreachable: {e}") from None
        except jwt.PyJWTError:
            return None
        sub, sid = claims.get("sub"), claims.get("sid")
        if not isinstance(sub, str) or not sub or (sid is not None and not isinstance(sid, str)):
            return None
        user = AuthUser(id=sub, via="bearer", session_id=sid, claims=claims, _credential=("bearer", token))
        if self.check_revocation:
            return await self.load_profile_or_none(user)
        return user

    async def load_profile_or_none(self, user: AuthUser) -> AuthUser | None:
        """The user with names and email from the service's `me` (which also checks the session is alive)."""
        if user.first_name is not None:
            return user  # only the service fills names: it was asked during this request already
        fresh = await self._ask_service(*user._credential)
        if fresh is None or fresh.id != user.id:
            return None
        return replace(
            user,
            first_name=fresh.first_name,
            last_name=fresh.last_name,
            email=fresh.email,
            email_verified=fresh.email_verified,
        )

    # ---------------------------------------------------------------------------- FastAPI / Starlette plumbing

    async def current_user(self, request: Request) -> AuthUser:
        """FastAPI dependency: the caller, or 401 (503 when the auth service is unreachable)."""
        user = await self.optional_user(request)
        if user is None:
            raise HTTPException(401, "Not authenticated.", headers={"WWW-Authenticate": "Bearer"})
        return user

    async def optional_user(self, request: Request) -> AuthUser | None:
        """FastAPI dependency: the caller, or None for anonymous callers (503 when the service is unreachable)."""
        try:
            return await self.user_from(request)
        except AuthServiceUnavailable:
            raise HTTPException(503, "The auth service is unavailable.") from None

    async def load_profile(self, user: AuthUser) -> AuthUser:
        """The user with first name, last name and email, asked from the service when not known yet; 401 when the
        service no longer knows the session (signed out), 503 when it is unreachable."""
        try:
            fresh = await self.load_profile_or_none(user)
        except AuthServiceUnavailable:
            raise HTTPException(503, "The auth service is unavailable.") from None
        if fresh is None:
            raise HTTPException(401, "Not authenticated.", headers={"WWW-Authenticate": "Bearer"})
        return fresh

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        """Starlette AuthenticationBackend: `request.user` / `request.auth`, scope "authenticated"."""
        try:
            user = await self.user_from(conn)
        except AuthServiceUnavailable:
            raise AuthenticationError("The auth service is unavailable.") from None
        return (AuthCredentials(["authenticated"]), user) if user is not None else None

    @staticmethod
    def on_error(conn: HTTPConnection, exc: Exception) -> Response:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    def middleware(self) -> Middleware:
        """Starlette's AuthenticationMiddleware with this backend (and 503 when the service is unreachable)."""
        return Middleware(AuthenticationMiddleware, backend=self, on_error=self.on_error)

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # ------------------------------------------------------------------------------------------------ details

    async def _signing_key(self, token: str) -> PyJWK:
        kid = jwt.get_unverified_header(token).get("kid")
        if not isinstance(kid, str) or not kid:
            raise jwt.InvalidTokenError("no kid")
        cache = self.jwks.jwk_set_cache
        cached = cache.get() if cache is not None else None  # no I/O: stays on the event loop
        for key in cached.keys if cached is not None else ():
            if key.key_id == kid:
                return key
        # PyJWKClient fetches with urllib (blocking): off the event loop. It refetches for an unknown kid unless
        # its cooldown is running.
        return await anyio.to_thread.run_sync(self.jwks.get_signing_key, kid)

    async def _ask_service(self, kind: str, credential: str) -> AuthUser | None:
        """GraphQL `me` with the caller's cookie or bearer token: the service decides (and checks revocation)."""
        headers = {"content-type": "application/json", "accept": "application/json"}
        headers["cookie" if kind == "cookie" else "authorization"] = (
            credential if kind == "cookie" else f"Bearer {credential}"
        )
        try:
            response = await self._client().post(self.graphql_url, json={"query": ME_QUERY}, headers=headers)
            body = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError) as e:
            raise AuthServiceUnavailable(f"{self.graphql_url}: {type(e).__name__}") from None
        if not isinstance(body, dict) or body.get("errors") or not isinstance(body.get("data"), dict):
            raise AuthServiceUnavailable(f"{self.graphql_url}: unexpected answer ({response.status_code})")
        me = body["data"].get("me")
        if not isinstance(me, dict) or not isinstance(me.get("id"), str):
            return None
        return AuthUser(
            id=me["id"],
            via=kind,
            first_name=me.get("firstName"),
            last_name=me.get("lastName"),
            email=me.get("email"),
            email_verified=me.get("emailVerified"),
            _credential=(kind, credential),
        )

    def _client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()  # an httpx client belongs to one event loop
        if self._http is None or self._http_loop is not loop:
            self._http = httpx.AsyncClient(
                timeout=self.timeout, follow_redirects=False, headers={"user-agent": "chatbot-agent-guard"}
            )
            self._http_loop = loop
        return self._http

    def _cookie_pair(self, conn: HTTPConnection) -> str | None:
        """`name=value` of the session cookie exactly as the browser sent it (no other cookie is forwarded)."""
        prefix = self.cookie_name + "="
        for part in conn.headers.get("cookie", "").split(";"):
            part = part.strip()
            if part.startswith(prefix) and len(part) > len(prefix):
                return part
        return None

    def _cookie_allowed(self, conn: HTTPConnection) -> bool:
        """CSRF: a cookie is sent by the browser whoever made the page, so state-changing requests (and WebSocket
        handshakes) count it only from this service's own origin or a trusted one. Clients that send no Origin
        are not browsers (browsers always send it on these requests)."""
        if conn.scope["type"] == "http" and conn.scope["method"] in SAFE_METHODS:
            return True
        origin = conn.headers.get("origin")
        if origin is None:
            return conn.scope["type"] == "http"
        origin = origin.rstrip("/").lower()
        if origin in self.trusted_origins:
            return True
        return urlsplit(origin).netloc == conn.headers.get("host", "").lower() != ""


class _JWKSClient(PyJWKClient):
    """PyJWKClient that counts its fetches (for tests and logs)."""

    fetches = 0

    def fetch_data(self) -> Any:
        self.fetches += 1
        return super().fetch_data()


def _bearer(conn: HTTPConnection) -> str | None:
    scheme, _, value = conn.headers.get("authorization", "").partition(" ")
    return (value.strip() or None) if scheme.lower() == "bearer" else None


def _guard_of(request: Request) -> AuthGuard:
    guard = getattr(request.app.state, "auth_guard", None)
    if not isinstance(guard, AuthGuard):
        raise RuntimeError("set app.state.auth_guard = AuthGuard(...) to use chatbot_agent.guard.current_user")
    return guard


async def current_user(request: Request) -> AuthUser:
    """FastAPI dependency for apps that set `app.state.auth_guard`: the caller, or 401."""
    return await _guard_of(request).current_user(request)


async def optional_user(request: Request) -> AuthUser | None:
    """FastAPI dependency for apps that set `app.state.auth_guard`: the caller, or None."""
    return await _guard_of(request).optional_user(request)
