"""The session cookie.

A session token is 32 random bytes (base64url, `ids.new_token`). The browser holds it in an HttpOnly cookie, signed
the way Better Auth signs its cookie (`<token>.<base64 HMAC-SHA256(secret, token)>`), so a tampered cookie is
rejected before any database work. The database holds only `sha256(token)`: a leaked session table signs nobody in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, replace
from urllib.parse import quote, unquote


@dataclass(frozen=True)
class CookieSpec:
    name: str
    secure: bool
    max_age: int
    same_site: str = "lax"
    path: str = "/"


class SessionCookie:
    def __init__(self, secret: str, spec: CookieSpec) -> None:
        self._key = secret.encode()
        self.spec = spec

    def _signature(self, token: str) -> str:
        return base64.b64encode(hmac.new(self._key, token.encode(), hashlib.sha256).digest()).decode()

    def sibling(self, purpose: str, max_age: int) -> SessionCookie:
        """Another signed cookie beside the session's (a pending second factor, a trusted device …): named like
        Better Auth names its own (`better-auth.session_token` → `better-auth.two_factor`), else `<name>_<purpose>`."""
        base = self.spec.name
        name = base[: -len("session_token")] + purpose if base.endswith(".session_token") else f"{base}_{purpose}"
        sibling = SessionCookie.__new__(SessionCookie)
        sibling._key, sibling.spec = self._key, replace(self.spec, name=name, max_age=max_age)
        return sibling

    def signed(self, token: str) -> str:
        """`<token>.<signature>`: the cookie's value before URL-encoding (Better Auth's `set-auth-token`)."""
        return f"{token}.{self._signature(token)}"

    def encode(self, token: str) -> str:
        return quote(self.signed(token), safe="")

    def decode(self, value: str | None) -> str | None:
        """The token in a cookie value, or None when absent, malformed or not signed with our secret."""
        if not value or len(value) > 512:
            return None
        token, dot, signature = unquote(value).rpartition(".")
        if not dot or not token:
            return None
        if not hmac.compare_digest(signature.encode(), self._signature(token).encode()):
            return None
        return token

    def set_header(self, token: str, max_age: int | None = None, *, persistent: bool = True) -> str:
        """`persistent=False`: no Max-Age, so the browser drops the cookie when it closes (Better Auth's
        `rememberMe: false`)."""
        return self._header(
            self.encode(token), (self.spec.max_age if max_age is None else max_age) if persistent else None
        )

    def clear_header(self) -> str:
        return self._header("", 0)

    def _header(self, value: str, max_age: int | None) -> str:
        parts = [
            f"{self.spec.name}={value}",
            f"Path={self.spec.path}",
            *([f"Max-Age={max_age}"] if max_age is not None else []),
            "HttpOnly",
            f"SameSite={self.spec.same_site.capitalize()}",
        ]
        if self.spec.secure:
            parts.append("Secure")
        return "; ".join(parts)
