"""AuthService: sign up, sign in, sign out, who am I, password reset and change, sessions. No GraphQL here.

Every method either returns a plain result or raises AuthFailure (a failure the user can act on). Anything else that
escapes (a database that is down) is an internal error for the transport layer to log and mask.
"""

from __future__ import annotations

import logging
import unicodedata
from functools import partial
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import asyncpg
from email_validator import EmailNotValidError, validate_email

from ..config import Settings
from ..db import repo
from ..db.repo import SessionRecord, UserRecord
from . import errors
from .errors import AuthFailure, Code
from .mail import Draft, Mailer
from .passwords import PasswordHashing, PasswordPolicy
from .ratelimit import RateLimiter, Rule
from .sessions import hash_token, new_id, new_token
from .tokens import AccessTokens

log = logging.getLogger(__name__)

NAME_MAX = 100
EMAIL_MAX = 254
TOKEN_MAX = 256
USER_AGENT_MAX = 512


@dataclass(frozen=True)
class Client:
    """Who is asking, as far as the transport can tell."""

    ip: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class SignedIn:
    user: UserRecord
    session_id: str
    session_token: str
    session_expires_at: datetime
    access_token: str
    access_token_expires_at: datetime


@dataclass(frozen=True)
class Principal:
    """The signed-in user of a request. `refreshed_until` is set when the sliding expiry moved the session on."""

    user: UserRecord
    session_id: str
    via: str  # "cookie" or "bearer"
    refreshed_until: datetime | None = None


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_at: datetime


def _now() -> datetime:
    return datetime.now(timezone.utc)


def clean_name(value: str, field: str) -> str:
    name = unicodedata.normalize("NFC", value).strip()
    label = "First name" if field == "firstName" else "Last name"
    if not name:
        raise AuthFailure(Code.INVALID_INPUT, f"{label} is required.", field)
    if len(name) > NAME_MAX:
        raise AuthFailure(Code.INVALID_INPUT, f"{label} must be at most {NAME_MAX} characters.", field)
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in name):
        raise AuthFailure(Code.INVALID_INPUT, f"{label} contains characters that are not allowed.", field)
    return name


def clean_email(value: str, field: str = "email") -> str:
    """Syntax-checked (no DNS), normalised and lower-cased: uniqueness is case-insensitive."""
    text = value.strip()
    if not text or len(text) > EMAIL_MAX:
        raise AuthFailure(Code.INVALID_INPUT, "Enter a valid email address.", field)
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise AuthFailure(Code.INVALID_INPUT, "Enter a valid email address.", field) from None
    return checked.normalized.lower()


def checked_email(email: str) -> tuple[str, AuthFailure | None]:
    """(key of the per-email rate-limit budget, the failure of a malformed address). The budget belongs to the
    address the account has, so spellings that normalise to one address (case, Unicode forms, IDN domains) share
    it; a malformed address counts as typed. Limits are counted before the failure is raised."""
    try:
        return clean_email(email), None
    except AuthFailure as failure:
        return email.strip().lower(), failure


def _greeting(user: UserRecord) -> str:
    return f"Hello {user.first_name}," if user.first_name else "Hello,"


class AuthService:
    def __init__(
        self, settings: Settings, pool: asyncpg.Pool, hashing: PasswordHashing, tokens: AccessTokens, mailer: Mailer
    ) -> None:
        self.settings, self.pool, self.hashing, self.tokens, self.mailer = settings, pool, hashing, tokens, mailer
        self.policy = PasswordPolicy(min_length=settings.password_min_length, max_length=settings.password_max_length)
        self.limiter = RateLimiter(pool, enabled=settings.rate_limit_enabled)
        s = settings
        self._rules = {
            "sign_in_ip": Rule("signIn", "ip", s.rate_limit_sign_in_ip),
            "sign_in_email": Rule("signIn", "email", s.rate_limit_sign_in_email),
            "sign_up_ip": Rule("signUp", "ip", s.rate_limit_sign_up_ip),
            "reset_request_ip": Rule("requestPasswordReset", "ip", s.rate_limit_reset_request_ip),
            "reset_request_email": Rule("requestPasswordReset", "email", s.rate_limit_reset_request_email),
            "reset_ip": Rule("resetPassword", "ip", s.rate_limit_reset_ip),
        }
        self.session_ttl = timedelta(seconds=s.session_ttl_seconds)
        self.update_age = timedelta(seconds=s.session_update_age_seconds)

    # ------------------------------------------------------------------------------------------------ sign up/in

    async def sign_up(self, first_name: str, last_name: str, email: str, password: str, client: Client) -> SignedIn:
        await self.limiter.hit([(self._rules["sign_up_ip"], client.ip)])
        first = clean_name(first_name, "firstName")
        last = clean_name(last_name, "lastName")
        address = clean_email(email)
        self.policy.check(password, email=address)
        password_hash = await self.hashing.hash(password)
        token, expires = new_token(), _now() + self.session_ttl
        async with self.pool.acquire() as conn, conn.transaction():
            user = await repo.insert_user(
                conn, user_id=new_id(), account_id=new_id(), first_name=first, last_name=last, email=address,
                password_hash=password_hash,
            )  # fmt: skip
            if user is None:
                raise AuthFailure(Code.EMAIL_TAKEN, "An account with this email already exists.", "email")
            session_id = await self._insert_session(conn, user.id, token, expires, client)
        log.info("user signed up", extra={"user_id": user.id})
        return self._signed_in(user, session_id, token, expires)

    async def sign_in(self, email: str, password: str, client: Client, *, replaces: str | None = None) -> SignedIn:
        """Verify the password and open a new session; `replaces` (the token of the caller's current session, if
        any) is revoked, so the session id rotates on every sign-in."""
        address, malformed = checked_email(email)
        await self.limiter.hit([(self._rules["sign_in_ip"], client.ip), (self._rules["sign_in_email"], address)])
        if malformed:
            raise malformed
        if len(password) > self.settings.password_max_length * 4:
            raise AuthFailure(Code.INVALID_CREDENTIALS, errors.INVALID_CREDENTIALS)  # never hash unbounded input
        found = await repo.find_credential(self.pool, address)
        if found is None or found[1] is None:
            await self.hashing.spend_dummy(password)  # same cost as a wrong password: no timing oracle
            raise AuthFailure(Code.INVALID_CREDENTIALS, errors.INVALID_CREDENTIALS)
        user, stored = found
        result = await self.hashing.verify(stored, password)
        if not result.ok:
            log.info("sign-in failed: wrong password", extra={"user_id": user.id})
            raise AuthFailure(Code.INVALID_CREDENTIALS, errors.INVALID_CREDENTIALS)
        if result.needs_rehash:
            upgraded = await self.hashing.hash(password)
            if await repo.replace_password_if_unchanged(self.pool, user.id, stored, upgraded):
                log.info("password hash upgraded to current argon2id parameters", extra={"user_id": user.id})
        token, expires = new_token(), _now() + self.session_ttl
        session_id = await self._insert_session(self.pool, user.id, token, expires, client, replaces=replaces)
        log.info("user signed in", extra={"user_id": user.id})
        return self._signed_in(user, session_id, token, expires)

    async def _insert_session(self, db, user_id: str, token: str, expires: datetime, client: Client,
                              replaces: str | None = None) -> str:  # fmt: skip
        session_id = new_id()
        await repo.insert_session(
            db, session_id=session_id, token_hash=hash_token(token), user_id=user_id, expires_at=expires,
            ip_address=client.ip, user_agent=(client.user_agent or None) and client.user_agent[:USER_AGENT_MAX],
            replaces=hash_token(replaces) if replaces else None,
        )  # fmt: skip
        return session_id

    def _signed_in(self, user: UserRecord, session_id: str, token: str, expires: datetime) -> SignedIn:
        access, access_expires = self.tokens.issue(user.id, session_id)
        return SignedIn(user, session_id, token, expires, access, access_expires)

    # ---------------------------------------------------------------------------------------------- who is asking

    async def principal_from_session(self, token: str) -> Principal | None:
        found = await repo.user_by_session_token(self.pool, hash_token(token))
        if found is None:
            return None
        user, session_id, expires = found
        refreshed = None
        now = _now()
        if expires - now < self.session_ttl - self.update_age:  # sliding expiry, at most once per update age
            refreshed = now + self.session_ttl
            await repo.extend_session(self.pool, session_id, refreshed)
        return Principal(user, session_id, "cookie", refreshed)

    async def principal_from_access_token(self, token: str) -> Principal | None:
        claims = self.tokens.verify(token)
        if claims is None or claims.session_id is None:
            return None
        user = await repo.user_by_session_id(self.pool, claims.session_id, claims.user_id)  # revoked means revoked
        return None if user is None else Principal(user, claims.session_id, "bearer")

    async def sign_out(self, token: str | None) -> bool:
        if not token:
            return False
        return await repo.delete_session_by_token(self.pool, hash_token(token)) > 0

    def access_token(self, principal: Principal) -> AccessToken:
        token, expires = self.tokens.issue(principal.user.id, principal.session_id)
        return AccessToken(token, expires)

    # ------------------------------------------------------------------------------------------- password reset

    async def request_password_reset(self, email: str, client: Client) -> str:
        address, malformed = checked_email(email)
        rules = [(self._rules["reset_request_ip"], client.ip), (self._rules["reset_request_email"], address)]
        await self.limiter.hit(rules)
        if malformed:
            raise malformed
        # Looking the email up, storing the token and mailing all happen after we answer, so the answer takes
        # the same time (and reads the same) whether or not the account exists.
        self.mailer.enqueue_job(partial(self._reset_draft, address))
        return "If an account exists for that email, we have sent a link to reset the password."

    async def _reset_draft(self, address: str) -> Draft | None:
        found = await repo.find_credential(self.pool, address)
        if found is None:
            return None
        user = found[0]
        token = new_token()
        expires = _now() + timedelta(seconds=self.settings.reset_token_ttl_seconds)
        await repo.insert_reset_token(self.pool, row_id=new_id(), token_hash=hash_token(token), user_id=user.id,
                                      expires_at=expires)  # fmt: skip
        log.info("password reset requested", extra={"user_id": user.id})
        return Draft(user.email, "Reset your password", self._reset_mail(user, token))

    def _reset_mail(self, user: UserRecord, token: str) -> str:
        link = f"{self.settings.frontend_url}/reset-password?token={token}"
        minutes = self.settings.reset_token_ttl_seconds // 60
        return (
            f"{_greeting(user)}\n\n"
            f"Someone (hopefully you) asked to reset the password of your account.\n"
            f"Open this link within {minutes} minutes to choose a new password:\n\n{link}\n\n"
            "The link works once. If you did not ask for it, ignore this mail: your password stays as it is.\n"
        )

    async def reset_password(self, token: str, new_password: str, client: Client) -> str:
        await self.limiter.hit([(self._rules["reset_ip"], client.ip)])
        token = token.strip()
        if not token or len(token) > TOKEN_MAX:
            raise AuthFailure(Code.INVALID_OR_EXPIRED_TOKEN, errors.INVALID_TOKEN, "token")
        token_hash = hash_token(token)
        owner = await repo.reset_token_owner(self.pool, token_hash)
        if owner is None:
            raise AuthFailure(Code.INVALID_OR_EXPIRED_TOKEN, errors.INVALID_TOKEN, "token")
        self.policy.check(new_password, email=owner.email, field="newPassword")  # a weak password keeps the token
        password_hash = await self.hashing.hash(new_password)
        async with self.pool.acquire() as conn, conn.transaction():
            user_id = await repo.consume_reset_token(conn, token_hash)
            if user_id is None:  # used by a concurrent call, or expired meanwhile
                raise AuthFailure(Code.INVALID_OR_EXPIRED_TOKEN, errors.INVALID_TOKEN, "token")
            await repo.set_password(conn, user_id, password_hash)
            await repo.delete_reset_tokens(conn, user_id)
            revoked = await repo.delete_sessions(conn, user_id)
        log.info("password reset; sessions revoked", extra={"user_id": user_id, "revoked": revoked})
        self._notify_password_changed(owner, "reset with a link sent to this address")
        return "Your password has been reset. Sign in with your new password."

    # -------------------------------------------------------------------------------- signed-in account upkeep

    async def change_password(self, principal: Principal, current: str, new: str) -> int:
        """Returns how many other sessions were revoked (all but the caller's)."""
        user = principal.user
        await self.limiter.hit([(self._rules["sign_in_email"], user.email)])
        stored = await repo.password_of(self.pool, user.id)
        if stored is None or len(current) > self.settings.password_max_length * 4:
            raise AuthFailure(Code.INVALID_CREDENTIALS, "Current password is incorrect.", "currentPassword")
        if not (await self.hashing.verify(stored, current)).ok:
            raise AuthFailure(Code.INVALID_CREDENTIALS, "Current password is incorrect.", "currentPassword")
        self.policy.check(new, email=user.email, field="newPassword")
        password_hash = await self.hashing.hash(new)
        async with self.pool.acquire() as conn, conn.transaction():
            await repo.set_password(conn, user.id, password_hash)
            await repo.delete_reset_tokens(conn, user.id)
            revoked = await repo.delete_sessions(conn, user.id, keep=principal.session_id)
        log.info("password changed; other sessions revoked", extra={"user_id": user.id, "revoked": revoked})
        self._notify_password_changed(user, "changed from a signed-in session")
        return revoked

    def _notify_password_changed(self, user: UserRecord, how: str) -> None:
        """Tell the owner (ASVS 2.5.x / NIST 800-63B): if it was not them, they learn of it at once."""
        text = (
            f"{_greeting(user)}\n\nThe password of your account was just {how}; other sessions were signed out.\n\n"
            f"If this was not you, reset your password now: {self.settings.frontend_url}/forgot-password\n"
        )
        draft = Draft(user.email, "Your password was changed", text)

        async def ready() -> Draft:
            return draft

        self.mailer.enqueue_job(ready)

    async def list_sessions(self, principal: Principal) -> list[SessionRecord]:
        return await repo.list_sessions(self.pool, principal.user.id)

    async def revoke_session(self, principal: Principal, session_id: str) -> int:
        if not session_id or len(session_id) > TOKEN_MAX or "\x00" in session_id:
            return 0  # not an id any session can have (PostgreSQL text cannot even hold NUL)
        return await repo.delete_session(self.pool, principal.user.id, session_id)

    async def revoke_other_sessions(self, principal: Principal) -> int:
        return await repo.delete_sessions(self.pool, principal.user.id, keep=principal.session_id)

    async def delete_expired(self) -> dict[str, int]:
        return await repo.delete_expired(self.pool)
