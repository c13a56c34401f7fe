"""Better Auth's own clients against our server, unchanged but for the base URL: `createAuthClient` from npm
`better-auth` (tests/better-auth-client/client-flow.mjs, in cookie and in bearer mode) and `better-auth-client` from
PyPI. Each drives sign-up → getSession → sign-out → signIn.email → requestPasswordReset → the mailed link (Better
Auth's `/api/auth/reset-password/<token>?callbackURL=…`) → resetPassword → sign-in with the new password.

The same flows run against the real Better Auth 1.7.25 too: what they expect is what Better Auth does. Our server runs
with its default cookie name (`chatbot_session`): Better Auth's clients never read the cookie, so the name is ours.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from better_auth_client import APIError, AsyncAuthClient

from .better_auth_reference import APP_ORIGIN, NODE_DIR, new_email
from .support import body_of, free_port

pytestmark = pytest.mark.asyncio(loop_scope="session")

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "difference engine 1822 rebuilt"
RESET_PAGE = f"{APP_ORIGIN}/reset-password"


@dataclass
class Server:
    name: str
    url: str
    reset_link: Callable[[str], Awaitable[str]]  # address -> the link of the newest reset mail


@contextmanager
def our_server(live_server_factory, smtp_server):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with live_server_factory(
        port=port, public_url=url, frontend_url=APP_ORIGIN, trusted_origins=(url, APP_ORIGIN)
    ) as live:

        async def reset_link(address: str) -> str:
            """The link in the newest mail to `address` that has one (other mails may come and go meanwhile)."""
            async with asyncio.timeout(10):
                while True:
                    for message in reversed(smtp_server.to(address)):
                        if found := re.search(r"https?://\S+/api/auth/reset-password/\S+", body_of(message)):
                            return found.group(0)
                    await asyncio.sleep(0.05)

        yield Server("ours", live.url, reset_link)


@pytest.fixture(params=["better-auth", "ours"])
def server(request, smtp_server):
    if request.param == "better-auth":
        ba = request.getfixturevalue("better_auth")
        yield Server("better-auth", ba.url, lambda address: ba.mail_link("reset-password", address))
    else:
        with our_server(request.getfixturevalue("live_server_factory"), smtp_server) as ours:
            yield ours


# ------------------------------------------------------------------------------------------------------ Node client


async def node_flow(server: Server, mode: str) -> list[dict]:
    """Run client-flow.mjs; answer its request for the mailed link; its JSON lines."""
    email = new_email(f"node-{mode}")
    env = {**os.environ, "BASE_URL": server.url, "MODE": mode, "EMAIL": email, "APP_ORIGIN": APP_ORIGIN}
    process = await asyncio.create_subprocess_exec(
        "node",
        "client-flow.mjs",
        cwd=NODE_DIR,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    lines: list[dict] = []
    try:
        async with asyncio.timeout(120):
            while line := await process.stdout.readline():
                message = json.loads(line)
                lines.append(message)
                if message.get("need") == "reset-link":
                    link = await server.reset_link(message["email"])
                    process.stdin.write(link.encode() + b"\n")
                    await process.stdin.drain()
            stderr = (await process.stderr.read()).decode()
            code = await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert code == 0, f"client-flow.mjs against {server.name} ({mode}) failed:\n{stderr}\n" + "\n".join(
        json.dumps(line)[:300] for line in lines
    )
    return lines


@pytest.mark.parametrize("mode", ["cookie", "bearer"])
async def test_better_auths_node_client_runs_the_whole_flow(server, mode):
    lines = await node_flow(server, mode)
    steps = [line.get("step") for line in lines]
    assert steps[-1] == "done"
    assert "sign-in with the new password" in steps
    link = next(line["link"] for line in lines if line.get("step") == "mailed link")
    assert link.startswith(f"{server.url}/api/auth/reset-password/")
    assert parse_qs(urlsplit(link).query)["callbackURL"] == [RESET_PAGE]


# ---------------------------------------------------------------------------------------------------- PyPI client


async def request_reset(client: AsyncAuthClient, server: Server, email: str) -> dict:
    if server.name == "ours":
        # better-auth-client 1.0.1 knows the route by its name before Better Auth 1.4, /forget-password, which we
        # serve as an alias of /request-password-reset.
        return await client.forget_password(email=email, redirectTo=RESET_PAGE)
    # Better Auth 1.7 no longer serves /forget-password, and the client has no method for the new route.
    return await client._call("POST", "/request-password-reset", {"email": email, "redirectTo": RESET_PAGE})


async def test_the_pypi_client_runs_the_whole_flow(server):
    email = new_email("pypi")
    async with AsyncAuthClient(server.url) as client, AsyncAuthClient(server.url) as service:
        signed_up = await client.sign_up.email(name="Ada Lovelace", email=email, password=PASSWORD)
        assert signed_up["user"]["email"] == email and signed_up["user"]["name"] == "Ada Lovelace"
        session = await client.get_session()
        assert session["user"]["id"] == signed_up["user"]["id"]

        service.set_bearer(signed_up["token"])  # another service, handed the session token: no cookie
        assert (await service.get_session())["user"]["email"] == email

        assert (await client.sign_out())["success"] is True
        assert await client.get_session() is None
        assert await service.get_session() is None, "signing out revokes the token everywhere"

        with pytest.raises(APIError) as wrong:
            await client.sign_in.email(email=email, password="not the password at all")
        assert (wrong.value.status, wrong.value.code) == (401, "INVALID_EMAIL_OR_PASSWORD")
        signed_in = await client.sign_in.email(email=email, password=PASSWORD)
        assert signed_in["user"]["id"] == signed_up["user"]["id"]
        assert (await client.get_session())["user"]["email"] == email

        assert (await request_reset(client, server, email))["status"] is True
        link = await server.reset_link(email)
        async with httpx.AsyncClient() as browser:
            opened = await browser.get(link)
        assert opened.status_code == 302
        landing = urlsplit(opened.headers["location"])
        assert f"{landing.scheme}://{landing.netloc}{landing.path}" == RESET_PAGE
        token = parse_qs(landing.query)["token"][0]
        assert (await client.reset_password(newPassword=NEW_PASSWORD, token=token))["status"] is True
        with pytest.raises(APIError) as reused:
            await client.reset_password(newPassword="yet another long password", token=token)
        assert reused.value.code == "INVALID_TOKEN"
        assert await client.get_session() is None, "the reset revoked every session"

        with pytest.raises(APIError) as old:
            await client.sign_in.email(email=email, password=PASSWORD)
        assert old.value.code == "INVALID_EMAIL_OR_PASSWORD"
        await client.sign_in.email(email=email, password=NEW_PASSWORD)
        assert (await client.get_session())["user"]["id"] == signed_up["user"]["id"]
