"""Passkeys (WebAuthn): register and manage them on the account page, sign in with one alone. Better Auth's
`passkey` table (migrations/0300_passkey.sql); ceremonies on py_webauthn (ceremony.py)."""

from ..base import Method
from .service import PasskeyService

METHOD = Method(name="passkey", package=__name__, service=PasskeyService, attr="passkey")
