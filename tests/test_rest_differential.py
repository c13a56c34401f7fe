"""Differential test of the REST routes: one sequence of requests to the real Better Auth 1.7.25 (with the bearer
plugin; tests/better-auth-client/server.mjs) and to our server, compared step by step (tests/rest_differential.py:
status, JSON shape, error codes, cookie attributes, set-auth-token, Location).

Our server runs with Better Auth's cookie name (SESSION_COOKIE_NAME=better-auth.session_token; our default is
`chatbot_session`), both trust the same frontend origin, and every difference that remains is listed in DELIBERATE
below with its reason — the README's list ("Use Better Auth's client with this server") says the same.
"""

from __future__ import annotations

import http.cookiejar
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import pytest_asyncio

from .better_auth_reference import better_auth_server, create_database
from .rest_differential import APP_ORIGIN, EVIL_ORIGIN, Ctx, Mail, Step, Target, run
from .support import BASE_URL, body_of, make_settings, running_app

pytestmark = pytest.mark.asyncio(loop_scope="session")

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "difference engine 1822 rebuilt"
CHANGED_PASSWORD = "analytical engine 1843 notes"
RESET_PAGE = f"{APP_ORIGIN}/reset-password"


def no_cookie_jar(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The runner keeps each client's cookies itself: httpx must not add its own."""
    client.cookies.jar.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return client


def better_auth_target(server, name: str = "better-auth") -> Target:
    http = no_cookie_jar(httpx.AsyncClient(base_url=server.url, timeout=30))
    return Target(name, http, server.mail_link)


@pytest_asyncio.fixture(loop_scope="session")
async def theirs(better_auth):
    target = better_auth_target(better_auth)
    yield target
    await target.http.aclose()


def our_settings(database_url, smtp_server, tmp_path, **overrides):
    values = dict(
        smtp_url=smtp_server.url,
        session_cookie_name="better-auth.session_token",
        email_verification="optional",  # the default (the tests' is off): send-verification-email works
        public_url=BASE_URL,
        frontend_url=APP_ORIGIN,
        trusted_origins=(APP_ORIGIN, BASE_URL),
    )
    values.update(overrides)
    return make_settings(database_url, tmp_path, **values)


@pytest_asyncio.fixture(loop_scope="session")
async def ours(database_url, smtp_server, tmp_path):
    async with running_app(our_settings(database_url, smtp_server, tmp_path)) as (app, _):
        http = no_cookie_jar(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL))

        async def mail_link(kind: str, address: str, count: int) -> str:
            # Better Auth's links (the REST routes'), not the web app's: sign-up mails one of those too
            pattern = re.compile(rf"https?://\S*/api/auth/{re.escape(kind)}\S*")
            for n in range(1, 50):
                message = await smtp_server.wait_for(address, n)
                found = pattern.search(body_of(message))
                if found and (count := count - 1) == 0:
                    return found.group(0)
            raise AssertionError(f"no {kind} mail to {address}")

        yield Target("ours", http, mail_link)
        await http.aclose()


# ------------------------------------------------------------------------------------------------------ scenario


def sign_up(who: str, **extra):
    return lambda c: {"name": "Ada Lovelace", "email": c.email(who), "password": PASSWORD, **extra}


def sign_in(who: str, password: str = PASSWORD, **extra):
    return lambda c: {"email": c.email(who), "password": password, **extra}


def save_session_id(c: Ctx, response: httpx.Response) -> None:
    c.target.saved["phone_id"] = response.json()["session"]["id"]


def save_phone_token(c: Ctx, response: httpx.Response) -> None:
    """From list-sessions: the `token` it shows for the phone's session (what a UI passes to revoke-session)."""
    c.target.saved["phone"] = next(s["token"] for s in response.json() if s["id"] == c["phone_id"])


def save_reset_token(c: Ctx, response: httpx.Response, key: str = "reset_token") -> None:
    c.target.saved[key] = parse_qs(urlsplit(response.headers["location"]).query)["token"][0]


def save_older_token(c: Ctx, response: httpx.Response) -> None:
    save_reset_token(c, response, "older_token")


SCENARIO: list[Step | Mail] = [
    Step("ok", "GET", "/api/auth/ok", client=None, status=200),
    Step("get-session, nobody", "GET", "/api/auth/get-session", status=200),
    # sign-up
    Step("sign-up", "POST", "/api/auth/sign-up/email", sign_up("alice"), status=200),
    Step("sign-up, email taken", "POST", "/api/auth/sign-up/email", sign_up("alice"), client="other", status=422),
    Step(
        "sign-up, bad email",
        "POST",
        "/api/auth/sign-up/email",
        lambda c: {"name": "X Y", "email": "not-an-email", "password": PASSWORD},
        client="other",
        status=400,
    ),
    Step(
        "sign-up, short password",
        "POST",
        "/api/auth/sign-up/email",
        lambda c: {"name": "X Y", "email": c.email("bob"), "password": "short"},
        client="other",
        status=400,
    ),
    Step(
        "sign-up, no name",
        "POST",
        "/api/auth/sign-up/email",
        lambda c: {"email": c.email("bob"), "password": PASSWORD},
        client="other",
        status=400,
    ),
    Step(
        "sign-up, untrusted origin",
        "POST",
        "/api/auth/sign-up/email",
        sign_up("bob"),
        client="other",
        origin=EVIL_ORIGIN,
        status=403,
    ),
    # the session, by cookie and by bearer
    Step("get-session, cookie", "GET", "/api/auth/get-session", status=200),
    Step("get-session, bearer (set-auth-token)", "GET", "/api/auth/get-session", auth="bearer", status=200),
    Step("get-session, bearer (raw token)", "GET", "/api/auth/get-session", auth="token", status=200),
    Step(
        "get-session, forged cookie",
        "GET",
        "/api/auth/get-session",
        client="forger",
        status=200,
        headers={"cookie": "better-auth.session_token=AAAA.BBBB"},
    ),
    Step("list-sessions, nobody", "GET", "/api/auth/list-sessions", client=None, status=401),
    Step("list-sessions, one", "GET", "/api/auth/list-sessions", status=200),
    # sign-in
    Step(
        "sign-in, wrong password",
        "POST",
        "/api/auth/sign-in/email",
        sign_in("alice", "not the password"),
        client="other",
        status=401,
    ),
    Step("sign-in, unknown email", "POST", "/api/auth/sign-in/email", sign_in("nobody"), client="other", status=401),
    Step(
        "sign-in, bad email",
        "POST",
        "/api/auth/sign-in/email",
        lambda c: {"email": "not-an-email", "password": PASSWORD},
        client="other",
        status=400,
    ),
    Step("sign-in, second device", "POST", "/api/auth/sign-in/email", sign_in("alice"), client="phone", status=200),
    Step(
        "sign-in, callbackURL",
        "POST",
        "/api/auth/sign-in/email",
        sign_in("alice", callbackURL="/dashboard"),
        client="tablet",
        status=200,
    ),
    Step(
        "sign-in, untrusted callbackURL",
        "POST",
        "/api/auth/sign-in/email",
        sign_in("alice", callbackURL=f"{EVIL_ORIGIN}/x"),
        client="other",
        status=403,
    ),
    # Origin checks on a request that carries the cookie
    Step("sign-out, cookie without Origin", "POST", "/api/auth/sign-out", {}, origin=None, status=403),
    Step("sign-out, cookie from an untrusted Origin", "POST", "/api/auth/sign-out", {}, origin=EVIL_ORIGIN, status=403),
    # sessions
    Step(
        "sign-in, again on the phone", "POST", "/api/auth/sign-in/email", sign_in("alice"), client="phone", status=200
    ),
    Step("get-session, phone", "GET", "/api/auth/get-session", client="phone", status=200, save=save_session_id),
    Step("list-sessions, every device", "GET", "/api/auth/list-sessions", status=200, save=save_phone_token),
    Step(
        "revoke-session, the phone's", "POST", "/api/auth/revoke-session", lambda c: {"token": c["phone"]}, status=200
    ),
    Step("get-session, revoked phone", "GET", "/api/auth/get-session", client="phone", status=200),
    Step("revoke-session, unknown token", "POST", "/api/auth/revoke-session", {"token": "no-such-session"}, status=200),
    Step("revoke-session, no body", "POST", "/api/auth/revoke-session", {}, status=400),
    Step("revoke-session, nobody", "POST", "/api/auth/revoke-session", {"token": "x"}, client=None, status=401),
    Step("revoke-other-sessions", "POST", "/api/auth/revoke-other-sessions", {}, status=200),
    Step("get-session, revoked tablet", "GET", "/api/auth/get-session", client="tablet", status=200),
    Step("get-session, still signed in", "GET", "/api/auth/get-session", status=200),
    Step("revoke-sessions, by bearer", "POST", "/api/auth/revoke-sessions", {}, auth="bearer", status=200),
    Step("get-session, after revoke-sessions", "GET", "/api/auth/get-session", status=200),
    Step("sign-in again", "POST", "/api/auth/sign-in/email", sign_in("alice"), status=200),
    # change-password
    Step(
        "change-password, wrong current",
        "POST",
        "/api/auth/change-password",
        {"currentPassword": "not the password", "newPassword": CHANGED_PASSWORD},
        status=400,
    ),
    Step(
        "change-password, short new",
        "POST",
        "/api/auth/change-password",
        {"currentPassword": PASSWORD, "newPassword": "short"},
        status=400,
    ),
    Step(
        "change-password, nobody",
        "POST",
        "/api/auth/change-password",
        {"currentPassword": PASSWORD, "newPassword": CHANGED_PASSWORD},
        client=None,
        status=401,
    ),
    Step("sign-in, laptop", "POST", "/api/auth/sign-in/email", sign_in("alice"), client="laptop", status=200),
    Step(
        "change-password",
        "POST",
        "/api/auth/change-password",
        {"currentPassword": PASSWORD, "newPassword": CHANGED_PASSWORD},
        status=200,
    ),
    Step("get-session, laptop after change-password", "GET", "/api/auth/get-session", client="laptop", status=200),
    Step(
        "change-password, revokeOtherSessions",
        "POST",
        "/api/auth/change-password",
        {"currentPassword": CHANGED_PASSWORD, "newPassword": PASSWORD, "revokeOtherSessions": True},
        status=200,
    ),
    Step("get-session, after change-password", "GET", "/api/auth/get-session", status=200),
    # password reset, with Better Auth's mailed link
    Step(
        "request-password-reset, unknown email",
        "POST",
        "/api/auth/request-password-reset",
        lambda c: {"email": c.email("nobody"), "redirectTo": RESET_PAGE},
        client="other",
        status=200,
    ),
    Step(
        "request-password-reset, untrusted redirectTo",
        "POST",
        "/api/auth/request-password-reset",
        lambda c: {"email": c.email("alice"), "redirectTo": f"{EVIL_ORIGIN}/reset"},
        client="other",
        status=403,
    ),
    Step(
        "request-password-reset",
        "POST",
        "/api/auth/request-password-reset",
        lambda c: {"email": c.email("alice"), "redirectTo": RESET_PAGE},
        client="other",
        status=200,
    ),
    Mail("the mailed link", "reset-password", "alice", "older_link"),
    Step(
        "the mailed link, opened",
        "GET",
        lambda c: c["older_link"],
        client="mail",
        origin=None,
        status=302,
        save=save_older_token,
    ),
    Step(
        "request-password-reset, again",
        "POST",
        "/api/auth/request-password-reset",
        lambda c: {"email": c.email("alice"), "redirectTo": RESET_PAGE},
        client="other",
        status=200,
    ),
    Mail("the second mailed link", "reset-password", "alice", "link"),
    Step(
        "the second mailed link, opened",
        "GET",
        lambda c: c["link"],
        client="mail",
        origin=None,
        status=302,
        save=save_reset_token,
    ),
    Step(
        "reset link, untrusted callbackURL",
        "GET",
        lambda c: f"/api/auth/reset-password/{c['reset_token']}?callbackURL={EVIL_ORIGIN}/x",
        client="mail",
        origin=None,
        status=403,
    ),
    Step(
        "reset link, unknown token",
        "GET",
        f"/api/auth/reset-password/nosuchtoken?callbackURL={RESET_PAGE}",
        client="mail",
        origin=None,
        status=302,
    ),
    Step(
        "reset link, relative callbackURL",
        "GET",
        "/api/auth/reset-password/nosuchtoken?callbackURL=/reset",
        client="mail",
        origin=None,
        status=302,
    ),
    Step(
        "reset link, no callbackURL",
        "GET",
        "/api/auth/reset-password/nosuchtoken",
        client="mail",
        origin=None,
        status=400,
    ),
    Step(
        "reset-password, short password",
        "POST",
        "/api/auth/reset-password",
        lambda c: {"newPassword": "short", "token": c["reset_token"]},
        client="other",
        status=400,
    ),
    Step(
        "reset-password, unknown token",
        "POST",
        "/api/auth/reset-password",
        {"newPassword": NEW_PASSWORD, "token": "nosuchtoken"},
        client="other",
        status=400,
    ),
    Step(
        "reset-password, no token",
        "POST",
        "/api/auth/reset-password",
        {"newPassword": NEW_PASSWORD},
        client="other",
        status=400,
    ),
    Step(
        "reset-password",
        "POST",
        "/api/auth/reset-password",
        lambda c: {"newPassword": NEW_PASSWORD, "token": c["reset_token"]},
        client="other",
        status=200,
    ),
    Step(
        "reset-password, token used",
        "POST",
        "/api/auth/reset-password",
        lambda c: {"newPassword": CHANGED_PASSWORD, "token": c["reset_token"]},
        client="other",
        status=400,
    ),
    Step("get-session, after reset", "GET", "/api/auth/get-session", status=200),
    Step("sign-in, old password", "POST", "/api/auth/sign-in/email", sign_in("alice"), status=401),
    Step("sign-in, new password", "POST", "/api/auth/sign-in/email", sign_in("alice", NEW_PASSWORD), status=200),
    # rememberMe: false, a browser-session cookie
    Step(
        "sign-in, rememberMe false",
        "POST",
        "/api/auth/sign-in/email",
        sign_in("alice", NEW_PASSWORD, rememberMe=False),
        client="kiosk",
        status=200,
    ),
    Step("get-session, not remembered", "GET", "/api/auth/get-session", client="kiosk", status=200),
    Step(
        "sign-in, remembered again",
        "POST",
        "/api/auth/sign-in/email",
        sign_in("alice", NEW_PASSWORD),
        client="kiosk",
        status=200,
    ),
    Step("sign-out, kiosk", "POST", "/api/auth/sign-out", {}, client="kiosk", status=200),
    # sign-out
    Step("sign-out", "POST", "/api/auth/sign-out", {}, status=200),
    Step("sign-out, signed out", "POST", "/api/auth/sign-out", {}, status=200),
    Step("get-session, after sign-out", "GET", "/api/auth/get-session", status=200),
    # what any route does with a malformed request
    Step(
        "text/plain body",
        "POST",
        "/api/auth/sign-in/email",
        client="other",
        content=b"x",
        headers={"content-type": "text/plain"},
        status=415,
    ),
    Step(
        "malformed JSON",
        "POST",
        "/api/auth/sign-in/email",
        client="other",
        content=b"{nope",
        headers={"content-type": "application/json"},
        status=400,
    ),
    Step("unknown route", "GET", "/api/auth/no-such-route", client="other", status=404),
    Step("GET on a POST route", "GET", "/api/auth/sign-in/email", client="other", status=404),
    # email verification (account "dora")
    Step("sign-up, dora", "POST", "/api/auth/sign-up/email", sign_up("dora"), client="dora", status=200),
    Step(
        "send-verification-email, signed out, unknown address",
        "POST",
        "/api/auth/send-verification-email",
        lambda c: {"email": c.email("nobody")},
        client="other",
        status=200,
    ),
    Step(
        "send-verification-email, not one's own address",
        "POST",
        "/api/auth/send-verification-email",
        lambda c: {"email": c.email("alice")},
        client="dora",
        status=400,
    ),
    Step(
        "send-verification-email, no email", "POST", "/api/auth/send-verification-email", {}, client="dora", status=400
    ),
    Step(
        "send-verification-email",
        "POST",
        "/api/auth/send-verification-email",
        lambda c: {"email": c.email("dora"), "callbackURL": "/verified"},
        client="dora",
        status=200,
    ),
    Mail("the verification link", "verify-email", "dora", "verify_link"),
    Step(
        "verify-email, untrusted callbackURL",
        "GET",
        f"/api/auth/verify-email?token=nosuchtoken&callbackURL={EVIL_ORIGIN}/x",
        client="mail",
        origin=None,
        status=403,
    ),
    Step(
        "verify-email, unknown token",
        "GET",
        "/api/auth/verify-email?token=nosuchtoken",
        client="mail",
        origin=None,
        status=401,
    ),
    Step(
        "verify-email, unknown token with callbackURL",
        "GET",
        "/api/auth/verify-email?token=nosuchtoken&callbackURL=/verified",
        client="mail",
        origin=None,
        status=302,
    ),
    Step(
        "the verification link, opened",
        "GET",
        lambda c: c["verify_link"],
        client="mail",
        origin=None,
        status=302,
    ),
    Step(
        "the verification link, opened again",
        "GET",
        lambda c: c["verify_link"],
        client="mail",
        origin=None,
        status=302,
    ),
    Step("get-session, verified", "GET", "/api/auth/get-session", client="dora", status=200),
    Step(
        "send-verification-email, already verified",
        "POST",
        "/api/auth/send-verification-email",
        lambda c: {"email": c.email("dora")},
        client="dora",
        status=400,
    ),
    # update-user
    Step("update-user, nobody", "POST", "/api/auth/update-user", {"name": "X Y"}, client=None, status=401),
    Step(
        "update-user, email",
        "POST",
        "/api/auth/update-user",
        lambda c: {"email": c.email("erin")},
        client="dora",
        status=400,
    ),
    Step("update-user, nothing", "POST", "/api/auth/update-user", {}, client="dora", status=400),
    Step("update-user, name", "POST", "/api/auth/update-user", {"name": "Dora Explorer"}, client="dora", status=200),
    Step(
        "update-user, first name and image",
        "POST",
        "/api/auth/update-user",
        {"firstName": "Dorothea", "image": "https://example.com/dora.png"},
        client="dora",
        status=200,
    ),
    Step("get-session, updated", "GET", "/api/auth/get-session", client="dora", status=200),
    # change-email: the link goes to the new address (with our `password`, which Better Auth ignores)
    Step(
        "change-email, nobody",
        "POST",
        "/api/auth/change-email",
        lambda c: {"newEmail": c.email("erin")},
        client=None,
        status=401,
    ),
    Step(
        "change-email, the same address",
        "POST",
        "/api/auth/change-email",
        lambda c: {"newEmail": c.email("dora").upper()},
        client="dora",
        status=400,
    ),
    Step(
        "change-email, not an address",
        "POST",
        "/api/auth/change-email",
        {"newEmail": "not-an-email"},
        client="dora",
        status=400,
    ),
    Step(
        "change-email, a taken address",
        "POST",
        "/api/auth/change-email",
        lambda c: {"newEmail": c.email("alice"), "password": PASSWORD},
        client="dora",
        status=200,
    ),
    Step(
        "change-email",
        "POST",
        "/api/auth/change-email",
        lambda c: {"newEmail": c.email("erin"), "password": PASSWORD, "callbackURL": "/changed"},
        client="dora",
        status=200,
    ),
    Mail("the change link", "verify-email", "erin", "change_link"),
    Step("the change link, opened", "GET", lambda c: c["change_link"], client="mail", origin=None, status=302),
    Step("get-session, moved", "GET", "/api/auth/get-session", client="dora", status=200),
    Step("sign-in, the old address", "POST", "/api/auth/sign-in/email", sign_in("dora"), client="other", status=401),
    Step("sign-in, the new address", "POST", "/api/auth/sign-in/email", sign_in("erin"), client="dora2", status=200),
    # delete-user
    Step("delete-user, nobody", "POST", "/api/auth/delete-user", {}, client=None, status=401),
    Step(
        "delete-user, wrong password",
        "POST",
        "/api/auth/delete-user",
        {"password": "not the password"},
        client="dora",
        status=400,
    ),
    Step("delete-user", "POST", "/api/auth/delete-user", {"password": PASSWORD}, client="dora", status=200),
    Step("get-session, deleted", "GET", "/api/auth/get-session", client="dora", status=200),
    Step("get-session, the deleted user's other device", "GET", "/api/auth/get-session", client="dora2", status=200),
    Step("sign-in, deleted", "POST", "/api/auth/sign-in/email", sign_in("erin"), client="other", status=401),
    # stricter than Better Auth (see DELIBERATE)
    Step(
        "reset-password, an older link after a reset",
        "POST",
        "/api/auth/reset-password",
        lambda c: {"newPassword": CHANGED_PASSWORD, "token": c["older_token"]},
        client="other",
        status=200,
    ),
    Step("error page", "GET", "/api/auth/error?error=INVALID_TOKEN", client="other", origin=None, status=302),
    Step(
        "sign-in, form body",
        "POST",
        "/api/auth/sign-in/email",
        client="other",
        content=b"email=nobody%40example.com&password=x",
        headers={"content-type": "application/x-www-form-urlencoded"},
        status=401,
    ),
    Step(
        "request-password-reset, untrusted Origin without cookie",
        "POST",
        "/api/auth/request-password-reset",
        lambda c: {"email": c.email("alice")},
        client="other",
        origin=EVIL_ORIGIN,
        status=200,
    ),
    Step(
        "sign-up, a common password",
        "POST",
        "/api/auth/sign-up/email",
        lambda c: {"name": "Carol C", "email": c.email("carol"), "password": "password123"},
        client="carol",
        status=200,
    ),
    Step("sign-up, frank", "POST", "/api/auth/sign-up/email", sign_up("frank"), client="frank", status=200),
    Step("delete-user, fresh session, no password", "POST", "/api/auth/delete-user", {}, client="frank", status=200),
]


# Every difference the comparison may show, with why it is there. Keys: (step, difference as `run` reports it).
DELIBERATE: dict[tuple[str, str], str] = {
    ("sign-up, a common password", "answer: 200  ≠ 400 PASSWORD_COMPROMISED"): (
        "we refuse the 30,000 most common passwords (and the email itself); Better Auth checks only the length. The "
        "code is the one of Better Auth's haveibeenpwned plugin"
    ),
    ("list-sessions, every device", "body[#]: 4 ≠ 3"): (
        "a sign-in from a browser that holds a session replaces that session (the id rotates); Better Auth keeps both"
    ),
    ("get-session, laptop after change-password", "body: object ≠ null"): (
        "changing the password signs every other session out, whatever revokeOtherSessions says"
    ),
    ("get-session, laptop after change-password", "cookie better-auth.session_token: <absent> ≠ empty"): (
        "… so the laptop's cookie is cleared when it next asks"
    ),
    ("get-session, laptop after change-password", "cookie better-auth.session_data: <absent> ≠ empty"): "(the same)",
    ("get-session, laptop after change-password", "cookie better-auth.dont_remember: <absent> ≠ empty"): "(the same)",
    ("reset-password, an older link after a reset", "answer: 200  ≠ 400 INVALID_TOKEN"): (
        "a reset uses up every reset link of the account, not only the one used"
    ),
    ("error page", "answer: 302  ≠ 200 "): (
        "/error shows a small page of its own; Better Auth in production redirects to `/?error=…` of its own site"
    ),
    ("sign-in, form body", "answer: 401 INVALID_EMAIL_OR_PASSWORD ≠ 415 UNSUPPORTED_MEDIA_TYPE"): (
        "JSON bodies only, like our GraphQL: a cross-site HTML form cannot post JSON without a CORS preflight"
    ),
    ("the verification link, opened again", "location: /verified ≠ /verified?error=INVALID_TOKEN"): (
        "a verification link works once (Better Auth's is a JWT that works until it expires)"
    ),
    ("delete-user, fresh session, no password", "answer: 200  ≠ 400 SESSION_EXPIRED"): (
        "deleting an account with a password always needs it (Better Auth: not within a day of signing in); "
        "SESSION_EXPIRED is Better Auth's code for 're-authenticate'"
    ),
    ("request-password-reset, untrusted Origin without cookie", "answer: 200  ≠ 403 INVALID_ORIGIN"): (
        "a request from an untrusted Origin is refused with or without a cookie (Better Auth: only with one), as on "
        "our GraphQL endpoint"
    ),
}


def emails() -> dict[str, str]:
    tag = secrets.token_hex(4)
    return {who: f"{who}-{tag}@example.com" for who in ("alice", "bob", "carol", "nobody", "dora", "erin", "frank")}


def report(outcomes) -> str:
    return "\n".join(f"{o.step}: {d}" for o in outcomes for d in o.diffs)


async def test_two_better_auth_servers_show_no_difference(better_auth, databases, tmp_path_factory):
    """The runner itself: Better Auth against a second Better Auth differs nowhere (ids, tokens and times are masked),
    so whatever the comparison with ours shows is a real difference."""
    dsn = await create_database(databases)
    with better_auth_server(dsn, tmp_path_factory.mktemp("better_auth_twin"), (APP_ORIGIN,)) as twin:
        a, b = better_auth_target(better_auth), better_auth_target(twin, "twin")
        try:
            outcomes = await run(SCENARIO, a, b, emails())
        finally:
            await a.http.aclose()
            await b.http.aclose()
    assert len(outcomes) == len([s for s in SCENARIO if isinstance(s, Step)])
    assert not report(outcomes), report(outcomes)


async def test_our_routes_differ_from_better_auth_only_where_declared(theirs, ours):
    outcomes = await run(SCENARIO, theirs, ours, emails())
    found = {(o.step, d) for o in outcomes for d in o.diffs}
    undeclared = sorted(found - DELIBERATE.keys())
    gone = sorted(DELIBERATE.keys() - found)
    assert not undeclared and not gone, (
        "undeclared differences:\n"
        + "\n".join(f"  {s}: {d}" for s, d in undeclared)
        + "\ndeclared but not found:\n"
        + "\n".join(f"  {s}: {d}" for s, d in gone)
    )
