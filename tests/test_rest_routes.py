"""Our REST routes beyond what the comparison with Better Auth shows: one session for REST and GraphQL, names split
from `name`, the mailed links, Origin and redirect checks, rate limits, and what a session list reveals."""

from __future__ import annotations

import re
import secrets
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
import pytest_asyncio
from chatbot_agent.config import RateLimit

from .support import BASE_URL, ME, SIGN_IN, body_of, make_settings, running_app, sign_up_input

pytestmark = pytest.mark.asyncio(loop_scope="session")

ORIGIN = "http://localhost:8000"  # PUBLIC_URL of the test settings: a trusted origin
PASSWORD = "correct horse battery staple"


def email() -> str:
    return f"rest-{secrets.token_hex(4)}@example.com"


def client_for(app, **headers) -> httpx.AsyncClient:
    """A browser on our own origin: its own cookie jar, `Origin` on every request."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE_URL, headers={"origin": ORIGIN, **headers}
    )


@pytest_asyncio.fixture(loop_scope="session")
async def app(app_api):
    return app_api[0]


@pytest_asyncio.fixture(loop_scope="session")
async def browser(app):
    async with client_for(app) as client:
        yield client


async def sign_up(client: httpx.AsyncClient, address: str, **body) -> httpx.Response:
    response = await client.post(
        "/api/auth/sign-up/email", json={"name": "Ada Lovelace", "email": address, "password": PASSWORD, **body}
    )
    assert response.status_code == 200, response.text
    return response


def gql(query: str, variables: dict | None = None) -> dict:
    return {"query": query, "variables": variables or {}}


# ------------------------------------------------------------------------------------------- one session


async def test_a_rest_sign_in_is_a_graphql_session_and_the_reverse(app, browser):
    address = email()
    await sign_up(browser, address)
    me = (await browser.post("/graphql", json=gql(ME))).json()["data"]["me"]
    assert me["email"] == address, "REST's cookie signs GraphQL in"

    async with client_for(app) as other:
        signed_in = await other.post("/graphql", json=gql(SIGN_IN, {"input": {"email": address, "password": PASSWORD}}))
        assert signed_in.json()["data"]["signIn"]["__typename"] == "AuthSuccess"
        session = (await other.get("/api/auth/get-session")).json()
        assert session["user"]["email"] == address, "GraphQL's cookie signs REST in"
        assert (await other.post("/api/auth/sign-out", json={})).json() == {"success": True}
        assert (await other.post("/graphql", json=gql(ME))).json()["data"]["me"] is None, "signed out everywhere"
    assert (await browser.post("/graphql", json=gql(ME))).json()["data"]["me"]["email"] == address


async def test_the_bearer_token_of_a_rest_sign_in_works_for_graphql_and_rest(app, browser):
    address = email()
    token = (await sign_up(browser, address)).headers["set-auth-token"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as service:
        bearer = {"authorization": f"Bearer {token}"}
        assert (await service.post("/graphql", json=gql(ME), headers=bearer)).json()["data"]["me"]["email"] == address
        raw = {"authorization": f"Bearer {token.split('.')[0]}"}  # Better Auth also takes the token unsigned
        assert (await service.get("/api/auth/get-session", headers=raw)).json()["user"]["email"] == address
        forged = {"authorization": f"Bearer {token.split('.')[0]}.AAAA"}
        assert (await service.get("/api/auth/get-session", headers=forged)).json() is None
        assert (await service.post("/api/auth/sign-out", json={}, headers=bearer)).status_code == 200
        assert (await service.get("/api/auth/get-session", headers=bearer)).json() is None, "revoked means revoked"
    assert (await browser.get("/api/auth/get-session")).json() is None


async def test_our_access_token_also_works_as_a_rest_bearer(app):
    address = email()
    async with client_for(app) as client:
        result = await client.post(
            "/graphql",
            json=gql(
                "mutation($input: SignUpInput!) { signUp(input: $input) { ... on AuthSuccess { accessToken } } }",
                sign_up_input(address),
            ),
        )
        access = result.json()["data"]["signUp"]["accessToken"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as service:
        answer = (await service.get("/api/auth/get-session", headers={"authorization": f"Bearer {access}"})).json()
        assert answer["user"]["email"] == address
        assert answer["session"]["token"] == answer["session"]["id"], "a JWT carries no session token to show"


# ------------------------------------------------------------------------------------------- sign-up names


@pytest.mark.parametrize(
    ("body", "first", "last"),
    [
        ({"name": "Ludwig van Beethoven"}, "Ludwig", "van Beethoven"),
        ({"name": "  Gabriel\u00a0 García\tMárquez "}, "Gabriel", "García Márquez"),
        ({"name": "Suharto"}, "Suharto", ""),
        ({"name": "ignored when both are given", "firstName": "Grace", "lastName": "Hopper"}, "Grace", "Hopper"),
    ],
)
async def test_sign_up_splits_name_when_first_and_last_name_are_absent(browser, body, first, last):
    user = (await sign_up(browser, email(), **body)).json()["user"]
    assert (user["firstName"], user["lastName"]) == (first, last)
    assert user["name"] == f"{first} {last}".strip()


async def test_sign_up_without_a_usable_name_is_refused(browser):
    response = await browser.post(
        "/api/auth/sign-up/email", json={"name": "   ", "email": email(), "password": PASSWORD}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


# ------------------------------------------------------------------------------------------- mailed links


async def test_a_reset_requested_without_redirect_to_mails_our_web_apps_page(browser, smtp_server, settings):
    address = email()
    await sign_up(browser, address)
    answer = await browser.post("/api/auth/request-password-reset", json={"email": address})
    assert answer.json()["status"] is True
    text = body_of(await smtp_server.wait_for(address))
    assert re.search(rf"{re.escape(settings.frontend_url)}/reset-password\?token=\S+", text), text
    assert "/api/auth/" not in text


async def test_the_mailed_better_auth_link_resets_the_password(browser, smtp_server, settings):
    address = email()
    await sign_up(browser, address)
    page = f"{ORIGIN}/reset-password"
    await browser.post("/api/auth/request-password-reset", json={"email": address, "redirectTo": page})
    link = re.search(r"https?://\S+", body_of(await smtp_server.wait_for(address))).group(0)
    assert link.startswith(f"{settings.public_url}/api/auth/reset-password/")
    assert link.endswith(f"?callbackURL={quote(page, safe='')}")
    opened = await browser.get(urlsplit(link).path + "?" + urlsplit(link).query)
    assert opened.status_code == 302
    token = parse_qs(urlsplit(opened.headers["location"]).query)["token"][0]
    assert (await browser.get(urlsplit(link).path + "?" + urlsplit(link).query)).status_code == 302, "looking is free"
    reset = await browser.post(
        "/api/auth/reset-password", json={"newPassword": "difference engine 1822", "token": token}
    )
    assert reset.json() == {"status": True}
    again = await browser.get(urlsplit(link).path + "?" + urlsplit(link).query)
    assert parse_qs(urlsplit(again.headers["location"]).query) == {"error": ["INVALID_TOKEN"]}


async def test_forget_password_the_route_of_older_better_auth_clients_still_works(browser, smtp_server):
    address = email()
    await sign_up(browser, address)
    answer = await browser.post("/api/auth/forget-password", json={"email": address, "redirectTo": "/reset"})
    assert answer.json()["status"] is True
    assert "/api/auth/reset-password/" in body_of(await smtp_server.wait_for(address))


# ------------------------------------------------------------------------------------------- Origin, redirects


async def test_origin_checks(app, browser):
    address = email()
    await sign_up(browser, address)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as bare:
        body = {"email": address, "password": PASSWORD}
        cookie = {"cookie": f"chatbot_session={browser.cookies['chatbot_session']}"}
        cases = [
            ({"origin": "http://evil.example"}, "/api/auth/sign-in/email", "INVALID_ORIGIN"),
            ({"referer": "http://evil.example/page"}, "/api/auth/sign-in/email", "INVALID_ORIGIN"),
            ({"origin": "null"}, "/api/auth/sign-in/email", "MISSING_OR_NULL_ORIGIN"),
            (cookie, "/api/auth/sign-out", "MISSING_OR_NULL_ORIGIN"),
            (
                {"sec-fetch-mode": "cors", "sec-fetch-site": "same-site"},
                "/api/auth/sign-in/email",
                "MISSING_OR_NULL_ORIGIN",
            ),
            (
                {"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate", "origin": ORIGIN},
                "/api/auth/sign-in/email",
                "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED",
            ),
        ]
        for headers, path, code in cases:
            response = await bare.post(path, json=body, headers=headers)
            assert (response.status_code, response.json().get("code")) == (403, code), (headers, response.text)
        # Not a browser, no cookie: curl and servers may sign in without an Origin, as with Better Auth.
        assert (await bare.post("/api/auth/sign-in/email", json=body)).status_code == 200
        assert (await bare.get("/api/auth/get-session", headers=cookie)).json()["user"]["email"] == address


@pytest.mark.parametrize(
    "url",
    [
        "//evil.example/x",
        "/\\evil.example",
        "http://evil.example/",
        "https://localhost:8000.evil.example/",
        "http://localhost:8000@evil.example/",
        "/%2F%2Fevil.example",
        "javascript:alert(1)",
        "/a\nb",
    ],
)
async def test_no_open_redirects(browser, url):
    address = email()
    await sign_up(browser, address)
    signed = await browser.post(
        "/api/auth/sign-in/email", json={"email": address, "password": PASSWORD, "callbackURL": url}
    )
    assert (signed.status_code, signed.json()["code"]) == (403, "INVALID_CALLBACK_URL")
    requested = await browser.post("/api/auth/request-password-reset", json={"email": address, "redirectTo": url})
    assert (requested.status_code, requested.json()["code"]) == (403, "INVALID_REDIRECT_URL")
    opened = await browser.get(f"/api/auth/reset-password/whatever?callbackURL={quote(url, safe='')}")
    assert opened.status_code == 403 and "location" not in opened.headers


# ------------------------------------------------------------------------------------------- sessions


async def test_list_sessions_reveals_no_other_sessions_token(app, browser):
    address = email()
    mine = (await sign_up(browser, address)).json()["token"]
    async with client_for(app) as phone:
        await phone.post("/api/auth/sign-in/email", json={"email": address, "password": PASSWORD})
        phone_session = (await phone.get("/api/auth/get-session")).json()["session"]
        listed = {s["id"]: s["token"] for s in (await browser.get("/api/auth/list-sessions")).json()}
        assert listed[phone_session["id"]] == phone_session["id"] != phone_session["token"]
        assert mine in listed.values(), "the caller's own token, which it holds anyway"
        stranger = {"authorization": f"Bearer {listed[phone_session['id']]}"}
        assert (await phone.get("/api/auth/get-session", headers=stranger | {"cookie": ""})).json() is None
        revoked = await browser.post("/api/auth/revoke-session", json={"token": phone_session["id"]})
        assert revoked.json() == {"status": True}
        assert (await phone.get("/api/auth/get-session")).json() is None


async def test_a_session_of_another_user_cannot_be_revoked(app, browser):
    await sign_up(browser, email())
    async with client_for(app) as mallory:
        await sign_up(mallory, email())
        victim = (await browser.get("/api/auth/get-session")).json()["session"]
        for token in (victim["id"], victim["token"]):
            assert (await mallory.post("/api/auth/revoke-session", json={"token": token})).json() == {"status": True}
    assert (await browser.get("/api/auth/get-session")).json()["session"]["id"] == victim["id"]


async def test_revoking_the_current_session_clears_the_cookie(browser):
    token = (await sign_up(browser, email())).json()["token"]
    answer = await browser.post("/api/auth/revoke-session", json={"token": token})
    assert answer.json() == {"status": True}
    assert any(h.startswith("chatbot_session=;") for h in answer.headers.get_list("set-cookie"))
    assert (await browser.get("/api/auth/get-session")).json() is None


async def test_remember_me_false_keeps_the_cookie_to_the_browser_session(app):
    address = email()
    async with client_for(app) as kiosk:
        await sign_up(kiosk, address, rememberMe=False)
        cookies = {
            h.split("=", 1)[0]: h
            for h in (
                await kiosk.post(
                    "/api/auth/sign-in/email", json={"email": address, "password": PASSWORD, "rememberMe": False}
                )
            ).headers.get_list("set-cookie")
        }
        assert "Max-Age" not in cookies["chatbot_session"] and "HttpOnly" in cookies["chatbot_session"]
        assert "Max-Age" not in cookies["chatbot_session_dont_remember"]
        assert (await kiosk.get("/api/auth/get-session")).json()["user"]["email"] == address
        signed_out = await kiosk.post("/api/auth/sign-out", json={})
        cleared = [h for h in signed_out.headers.get_list("set-cookie") if "Max-Age=0" in h]
        assert {h.split("=", 1)[0] for h in cleared} == {"chatbot_session", "chatbot_session_dont_remember"}


# ------------------------------------------------------------------------------------------- rate limits


async def test_rate_limits_answer_like_better_auths(database_url, smtp_server, tmp_path):
    settings = make_settings(
        database_url,
        tmp_path,
        smtp_url=smtp_server.url,
        rate_limit_enabled=True,
        rate_limit_sign_in_email=RateLimit(2, 600),
    )
    async with running_app(settings) as (app, _), client_for(app) as client:
        body = {"email": email(), "password": "not the password at all"}
        for _ in range(2):
            assert (await client.post("/api/auth/sign-in/email", json=body)).status_code == 401
        limited = await client.post("/api/auth/sign-in/email", json=body)
        assert limited.status_code == 429
        assert limited.json() == {"message": "Too many requests. Please try again later."}
        assert 0 < int(limited.headers["x-retry-after"]) <= 600
        assert limited.headers["retry-after"] == limited.headers["x-retry-after"]
