"""Social sign-in on the core: start a sign-in (or a link) with a provider, finish it on the callback, list and
unlink a user's accounts. No GraphQL, no HTTP here: the transports pass in what they read and set what comes back.

How one attempt is kept safe:
- `state` is a one-time token of the core's verification store (hashed at rest, single use, 10 minutes). The
  transport also puts it in a short-lived signed HttpOnly cookie, and the callback needs both to match: the
  attempt is bound to the browser that started it, and a replayed callback finds its state already consumed.
- The PKCE verifier and the OIDC nonce are derived from the state with HMAC under the server's secret, so no secret
  of the attempt is stored anywhere and nobody who sees the state in a URL can compute them.
- Provider tokens are not stored: the account row keeps only the provider and the subject (and the scopes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlencode, urlsplit

from ....db import accounts, users
from ...core import events
from ...core.cookies import SessionCookie
from ...core.core import Core
from ...core.errors import AuthFailure, Code
from ...core.ids import new_id
from ...core.ratelimit import Rule
from ...core.records import Client, Principal, SignInOutcome, User
from .providers import INVALID_TOKEN, NO_EMAIL, REJECTED, UNAVAILABLE, Identity, ProviderError, Providers

log = logging.getLogger(__name__)

STATE_KIND = "oauth-state"
STATE_TTL_SECONDS = 600
CALLBACK_PATH = "/api/auth/callback/"
SIGN_IN_PAGE = "/sign-in"
ACCOUNT_PAGE = "/account"
CREDENTIAL = "credential"

# The error codes the callback puts in the frontend URL (`?oauth_error=…`); the frontend has the sentences.
ACCESS_DENIED = "access_denied"
INVALID_STATE = "invalid_state"
PROVIDER_UNAVAILABLE = "provider_unavailable"
PROVIDER_REJECTED = "provider_rejected"
TOKEN_INVALID = "invalid_token"
EMAIL_MISSING = "email_missing"
EMAIL_IN_USE_UNVERIFIED = "email_in_use_unverified"
ACCOUNT_IN_USE = "account_in_use"
RATE_LIMITED = "rate_limited"
NOT_AUTHENTICATED = "not_authenticated"
INTERNAL = "internal"

_REASONS = {
    UNAVAILABLE: PROVIDER_UNAVAILABLE,
    REJECTED: PROVIDER_REJECTED,
    INVALID_TOKEN: TOKEN_INVALID,
    NO_EMAIL: EMAIL_MISSING,
}


@dataclass(frozen=True)
class Started:
    """Send the browser to `url`; keep `state` in the signed state cookie for `max_age` seconds."""

    url: str
    state: str
    max_age: int = STATE_TTL_SECONDS


@dataclass(frozen=True)
class Finished:
    """Where the callback sends the browser, and the sign-in outcome to set cookies for (None: no sign-in)."""

    redirect: str
    outcome: SignInOutcome | None = None
    error: str | None = None


@dataclass(frozen=True)
class LinkedAccount:
    id: str
    provider_id: str
    provider_name: str
    account_id: str
    user_id: str
    scopes: tuple[str, ...]
    created_at: datetime
    updated_at: datetime


STATE_COOKIE = "oauth_state"


def state_cookie(cookie: SessionCookie, max_age: int = STATE_TTL_SECONDS) -> SessionCookie:
    """The signed, HttpOnly, SameSite=Lax cookie that binds an attempt to the browser that started it. Lax: the
    provider's redirect back is a top-level GET navigation, which carries it; its path is the callback's only."""
    sibling = cookie.sibling(STATE_COOKIE, max_age)
    sibling.spec = replace(sibling.spec, path=CALLBACK_PATH.rstrip("/"))
    return sibling


class CallbackError(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code, self.detail = code, detail


class OAuthService:
    def __init__(self, core: Core) -> None:
        self.core = core
        s = core.settings
        self.providers = Providers(s.oauth_providers)
        self._key = hashlib.sha256(b"chatbot-agent oauth attempt\x00" + s.session_secret.encode()).digest()
        self.rules = {
            "start_ip": Rule("socialSignIn", "ip", s.rate_limit_social_ip),
            "callback_ip": Rule("socialCallback", "ip", s.rate_limit_social_ip),
        }

    # ------------------------------------------------------------------------------------------- lifecycle

    async def on_startup(self) -> None:
        await self.providers.start()

    async def on_shutdown(self) -> None:
        await self.providers.stop()

    # ---------------------------------------------------------------------------------------------- helpers

    def provider_list(self) -> list[tuple[str, str]]:
        return [(p.id, p.name) for p in self.providers]

    def provider_name(self, provider_id: str) -> str:
        if provider_id == CREDENTIAL:
            return "Password"
        provider = self.providers.get(provider_id)
        return provider.name if provider else provider_id

    def redirect_uri(self, provider_id: str) -> str:
        return f"{self.core.settings.public_url}{CALLBACK_PATH}{provider_id}"

    def _derive(self, label: str, state: str) -> str:
        digest = hmac.new(self._key, f"{label}\x00{state}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def verifier_of(self, state: str) -> str:
        return self._derive("pkce", state)  # 43 characters of base64url: RFC 7636's minimum length, 256 bits

    def nonce_of(self, state: str) -> str:
        return self._derive("nonce", state)

    def safe_redirect(self, redirect_to: str | None, default: str = ACCOUNT_PAGE) -> str:
        """A path on the web app, or a URL on a trusted origin; anything else is refused (no open redirect)."""
        target = (redirect_to or "").strip() or default
        if _is_safe_path(target) or _origin(target) in {o.lower() for o in self.core.settings.allowed_origins}:
            return target
        raise AuthFailure(
            Code.INVALID_INPUT, "redirectTo must be a path on this site or a URL on a trusted origin.", "redirectTo"
        )

    def frontend_url(self, target: str) -> str:
        return target if "://" in target else self.core.settings.frontend_url + target

    def error_url(self, code: str, provider_id: str | None, *, linking: bool = False, to: str | None = None) -> str:
        """The web app's sign-in page (account page when linking) with `?oauth_error=<code>`, or the caller's own
        error page (Better Auth's `errorCallbackURL`) with `?error=<code>`."""
        if to:
            return self.frontend_url(_with_query(to, error=code))
        query = {"oauth_error": code}
        if provider_id and self.providers.get(provider_id):
            query["provider"] = provider_id
        return self.core.link(ACCOUNT_PAGE if linking else SIGN_IN_PAGE, **query)

    # ----------------------------------------------------------------------------------------------- start

    async def begin(
        self,
        provider_id: str,
        redirect_to: str | None,
        client: Client,
        *,
        link_user: User | None = None,
        error_to: str | None = None,
        new_user_to: str | None = None,
    ) -> Started:
        """Begin a sign-in (or, with `link_user`, a link) with a provider: the URL to send the browser to. `error_to`
        and `new_user_to` are Better Auth's errorCallbackURL and newUserCallbackURL (same rules as `redirect_to`)."""
        provider = self.providers.get((provider_id or "").strip())
        if provider is None:
            raise AuthFailure(Code.INVALID_INPUT, "This sign-in provider is not available.", "provider")
        target = self.safe_redirect(redirect_to)
        extra = {
            key: self.safe_redirect(value)
            for key, value in (("errorTo", error_to), ("newUserTo", new_user_to))
            if value and value.strip()
        }
        await self.core.limiter.hit([(self.rules["start_ip"], client.ip)])
        data = {"provider": provider.id, "redirectTo": target, "link": link_user.id if link_user else None, **extra}
        state = await self.core.verifications.create(
            STATE_KIND, link_user.id if link_user else provider.id, STATE_TTL_SECONDS, data=data
        )
        try:
            url = await provider.authorization_url(
                self.redirect_uri(provider.id), state, self.nonce_of(state), self.verifier_of(state)
            )
        except ProviderError as exc:
            await self.core.verifications.consume(STATE_KIND, state)
            log.warning("social sign-in could not start", extra={"provider": provider.id, "reason": exc.detail})
            raise AuthFailure(Code.PROVIDER_UNAVAILABLE, exc.message, "provider") from None
        return Started(url=url, state=state)

    # ---------------------------------------------------------------------------------------------- finish

    async def finish(
        self,
        provider_id: str,
        params: dict[str, str],
        cookie_state: str | None,
        client: Client,
        *,
        principal: Principal | None = None,
        replaces: str | None = None,
        cookies: dict[str, str] | None = None,
    ) -> Finished:
        """The callback: check state (cookie and store), exchange the code, then sign in, sign up, or link.
        Every failure becomes a redirect to the web app with an error code; nothing raises out of here but bugs."""
        linking = False
        error_to: str | None = None
        try:
            state = params.get("state") or ""
            if not state or not cookie_state or not hmac.compare_digest(state.encode(), cookie_state.encode()):
                raise CallbackError(INVALID_STATE, "state missing or not this browser's")
            try:
                await self.core.limiter.hit([(self.rules["callback_ip"], client.ip)])
            except AuthFailure:
                raise CallbackError(RATE_LIMITED) from None
            attempt = await self.core.verifications.consume(STATE_KIND, state)
            if attempt is None or attempt.data.get("provider") != provider_id:
                raise CallbackError(INVALID_STATE, "state unknown, used or expired, or for another provider")
            provider = self.providers.get(provider_id)
            if provider is None:
                raise CallbackError(INVALID_STATE, "provider no longer configured")
            error_to = attempt.data.get("errorTo")
            link_user_id = attempt.data.get("link")
            linking = isinstance(link_user_id, str) and bool(link_user_id)
            if params.get("error"):
                code = ACCESS_DENIED if params["error"] == "access_denied" else PROVIDER_REJECTED
                raise CallbackError(code, f"provider answered {params['error']}: {params.get('error_description')}")
            if not params.get("code"):
                raise CallbackError(PROVIDER_REJECTED, "no code in the callback")
            issuer = params.get("iss")  # RFC 9207: when the provider names itself, it must be the one we asked
            expected = getattr(provider, "issuer", None)
            if issuer and expected and issuer != expected:
                raise CallbackError(TOKEN_INVALID, f"callback iss {issuer!r} is not {expected!r}")
            try:
                identity = await provider.exchange(
                    params["code"], self.redirect_uri(provider_id), self.verifier_of(state), self.nonce_of(state)
                )
            except ProviderError as exc:
                raise CallbackError(_REASONS.get(exc.reason, PROVIDER_REJECTED), exc.detail) from None
            target = attempt.data.get("redirectTo") or ACCOUNT_PAGE
            if isinstance(link_user_id, str) and link_user_id:
                await self._link(link_user_id, identity, principal)
                log.info("social account linked", extra={"user_id": link_user_id, "provider": provider_id})
                return Finished(self.frontend_url(_with_query(target, linked=provider_id)))
            outcome, created = await self._sign_in(identity, client, replaces=replaces, cookies=cookies or {})
            if created and attempt.data.get("newUserTo"):
                target = attempt.data["newUserTo"]
            return Finished(self.frontend_url(target), outcome=outcome)
        except CallbackError as exc:
            log.info("social sign-in failed", extra={"provider": provider_id, "error": exc.code, "reason": exc.detail})
            return Finished(self.error_url(exc.code, provider_id, linking=linking, to=error_to), error=exc.code)
        except AuthFailure as failure:  # a sign-in gate refused (e.g. an email that must be verified first)
            log.info("social sign-in refused", extra={"provider": provider_id, "error": failure.code.value})
            return Finished(
                self.error_url(failure.code.value.lower(), provider_id, linking=linking, to=error_to),
                error=failure.code.value.lower(),
            )

    async def _sign_in(
        self, identity: Identity, client: Client, *, replaces: str | None, cookies: dict[str, str]
    ) -> tuple[SignInOutcome, bool]:
        """Sign in the provider account's user, creating or linking it first; also whether a user was created."""
        pool = self.core.pool
        created = False
        row = await accounts.find_provider(pool, identity.provider_id, identity.subject)
        if row is not None:
            user = await self.core.user(row["userId"])
            if user is None:  # deleted between the two reads
                raise CallbackError(INVALID_STATE, "account without user")
        else:
            if not identity.email:
                raise CallbackError(EMAIL_MISSING, "provider gave no email")
            email = identity.email.strip().lower()
            async with pool.acquire() as conn, conn.transaction():
                existing = await users.by_email(conn, email)
                if existing is not None:
                    if not identity.email_verified:
                        # Someone could register this address at the provider without owning it: never link then.
                        raise CallbackError(EMAIL_IN_USE_UNVERIFIED, "existing user; provider did not verify the email")
                    user_id = existing["id"]
                    if not existing["emailVerified"]:
                        await users.mark_verified(conn, user_id, email)
                else:
                    first, last = _names(identity, email)
                    inserted = await users.insert(
                        conn,
                        user_id=new_id(),
                        first_name=first,
                        last_name=last,
                        email=email,
                        email_verified=identity.email_verified,
                    )
                    if inserted is None:  # taken in between: the next attempt links or refuses as above
                        raise CallbackError(PROVIDER_REJECTED, "email taken concurrently")
                    user_id, created = inserted["id"], True
                linked = await accounts.insert_provider(
                    conn,
                    row_id=new_id(),
                    provider_id=identity.provider_id,
                    account_id=identity.subject,
                    user_id=user_id,
                    scope=self._scope_of(identity.provider_id),
                )
                if not linked:
                    raise CallbackError(ACCOUNT_IN_USE, "provider account linked concurrently")
            user = await self.core.user(user_id)
            assert user is not None
            if created:
                await self.core.events.emit(
                    events.USER_SIGNED_UP, user=user, client=client, method=f"oauth:{identity.provider_id}"
                )
            log.info(
                "social account %s",
                "created with a new user" if created else "linked to the user of its email",
                extra={"user_id": user.id, "provider": identity.provider_id},
            )
        outcome = await self.core.sign_in(
            user, client, method=f"oauth:{identity.provider_id}", replaces=replaces, sign_up=created, cookies=cookies
        )
        return outcome, created

    async def _link(self, user_id: str, identity: Identity, principal: Principal | None) -> None:
        if principal is None or principal.user.id != user_id:
            raise CallbackError(NOT_AUTHENTICATED, "link finished without the session that started it")
        row = await accounts.find_provider(self.core.pool, identity.provider_id, identity.subject)
        if row is not None:
            if row["userId"] != user_id:
                raise CallbackError(ACCOUNT_IN_USE, "provider account belongs to another user")
            return  # already linked to this user
        linked = await accounts.insert_provider(
            self.core.pool,
            row_id=new_id(),
            provider_id=identity.provider_id,
            account_id=identity.subject,
            user_id=user_id,
            scope=self._scope_of(identity.provider_id),
        )
        if not linked:
            raise CallbackError(ACCOUNT_IN_USE, "provider account linked concurrently")

    def _scope_of(self, provider_id: str) -> str:
        provider = self.providers.get(provider_id)
        return ",".join(provider.config.scopes.split()) if provider else ""

    # -------------------------------------------------------------------------------------- account list

    async def accounts_of(self, principal: Principal) -> list[LinkedAccount]:
        rows = await accounts.listing(self.core.pool, principal.user.id)
        return [
            LinkedAccount(
                id=r["id"],
                provider_id=r["providerId"],
                provider_name=self.provider_name(r["providerId"]),
                account_id=r["accountId"],
                user_id=r["userId"],
                scopes=tuple(part.strip() for part in (r["scope"] or "").split(",") if part.strip()),
                created_at=r["createdAt"],
                updated_at=r["updatedAt"],
            )
            for r in rows
            if r["providerId"] != CREDENTIAL or r["hasPassword"]
        ]

    async def unlink(
        self,
        principal: Principal,
        *,
        row_id: str | None = None,
        provider_id: str | None = None,
        account_id: str | None = None,
    ) -> None:
        """Remove one way in, by row id or by provider (and subject); never the last one."""
        result = await accounts.delete_unless_last(
            self.core.pool, principal.user.id, row_id=row_id, provider_id=provider_id, account_id=account_id
        )
        if result == "not_found":
            raise AuthFailure(Code.INVALID_INPUT, "No such linked account.", "id" if row_id else "providerId")
        if result == "last":
            raise AuthFailure(
                Code.LAST_SIGN_IN_METHOD,
                "This is your only way to sign in. Add a password or connect another provider first.",
            )
        log.info("account unlinked", extra={"user_id": principal.user.id})


def _is_safe_path(url: str) -> bool:
    """`/path?query#fragment` that browsers and routers all read as a path here: not `//host`, no backslash, no
    control character, no encoded slash or backslash in the path."""
    if not url.startswith("/") or url.startswith("//") or "\\" in url or len(url) > 2048:
        return False
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in url):
        return False
    path = re.split(r"[?#]", url, maxsplit=1)[0].lower()
    return "%2f" not in path and "%5c" not in path


def _origin(url: str) -> str | None:
    """`scheme://host[:port]` of an absolute http(s) URL without user info; None for anything else."""
    if any(ord(ch) < 33 or ch == "\\" for ch in url) or len(url) > 2048:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port and port != default else "")


def _names(identity: Identity, email: str) -> tuple[str, str]:
    first, last = identity.first_name[:100], identity.last_name[:100]
    if not first and not last:
        first = email.split("@", 1)[0][:100]
    return first, last


def _with_query(target: str, **query: str) -> str:
    return target + ("&" if "?" in target else "?") + urlencode(query)
