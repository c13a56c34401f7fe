"""The parts of two-factor sign-in that need no server: sealing secrets at rest (AES-GCM, key rotation), TOTP codes
as an authenticator app computes them (pyotp), and backup codes."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
from chatbot_agent.auth.core.secretbox import SecretBox, SecretBoxError, generate_key, key_id, parse_key
from chatbot_agent.auth.methods.two_factor import backup_codes, totp

# ------------------------------------------------------------------------------------------------- secret box


def test_a_sealed_secret_opens_only_in_its_own_place_and_hides_the_plaintext():
    box = SecretBox(generate_key())
    sealed = box.seal("JBSWY3DPEHPK3PXP", "twoFactor.secret:user-1")
    assert "JBSWY3DPEHPK3PXP" not in sealed and sealed.startswith(f"v1.{box.current_kid}.")
    assert box.open(sealed, "twoFactor.secret:user-1") == "JBSWY3DPEHPK3PXP"
    assert box.seal("JBSWY3DPEHPK3PXP", "twoFactor.secret:user-1") != sealed  # a fresh nonce each time
    with pytest.raises(SecretBoxError, match="does not open here"):
        box.open(sealed, "twoFactor.secret:user-2")  # copied into another user's row
    version, kid, body = sealed.split(".")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(SecretBoxError):
        box.open(f"{version}.{kid}.{flipped}", "twoFactor.secret:user-1")
    for garbage in ("", "plain text", "v2.abcdefgh.xyz", "v1.short.xyz", "v1.abcdefgh.", "v1.abcdefgh.!!!"):
        with pytest.raises(SecretBoxError):
            box.open(garbage, "twoFactor.secret:user-1")


def test_keys_rotate_old_values_still_open_and_are_resealed_under_the_new_key():
    old_key, new_key = generate_key(), generate_key()
    before = SecretBox(old_key).seal("secret", "ctx")
    with pytest.raises(SecretBoxError, match="unknown key"):
        SecretBox(new_key).open(before, "ctx")  # the old key was dropped too early: said so, by key id
    rotated = SecretBox(new_key, old=[old_key])
    assert rotated.open(before, "ctx") == "secret" and rotated.needs_reseal(before)
    after = rotated.seal(rotated.open(before, "ctx"), "ctx")
    assert not rotated.needs_reseal(after) and SecretBox(new_key).open(after, "ctx") == "secret"
    assert rotated.current_kid == key_id(parse_key(new_key)) != key_id(parse_key(old_key))


@pytest.mark.parametrize("text", ["", "short", "A" * 43 + "!", generate_key()[:-4]])
def test_a_malformed_key_is_refused_with_a_hint(text):
    with pytest.raises(ValueError, match=r"gen-secrets|32 bytes"):
        parse_key(text)


# ------------------------------------------------------------------------------------------------------- TOTP


def test_the_uri_carries_what_an_authenticator_app_needs():
    secret = totp.new_secret()
    assert len(secret) == 32 and pyotp.TOTP(secret).now().isdigit()
    uri = urlsplit(totp.provisioning_uri(secret, "ada@example.com", "Chatbot Agent"))
    query = {k: v[0] for k, v in parse_qs(uri.query).items()}
    assert (uri.scheme, uri.netloc, unquote(uri.path)) == ("otpauth", "totp", "/Chatbot Agent:ada@example.com")
    assert query["secret"] == secret and query["issuer"] == "Chatbot Agent"


def test_codes_from_pyotp_match_within_one_step_of_skew_and_not_beyond():
    secret, now = totp.new_secret(), time.time()
    app = pyotp.TOTP(secret)
    step = totp.current_step(now)
    for offset in (-1, 0, 1):
        assert totp.match_step(secret, app.at(now + 30 * offset), now=now) == step + offset
    for offset in (-3, -2, 2, 3):
        code = app.at(now + 30 * offset)
        if code not in {app.at(now + 30 * o) for o in (-1, 0, 1)}:  # a one-in-a-million collision is not a failure
            assert totp.match_step(secret, code, now=now) is None


def test_a_used_step_and_every_earlier_one_are_refused():
    secret, now = totp.new_secret(), time.time()
    app, step = pyotp.TOTP(secret), totp.current_step(now)
    used = totp.match_step(secret, app.at(now), now=now)
    assert used == step
    assert totp.match_step(secret, app.at(now), now=now, after_step=used) is None  # replay
    assert totp.match_step(secret, app.at(now + 30 * -1), now=now, after_step=used) is None  # older code
    assert totp.match_step(secret, app.at(now + 30 * 1), now=now, after_step=used) == step + 1  # the next one is fine


@pytest.mark.parametrize("typed", ["123456", " 123 456 ", "123-456", "１２３４５６"])
def test_typed_codes_are_read_forgivingly(typed):
    assert totp.normalize_code(typed) == "123456"


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "12345a", "12³456", "123 45"])
def test_what_is_not_six_digits_is_no_code(typed):
    assert totp.normalize_code(typed) is None
    assert totp.match_step(totp.new_secret(), typed) is None


# ------------------------------------------------------------------------------------------------ backup codes


def test_ten_distinct_codes_stored_only_as_digests():
    codes = backup_codes.generate()
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(c) == 11 and c[5] == "-" for c in codes)
    stored = backup_codes.load(backup_codes.dump(backup_codes.digests(codes)))
    assert not any(c in json.dumps(stored) or c.replace("-", "") in json.dumps(stored) for c in codes)


def test_each_code_works_once_and_typing_is_forgiving():
    codes = backup_codes.generate()
    stored = backup_codes.digests(codes)
    first = codes[3]
    typed = " " + first.upper().replace("-", " ").replace("0", "O").replace("1", "l") + " "
    left = backup_codes.consume(stored, typed)
    assert left is not None and len(left) == 9
    assert backup_codes.consume(left, first) is None  # used: gone
    assert backup_codes.consume(left, codes[4]) is not None  # the others still work
    assert backup_codes.consume(stored, "00000-00000") is None
    assert backup_codes.consume(stored, "not a code") is None
    assert backup_codes.consume(stored, "") is None


def test_better_auth_plain_codes_keep_working_once_each():
    theirs = ["AbCdE-fGhIj", "KlMnO-pQrSt"]  # case-sensitive, as Better Auth makes them
    stored = backup_codes.load(json.dumps(theirs))
    assert backup_codes.consume(stored, "abcde-fghij") is None
    left = backup_codes.consume(stored, " AbCdE-fGhIj ")
    assert left is not None and backup_codes.consume(left, "AbCdE-fGhIj") is None
    assert backup_codes.consume(left, "KlMnO-pQrSt") == []
    with pytest.raises(ValueError):
        backup_codes.load('{"not": "a list"}')
