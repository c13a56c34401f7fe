"""chatbot_agent.guard, as another service uses it: our auth service live under uvicorn, the example chatbot API
(examples/chatbot_api, FastAPI) in its own uvicorn process, everything over real HTTP. Bearer tokens are checked
locally against the JWKS; session cookies are checked by the service, so a sign-out is seen at once."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from chatbot_agent.auth.core.tokens import AccessTokens, generate_private_key, load_private_key
from chatbot_agent.guard import AuthGuard, AuthUser, current_user, optional_user
from fastapi import Depends, FastAPI
from starlette.applications import Starlette
from starlette.authentication import requires
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .support import (
    JWT_KEY,
    ROOT,
    SIGN_IN,
    SIGN_OUT,
    SIGN_UP,
    free_port,
    live_server,
    make_settings,
    sign_up_input,
)

AUDIENCE = "chatbot-agent"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def auth_service(database_url, smtp_server, tmp_path_factory):
    """Our service under uvicorn; its PUBLIC_URL (hence the tokens' issuer) is its own address."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = make_settings(
        database_url, tmp_path_factory.mktemp("guard"), smtp_url=smtp_server.url, port=port, public_url=url
    )
    with live_server(settings) as server:
        yield server


@pytest.fixture(scope="module")
def chatbot(auth_service, tmp_path_factory):
    """The example chatbot API in its own process (uvicorn), pointed at the auth service."""
    port, log = free_port(), tmp_path_factory.mktemp("chatbot") / "uvicorn.log"
    env = {
        **os.environ,
        "AUTH_URL": auth_service.url,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "chatbot-agent"), os.environ.get("PYTHONPATH")])),
    }
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "app:app",
        "--app-dir",
        str(ROOT / "examples" / "chatbot_api"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    url = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the example did not start: {log.read_text()}")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


class Person:
    """A user of the auth service with a browser-like client (its own cookie jar)."""

    def __init__(self, auth_url: str, first: str = "Ada") -> None:
        self.auth_url, self.email = auth_url, f"guard-{secrets.token_hex(4)}@example.com"
        self.http = httpx.Client(base_url=auth_url, timeout=10)
        data = self.graphql(SIGN_UP, sign_up_input(self.email, PASSWORD, first=first))["signUp"]
        assert data["__typename"] == "AuthSuccess", data
        self.user_id, self.token = data["user"]["id"], data["accessToken"]

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        response = self.http.post("/graphql", json={"query": query, "variables": variables or {}})
        assert response.status_code == 200 and not response.json().get("errors"), response.text
        return response.json()["data"]

    @property
    def cookie(self) -> str:
        value = self.http.cookies.get("chatbot_session")
        assert value, "signed in: the service set the session cookie"
        return f"chatbot_session={value}"

    def sign_in(self) -> str:
        data = self.graphql(SIGN_IN, {"input": {"email": self.email, "password": PASSWORD}})["signIn"]
        assert data["__typename"] == "AuthSuccess", data
        return data["accessToken"]

    def sign_out(self) -> None:
        cookie = self.cookie
        assert self.graphql(SIGN_OUT)["signOut"] is True
        self.http.cookies.clear()
        self.old_cookie = cookie


def chat(url: str, **headers: str) -> httpx.Response:
    return httpx.post(f"{url}/chat", json={"message": "hello"}, headers=headers, timeout=10)


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_chat_answers_the_caller_by_first_name_by_bearer_token_and_by_session_cookie(auth_service, chatbot):
    grace = Person(auth_service.url, first="Grace")

    by_token = chat(chatbot, **bearer(grace.token))
    assert by_token.status_code == 200, by_token.text
    assert by_token.json() == {"reply": "Hello Grace! You said: hello", "user_id": grace.user_id, "via": "bearer"}

    by_cookie = chat(chatbot, cookie=grace.cookie)
    assert by_cookie.status_code == 200, by_cookie.text
    assert by_cookie.json()["reply"].startswith("Hello Grace!") and by_cookie.json()["via"] == "cookie"

    # Sign-out revokes the session: the cookie is refused at once (the guard asks the service every time), and so
    # is the bearer token here, because the example asks the service for the name.
    grace.sign_out()
    assert chat(chatbot, cookie=grace.old_cookie).status_code == 401
    assert chat(chatbot, **bearer(grace.token)).status_code == 401


def test_chat_refuses_callers_without_a_valid_credential(auth_service, chatbot):
    ada = Person(auth_service.url)
    service_tokens = AccessTokens(JWT_KEY, issuer=auth_service.url, audience=AUDIENCE, ttl_seconds=900)
    past = datetime.now(UTC) - timedelta(hours=1)
    claims = {"iss": auth_service.url, "aud": AUDIENCE, "sub": ada.user_id, "sid": "s", "exp": int(time.time()) + 600}
    foreign_key = load_private_key(generate_private_key())
    refused = {
        "expired (the service's own key)": service_tokens.issue(ada.user_id, "s", now=past)[0],
        "a foreign key with its own kid": AccessTokens(
            generate_private_key(), issuer=auth_service.url, audience=AUDIENCE, ttl_seconds=900
        ).issue(ada.user_id, "s")[0],
        "a foreign key under the service's kid": jwt.encode(
            claims, foreign_key, algorithm="EdDSA", headers={"kid": service_tokens.kid}
        ),
        "another audience": AccessTokens(
            JWT_KEY, issuer=auth_service.url, audience="another-api", ttl_seconds=900
        ).issue(ada.user_id, "s")[0],
        "another issuer": AccessTokens(
            JWT_KEY, issuer="https://evil.example", audience=AUDIENCE, ttl_seconds=900
        ).issue(ada.user_id, "s")[0],
        "alg none": jwt.encode(claims, None, algorithm="none", headers={"kid": service_tokens.kid}),
        "HS256 keyed with the public key": jwt.encode(
            claims,
            service_tokens.jwks()["keys"][0]["x"].encode(),
            algorithm="HS256",
            headers={"kid": service_tokens.kid},
        ),
        "no kid": jwt.encode(claims, load_private_key(JWT_KEY), algorithm="EdDSA"),
        "garbage": "not-a-jwt",
    }

    anonymous = chat(chatbot)
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    for name, token in refused.items():
        assert chat(chatbot, **bearer(token)).status_code == 401, name
    # The example also asks the service (for the name); a guard that does not is refused them locally, by the JWKS.
    local = AuthGuard(auth_service.url)
    for name, token in refused.items():
        assert asyncio.run(local.verify_access_token(token)) is None, name
    assert asyncio.run(local.verify_access_token(ada.token)).id == ada.user_id
    assert chat(chatbot, cookie="chatbot_session=forged.value").status_code == 401
    assert chat(chatbot, cookie=f"other={ada.cookie.split('=', 1)[1]}").status_code == 401  # not our cookie name
    # The same user with real credentials gets in: the refusals above are about the credentials.
    assert chat(chatbot, **bearer(ada.token)).status_code == 200
    assert chat(chatbot, cookie=ada.cookie).status_code == 200


def test_a_cookie_on_a_post_from_a_foreign_origin_is_not_used(auth_service, chatbot):
    ada = Person(auth_service.url)
    assert chat(chatbot, cookie=ada.cookie, origin="https://evil.example").status_code == 401
    assert chat(chatbot, cookie=ada.cookie, origin="null").status_code == 401
    assert chat(chatbot, cookie=ada.cookie, origin=chatbot).status_code == 200  # the page of the chatbot itself
    # A bearer token is not sent by browsers on their own: the Origin does not matter.
    assert chat(chatbot, origin="https://elsewhere.example", **bearer(ada.token)).status_code == 200


def whoami_app(guard: AuthGuard) -> Starlette:
    """A Starlette app protected with the guard as AuthenticationMiddleware backend."""

    @requires("authenticated", status_code=401)
    async def whoami(request: Request) -> JSONResponse:
        return JSONResponse({"id": request.user.id, "via": request.user.via, "first_name": request.user.first_name})

    return Starlette(routes=[Route("/whoami", whoami)], middleware=[guard.middleware()])


async def test_starlette_backend_a_bearer_token_outlives_sign_out_unless_check_revocation(auth_service):
    ada = Person(auth_service.url)
    local, strict = AuthGuard(auth_service.url), AuthGuard(auth_service.url, check_revocation=True)
    clients = {
        g: httpx.AsyncClient(transport=httpx.ASGITransport(app=whoami_app(g)), base_url="http://chatbot.test")
        for g in (local, strict)
    }
    try:
        for guard, client in clients.items():
            assert (await client.get("/whoami")).status_code == 401
            ok = await client.get("/whoami", headers=bearer(ada.token))
            assert ok.status_code == 200 and ok.json()["id"] == ada.user_id and ok.json()["via"] == "bearer"
            # Verified locally: no name; asked the service: the name came along.
            assert ok.json()["first_name"] == ("Ada" if guard is strict else None)
            by_cookie = await client.get("/whoami", headers={"cookie": ada.cookie})
            assert by_cookie.json() == {"id": ada.user_id, "via": "cookie", "first_name": "Ada"}

        ada.sign_out()
        # The documented trade-off: a bearer token checked locally stays valid until it expires (15 minutes) ...
        assert (await clients[local].get("/whoami", headers=bearer(ada.token))).status_code == 200
        # ... while check_revocation asks the service, which knows the session is gone; cookies always do.
        assert (await clients[strict].get("/whoami", headers=bearer(ada.token))).status_code == 401
        for client in clients.values():
            assert (await client.get("/whoami", headers={"cookie": ada.old_cookie})).status_code == 401
    finally:
        for guard, client in clients.items():
            await client.aclose()
            await guard.aclose()


async def test_jwks_is_cached_refetched_for_an_unknown_kid_and_rate_limited(database_url, smtp_server, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    first_key, second_key = generate_private_key(), generate_private_key()

    def service(key: str):
        return live_server(
            make_settings(
                database_url, tmp_path, smtp_url=smtp_server.url, port=port, public_url=url, jwt_private_key=key
            )
        )

    foreign = AccessTokens(generate_private_key(), issuer=url, audience=AUDIENCE, ttl_seconds=900)
    eager, cautious = AuthGuard(url, jwks_cooldown=0), AuthGuard(url)  # cautious: the default 30 s cooldown
    with service(first_key):
        ada = Person(url)
        old_token = ada.token
        for _ in range(3):
            assert (await eager.verify_access_token(old_token)).id == ada.user_id
            assert (await cautious.verify_access_token(old_token)).id == ada.user_id
        assert eager.jwks.fetches == cautious.jwks.fetches == 1  # fetched once, then served from the cache

        for _ in range(5):  # forged kids: the cautious guard does not refetch within its cooldown
            assert await cautious.verify_access_token(foreign.issue(ada.user_id, "s")[0]) is None
        assert cautious.jwks.fetches == 1
        assert await eager.verify_access_token(foreign.issue(ada.user_id, "s")[0]) is None
        assert eager.jwks.fetches == 2  # no cooldown: an unknown kid refetches

    with service(second_key):  # the key rotated: new tokens name a new kid
        new_token = ada.sign_in()
        fetches = eager.jwks.fetches
        assert (await eager.verify_access_token(new_token)).id == ada.user_id  # unknown kid → refetched → valid
        assert eager.jwks.fetches == fetches + 1
        assert await eager.verify_access_token(old_token) is None  # the retired key is no longer trusted
    await eager.aclose()
    await cautious.aclose()


async def test_an_unreachable_auth_service_means_503_never_a_pass(auth_service):
    ada = Person(auth_service.url)
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    app = FastAPI()
    app.state.auth_guard = AuthGuard(closed, issuer=auth_service.url, timeout=2)

    @app.get("/me")
    async def me(user: AuthUser = Depends(current_user)) -> dict:
        return {"id": user.id}

    @app.get("/maybe")
    async def maybe(user: AuthUser | None = Depends(optional_user)) -> dict:
        return {"id": user.id if user else None}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://chatbot.test") as client:
        assert (await client.get("/me")).status_code == 401  # no credential: nothing to ask
        assert (await client.get("/maybe")).json() == {"id": None}
        assert (await client.get("/me", headers=bearer(ada.token))).status_code == 503
        assert (await client.get("/me", headers={"cookie": ada.cookie})).status_code == 503
        assert (await client.get("/maybe", headers={"cookie": ada.cookie})).status_code == 503

    # The same module-level dependencies against the live service.
    app.state.auth_guard = AuthGuard(auth_service.url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://chatbot.test") as client:
        assert (await client.get("/me", headers=bearer(ada.token))).json() == {"id": ada.user_id}
        assert (await client.get("/maybe", headers={"cookie": ada.cookie})).json() == {"id": ada.user_id}
    await app.state.auth_guard.aclose()


def test_the_guard_imports_without_fastapi_and_without_the_service_internals():
    code = (
        "import sys; sys.modules['fastapi'] = None\n"
        "import chatbot_agent.guard\n"
        "print(sorted(m for m in sys.modules if m.startswith('chatbot_agent')))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "chatbot-agent")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['chatbot_agent', 'chatbot_agent.guard']"
