"""Sessions: list and revoke my own (never someone else's), change the password (other sessions end), the session id
rotates on sign-in (no fixation), expired rows are cleaned up by the sweeper and by `chatbot-agent cleanup`."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from urllib.parse import unquote

import pytest
from chatbot_agent import app as app_module
from chatbot_agent.auth.core.ids import hash_token

from .security_support import (
    CHANGE_PASSWORD,
    MY_SESSIONS,
    PASSWORD,
    REVOKE_OTHERS,
    REVOKE_SESSION,
    sign_in_input,
    unique,
)
from .support import (
    ME,
    REQUEST_RESET,
    RESET,
    SIGN_IN,
    SIGN_UP,
    make_settings,
    new_client,
    reset_token,
    running_app,
    sign_up_input,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def devices(app, email: str, count: int, *, sign_up: bool = True):
    """`count` browsers signed in as `email` (the first one signs up), each with its own user agent."""
    clients = [new_client(app) for _ in range(count)]
    for n, client in enumerate(clients):
        client.http.headers["user-agent"] = f"device-{n}"
        if n == 0 and sign_up:
            assert (await client(SIGN_UP, sign_up_input(email)))["signUp"]["__typename"] == "AuthSuccess"
        else:
            assert (await client(SIGN_IN, sign_in_input(email)))["signIn"]["__typename"] == "AuthSuccess"
    return clients


async def close(*clients) -> None:
    for client in clients:
        await client.http.aclose()


async def signed_in(client) -> bool:
    return (await client(ME))["me"] is not None


async def test_my_sessions_lists_mine_newest_first_without_tokens(app_api):
    app, _ = app_api
    laptop, phone, tablet = await devices(app, unique("list"), 3)
    sessions = (await phone(MY_SESSIONS))["mySessions"]
    assert [s["userAgent"] for s in sessions] == ["device-2", "device-1", "device-0"]
    assert [s["current"] for s in sessions] == [False, True, False]
    assert {s["ipAddress"] for s in sessions} == {"127.0.0.1"}
    cookie_token = unquote(phone.http.cookies["chatbot_session"]).rsplit(".", 1)[0]
    assert all(cookie_token not in str(s) and hash_token(cookie_token) not in str(s) for s in sessions)
    assert (await new_client(app)(MY_SESSIONS))["mySessions"] == []  # signed out: nothing
    await close(laptop, phone, tablet)


async def test_revoke_one_of_my_sessions_and_my_current_one(app_api):
    app, _ = app_api
    laptop, phone = await devices(app, unique("revoke"), 2)
    phone_id = next(s["id"] for s in (await phone(MY_SESSIONS))["mySessions"] if s["current"])
    assert (await laptop(REVOKE_SESSION, {"id": phone_id}))["revokeSession"]["revokedSessions"] == 1
    assert not await signed_in(phone) and await signed_in(laptop)
    laptop_id = next(s["id"] for s in (await laptop(MY_SESSIONS))["mySessions"] if s["current"])
    response = await laptop.post(REVOKE_SESSION, {"id": laptop_id})
    assert response.json()["data"]["revokeSession"]["revokedSessions"] == 1
    assert "Max-Age=0" in response.headers["set-cookie"] and not await signed_in(laptop)
    await close(laptop, phone)


async def test_revoking_someone_elses_session_does_nothing(app_api, db):
    app, _ = app_api
    (mallory,) = await devices(app, unique("mallory"), 1)
    (alice,) = await devices(app, unique("alice"), 1)
    alice_session = next(s["id"] for s in (await alice(MY_SESSIONS))["mySessions"])
    for target in (alice_session, alice_session.lower(), "", "x" * 10_000, "' OR 1=1 --"):
        result = (await mallory(REVOKE_SESSION, {"id": target}))["revokeSession"]
        assert result == {"__typename": "RevokeSessionsSuccess", "revokedSessions": 0}
    assert await signed_in(alice)
    assert await db.fetchval("SELECT count(*) FROM session WHERE id = $1", alice_session) == 1
    anonymous = new_client(app)
    assert (await anonymous(REVOKE_SESSION, {"id": alice_session}))["revokeSession"]["code"] == "NOT_AUTHENTICATED"
    assert (await anonymous(REVOKE_OTHERS))["revokeOtherSessions"]["code"] == "NOT_AUTHENTICATED"
    await close(mallory, alice, anonymous)


async def test_revoke_other_sessions_keeps_only_mine(app_api):
    app, _ = app_api
    clients = await devices(app, unique("others"), 4)
    (other,) = await devices(app, unique("bystander"), 1)
    assert (await clients[1](REVOKE_OTHERS))["revokeOtherSessions"]["revokedSessions"] == 3
    assert [await signed_in(c) for c in clients] == [False, True, False, False]
    assert await signed_in(other)  # another user's sessions are untouched
    await close(*clients, other)


async def test_change_password_revokes_other_sessions_tokens_and_reset_links(app_api, smtp_server):
    app, _ = app_api
    email = unique("change")
    laptop, phone = await devices(app, email, 2)
    phone_bearer = (await phone(SIGN_IN, sign_in_input(email)))["signIn"]["accessToken"]  # rotates phone's session
    await laptop(REQUEST_RESET, {"email": email})
    pending_reset = reset_token(await smtp_server.wait_for(email))

    wrong = await laptop(CHANGE_PASSWORD, {"current": "not my password", "new": "a new passphrase"})
    assert (wrong["changePassword"]["code"], wrong["changePassword"]["field"]) == (
        "INVALID_CREDENTIALS",
        "currentPassword",
    )
    assert await signed_in(phone)  # a failed attempt changes nothing

    done = (await laptop(CHANGE_PASSWORD, {"current": PASSWORD, "new": "a new passphrase"}))["changePassword"]
    assert done["__typename"] == "ChangePasswordSuccess" and done["revokedSessions"] == 1  # the phone's
    assert await signed_in(laptop) and not await signed_in(phone)
    stranger = new_client(app)
    assert (await stranger(ME, headers={"authorization": f"Bearer {phone_bearer}"}))["me"] is None
    assert (await stranger(SIGN_IN, sign_in_input(email)))["signIn"]["code"] == "INVALID_CREDENTIALS"
    assert (await stranger(SIGN_IN, sign_in_input(email, "a new passphrase")))["signIn"]["__typename"] == "AuthSuccess"
    dead = (await stranger(RESET, {"token": pending_reset, "password": "attacker passphrase"}))["resetPassword"]
    assert dead["code"] == "INVALID_OR_EXPIRED_TOKEN"  # a link mailed before the change no longer works
    anonymous = new_client(app)
    refused = await anonymous(CHANGE_PASSWORD, {"current": PASSWORD, "new": "whatever passphrase"})
    assert refused["changePassword"]["code"] == "NOT_AUTHENTICATED"
    await close(laptop, phone, stranger, anonymous)


async def test_sign_in_rotates_the_session_so_a_planted_cookie_is_useless(app_api):
    app, _ = app_api
    attacker_email, victim_email = unique("fixer"), unique("fixed")
    (attacker,) = await devices(app, attacker_email, 1)
    (setup,) = await devices(app, victim_email, 1)
    planted = attacker.http.cookies["chatbot_session"]
    victim = new_client(app)
    planted_header = {"cookie": f"chatbot_session={planted}"}  # e.g. set through a sibling subdomain
    signed = await victim.post(SIGN_IN, sign_in_input(victim_email), headers=planted_header)
    assert signed.json()["data"]["signIn"]["__typename"] == "AuthSuccess"
    assert victim.http.cookies["chatbot_session"] != planted
    assert (await victim(ME))["me"]["email"] == victim_email
    assert (await attacker(ME))["me"] is None  # the planted session was ended, not promoted to the victim
    replay = new_client(app)
    assert (await replay(ME, headers=planted_header))["me"] is None
    await close(attacker, setup, victim, replay)


async def seed_expired_rows(db, user_id: str) -> None:
    await db.execute(
        """INSERT INTO session (id, token, "userId", "expiresAt", "updatedAt")
           VALUES ('expired-' || md5(random()::text), md5(random()::text), $1, now() - interval '1 minute', now())""",
        user_id,
    )
    await db.execute(
        """INSERT INTO verification (id, identifier, value, "expiresAt")
           VALUES (md5(random()::text), 'reset-password:' || md5(random()::text), $1, now() - interval '1 minute')""",
        user_id,
    )
    await db.execute("""INSERT INTO auth_rate_limit (key, count, "resetAt")
                        VALUES ('signIn:ip:' || md5(random()::text), 3, now() - interval '1 minute')""")


async def expired_counts(db) -> list[int]:
    return [
        await db.fetchval(f'SELECT count(*) FROM {table} WHERE "{column}" <= now()')
        for table, column in (("session", "expiresAt"), ("verification", "expiresAt"), ("auth_rate_limit", "resetAt"))
    ]


async def test_cleanup_command_deletes_expired_rows_only(app_api, db, database_url, tmp_path):
    app, api = app_api
    user_id = (await api(SIGN_UP, sign_up_input(unique("cleanup"))))["signUp"]["user"]["id"]
    await seed_expired_rows(db, user_id)
    assert all(n >= 1 for n in await expired_counts(db))
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "chatbot_agent.cli", "cleanup"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url, "DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert "'sessions'" in result.stdout and "'rateLimits'" in result.stdout
    assert await expired_counts(db) == [0, 0, 0]
    assert (await api(ME))["me"]["id"] == user_id  # the live session survived


async def test_the_expiry_sweeper_runs_in_the_server(database_url, tmp_path, db, monkeypatch):
    monkeypatch.setattr(app_module, "SWEEP_INTERVAL_SECONDS", 0.05)
    async with running_app(make_settings(database_url, tmp_path)) as (_, api):
        user_id = (await api(SIGN_UP, sign_up_input(unique("sweeper"))))["signUp"]["user"]["id"]
        await seed_expired_rows(db, user_id)
        deadline = time.monotonic() + 10
        while await expired_counts(db) != [0, 0, 0]:
            assert time.monotonic() < deadline, "the sweeper did not remove expired rows"
            await asyncio.sleep(0.05)
        assert (await api(ME))["me"]["id"] == user_id
