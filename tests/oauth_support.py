"""Social sign-in test helpers: a real OpenID Connect provider (npm oidc-provider, tests/oidc/server.mjs) run as a
child process on loopback, and a browser-less way through its sign-in pages over HTTP.

    with OidcTestProvider() as op:
        client_id, secret = op.register_client(["http://localhost:8000/api/auth/callback/acme"])
        op.set_account("ada", given_name="Ada", family_name="Lovelace", email="ada@example.com", email_verified=True)
        callback = await op.login(authorize_url, "ada")    # → redirect_uri?code=…&state=…&iss=…
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import selectors
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import uvicorn

from .support import ROOT, free_port

OIDC_DIR = ROOT / "tests" / "oidc"


def ensure_installed() -> None:
    """tests/oidc/node_modules, as `make test` installs it (npm ci); installed here too so pytest alone works."""
    if (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed for the OpenID provider of the tests (install Node.js >= 20)")
    subprocess.run([npm, "ci", "--prefix", str(OIDC_DIR), "--no-audit", "--no-fund"], check=True)


class OidcTestProvider:
    """panva's oidc-provider on 127.0.0.1 (see tests/oidc/server.mjs for what it is configured to do)."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.issuer = ""
        self.log_path: Path | None = None

    def __enter__(self) -> OidcTestProvider:
        ensure_installed()
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is needed for the OpenID provider of the tests (install Node.js >= 20)")
        self.log_path = ROOT / "artifacts" / "oidc-provider.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        stderr = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [node, str(OIDC_DIR / "server.mjs"), "0"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "NODE_ENV": "test"},
        )
        stderr.close()
        selector = selectors.DefaultSelector()
        selector.register(self.process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=30):
            self.__exit__()
            raise RuntimeError(f"oidc-provider did not start; see {self.log_path}")
        line = self.process.stdout.readline()
        if not line:
            self.__exit__()
            raise RuntimeError(f"oidc-provider exited at start-up; see {self.log_path}")
        self.issuer = json.loads(line)["issuer"]
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    # --------------------------------------------------------------------------------------- provider set-up

    def register_client(self, redirect_uris: list[str]) -> tuple[str, str]:
        """A confidential client (client_secret_basic, authorization code), by Dynamic Client Registration."""
        response = httpx.post(
            self.issuer + "/reg",
            json={"redirect_uris": redirect_uris, "token_endpoint_auth_method": "client_secret_basic"},
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return body["client_id"], body["client_secret"]

    def set_account(self, login: str, **claims) -> None:
        response = httpx.put(f"{self.issuer}/__test/accounts/{login}", json=claims)
        assert response.status_code == 204, response.text

    def tamper_next_token(self, **how) -> None:
        """Forge the ID token of the next token response (iss, aud, nonce, sub, exp, foreign_key=True) or answer it
        with an HTTP status (status=503)."""
        response = httpx.post(self.issuer + "/__test/tamper", json=how)
        assert response.status_code == 204, response.text

    # ------------------------------------------------------------------------------------------- signing in

    async def login(self, authorize_url: str, login: str, *, consent: bool = True) -> str:
        """Go through the provider's pages as a browser would (its own cookie jar): the login form (any password),
        then the consent form, or "[ Cancel ]" when `consent` is False. Returns the URL the provider finally
        redirects to, outside itself (our callback with code and state, or with error=access_denied)."""
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(self.issuer))
        async with httpx.AsyncClient(timeout=15) as browser:
            url, method, data = authorize_url, "GET", None
            for _ in range(20):
                response = await browser.request(method, url, data=data)
                if response.is_redirect:
                    url, method, data = urljoin(url, response.headers["location"]), "GET", None
                    if not url.startswith(origin):
                        return url
                    continue
                assert response.status_code == 200, f"{response.status_code} at {url}: {response.text[:500]}"
                page = response.text
                action = re.search(r'<form[^>]*action="([^"]+)"', page)
                prompt = re.search(r'name="prompt" value="(\w+)"', page)
                assert action and prompt, f"no interaction form at {url}: {page[:500]}"
                if prompt.group(1) == "login":
                    url, method, data = (
                        urljoin(url, action.group(1)),
                        "POST",
                        {"prompt": "login", "login": login, "password": "any password"},
                    )
                elif consent:
                    url, method, data = urljoin(url, action.group(1)), "POST", {"prompt": "consent"}
                else:
                    abort = re.search(r'href="([^"]+/abort)"', page)
                    assert abort, "the consent page has a [ Cancel ] link"
                    url, method, data = urljoin(url, abort.group(1)), "GET", None
            raise AssertionError("the provider kept redirecting")


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    """An ASGI app under uvicorn on 127.0.0.1 (a thread with its own event loop); yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True, name=f"test-server-{port}")
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
