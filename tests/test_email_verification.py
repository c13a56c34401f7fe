"""Email verification over GraphQL on a real PostgreSQL, every link read from mail delivered to a real SMTP receiver:
the link mailed at sign-up, `verifyEmail` (once, before it expires, only its own kind), re-sending, and the three
EMAIL_VERIFICATION modes."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from chatbot_agent.auth.core.ids import hash_token

from .support import (
    ME,
    REQUEST_RESET,
    RESET,
    SIGN_IN,
    SIGN_UP,
    body_of,
    mailed_link,
    mailed_token,
    make_settings,
    new_client,
    reset_token,
    running_app,
    sign_up_input,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")
PASSWORD = "correct horse battery staple"

VERIFY = """mutation($token: String!) { verifyEmail(input: {token: $token}) {
  __typename ... on VerifyEmailSuccess { message user { id email emailVerified } }
  ... on AuthError { code message field } } }"""
SEND = """mutation { sendVerificationEmail { __typename ... on SendVerificationEmailSuccess { message }
  ... on AuthError { code message field retryAfterSeconds } } }"""
MODE = "{ emailVerificationMode }"


def unique(name: str) -> str:
    return f"{name}-{secrets.token_hex(3)}@example.com"


@pytest.fixture
def settings(database_url, smtp_server, tmp_path):
    """This module's app verifies addresses (the tests' default is EMAIL_VERIFICATION=off)."""
    return make_settings(database_url, tmp_path, smtp_url=smtp_server.url, email_verification="optional")


async def sign_up(api, email: str) -> dict:
    result = (await api(SIGN_UP, sign_up_input(email)))["signUp"]
    assert result["__typename"] == "AuthSuccess", result
    return result["user"]


async def test_sign_up_mails_a_link_that_verifies_the_address_once(app_api, smtp_server, db):
    app, api = app_api
    email = unique("ada")
    user = await sign_up(api, email)
    assert user["emailVerified"] is False

    mail = await smtp_server.wait_for(email)
    assert mail["Subject"] == "Verify your email address"
    link = mailed_link(mail, "verify-email")
    assert link.startswith("http://localhost:8000/verify-email?token=")  # <FRONTEND_URL>/verify-email
    token = mailed_token(mail)
    assert email in body_of(mail) and "24 hours" in body_of(mail)

    # hashed at rest, under its kind, for this user and this address, for 24 hours
    row = await db.fetchrow(
        """SELECT identifier, value, data->>'email' AS email, "expiresAt" FROM verification
           WHERE identifier = $1""",
        f"email-verification:{hash_token(token)}",
    )
    assert (row["value"], row["email"]) == (user["id"], email)
    assert timedelta(hours=23, minutes=59) < row["expiresAt"] - datetime.now(UTC) <= timedelta(hours=24)
    everything = await db.fetchval("SELECT string_agg(v::text, ' ') FROM verification v")
    assert token not in everything

    # opened signed out (another browser): verified
    stranger = new_client(app)
    result = (await stranger(VERIFY, {"token": token}))["verifyEmail"]
    assert result["__typename"] == "VerifyEmailSuccess"
    assert result["user"] == {"id": user["id"], "email": email, "emailVerified": True}
    assert result["message"] == f"Your email address {email} is verified."
    assert (await api(ME))["me"]["emailVerified"] is True
    assert await db.fetchval('SELECT "emailVerified" FROM "user" WHERE id = $1', user["id"]) is True

    # a second use of the same link
    again = (await stranger(VERIFY, {"token": token}))["verifyEmail"]
    assert (again["code"], again["field"]) == ("INVALID_OR_EXPIRED_TOKEN", "token")


async def test_verifies_while_signed_in_and_garbage_is_refused_alike(api, smtp_server):
    email = unique("grace")
    await sign_up(api, email)
    token = mailed_token(await smtp_server.wait_for(email))
    for garbage in ("", "   ", "x" * 300, "nope", token[:-1], token + "x", "\x00"):
        result = (await api(VERIFY, {"token": garbage}))["verifyEmail"]
        assert result["code"] == "INVALID_OR_EXPIRED_TOKEN", garbage
    assert (await api(ME))["me"]["emailVerified"] is False
    result = (await api(VERIFY, {"token": f"  {token} "}))["verifyEmail"]  # pasted with spaces
    assert result["__typename"] == "VerifyEmailSuccess"
    assert (await api(ME))["me"]["emailVerified"] is True


async def test_an_expired_link_does_nothing(api, smtp_server, db):
    email = unique("expired")
    user = await sign_up(api, email)
    token = mailed_token(await smtp_server.wait_for(email))
    await db.execute(
        """UPDATE verification SET "expiresAt" = now() - interval '1 second' WHERE identifier = $1""",
        f"email-verification:{hash_token(token)}",
    )
    result = (await api(VERIFY, {"token": token}))["verifyEmail"]
    assert result["code"] == "INVALID_OR_EXPIRED_TOKEN"
    assert await db.fetchval('SELECT "emailVerified" FROM "user" WHERE id = $1', user["id"]) is False


async def test_a_token_of_another_kind_does_nothing_and_stays_usable(app_api, smtp_server, db):
    """A reset token does not verify an email, and a verification token does not reset a password; neither is used
    up by the attempt."""
    app, api = app_api
    email = unique("kinds")
    user = await sign_up(api, email)
    verify = mailed_token(await smtp_server.wait_for(email))
    assert (await api(REQUEST_RESET, {"email": email}))["requestPasswordReset"][
        "__typename"
    ] == "RequestPasswordResetSuccess"
    reset = reset_token(await smtp_server.wait_for(email, 2))

    stranger = new_client(app)
    wrong = (await stranger(VERIFY, {"token": reset}))["verifyEmail"]
    assert wrong["code"] == "INVALID_OR_EXPIRED_TOKEN"
    assert await db.fetchval('SELECT "emailVerified" FROM "user" WHERE id = $1', user["id"]) is False
    wrong = (await stranger(RESET, {"token": verify, "password": "another fine passphrase"}))["resetPassword"]
    assert wrong["code"] == "INVALID_OR_EXPIRED_TOKEN"

    ok = (await stranger(RESET, {"token": reset, "password": "another fine passphrase"}))["resetPassword"]
    assert ok["__typename"] == "ResetPasswordSuccess"
    ok = (await stranger(VERIFY, {"token": verify}))["verifyEmail"]
    assert ok["__typename"] == "VerifyEmailSuccess"


async def test_send_verification_email_needs_a_session_and_mails_a_new_link(app_api, smtp_server):
    app, api = app_api
    assert (await new_client(app)(SEND))["sendVerificationEmail"]["code"] == "NOT_AUTHENTICATED"
    email = unique("resend")
    await sign_up(api, email)
    first = mailed_token(await smtp_server.wait_for(email))
    result = (await api(SEND))["sendVerificationEmail"]
    assert result == {"__typename": "SendVerificationEmailSuccess", "message": f"We sent a new link to {email}."}
    second = mailed_token(await smtp_server.wait_for(email, 2))
    assert second != first
    assert (await api(VERIFY, {"token": first}))["verifyEmail"]["__typename"] == "VerifyEmailSuccess"
    done = (await api(SEND))["sendVerificationEmail"]
    assert (done["code"], done["message"]) == ("INVALID_INPUT", "Your email address is already verified.")
    assert (await api(MODE))["emailVerificationMode"] == "OPTIONAL"


async def test_send_verification_email_is_rate_limited_per_account(database_url, smtp_server, tmp_path):
    settings = make_settings(
        database_url, tmp_path, smtp_url=smtp_server.url, email_verification="optional", rate_limit_enabled=True
    )
    async with running_app(settings) as (_, api):
        email = unique("limited")
        await sign_up(api, email)
        answers = [(await api(SEND))["sendVerificationEmail"] for _ in range(4)]
    assert [a["__typename"] for a in answers[:3]] == ["SendVerificationEmailSuccess"] * 3
    assert answers[3]["code"] == "RATE_LIMITED" and 0 < answers[3]["retryAfterSeconds"] <= 900
    await smtp_server.wait_for(email, 4)  # the sign-up's link and three more, no fifth
    assert len(smtp_server.to(email)) == 4


async def test_off_mails_nothing_at_sign_up(database_url, smtp_server, tmp_path):
    settings = make_settings(database_url, tmp_path, smtp_url=smtp_server.url, email_verification="off")
    async with running_app(settings) as (_, api):
        email = unique("off")
        await sign_up(api, email)
        assert (await api(MODE))["emailVerificationMode"] == "OFF"
        refused = (await api(SEND))["sendVerificationEmail"]
        assert refused["code"] == "INVALID_INPUT"
        await api(REQUEST_RESET, {"email": email})  # mail leaves in order: the first mail is the reset
        assert (await smtp_server.wait_for(email))["Subject"] == "Reset your password"


async def test_required_refuses_unverified_sign_in_only_after_the_right_password(
    database_url, smtp_server, tmp_path, db
):
    settings = make_settings(database_url, tmp_path, smtp_url=smtp_server.url, email_verification="required")
    async with running_app(settings) as (app, api):
        assert (await api(MODE))["emailVerificationMode"] == "REQUIRED"
        email = unique("required")

        # sign-up creates the account and mails the link, but opens no session
        response = await api.post(SIGN_UP, sign_up_input(email, PASSWORD))
        result = response.json()["data"]["signUp"]
        assert result["code"] == "EMAIL_NOT_VERIFIED" and email in result["message"]
        assert "set-cookie" not in response.headers
        user_id = await db.fetchval('SELECT id FROM "user" WHERE email = $1', email)
        assert user_id and await db.fetchval('SELECT count(*) FROM session WHERE "userId" = $1', user_id) == 0
        first = mailed_token(await smtp_server.wait_for(email))

        # a wrong password, or an unknown address, learns nothing about verification
        wrong = (await api(SIGN_IN, {"input": {"email": email, "password": "not the password"}}))["signIn"]
        unknown = (await api(SIGN_IN, {"input": {"email": unique("nobody"), "password": PASSWORD}}))["signIn"]
        assert wrong["code"] == unknown["code"] == "INVALID_CREDENTIALS" and wrong["message"] == unknown["message"]

        # the right password: EMAIL_NOT_VERIFIED, no session, and no new mail while the last link is fresh
        response = await api.post(SIGN_IN, {"input": {"email": email, "password": PASSWORD}})
        refused = response.json()["data"]["signIn"]
        assert refused["code"] == "EMAIL_NOT_VERIFIED" and "set-cookie" not in response.headers
        await api(REQUEST_RESET, {"email": email})  # mail leaves in order: the next one is the reset
        assert (await smtp_server.wait_for(email, 2))["Subject"] == "Reset your password"

        # once the last link is older than EMAIL_VERIFICATION_RESEND_SECONDS, a sign-in mails a fresh one (once)
        await db.execute(
            """UPDATE verification SET "createdAt" = now() - interval '6 minutes'
               WHERE value = $1 AND starts_with(identifier, 'email-verification:')""",
            user_id,
        )
        for _ in range(2):
            again = (await api(SIGN_IN, {"input": {"email": email, "password": PASSWORD}}))["signIn"]
            assert again["code"] == "EMAIL_NOT_VERIFIED"
        fresh = await smtp_server.wait_for(email, 3)
        assert fresh["Subject"] == "Verify your email address" and mailed_token(fresh) != first
        await api(REQUEST_RESET, {"email": email})
        assert (await smtp_server.wait_for(email, 4))["Subject"] == "Reset your password"

        # verified (either link works): sign-in opens a session
        assert (await new_client(app)(VERIFY, {"token": first}))["verifyEmail"]["__typename"] == "VerifyEmailSuccess"
        response = await api.post(SIGN_IN, {"input": {"email": email, "password": PASSWORD}})
        assert response.json()["data"]["signIn"]["__typename"] == "AuthSuccess"
        assert response.headers["set-cookie"].startswith("chatbot_session=")
