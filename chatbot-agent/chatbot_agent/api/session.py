"""Per request, for every transport: who is asking (client address, session cookie or bearer token), and the
cookies the answer sets. GraphQL's context and the REST routes both use it, so a session opened over one works
over the other."""

from __future__ import annotations

from dataclasses import replace

from starlette.datastructures import MutableHeaders
from starlette.requests import Request

from ..auth import Auth
from ..auth.core.cookies import SessionCookie
from ..auth.core.records import Client, Principal, SecondFactorRequired, SignedIn
from ..auth.core.sessions import now

_UNSET = object()


def client_ip(request: Request, trusted_proxy_count: int) -> str | None:
    """The socket peer; with N trusted proxies in front, the N-th address from the right of X-Forwarded-For."""
    if trusted_proxy_count > 0:
        forwarded = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",") if p.strip()]
        if len(forwarded) >= trusted_proxy_count:
            return forwarded[-trusted_proxy_count][:64]
    return request.client.host if request.client else None


def client_of(request: Request, trusted_proxy_count: int) -> Client:
    return Client(ip=client_ip(request, trusted_proxy_count), user_agent=request.headers.get("user-agent"))


class RequestSession:
    """The session side of one request. `headers` are the answer's headers (Set-Cookie goes there)."""

    def __init__(
        self, request: Request, headers: MutableHeaders, auth: Auth, cookie: SessionCookie, client: Client
    ) -> None:
        self.request, self.headers, self.auth, self.cookie, self.client = request, headers, auth, cookie, client
        self._principal: object = _UNSET

    @property
    def session_token(self) -> str | None:
        return self.cookie.decode(self.request.cookies.get(self.cookie.spec.name))

    @property
    def bearer_token(self) -> str | None:
        scheme, _, value = self.request.headers.get("authorization", "").partition(" ")
        return value.strip() or None if scheme.lower() == "bearer" else None

    async def principal(self, *, cookie_only: bool = False) -> Principal | None:
        """The signed-in user (cached per request). The cookie wins over a bearer token."""
        current = self._principal
        if current is _UNSET or (cookie_only and isinstance(current, Principal) and current.via != "cookie"):
            sessions = self.auth.core.sessions
            found = None
            if (token := self.session_token) is not None:
                found = await sessions.from_token(token)
                if found is not None and found.refreshed_until is not None:
                    self.set_cookie(self.cookie.set_header(token, persistent=self.remembered))
            if found is None and not cookie_only and (bearer := self.bearer_token) is not None:
                found = await self.bearer_principal(bearer)
            self._principal = found
        return self._principal  # type: ignore[return-value]

    @property
    def bearer_session_token(self) -> str | None:
        """The session token of a Better Auth bearer (`set-auth-token`: `<token>.<signature>`, or the bare token);
        None for no bearer, a bad signature, or one of our JWT access tokens (three dot-separated parts)."""
        bearer = self.bearer_token
        if bearer is None or bearer.count(".") >= 2 or len(bearer) > 512:
            return None
        if "." in bearer or "%" in bearer:
            return self.cookie.decode(bearer)
        return bearer

    async def bearer_principal(self, bearer: str) -> Principal | None:
        """A bearer credential: our JWT access token (GraphQL's and other services' way), or a session token as
        Better Auth's bearer plugin hands it out (REST clients without cookies: mobile apps, servers)."""
        sessions = self.auth.core.sessions
        if bearer.count(".") >= 2:
            return await sessions.from_access_token(bearer)
        token = self.bearer_session_token
        found = None if token is None else await sessions.from_token(token)
        return None if found is None else replace(found, via="bearer")

    def set_cookie(self, header: str) -> None:
        self.headers.append("set-cookie", header)

    def start_session(self, signed_in: SignedIn, *, remember: bool = True) -> None:
        """The session cookie; `remember=False` makes it a browser-session cookie, and a signed `dont_remember`
        cookie beside it keeps it one when the session slides (Better Auth's `rememberMe: false`)."""
        self._principal = _UNSET  # a fresh session: re-read on demand
        self.set_cookie(self.cookie.set_header(signed_in.session_token, persistent=remember))
        if not remember:
            self.set_cookie(self.cookie.sibling(self.DONT_REMEMBER, 0).set_header("true", persistent=False))
        elif not self.remembered:
            self.set_cookie(self.cookie.sibling(self.DONT_REMEMBER, 0).clear_header())

    DONT_REMEMBER = "dont_remember"

    @property
    def remembered(self) -> bool:
        """False when the browser holds our signed `dont_remember` cookie."""
        cookie = self.cookie.sibling(self.DONT_REMEMBER, 0)
        return cookie.decode(self.request.cookies.get(cookie.spec.name)) != "true"

    # A sign-in waiting for its second factor: the challenge token in a short-lived signed HttpOnly cookie, so only
    # this browser can finish it.
    PENDING = "two_factor"

    def set_pending_second_factor(self, pending: SecondFactorRequired) -> None:
        seconds = max(1, int((pending.expires_at - now()).total_seconds()))
        self.set_cookie(self.cookie.sibling(self.PENDING, seconds).set_header(pending.challenge_token))

    @property
    def pending_second_factor(self) -> str | None:
        cookie = self.cookie.sibling(self.PENDING, 0)
        return cookie.decode(self.request.cookies.get(cookie.spec.name))

    def clear_pending_second_factor(self) -> None:
        self.set_cookie(self.cookie.sibling(self.PENDING, 0).clear_header())

    def end_session(self) -> None:
        self._principal = None
        self.set_cookie(self.cookie.clear_header())
        if not self.remembered:
            self.set_cookie(self.cookie.sibling(self.DONT_REMEMBER, 0).clear_header())
