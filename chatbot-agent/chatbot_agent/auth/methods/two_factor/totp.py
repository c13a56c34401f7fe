"""TOTP (RFC 6238) with pyotp: SHA-1, 6 digits, 30-second steps, as every authenticator app reads them.

A code is accepted for the current step and one step either side (clock skew). `match_step` answers which step a
code belongs to, so the caller can store it and refuse that step, and every earlier one, from then on: a code
seen once (over a shoulder, in a phishing proxy) cannot be used again within its window (RFC 6238 §5.2).
"""

from __future__ import annotations

import time
from datetime import datetime

import pyotp
from pyotp.utils import strings_equal

DIGITS = 6
PERIOD = 30
SKEW_STEPS = 1
SECRET_LENGTH = 32  # base32 characters: 160 bits, the key length RFC 4226 recommends


def new_secret() -> str:
    return pyotp.random_base32(SECRET_LENGTH)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The `otpauth://totp/...` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).provisioning_uri(name=account, issuer_name=issuer)


def normalize_code(code: str) -> str | None:
    """The six digits of what the user typed ("123 456", "123-456" and full-width digits are fine), or None."""
    digits = "".join(ch for ch in code if not ch.isspace() and ch != "-")
    if len(digits) != DIGITS or not digits.isdigit():
        return None
    try:
        return str(int(digits)).zfill(DIGITS)  # int() reads any Unicode decimal digit as its ASCII value
    except ValueError:
        return None


def current_step(now: float | datetime | None = None) -> int:
    seconds = time.time() if now is None else now.timestamp() if isinstance(now, datetime) else now
    return int(seconds // PERIOD)


def match_step(
    secret: str, code: str, *, now: float | datetime | None = None, after_step: int | None = None
) -> int | None:
    """The time step whose code this is (current step ± SKEW_STEPS), or None.

    Steps at or before `after_step` (the last step used) never match, so a code works once. Every candidate step is
    compared (in constant time), so how long this takes does not tell which one matched."""
    typed = normalize_code(code)
    if typed is None:
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD)
    step = totp.timecode(time.time() if now is None else now)
    matched = [c for c in range(step - SKEW_STEPS, step + SKEW_STEPS + 1) if strings_equal(totp.generate_otp(c), typed)]
    usable = [c for c in matched if after_step is None or c > after_step]
    return max(usable) if usable else None
