"""The passkey plugin's Better Auth routes (/api/auth/passkey/...), driven as Better Auth's client drives them, with
the software authenticator: register, list, rename, delete, sign in; the same passkeys as GraphQL's; the
challenge works once; another origin, an unknown passkey and a signed-out caller are refused with the plugin's
codes (the deliberate differences are in auth/methods/passkey/rest.py)."""

from __future__ import annotations

import base64
import secrets

import httpx
import pytest
import pytest_asyncio

from .passkey_support import SoftAuthenticator
from .support import BASE_URL

pytestmark = pytest.mark.asyncio(loop_scope="session")

ORIGIN = "http://localhost:8000"  # PUBLIC_URL of the test settings: the RP's origin and a trusted one
PASSWORD = "correct horse battery staple"
P = "/api/auth/passkey"
MY_PASSKEYS = "{ myPasskeys { id name } }"


def client_for(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL, headers={"origin": ORIGIN})


@pytest_asyncio.fixture(loop_scope="session")
async def signed_up(app_api):
    """(app, a browser signed up over REST, its user JSON, an authenticator with one passkey registered over REST,
    that passkey's JSON)."""
    app = app_api[0]
    async with client_for(app) as browser:
        address = f"pk-rest-{secrets.token_hex(4)}@example.com"
        response = await browser.post(
            "/api/auth/sign-up/email", json={"name": "Ada Lovelace", "email": address, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        authenticator = SoftAuthenticator(ORIGIN)
        options = (await browser.get(f"{P}/generate-register-options")).json()
        registered = await browser.post(
            f"{P}/verify-registration", json={"response": authenticator.create(options), "name": "Laptop"}
        )
        assert registered.status_code == 200, registered.text
        yield app, browser, response.json()["user"], authenticator, registered.json()


async def test_register_over_rest_as_the_plugin_answers(signed_up):
    app, browser, user, authenticator, passkey = signed_up
    cred = authenticator.credentials[0]
    assert passkey == {
        "id": passkey["id"],
        "name": "Laptop",
        "publicKey": base64.b64encode(cred.cose_public_key()).decode(),
        "userId": user["id"],
        "credentialID": cred.id,
        "counter": 0,
        "deviceType": "singleDevice",
        "backedUp": False,
        "transports": "internal,hybrid",
        "createdAt": passkey["createdAt"],
        "aaguid": "00000000-0000-0000-0000-000000000000",
    }
    assert passkey["createdAt"].endswith("Z")
    listed = (await browser.get(f"{P}/list-user-passkeys")).json()
    assert listed == [passkey]
    graphql = (await browser.post("/graphql", json={"query": MY_PASSKEYS})).json()["data"]["myPasskeys"]
    assert graphql == [{"id": passkey["id"], "name": "Laptop"}]  # one passkey, whichever transport made it

    options = (await browser.get(f"{P}/generate-register-options?authenticatorAttachment=platform&name=ada")).json()
    assert options["authenticatorSelection"]["authenticatorAttachment"] == "platform"
    assert options["user"]["name"] == "ada" and options["excludeCredentials"][0]["id"] == cred.id
    bad = await browser.get(f"{P}/generate-register-options?authenticatorAttachment=usb")
    assert bad.status_code == 400 and bad.json()["code"] == "VALIDATION_ERROR"


async def test_sign_in_over_rest_sets_the_session_and_the_bearer_token(signed_up):
    app, _, user, authenticator, _ = signed_up
    async with client_for(app) as other:
        options = (await other.get(f"{P}/generate-authenticate-options")).json()
        assert options["rpId"] == "localhost" and not options.get("allowCredentials")
        response = authenticator.get(options)
        answer = await other.post(f"{P}/verify-authentication", json={"response": response})
        assert answer.status_code == 200, answer.text
        session = answer.json()["session"]
        assert session["userId"] == user["id"] and session["token"] and session["expiresAt"].endswith("Z")
        assert answer.headers["set-auth-token"] and "chatbot_session=" in answer.headers["set-cookie"]
        assert (await other.get("/api/auth/get-session")).json()["user"]["id"] == user["id"]

        replay = await other.post(f"{P}/verify-authentication", json={"response": response})
        assert (replay.status_code, replay.json()["code"]) == (400, "CHALLENGE_NOT_FOUND")

        # signed in, the options list the caller's own passkeys (as the plugin does)
        mine = (await other.get(f"{P}/generate-authenticate-options")).json()
        assert [c["id"] for c in mine["allowCredentials"]] == [authenticator.credentials[0].id]


async def test_refusals_with_the_plugins_codes(signed_up):
    app, browser, _, authenticator, passkey = signed_up
    async with client_for(app) as stranger:
        options = (await stranger.get(f"{P}/generate-authenticate-options")).json()
        phished = await stranger.post(
            f"{P}/verify-authentication", json={"response": authenticator.get(options, origin="http://localhost:9999")}
        )
        assert (phished.status_code, phished.json()["code"]) == (401, "AUTHENTICATION_FAILED")
        unknown = SoftAuthenticator(ORIGIN)
        unknown.create({"rp": {"id": "localhost"}, "user": {"id": "AA"}, "challenge": "AAAA"})
        options = (await stranger.get(f"{P}/generate-authenticate-options")).json()
        answer = await stranger.post(f"{P}/verify-authentication", json={"response": unknown.get(options)})
        assert (answer.status_code, answer.json()["code"]) == (401, "AUTHENTICATION_FAILED")
        malformed = await stranger.post(f"{P}/verify-authentication", json={"response": "nope"})
        assert (malformed.status_code, malformed.json()["code"]) == (400, "VALIDATION_ERROR")
        assert (await stranger.get("/api/auth/get-session")).json() is None

        for method, path, body in (
            ("GET", "/generate-register-options", None),
            ("GET", "/list-user-passkeys", None),
            ("POST", "/delete-passkey", {"id": passkey["id"]}),
            ("POST", "/update-passkey", {"id": passkey["id"], "name": "mine"}),
        ):
            answer = await stranger.request(method, P + path, json=body)
            assert (answer.status_code, answer.json()["code"]) == (401, "UNAUTHORIZED"), path

    # a registration answer for another challenge, or a made-up one
    options = (await browser.get(f"{P}/generate-register-options")).json()
    forged = SoftAuthenticator(ORIGIN).create({**options, "challenge": "bm90LWlzc3VlZA"})
    answer = await browser.post(f"{P}/verify-registration", json={"response": forged})
    assert (answer.status_code, answer.json()["code"]) == (400, "CHALLENGE_NOT_FOUND")
    wrong_site = SoftAuthenticator(ORIGIN).create(options, origin="http://localhost:9999")
    answer = await browser.post(f"{P}/verify-registration", json={"response": wrong_site})
    assert (answer.status_code, answer.json()["code"]) == (400, "FAILED_TO_VERIFY_REGISTRATION")


async def test_rename_and_delete_over_rest(signed_up):
    _, browser, _, authenticator, passkey = signed_up
    renamed = await browser.post(f"{P}/update-passkey", json={"id": passkey["id"], "name": "Work laptop"})
    assert renamed.status_code == 200 and renamed.json()["passkey"]["name"] == "Work laptop"
    empty = await browser.post(f"{P}/update-passkey", json={"id": passkey["id"], "name": " "})
    assert empty.status_code == 400 and empty.json()["code"] == "VALIDATION_ERROR"

    deleted = await browser.post(f"{P}/delete-passkey", json={"id": passkey["id"]})
    assert (deleted.status_code, deleted.json()) == (200, {"status": True})
    again = await browser.post(f"{P}/delete-passkey", json={"id": passkey["id"]})
    assert (again.status_code, again.json()["code"]) == (404, "PASSKEY_NOT_FOUND")
    assert (await browser.get(f"{P}/list-user-passkeys")).json() == []
    options = (await browser.get(f"{P}/generate-authenticate-options")).json()
    gone = await browser.post(f"{P}/verify-authentication", json={"response": authenticator.get(options)})
    assert (gone.status_code, gone.json()["code"]) == (401, "AUTHENTICATION_FAILED")
