"""Test helpers shared by the suites: settings, a GraphQL client, an SMTP receiver, a live uvicorn server."""

from __future__ import annotations

import asyncio
import contextlib
import html
import re
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import uvicorn
from aiosmtpd.controller import Controller
from chatbot_agent.app import create_app
from chatbot_agent.auth.methods import migration_sources
from chatbot_agent.config import Settings, load_settings
from chatbot_agent.db import migrate
from chatbot_agent.keys import generate_private_key, generate_secret_key

ROOT = Path(__file__).resolve().parents[1]
SESSION_SECRET = "test-session-secret-0123456789abcdefghijklmnopqrstuvwxyz"
JWT_KEY = generate_private_key()
SECRETS_KEY = generate_secret_key()
BASE_URL = "http://testserver"


def make_settings(database_url: str, tmp: Path, **overrides: Any) -> Settings:
    """Test settings: no .env read, fixed secrets, cheap argon2 (still argon2id), rate limits off and no verification
    mails at sign-up (EMAIL_VERIFICATION=off: each mail a test counts is one it asked for) unless asked."""
    values: dict[str, Any] = dict(
        app_env="test",
        database_url=database_url,
        data_dir=tmp,
        frontend_dist=None,
        session_secret=SESSION_SECRET,
        jwt_private_key=JWT_KEY,
        secrets_encryption_key=SECRETS_KEY,
        public_url="http://localhost:8000",
        argon2_memory_kib=1024,
        argon2_time_cost=1,
        rate_limit_enabled=False,
        email_verification="off",
        db_connect_retries=0,
        db_connect_timeout=3.0,
    )
    values.update(overrides)
    return load_settings(env={}, env_file=None, **values)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------------- databases


class Databases:
    def __init__(self, server) -> None:
        self.server = server

    def dsn(self, name: str) -> str:
        return self.server.get_uri(name)

    @staticmethod
    def name_of(dsn: str) -> str:
        return urlsplit(dsn).path.lstrip("/")

    async def create(self, prefix: str = "t", *, migrated: bool = True) -> str:
        name = f"{prefix}_{secrets.token_hex(4)}".lower()
        admin = await asyncpg.connect(self.dsn("postgres"))
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        dsn = self.dsn(name)
        if migrated:
            conn = await asyncpg.connect(dsn)
            try:
                await migrate.migrate(conn, migration_sources())
            finally:
                await conn.close()
        return dsn


# ------------------------------------------------------------------------------------------------ GraphQL client


class GraphQLError(AssertionError):
    pass


@dataclass
class Api:
    """A GraphQL client over real HTTP (httpx) with its own cookie jar."""

    http: httpx.AsyncClient

    async def post(self, query: str, variables: dict | None = None, **kw) -> httpx.Response:
        return await self.http.post("/graphql", json={"query": query, "variables": variables or {}}, **kw)

    async def __call__(self, query: str, variables: dict | None = None, **kw) -> dict:
        response = await self.post(query, variables, **kw)
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise GraphQLError(f"{response.status_code}: {body}")
        return body["data"]


SIGN_UP = """mutation($input: SignUpInput!) { signUp(input: $input) {
  __typename ... on AuthSuccess { accessToken accessTokenExpiresAt user { id firstName lastName email emailVerified createdAt } }
  ... on AuthError { code message field retryAfterSeconds } } }"""
SIGN_IN = """mutation($input: SignInInput!) { signIn(input: $input) {
  __typename ... on AuthSuccess { accessToken accessTokenExpiresAt user { id firstName lastName email } }
  ... on AuthError { code message field retryAfterSeconds } } }"""
SIGN_OUT = "mutation { signOut }"
ME = "{ me { id firstName lastName email emailVerified createdAt } }"
REQUEST_RESET = """mutation($email: String!) { requestPasswordReset(input: {email: $email}) {
  __typename ... on RequestPasswordResetSuccess { message } ... on AuthError { code message field retryAfterSeconds } } }"""
RESET = """mutation($token: String!, $password: String!) { resetPassword(input: {token: $token, newPassword: $password}) {
  __typename ... on ResetPasswordSuccess { message } ... on AuthError { code message field } } }"""
REFRESH = """mutation { refreshAccessToken { __typename ... on AuthSuccess { accessToken user { id } }
  ... on AuthError { code message } } }"""


def sign_up_input(
    email: str, password: str = "correct horse battery staple", first: str = "Ada", last: str = "Lovelace"
) -> dict:
    return {"input": {"firstName": first, "lastName": last, "email": email, "password": password}}


@contextlib.asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[tuple[Any, Api]]:
    """The ASGI app with its lifespan running, and an Api client speaking HTTP to it in-process."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as http:
            yield app, Api(http)


def new_client(app) -> Api:
    """Another browser: a fresh cookie jar against the same running app."""
    return Api(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL))


# --------------------------------------------------------------------------------------------------- SMTP


@dataclass
class SmtpReceiver:
    """A real SMTP server (aiosmtpd) on loopback that keeps every message it receives."""

    host: str = "127.0.0.1"
    port: int = field(default_factory=free_port)
    messages: list[Message] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}?starttls=false"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        message = message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> SmtpReceiver:
        self._controller = Controller(self, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address.lower() in m["X-Envelope-To"].lower()]

    async def wait_for(self, address: str, count: int = 1, timeout: float = 10.0) -> Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found[count - 1]
            await asyncio.sleep(0.05)
        raise AssertionError(f"no mail #{count} to {address} within {timeout}s")

    def wait_for_sync(self, address: str, count: int = 1, timeout: float = 10.0) -> Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found[count - 1]
            time.sleep(0.05)
        raise AssertionError(f"no mail #{count} to {address} within {timeout}s")


def body_of(message: Message, kind: str = "plain") -> str:
    """The text part of a mail (`kind="html"`: its HTML part)."""
    part = message.get_body((kind,)) if hasattr(message, "get_body") else None
    payload = (part or message).get_payload(decode=True)
    return payload.decode() if isinstance(payload, bytes) else str(payload)


def reset_link(message: Message) -> str:
    match = re.search(r"https?://\S+/reset-password\?token=\S+", body_of(message))
    assert match, "the mail carries a reset link"
    return match.group(0)


def reset_token(message: Message) -> str:
    return reset_link(message).split("token=", 1)[1]


def mailed_link(message: Message, path: str) -> str:
    """The link to `<frontend>/<path>?token=…` in a mail's text part (and, the same, in its HTML part)."""
    match = re.search(rf"https?://[^\s\"<>]+/{path}\?token=[\w-]+(?:&[\w.%-]+=[\w.%-]*)*", body_of(message))
    assert match, f"the mail carries a /{path} link: {body_of(message)!r}"
    assert match.group(0) in html.unescape(body_of(message, "html")), "the HTML part carries the same link"
    return match.group(0)


def mailed_token(message: Message, path: str = "verify-email") -> str:
    return mailed_link(message, path).split("token=", 1)[1]


# ------------------------------------------------------------------------------------------------ live server


@dataclass
class LiveServer:
    url: str
    app: Any
    server: uvicorn.Server
    thread: threading.Thread


@contextlib.contextmanager
def live_server(settings: Settings) -> Iterator[LiveServer]:
    """The app under uvicorn on 127.0.0.1, in a background thread with its own event loop."""
    port = settings.port if settings.port != 8000 else free_port()
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name=f"uvicorn-{port}")
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app, server, thread)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
