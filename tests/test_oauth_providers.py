"""The provider layer of social sign-in, against a real OpenID provider (npm oidc-provider on loopback) and the GitHub
stand-in: configuration, discovery (with a provider that is down), the authorization URL (PKCE S256, state, nonce),
the code exchange and ID token verification, and every kind of tampering the provider layer must catch."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from chatbot_agent.auth.methods.oauth.providers import (
    INVALID_TOKEN,
    NO_EMAIL,
    REJECTED,
    UNAVAILABLE,
    GitHubProvider,
    Identity,
    OidcProvider,
    ProviderError,
    Providers,
)
from chatbot_agent.config import ConfigError
from chatbot_agent.config import OAuthProvider as ProviderConfig
from chatbot_agent.config import parse_oauth_providers as parse_providers

from . import github_standin
from .oauth_support import OidcTestProvider, serving
from .support import free_port

REDIRECT = "http://localhost:8000/api/auth/callback/acme"
GH_REDIRECT = "http://localhost:8000/api/auth/callback/github"


@pytest.fixture(scope="module")
def op():
    with OidcTestProvider() as provider:
        yield provider


@pytest.fixture(scope="module")
def acme(op) -> ProviderConfig:
    client_id, secret = op.register_client([REDIRECT])
    return parse_providers(
        {
            "OAUTH_PROVIDERS": "acme",
            "OAUTH_ACME_CLIENT_ID": client_id,
            "OAUTH_ACME_CLIENT_SECRET": secret,
            "OAUTH_ACME_ISSUER": op.issuer,
            "OAUTH_ACME_NAME": "Acme ID",
        }
    )[0]


@pytest.fixture(scope="module")
def github():
    with github_standin.running() as standin:
        standin.callback_url = GH_REDIRECT
        yield standin


@pytest.fixture
async def providers(acme):
    registry = Providers([acme])
    await registry.start()
    await registry.wait_first_attempts(15)
    yield registry
    await registry.stop()


def params(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def challenge_of(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class Attempt:
    """One sign-in's secrets, as the method will keep them in the browser-bound cookie."""

    def __init__(self) -> None:
        self.state = secrets.token_urlsafe(32)
        self.nonce = secrets.token_urlsafe(32)
        self.verifier = secrets.token_urlsafe(48)


async def signed_in(op, provider, login: str, attempt: Attempt | None = None, *, url_edit=None) -> tuple[str, Attempt]:
    """Start a sign-in, log in at the provider, and return the code sent back to our callback."""
    attempt = attempt or Attempt()
    url = await provider.authorization_url(REDIRECT, attempt.state, attempt.nonce, attempt.verifier)
    if url_edit:
        url = url_edit(url)
    callback = await op.login(url, login)
    answer = params(callback)
    assert callback.startswith(REDIRECT + "?")
    assert answer["state"] == (params(url)["state"])
    return answer["code"], attempt


# ---------------------------------------------------------------------------------------------- configuration


def test_configuration_names_the_missing_or_stray_key():
    base = {
        "OAUTH_PROVIDERS": "google, github,acme",
        "OAUTH_GOOGLE_CLIENT_ID": "g",
        "OAUTH_GOOGLE_CLIENT_SECRET": "gs",
        "OAUTH_GITHUB_CLIENT_ID": "h",
        "OAUTH_GITHUB_CLIENT_SECRET": "hs",
        "OAUTH_ACME_CLIENT_ID": "a",
        "OAUTH_ACME_CLIENT_SECRET": "as",
        "OAUTH_ACME_ISSUER": "https://id.acme.test/",
    }
    google, gh, acme = parse_providers(base)
    assert (google.kind, google.issuer, google.name, google.scopes) == (
        "oidc",
        "https://accounts.google.com",
        "Google",
        "openid email profile",
    )
    assert (gh.kind, gh.name, gh.github_url, gh.github_api_url) == (
        "github",
        "GitHub",
        "https://github.com",
        "https://api.github.com",
    )
    assert (acme.issuer, acme.name) == ("https://id.acme.test", "Acme")
    assert "as" not in repr(acme), "the client secret stays out of reprs and logs"
    assert parse_providers({}) == ()

    cases = {
        "OAUTH_ACME_CLIENT_SECRET": {**base, "OAUTH_ACME_CLIENT_SECRET": " "},
        "OAUTH_GOOGLE_CLIENT_ID": {**base, "OAUTH_GOOGLE_CLIENT_ID": ""},
        "OAUTH_ACME_ISSUER": {**base, "OAUTH_ACME_ISSUER": ""},
        "OAUTH_OTHER_CLIENT_ID": {**base, "OAUTH_OTHER_CLIENT_ID": "x"},
        "OAUTH_GITHUB_ISSUER": {**base, "OAUTH_GITHUB_ISSUER": "https://github.com"},
        "OAUTH_PROVIDERS": {**base, "OAUTH_PROVIDERS": "google,Bad-Id"},
        "OAUTH_ACME_ISSUER=": {**base, "OAUTH_ACME_ISSUER": "id.acme.test"},
    }
    for named, env in cases.items():
        with pytest.raises(ConfigError, match=named):
            parse_providers(env)
    with pytest.raises(ConfigError, match="OAUTH_PROVIDERS: 'acme' is listed twice"):
        parse_providers({**base, "OAUTH_PROVIDERS": "acme,google,github,acme"})
    with pytest.raises(ConfigError, match=r"OAUTH_ACME_ISSUER=.*https"):
        parse_providers({**base, "OAUTH_ACME_ISSUER": "http://id.acme.test"}, production=True)
    assert parse_providers({**base, "OAUTH_ACME_ISSUER": "http://127.0.0.1:9"}, production=True)[2].issuer


def test_names_come_from_given_and_family_name_or_are_split_from_name():
    def ident(**kw) -> Identity:
        return Identity("acme", "1", "a@b.c", True, **kw)

    assert (
        ident(given_name="Ada", family_name="King").first_name,
        ident(given_name="Ada", family_name="King").last_name,
    ) == ("Ada", "King")
    assert (
        ident(name="Ludwig  van\u00a0Beethoven").first_name,
        ident(name="Ludwig  van\u00a0Beethoven").last_name,
    ) == ("Ludwig", "van Beethoven")
    assert (ident(name="Plato").first_name, ident(name="Plato").last_name) == ("Plato", "")
    assert (ident(given_name="Cher").first_name, ident(given_name="Cher", name="x y").last_name) == ("Cher", "")
    assert (ident().first_name, ident().last_name) == ("", "")


# ------------------------------------------------------------------------------------------ OpenID Connect


async def test_oidc_authorization_url_and_a_full_sign_in(op, providers, acme):
    provider = providers.get("acme")
    assert isinstance(provider, OidcProvider) and provider.metadata["issuer"] == op.issuer
    op.set_account(
        "ada",
        given_name="Ada",
        family_name="Lovelace",
        email="Ada@Example.com",
        email_verified=True,
        name="Augusta Ada King",
    )
    attempt = Attempt()
    url = await provider.authorization_url(REDIRECT, attempt.state, attempt.nonce, attempt.verifier)
    sent = params(url)
    assert url.startswith(op.issuer + "/auth?")
    assert sent == {
        "response_type": "code",
        "client_id": acme.client_id,
        "redirect_uri": REDIRECT,
        "scope": "openid email profile",
        "state": attempt.state,
        "nonce": attempt.nonce,
        "code_challenge": challenge_of(attempt.verifier),
        "code_challenge_method": "S256",
    }
    assert attempt.verifier not in url

    code, _ = await signed_in(op, provider, "ada", attempt)
    identity = await provider.exchange(code, REDIRECT, attempt.verifier, attempt.nonce)
    assert identity == Identity(
        provider_id="acme",
        subject="ada",
        email="Ada@Example.com",
        email_verified=True,
        given_name="Ada",
        family_name="Lovelace",
        name="Augusta Ada King",
        image=None,
    )

    op.set_account("bob", name="Bob  de Vries", email="bob@example.com", email_verified=False)
    code, attempt = await signed_in(op, provider, "bob")
    bob = await provider.exchange(code, REDIRECT, attempt.verifier, attempt.nonce)
    assert (bob.first_name, bob.last_name, bob.email_verified) == ("Bob", "de Vries", False)


async def test_a_replayed_code_and_a_wrong_pkce_verifier_are_refused_by_the_provider(op, providers):
    provider = providers.get("acme")
    code, attempt = await signed_in(op, provider, "carol")
    with pytest.raises(ProviderError) as wrong:
        await provider.exchange(code, REDIRECT, Attempt().verifier, attempt.nonce)
    assert wrong.value.reason == REJECTED and "invalid_grant" in wrong.value.detail
    assert wrong.value.message == "Acme ID did not accept the sign-in. Please start again."

    code, attempt = await signed_in(op, provider, "carol")
    await provider.exchange(code, REDIRECT, attempt.verifier, attempt.nonce)
    with pytest.raises(ProviderError) as replay:
        await provider.exchange(code, REDIRECT, attempt.verifier, attempt.nonce)
    assert replay.value.reason == REJECTED and "invalid_grant" in replay.value.detail

    # an attacker who swaps the code_challenge in the URL cannot redeem the code with our verifier
    code, attempt = await signed_in(
        op, provider, "carol", url_edit=lambda u: u.replace(params(u)["code_challenge"], challenge_of("attacker" * 6))
    )
    with pytest.raises(ProviderError) as swapped:
        await provider.exchange(code, REDIRECT, attempt.verifier, attempt.nonce)
    assert swapped.value.reason == REJECTED


async def test_a_nonce_changed_in_the_url_fails_the_id_token_check(op, providers):
    provider = providers.get("acme")
    code, attempt = await signed_in(
        op, provider, "dave", url_edit=lambda u: u.replace(params(u)["nonce"], "attacker-nonce")
    )
    with pytest.raises(ProviderError) as error:
        await provider.exchange(code, REDIRECT, attempt.verifier, attempt.nonce)
    assert error.value.reason == INVALID_TOKEN and "nonce" in error.value.detail
    assert error.value.message == "The answer from Acme ID could not be verified. Please start again."


@pytest.mark.parametrize(
    "forgery, claim",
    [
        ({"iss": "http://127.0.0.1:9/another-issuer"}, "iss"),
        ({"aud": "another-client"}, "aud"),
        ({"aud": ["another-client", "a-third"]}, "aud"),
        ({"nonce": "not-the-nonce"}, "nonce"),
        ({"exp": int(time.time()) - 3600}, "exp"),
        ({"foreign_key": True}, "signature"),
    ],
)
async def test_a_forged_id_token_is_refused(op, providers, forgery, claim):
    provider = providers.get("acme")
    code, attempt = await signed_in(op, provider, "eve")
    op.tamper_next_token(**forgery)
    with pytest.raises(ProviderError) as error:
        await provider.exchange(code, REDIRECT, attempt.verifier, attempt.nonce)
    assert error.value.reason == INVALID_TOKEN
    assert claim in error.value.detail.lower() or (claim == "signature" and "BadSignatureError" in error.value.detail)


async def test_the_untampered_forgery_path_still_verifies(op, providers):
    """The tamper hook re-signs with the provider's own key: with nothing changed, the token must pass (so the
    failures above are the claims', not the hook's)."""
    provider = providers.get("acme")
    code, attempt = await signed_in(op, provider, "frank")
    op.tamper_next_token(sub="frank")
    identity = await provider.exchange(code, REDIRECT, attempt.verifier, attempt.nonce)
    assert identity.subject == "frank"


async def test_token_endpoint_down_is_unavailable(op, providers):
    provider = providers.get("acme")
    code, attempt = await signed_in(op, provider, "gina")
    op.tamper_next_token(status=503)
    with pytest.raises(ProviderError) as error:
        await provider.exchange(code, REDIRECT, attempt.verifier, attempt.nonce)
    assert error.value.reason == UNAVAILABLE
    assert error.value.message == "Acme ID could not be reached. Please try again in a moment."


async def test_discovery_failure_is_logged_retried_and_spares_the_other_providers(op, acme, caplog):
    port = free_port()
    down = ProviderConfig("down", "Down ID", "oidc", "c", "s", issuer=f"http://127.0.0.1:{port}")
    registry = Providers([down, acme], retry_base=0.05, retry_max=0.2)
    caplog.set_level(logging.WARNING, logger="chatbot_agent.auth.methods.oauth.providers")
    await registry.start()
    try:
        await registry.wait_first_attempts(15)
        assert registry.get("acme").metadata is not None
        assert registry.get("down").metadata is None
        for _ in range(100):  # retried with backoff
            if sum("'down': OpenID Connect discovery failed" in r.getMessage() for r in caplog.records) >= 3:
                break
            await asyncio.sleep(0.05)
        messages = [r.getMessage() for r in caplog.records if "'down'" in r.getMessage()]
        assert len(messages) >= 3 and "attempt 3" in messages[2]
        assert f"127.0.0.1:{port}/.well-known/openid-configuration" in messages[0]
        assert "other providers are not affected" in messages[0]
        with pytest.raises(ProviderError) as error:
            await registry.get("down").authorization_url(REDIRECT, "s", "n", "v" * 43)
        assert error.value.reason == UNAVAILABLE and error.value.message.startswith("Down ID could not be reached")
        assert await registry.get("acme").authorization_url(REDIRECT, "s", "n", "v" * 43)
    finally:
        await registry.stop()


async def test_discovery_refuses_a_document_for_another_issuer(op):
    """OpenID Connect Discovery §4.3: the document's issuer must be the configured one exactly. Here a server
    serves the real provider's document (issuer: the real provider) under another issuer URL."""
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    async def document(request):
        import httpx

        async with httpx.AsyncClient() as client:
            real = await client.get(op.issuer + "/.well-known/openid-configuration")
        return Response(real.content, media_type="application/json")

    with serving(Starlette(routes=[Route("/.well-known/openid-configuration", document)])) as url:
        registry = Providers([ProviderConfig("mixup", "Mix-up", "oidc", "c", "s", issuer=url)])
        try:
            with pytest.raises(ProviderError) as error:
                await registry.get("mixup").ready()
            assert error.value.reason == UNAVAILABLE
            assert f"issuer '{op.issuer}' is not the configured '{url}'" in error.value.detail
        finally:
            await registry.stop()


# ----------------------------------------------------------------------------------------------------- GitHub


def github_provider(standin) -> ProviderConfig:
    return parse_providers(
        {
            "OAUTH_PROVIDERS": "github",
            "OAUTH_GITHUB_CLIENT_ID": standin.client_id,
            "OAUTH_GITHUB_CLIENT_SECRET": standin.client_secret,
            "OAUTH_GITHUB_URL": standin.url,
            "OAUTH_GITHUB_API_URL": standin.url,
        }
    )[0]


async def github_login(standin, url: str, login: str, decision: str = "allow") -> dict[str, str]:
    import httpx

    async with httpx.AsyncClient() as browser:
        page = await browser.get(url)
        assert page.status_code == 200 and "Sign in to GitHub" in page.text
        answer = await browser.post(
            standin.url + "/login/oauth/authorize", data={**params(url), "login": login, "decision": decision}
        )
        assert answer.status_code == 302
        location = answer.headers["location"]
        assert location.startswith(GH_REDIRECT + "?")
        return params(location)


async def test_github_flow_uses_the_primary_verified_email(github):
    registry = Providers([github_provider(github)])
    provider = registry.get("github")
    assert isinstance(provider, GitHubProvider)
    try:
        octo = github.add_user(
            "octocat",
            name="Mona  Lisa Octocat",
            emails=[
                {"email": "old@work.example", "primary": False, "verified": True, "visibility": None},
                {"email": "mona@example.com", "primary": True, "verified": True, "visibility": "private"},
            ],
        )
        attempt = Attempt()
        url = await provider.authorization_url(GH_REDIRECT, attempt.state, attempt.nonce, attempt.verifier)
        sent = params(url)
        assert url.startswith(github.url + "/login/oauth/authorize?")
        assert sent["scope"] == "read:user user:email" and sent["state"] == attempt.state
        assert sent["code_challenge"] == challenge_of(attempt.verifier) and sent["code_challenge_method"] == "S256"
        assert sent["client_id"] == github.client_id and sent["redirect_uri"] == GH_REDIRECT
        answer = await github_login(github, url, "octocat")
        assert answer["state"] == attempt.state
        identity = await provider.exchange(answer["code"], GH_REDIRECT, attempt.verifier, attempt.nonce)
        assert identity == Identity(
            provider_id="github",
            subject=str(octo.id),
            email="mona@example.com",
            email_verified=True,
            name="Mona Lisa Octocat",
            image=f"{github.url}/avatars/{octo.id}",
        )
        assert (identity.first_name, identity.last_name) == ("Mona", "Lisa Octocat")
        assert github.token_requests[-1]["client_secret"] == github.client_secret  # client_secret_post, as GitHub wants

        # a user without a display name is called by their login
        github.add_user("nameless")
        attempt = Attempt()
        answer = await github_login(
            github, await provider.authorization_url(GH_REDIRECT, attempt.state, "", attempt.verifier), "nameless"
        )
        nameless = await provider.exchange(answer["code"], GH_REDIRECT, attempt.verifier, "")
        assert (nameless.first_name, nameless.last_name, nameless.email) == ("nameless", "", "nameless@users.example")

        # the code is single use; a wrong verifier is refused (GitHub answers errors with HTTP 200)
        with pytest.raises(ProviderError) as replay:
            await provider.exchange(answer["code"], GH_REDIRECT, attempt.verifier, "")
        assert replay.value.reason == REJECTED and "bad_verification_code" in replay.value.detail
        attempt = Attempt()
        answer = await github_login(
            github, await provider.authorization_url(GH_REDIRECT, attempt.state, "", attempt.verifier), "nameless"
        )
        with pytest.raises(ProviderError) as wrong:
            await provider.exchange(answer["code"], GH_REDIRECT, Attempt().verifier, "")
        assert wrong.value.reason == REJECTED
    finally:
        await registry.stop()


@pytest.mark.parametrize(
    "emails",
    [
        [
            {"email": "x@example.com", "primary": True, "verified": False, "visibility": "public"},
            {"email": "y@example.com", "primary": False, "verified": True, "visibility": None},
        ],
        [{"email": "y@example.com", "primary": False, "verified": True, "visibility": None}],
        [],
    ],
)
async def test_github_without_a_primary_verified_email_is_refused(github, emails):
    registry = Providers([github_provider(github)])
    provider = registry.get("github")
    try:
        login = "u" + secrets.token_hex(4)
        github.add_user(login, name="Unverified", emails=emails)
        attempt = Attempt()
        answer = await github_login(
            github, await provider.authorization_url(GH_REDIRECT, attempt.state, "", attempt.verifier), login
        )
        with pytest.raises(ProviderError) as error:
            await provider.exchange(answer["code"], GH_REDIRECT, attempt.verifier, "")
        assert error.value.reason == NO_EMAIL and "verified primary email" in error.value.message
    finally:
        await registry.stop()


async def test_github_unreachable_is_unavailable(github):
    config = github_provider(github)
    dead = f"http://127.0.0.1:{free_port()}"
    registry = Providers(
        [
            ProviderConfig(
                "github",
                "GitHub",
                "github",
                config.client_id,
                config.client_secret,
                github_url=dead,
                github_api_url=dead,
            )
        ]
    )
    try:
        with pytest.raises(ProviderError) as error:
            await registry.get("github").exchange("code", GH_REDIRECT, "v" * 43, "")
        assert error.value.reason == UNAVAILABLE
    finally:
        await registry.stop()
