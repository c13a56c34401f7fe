"""A software WebAuthn authenticator for tests over HTTP: it answers the server's options as a browser with a
platform authenticator would (P-256 keys, `none` attestation, a signature counter), and can be made to misbehave
(another origin or RP ID, no user verification, a counter that goes back, a cloned key). Browser tests use
Chromium's virtual authenticator instead (tests/e2e/webauthn.py)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SoftCredential:
    credential_id: bytes
    key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    counter: int = 0

    @property
    def id(self) -> str:
        return b64url(self.credential_id)

    def cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})


@dataclass
class SoftAuthenticator:
    origin: str
    credentials: list[SoftCredential] = field(default_factory=list)
    aaguid: bytes = bytes(16)
    user_verified: bool = True

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False},
            separators=(",", ":"),
        ).encode()

    def _flags(self, extra: int = 0) -> int:
        return UP | (UV if self.user_verified else 0) | extra

    def create(
        self, options: dict, *, origin: str | None = None, rp_id: str | None = None, reuse: SoftCredential | None = None
    ) -> dict:
        """`navigator.credentials.create()`: a new resident credential (or `reuse` an existing one)."""
        rp = rp_id or options["rp"]["id"]
        cred = reuse or SoftCredential(
            secrets.token_bytes(32), ec.generate_private_key(ec.SECP256R1()), rp, unb64url(options["user"]["id"])
        )
        if reuse is None:
            self.credentials.append(cred)
        attested = (
            self.aaguid + struct.pack(">H", len(cred.credential_id)) + cred.credential_id + cred.cose_public_key()
        )
        auth_data = (
            hashlib.sha256(rp.encode()).digest() + bytes([self._flags(AT)]) + struct.pack(">I", cred.counter) + attested
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": cred.id,
            "rawId": cred.id,
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url(self._client_data("webauthn.create", options["challenge"], origin)),
                "attestationObject": b64url(attestation),
                "transports": ["internal", "hybrid"],
            },
        }

    def get(
        self,
        options: dict,
        *,
        credential: SoftCredential | None = None,
        origin: str | None = None,
        rp_id: str | None = None,
        counter: int | None = None,
    ) -> dict:
        """`navigator.credentials.get()` with the (first, or given) credential; the counter goes up by one unless
        `counter` says what to claim."""
        cred = credential or self.credentials[0]
        cred.counter = cred.counter + 1 if counter is None else counter
        rp = rp_id or options.get("rpId") or cred.rp_id
        auth_data = hashlib.sha256(rp.encode()).digest() + bytes([self._flags()]) + struct.pack(">I", cred.counter)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = cred.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": cred.id,
            "rawId": cred.id,
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(cred.user_handle),
            },
        }
