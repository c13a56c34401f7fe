"""Passkeys over real HTTP (GraphQL), with a software authenticator (tests/passkey_support.py) standing in for the
browser: registration and discoverable sign-in, listing, renaming, deleting; and what is refused: a challenge that
was never issued, replayed, expired, of another user or of the other ceremony; another origin or RP ID; a signature
counter that does not move on; a credential registered twice; malformed answers; someone else's passkey."""

from __future__ import annotations

import asyncio
import base64
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from chatbot_agent.auth.methods.passkey.ceremony import b64url_encode
from chatbot_agent.config import RateLimit

from .passkey_support import SoftAuthenticator, b64url, unb64url
from .support import ME, SIGN_OUT, SIGN_UP, body_of, make_settings, new_client, running_app, sign_up_input

pytestmark = pytest.mark.asyncio(loop_scope="session")

ORIGIN = "http://localhost:8000"  # make_settings' PUBLIC_URL: the RP ID is localhost
ERR = "... on AuthError { code message field retryAfterSeconds }"
FIELDS = "id name createdAt deviceType backedUp transports"
REG_OPTIONS = f"mutation {{ passkeyRegistrationOptions {{ __typename ... on PasskeyOptions {{ options }} {ERR} }} }}"
REGISTER = f"""mutation($input: RegisterPasskeyInput!) {{ registerPasskey(input: $input) {{
  __typename ... on PasskeySuccess {{ passkey {{ {FIELDS} }} }} {ERR} }} }}"""
MY_PASSKEYS = f"{{ myPasskeys {{ {FIELDS} }} }}"
RENAME = f"""mutation($input: RenamePasskeyInput!) {{ renamePasskey(input: $input) {{
  __typename ... on PasskeySuccess {{ passkey {{ {FIELDS} }} }} {ERR} }} }}"""
DELETE = (
    f"""mutation($id: ID!) {{ deletePasskey(id: $id) {{ __typename ... on DeletePasskeySuccess {{ id }} {ERR} }} }}"""
)
SIGN_IN_OPTIONS = f"mutation {{ passkeySignInOptions {{ __typename ... on PasskeyOptions {{ options }} {ERR} }} }}"
SIGN_IN = f"""mutation($input: SignInWithPasskeyInput!) {{ signInWithPasskey(input: $input) {{
  __typename ... on AuthSuccess {{ accessToken user {{ id email }} }} ... on TwoFactorRequired {{ methods }} {ERR} }} }}"""


def unique(tag: str = "pk") -> str:
    return f"{tag}-{secrets.token_hex(4)}@example.com"


async def mail_titled(smtp_server, address: str, subject: str, timeout: float = 10.0):
    """The mail to `address` with this subject (sign-up may mail too, so counting mails would not do)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        for message in smtp_server.to(address):
            if message["Subject"] == subject:
                return message
        await asyncio.sleep(0.05)
    raise AssertionError(f"no mail {subject!r} to {address} within {timeout}s")


async def signed_up(client, email: str | None = None) -> dict:
    result = (await client(SIGN_UP, sign_up_input(email or unique())))["signUp"]
    assert result["__typename"] == "AuthSuccess", result
    return result["user"]


async def options_for_registration(client) -> dict:
    result = (await client(REG_OPTIONS))["passkeyRegistrationOptions"]
    assert result["__typename"] == "PasskeyOptions", result
    return result["options"]


async def register(client, authenticator: SoftAuthenticator, name: str | None = "Laptop", **create) -> dict:
    response = authenticator.create(await options_for_registration(client), **create)
    return (await client(REGISTER, {"input": {"response": response, "name": name}}))["registerPasskey"]


async def options_for_sign_in(client) -> dict:
    result = (await client(SIGN_IN_OPTIONS))["passkeySignInOptions"]
    assert result["__typename"] == "PasskeyOptions", result
    return result["options"]


async def sign_in(client, response) -> dict:
    return (await client(SIGN_IN, {"input": {"response": response}}))["signInWithPasskey"]


@pytest.fixture
async def user_with_passkey(app_api):
    """(app, client signed in, user, authenticator holding one registered passkey, the passkey)."""
    app, api = app_api
    user = await signed_up(api)
    authenticator = SoftAuthenticator(ORIGIN)
    result = await register(api, authenticator)
    assert result["__typename"] == "PasskeySuccess", result
    return app, api, user, authenticator, result["passkey"]


async def test_register_list_and_sign_in_with_the_passkey_alone(user_with_passkey, db, smtp_server):
    app, api, user, authenticator, passkey = user_with_passkey
    notice = await mail_titled(smtp_server, user["email"], "A passkey was added to your account")  # the owner is told
    assert "“Laptop”" in body_of(notice) and "http://localhost:8000/account" in body_of(notice)
    assert passkey["name"] == "Laptop" and passkey["transports"] == ["internal", "hybrid"]
    assert passkey["deviceType"] == "singleDevice" and passkey["backedUp"] is False
    assert (await api(MY_PASSKEYS))["myPasskeys"] == [passkey]

    # Better Auth's encodings in Better Auth's table
    row = await db.fetchrow("SELECT * FROM passkey WHERE id = $1", passkey["id"])
    cred = authenticator.credentials[0]
    assert row["userId"] == user["id"] and row["credentialID"] == cred.id and row["counter"] == 0
    assert base64.b64decode(row["publicKey"]) == cred.cose_public_key()
    assert row["transports"] == "internal,hybrid" and row["aaguid"] == "00000000-0000-0000-0000-000000000000"

    # another browser, nobody signed in: the options name no credential (discoverable), the passkey says who
    browser = new_client(app)
    options = await options_for_sign_in(browser)
    assert options["rpId"] == "localhost" and options.get("allowCredentials", []) == []
    assert options["userVerification"] == "preferred"
    result = await sign_in(browser, authenticator.get(options))
    assert result["__typename"] == "AuthSuccess", result
    assert result["user"]["id"] == user["id"] and result["accessToken"]
    assert (await browser(ME))["me"]["id"] == user["id"]
    assert await db.fetchval("SELECT counter FROM passkey WHERE id = $1", passkey["id"]) == 1
    await browser.http.aclose()


async def test_registration_options(app_api):
    _, api = app_api
    user = await signed_up(api)
    authenticator = SoftAuthenticator(ORIGIN)
    options = await options_for_registration(api)
    assert options["rp"] == {"id": "localhost", "name": "Chatbot Agent"}
    assert options["user"]["name"] == user["email"] and options["user"]["displayName"] == "Ada Lovelace"
    assert unb64url(options["user"]["id"]) == user["id"].encode()
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["attestation"] == "none" and options["excludeCredentials"] == []
    assert len(unb64url(options["challenge"])) >= 32
    assert {p["alg"] for p in options["pubKeyCredParams"]} == {-8, -7, -257}
    first = authenticator.create(options)
    assert (await api(REGISTER, {"input": {"response": first}}))["registerPasskey"]["passkey"]["name"] is None
    again = await options_for_registration(api)
    assert again["challenge"] != options["challenge"]
    assert again["excludeCredentials"] == [
        {"id": first["id"], "type": "public-key", "transports": ["internal", "hybrid"]}
    ]


async def test_signed_out_cannot_register_and_sees_no_passkeys(app_api):
    _, api = app_api
    assert (await api(REG_OPTIONS))["passkeyRegistrationOptions"]["code"] == "NOT_AUTHENTICATED"
    assert (await api(MY_PASSKEYS))["myPasskeys"] == []
    response = SoftAuthenticator(ORIGIN).create({"rp": {"id": "localhost"}, "user": {"id": "AA"}, "challenge": "AAAA"})
    assert (await api(REGISTER, {"input": {"response": response}}))["registerPasskey"]["code"] == "NOT_AUTHENTICATED"


async def test_a_challenge_works_once(user_with_passkey, db):
    app, api, user, authenticator, _ = user_with_passkey
    # registration: the same answer twice
    options = await options_for_registration(api)
    response = SoftAuthenticator(ORIGIN).create(options)
    assert (await api(REGISTER, {"input": {"response": response}}))["registerPasskey"]["__typename"] == "PasskeySuccess"
    again = (await api(REGISTER, {"input": {"response": response}}))["registerPasskey"]
    assert again["code"] == "INVALID_OR_EXPIRED_TOKEN" and again["field"] == "response"
    # sign-in: a captured answer replayed (even from another browser)
    browser, thief = new_client(app), new_client(app)
    sign_in_options = await options_for_sign_in(browser)
    response = authenticator.get(sign_in_options)
    assert (await sign_in(browser, response))["__typename"] == "AuthSuccess"
    replay = await sign_in(thief, response)
    assert replay["code"] == "INVALID_OR_EXPIRED_TOKEN"
    assert (await thief(ME))["me"] is None
    # challenges are kept hashed: no row holds the challenge the browser saw
    for issued in (options, sign_in_options):
        token = unb64url(issued["challenge"]).decode()
        assert await db.fetchval("SELECT count(*) FROM verification WHERE strpos(identifier, $1) > 0", token) == 0
    await browser.http.aclose()
    await thief.http.aclose()


async def test_concurrent_uses_of_one_answer_sign_in_once(user_with_passkey):
    app, _, _, authenticator, _ = user_with_passkey
    browsers = [new_client(app) for _ in range(4)]
    response = authenticator.get(await options_for_sign_in(browsers[0]))
    results = await asyncio.gather(*(sign_in(b, response) for b in browsers))
    assert sorted(r["__typename"] for r in results) == ["AuthError"] * 3 + ["AuthSuccess"]
    for b in browsers:
        await b.http.aclose()


async def test_challenges_never_issued_expired_or_of_the_other_ceremony(user_with_passkey, db):
    app, api, _, authenticator, _ = user_with_passkey
    browser = new_client(app)
    made_up = {"challenge": b64url(secrets.token_urlsafe(32).encode()), "rpId": "localhost"}
    assert (await sign_in(browser, authenticator.get(made_up)))["code"] == "INVALID_OR_EXPIRED_TOKEN"

    options = await options_for_sign_in(browser)
    await db.execute("""UPDATE verification SET "expiresAt" = now() - interval '1 second'
                        WHERE identifier LIKE 'passkey-sign-in:%'""")
    assert (await sign_in(browser, authenticator.get(options)))["code"] == "INVALID_OR_EXPIRED_TOKEN"

    # a registration challenge does not sign in, and a sign-in challenge does not register
    reg_options = await options_for_registration(api)
    assert (await sign_in(browser, authenticator.get({**reg_options, "rpId": "localhost"})))[
        "code"
    ] == "INVALID_OR_EXPIRED_TOKEN"
    sign_options = await options_for_sign_in(api)
    fake_reg = {"rp": {"id": "localhost"}, "user": {"id": b64url(b"x")}, "challenge": sign_options["challenge"]}
    result = await api(REGISTER, {"input": {"response": SoftAuthenticator(ORIGIN).create(fake_reg)}})
    assert result["registerPasskey"]["code"] == "INVALID_OR_EXPIRED_TOKEN"
    await browser.http.aclose()


async def test_a_registration_challenge_belongs_to_its_user(app_api):
    app, alice = app_api
    bob = new_client(app)
    await signed_up(alice)
    await signed_up(bob)
    alices_options = await options_for_registration(alice)
    response = SoftAuthenticator(ORIGIN).create(alices_options)
    assert (await bob(REGISTER, {"input": {"response": response}}))["registerPasskey"][
        "code"
    ] == "INVALID_OR_EXPIRED_TOKEN"
    assert (await bob(MY_PASSKEYS))["myPasskeys"] == [] and (await alice(MY_PASSKEYS))["myPasskeys"] == []
    await bob.http.aclose()


@pytest.mark.parametrize("where", ["origin", "rp_id"])
async def test_another_site_is_refused(user_with_passkey, where):
    """A phishing page (another origin) or a credential for another RP: the browser signs what it saw, and the
    server refuses it. The challenge is spent all the same."""
    app, api, _, authenticator, _ = user_with_passkey
    wrong = {"origin": "http://localhost:8001"} if where == "origin" else {"rp_id": "evil.example"}
    result = await register(api, SoftAuthenticator(ORIGIN), **wrong)
    assert result["code"] == "INVALID_INPUT" and result["field"] == "response"
    browser = new_client(app)
    options = await options_for_sign_in(browser)
    result = await sign_in(browser, authenticator.get(options, **wrong))
    assert result["__typename"] == "AuthError" and result["code"] == "INVALID_CREDENTIALS"
    assert (await sign_in(browser, authenticator.get(options)))["code"] == "INVALID_OR_EXPIRED_TOKEN"
    assert (await browser(ME))["me"] is None
    await browser.http.aclose()


async def test_the_signature_counter_must_move_on(user_with_passkey, db):
    """A cloned authenticator (or a replay with a fresh challenge is impossible, so: a clone) shows a counter that
    is not above the stored one."""
    app, _, _, authenticator, passkey = user_with_passkey
    browser = new_client(app)
    assert (await sign_in(browser, authenticator.get(await options_for_sign_in(browser), counter=5)))[
        "__typename"
    ] == "AuthSuccess"
    for claimed in (5, 3):
        result = await sign_in(browser, authenticator.get(await options_for_sign_in(browser), counter=claimed))
        assert result["code"] == "INVALID_CREDENTIALS"
    assert await db.fetchval("SELECT counter FROM passkey WHERE id = $1", passkey["id"]) == 5
    assert (await sign_in(browser, authenticator.get(await options_for_sign_in(browser), counter=6)))[
        "__typename"
    ] == "AuthSuccess"
    await browser.http.aclose()


async def test_authenticators_that_do_not_count_stay_at_zero(app_api, db):
    app, api = app_api
    await signed_up(api)
    authenticator = SoftAuthenticator(ORIGIN)
    assert (await register(api, authenticator))["__typename"] == "PasskeySuccess"
    browser = new_client(app)
    for _ in range(2):
        result = await sign_in(browser, authenticator.get(await options_for_sign_in(browser), counter=0))
        assert result["__typename"] == "AuthSuccess"
    await browser.http.aclose()


async def test_unknown_deleted_or_forged_credentials_do_not_sign_in(user_with_passkey):
    app, api, _, authenticator, passkey = user_with_passkey
    browser = new_client(app)
    stranger = SoftAuthenticator(ORIGIN)
    stranger.create({"rp": {"id": "localhost"}, "user": {"id": b64url(b"nobody")}, "challenge": "AAAA"})
    assert (await sign_in(browser, stranger.get(await options_for_sign_in(browser))))["code"] == "INVALID_CREDENTIALS"
    # a forged signature: the right credential id, another key
    forged = authenticator.get(await options_for_sign_in(browser))
    other = stranger.get({"challenge": "AAAA", "rpId": "localhost"})
    forged["response"]["signature"] = other["response"]["signature"]
    assert (await sign_in(browser, forged))["code"] == "INVALID_CREDENTIALS"
    # deleted
    assert (await api(DELETE, {"id": passkey["id"]}))["deletePasskey"] == {
        "__typename": "DeletePasskeySuccess",
        "id": passkey["id"],
    }
    assert (await sign_in(browser, authenticator.get(await options_for_sign_in(browser))))[
        "code"
    ] == "INVALID_CREDENTIALS"
    assert (await browser(ME))["me"] is None
    await browser.http.aclose()


async def test_one_credential_one_account(user_with_passkey):
    app, api, _, authenticator, _ = user_with_passkey
    assert (await register(api, authenticator, reuse=authenticator.credentials[0]))[
        "message"
    ] == "This passkey is already registered."
    other = new_client(app)
    await signed_up(other)
    result = await register(other, authenticator, reuse=authenticator.credentials[0])
    assert result["code"] == "INVALID_INPUT" and (await other(MY_PASSKEYS))["myPasskeys"] == []
    await other.http.aclose()


async def test_rename_and_delete_only_my_own(user_with_passkey, db, smtp_server):
    app, api, user, _, passkey = user_with_passkey
    renamed = (await api(RENAME, {"input": {"id": passkey["id"], "name": "  Work laptop "}}))["renamePasskey"]
    assert renamed["passkey"]["name"] == "Work laptop"
    for bad, message in (
        ("   ", "Enter a name for the passkey."),
        ("x" * 65, "Use at most 64 characters."),
        ("a\u0000b", "The name contains characters that are not allowed."),
    ):
        result = (await api(RENAME, {"input": {"id": passkey["id"], "name": bad}}))["renamePasskey"]
        assert (result["code"], result["field"], result["message"]) == ("INVALID_INPUT", "name", message)

    mallory = new_client(app)
    await signed_up(mallory)
    assert (await mallory(RENAME, {"input": {"id": passkey["id"], "name": "mine"}}))["renamePasskey"]["field"] == "id"
    assert (await mallory(DELETE, {"id": passkey["id"]}))["deletePasskey"]["code"] == "INVALID_INPUT"
    assert (await mallory(DELETE, {"id": "x" * 10_000}))["deletePasskey"]["code"] == "INVALID_INPUT"
    assert await db.fetchval("SELECT name FROM passkey WHERE id = $1", passkey["id"]) == "Work laptop"
    await mallory.http.aclose()
    assert (await api(DELETE, {"id": passkey["id"]}))["deletePasskey"]["id"] == passkey["id"]
    notice = await mail_titled(smtp_server, user["email"], "A passkey was removed from your account")
    assert "“Work laptop”" in body_of(notice)
    assert (await api(DELETE, {"id": passkey["id"]}))["deletePasskey"]["code"] == "INVALID_INPUT"
    assert (await api(MY_PASSKEYS))["myPasskeys"] == []


@pytest.mark.parametrize(
    "response",
    [
        5,
        "not json",
        [],
        {},
        {"response": 3},
        {"id": "x", "response": {}},
        {"id": "x", "response": {"clientDataJSON": "%%%"}},
        {"id": "x", "response": {"clientDataJSON": b64url(b'{"challenge": 5}')}},
        {"id": "x", "response": {"clientDataJSON": b64url(b'{"challenge": "' + b"A" * 20000 + b'"}')}},
        {"id": "x", "response": {"clientDataJSON": b64url(b'{"challenge": "' + b64url(b"\xff\xfe").encode() + b'"}')}},
    ],
)
async def test_malformed_answers_are_invalid_input(app_api, response):
    _, api = app_api
    await signed_up(api)
    for query, name in ((REGISTER, "registerPasskey"), (SIGN_IN, "signInWithPasskey")):
        raw = await api.post(query, {"input": {"response": response}})
        assert raw.status_code == 200
        body = raw.json()
        assert "errors" not in body, body
        assert body["data"][name]["code"] == "INVALID_INPUT"
        assert "Traceback" not in raw.text and "SELECT" not in raw.text


async def test_user_verification_required_refuses_an_unverified_passkey(database_url, smtp_server, tmp_path):
    settings = make_settings(database_url, tmp_path, smtp_url=smtp_server.url, passkey_user_verification="required")
    async with running_app(settings) as (app, api):
        await signed_up(api)
        options = await options_for_registration(api)
        assert options["authenticatorSelection"]["userVerification"] == "required"
        lazy = SoftAuthenticator(ORIGIN, user_verified=False)
        result = (await api(REGISTER, {"input": {"response": lazy.create(options)}}))["registerPasskey"]
        assert result["code"] == "INVALID_INPUT"
        careful = SoftAuthenticator(ORIGIN)
        assert (await register(api, careful))["__typename"] == "PasskeySuccess"
        careful.user_verified = False
        browser = new_client(app)
        options = await options_for_sign_in(browser)
        assert options["userVerification"] == "required"
        assert (await sign_in(browser, careful.get(options)))["code"] == "INVALID_CREDENTIALS"
        await browser.http.aclose()


async def test_a_passkey_that_verified_its_user_counts_as_the_second_factor(user_with_passkey):
    """The core's sign-in gates (TOTP's, for one) see `second_factor_done` only when the authenticator verified
    the user; without verification the gate asks for a second factor."""
    app, _, user, authenticator, _ = user_with_passkey
    from chatbot_agent.auth.core.records import SecondFactorRequired

    seen = []

    async def gate(attempt):
        seen.append((attempt.method, attempt.second_factor_done))
        if attempt.second_factor_done:
            return None
        return SecondFactorRequired(
            attempt.user, ("totp",), secrets.token_urlsafe(16), datetime.now(UTC) + timedelta(minutes=5)
        )

    core = app.state.auth.auth.core  # app.state.auth is the app's AppState; its .auth the assembled service
    core.gates.append(gate)
    try:
        browser = new_client(app)
        assert (await sign_in(browser, authenticator.get(await options_for_sign_in(browser))))[
            "__typename"
        ] == "AuthSuccess"
        authenticator.user_verified = False
        result = await sign_in(browser, authenticator.get(await options_for_sign_in(browser)))
        assert result == {"__typename": "TwoFactorRequired", "methods": ["totp"]}
        assert seen == [("passkey", True), ("passkey", False)]
        await browser.http.aclose()
    finally:
        core.gates.remove(gate)


async def test_sign_in_options_are_rate_limited(database_url, smtp_server, tmp_path):
    settings = make_settings(
        database_url,
        tmp_path,
        smtp_url=smtp_server.url,
        rate_limit_enabled=True,
        rate_limit_passkey_ip=RateLimit(3, 300),
    )
    async with running_app(settings) as (_, api):
        answers = [(await api(SIGN_IN_OPTIONS))["passkeySignInOptions"] for _ in range(4)]
        assert [a["__typename"] for a in answers] == ["PasskeyOptions"] * 3 + ["AuthError"]
        assert answers[-1]["code"] == "RATE_LIMITED" and answers[-1]["retryAfterSeconds"] > 0


async def test_a_better_auth_passkey_signs_in(app_api, db):
    """A row as Better Auth's passkey plugin writes it (random id, standard-base64 COSE key, base64url credential
    id, comma-joined transports, a random user handle on the authenticator) signs in here."""
    app, api = app_api
    user = await signed_up(api)
    authenticator = SoftAuthenticator(ORIGIN)
    cred = authenticator.create(
        {"rp": {"id": "localhost"}, "user": {"id": b64url(secrets.token_bytes(16))}, "challenge": "AAAA"}
    )
    stored = authenticator.credentials[0]
    await db.execute(
        """INSERT INTO passkey (id, name, "publicKey", "userId", "credentialID", counter, "deviceType", "backedUp",
                                transports, "createdAt", aaguid)
           VALUES ($1, 'Better Auth key', $2, $3, $4, 0, 'multiDevice', true, 'internal,hybrid', now(), $5)""",
        secrets.token_hex(16),
        base64.b64encode(stored.cose_public_key()).decode(),
        user["id"],
        cred["id"],
        "fbfc3007-154e-4ecc-8c0b-6e020557d7bd",
    )
    browser = new_client(app)
    result = await sign_in(browser, authenticator.get(await options_for_sign_in(browser)))
    assert result["__typename"] == "AuthSuccess" and result["user"]["id"] == user["id"]
    listed = (await browser(MY_PASSKEYS))["myPasskeys"]
    assert [(p["name"], p["deviceType"], p["backedUp"]) for p in listed] == [("Better Auth key", "multiDevice", False)]
    await browser.http.aclose()
    await api(SIGN_OUT)
    assert b64url_encode(stored.credential_id) == cred["id"]
