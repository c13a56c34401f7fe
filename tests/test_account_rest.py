"""The email-verification and account REST routes beyond what the comparison with Better Auth shows: Better Auth's
client changes the email without a password (the current address confirms first), signed-out verification links are
mailed without revealing who has an account, the links' answers, the web app's links, deletion needs the password."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import pytest_asyncio

from .support import BASE_URL, ME, body_of, mailed_link, make_settings, reset_token

pytestmark = pytest.mark.asyncio(loop_scope="session")

ORIGIN = "http://localhost:8000"  # PUBLIC_URL of the test settings: a trusted origin
PASSWORD = "correct horse battery staple"


def email(name: str = "rest") -> str:
    return f"{name}-{secrets.token_hex(4)}@example.com"


@pytest.fixture
def settings(database_url, smtp_server, tmp_path):
    return make_settings(database_url, tmp_path, smtp_url=smtp_server.url, email_verification="optional")


@pytest_asyncio.fixture(loop_scope="session")
async def app(app_api):
    return app_api[0]


def browser(app) -> httpx.AsyncClient:
    """A browser on our own origin, with its own cookie jar."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL, headers={"origin": ORIGIN})


async def sign_up(client: httpx.AsyncClient, address: str) -> dict:
    response = await client.post(
        "/api/auth/sign-up/email", json={"name": "Ada Lovelace", "email": address, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return response.json()["user"]


def path_of(link: str) -> str:
    """A mailed link to PUBLIC_URL, as a path on the app under test."""
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


async def test_better_auths_change_email_without_a_password_is_confirmed_by_the_current_address(app, smtp_server):
    old, new = email("old"), email("new")
    async with browser(app) as client:
        await sign_up(client, old)
        answer = await client.post("/api/auth/change-email", json={"newEmail": new, "callbackURL": "/settings"})
        assert answer.status_code == 200 and answer.json() == {"status": True}

        # the current address gets the confirmation, Better Auth's REST link; nothing goes to the new one yet
        confirm = await smtp_server.wait_for(old, 2)  # after the sign-up's verification link
        assert confirm["Subject"] == "Confirm changing your email address" and new in body_of(confirm)
        link = mailed_link(confirm, "api/auth/verify-email")
        assert link.startswith(f"{ORIGIN}/api/auth/verify-email?token=") and "callbackURL=%2Fsettings" in link
        assert smtp_server.to(new) == []
        assert (await client.get("/api/auth/get-session")).json()["user"]["email"] == old

        # opened (from the mail, no session): back to the callback, and the link to the new address leaves
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as mail_app:
            opened = await mail_app.get(path_of(link))
            assert (opened.status_code, opened.headers["location"]) == (302, "/settings")
            final = mailed_link(await smtp_server.wait_for(new), "api/auth/verify-email")
            assert (await client.get("/api/auth/get-session")).json()["user"]["email"] == old
            again = await mail_app.get(path_of(link))
            assert again.headers["location"] == "/settings?error=INVALID_TOKEN"  # the confirmation works once
            done = await mail_app.get(path_of(final))
            assert (done.status_code, done.headers["location"]) == (302, "/settings")
        assert len(smtp_server.to(new)) == 1  # only the link sent once the current address confirmed
        session = (await client.get("/api/auth/get-session")).json()
        assert (session["user"]["email"], session["user"]["emailVerified"]) == (new, True)


async def test_a_change_asked_without_the_password_and_confirmed_in_the_web_app(app, smtp_server):
    """Without callbackURL the links are the web app's /verify-email page, which calls verifyEmail (GraphQL)."""
    old, new = email("old"), email("new")
    verify = """mutation($token: String!) { verifyEmail(input: {token: $token}) {
      ... on VerifyEmailSuccess { outcome message user { email } } ... on AuthError { code } } }"""
    async with browser(app) as client:
        await sign_up(client, old)
        assert (await client.post("/api/auth/change-email", json={"newEmail": new})).status_code == 200
        link = mailed_link(await smtp_server.wait_for(old, 2), "verify-email")
        assert link.startswith("http://localhost:8000/verify-email?token=")  # FRONTEND_URL
        confirmed = await client.post("/graphql", json={"query": verify, "variables": {"token": token_of(link)}})
        result = confirmed.json()["data"]["verifyEmail"]
        assert result["outcome"] == "CHANGE_CONFIRMED" and result["user"]["email"] == old and new in result["message"]
        final = mailed_link(await smtp_server.wait_for(new), "verify-email")
        changed = await client.post("/graphql", json={"query": verify, "variables": {"token": token_of(final)}})
        assert changed.json()["data"]["verifyEmail"]["outcome"] == "EMAIL_CHANGED"
        assert (await client.post("/graphql", json={"query": ME})).json()["data"]["me"]["email"] == new


async def test_change_email_with_a_wrong_password_and_to_a_taken_address(app, smtp_server):
    mine, taken = email("mine"), email("taken")
    async with browser(app) as client, browser(app) as other:
        await sign_up(client, mine)
        await sign_up(other, taken)
        wrong = await client.post("/api/auth/change-email", json={"newEmail": email(), "password": "nope"})
        assert (wrong.status_code, wrong.json()["code"]) == (400, "INVALID_PASSWORD")
        # a taken address is answered like a free one (Better Auth's way), and nothing is mailed to it
        answer = await client.post("/api/auth/change-email", json={"newEmail": taken, "password": PASSWORD})
        assert answer.json() == {"status": True}
        await other.post("/api/auth/request-password-reset", json={"email": taken})  # mail leaves in order
        assert (await smtp_server.wait_for(taken, 2))["Subject"] == "Reset your password"


async def test_signed_out_send_verification_email_tells_nothing_and_mails_only_unverified_accounts(app, smtp_server):
    unverified, unknown = email("unverified"), email("unknown")
    async with browser(app) as client:
        await sign_up(client, unverified)
        await client.post("/api/auth/sign-out", json={})
    async with browser(app) as stranger:
        answers = [
            await stranger.post("/api/auth/send-verification-email", json={"email": address, "callbackURL": "/ok"})
            for address in (unverified.upper(), unknown)
        ]
        assert [(a.status_code, a.json()) for a in answers] == [(200, {"status": True})] * 2
        link = mailed_link(await smtp_server.wait_for(unverified, 2), "api/auth/verify-email")
        assert "callbackURL=%2Fok" in link
        plain = await stranger.get(path_of(link).replace("&callbackURL=%2Fok", ""))
        assert (plain.status_code, plain.json()) == (200, {"status": True, "user": None})
        # verified now: another request mails nothing (the next mail to it is the reset asked for below)
        await stranger.post("/api/auth/send-verification-email", json={"email": unverified})
        await stranger.post("/api/auth/request-password-reset", json={"email": unverified})
        assert (await smtp_server.wait_for(unverified, 3))["Subject"] == "Reset your password"
    assert smtp_server.to(unknown) == []


async def test_verify_email_answers_the_changed_user_and_refuses_other_kinds(app, smtp_server):
    old, new = email("old"), email("new")
    async with browser(app) as client:
        user = await sign_up(client, old)
        await client.post("/api/auth/change-email", json={"newEmail": new, "password": PASSWORD})
        final = mailed_link(await smtp_server.wait_for(new), "verify-email")
        await client.post("/api/auth/request-password-reset", json={"email": old})
        reset = reset_token(await smtp_server.wait_for(old, 3))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as mail_app:
        for token in ("nosuchtoken", reset):
            refused = await mail_app.get("/api/auth/verify-email", params={"token": token})
            assert (refused.status_code, refused.json()["code"]) == (401, "INVALID_TOKEN")
        changed = await mail_app.get("/api/auth/verify-email", params={"token": token_of(final)})
        body = changed.json()
        assert body["status"] is True and (body["user"]["id"], body["user"]["email"]) == (user["id"], new)
        assert body["user"]["emailVerified"] is True


async def test_update_user_splits_name_and_sets_the_image(app):
    async with browser(app) as client:
        await sign_up(client, email())
        answer = await client.post("/api/auth/update-user", json={"name": "  Ludwig  van Beethoven "})
        assert answer.json() == {"status": True}
        user = (await client.get("/api/auth/get-session")).json()["user"]
        assert (user["name"], user["firstName"], user["lastName"]) == (
            "Ludwig van Beethoven",
            "Ludwig",
            "van Beethoven",
        )
        await client.post("/api/auth/update-user", json={"lastName": "B.", "image": "https://example.com/l.png"})
        user = (await client.get("/api/auth/get-session")).json()["user"]
        assert (user["name"], user["image"]) == ("Ludwig B.", "https://example.com/l.png")
        await client.post("/api/auth/update-user", json={"image": None})
        assert (await client.get("/api/auth/get-session")).json()["user"]["image"] is None
        bad = await client.post("/api/auth/update-user", json={"firstName": "\u0007"})
        assert (bad.status_code, bad.json()["code"]) == (400, "VALIDATION_ERROR")
        long = await client.post("/api/auth/update-user", json={"image": "x" * 3000})
        assert long.status_code == 400


async def test_delete_user_needs_the_password(app):
    address = email()
    async with browser(app) as client:
        await sign_up(client, address)
        fresh = await client.post("/api/auth/delete-user", json={})
        assert (fresh.status_code, fresh.json()["code"]) == (400, "SESSION_EXPIRED")
        deleted = await client.post("/api/auth/delete-user", json={"password": PASSWORD})
        assert deleted.json() == {"success": True, "message": "User deleted"}
        assert (await client.get("/api/auth/get-session")).json() is None
        signed_in = await client.post("/api/auth/sign-in/email", json={"email": address, "password": PASSWORD})
        assert signed_in.status_code == 401
