"""Helpers shared by the tests/test_security_*.py suites."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from chatbot_agent.config import RateLimit, Settings

from .support import make_settings

PASSWORD = "correct horse battery staple"
GENEROUS = RateLimit(100_000, 3600)
RATE_LIMITS = ("sign_in_ip", "sign_in_email", "sign_up_ip", "reset_request_ip", "reset_request_email", "reset_ip")

SIGN_IN_MANY = "mutation {{ {} }}"
CHANGE_PASSWORD = """mutation($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) {
    __typename ... on ChangePasswordSuccess { message revokedSessions } ... on AuthError { code message field } } }"""
MY_SESSIONS = "{ mySessions { id current createdAt expiresAt ipAddress userAgent } }"
REVOKE_SESSION = """mutation($id: ID!) { revokeSession(id: $id) {
  __typename ... on RevokeSessionsSuccess { revokedSessions } ... on AuthError { code message } } }"""
REVOKE_OTHERS = """mutation { revokeOtherSessions {
  __typename ... on RevokeSessionsSuccess { revokedSessions } ... on AuthError { code message } } }"""


def unique(name: str) -> str:
    return f"{name}-{secrets.token_hex(4)}@example.com"


def sign_in_input(email: str, password: str = PASSWORD) -> dict:
    return {"input": {"email": email, "password": password}}


def limited_settings(database_url: str, tmp: Path, smtp_url: str | None, **overrides: Any) -> Settings:
    """Rate limits on, every budget generous unless the test names it: `sign_in_ip=RateLimit(3, 60)`."""
    values: dict[str, Any] = {f"rate_limit_{name}": GENEROUS for name in RATE_LIMITS}
    for name in RATE_LIMITS:
        if name in overrides:
            values[f"rate_limit_{name}"] = overrides.pop(name)
    values.update(overrides)
    return make_settings(database_url, tmp, smtp_url=smtp_url, rate_limit_enabled=True, **values)
