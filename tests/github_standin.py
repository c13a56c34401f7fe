"""A small local stand-in for GitHub's OAuth app endpoints, since GitHub cannot be reached from the tests.

It serves what GitHub documents (docs.github.com, "Authorizing OAuth apps" and the REST API's users/emails pages),
with GitHub's own quirks, on one loopback port that stands for both https://github.com and https://api.github.com:

- GET  /login/oauth/authorize  client_id, redirect_uri, scope, state, code_challenge(+_method=S256), allow_signup:
                               a page with "Username or email address" and "Authorize" / "Cancel" (Cancel sends
                               error=access_denied back, as GitHub does); POST submits it.
- POST /login/oauth/access_token  client_id, client_secret (form or HTTP Basic), code, redirect_uri, code_verifier:
                               JSON with Accept: application/json, else form-encoded (GitHub's default). Errors come
                               with HTTP 200 and an "error" field (bad_verification_code, incorrect_client_credentials,
                               redirect_uri_mismatch), as GitHub answers them. Codes are single use and expire.
- GET  /user, GET /user/emails   `Authorization: Bearer <token>` (or `token <token>`); 401 {"message": "Bad
                               credentials"} otherwise.

Tests add users with `add_user(login, name=…, emails=[…])`. It runs under uvicorn in a thread (`running()`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from .oauth_support import serving

CODE_TTL = 600


@dataclass
class GitHubUser:
    id: int
    login: str
    name: str | None
    emails: list[dict]  # [{"email", "primary", "verified", "visibility"}]


@dataclass
class GitHubStandIn:
    client_id: str = field(default_factory=lambda: "Iv1." + secrets.token_hex(8))
    client_secret: str = field(default_factory=lambda: secrets.token_hex(20))
    callback_url: str = ""  # the OAuth app's registered "Authorization callback URL"
    users: dict[str, GitHubUser] = field(default_factory=dict)
    codes: dict[str, dict] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    token_requests: list[dict] = field(default_factory=list)
    url: str = ""

    def add_user(
        self,
        login: str,
        *,
        name: str | None = None,
        email: str | None = None,
        verified: bool = True,
        emails: list[dict] | None = None,
    ) -> GitHubUser:
        if emails is None:
            emails = [
                {
                    "email": email or f"{login}@users.example",
                    "primary": True,
                    "verified": verified,
                    "visibility": "private",
                }
            ]
        user = GitHubUser(
            id=10_000 + len(self.users) + secrets.randbelow(1_000_000), login=login, name=name, emails=emails
        )
        self.users[login] = user
        return user

    # ------------------------------------------------------------------------------------------------- routes

    def _redirect_ok(self, redirect_uri: str) -> bool:
        # GitHub: the redirect_uri's host and port must match the callback URL's, its path must be the same or below
        return bool(self.callback_url) and (
            redirect_uri == self.callback_url or redirect_uri.startswith(self.callback_url.rstrip("/") + "/")
        )

    async def authorize(self, request: Request) -> Response:
        params = dict(request.query_params) if request.method == "GET" else dict(await request.form())
        if params.get("client_id") != self.client_id:
            return PlainTextResponse("Not Found: unknown client_id", status_code=404)
        redirect_uri = params.get("redirect_uri") or self.callback_url
        if not self._redirect_ok(redirect_uri):
            return HTMLResponse(
                "<h1>The redirect_uri MUST match the registered callback URL for this application.</h1>",
                status_code=400,
            )
        state = params.get("state", "")
        if request.method == "GET":
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
            )
            return HTMLResponse(
                "<!doctype html><html lang=en><head><title>Sign in to GitHub</title></head><body><main>"
                "<h1>Sign in to GitHub</h1><p>to continue to the test app</p>"
                f'<form method="post" action="/login/oauth/authorize">{hidden}'
                '<label for="login">Username or email address</label>'
                '<input id="login" name="login" autofocus required>'
                '<button type="submit" name="decision" value="allow">Authorize</button>'
                '<button type="submit" name="decision" value="deny" formnovalidate>Cancel</button>'
                "</form></main></body></html>"
            )
        separator = "&" if "?" in redirect_uri else "?"
        if params.get("decision") != "allow":
            query = {
                "error": "access_denied",
                "error_description": "The user has denied your application access.",
                "error_uri": "https://docs.github.com/apps/troubleshooting-authorization-request-errors/#access-denied",
                "state": state,
            }
            return RedirectResponse(redirect_uri + separator + urlencode(query), status_code=302)
        user = self.users.get(params.get("login", ""))
        if user is None:
            return HTMLResponse("<p>Incorrect username or password.</p>", status_code=401)
        code = secrets.token_hex(10)
        self.codes[code] = {
            "login": user.login,
            "redirect_uri": redirect_uri,
            "expires": time.time() + CODE_TTL,
            "challenge": params.get("code_challenge"),
            "method": params.get("code_challenge_method"),
        }
        return RedirectResponse(redirect_uri + separator + urlencode({"code": code, "state": state}), status_code=302)

    async def access_token(self, request: Request) -> Response:
        form = dict(await request.form())
        self.token_requests.append(form)
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            client_id, _, client_secret = base64.b64decode(header[6:]).decode().partition(":")
        if client_id != self.client_id or not secrets.compare_digest(client_secret or "", self.client_secret):
            return self._answer(
                request,
                {
                    "error": "incorrect_client_credentials",
                    "error_description": "The client_id and/or client_secret passed are incorrect.",
                },
            )
        grant = self.codes.pop(form.get("code", ""), None)  # single use, also when the rest is wrong
        if grant is None or grant["expires"] < time.time():
            return self._answer(
                request,
                {"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired."},
            )
        if form.get("redirect_uri") and form["redirect_uri"] != grant["redirect_uri"]:
            return self._answer(
                request,
                {
                    "error": "redirect_uri_mismatch",
                    "error_description": "The redirect_uri MUST match the registered callback URL for this application.",
                },
            )
        if grant["challenge"]:
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if grant["method"] != "S256" or not secrets.compare_digest(digest, grant["challenge"]):
                return self._answer(
                    request,
                    {"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired."},
                )
        token = "gho_" + secrets.token_hex(18)
        self.tokens[token] = grant["login"]
        return self._answer(request, {"access_token": token, "token_type": "bearer", "scope": "read:user,user:email"})

    @staticmethod
    def _answer(request: Request, body: dict) -> Response:
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse(body)
        return PlainTextResponse(urlencode(body), media_type="application/x-www-form-urlencoded")

    def _user_of(self, request: Request) -> GitHubUser | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() not in ("bearer", "token"):
            return None
        login = self.tokens.get(token.strip())
        return self.users.get(login) if login else None

    async def user(self, request: Request) -> Response:
        user = self._user_of(request)
        if user is None:
            return JSONResponse({"message": "Bad credentials", "status": "401"}, status_code=401)
        primary = next((e["email"] for e in user.emails if e.get("primary") and e.get("visibility") == "public"), None)
        return JSONResponse(
            {
                "login": user.login,
                "id": user.id,
                "node_id": f"U_{user.id}",
                "type": "User",
                "name": user.name,
                "email": primary,
                "avatar_url": f"{self.url}/avatars/{user.id}",
            }
        )

    async def user_emails(self, request: Request) -> Response:
        user = self._user_of(request)
        if user is None:
            return JSONResponse({"message": "Bad credentials", "status": "401"}, status_code=401)
        return JSONResponse(user.emails)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/login/oauth/authorize", self.authorize, methods=["GET", "POST"]),
                Route("/login/oauth/access_token", self.access_token, methods=["POST"]),
                Route("/user", self.user),
                Route("/user/emails", self.user_emails),
            ]
        )


@contextlib.contextmanager
def running(standin: GitHubStandIn | None = None) -> Iterator[GitHubStandIn]:
    """The stand-in under uvicorn on 127.0.0.1 (a thread with its own event loop)."""
    standin = standin or GitHubStandIn()
    with serving(standin.app()) as url:
        standin.url = url
        yield standin
