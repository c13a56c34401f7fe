"""Account management over GraphQL on a real PostgreSQL, every link read from mail delivered to a real SMTP receiver:
renaming, changing the email address (confirmed at the new address through `verifyEmail`), deleting the account."""

from __future__ import annotations

import asyncio
import hashlib
import secrets

import pytest
from chatbot_agent.auth.core.ids import hash_token

from .support import (
    ME,
    REQUEST_RESET,
    RESET,
    SIGN_IN,
    SIGN_UP,
    body_of,
    mailed_token,
    make_settings,
    new_client,
    reset_token,
    running_app,
    sign_up_input,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")
PASSWORD = "correct horse battery staple"

UPDATE = """mutation($first: String!, $last: String!) { updateProfile(input: {firstName: $first, lastName: $last}) {
  __typename ... on UpdateProfileSuccess { user { id firstName lastName email } }
  ... on AuthError { code message field } } }"""
CHANGE = """mutation($email: String!, $password: String!) { changeEmail(input: {newEmail: $email, password: $password}) {
  __typename ... on ChangeEmailSuccess { message } ... on AuthError { code message field retryAfterSeconds } } }"""
VERIFY = """mutation($token: String!) { verifyEmail(input: {token: $token}) {
  __typename ... on VerifyEmailSuccess { message user { id email emailVerified } }
  ... on AuthError { code message field } } }"""
DELETE = """mutation($input: DeleteAccountInput!) { deleteAccount(input: $input) {
  __typename ... on DeleteAccountSuccess { deleted message } ... on AuthError { code message field } } }"""


def unique(name: str) -> str:
    return f"{name}-{secrets.token_hex(3)}@example.com"


async def sign_up(api, email: str, first: str = "Ada", last: str = "Lovelace") -> dict:
    result = (await api(SIGN_UP, sign_up_input(email, PASSWORD, first, last)))["signUp"]
    assert result["__typename"] == "AuthSuccess", result
    return result["user"]


async def sign_in(api, email: str, password: str = PASSWORD) -> dict:
    return (await api(SIGN_IN, {"input": {"email": email, "password": password}}))["signIn"]


# ---------------------------------------------------------------------------------------------------- profile


async def test_update_profile_follows_the_sign_up_rules_and_keeps_name_in_step(app_api, db):
    app, api = app_api
    assert (await new_client(app)(UPDATE, {"first": "X", "last": "Y"}))["updateProfile"]["code"] == "NOT_AUTHENTICATED"
    user = await sign_up(api, unique("ada"))
    bad = [
        ("  ", "King", "firstName"),
        ("Ada", "", "lastName"),
        ("A\u200bda", "King", "firstName"),
        ("x" * 101, "King", "firstName"),
        ("Ada", "Ki\x07ng", "lastName"),
    ]
    for first, last, field in bad:
        refused = (await api(UPDATE, {"first": first, "last": last}))["updateProfile"]
        assert (refused["code"], refused["field"]) == ("INVALID_INPUT", field), (first, last)
    row = await db.fetchrow('SELECT name, "firstName", "lastName" FROM "user" WHERE id = $1', user["id"])
    assert tuple(row) == ("Ada Lovelace", "Ada", "Lovelace")  # refused input changed nothing

    result = (await api(UPDATE, {"first": "  Augusta Ada ", "last": "King"}))["updateProfile"]
    assert result["user"] == {"id": user["id"], "firstName": "Augusta Ada", "lastName": "King", "email": user["email"]}
    row = await db.fetchrow('SELECT name, "firstName", "lastName" FROM "user" WHERE id = $1', user["id"])
    assert tuple(row) == ("Augusta Ada King", "Augusta Ada", "King")
    me = (await api(ME))["me"]
    assert (me["firstName"], me["lastName"]) == ("Augusta Ada", "King")


# ---------------------------------------------------------------------------------------------------- email change


async def test_change_email_through_the_new_address_link(app_api, smtp_server, db):
    app, api = app_api
    old, new = unique("old"), unique("new")
    user = await sign_up(api, old)
    await api(REQUEST_RESET, {"email": old})
    pending_reset = reset_token(await smtp_server.wait_for(old))  # mailed to the old address: dies with the change

    # refused before anything is mailed
    for email, password, code, field in [
        (old.upper(), PASSWORD, "INVALID_INPUT", "newEmail"),  # already the address (case-insensitively)
        ("not an address", PASSWORD, "INVALID_INPUT", "newEmail"),
        (new, "not the password", "INVALID_CREDENTIALS", "password"),
    ]:
        refused = (await api(CHANGE, {"email": email, "password": password}))["changeEmail"]
        assert (refused["code"], refused["field"]) == (code, field), email

    result = (await api(CHANGE, {"email": new.upper(), "password": PASSWORD}))["changeEmail"]
    assert result["message"] == f"We sent a confirmation link to {new}. Your email address changes when you open it."
    confirm = await smtp_server.wait_for(new)
    assert confirm["Subject"] == "Confirm your new email address"
    token = mailed_token(confirm)
    notice = await smtp_server.wait_for(old, 2)
    assert notice["Subject"] == "Your email address is about to change" and new in body_of(notice)
    assert new in body_of(notice, "html")

    # nothing changed yet: the old address still signs in; the token is hashed at rest with the new address
    assert (await api(ME))["me"]["email"] == old
    assert (await sign_in(new_client(app), old))["__typename"] == "AuthSuccess"
    row = await db.fetchrow(
        "SELECT value, data->>'email' AS email FROM verification WHERE identifier = $1",
        f"change-email:{hash_token(token)}",
    )
    assert tuple(row) == (user["id"], new)

    # opened (signed out, in another browser): the account moves, verified
    result = (await new_client(app)(VERIFY, {"token": token}))["verifyEmail"]
    assert result["user"] == {"id": user["id"], "email": new, "emailVerified": True}
    assert result["message"] == f"Your email address is now {new}."
    assert (await api(ME))["me"]["email"] == new  # the session stays
    assert (await sign_in(new_client(app), old))["code"] == "INVALID_CREDENTIALS"
    assert (await sign_in(new_client(app), new.upper()))["__typename"] == "AuthSuccess"
    spent = await new_client(app)(RESET, {"token": pending_reset, "password": "a new fine passphrase"})
    assert spent["resetPassword"]["code"] == "INVALID_OR_EXPIRED_TOKEN"
    assert (await new_client(app)(VERIFY, {"token": token}))["verifyEmail"]["code"] == "INVALID_OR_EXPIRED_TOKEN"


async def test_a_newer_change_request_replaces_the_older_link(api, smtp_server):
    old, first, second = unique("old"), unique("first"), unique("second")
    await sign_up(api, old)
    await api(CHANGE, {"email": first, "password": PASSWORD})
    stale = mailed_token(await smtp_server.wait_for(first))
    await api(CHANGE, {"email": second, "password": PASSWORD})
    current = mailed_token(await smtp_server.wait_for(second))
    assert (await api(VERIFY, {"token": stale}))["verifyEmail"]["code"] == "INVALID_OR_EXPIRED_TOKEN"
    assert (await api(VERIFY, {"token": current}))["verifyEmail"]["user"]["email"] == second


async def test_a_new_password_cancels_a_pending_change(app_api, smtp_server):
    """The notice to the old address says so: resetting the password takes the account back from whoever asked."""
    app, api = app_api
    old, new = unique("owner"), unique("intruder")
    await sign_up(api, old)
    await api(CHANGE, {"email": new, "password": PASSWORD})
    token = mailed_token(await smtp_server.wait_for(new))
    notice = await smtp_server.wait_for(old)
    assert "also cancels the change" in body_of(notice)
    await new_client(app)(REQUEST_RESET, {"email": old})
    reset = reset_token(await smtp_server.wait_for(old, 2))
    done = await new_client(app)(RESET, {"token": reset, "password": "the owner's new passphrase"})
    assert done["resetPassword"]["__typename"] == "ResetPasswordSuccess"
    assert (await new_client(app)(VERIFY, {"token": token}))["verifyEmail"]["code"] == "INVALID_OR_EXPIRED_TOKEN"
    assert (await sign_in(new_client(app), old, "the owner's new passphrase"))["user"]["email"] == old


async def test_email_taken_when_asked_and_when_confirmed(app_api, smtp_server, db):
    app, api = app_api
    mine, theirs, later = unique("mine"), unique("theirs"), unique("later")
    user = await sign_up(api, mine)
    await sign_up(new_client(app), theirs)

    taken = (await api(CHANGE, {"email": theirs.upper(), "password": PASSWORD}))["changeEmail"]
    assert (taken["code"], taken["field"]) == ("EMAIL_TAKEN", "newEmail")

    # free when asked, taken by a sign-up before the link is opened
    assert (await api(CHANGE, {"email": later, "password": PASSWORD}))["changeEmail"][
        "__typename"
    ] == "ChangeEmailSuccess"
    token = mailed_token(await smtp_server.wait_for(later))
    await sign_up(new_client(app), later.upper())
    refused = (await api(VERIFY, {"token": token}))["verifyEmail"]
    assert refused["code"] == "EMAIL_TAKEN"
    assert await db.fetchval('SELECT email FROM "user" WHERE id = $1', user["id"]) == mine
    assert await db.fetchval('SELECT count(*) FROM "user" WHERE lower(email) = $1', later) == 1


async def test_two_users_racing_to_one_address_exactly_one_wins(app_api, smtp_server, db):
    app, _ = app_api
    target = unique("contested")
    users, tokens = [], []
    for name in ("first", "second"):
        client = new_client(app)
        users.append(await sign_up(client, unique(name)))
        assert (await client(CHANGE, {"email": target, "password": PASSWORD}))["changeEmail"]["__typename"] == (
            "ChangeEmailSuccess"
        )
        tokens.append(mailed_token(await smtp_server.wait_for(target, len(tokens) + 1)))
    results = await asyncio.gather(*(new_client(app)(VERIFY, {"token": t}) for t in tokens))
    kinds = sorted(r["verifyEmail"].get("code") or r["verifyEmail"]["__typename"] for r in results)
    assert kinds == ["EMAIL_TAKEN", "VerifyEmailSuccess"]
    owners = await db.fetch('SELECT id FROM "user" WHERE lower(email) = $1', target)
    assert len(owners) == 1 and owners[0]["id"] in {u["id"] for u in users}


async def test_change_email_mails_are_rate_limited_per_account(database_url, smtp_server, tmp_path):
    settings = make_settings(database_url, tmp_path, smtp_url=smtp_server.url, rate_limit_enabled=True)
    async with running_app(settings) as (_, api):
        await sign_up(api, unique("spammer"))
        answers = [
            (await api(CHANGE, {"email": unique(f"victim{n}"), "password": PASSWORD}))["changeEmail"] for n in range(6)
        ]
    assert [a["__typename"] for a in answers[:5]] == ["ChangeEmailSuccess"] * 5
    assert answers[5]["code"] == "RATE_LIMITED"


# ---------------------------------------------------------------------------------------------------- deletion


async def rows_of(db, user_id: str, email: str) -> dict[str, int]:
    """Every row of every table in the database that holds the user's id or address, or a rate-limit counter of
    the address (its keys carry a hash of it)."""
    digest = hashlib.sha256(email.casefold().encode()).hexdigest()[:16]
    tables = await db.fetch(
        """SELECT table_schema, table_name FROM information_schema.tables
           WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')"""
    )
    found = {}
    for t in tables:
        name = f'"{t["table_schema"]}"."{t["table_name"]}"'
        count = await db.fetchval(
            f"SELECT count(*) FROM {name} AS r WHERE strpos(r::text, $1) > 0 OR strpos(lower(r::text), $2) > 0 "
            "OR strpos(r::text, $3) > 0",
            user_id,
            email.lower(),
            digest,
        )
        if count:
            found[t["table_name"]] = count
    return found


async def test_delete_account_leaves_no_row_of_the_user(database_url, smtp_server, tmp_path, db):
    settings = make_settings(
        database_url, tmp_path, smtp_url=smtp_server.url, rate_limit_enabled=True, email_verification="optional"
    )
    async with running_app(settings) as (app, api):
        email, bystander = unique("leaving"), unique("staying")
        user = await sign_up(api, email)
        other = await sign_up(new_client(app), bystander)
        laptop = new_client(app)
        signed_in = await sign_in(laptop, email)  # a second session, and a bearer token
        bearer = {"Authorization": f"Bearer {signed_in['accessToken']}"}
        await api(REQUEST_RESET, {"email": email})  # a reset token and per-address rate-limit counters
        await api(CHANGE, {"email": unique("pending"), "password": PASSWORD})  # a pending email change
        await sign_in(new_client(app), email, "a wrong password")
        await smtp_server.wait_for(email, 3)  # verification link, reset link, change notice
        before = await rows_of(db, user["id"], email)
        assert {"user", "session", "account", "verification", "auth_rate_limit"} <= before.keys(), before
        others_before = await rows_of(db, other["id"], bystander)

        assert (await new_client(app)(DELETE, {"input": {"password": PASSWORD}}))["deleteAccount"]["code"] == (
            "NOT_AUTHENTICATED"
        )
        missing = (await api(DELETE, {"input": {}}))["deleteAccount"]
        assert (missing["code"], missing["field"]) == ("INVALID_INPUT", "password")
        wrong = (await api(DELETE, {"input": {"password": "not the password"}}))["deleteAccount"]
        assert (wrong["code"], wrong["field"]) == ("INVALID_CREDENTIALS", "password")
        assert await rows_of(db, user["id"], email) == before  # refused: nothing deleted

        response = await api.post(DELETE, {"input": {"password": PASSWORD}})
        assert response.json()["data"]["deleteAccount"] == {
            "__typename": "DeleteAccountSuccess",
            "deleted": True,
            "message": "Your account has been deleted.",
        }
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("chatbot_session=") and "Max-Age=0" in cookie
        goodbye = await smtp_server.wait_for(email, 4)
        assert goodbye["Subject"] == "Your account has been deleted" and email in body_of(goodbye)

        assert await rows_of(db, user["id"], email) == {}
        assert await rows_of(db, other["id"], bystander) == others_before  # nobody else's rows went
        assert (await laptop(ME))["me"] is None  # the other session is gone
        assert (await new_client(app)(ME, headers=bearer))["me"] is None  # and so is its access token
        assert (await sign_in(new_client(app), email))["code"] == "INVALID_CREDENTIALS"
        again = await sign_up(new_client(app), email)  # the address is free again
        assert again["id"] != user["id"]


async def test_an_account_without_a_password_confirms_deletion_by_mail(app_api, smtp_server, db):
    """A social-only user (Better Auth users can have no credential account) has no password to confirm with."""
    app, api = app_api
    email = unique("social")
    user = await sign_up(api, email)
    await db.execute("""DELETE FROM account WHERE "userId" = $1""", user["id"])
    intruder = new_client(app)
    await sign_up(intruder, unique("intruder"))

    mailed = (await api(DELETE, {"input": {"password": "anything"}}))["deleteAccount"]
    assert mailed == {
        "__typename": "DeleteAccountSuccess",
        "deleted": False,
        "message": f"We sent a link to {email}: open it to delete your account.",
    }
    mail = await smtp_server.wait_for(email)
    assert mail["Subject"] == "Confirm deleting your account"
    token = mailed_token(mail, "delete-account")
    assert await db.fetchval('SELECT count(*) FROM "user" WHERE id = $1', user["id"]) == 1

    # the token is the user's alone, of its own kind only, and needs the user's session
    assert (await intruder(DELETE, {"input": {"token": token}}))["deleteAccount"]["code"] == "INVALID_OR_EXPIRED_TOKEN"
    assert (await new_client(app)(DELETE, {"input": {"token": token}}))["deleteAccount"]["code"] == "NOT_AUTHENTICATED"
    assert (await api(VERIFY, {"token": token}))["verifyEmail"]["code"] == "INVALID_OR_EXPIRED_TOKEN"
    assert (await api(DELETE, {"input": {"token": token}}))["deleteAccount"]["deleted"] is True
    assert await rows_of(db, user["id"], email) == {}
    assert (await api(ME))["me"] is None
