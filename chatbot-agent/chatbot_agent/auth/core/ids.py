"""Random ids and tokens, and the hash under which a token is stored."""

from __future__ import annotations

import hashlib
import secrets
import string

ID_ALPHABET = string.ascii_letters + string.digits


def new_id() -> str:
    """A random 32-character id, as Better Auth makes them."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(32))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
