"""Two-factor sign-in over the real GraphQL API (embedded PostgreSQL, real SMTP receiver), with codes computed by
pyotp as an authenticator app would: setup, the second step of sign-in, replay, clock skew, wrong codes up to the
limit, backup codes used once, regenerate, disable, trusted devices, and challenges that cannot be finished from
another browser or after they expire."""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import asyncpg
import pyotp
import pytest
from chatbot_agent.auth.core.secretbox import SecretBox
from chatbot_agent.auth.methods.two_factor.service import reseal_all
from chatbot_agent.config import RateLimit
from chatbot_agent.keys import generate_secret_key

from .support import (
    ME,
    REQUEST_RESET,
    RESET,
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

PASSWORD = "correct horse battery staple"
ERROR = "... on AuthError { code message field retryAfterSeconds }"
ENABLE = f"""mutation($p: String!) {{ enableTwoFactor(input: {{password: $p}}) {{ __typename
  ... on TwoFactorSetup {{ totpUri secret backupCodes }} {ERROR} }} }}"""
CONFIRM = f"""mutation($c: String!) {{ confirmTwoFactor(input: {{code: $c}}) {{ __typename
  ... on TwoFactorStatus {{ message user {{ id twoFactorEnabled }} }} {ERROR} }} }}"""
DISABLE = f"""mutation($p: String!) {{ disableTwoFactor(input: {{password: $p}}) {{ __typename
  ... on TwoFactorStatus {{ message user {{ twoFactorEnabled }} }} {ERROR} }} }}"""
REGENERATE = f"""mutation($p: String!) {{ regenerateBackupCodes(input: {{password: $p}}) {{ __typename
  ... on BackupCodes {{ backupCodes }} {ERROR} }} }}"""
VERIFY = f"""mutation($c: String!, $t: Boolean! = false) {{ verifyTwoFactor(input: {{code: $c, trustDevice: $t}}) {{
  __typename ... on AuthSuccess {{ accessToken user {{ id email twoFactorEnabled }} }} {ERROR} }} }}"""
SIGN_IN_2FA = f"""mutation($input: SignInInput!) {{ signIn(input: $input) {{ __typename
  ... on AuthSuccess {{ user {{ id }} }} ... on TwoFactorRequired {{ methods }} {ERROR} }} }}"""
CHANGE_PASSWORD = f"""mutation($c: String!, $n: String!) {{ changePassword(input: {{currentPassword: $c,
  newPassword: $n}}) {{ __typename {ERROR} }} }}"""
ME_2FA = "{ me { id twoFactorEnabled } }"


def fresh_step() -> None:
    """Codes are computed here and checked on the server a moment later: start right after a step boundary, so
    both see the same 30-second step (no test depends on crossing one)."""
    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.05)


def code(secret: str, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


async def signed_up(api: Api) -> str:
    email = f"tf.{secrets.token_hex(5)}@example.com"
    assert (await api(SIGN_UP, sign_up_input(email, PASSWORD)))["signUp"]["__typename"] == "AuthSuccess"
    return email


async def with_two_factor(api: Api) -> tuple[str, str, list[str]]:
    """A signed-in user with two-factor on: (email, secret, backup codes). The setup's first code is of the
    previous step, so the current and the next are still usable for sign-ins."""
    email = await signed_up(api)
    setup = (await api(ENABLE, {"p": PASSWORD}))["enableTwoFactor"]
    assert setup["__typename"] == "TwoFactorSetup", setup
    fresh_step()
    done = (await api(CONFIRM, {"c": code(setup["secret"], -1)}))["confirmTwoFactor"]
    assert done["__typename"] == "TwoFactorStatus" and done["user"]["twoFactorEnabled"] is True, done
    return email, setup["secret"], setup["backupCodes"]


async def pending_sign_in(api: Api, email: str, password: str = PASSWORD) -> dict:
    await api(SIGN_OUT)
    result = (await api(SIGN_IN_2FA, {"input": {"email": email, "password": password}}))["signIn"]
    assert result == {"__typename": "TwoFactorRequired", "methods": ["totp", "backup-code"]}, result
    return result


async def mail_with_subject(smtp, email: str, subject: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in smtp.to(email) if m["Subject"] == subject]
        if found:
            return found[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no mail {subject!r} to {email}")


async def verify(api: Api, value: str, trust: bool = False) -> dict:
    return (await api(VERIFY, {"c": value, "t": trust}))["verifyTwoFactor"]


@pytest.fixture
def limited_settings(database_url, smtp_server, tmp_path):
    return make_settings(
        database_url,
        tmp_path,
        smtp_url=smtp_server.url,
        rate_limit_enabled=True,
        rate_limit_two_factor_challenge=RateLimit(3, 300),
        rate_limit_two_factor_user=RateLimit(5, 900),
        rate_limit_sign_in_ip=RateLimit(1000, 300),
        rate_limit_sign_in_email=RateLimit(1000, 900),
        rate_limit_sign_up_ip=RateLimit(1000, 3600),
    )


# ---------------------------------------------------------------------------------------------------- setup


async def test_setup_gives_a_scannable_secret_and_turns_on_only_with_a_code(api, db):
    email = await signed_up(api)
    assert (await api(ME_2FA))["me"]["twoFactorEnabled"] is False
    wrong = (await api(ENABLE, {"p": "not my password"}))["enableTwoFactor"]
    assert (wrong["__typename"], wrong["code"], wrong["field"]) == ("AuthError", "INVALID_CREDENTIALS", "password")

    setup = (await api(ENABLE, {"p": PASSWORD}))["enableTwoFactor"]
    uri = urlsplit(setup["totpUri"])
    query = {k: v[0] for k, v in parse_qs(uri.query).items()}
    assert uri.scheme == "otpauth" and uri.netloc == "totp" and query["secret"] == setup["secret"]
    assert email in uri.path.replace("%40", "@")
    assert len(setup["backupCodes"]) == 10 and len(set(setup["backupCodes"])) == 10

    # Nothing is on yet: sign-in still needs only the password, and me says so.
    assert (await api(ME_2FA))["me"]["twoFactorEnabled"] is False
    await api(SIGN_OUT)
    assert (await api(SIGN_IN_2FA, {"input": {"email": email, "password": PASSWORD}}))["signIn"][
        "__typename"
    ] == "AuthSuccess"

    # Secrets at rest: the TOTP secret and the backup codes are nowhere in the table in clear.
    row = await db.fetchrow(
        'SELECT t.secret, t."backupCodes", t.verified FROM "twoFactor" t JOIN "user" u '
        'ON u.id = t."userId" WHERE u.email = $1',
        email,
    )
    assert row["verified"] is False
    assert setup["secret"] not in row["secret"] and row["secret"].startswith("v1.")
    stored = row["secret"] + row["backupCodes"]
    assert not any(c in stored or c.replace("-", "") in stored for c in setup["backupCodes"])

    wrong_code = await api(CONFIRM, {"c": "000000" if code(setup["secret"]) != "000000" else "111111"})
    assert wrong_code["confirmTwoFactor"]["code"] == "INVALID_CREDENTIALS"
    fresh_step()
    done = (await api(CONFIRM, {"c": code(setup["secret"])}))["confirmTwoFactor"]
    assert done["__typename"] == "TwoFactorStatus" and done["user"]["twoFactorEnabled"] is True
    assert (await api(ME_2FA))["me"]["twoFactorEnabled"] is True
    again = (await api(ENABLE, {"p": PASSWORD}))["enableTwoFactor"]
    assert (again["__typename"], again["code"]) == ("AuthError", "INVALID_INPUT")  # no silent re-keying


async def test_turning_on_is_mailed_to_the_owner(api, smtp_server):
    email, _, _ = await with_two_factor(api)
    await mail_with_subject(smtp_server, email, "Two-factor authentication is on")


# ---------------------------------------------------------------------------------------------------- sign-in


async def test_password_then_code_signs_in_and_the_pending_cookie_is_http_only(app_api):
    app, api = app_api
    email, secret, _ = await with_two_factor(api)
    await api(SIGN_OUT)
    response = await api.post(SIGN_IN_2FA, {"input": {"email": email, "password": PASSWORD}})
    assert response.json()["data"]["signIn"]["__typename"] == "TwoFactorRequired"
    cookies = response.headers.get_list("set-cookie")
    assert not any(c.startswith("chatbot_session=") and "Max-Age=0" not in c for c in cookies)  # no session yet
    pending = [c for c in cookies if c.startswith("chatbot_session_two_factor=")]
    assert pending and "HttpOnly" in pending[0] and "SameSite=Lax" in pending[0]
    assert 290 <= int(re.search(r"Max-Age=(\d+)", pending[0]).group(1)) <= 300  # five minutes
    assert (await api(ME))["me"] is None

    done = await verify(api, code(secret, 1))
    assert done["__typename"] == "AuthSuccess" and done["user"]["email"] == email and done["accessToken"]
    assert (await api(ME))["me"]["email"] == email
    assert (await verify(api, code(secret, 1)))["code"] == "INVALID_OR_EXPIRED_TOKEN"  # the challenge is spent


async def test_a_code_works_once_and_older_codes_not_after_it(api):
    email, secret, _ = await with_two_factor(api)  # the setup used the previous step
    await pending_sign_in(api, email)
    fresh_step()
    assert (await verify(api, code(secret)))["__typename"] == "AuthSuccess"
    await pending_sign_in(api, email)
    replay = await verify(api, code(secret))
    assert (replay["code"], replay["field"]) == ("INVALID_CREDENTIALS", "code")
    assert (await verify(api, code(secret, -1)))["code"] == "INVALID_CREDENTIALS"  # older than the last used
    assert (await verify(api, code(secret, 1)))["__typename"] == "AuthSuccess"  # the refused codes left it usable


async def test_one_step_of_clock_skew_is_accepted_two_are_not(api):
    email, secret, _ = await with_two_factor(api)
    await pending_sign_in(api, email)
    fresh_step()
    accepted = {code(secret, o) for o in (0, 1)}
    for steps in (2, 3, -2, -3):
        if code(secret, steps) not in accepted:  # a one-in-a-million collision with a valid code proves nothing
            assert (await verify(api, code(secret, steps)))["code"] == "INVALID_CREDENTIALS", steps
    assert (await verify(api, code(secret, 1)))["__typename"] == "AuthSuccess"  # a phone 30 s ahead


@pytest.mark.parametrize("typed", ["", "12345", "abcdef", "1234567", "x" * 5000, "\x00" * 6])
async def test_malformed_codes_are_refused_as_data(api, typed):
    email, _, _ = await with_two_factor(api)
    await pending_sign_in(api, email)
    result = await verify(api, typed)
    assert result["__typename"] == "AuthError" and result["code"] in ("INVALID_CREDENTIALS", "INVALID_INPUT")


async def test_a_challenge_cannot_be_finished_from_another_browser(app_api):
    app, api = app_api
    email, secret, _ = await with_two_factor(api)
    await pending_sign_in(api, email)
    other = new_client(app)
    try:
        stolen = await verify(other, code(secret, 1))
        assert stolen["code"] == "INVALID_OR_EXPIRED_TOKEN"
        assert (await other(ME))["me"] is None
    finally:
        await other.http.aclose()
    assert (await verify(api, code(secret, 1)))["__typename"] == "AuthSuccess"  # the right browser still can


async def test_an_expired_challenge_cannot_be_finished(api, db):
    email, secret, _ = await with_two_factor(api)
    await pending_sign_in(api, email)
    user_id = await db.fetchval('SELECT id FROM "user" WHERE email = $1', email)
    moved = await db.execute(
        """UPDATE verification SET "expiresAt" = now() - interval '1 second'
                                WHERE value = $1 AND identifier LIKE 'two-factor:%'""",
        user_id,
    )
    assert moved == "UPDATE 1"
    assert (await verify(api, code(secret, 1)))["code"] == "INVALID_OR_EXPIRED_TOKEN"
    assert (await api(ME))["me"] is None


async def test_wrong_codes_up_to_the_limit_per_challenge_and_per_user(limited_settings):
    async with running_app(limited_settings) as (app, api):
        email, secret, _ = await with_two_factor(api)
        wrong = "000000" if "000000" not in {code(secret, o) for o in (-1, 0, 1)} else "999999"
        await pending_sign_in(api, email)
        for _ in range(3):  # the challenge's budget
            assert (await verify(api, wrong))["code"] == "INVALID_CREDENTIALS"
        limited = await verify(api, code(secret, 1))
        assert limited["code"] == "RATE_LIMITED" and limited["retryAfterSeconds"] > 0  # even the right code

        # A new challenge has a budget of its own, but the user's (5) is nearly spent: the setup's code and the three
        # wrong ones count (the refused fourth attempt did not: its challenge was over budget already).
        await pending_sign_in(api, email)
        assert (await verify(api, wrong))["code"] == "INVALID_CREDENTIALS"
        assert (await verify(api, code(secret, 1)))["code"] == "RATE_LIMITED"
        await pending_sign_in(api, email)
        assert (await verify(api, code(secret, 1)))["code"] == "RATE_LIMITED"
        assert (await api(ME))["me"] is None

        other_email, other_secret, _ = await with_two_factor(api)  # another user is not affected
        await pending_sign_in(api, other_email)
        assert (await verify(api, code(other_secret, 1)))["__typename"] == "AuthSuccess"


# ---------------------------------------------------------------------------------------------- backup codes


async def test_a_backup_code_signs_in_once(api):
    email, _, codes = await with_two_factor(api)
    await pending_sign_in(api, email)
    assert (await verify(api, codes[0].upper().replace("-", " ")))["__typename"] == "AuthSuccess"
    await pending_sign_in(api, email)
    assert (await verify(api, codes[0]))["code"] == "INVALID_CREDENTIALS"
    assert (await verify(api, codes[1]))["__typename"] == "AuthSuccess"


async def test_new_backup_codes_replace_the_old_ones(api):
    email, _, old = await with_two_factor(api)
    assert (await api(REGENERATE, {"p": "wrong password"}))["regenerateBackupCodes"]["code"] == "INVALID_CREDENTIALS"
    new = (await api(REGENERATE, {"p": PASSWORD}))["regenerateBackupCodes"]["backupCodes"]
    assert len(new) == 10 and not set(new) & set(old)
    await pending_sign_in(api, email)
    assert (await verify(api, old[2]))["code"] == "INVALID_CREDENTIALS"
    assert (await verify(api, new[2]))["__typename"] == "AuthSuccess"


# ------------------------------------------------------------------------------------------- off, and trust


async def test_turning_off_needs_the_password_and_ends_the_second_step(api, smtp_server):
    email, _, _ = await with_two_factor(api)
    wrong = (await api(DISABLE, {"p": "not it"}))["disableTwoFactor"]
    assert (wrong["code"], wrong["field"]) == ("INVALID_CREDENTIALS", "password")
    off = (await api(DISABLE, {"p": PASSWORD}))["disableTwoFactor"]
    assert off["__typename"] == "TwoFactorStatus" and off["user"]["twoFactorEnabled"] is False
    await mail_with_subject(smtp_server, email, "Two-factor authentication is off")
    await api(SIGN_OUT)
    assert (await api(SIGN_IN_2FA, {"input": {"email": email, "password": PASSWORD}}))["signIn"][
        "__typename"
    ] == "AuthSuccess"
    assert (await api(REGENERATE, {"p": PASSWORD}))["regenerateBackupCodes"]["code"] == "INVALID_INPUT"


async def test_a_trusted_device_skips_the_code_until_the_password_changes(api):
    email, secret, _ = await with_two_factor(api)
    await pending_sign_in(api, email)
    response = await api.post(VERIFY, {"c": code(secret, 1), "t": True})
    assert response.json()["data"]["verifyTwoFactor"]["__typename"] == "AuthSuccess"
    trust = [c for c in response.headers.get_list("set-cookie") if c.startswith("chatbot_session_trust_device=")]
    assert trust and "HttpOnly" in trust[0] and f"Max-Age={30 * 24 * 3600}" in trust[0]

    await api(SIGN_OUT)
    direct = (await api(SIGN_IN_2FA, {"input": {"email": email, "password": PASSWORD}}))["signIn"]
    assert direct["__typename"] == "AuthSuccess"  # this browser is trusted

    new_password = "a different horse entirely"
    assert (await api(CHANGE_PASSWORD, {"c": PASSWORD, "n": new_password}))["changePassword"][
        "__typename"
    ] == "ChangePasswordSuccess"
    await pending_sign_in(api, email, new_password)  # trust ended with the password


async def test_a_forged_trust_cookie_is_ignored(app_api):
    app, api = app_api
    email, secret, _ = await with_two_factor(api)
    api.http.cookies.set("chatbot_session_trust_device", "forged.c2lnbmF0dXJl", domain="testserver")
    await pending_sign_in(api, email)


async def test_turning_off_forgets_trusted_devices(api):
    email, secret, _ = await with_two_factor(api)
    await pending_sign_in(api, email)
    assert (await verify(api, code(secret, 1), trust=True))["__typename"] == "AuthSuccess"
    assert (await api(DISABLE, {"p": PASSWORD}))["disableTwoFactor"]["__typename"] == "TwoFactorStatus"
    fresh_step()
    setup = (await api(ENABLE, {"p": PASSWORD}))["enableTwoFactor"]
    assert (await api(CONFIRM, {"c": code(setup["secret"])}))["confirmTwoFactor"]["__typename"] == "TwoFactorStatus"
    await pending_sign_in(api, email)  # the old trust does not carry over to the new setup


async def test_a_password_reset_keeps_two_factor_on(api, smtp_server):
    email, secret, _ = await with_two_factor(api)
    await api(SIGN_OUT)
    assert (await api(REQUEST_RESET, {"email": email}))["requestPasswordReset"][
        "__typename"
    ] == "RequestPasswordResetSuccess"
    message = await mail_with_subject(smtp_server, email, "Reset your password")
    new_password = "reset horse battery staple"
    assert (await api(RESET, {"token": reset_token(message), "password": new_password}))["resetPassword"][
        "__typename"
    ] == "ResetPasswordSuccess"
    await pending_sign_in(api, email, new_password)
    assert (await verify(api, code(secret, 1)))["__typename"] == "AuthSuccess"
    assert (await api(ME_2FA))["me"]["twoFactorEnabled"] is True


async def test_two_factor_needs_a_session(api):
    for query, variables in (
        (ENABLE, {"p": PASSWORD}),
        (CONFIRM, {"c": "123456"}),
        (DISABLE, {"p": PASSWORD}),
        (REGENERATE, {"p": PASSWORD}),
    ):
        result = next(iter((await api(query, variables)).values()))
        assert result["code"] == "NOT_AUTHENTICATED"
    assert (await verify(api, "123456"))["code"] == "INVALID_OR_EXPIRED_TOKEN"


async def test_the_encryption_key_rotates_without_locking_anyone_out(databases, smtp_server, tmp_path):
    old, new = generate_secret_key(), generate_secret_key()
    dsn = await databases.create("rotation")  # its own database: reseal_all goes over every row
    db = await asyncpg.connect(dsn)

    def settings(**keys):
        return make_settings(dsn, tmp_path, smtp_url=smtp_server.url, **keys)

    async with running_app(settings(secrets_encryption_key=old)) as (_, api):
        email, secret, codes = await with_two_factor(api)
    user_id = await db.fetchval('SELECT id FROM "user" WHERE email = $1', email)
    stored = lambda: db.fetchrow('SELECT secret, "backupCodes" FROM "twoFactor" WHERE "userId" = $1', user_id)

    # Rotated: the new key seals, the old one still opens; a used secret moves to the new key by itself.
    async with running_app(settings(secrets_encryption_key=new, secrets_encryption_old_keys=(old,))) as (_, api):
        await pending_sign_in(api, email)
        assert (await verify(api, code(secret, 1)))["__typename"] == "AuthSuccess"
    new_kid, old_kid = SecretBox(new).current_kid, SecretBox(old).current_kid
    row = await stored()
    assert row["secret"].startswith(f"v1.{new_kid}.") and row["backupCodes"].startswith(f"v1.{old_kid}.")

    # `chatbot-agent reseal-secrets` moves the rest, so the old key can go.
    assert await reseal_all(db, SecretBox(new, [old])) == (1, 0)
    assert (await stored())["backupCodes"].startswith(f"v1.{new_kid}.")
    assert await reseal_all(db, SecretBox(new, [old])) == (0, 0)
    async with running_app(settings(secrets_encryption_key=new)) as (_, api):
        await pending_sign_in(api, email)
        assert (await verify(api, codes[0]))["__typename"] == "AuthSuccess"
    await db.close()


async def test_a_verified_passkey_skips_the_code_and_an_unverified_one_asks_for_it(api):
    from .passkey_support import SoftAuthenticator
    from .test_passkeys import ORIGIN, options_for_sign_in, register
    from .test_passkeys import sign_in as passkey_sign_in

    email, secret, _ = await with_two_factor(api)
    authenticator = SoftAuthenticator(ORIGIN)
    assert (await register(api, authenticator))["__typename"] == "PasskeySuccess"
    await api(SIGN_OUT)

    alone = await passkey_sign_in(api, authenticator.get(await options_for_sign_in(api)))
    assert alone["__typename"] == "AuthSuccess" and alone["user"]["email"] == email  # multi-factor by itself
    await api(SIGN_OUT)

    authenticator.user_verified = False  # a bare security key: something you have, not yet two factors
    pending = await passkey_sign_in(api, authenticator.get(await options_for_sign_in(api)))
    assert pending == {"__typename": "TwoFactorRequired", "methods": ["totp", "backup-code"]}
    assert (await verify(api, code(secret, 1)))["__typename"] == "AuthSuccess"
