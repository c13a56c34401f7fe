"""Passwords (NIST SP 800-63B 5.1.1.2): common breached passwords and the email refused, NFKC before hashing, the
length limit enforced before any hashing work."""

from __future__ import annotations

import unicodedata

import pytest
from argon2 import PasswordHasher
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from .security_support import CHANGE_PASSWORD, sign_in_input, unique
from .support import REQUEST_RESET, RESET, SIGN_IN, SIGN_UP, new_client, reset_token, sign_up_input

pytestmark = pytest.mark.asyncio(loop_scope="session")

BREACHED = [p for p in FREQUENCY_LISTS["passwords"] if len(p) >= 8]


class HashCounter:
    """Counts the app's real argon2 work (hash and verify still run)."""

    def __init__(self, hashing) -> None:
        self.calls = 0
        for name in ("hash", "verify"):
            original = getattr(hashing, name)

            async def counted(*args, _original=original):
                self.calls += 1
                return await _original(*args)

            setattr(hashing, name, counted)


@pytest.fixture
def hashes(app_api):
    app, _ = app_api
    hashing = app.state.auth.hashing
    counter = HashCounter(hashing)
    yield counter
    for name in ("hash", "verify"):
        delattr(hashing, name)  # back to the class methods


async def test_the_list_is_a_real_breach_corpus():
    assert len(FREQUENCY_LISTS["passwords"]) >= 10_000
    assert len(BREACHED) > 10_000


@pytest.mark.parametrize("password", [BREACHED[0], BREACHED[5], BREACHED[1_000], BREACHED[-1], "PassWord1234".upper()])
async def test_common_passwords_are_refused_at_sign_up(api, password):
    if password == "PASSWORD1234":
        assert "password1234" in FREQUENCY_LISTS["passwords"]  # case does not make a common password rare
    result = (await api(SIGN_UP, sign_up_input(unique("common"), password=password)))["signUp"]
    assert (result["code"], result["field"]) == ("WEAK_PASSWORD", "password")
    assert "common" in result["message"]


async def test_password_equal_to_the_email_or_its_local_part_is_refused(api, app_api):
    email = unique("selfie")
    for password in (email, email.upper(), email.split("@")[0]):
        result = (await api(SIGN_UP, sign_up_input(email, password=password)))["signUp"]
        assert (result["code"], result["field"]) == ("WEAK_PASSWORD", "password")
    # ... and when changing it later
    assert (await api(SIGN_UP, sign_up_input(email)))["signUp"]["__typename"] == "AuthSuccess"
    changed = (await api(CHANGE_PASSWORD, {"current": "correct horse battery staple", "new": email}))["changePassword"]
    assert (changed["code"], changed["field"]) == ("WEAK_PASSWORD", "newPassword")


@pytest.mark.parametrize(
    "typed, later",
    [
        ("Crème brûlée au café", unicodedata.normalize("NFD", "Crème brûlée au café")),  # composed vs decomposed
        (unicodedata.normalize("NFD", "Ångström ñandú"), "Ångström ñandú"),
        ("ｆｕｌｌｗｉｄｔｈ　ｐａｓｓ　１２３", "fullwidth pass 123"),  # a CJK keyboard's full-width forms
        ("ﬁne ﬂower ﬁeld", "fine flower field"),  # ligatures
    ],
)
async def test_nfkc_before_hashing_so_every_keyboard_spelling_verifies(app_api, db, typed, later):
    app, api = app_api
    assert typed != later
    email = unique("nfkc")
    user_id = (await api(SIGN_UP, sign_up_input(email, password=typed)))["signUp"]["user"]["id"]
    stored = await db.fetchval('SELECT password FROM account WHERE "userId" = $1', user_id)
    assert PasswordHasher().verify(stored, unicodedata.normalize("NFKC", typed))  # what was hashed is NFKC
    other = new_client(app)
    assert (await other(SIGN_IN, sign_in_input(email, later)))["signIn"]["__typename"] == "AuthSuccess"
    await other.http.aclose()


async def test_length_is_counted_in_characters_after_nfkc(api):
    accents = (await api(SIGN_UP, sign_up_input(unique("long"), password="é" * 128)))["signUp"]  # 256 UTF-8 bytes
    assert accents["__typename"] == "AuthSuccess"
    expanding = (await api(SIGN_UP, sign_up_input(unique("long"), password="ﷺ" * 8)))["signUp"]  # 8 → 144 chars
    assert (expanding["code"], expanding["field"]) == ("WEAK_PASSWORD", "password")
    short = (await api(SIGN_UP, sign_up_input(unique("short"), password="7 chars")))["signUp"]
    assert short["code"] == "WEAK_PASSWORD" and "at least 8" in short["message"]
    assert (await api("{ passwordPolicy { minLength maxLength } }"))["passwordPolicy"] == {
        "minLength": 8,
        "maxLength": 128,
    }


async def test_too_long_passwords_are_refused_before_any_hashing(app_api, smtp_server, hashes):
    app, api = app_api
    email = unique("maxlen")
    assert (await api(SIGN_UP, sign_up_input(email)))["signUp"]["__typename"] == "AuthSuccess"
    await api(REQUEST_RESET, {"email": email})
    token = reset_token(await smtp_server.wait_for(email))
    hashes.calls = 0
    for password in ("p" * 129, "p" * 60_000):  # 60,000: just under the body limit
        up = (await api(SIGN_UP, sign_up_input(unique("maxlen"), password=password)))["signUp"]
        assert up["code"] == "WEAK_PASSWORD" and "at most 128" in up["message"]
        reset = (await api(RESET, {"token": token, "password": password}))["resetPassword"]
        assert (reset["code"], reset["field"]) == ("WEAK_PASSWORD", "newPassword")
        change = await api(CHANGE_PASSWORD, {"current": "correct horse battery staple", "new": password})
        assert change["changePassword"]["code"] == "WEAK_PASSWORD"
    # changePassword verifies the current password (2 verifications above), but nothing hashed a long one
    assert hashes.calls == 2
    hashes.calls = 0
    huge = (await api(SIGN_IN, sign_in_input(email, "p" * 60_000)))["signIn"]
    assert huge["code"] == "INVALID_CREDENTIALS" and hashes.calls == 0
    still = (await api(RESET, {"token": token, "password": "a fine new passphrase"}))["resetPassword"]
    assert still["__typename"] == "ResetPasswordSuccess"  # the refused attempts did not spend the token
