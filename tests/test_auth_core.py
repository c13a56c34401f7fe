"""The GraphQL contract end to end over HTTP, on a real PostgreSQL, with a real SMTP receiver."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import jwt
import pytest
from chatbot_agent.auth.core.ids import hash_token
from chatbot_agent.config import RateLimit

from .support import (
    ME,
    REFRESH,
    REQUEST_RESET,
    RESET,
    SIGN_IN,
    SIGN_OUT,
    SIGN_UP,
    body_of,
    make_settings,
    new_client,
    reset_token,
    running_app,
    sign_up_input,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")
PASSWORD = "correct horse battery staple"


def unique(name: str) -> str:
    import secrets

    return f"{name}-{secrets.token_hex(3)}@example.com"


async def test_sign_up_creates_user_account_and_session(api, db):
    email = unique("ada")
    response = await api.post(SIGN_UP, sign_up_input(email.upper().replace("@EXAMPLE.COM", "@Example.com")))
    result = response.json()["data"]["signUp"]
    assert result["__typename"] == "AuthSuccess"
    user = result["user"]
    assert (user["firstName"], user["lastName"], user["email"], user["emailVerified"]) == (
        "Ada",
        "Lovelace",
        email,
        False,
    )
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("chatbot_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # public URL is http in this test
    row = await db.fetchrow('SELECT name, email, "firstName" FROM "user" WHERE id = $1', user["id"])
    assert row["name"] == "Ada Lovelace" and row["email"] == email
    account = await db.fetchrow('SELECT "providerId", password FROM account WHERE "userId" = $1', user["id"])
    assert account["providerId"] == "credential" and account["password"].startswith("$argon2id$")
    token = response.cookies["chatbot_session"].split(".")[0]
    stored = await db.fetchval('SELECT token FROM session WHERE "userId" = $1', user["id"])
    assert stored == hash_token(token) and token not in stored  # hashed at rest
    assert (await api(ME))["me"]["email"] == email


@pytest.mark.parametrize(
    "patch, code, field",
    [
        ({"email": "not-an-email"}, "INVALID_INPUT", "email"),
        ({"email": "a@b"}, "INVALID_INPUT", "email"),
        ({"firstName": "   "}, "INVALID_INPUT", "firstName"),
        ({"lastName": "x" * 101}, "INVALID_INPUT", "lastName"),
        ({"firstName": "Ada\x00"}, "INVALID_INPUT", "firstName"),
        ({"password": "short"}, "WEAK_PASSWORD", "password"),
        ({"password": "p" * 129}, "WEAK_PASSWORD", "password"),
        ({"password": "password123"}, "WEAK_PASSWORD", "password"),
    ],
)
async def test_sign_up_rejects_bad_input_and_changes_nothing(api, db, patch, code, field):
    before = await db.fetchval('SELECT count(*) FROM "user"')
    variables = sign_up_input(unique("bad"))
    variables["input"].update(patch)
    result = (await api(SIGN_UP, variables))["signUp"]
    assert (result["__typename"], result["code"], result["field"]) == ("AuthError", code, field)
    assert result["message"]
    assert await db.fetchval('SELECT count(*) FROM "user"') == before


async def test_password_equal_to_email_is_weak(api):
    email = unique("same")
    result = (await api(SIGN_UP, sign_up_input(email, password=email)))["signUp"]
    assert result["code"] == "WEAK_PASSWORD"


async def test_duplicate_email_is_taken_case_insensitively(api, db):
    email = unique("dup")
    assert (await api(SIGN_UP, sign_up_input(email)))["signUp"]["__typename"] == "AuthSuccess"
    again = (await api(SIGN_UP, sign_up_input(email.upper())))["signUp"]
    assert (again["code"], again["field"]) == ("EMAIL_TAKEN", "email")
    assert await db.fetchval('SELECT count(*) FROM "user" WHERE lower(email) = $1', email) == 1


async def test_concurrent_sign_ups_of_one_email_exactly_one_wins(app_api, db):
    app, _ = app_api
    email = unique("race")
    clients = [new_client(app) for _ in range(10)]
    results = await asyncio.gather(*(c(SIGN_UP, sign_up_input(email)) for c in clients))
    kinds = sorted(r["signUp"].get("code", r["signUp"]["__typename"]) for r in results)
    assert kinds == ["AuthSuccess"] + ["EMAIL_TAKEN"] * 9
    assert await db.fetchval('SELECT count(*) FROM "user" WHERE email = $1', email) == 1
    assert (
        await db.fetchval('SELECT count(*) FROM account a JOIN "user" u ON u.id = a."userId" WHERE u.email = $1', email)
        == 1
    )
    for c in clients:
        await c.http.aclose()


async def test_sign_in_wrong_password_and_unknown_email_look_the_same(api):
    email = unique("grace")
    await api(SIGN_UP, sign_up_input(email))
    wrong = (await api(SIGN_IN, {"input": {"email": email, "password": "not the password"}}))["signIn"]
    unknown = (await api(SIGN_IN, {"input": {"email": unique("nobody"), "password": PASSWORD}}))["signIn"]
    assert (
        wrong
        == unknown
        == {
            "__typename": "AuthError",
            "code": "INVALID_CREDENTIALS",
            "message": wrong["message"],
            "field": None,
            "retryAfterSeconds": None,
        }
    )


async def test_sign_in_sets_cookie_rotates_session_and_me_works(app_api, db):
    app, api = app_api
    email = unique("rot")
    up = await api.post(SIGN_UP, sign_up_input(email))
    first_cookie = up.cookies["chatbot_session"]
    response = await api.post(SIGN_IN, {"input": {"email": email.upper(), "password": PASSWORD}})
    result = response.json()["data"]["signIn"]
    assert result["__typename"] == "AuthSuccess" and result["user"]["email"] == email
    second_cookie = response.cookies["chatbot_session"]
    assert second_cookie != first_cookie
    user_id = result["user"]["id"]
    assert await db.fetchval('SELECT count(*) FROM session WHERE "userId" = $1', user_id) == 1  # old one revoked
    assert (await api(ME))["me"]["id"] == user_id


async def test_me_is_null_without_auth_and_with_forged_cookie(app_api):
    app, _ = app_api
    anonymous = new_client(app)
    assert (await anonymous(ME))["me"] is None
    anonymous.http.cookies.set("chatbot_session", "forged.c2lnbmF0dXJl")
    assert (await anonymous(ME))["me"] is None
    assert (await anonymous(ME, headers={"authorization": "Bearer not.a.jwt"}))["me"] is None
    await anonymous.http.aclose()


async def test_bearer_access_token_verifies_with_jwks_and_authenticates_me(app_api, settings):
    app, api = app_api
    email = unique("jwt")
    result = (await api(SIGN_UP, sign_up_input(email)))["signUp"]
    token = result["accessToken"]
    jwks = (await api.http.get("/.well-known/jwks.json")).json()
    key = jwt.PyJWKSet.from_dict(jwks).keys[0]
    assert key.key_id == jwt.get_unverified_header(token)["kid"]
    claims = jwt.decode(
        token, key.key, algorithms=["EdDSA"], audience=settings.jwt_audience, issuer=settings.jwt_issuer
    )
    assert claims["sub"] == result["user"]["id"]
    assert 14 * 60 <= claims["exp"] - claims["iat"] <= 15 * 60
    expires = datetime.fromisoformat(result["accessTokenExpiresAt"])
    assert abs((expires - datetime.fromtimestamp(claims["exp"], UTC)).total_seconds()) < 1
    other = new_client(app)  # no cookie: the bearer alone
    assert (await other(ME, headers={"authorization": f"Bearer {token}"}))["me"]["email"] == email
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert (await other(ME, headers={"authorization": f"Bearer {tampered}"}))["me"] is None
    # Signing out revokes the session the access token belongs to.
    assert (await api(SIGN_OUT))["signOut"] is True
    assert (await other(ME, headers={"authorization": f"Bearer {token}"}))["me"] is None
    await other.http.aclose()


async def test_refresh_access_token_needs_the_cookie(app_api):
    app, api = app_api
    await api(SIGN_UP, sign_up_input(unique("refresh")))
    fresh = (await api(REFRESH))["refreshAccessToken"]
    assert fresh["__typename"] == "AuthSuccess" and fresh["accessToken"].count(".") == 2
    anonymous = new_client(app)
    assert (await anonymous(REFRESH))["refreshAccessToken"]["code"] == "NOT_AUTHENTICATED"
    await anonymous.http.aclose()


async def test_sign_out_revokes_session_and_clears_cookie(api, db):
    result = (await api(SIGN_UP, sign_up_input(unique("out"))))["signUp"]
    response = await api.post(SIGN_OUT)
    assert response.json()["data"]["signOut"] is True
    assert "Max-Age=0" in response.headers["set-cookie"]
    assert await db.fetchval('SELECT count(*) FROM session WHERE "userId" = $1', result["user"]["id"]) == 0
    assert (await api(ME))["me"] is None
    assert (await api(SIGN_OUT))["signOut"] is False


async def test_password_reset_end_to_end_with_real_smtp(app_api, smtp_server, db):
    app, api = app_api
    email = unique("reset")
    await api(SIGN_UP, sign_up_input(email))
    laptop = new_client(app)
    await laptop(SIGN_IN, {"input": {"email": email, "password": PASSWORD}})
    assert (await laptop(ME))["me"]["email"] == email

    answer = (await api(REQUEST_RESET, {"email": email}))["requestPasswordReset"]
    unknown = (await api(REQUEST_RESET, {"email": unique("ghost")}))["requestPasswordReset"]
    assert answer == unknown and answer["__typename"] == "RequestPasswordResetSuccess"

    mail = await smtp_server.wait_for(email)
    assert mail["Subject"] == "Reset your password"
    token = reset_token(mail)
    assert await db.fetchval("SELECT count(*) FROM verification WHERE identifier LIKE $1", f"%{token}%") == 0

    weak = (await api(RESET, {"token": token, "password": "short"}))["resetPassword"]
    assert (weak["code"], weak["field"]) == ("WEAK_PASSWORD", "newPassword")
    done = (await api(RESET, {"token": token, "password": "a brand new passphrase"}))["resetPassword"]
    assert done["__typename"] == "ResetPasswordSuccess"  # the weak attempt left the token usable

    notice = await smtp_server.wait_for(email, 2)  # the owner is told, in case it was not them
    assert notice["Subject"] == "Your password was changed" and "/forgot-password" in body_of(notice)
    reused = (await api(RESET, {"token": token, "password": "another new passphrase"}))["resetPassword"]
    assert (reused["code"], reused["field"]) == ("INVALID_OR_EXPIRED_TOKEN", "token")
    assert (await laptop(ME))["me"] is None and (await api(ME))["me"] is None  # every session revoked
    old = (await api(SIGN_IN, {"input": {"email": email, "password": PASSWORD}}))["signIn"]
    assert old["code"] == "INVALID_CREDENTIALS"
    new = (await api(SIGN_IN, {"input": {"email": email, "password": "a brand new passphrase"}}))["signIn"]
    assert new["__typename"] == "AuthSuccess"
    await laptop.http.aclose()


async def test_reset_token_expires_and_older_tokens_die_with_the_reset(api, smtp_server, db):
    email = unique("expiry")
    user_id = (await api(SIGN_UP, sign_up_input(email)))["signUp"]["user"]["id"]
    for _n in (1, 2, 3):
        await api(REQUEST_RESET, {"email": email})
    first, second, third = [reset_token(await smtp_server.wait_for(email, n)) for n in (1, 2, 3)]
    await db.execute(
        "UPDATE verification SET \"expiresAt\" = now() - interval '1 second' WHERE identifier = $1",
        "reset-password:" + hash_token(first),
    )
    expired = (await api(RESET, {"token": first, "password": "fresh passphrase one"}))["resetPassword"]
    assert expired["code"] == "INVALID_OR_EXPIRED_TOKEN"
    ok = (await api(RESET, {"token": second, "password": "fresh passphrase two"}))["resetPassword"]
    assert ok["__typename"] == "ResetPasswordSuccess"
    stale = (await api(RESET, {"token": third, "password": "fresh passphrase three"}))["resetPassword"]
    assert stale["code"] == "INVALID_OR_EXPIRED_TOKEN"
    assert await db.fetchval('SELECT count(*) FROM verification WHERE value = $1 AND "expiresAt" > now()', user_id) == 0


async def test_unknown_and_garbage_reset_tokens(api):
    for token in ("", "nope", "x" * 5000):
        result = (await api(RESET, {"token": token, "password": "a fine passphrase"}))["resetPassword"]
        assert result["code"] == "INVALID_OR_EXPIRED_TOKEN"


async def test_parallel_resets_with_one_token_exactly_one_succeeds(app_api, smtp_server):
    app, api = app_api
    email = unique("par")
    await api(SIGN_UP, sign_up_input(email))
    await api(REQUEST_RESET, {"email": email})
    token = reset_token(await smtp_server.wait_for(email))
    clients = [new_client(app) for _ in range(10)]
    results = await asyncio.gather(
        *(c(RESET, {"token": token, "password": f"parallel passphrase {i}"}) for i, c in enumerate(clients))
    )
    kinds = sorted(r["resetPassword"]["__typename"] for r in results)
    assert kinds.count("ResetPasswordSuccess") == 1 and kinds.count("AuthError") == 9
    for c in clients:
        await c.http.aclose()


async def test_session_expiry_slides_and_expired_sessions_are_refused(database_url, smtp_server, tmp_path, db):
    settings = make_settings(
        database_url, tmp_path, smtp_url=smtp_server.url, session_ttl_seconds=3600, session_update_age_seconds=60
    )
    async with running_app(settings) as (app, api):
        user_id = (await api(SIGN_UP, sign_up_input(unique("slide"))))["signUp"]["user"]["id"]
        await db.execute(
            'UPDATE session SET "expiresAt" = now() + interval \'10 minutes\' WHERE "userId" = $1', user_id
        )
        response = await api.post(ME)
        assert response.json()["data"]["me"]["id"] == user_id
        assert "Max-Age=3600" in response.headers["set-cookie"]  # the cookie is re-issued with the new expiry
        expires = await db.fetchval('SELECT "expiresAt" FROM session WHERE "userId" = $1', user_id)
        assert expires > datetime.now(UTC) + timedelta(minutes=50)
        await db.execute('UPDATE session SET "expiresAt" = now() - interval \'1 second\' WHERE "userId" = $1', user_id)
        assert (await api(ME))["me"] is None


async def test_rehash_when_argon2_parameters_change(database_url, smtp_server, tmp_path, db):
    email = unique("rehash")
    old = make_settings(database_url, tmp_path, smtp_url=smtp_server.url, argon2_memory_kib=1024, argon2_time_cost=1)
    async with running_app(old) as (_, api):
        user_id = (await api(SIGN_UP, sign_up_input(email)))["signUp"]["user"]["id"]
    before = await db.fetchval('SELECT password FROM account WHERE "userId" = $1', user_id)
    assert "m=1024,t=1" in before
    new = make_settings(database_url, tmp_path, smtp_url=smtp_server.url, argon2_memory_kib=2048, argon2_time_cost=2)
    async with running_app(new) as (_, api):
        assert (await api(SIGN_IN, {"input": {"email": email, "password": PASSWORD}}))["signIn"][
            "__typename"
        ] == "AuthSuccess"
    after = await db.fetchval('SELECT password FROM account WHERE "userId" = $1', user_id)
    assert "m=2048,t=2" in after


async def test_database_down_gives_internal_error_without_leaking(databases, smtp_server, tmp_path, caplog):
    dsn = await databases.create("down")
    settings = make_settings(dsn, tmp_path, smtp_url=smtp_server.url)
    async with running_app(settings) as (app, api):
        await api(SIGN_UP, sign_up_input(unique("down")))  # a session cookie, so `me` needs the database
        admin = await asyncpg.connect(databases.dsn("postgres"))
        await admin.execute(f'ALTER DATABASE "{databases.name_of(dsn)}" WITH ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", databases.name_of(dsn)
        )
        try:
            response = await api.post(SIGN_IN, {"input": {"email": "x@example.com", "password": PASSWORD}})
            body = response.text
            assert response.json()["data"]["signIn"]["code"] == "INTERNAL"
            for leak in ("SELECT", "asyncpg", "Traceback", "postgres", "connection"):
                assert leak not in body
            me = (await api.post(ME)).json()
            assert me["data"]["me"] is None and me["errors"][0]["message"].startswith("Something went wrong")
            assert (await api.http.get("/health")).status_code == 503
        finally:
            await admin.execute(f'ALTER DATABASE "{databases.name_of(dsn)}" WITH ALLOW_CONNECTIONS true')
            await admin.close()
        assert (await api.http.get("/health")).status_code == 200  # recovers without a restart
        assert (await api(ME))["me"] is not None


async def test_spellings_of_one_address_share_the_account_and_its_rate_limit(database_url, smtp_server, tmp_path):
    """An IDN domain typed in Unicode, in upper case or as punycode reaches one account and spends one budget."""
    settings = make_settings(
        database_url,
        tmp_path,
        smtp_url=smtp_server.url,
        rate_limit_enabled=True,
        rate_limit_sign_in_email=RateLimit(2, 600),
        rate_limit_sign_in_ip=RateLimit(100, 600),
    )
    async with running_app(settings) as (_, api):
        up = (await api(SIGN_UP, sign_up_input("ada@bücher.example")))["signUp"]
        assert up["user"]["email"] == "ada@bücher.example"
        taken = (await api(SIGN_UP, sign_up_input("ADA@xn--bcher-kva.example")))["signUp"]
        assert taken["code"] == "EMAIL_TAKEN"
        ok = (await api(SIGN_IN, {"input": {"email": "ada@xn--bcher-kva.example", "password": PASSWORD}}))["signIn"]
        assert ok["__typename"] == "AuthSuccess" and ok["user"]["id"] == up["user"]["id"]
        wrong = (await api(SIGN_IN, {"input": {"email": "Ada@BÜCHER.example", "password": "wrong guess"}}))["signIn"]
        assert wrong["code"] == "INVALID_CREDENTIALS"
        third = (await api(SIGN_IN, {"input": {"email": "ada@bücher.example", "password": PASSWORD}}))["signIn"]
        assert third["code"] == "RATE_LIMITED" and third["retryAfterSeconds"] > 0
