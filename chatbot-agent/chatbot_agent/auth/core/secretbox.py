"""Secrets at rest: AES-256-GCM (`cryptography`) under keys from `.env`, with key ids so the key can rotate.

A stored value reads `v1.<kid>.<base64url(nonce ‖ ciphertext ‖ tag)>`:
- `kid` names the key that sealed it: 8 characters derived from the key itself (a hash, which tells nothing about
  the key), so the configuration is just a list of keys and no id can be mistyped;
- the nonce is 12 random bytes, fresh for every seal (2^32 seals per key keep the collision odds negligible);
- the associated data binds a value to where it lives (`context`, e.g. `twoFactor.secret:<userId>`): a ciphertext
  copied into another user's row does not open there.

`SECRETS_ENCRYPTION_KEY` is the current key (32 random bytes, base64url; `chatbot-agent gen-secrets` prints one);
`SECRETS_ENCRYPTION_OLD_KEYS` lists retired keys, comma-separated, that still open old values. To rotate: move the
current key to the old list, set a new one, restart; values sealed with an old key are re-sealed with the new one
when next used (`needs_reseal`), and the old key can go once nothing uses it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ...keys import b64url as _b64url
from ...keys import generate_secret_key, load_secret_key

VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
KID_LENGTH = 8


class SecretBoxError(ValueError):
    """A value that cannot be opened: malformed, sealed with an unknown key, tampered with, or for another place."""


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


generate_key = generate_secret_key
parse_key = load_secret_key


def key_id(key: bytes) -> str:
    return _b64url(hashlib.sha256(b"chatbot-agent secretbox key id\x00" + key).digest())[:KID_LENGTH]


class SecretBox:
    """Seals with the current key; opens with the current key or any old one."""

    def __init__(self, current: str | bytes, old: Iterable[str | bytes] = ()) -> None:
        keys = [k if isinstance(k, bytes) else parse_key(k) for k in (current, *old)]
        if any(len(k) != KEY_BYTES for k in keys):
            raise ValueError("every key must be 32 bytes")
        self.current_kid = key_id(keys[0])
        self._aead = {self.current_kid: AESGCM(keys[0])}
        for key in keys[1:]:
            self._aead.setdefault(key_id(key), AESGCM(key))

    def seal(self, plaintext: str, context: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead[self.current_kid].encrypt(nonce, plaintext.encode(), self._aad(context))
        return f"{VERSION}.{self.current_kid}.{_b64url(nonce + sealed)}"

    def open(self, value: str, context: str) -> str:
        _, kid, body = self._parts(value)
        aead = self._aead.get(kid)
        if aead is None:
            raise SecretBoxError(
                f"sealed with an unknown key (id {kid}): is an old key missing from SECRETS_ENCRYPTION_OLD_KEYS?"
            )
        try:
            raw = _unb64url(body)
        except (ValueError, binascii.Error):
            raise SecretBoxError("malformed sealed value") from None
        if len(raw) < NONCE_BYTES + 16:
            raise SecretBoxError("malformed sealed value")
        try:
            plain = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], self._aad(context))
        except InvalidTag:
            raise SecretBoxError(
                "the sealed value does not open here (tampered, or moved from another place)"
            ) from None
        return plain.decode()

    def needs_reseal(self, value: str) -> bool:
        """True when the value was sealed with an old key (open it and seal it again to move it to the current one)."""
        return self._parts(value)[1] != self.current_kid

    @staticmethod
    def is_sealed(value: str) -> bool:
        return value.startswith(f"{VERSION}.") and value.count(".") == 2

    @staticmethod
    def _parts(value: str) -> tuple[str, str, str]:
        version, _, rest = value.partition(".")
        kid, _, body = rest.partition(".")
        if version != VERSION or len(kid) != KID_LENGTH or not body:
            raise SecretBoxError("not a sealed value")
        return version, kid, body

    @staticmethod
    def _aad(context: str) -> bytes:
        return f"chatbot-agent/{VERSION}/{context}".encode()
