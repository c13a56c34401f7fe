"""Better Auth's twoFactor and magicLink routes, served by the two-factor and magic-link methods: the flows Better
Auth's client drives (enable → verify-totp → sign-in answers twoFactorRedirect → verify-totp / verify-backup-code;
sign-in/magic-link → the mailed /magic-link/verify link), with Better Auth's answers and error codes."""

from __future__ import annotations

import re
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest
import pytest_asyncio

from .support import BASE_URL, body_of
from .test_two_factor import fresh_step, mail_with_subject

pytestmark = pytest.mark.asyncio(loop_scope="session")

ORIGIN = "http://localhost:8000"  # PUBLIC_URL of the test settings: a trusted origin
PASSWORD = "correct horse battery staple"


def client_for(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL, headers={"origin": ORIGIN})


@pytest_asyncio.fixture(loop_scope="session")
async def app(app_api):
    return app_api[0]


async def signed_up(client: httpx.AsyncClient) -> str:
    address = f"rest-2fa-{secrets.token_hex(4)}@example.com"
    response = await client.post(
        "/api/auth/sign-up/email", json={"name": "Ada Lovelace", "email": address, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return address


async def with_two_factor(client: httpx.AsyncClient) -> tuple[str, str, list[str]]:
    address = await signed_up(client)
    wrong = await client.post("/api/auth/two-factor/enable", json={"password": "not it"})
    assert (wrong.status_code, wrong.json()["code"]) == (400, "INVALID_PASSWORD")
    enabled = (await client.post("/api/auth/two-factor/enable", json={"password": PASSWORD})).json()
    secret = parse_qs(urlsplit(enabled["totpURI"]).query)["secret"][0]
    fresh_step()
    confirmed = await client.post(
        "/api/auth/two-factor/verify-totp", json={"code": pyotp.TOTP(secret).at(time.time() - 30)}
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["user"]["email"] == address
    return address, secret, enabled["backupCodes"]


async def pending(client: httpx.AsyncClient, address: str) -> None:
    await client.post("/api/auth/sign-out", json={})
    answer = await client.post("/api/auth/sign-in/email", json={"email": address, "password": PASSWORD})
    assert answer.json() == {"twoFactorRedirect": True, "twoFactorMethods": ["totp", "backup-code"]}
    assert "set-auth-token" not in answer.headers  # no session yet
    assert (await client.get("/api/auth/get-session")).json() is None


async def test_enable_then_sign_in_with_a_totp_code_as_better_auths_client_does(app):
    async with client_for(app) as browser:
        address, secret, codes = await with_two_factor(browser)
        assert len(codes) == 10
        uri = (await browser.post("/api/auth/two-factor/get-totp-uri", json={"password": PASSWORD})).json()["totpURI"]
        assert parse_qs(urlsplit(uri).query)["secret"] == [secret]

        await pending(browser, address)
        wrong = await browser.post("/api/auth/two-factor/verify-totp", json={"code": "12345x"})
        assert (wrong.status_code, wrong.json()["code"]) == (401, "INVALID_CODE")
        async with client_for(app) as thief:  # no pending cookie
            stolen = await thief.post("/api/auth/two-factor/verify-totp", json={"code": pyotp.TOTP(secret).now()})
            assert (stolen.status_code, stolen.json()["code"]) == (401, "INVALID_TWO_FACTOR_COOKIE")
        done = await browser.post(
            "/api/auth/two-factor/verify-totp", json={"code": pyotp.TOTP(secret).now(), "trustDevice": True}
        )
        assert done.status_code == 200, done.text
        assert done.json()["user"]["email"] == address and done.json()["token"] and done.headers["set-auth-token"]
        assert (await browser.get("/api/auth/get-session")).json()["user"]["email"] == address

        # trusted now: the next sign-in needs no code
        await browser.post("/api/auth/sign-out", json={})
        again = await browser.post("/api/auth/sign-in/email", json={"email": address, "password": PASSWORD})
        assert again.json()["user"]["email"] == address


async def test_backup_codes_regenerate_and_disable(app):
    async with client_for(app) as browser:
        address, _, old = await with_two_factor(browser)
        new = (await browser.post("/api/auth/two-factor/generate-backup-codes", json={"password": PASSWORD})).json()
        assert new["status"] is True and len(new["backupCodes"]) == 10
        await pending(browser, address)
        refused = await browser.post("/api/auth/two-factor/verify-backup-code", json={"code": old[0]})
        assert (refused.status_code, refused.json()["code"]) == (401, "INVALID_BACKUP_CODE")
        totp_here = await browser.post("/api/auth/two-factor/verify-totp", json={"code": new["backupCodes"][0]})
        assert totp_here.json()["code"] == "INVALID_CODE"  # verify-totp takes only TOTP codes
        done = await browser.post("/api/auth/two-factor/verify-backup-code", json={"code": new["backupCodes"][0]})
        assert done.status_code == 200 and done.json()["user"]["email"] == address

        off = await browser.post("/api/auth/two-factor/disable", json={"password": PASSWORD})
        assert off.json() == {"status": True}
        await browser.post("/api/auth/sign-out", json={})
        direct = await browser.post("/api/auth/sign-in/email", json={"email": address, "password": PASSWORD})
        assert direct.json()["user"]["email"] == address


async def mailed_link(smtp_server, address: str) -> str:
    message = await mail_with_subject(smtp_server, address, "Your sign-in link")
    match = re.search(r"https?://\S+/api/auth/magic-link/verify\?\S+", body_of(message))
    assert match, body_of(message)
    return match.group(0)


async def test_magic_link_routes_sign_in_once_and_redirect_only_inside(app, smtp_server):
    async with client_for(app) as browser:
        address = await signed_up(browser)
        await browser.post("/api/auth/sign-out", json={})
        outside = await browser.post(
            "/api/auth/sign-in/magic-link", json={"email": address, "callbackURL": "https://evil.example/"}
        )
        assert (outside.status_code, outside.json()["code"]) == (403, "INVALID_CALLBACK_URL")
        sent = await browser.post("/api/auth/sign-in/magic-link", json={"email": address, "callbackURL": "/account"})
        assert sent.json() == {"status": True}
        assert (
            await browser.post("/api/auth/sign-in/magic-link", json={"email": f"nobody-{secrets.token_hex(3)}@x.org"})
        ).json() == {"status": True}
        link = await mailed_link(smtp_server, address)
        assert link.startswith("http://localhost:8000/api/auth/magic-link/verify?token=")
        path = link.removeprefix("http://localhost:8000")

        opened = await browser.get(path)
        assert (opened.status_code, opened.headers["location"]) == (302, "http://localhost:8000/account")
        assert (await browser.get("/api/auth/get-session")).json()["user"]["emailVerified"] is True

        async with client_for(app) as other:
            reused = await other.get(path)
            assert reused.status_code == 302
            assert reused.headers["location"] == "http://localhost:8000/account?error=INVALID_TOKEN"
            assert (await other.get("/api/auth/get-session")).json() is None


async def test_a_magic_link_for_a_two_factor_user_lands_on_the_second_step(app, smtp_server):
    async with client_for(app) as browser:
        address, secret, _ = await with_two_factor(browser)
        await browser.post("/api/auth/sign-out", json={})
        await browser.post("/api/auth/sign-in/magic-link", json={"email": address, "callbackURL": "/account"})
        path = (await mailed_link(smtp_server, address)).removeprefix("http://localhost:8000")
        opened = await browser.get(path)
        assert opened.status_code == 302
        assert opened.headers["location"] == "http://localhost:8000/two-factor?next=%2Faccount"
        assert (await browser.get("/api/auth/get-session")).json() is None  # not signed in by the link alone
        done = await browser.post("/api/auth/two-factor/verify-totp", json={"code": pyotp.TOTP(secret).now()})
        assert done.status_code == 200 and done.json()["user"]["email"] == address
