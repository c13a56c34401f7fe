"""The records the core and the methods hand to transports. No database row travels above the core."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True, slots=True)
class User:
    id: str
    first_name: str
    last_name: str
    email: str
    email_verified: bool
    created_at: datetime
    image: str | None = None  # Better Auth's user fields, answered over REST
    updated_at: datetime | None = None
    two_factor_enabled: bool = False

    @classmethod
    def of(cls, row: asyncpg.Record) -> User:
        return cls(
            row["id"],
            row["firstName"],
            row["lastName"],
            row["email"],
            row["emailVerified"],
            row["createdAt"],
            row.get("image"),
            row.get("updatedAt"),
            bool(row.get("twoFactorEnabled")),
        )

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    user_id: str
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    ip_address: str | None
    user_agent: str | None

    @classmethod
    def of(cls, row: asyncpg.Record) -> Session:
        return cls(
            row["id"],
            row["userId"],
            row["createdAt"],
            row["updatedAt"],
            row["expiresAt"],
            row["ipAddress"],
            row["userAgent"],
        )


@dataclass(frozen=True)
class Client:
    """Who is asking, as far as the transport can tell."""

    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class SignedIn:
    """A sign-in that ended in a session: the transport sets the cookie (or hands out the token)."""

    user: User
    session_id: str
    session_token: str
    session_expires_at: datetime
    access_token: str
    access_token_expires_at: datetime


@dataclass(frozen=True)
class SecondFactorRequired:
    """A sign-in that needs a second factor first: no session yet. The transport keeps `challenge_token` in a
    short-lived HttpOnly cookie; the second-factor method finishes the sign-in with it."""

    user: User
    methods: tuple[str, ...]
    challenge_token: str
    expires_at: datetime


SignInOutcome = SignedIn | SecondFactorRequired


@dataclass(frozen=True)
class Principal:
    """The signed-in user of a request. `refreshed_until` is set when the sliding expiry moved the session on."""

    user: User
    session_id: str
    via: str  # "cookie" or "bearer"
    refreshed_until: datetime | None = None
    session_token: str | None = None  # the session token, when the request came with it (cookie or bearer)
    session: Session | None = None  # the session's record (as refreshed), for transports that show it


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_at: datetime
