"""Key material helpers with no dependency on the rest of the package (settings validate keys with them)."""

from __future__ import annotations

import base64
import secrets

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def generate_private_key() -> str:
    """A fresh Ed25519 signing key: the base64url of its 32-byte seed."""
    return b64url(secrets.token_bytes(32))


def load_private_key(text: str) -> Ed25519PrivateKey:
    try:
        seed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise ValueError("expected the base64url of a 32-byte Ed25519 seed") from None
    if len(seed) != 32:
        raise ValueError(f"expected a 32-byte Ed25519 seed, got {len(seed)} bytes")
    return Ed25519PrivateKey.from_private_bytes(seed)


def generate_secret_key() -> str:
    """A fresh key for SECRETS_ENCRYPTION_KEY (AES-256-GCM): the base64url of 32 random bytes."""
    return b64url(secrets.token_bytes(32))


def load_secret_key(text: str) -> bytes:
    """The 32 bytes of a SECRETS_ENCRYPTION_KEY (base64url, or standard base64); ValueError otherwise."""
    value = text.strip().replace("+", "-").replace("/", "_")
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, TypeError):
        raise ValueError("expected the base64url of 32 random bytes (chatbot-agent gen-secrets prints one)") from None
    if len(raw) != 32:
        raise ValueError(f"expected 32 bytes, got {len(raw)} (chatbot-agent gen-secrets prints a valid key)")
    return raw
