"""The security audit trail: what a user does lands in `auth_audit` with the time, address and user agent and no
secret; `mySecurityEvents` shows the caller their own events only; old rows are swept; a failing insert never fails
the user's action."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from urllib.parse import unquote

import httpx
import pytest
from chatbot_agent.auth.core import events
from chatbot_agent.auth.core.records import Client

from .security_support import CHANGE_PASSWORD, PASSWORD, REVOKE_OTHERS, sign_in_input, unique
from .support import (
    REQUEST_RESET,
    RESET,
    SIGN_IN,
    SIGN_OUT,
    SIGN_UP,
    Api,
    make_settings,
    new_client,
    reset_token,
    running_app,
    sign_up_input,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")

EVENTS = """query($limit: Int) { mySecurityEvents(limit: $limit) {
  id event createdAt code method ipAddress userAgent revokedSessions } }"""
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AuditTest/1.0"
NEW_PASSWORD = "a brand new passphrase 2026"
WRONG = "not the password at all"


async def my_events(api: Api, limit: int | None = None) -> list[dict]:
    return (await api(EVENTS, {"limit": limit}))["mySecurityEvents"]


async def all_rows(db) -> list[str]:
    return [r["row"] for r in await db.fetch("SELECT row_to_json(a)::text AS row FROM auth_audit a ORDER BY id")]


def secrets_of(http: httpx.AsyncClient, *more: str) -> list[str]:
    """Everything secret this client holds or sent: its cookies (and their token part) and `more`."""
    found = list(more)
    for value in http.cookies.values():
        found += [value, unquote(value), unquote(value).split(".")[0]]
    return [s for s in found if s]


async def test_a_users_actions_are_recorded_with_address_and_agent_and_no_secret(live_server_factory, db, smtp_server):
    """Over real HTTP (uvicorn on loopback): sign up, sign out, a wrong password, sign in, change the password,
    revoke the other sessions, reset the password by mail; a wrong password for an unknown email too."""
    email = unique("audit")
    with live_server_factory() as srv:
        async with (
            httpx.AsyncClient(base_url=srv.url, headers={"user-agent": BROWSER}) as http,
            httpx.AsyncClient(base_url=srv.url, headers={"user-agent": "phone"}) as phone_http,
        ):
            api, phone = Api(http), Api(phone_http)
            signed_up = (await api(SIGN_UP, sign_up_input(email, PASSWORD)))["signUp"]
            user_id, tokens = signed_up["user"]["id"], [signed_up["accessToken"]]
            cookies = secrets_of(http)
            assert (await api(SIGN_OUT))["signOut"] is True
            failed = (await api(SIGN_IN, sign_in_input(email, WRONG)))["signIn"]
            assert failed["code"] == "INVALID_CREDENTIALS"
            unknown = (await api(SIGN_IN, sign_in_input(unique("nobody"), WRONG)))["signIn"]
            assert unknown["code"] == "INVALID_CREDENTIALS"
            tokens.append((await api(SIGN_IN, sign_in_input(email)))["signIn"]["accessToken"])
            tokens.append((await phone(SIGN_IN, sign_in_input(email)))["signIn"]["accessToken"])
            cookies += secrets_of(http) + secrets_of(phone_http)
            changed = (await api(CHANGE_PASSWORD, {"current": PASSWORD, "new": NEW_PASSWORD}))["changePassword"]
            assert changed["revokedSessions"] == 1  # the phone
            tokens.append((await phone(SIGN_IN, sign_in_input(email, NEW_PASSWORD)))["signIn"]["accessToken"])
            cookies += secrets_of(phone_http)
            assert (await api(REVOKE_OTHERS))["revokeOtherSessions"]["revokedSessions"] == 1
            await api(REQUEST_RESET, {"email": email})
            await smtp_server.wait_for(email, count=2)  # the password-changed notice, then the link
            token = reset_token(next(m for m in smtp_server.to(email) if "reset-password?token=" in str(m)))
            reset = (await api(RESET, {"token": token, "password": PASSWORD + " again"}))["resetPassword"]
            assert reset["__typename"] == "ResetPasswordSuccess"
            assert (await api(SIGN_IN, sign_in_input(email, PASSWORD + " again")))["signIn"]["user"]["id"] == user_id

            listed = await my_events(api)

    assert [(e["event"], e["code"]) for e in listed] == [
        (events.SIGNED_IN, None),
        (events.PASSWORD_RESET, None),
        (events.PASSWORD_RESET_REQUESTED, None),
        (events.SESSIONS_REVOKED, None),
        (events.SIGNED_IN, None),  # the phone, with the new password
        (events.PASSWORD_CHANGED, None),
        (events.SIGNED_IN, None),  # the phone
        (events.SIGNED_IN, None),
        (events.SIGN_IN_FAILED, "INVALID_CREDENTIALS"),
        (events.SIGNED_OUT, None),
        (events.SIGNED_IN, None),  # the session sign-up opens
        (events.USER_SIGNED_UP, None),
    ]
    assert [e["createdAt"] for e in listed] == sorted((e["createdAt"] for e in listed), reverse=True)
    assert all(e["ipAddress"] == "127.0.0.1" for e in listed)
    assert {e["userAgent"] for e in listed} == {BROWSER, "phone"}
    assert listed[3]["revokedSessions"] == 1 and listed[5]["revokedSessions"] == 1
    assert listed[0]["method"] == listed[-2]["method"] == "password"

    # the failed sign-in of an unknown email is recorded without a user
    orphans = await db.fetch(
        'SELECT event, code FROM auth_audit WHERE "userId" IS NULL AND "ipAddress" = \'127.0.0.1\''
    )
    assert ("session.sign_in_failed", "INVALID_CREDENTIALS") in [tuple(r) for r in orphans]

    # no password, token, cookie or reset token anywhere in the trail
    rows = "\n".join(await all_rows(db))
    for secret in [PASSWORD, WRONG, NEW_PASSWORD, PASSWORD + " again", token, *tokens, *cookies]:
        assert secret not in rows, "a secret reached auth_audit"
    assert len(await db.fetch('SELECT 1 FROM auth_audit WHERE "userId" = $1', user_id)) == len(listed)


async def test_my_security_events_shows_the_callers_own_events_only(app_api):
    app, ada = app_api
    bob = new_client(app)
    try:
        ada_id = (await ada(SIGN_UP, sign_up_input(unique("ada"))))["signUp"]["user"]["id"]
        bob_email = unique("bob")
        await bob(SIGN_UP, sign_up_input(bob_email))
        await bob(SIGN_IN, sign_in_input(bob_email, WRONG))
        ada_events, bob_events = await my_events(ada), await my_events(bob)
        assert [e["event"] for e in ada_events] == [events.SIGNED_IN, events.USER_SIGNED_UP]
        assert [e["event"] for e in bob_events] == [events.SIGN_IN_FAILED, events.SIGNED_IN, events.USER_SIGNED_UP]
        assert not {e["id"] for e in ada_events} & {e["id"] for e in bob_events}
        assert (await my_events(ada, limit=1))[0]["id"] == ada_events[0]["id"]

        # a bearer token works as well as the cookie; signed out, nothing
        token = (await bob(SIGN_IN, sign_in_input(bob_email)))["signIn"]["accessToken"]
        async with httpx.AsyncClient(transport=bob.http._transport, base_url=str(bob.http.base_url)) as bare:
            bearer = Api(bare)
            bearer.http.headers["authorization"] = f"Bearer {token}"
            by_bearer = await my_events(bearer)
            assert [e["event"] for e in by_bearer][:2] == [events.SIGNED_IN, events.SIGN_IN_FAILED]
            await bob(SIGN_OUT)
            assert await my_events(bob) == []
            assert await my_events(bearer) == []  # the token's session ended too
        assert ada_id not in json.dumps(by_bearer)
    finally:
        await bob.http.aclose()


async def test_limit_defaults_to_20_and_is_capped_at_100(app_api, db):
    app, api = app_api
    user_id = (await api(SIGN_UP, sign_up_input(unique("many"))))["signUp"]["user"]["id"]
    await db.execute(
        """INSERT INTO auth_audit ("userId", "createdAt", event, details)
           SELECT $1, now() - make_interval(secs => n), 'session.signed_in', '{"method": "password"}'
           FROM generate_series(1, 150) AS n""",
        user_id,
    )
    assert len(await my_events(api)) == 20
    assert len(await my_events(api, limit=500)) == 100
    assert len(await my_events(api, limit=0)) == 1


async def test_events_of_other_methods_keep_whitelisted_details_only(app_api, db):
    """A method's events (two_factor.*, passkey.* …) are recorded by prefix; their data never reaches the table
    except the whitelisted keys, and `code` only when it is one of our error codes."""
    app, api = app_api
    user_id = (await api(SIGN_UP, sign_up_input(unique("2fa"))))["signUp"]["user"]["id"]
    core = app.state.auth.auth.core
    user = await core.user(user_id)
    client = Client(ip="203.0.113.9", user_agent="x" * 5000)
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    await core.events.emit("two_factor.enabled", user=user, client=client, secret=secret, code="123456")
    await core.events.emit("passkey.added", user=user, client=client, passkey_name="My key", credential=secret)
    await core.events.emit("something.else", user=user, client=client)  # neither listed nor prefixed
    listed = await my_events(api)
    assert [e["event"] for e in listed[:2]] == ["passkey.added", "two_factor.enabled"]
    assert "something.else" not in [e["event"] for e in listed]
    assert listed[1]["code"] is None  # "123456" is not an error code
    assert listed[0]["ipAddress"] == "203.0.113.9" and len(listed[0]["userAgent"]) == 512
    rows = "\n".join(await all_rows(db))
    assert secret not in rows and "123456" not in rows
    assert '"passkey_name": "My key"' in rows


async def test_a_failing_insert_is_logged_and_the_action_stands(app_api, db, caplog):
    app, api = app_api
    email = unique("fault")
    await api(SIGN_UP, sign_up_input(email))
    await my_events(api)  # the queue is empty
    await db.execute("ALTER TABLE auth_audit RENAME TO auth_audit_away")
    try:
        with caplog.at_level(logging.ERROR):
            answer = (await api(SIGN_IN, sign_in_input(email)))["signIn"]
            assert answer["__typename"] == "AuthSuccess"
            await app.state.auth.auth.audit.flush()
    finally:
        await db.execute("ALTER TABLE auth_audit_away RENAME TO auth_audit")
    assert any("audit: 1 event(s) not recorded: UndefinedTableError" in r.getMessage() for r in caplog.records)
    lost = [e["event"] for e in await my_events(api)]
    assert lost == [events.SIGNED_IN, events.USER_SIGNED_UP]  # the sign-up's rows; the failed insert's row is lost
    await api(SIGN_OUT)
    await api(SIGN_IN, sign_in_input(email))
    assert [e["event"] for e in await my_events(api)][:3] == [events.SIGNED_IN, events.SIGNED_OUT, events.SIGNED_IN]


async def test_rate_limited_attempts_are_not_recorded(database_url, tmp_path, db):
    from chatbot_agent.config import RateLimit

    from .security_support import limited_settings

    settings = limited_settings(database_url, tmp_path, None, sign_in_email=RateLimit(2, 300))
    async with running_app(settings) as (_, api):
        email = unique("flood")
        await api(SIGN_UP, sign_up_input(email))
        codes = [(await api(SIGN_IN, sign_in_input(email, WRONG)))["signIn"]["code"] for _ in range(5)]
        assert codes == ["INVALID_CREDENTIALS"] * 2 + ["RATE_LIMITED"] * 3
        failures = [e for e in await my_events(api) if e["event"] == events.SIGN_IN_FAILED]
    assert [e["code"] for e in failures] == ["INVALID_CREDENTIALS"] * 2


async def test_retention_sweep_deletes_old_rows_only(app_api, db, database_url, tmp_path):
    app, api = app_api
    user_id = (await api(SIGN_UP, sign_up_input(unique("old"))))["signUp"]["user"]["id"]
    await my_events(api)

    async def seed() -> None:
        await db.execute(
            """INSERT INTO auth_audit ("userId", "createdAt", event) VALUES
               ($1, now() - interval '40 days', 'session.signed_in'),
               ($1, now() - interval '25 days', 'session.signed_out'),
               (NULL, now() - interval '31 days', 'session.sign_in_failed')""",
            user_id,
        )

    async def ages() -> list[str]:
        rows = await db.fetch(
            """SELECT event FROM auth_audit WHERE "createdAt" < now() - interval '1 day' ORDER BY "createdAt" """
        )
        return [r["event"] for r in rows]

    # the command line, with AUDIT_RETENTION_DAYS=30
    await seed()
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url, "DATA_DIR": str(tmp_path)}
    env |= {
        "AUDIT_RETENTION_DAYS": "30",
        **({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}),
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "chatbot_agent.cli", "cleanup"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "'auditEvents':" in result.stdout
    assert await ages() == ["session.signed_out"]
    assert [e["event"] for e in await my_events(api)] == ["session.signed_in", "user.signed_up", "session.signed_out"]

    # the server's sweep (core.delete_expired), with the default 90 days: nothing recent goes
    await db.execute("DELETE FROM auth_audit WHERE \"createdAt\" < now() - interval '1 day'")
    await seed()
    await db.execute("""UPDATE auth_audit SET "createdAt" = now() - interval '91 days' WHERE event = 'session.signed_in'
                        AND "createdAt" < now() - interval '1 day'""")
    removed = await app.state.auth.auth.core.delete_expired()
    assert removed["auditEvents"] == 1
    assert await ages() == ["session.sign_in_failed", "session.signed_out"]


async def test_retention_must_be_positive(tmp_path):
    from chatbot_agent.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="AUDIT_RETENTION_DAYS"):
        load_settings({"AUDIT_RETENTION_DAYS": "0"}, env_file=None)
    assert make_settings("postgresql://x/y", tmp_path).audit_retention_days == 90


DELETE_ACCOUNT = """mutation($input: DeleteAccountInput!) { deleteAccount(input: $input) {
  __typename ... on DeleteAccountSuccess { deleted } ... on AuthError { code message } } }"""


async def test_deleting_the_account_erases_its_trail_and_keeps_the_deletion_anonymous(app_api, db):
    app, api = app_api
    email = unique("leaving")
    api.http.headers["user-agent"] = BROWSER
    user_id = (await api(SIGN_UP, sign_up_input(email)))["signUp"]["user"]["id"]
    await api(SIGN_IN, sign_in_input(email, WRONG))
    assert len(await my_events(api)) == 3  # signed up, signed in, a failed sign-in
    answer = (await api(DELETE_ACCOUNT, {"input": {"password": PASSWORD}}))["deleteAccount"]
    assert answer == {"__typename": "DeleteAccountSuccess", "deleted": True}
    # a row still queued for the user when the account went (another worker's, say) is not written
    audit = app.state.auth.auth.audit
    await app.state.auth.auth.core.events.emit(events.SIGNED_OUT, user_id=user_id, client=Client(ip="198.51.100.1"))
    await audit.flush()
    assert await db.fetchval('SELECT count(*) FROM auth_audit WHERE "userId" = $1', user_id) == 0
    assert not [row for row in await all_rows(db) if user_id in row or email in row]
    deletion = await db.fetchrow(
        """SELECT "userId", "ipAddress", "userAgent" FROM auth_audit WHERE event = 'user.deleted'
           ORDER BY id DESC LIMIT 1"""
    )
    assert tuple(deletion) == (None, "127.0.0.1", BROWSER)
