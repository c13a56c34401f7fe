"""GraphiQL works offline: Debian's chromium (Playwright) against the live app, with every request to another host
blocked and counted. The page and all its assets come from the service (GraphiQL built from npm into
frontend/dist/graphiql by `make frontend`); the README's whole example flow runs in it as written (sign up, `me`
through the session cookie, reset by mail, sign in, sign out). Also over plain HTTP: the page's CSP, the hint shown
while the build is missing, and production serving neither the page nor its assets."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Page, Request, Route, WebSocketRoute, expect, sync_playwright

from ..support import ROOT, free_port, reset_token

CHROMIUM = Path("/usr/bin/chromium")
DIST = ROOT / "frontend" / "dist"
MANIFEST = DIST / "graphiql" / ".vite" / "manifest.json"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SLOW = 20_000  # ms: Monaco is a few MB, and on a busy machine it takes seconds to start


def readme_example(start: str) -> str:
    """One operation of the README's "Try it in GraphiQL" block, exactly as written there (with its comment)."""
    block = re.search(r"## Try it in GraphiQL\s+```graphql\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    assert block, "README has no 'Try it in GraphiQL' graphql block"
    operations = [op.strip() for op in re.split(r"\n\s*\n", block.group(1))]

    def code(op: str) -> str:  # without its comment lines
        return "\n".join(line for line in op.splitlines() if not line.lstrip().startswith("#"))

    found = [op for op in operations if code(op).startswith(start)]
    assert len(found) == 1, f"README: no single operation starting with {start!r}"
    return found[0]


@pytest.fixture(scope="module")
def dist() -> Path:
    """frontend/dist with GraphiQL in it, built with `make frontend` (the one command) when it is missing."""
    if not ((DIST / "index.html").is_file() and MANIFEST.is_file()):
        subprocess.run(["make", "-C", str(ROOT), "frontend"], check=True, timeout=900)
    assert MANIFEST.is_file(), f"`make frontend` did not produce {MANIFEST}"
    return DIST


@pytest.fixture
def server(live_server_factory, dist):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with live_server_factory(port=port, public_url=url, frontend_url=url, frontend_dist=dist) as srv:
        yield srv


class Offline:
    """A browser context whose requests to any other origin are aborted and recorded (HTTP and WebSocket). The
    page's own CSP stays in force; console errors (CSP refusals among them) and page errors are collected."""

    def __init__(self, browser, origin: str) -> None:
        self.origin, self.left, self.local, self.problems = origin, [], [], []
        self.context = browser.new_context(
            viewport={"width": 1400, "height": 900}, locale="en-GB", permissions=["clipboard-read", "clipboard-write"]
        )
        self.context.set_default_timeout(SLOW)
        self.context.route("**/*", self._http)
        self.context.route_web_socket(re.compile(".*"), self._ws)
        self.page: Page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        self.page.on("console", lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None)

    def _same_origin(self, url: str) -> bool:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def _http(self, route: Route) -> None:
        if self._same_origin(route.request.url):
            self.local.append(route.request.url)
            route.continue_()
        else:
            self.left.append(route.request.url)
            route.abort("blockedbyclient")

    def _ws(self, ws: WebSocketRoute) -> None:
        self.left.append(ws.url)
        ws.close()


@pytest.fixture
def offline(server):
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)"
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield Offline(chromium, server.url)
        chromium.close()


def run_in_editor(page: Page, operation: str, shows: str) -> tuple[dict, Request]:
    """Put `operation` in GraphiQL's operation editor as a paste does (typing key by key, Monaco would add closing
    brackets and accept completions), press the run button, and wait until the response pane shows `shows`.
    Returns the server's JSON answer and the request GraphiQL sent, which carries the operation as written."""
    page.locator(".graphiql-query-editor .monaco-editor").first.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.evaluate("(text) => navigator.clipboard.writeText(text)", operation)
    page.keyboard.press("ControlOrMeta+v")
    with page.expect_response(lambda r: r.request.method == "POST" and urlsplit(r.url).path == "/graphql") as answer:
        page.locator(".graphiql-execute-button").click()
    request = answer.value.request
    assert json.loads(request.post_data or "{}")["query"] == operation
    expect(page.locator(".graphiql-response .view-lines")).to_contain_text(shows, timeout=SLOW)
    body = answer.value.json()
    assert answer.value.status == 200 and "errors" not in body, body
    return body["data"], request


def test_graphiql_runs_the_readme_flow_without_leaving_the_origin(server, offline, smtp_server):
    page, base = offline.page, server.url
    cookie = server.app.state.auth.settings.session_cookie_name
    me = readme_example("query { me ")

    response = page.goto(base + "/graphql")
    assert response is not None and response.ok
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp and "http" not in csp

    # the editor renders; the explorer plugin knows the schema (introspection) and writes into the editor
    editor_text = page.locator(".graphiql-query-editor .view-lines").first
    expect(editor_text).to_contain_text("query { me", timeout=SLOW)
    expect(page.locator(".graphiql-execute-button")).to_be_enabled(timeout=SLOW)
    page.get_by_role("button", name="Show GraphiQL Explorer").click()
    explorer = page.locator(".graphiql-plugin")
    expect(explorer).to_contain_text("mySessions", timeout=SLOW)
    explorer.get_by_text("passwordPolicy", exact=True).click()
    expect(editor_text).to_contain_text("passwordPolicy", timeout=SLOW)

    # the README's signUp, as written: AuthSuccess, and the session cookie is set
    data, sent = run_in_editor(page, readme_example("mutation { signUp("), shows='"AuthSuccess"')
    assert data["signUp"]["__typename"] == "AuthSuccess" and data["signUp"]["user"]["email"] == "ada@example.com"
    assert sent.headers["origin"] == base  # same origin: the CSRF check lets it through
    assert cookie in {c["name"] for c in offline.context.cookies(base)}

    # me: the user, known through the session cookie alone (GraphiQL's headers editor is empty)
    data, sent = run_in_editor(page, me, shows='"Lovelace"')
    assert data["me"]["firstName"] == "Ada" and data["me"]["email"] == "ada@example.com"
    headers = sent.all_headers()
    assert "authorization" not in headers and f"{cookie}=" in headers.get("cookie", "")

    # the rest of the README's flow: reset by mail, sign in with the new password, sign out
    mails = len(smtp_server.to("ada@example.com"))
    data, _ = run_in_editor(page, readme_example("mutation { requestPasswordReset("), shows='"message"')
    assert data["requestPasswordReset"]["message"]
    token = reset_token(smtp_server.wait_for_sync("ada@example.com", count=mails + 1))
    reset = readme_example("mutation { resetPassword(")
    assert reset.count('"…"') == 1  # the README's placeholder for the mailed token
    data, _ = run_in_editor(page, reset.replace('"…"', json.dumps(token)), shows='"message"')
    assert "code" not in data["resetPassword"] and data["resetPassword"]["message"]
    data, _ = run_in_editor(page, readme_example("mutation { signIn("), shows='"Ada"')
    assert data["signIn"] == {"user": {"firstName": "Ada"}}
    data, _ = run_in_editor(page, readme_example("mutation { signOut }"), shows='"signOut": true')
    assert data == {"signOut": True}
    data, _ = run_in_editor(page, me, shows='"me": null')
    assert data == {"me": None}

    # nothing left the origin, though the router saw the page's own requests (its scripts among them)
    assert offline.left == []
    assert any(urlsplit(u).path.startswith("/graphiql/assets/") and u.endswith(".js") for u in offline.local)
    assert offline.problems == []


def test_graphiql_page_is_same_origin_only(server):
    page = httpx.get(server.url + "/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = dict(d.strip().split(" ", 1) for d in page.headers["content-security-policy"].split(";"))
    assert csp["script-src"] == "'self'" and csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert "<script>" not in page.text  # no inline script
    assert all(u.startswith("/") and not u.startswith("//") for u in re.findall(r'(?:src|href)="([^"]*)"', page.text))
    scripts = re.findall(r'<script type="module" src="([^"]+)"></script>', page.text)
    assert scripts and all(src.startswith("/graphiql/assets/") for src in scripts)
    asset = httpx.get(server.url + scripts[0])
    assert asset.status_code == 200 and "javascript" in asset.headers["content-type"]
    # a GET that is not a browser asking for the page still gets the API's answer: no operation via GET
    get = httpx.get(server.url + "/graphql", params={"query": "{ me { id } }"})
    assert get.status_code == 400 and "data" not in get.text


def test_graphiql_says_how_to_build_it_when_the_build_is_missing(live_server_factory, tmp_path):
    empty = tmp_path / "dist"
    empty.mkdir()
    with live_server_factory(frontend_dist=empty) as srv:
        page = httpx.get(srv.url + "/graphql", headers={"accept": "text/html"})
        assert page.status_code == 503 and "make frontend" in page.text and "<script" not in page.text
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert httpx.get(srv.url + "/graphiql/assets/main.js").status_code == 404


def test_production_serves_no_graphiql(live_server_factory, dist):
    with live_server_factory(app_env="production", argon2_time_cost=2, frontend_dist=dist) as srv:
        page = httpx.get(srv.url + "/graphql", headers={"accept": "text/html"})
        assert page.status_code == 404 and "GraphiQL" not in page.text
        manifest = json.loads(MANIFEST.read_text())
        entry = next(chunk["file"] for chunk in manifest.values() if chunk.get("isEntry"))
        assert httpx.get(f"{srv.url}/graphiql/{entry}").status_code == 404
        assert httpx.get(srv.url + "/").status_code == 200  # the web app itself is still served
