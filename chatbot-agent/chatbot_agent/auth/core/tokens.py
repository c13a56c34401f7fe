"""Short-lived EdDSA (Ed25519) access tokens for other services, and the JWKS document that publishes the keys.

The private key comes from JWT_PRIVATE_KEY: the 32-byte Ed25519 seed, base64url-encoded (`chatbot-agent gen-secrets`).
It signs every new token. JWT_PREVIOUS_KEYS lists other keys in the same format (a key retired by a rotation, or the
next one being rolled out): they never sign, but the JWKS publishes them and tokens signed with them verify until they
expire. Every key is named by its `kid` (RFC 7638 thumbprint), which each token carries in its header.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ...keys import b64url as _b64url
from ...keys import generate_private_key, load_private_key

__all__ = ["AccessClaims", "AccessTokens", "generate_private_key", "load_private_key", "public_jwk"]

ALGORITHM = "EdDSA"
VERIFIED_CACHE_SIZE = 4096  # verified tokens remembered per process (see AccessTokens.verify)


def public_jwk(public: Ed25519PublicKey) -> dict[str, Any]:
    """The public JWK of a key with its `kid`: the RFC 7638 thumbprint, stable for a key, new for a new key."""
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64url(public.public_bytes(Encoding.Raw, PublicFormat.Raw))}
    thumb = json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode()
    return {**jwk, "kid": _b64url(hashlib.sha256(thumb).digest()), "alg": ALGORITHM, "use": "sig"}


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    session_id: str | None
    expires_at: datetime


class AccessTokens:
    def __init__(
        self, private_key: str, *, issuer: str, audience: str, ttl_seconds: int, previous_keys: Sequence[str] = ()
    ) -> None:
        self._private = load_private_key(private_key)
        current = public_jwk(self._private.public_key())
        self.kid = current["kid"]
        # kid -> public key: the signing key first, then the others (a previous key equal to the current one is moot)
        self._keys: dict[str, Ed25519PublicKey] = {self.kid: self._private.public_key()}
        self._jwks = [current]
        for text in previous_keys:
            public = load_private_key(text).public_key()
            jwk = public_jwk(public)
            if jwk["kid"] not in self._keys:
                self._keys[jwk["kid"]] = public
                self._jwks.append(jwk)
        self.issuer, self.audience, self.ttl = issuer, audience, timedelta(seconds=ttl_seconds)
        self._verified: dict[str, AccessClaims] = {}

    def jwks(self) -> dict[str, Any]:
        """Every key a token of ours may be signed with, by `kid`; the current (signing) key first."""
        return {"keys": [dict(jwk) for jwk in self._jwks]}

    def issue(self, user_id: str, session_id: str, now: datetime | None = None) -> tuple[str, datetime]:
        now = now or datetime.now(UTC)
        expires = now + self.ttl
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": user_id,
            "sid": session_id,
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": _b64url(secrets.token_bytes(12)),
        }
        token = jwt.encode(claims, self._private, algorithm=ALGORITHM, headers={"kid": self.kid})
        return token, datetime.fromtimestamp(int(expires.timestamp()), UTC)

    def verify(self, token: str) -> AccessClaims | None:
        """Claims of a valid token, or None for anything expired, forged, for another audience or malformed.

        The Ed25519 check is the dearest step of a bearer request (~0.1 ms), and a client sends the same token for
        its whole life: tokens that passed it are remembered per process until they expire (only tokens we issued
        and verified get in; a session revoked since is still refused by the database lookup that follows)."""
        known = self._verified.get(token)
        if known is not None:
            if known.expires_at > datetime.now(UTC):
                return known
            self._verified.pop(token, None)
            return None
        claims = self._decode(token)
        if claims is not None:
            if len(self._verified) >= VERIFIED_CACHE_SIZE:
                self._verified.clear()  # bounded: start over rather than track recency
            self._verified[token] = claims
        return claims

    def _decode(self, token: str) -> AccessClaims | None:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._keys.get(kid) if isinstance(kid, str) else None
            if key is None:  # a key we do not know (or no kid): nothing to check the signature with
                return None
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError:
            return None
        sub, sid = claims.get("sub"), claims.get("sid")
        if not isinstance(sub, str) or (sid is not None and not isinstance(sid, str)):
            return None
        return AccessClaims(sub, sid, datetime.fromtimestamp(claims["exp"], UTC))
