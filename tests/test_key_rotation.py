"""Signing-key rotation without signing anyone out: JWT_PREVIOUS_KEYS holds keys that never sign but verify and are
published in the JWKS by `kid`, so a token signed before the rotation verifies until it expires — on this service and
for any service that verifies with the JWKS. Walks the README's rotation steps with instances on one database."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from chatbot_agent.auth.core.tokens import AccessTokens, generate_private_key, load_private_key, public_jwk
from chatbot_agent.config import ConfigError

from .support import ME, SIGN_IN, SIGN_UP, make_settings, running_app, sign_up_input

OLD, NEW = generate_private_key(), generate_private_key()
KID_OLD, KID_NEW = (public_jwk(load_private_key(k).public_key())["kid"] for k in (OLD, NEW))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def tokens(key: str, previous: tuple[str, ...] = (), ttl: int = 900) -> AccessTokens:
    return AccessTokens(
        key, issuer="http://auth.test", audience="chatbot-agent", ttl_seconds=ttl, previous_keys=previous
    )


def kids(jwks: dict) -> list[str]:
    return [k["kid"] for k in jwks["keys"]]


def verify_with_jwks(jwks: dict, token: str) -> dict:
    """What another service does: pick the JWKS key named by the token's kid, check the signature and claims."""
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token)["kid"]]
    return jwt.decode(token, key.key, algorithms=["EdDSA"], audience="chatbot-agent")


def test_a_previous_key_verifies_and_is_published_but_never_signs():
    before = tokens(OLD)
    token, _ = before.issue("user-1", "session-1")
    after = tokens(NEW, previous=(OLD,))
    assert kids(after.jwks()) == [KID_NEW, KID_OLD]  # the signing key first
    assert after.verify(token).user_id == "user-1"
    fresh, _ = after.issue("user-1", "session-2")
    assert jwt.get_unverified_header(fresh)["kid"] == KID_NEW
    for t in (token, fresh):
        assert verify_with_jwks(after.jwks(), t)["sub"] == "user-1"
    # Once the old key is dropped, its tokens no longer verify.
    assert tokens(NEW).verify(token) is None


def test_a_token_of_a_previous_key_stops_verifying_when_it_expires():
    issued_long_ago = datetime.now(UTC) - timedelta(minutes=20)
    expired, _ = tokens(OLD, ttl=900).issue("user-1", "session-1", now=issued_long_ago)
    assert tokens(NEW, previous=(OLD,)).verify(expired) is None


def test_the_kid_must_name_the_key_that_signed():
    forged_kid = jwt.encode(
        {
            "sub": "user-1",
            "iss": "http://auth.test",
            "aud": "chatbot-agent",
            "exp": int((datetime.now(UTC) + timedelta(minutes=5)).timestamp()),
        },
        load_private_key(generate_private_key()),
        algorithm="EdDSA",
        headers={"kid": KID_OLD},
    )
    assert tokens(NEW, previous=(OLD,)).verify(forged_kid) is None  # signed by a stranger's key under OLD's kid
    no_kid = jwt.encode(
        {
            "sub": "user-1",
            "iss": "http://auth.test",
            "aud": "chatbot-agent",
            "exp": int((datetime.now(UTC) + timedelta(minutes=5)).timestamp()),
        },
        load_private_key(OLD),
        algorithm="EdDSA",
    )
    assert tokens(NEW, previous=(OLD,)).verify(no_kid) is None
    header, _, rest = no_kid.partition(".")
    odd_kid = _b64url(json.dumps({"alg": "EdDSA", "typ": "JWT", "kid": [KID_OLD]}).encode()) + "." + rest
    assert tokens(NEW, previous=(OLD,)).verify(odd_kid) is None  # a kid that is not a string: refused, no crash


def test_jwt_previous_keys_is_a_comma_separated_list_checked_at_start_up(tmp_path):
    from chatbot_agent.config import load_settings

    base = {"APP_ENV": "test", "DATA_DIR": str(tmp_path), "SESSION_SECRET": "s" * 43, "JWT_PRIVATE_KEY": NEW}
    settings = load_settings({**base, "JWT_PREVIOUS_KEYS": f" {OLD} ,, {NEW}"}, env_file=None)
    assert settings.jwt_previous_keys == (OLD, NEW)
    assert OLD not in repr(settings)  # private keys stay out of logs
    with pytest.raises(ConfigError) as refused:
        load_settings({**base, "JWT_PREVIOUS_KEYS": f"{OLD},not-a-key-but-secret"}, env_file=None)
    assert "JWT_PREVIOUS_KEYS (key 2 of 2) is not valid" in str(refused.value)
    assert "not-a-key-but-secret" not in str(refused.value)


async def _bearer_me(api, token: str) -> dict | None:
    return (await api(ME, headers={"Authorization": f"Bearer {token}"}))["me"]


@pytest.mark.asyncio(loop_scope="session")
async def test_rolling_rotation_across_instances_signs_nobody_out(database_url, tmp_path):
    """The README's steps, each instance an app on the shared database: 0 old key; 1 the next key published
    (JWT_PREVIOUS_KEYS=NEW); 2 switched (JWT_PRIVATE_KEY=NEW, JWT_PREVIOUS_KEYS=OLD); 3 the old key dropped."""
    settings = lambda key, previous=(): make_settings(
        database_url, tmp_path, jwt_private_key=key, jwt_previous_keys=previous
    )
    email, password = "rotation@example.com", "correct horse battery staple"
    async with (
        running_app(settings(OLD)) as (_, step0),
        running_app(settings(OLD, (NEW,))) as (_, step1),
        running_app(settings(NEW, (OLD,))) as (_, step2),
        running_app(settings(NEW)) as (_, step3),
    ):
        before = (await step0(SIGN_UP, sign_up_input(email, password)))["signUp"]
        old_token = before["accessToken"]
        assert jwt.get_unverified_header(old_token)["kid"] == KID_OLD

        jwks1 = (await step1.http.get("/.well-known/jwks.json")).json()
        assert kids(jwks1) == [KID_OLD, KID_NEW]  # step 1: consumers learn the next key before anything uses it

        after = (await step2(SIGN_IN, {"input": {"email": email, "password": password}}))["signIn"]
        new_token = after["accessToken"]
        assert jwt.get_unverified_header(new_token)["kid"] == KID_NEW
        jwks2 = (await step2.http.get("/.well-known/jwks.json")).json()
        assert kids(jwks2) == [KID_NEW, KID_OLD]

        # Mid-rollout both kinds of instance accept both tokens, and so does a service holding either JWKS.
        for api in (step1, step2):
            assert (await _bearer_me(api, old_token))["email"] == email
            assert (await _bearer_me(api, new_token))["email"] == email
        for jwks in (jwks1, jwks2):
            assert verify_with_jwks(jwks, old_token)["sub"] == verify_with_jwks(jwks, new_token)["sub"]

        # Step 3, after ACCESS_TOKEN_TTL_SECONDS: the old key is gone; its tokens (expired by then) are refused.
        assert kids((await step3.http.get("/.well-known/jwks.json")).json()) == [KID_NEW]
        assert await _bearer_me(step3, old_token) is None
        assert (await _bearer_me(step3, new_token))["email"] == email
