"""Request → GraphQL context: who is asking (client address, session cookie or bearer token), and the response
whose headers carry Set-Cookie."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from ..auth.service import AuthService, Client, Principal, SignedIn
from ..auth.sessions import SessionCookie

_UNSET = object()


def client_ip(request: Request, trusted_proxy_count: int) -> str | None:
    """The socket peer; with N trusted proxies in front, the N-th address from the right of X-Forwarded-For."""
    if trusted_proxy_count > 0:
        forwarded = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",") if p.strip()]
        if len(forwarded) >= trusted_proxy_count:
            return forwarded[-trusted_proxy_count][:64]
    return request.client.host if request.client else None


@dataclass
class Context:
    request: Request
    response: Response
    service: AuthService
    cookie: SessionCookie
    client: Client
    _principal: object = field(default=_UNSET, repr=False)

    @property
    def session_token(self) -> str | None:
        return self.cookie.decode(self.request.cookies.get(self.cookie.spec.name))

    @property
    def bearer_token(self) -> str | None:
        scheme, _, value = self.request.headers.get("authorization", "").partition(" ")
        return value.strip() or None if scheme.lower() == "bearer" else None

    async def principal(self, *, cookie_only: bool = False) -> Principal | None:
        """The signed-in user (cached per request). The cookie wins over a bearer token."""
        if self._principal is _UNSET or (cookie_only and self._principal and self._principal.via != "cookie"):
            found = None
            if (token := self.session_token) is not None:
                found = await self.service.principal_from_session(token)
                if found is not None and found.refreshed_until is not None:
                    self.response.headers.append("set-cookie", self.cookie.set_header(token))
            if found is None and not cookie_only and (bearer := self.bearer_token) is not None:
                found = await self.service.principal_from_access_token(bearer)
            self._principal = found
        return self._principal  # type: ignore[return-value]

    def start_session(self, signed_in: SignedIn) -> None:
        self._principal = None  # a fresh session: re-read on demand
        self.response.headers.append("set-cookie", self.cookie.set_header(signed_in.session_token))

    def end_session(self) -> None:
        self._principal = None
        self.response.headers.append("set-cookie", self.cookie.clear_header())
