"""GraphiQL (development only) from the project's own build: the page at GET /graphql and its assets at /graphiql/.

`make frontend` bundles GraphiQL, its explorer plugin and their React from npm into FRONTEND_DIST/graphiql/
(frontend/vite.graphiql.config.ts). This module writes the page from that build's manifest, with a CSP that lets it
load scripts only from this origin (no CDN, no inline script) and never be framed. The page's fetcher posts
same-origin JSON, so the browser sends the session cookie and an Origin that the CSRF check trusts.

In production there is no page (the GraphQL view then answers GET /graphql with 404, as it always did) and the
asset path answers 404 too, even when FRONTEND_DIST holds the build."""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from ..config import Settings

log = logging.getLogger(__name__)

PAGE_PATH = "/graphql"
ASSETS_PATH = "/graphiql/assets"  # the Vite build's `base` is /graphiql/, its files are in assets/
MANIFEST = Path(".vite") / "manifest.json"

# Monaco (GraphiQL's editor) injects <style> elements and React sets style attributes, hence 'unsafe-inline' for
# styles only; its workers are same-origin files; GraphiQL's CSS embeds its fonts as data: URLs.
CSP = (
    "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
MISSING_CSP = "default-src 'none'; frame-ancestors 'none'"


def graphiql_dir(settings: Settings) -> Path | None:
    return settings.frontend_dist / "graphiql" if settings.frontend_dist is not None else None


def graphiql_routes(settings: Settings) -> list[BaseRoute]:
    """Routes to put before the GraphQL view's: the page (GET /graphql asking for HTML) and its assets."""
    if settings.production:
        return [Mount(ASSETS_PATH, app=_not_found)]
    directory = graphiql_dir(settings)

    async def page(request: Request) -> Response:
        return graphiql_response(directory)

    return [_PageRoute(PAGE_PATH, page, methods=["GET"]), Mount(ASSETS_PATH, app=_Assets(directory))]


def graphiql_response(directory: Path | None) -> Response:
    """The page, or (no build yet) a page that says how to build it. Read per request: a rebuild needs no restart,
    and only developers ever ask."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text("utf-8")) if directory is not None else None
        body = render_page(manifest) if manifest is not None else None
    except (OSError, ValueError, KeyError, StopIteration) as exc:
        log.warning("GraphiQL build unusable in %s (%s)", directory, type(exc).__name__)
        body = None
    if body is None:
        return HTMLResponse(_missing_page(directory), status_code=503, headers={"content-security-policy": MISSING_CSP})
    return HTMLResponse(body, headers={"content-security-policy": CSP})


def render_page(manifest: dict) -> str:
    """The HTML for the Vite manifest's entry: its stylesheets, module preloads and one module script, all under
    /graphiql/. No inline script or style."""
    entry = next(chunk for chunk in manifest.values() if chunk.get("isEntry"))

    def url(file: str) -> str:
        return html.escape(f"/graphiql/{file}", quote=True)

    head = [f'<link rel="stylesheet" href="{url(css)}">' for css in entry.get("css", [])]
    head += [f'<link rel="modulepreload" href="{url(manifest[key]["file"])}">' for key in entry.get("imports", [])]
    head.append(f'<script type="module" src="{url(entry["file"])}"></script>')
    return _PAGE.format(head="\n    ".join(head))


_PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>GraphiQL · chatbot-agent</title>
    <link rel="icon" type="image/svg+xml" href="/favicon.svg">
    {head}
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <noscript>GraphiQL needs JavaScript.</noscript>
  </body>
</html>
"""


def _missing_page(directory: Path | None) -> str:
    where = html.escape(str(directory)) if directory is not None else "FRONTEND_DIST/graphiql (FRONTEND_DIST is empty)"
    return f"""<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>GraphiQL is not built</title></head>
  <body>
    <h1>GraphiQL is not built</h1>
    <p>GraphiQL is served from this project's own build, which is missing from <code>{where}</code>.</p>
    <p>Run <code>make frontend</code> (or <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>),
       then reload this page. The API itself works: POST JSON to <code>/graphql</code>.</p>
  </body>
</html>
"""


class _PageRoute(Route):
    """Matches only the GETs the GraphQL view would answer with its IDE (HTML accepted, no `query` parameter), so
    every other GET /graphql still reaches the view and gets the answer it always got."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is not Match.FULL or _wants_page(Request(scope)):
            return match, child
        return Match.NONE, {}


def _wants_page(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "query" not in request.query_params and ("text/html" in accept or "*/*" in accept)


class _Assets:
    """The build's hashed files; 404 (not a server error) while the build is missing."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory / "assets" if directory is not None else None
        self.files: StaticFiles | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.directory is None or not self.directory.is_dir():
            return await _not_found(scope, receive, send)
        if self.files is None:
            self.files = StaticFiles(directory=self.directory)
        await self.files(scope, receive, send)


async def _not_found(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
