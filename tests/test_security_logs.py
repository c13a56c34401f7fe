"""Logs: structured (LOG_FORMAT=json) with request ids, and no secret in them. The full flow runs against the real
`chatbot-agent serve` process with a DSN and an SMTP URL that carry passwords; every line that process writes is
then searched for every secret the test used."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from aiosmtpd.smtp import AuthResult
from chatbot_agent import logs

from .security_support import CHANGE_PASSWORD, sign_in_input, unique
from .support import (
    JWT_KEY,
    ME,
    REQUEST_RESET,
    RESET,
    SECRETS_KEY,
    SESSION_SECRET,
    SIGN_IN,
    SIGN_UP,
    SmtpReceiver,
    free_port,
    make_settings,
    reset_token,
    running_app,
    sign_up_input,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")

SMTP_USER, SMTP_PASSWORD = "mailer", "smtp-Pa55word-7f3a"
DSN_PASSWORD = "dsn-Pa55word-91c2"


class AuthenticatingSmtp(SmtpReceiver):
    """The SMTP receiver, demanding AUTH (PLAIN/LOGIN without TLS, loopback only) with one user."""

    def start(self) -> AuthenticatingSmtp:
        from aiosmtpd.controller import Controller

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
            return AuthResult(success=ok)

        self._controller = Controller(
            self,
            hostname=self.host,
            port=self.port,
            authenticator=authenticator,
            auth_required=True,
            auth_require_tls=False,
        )
        self._controller.start()
        return self

    @property
    def url(self) -> str:
        return f"smtp://{SMTP_USER}:{SMTP_PASSWORD}@{self.host}:{self.port}?starttls=false"


@contextlib.contextmanager
def serve(env: dict[str, str], cwd: Path, log_path: Path):
    """`chatbot-agent serve` as a child process; yields its base URL; stops it with SIGINT (graceful).
    Its stderr (the log) goes to `log_path`, its stdout (the start-up banner) next to it."""
    port = free_port()
    with log_path.open("w") as err, log_path.with_suffix(".stdout").open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "chatbot_agent.cli", "serve", "--port", str(port)],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=err,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, f"server exited early:\n{log_path.read_text()}"
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                        break
                assert time.monotonic() < deadline, "server did not become healthy"
                time.sleep(0.1)
            yield url
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_full_flow_logs_are_json_with_request_ids_and_no_secret(databases, tmp_path):
    smtp = AuthenticatingSmtp().start()
    dsn = await databases.create("logs")
    assert "//postgres:@" in dsn
    dsn_with_password = dsn.replace("//postgres:@", f"//postgres:{DSN_PASSWORD}@", 1)  # trust auth ignores it
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "APP_ENV": "test",
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": dsn_with_password,
        "SMTP_URL": smtp.url,
        "SESSION_SECRET": SESSION_SECRET,
        "JWT_PRIVATE_KEY": JWT_KEY,
        "SECRETS_ENCRYPTION_KEY": SECRETS_KEY,
        "EMAIL_VERIFICATION": "off",  # the first mail to the user is then the reset mail this test waits for
        "ARGON2_MEMORY_KIB": "1024",
        "ARGON2_TIME_COST": "1",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "DEBUG",
        "RATE_LIMIT_ENABLED": "true",
        "DB_CONNECT_RETRIES": "0",
    }
    log_path = tmp_path / "server.log"
    email = unique("logged")
    first, wrong, typo, reset_to, changed = (
        "first Pa55phrase one",
        "wrong Pa55phrase two",
        "typo Pa55phrase three",
        "reset Pa55phrase four",
        "changed Pa55phrase five",
    )
    secrets: dict[str, str] = {
        "dsn password": DSN_PASSWORD,
        "smtp password": SMTP_PASSWORD,
        "session secret": SESSION_SECRET,
        "jwt private key": JWT_KEY,
        "secrets encryption key": SECRETS_KEY,
    }
    secrets["smtp AUTH PLAIN"] = base64.b64encode(f"\0{SMTP_USER}\0{SMTP_PASSWORD}".encode()).decode()
    request_ids: dict[str, str] = {}
    try:
        with serve(env, tmp_path, log_path) as url:
            async with httpx.AsyncClient(base_url=url) as browser, httpx.AsyncClient(base_url=url) as service:

                async def call(name: str, query: str, variables: dict, client=browser, **kw) -> dict:
                    response = await client.post("/graphql", json={"query": query, "variables": variables}, **kw)
                    assert response.status_code == 200
                    request_ids[name] = response.headers["x-request-id"]
                    return response.json()

                up = await call("signUp", SIGN_UP, sign_up_input(email, password=first))
                assert up["data"]["signUp"]["__typename"] == "AuthSuccess"
                bad = await call("wrongPassword", SIGN_IN, sign_in_input(email, wrong))
                assert bad["data"]["signIn"]["code"] == "INVALID_CREDENTIALS"
                good = await call("signIn", SIGN_IN, sign_in_input(email, first))
                secrets["access token"] = good["data"]["signIn"]["accessToken"]
                cookie = browser.cookies["chatbot_session"]
                secrets["cookie value"], secrets["session token"] = cookie, unquote(cookie).rsplit(".", 1)[0]
                secrets["cookie signature"] = unquote(cookie).rsplit(".", 1)[1]
                me = await call(
                    "bearer", ME, {}, client=service, headers={"authorization": f"Bearer {secrets['access token']}"}
                )
                assert me["data"]["me"]["email"] == email
                # A client bug: a misspelt field. graphql-core quotes the whole value in its error message.
                mistyped = await call("typo", SIGN_IN, {"input": {"email": email, "pasword": typo}})
                assert mistyped["errors"] and typo in json.dumps(mistyped)  # the client sees its own input...
                asked = await call("requestReset", REQUEST_RESET, {"email": email})
                assert asked["data"]["requestPasswordReset"]["__typename"] == "RequestPasswordResetSuccess"
                secrets["reset token"] = reset_token(await smtp.wait_for(email))
                # The token in a REST link's path: the access line names the route's template instead.
                opened = await browser.get(f"/api/auth/reset-password/{secrets['reset token']}?callbackURL=/reset")
                assert opened.status_code == 302, opened.text
                done = await call("reset", RESET, {"token": secrets["reset token"], "password": reset_to})
                assert done["data"]["resetPassword"]["__typename"] == "ResetPasswordSuccess"
                again = await call("signInAgain", SIGN_IN, sign_in_input(email, reset_to))
                assert again["data"]["signIn"]["__typename"] == "AuthSuccess"
                change = await call("change", CHANGE_PASSWORD, {"current": reset_to, "new": changed})
                assert change["data"]["changePassword"]["__typename"] == "ChangePasswordSuccess"
    finally:
        smtp.stop()

    text = log_path.read_text()
    banner = log_path.with_suffix(".stdout").read_text()
    assert banner.startswith("chatbot-agent auth on")
    secrets.update(
        {
            "first password": first,
            "wrong password": wrong,
            "mistyped password": typo,
            "reset password": reset_to,
            "changed password": changed,
        }
    )
    leaked = [name for name, value in secrets.items() if value in text + banner]
    assert leaked == [], f"secrets in the logs: {leaked}"  # ...the log never does

    entries = [json.loads(line) for line in text.splitlines()]  # every line of the log is one JSON object
    assert {"ts", "level", "logger", "request_id", "message"} <= set(entries[0])

    def messages_of(request: str) -> list[str]:
        return [e["message"] for e in entries if e["request_id"] == request_ids[request]]

    assert "user signed up" in messages_of("signUp")
    assert "sign-in failed: wrong password" in messages_of("wrongPassword")
    assert "password reset requested" in messages_of("requestReset")
    assert any(e["message"].startswith("GET /api/auth/reset-password/:token 302") for e in entries)
    assert any(m.startswith("GraphQL request rejected") for m in messages_of("typo"))
    assert any("DATABASE_URL" in e["message"] and "***" in e["message"] for e in entries)  # redacted, not absent
    assert not any(e["level"] == "ERROR" for e in entries), [e for e in entries if e["level"] == "ERROR"]


@contextlib.contextmanager
def captured_logs(fmt: str = "text"):
    """Everything logged in this process, formatted by the service's own formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter() if fmt == "json" else logs.TextFormatter())
    handler.addFilter(logs._Context())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_development_mailer_logs_a_usable_reset_link_only_without_smtp(database_url, tmp_path):
    settings = make_settings(database_url, tmp_path)  # no SMTP_URL: development mode
    email = unique("devmode")
    with captured_logs() as stream:
        async with running_app(settings) as (_, api):
            await api(SIGN_UP, sign_up_input(email))
            await api(REQUEST_RESET, {"email": email})
            deadline = time.monotonic() + 10
            while "reset-password?token=" not in stream.getvalue():
                assert time.monotonic() < deadline, "no DEVELOPMENT MODE mail in the log"
                await asyncio.sleep(0.02)
            text = stream.getvalue()
            assert "DEVELOPMENT MODE" in text
            token = re.search(r"reset-password\?token=(\S+)", text).group(1)
            done = (await api(RESET, {"token": token, "password": "a fresh passphrase"}))["resetPassword"]
    assert done["__typename"] == "ResetPasswordSuccess"


@pytest.mark.parametrize(
    "text, secret",
    [
        ("Found: {'email': 'a@b.co', 'password': 'two words'}", "two words"),
        ('{"newPassword": "with spaces too"}', "with spaces too"),
        ("postgresql://app:hunter22@db.example/neondb", "hunter22"),
        ("smtps://mailer:hunter33@smtp.example:465", "hunter33"),
        ("Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl", "eyJhbGciOi"),
        ("cookie: chatbot_session=abc123.c2ln; theme=dark", "abc123"),
    ],
)
async def test_last_resort_redaction(text, secret):
    assert secret not in logs.redact(text)
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "%s", (text,), None)
    record.request_id = "-"
    assert secret not in logs.JsonFormatter().format(record)
    assert secret not in logs.TextFormatter().format(record)
