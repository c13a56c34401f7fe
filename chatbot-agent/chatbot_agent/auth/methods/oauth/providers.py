"""The provider side of social sign-in: OpenID Connect (any issuer, Google included) and GitHub.

What each provider does, with Authlib for the OAuth 2.0 client (authorization URL with PKCE S256, the code exchange,
client authentication) and joserfc for the ID token (signature against the provider's JWKS, then Authlib's
`CodeIDToken` rules: iss, aud, exp, iat, nonce, azp, at_hash):

- `authorization_url(redirect_uri, state, nonce, code_verifier)` → the URL to send the browser to;
- `exchange(code, redirect_uri, code_verifier, nonce)` → the verified `Identity`, or `ProviderError`.

OpenID Connect providers are found by discovery (`<issuer>/.well-known/openid-configuration`); `Providers.start()`
runs it for each in the background, retried with backoff, so one provider that is down neither stops start-up nor
the others. Nothing here touches the database or HTTP requests of our own: the method's service does.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from ....config import GOOGLE_ISSUER
from ....config import OAuthProvider as ProviderConfig

log = logging.getLogger(__name__)

HTTP_TIMEOUT = 10.0
CLOCK_LEEWAY = 60  # seconds of clock skew allowed on exp/iat
JWKS_REFRESH_INTERVAL = 60.0  # an unknown key id refetches the JWKS at most this often (key rotation)
ASYMMETRIC_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519")

# reasons of ProviderError
UNAVAILABLE = "unavailable"  # the provider cannot be reached or answers 5xx / garbage
REJECTED = "rejected"  # the provider refused the code exchange (bad PKCE verifier, replayed code, bad client)
INVALID_TOKEN = "invalid_token"  # the ID token failed verification (signature, iss, aud, exp, nonce)
NO_EMAIL = "no_email"  # no verified email address we can use


class ProviderError(Exception):
    """A sign-in with the provider failed. `message` is for the user; `detail` for the server log only."""

    def __init__(self, reason: str, message: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail or message}")
        self.reason = reason
        self.message = message
        self.detail = detail


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in. `subject` is the provider's stable id (OIDC `sub`, GitHub's numeric id)."""

    provider_id: str
    subject: str
    email: str | None
    email_verified: bool
    given_name: str = ""
    family_name: str = ""
    name: str = ""
    image: str | None = None

    @property
    def first_name(self) -> str:
        if self.given_name or self.family_name:
            return self.given_name
        return self.name.split(maxsplit=1)[0] if self.name.split() else ""

    @property
    def last_name(self) -> str:
        if self.given_name or self.family_name:
            return self.family_name
        parts = self.name.split(maxsplit=1)
        return " ".join(parts[1].split()) if len(parts) > 1 else ""


class Provider(Protocol):
    config: ProviderConfig

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    async def authorization_url(self, redirect_uri: str, state: str, nonce: str, code_verifier: str) -> str: ...
    async def exchange(self, code: str, redirect_uri: str, code_verifier: str, nonce: str) -> Identity: ...


def _claim_bool(value: Any) -> bool:
    """`email_verified` is a boolean in the spec; some providers (Cognito, older Google tokens) send "true"."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _text(value: Any) -> str:
    """A name claim as we keep it: NFC, runs of whitespace as one space, without control or format characters (a
    right-to-left override in a display name would garble every page that shows it)."""
    if not isinstance(value, str):
        return ""
    text = "".join(" " if ch.isspace() else ch for ch in unicodedata.normalize("NFC", value))
    return " ".join("".join(ch for ch in text if unicodedata.category(ch)[0] != "C").split())


class _Base:
    def __init__(self, config: ProviderConfig, http: httpx2.AsyncClient) -> None:
        self.config = config
        self.http = http

    @property
    def id(self) -> str:
        return self.config.id

    @property
    def name(self) -> str:
        return self.config.name

    def _unavailable(self, detail: str) -> ProviderError:
        return ProviderError(UNAVAILABLE, f"{self.name} could not be reached. Please try again in a moment.", detail)

    def _oauth_client(self, auth_method: str) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            token_endpoint_auth_method=auth_method,
            scope=self.config.scopes,
            code_challenge_method="S256",
            timeout=HTTP_TIMEOUT,
            follow_redirects=False,
        )

    async def _fetch_token(
        self, url: str, auth_method: str, code: str, redirect_uri: str, verifier: str
    ) -> dict[str, Any]:
        async with self._oauth_client(auth_method) as client:
            try:
                token = await client.fetch_token(
                    url, grant_type="authorization_code", code=code, redirect_uri=redirect_uri, code_verifier=verifier
                )
            except OAuthError as exc:
                raise ProviderError(
                    REJECTED,
                    f"{self.name} did not accept the sign-in. Please start again.",
                    f"token endpoint: {exc.error}: {exc.description}",
                ) from None
            except (httpx2.HTTPError, ValueError) as exc:
                raise self._unavailable(f"token endpoint: {type(exc).__name__}: {exc}") from None
        if not isinstance(token.get("access_token"), str):
            raise ProviderError(
                REJECTED,
                f"{self.name} did not accept the sign-in. Please start again.",
                "token endpoint: no access_token in the answer",
            )
        return dict(token)

    async def _get_json(self, url: str, *, bearer: str | None = None, headers: dict[str, str] | None = None) -> Any:
        request_headers = {"Accept": "application/json", **(headers or {})}
        if bearer:
            request_headers["Authorization"] = f"Bearer {bearer}"
        try:
            response = await self.http.get(url, headers=request_headers)
            response.raise_for_status()
            return response.json()
        except (httpx2.HTTPError, ValueError) as exc:
            raise self._unavailable(f"GET {url}: {type(exc).__name__}: {exc}") from None


class OidcProvider(_Base):
    """Any OpenID Connect provider, by discovery from its issuer. Google is one with a fixed issuer."""

    def __init__(self, config: ProviderConfig, http: httpx2.AsyncClient) -> None:
        super().__init__(config, http)
        # configured without a trailing slash; after discovery, the provider's exact spelling (Auth0's ends in "/")
        self.configured_issuer = config.issuer or GOOGLE_ISSUER
        self.issuer = self.configured_issuer
        self.metadata: dict[str, Any] | None = None
        self._jwks: KeySet | None = None
        self._jwks_fetched_at = 0.0
        self._lock = asyncio.Lock()
        self.first_attempt = asyncio.Event()  # set once start-up discovery has been tried (successfully or not)

    @property
    def discovery_url(self) -> str:
        return self.configured_issuer + "/.well-known/openid-configuration"

    def accepted_issuers(self) -> tuple[str, ...]:
        # Google's ID tokens say "accounts.google.com" or "https://accounts.google.com" (Google's documentation)
        if self.configured_issuer == GOOGLE_ISSUER:
            return (GOOGLE_ISSUER, "accounts.google.com")
        return (self.issuer,)

    async def discover(self) -> dict[str, Any]:
        """Read and check the discovery document; remembered once it succeeds."""
        metadata = await self._get_json(self.discovery_url)
        if not isinstance(metadata, dict):
            raise self._unavailable(f"{self.discovery_url}: not a JSON object")
        issuer = metadata.get("issuer")
        # OpenID Connect Discovery 1.0 §4.3: the document names the issuer we asked (up to a trailing slash, which
        # the configuration drops); from here on the provider's exact spelling is what its ID tokens must say.
        if not isinstance(issuer, str) or issuer.rstrip("/") != self.configured_issuer:
            raise self._unavailable(
                f"{self.discovery_url}: issuer {issuer!r} is not the configured {self.configured_issuer!r}"
            )
        for required in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(metadata.get(required), str):
                raise self._unavailable(f"{self.discovery_url}: no {required}")
        self.issuer = issuer
        self.metadata = metadata
        return metadata

    async def ready(self) -> dict[str, Any]:
        if self.metadata is None:
            async with self._lock:
                if self.metadata is None:
                    await self.discover()
        assert self.metadata is not None
        return self.metadata

    def _auth_method(self, metadata: dict[str, Any]) -> str:
        supported = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        return "client_secret_basic" if "client_secret_basic" in supported else "client_secret_post"

    def _algorithms(self, metadata: dict[str, Any]) -> list[str]:
        offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        return [alg for alg in offered if alg in ASYMMETRIC_ALGS] or ["RS256"]

    async def authorization_url(self, redirect_uri: str, state: str, nonce: str, code_verifier: str) -> str:
        metadata = await self.ready()
        async with self._oauth_client(self._auth_method(metadata)) as client:
            url, _ = client.create_authorization_url(
                metadata["authorization_endpoint"],
                state=state,
                code_verifier=code_verifier,
                nonce=nonce,
                redirect_uri=redirect_uri,
            )
        return str(url)

    async def _key_set(self, *, refresh: bool = False) -> KeySet:
        metadata = await self.ready()
        stale = time.monotonic() - self._jwks_fetched_at > JWKS_REFRESH_INTERVAL
        if self._jwks is None or (refresh and stale):
            document = await self._get_json(metadata["jwks_uri"])
            try:
                self._jwks = KeySet.import_key_set(document)
            except (JoseError, ValueError, TypeError, KeyError) as exc:
                raise self._unavailable(f"{metadata['jwks_uri']}: not a JWK set: {exc}") from None
            self._jwks_fetched_at = time.monotonic()
        return self._jwks

    def _invalid(self, detail: str) -> ProviderError:
        return ProviderError(
            INVALID_TOKEN, f"The answer from {self.name} could not be verified. Please start again.", detail
        )

    async def verify_id_token(self, id_token: str, nonce: str, access_token: str | None = None) -> dict[str, Any]:
        """The ID token's claims, once its signature (the provider's JWKS), iss, aud, exp, iat, nonce, azp and
        at_hash are right; otherwise ProviderError(INVALID_TOKEN)."""
        metadata = await self.ready()
        algorithms = self._algorithms(metadata)
        try:
            try:
                token = jwt.decode(id_token, await self._key_set(), algorithms=algorithms)
            except InvalidKeyIdError:  # the provider may have rotated its keys since we fetched them
                token = jwt.decode(id_token, await self._key_set(refresh=True), algorithms=algorithms)
            claims = CodeIDToken(
                token.claims,
                token.header,
                {
                    "iss": {"essential": True, "values": list(self.accepted_issuers())},
                    "aud": {"essential": True, "value": self.config.client_id},
                    "sub": {"essential": True},
                },
                {"nonce": nonce, "client_id": self.config.client_id, "access_token": access_token},
            )
            claims.validate(leeway=CLOCK_LEEWAY)
        except JoseError as exc:
            raise self._invalid(f"ID token: {type(exc).__name__}: {exc}") from None
        except (ValueError, TypeError) as exc:
            raise self._invalid(f"ID token malformed: {exc}") from None
        return dict(claims)

    async def exchange(self, code: str, redirect_uri: str, code_verifier: str, nonce: str) -> Identity:
        metadata = await self.ready()
        token = await self._fetch_token(
            metadata["token_endpoint"], self._auth_method(metadata), code, redirect_uri, code_verifier
        )
        if not isinstance(token.get("id_token"), str):
            raise self._invalid("token endpoint: no id_token (is the openid scope allowed for this client?)")
        claims = await self.verify_id_token(token["id_token"], nonce, token["access_token"])
        if "email" not in claims and isinstance(metadata.get("userinfo_endpoint"), str):
            info = await self._get_json(metadata["userinfo_endpoint"], bearer=token["access_token"])
            if not isinstance(info, dict) or info.get("sub") != claims["sub"]:  # OpenID Connect Core §5.3.2
                raise self._invalid("userinfo: sub differs from the ID token's")
            claims = {**info, **claims}
        email = claims.get("email")
        return Identity(
            provider_id=self.id,
            subject=str(claims["sub"]),
            email=email.strip() if isinstance(email, str) and email.strip() else None,
            email_verified=_claim_bool(claims.get("email_verified")),
            given_name=_text(claims.get("given_name")),
            family_name=_text(claims.get("family_name")),
            name=_text(claims.get("name")),
            image=claims.get("picture") if isinstance(claims.get("picture"), str) else None,
        )


class GitHubProvider(_Base):
    """GitHub's OAuth apps (not OpenID Connect): /login/oauth/authorize, /login/oauth/access_token, then the REST
    API's GET /user and GET /user/emails. Only the primary, verified email address counts."""

    API_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}

    async def authorization_url(self, redirect_uri: str, state: str, nonce: str, code_verifier: str) -> str:
        async with self._oauth_client("client_secret_post") as client:
            url, _ = client.create_authorization_url(
                self.config.github_url + "/login/oauth/authorize",
                state=state,
                code_verifier=code_verifier,
                redirect_uri=redirect_uri,
                allow_signup="true",
            )
        return str(url)

    async def exchange(self, code: str, redirect_uri: str, code_verifier: str, nonce: str) -> Identity:
        token = await self._fetch_token(
            self.config.github_url + "/login/oauth/access_token",
            "client_secret_post",
            code,
            redirect_uri,
            code_verifier,
        )
        api = self.config.github_api_url
        user = await self._get_json(api + "/user", bearer=token["access_token"], headers=self.API_HEADERS)
        emails = await self._get_json(api + "/user/emails", bearer=token["access_token"], headers=self.API_HEADERS)
        if not isinstance(user, dict) or not isinstance(user.get("id"), int) or not isinstance(emails, list):
            raise self._unavailable("GitHub API: unexpected answer to /user or /user/emails")
        primary = next((e for e in emails if isinstance(e, dict) and e.get("primary") is True), None)
        if primary is None or primary.get("verified") is not True or not isinstance(primary.get("email"), str):
            raise ProviderError(
                NO_EMAIL,
                "Your GitHub account has no verified primary email address. Verify it on GitHub (Settings → "
                "Emails), then try again.",
                "GitHub: no primary verified email",
            )
        return Identity(
            provider_id=self.id,
            subject=str(user["id"]),
            email=primary["email"].strip(),
            email_verified=True,
            name=_text(user.get("name")) or _text(user.get("login")),
            image=user.get("avatar_url") if isinstance(user.get("avatar_url"), str) else None,
        )


class Providers:
    """The configured providers, with one HTTP client and background discovery for the OpenID Connect ones."""

    def __init__(self, configs: Iterable[ProviderConfig], *, retry_base: float = 1.0, retry_max: float = 300.0) -> None:
        self.configs = tuple(configs)
        self.retry_base = retry_base
        self.retry_max = retry_max
        self.http = httpx2.AsyncClient(timeout=HTTP_TIMEOUT, follow_redirects=False)
        self._providers: dict[str, Provider] = {
            c.id: (GitHubProvider(c, self.http) if c.kind == "github" else OidcProvider(c, self.http))
            for c in self.configs
        }
        self._tasks: list[asyncio.Task[None]] = []

    def __iter__(self) -> Iterator[Provider]:
        return iter(self._providers.values())

    def __len__(self) -> int:
        return len(self._providers)

    def get(self, provider_id: str) -> Provider | None:
        return self._providers.get(provider_id)

    async def start(self) -> None:
        """Start discovery of every OpenID Connect provider in the background; returns at once."""
        for provider in self._providers.values():
            if isinstance(provider, OidcProvider):
                self._tasks.append(asyncio.create_task(self._discover(provider), name=f"oauth-discovery-{provider.id}"))

    async def wait_first_attempts(self, seconds: float) -> None:
        """Wait until every OpenID Connect provider's first discovery attempt is over (success or not), at most
        `seconds`."""
        events = [p.first_attempt.wait() for p in self._providers.values() if isinstance(p, OidcProvider)]
        if events:
            _, pending = await asyncio.wait([asyncio.ensure_future(e) for e in events], timeout=seconds)
            for waiter in pending:
                waiter.cancel()

    async def _discover(self, provider: OidcProvider) -> None:
        attempt = 0
        while provider.metadata is None:
            attempt += 1
            try:
                async with provider._lock:
                    if provider.metadata is None:
                        await provider.discover()
                log.info("OAuth provider %r: discovered %s", provider.id, provider.issuer)
                provider.first_attempt.set()
                return
            except ProviderError as exc:
                provider.first_attempt.set()
                delay = min(self.retry_max, self.retry_base * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2)
                log.warning(
                    "OAuth provider %r: OpenID Connect discovery failed (attempt %d): %s; retrying in %.0f s. Sign-in "
                    "with %s answers 'could not be reached' until it succeeds; other providers are not affected.",
                    provider.id,
                    attempt,
                    exc.detail,
                    delay,
                    provider.name,
                )
                await asyncio.sleep(delay)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self.http.aclose()
