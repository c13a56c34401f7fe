"""Backup codes: ten one-time codes for when the authenticator app is not at hand.

A code is 10 characters of Crockford's base32 alphabet (50 bits), shown as `xxxxx-xxxxx`. Typing is forgiving:
case, spaces and hyphens do not matter, and the look-alikes o/i/l read as 0/1/1. The database keeps only their
SHA-256 digests, as a JSON list that is itself sealed with the SecretBox (`twoFactor.backupCodes`), so the codes
can be neither read nor tested offline from a copy of the table; using a code removes its digest.

Better Auth keeps its codes as a plain JSON list (`["AbCdE-fGhIj", ...]`, case-sensitive): such a list is read as
it is, so users who move over keep their codes, and it is replaced by the sealed form on its first change.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

COUNT = 10
LENGTH = 10
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32: no i, l, o, u
LOOK_ALIKES = str.maketrans({"o": "0", "i": "1", "l": "1"})
_OURS, _THEIRS = "v1:", "better-auth:"  # digest prefixes: our codes, and Better Auth's (compared as typed)


def generate(count: int = COUNT) -> list[str]:
    codes = ("".join(secrets.choice(ALPHABET) for _ in range(LENGTH)) for _ in range(count))
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def normalize(code: str) -> str | None:
    text = "".join(ch for ch in code.lower() if not ch.isspace() and ch != "-").translate(LOOK_ALIKES)
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def _digest(prefix: str, text: str) -> str:
    return hashlib.sha256((prefix + text).encode()).hexdigest()


def digest(code: str) -> str:
    """The stored form of one of our codes (as generated)."""
    text = normalize(code)
    if text is None:
        raise ValueError("not a backup code")
    return _digest(_OURS, text)


def digests(codes: list[str]) -> list[str]:
    return [digest(c) for c in codes]


def candidates(typed: str) -> list[str]:
    """The digests a typed code may match: ours (normalised), and Better Auth's (exact, trimmed)."""
    found = []
    text = normalize(typed)
    if text is not None:
        found.append(_digest(_OURS, text))
    stripped = typed.strip()
    if 0 < len(stripped) <= 64:
        found.append(_digest(_THEIRS, stripped))
    return found


def dump(stored_digests: list[str]) -> str:
    return json.dumps(stored_digests, separators=(",", ":"))


def load(plaintext: str) -> list[str]:
    """Digests from the opened column: our JSON list of digests, or Better Auth's plain list of codes."""
    value = json.loads(plaintext)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("backup codes: expected a JSON list of strings")
    if all(len(v) == 64 and all(ch in "0123456789abcdef" for ch in v) for v in value):
        return value
    return [_digest(_THEIRS, v.strip()) for v in value]  # Better Auth's plain codes


def consume(stored_digests: list[str], typed: str) -> list[str] | None:
    """The digests left once `typed` is used, or None when it matches none. Every stored digest is compared in
    constant time, so the answer's timing does not tell how close a guess came."""
    wanted = candidates(typed)
    hit = None
    for index, stored in enumerate(stored_digests):
        for candidate in wanted:
            if hmac.compare_digest(stored, candidate) and hit is None:
                hit = index
    if hit is None:
        return None
    return stored_digests[:hit] + stored_digests[hit + 1 :]
