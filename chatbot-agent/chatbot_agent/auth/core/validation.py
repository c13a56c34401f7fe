"""Input rules every method shares: names and email addresses."""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email

from .errors import AuthFailure, Code

NAME_MAX = 100
EMAIL_MAX = 254
TOKEN_MAX = 256
USER_AGENT_MAX = 512


def clean_name(value: str, field: str, *, required: bool = True) -> str:
    name = unicodedata.normalize("NFC", value).strip()
    label = "First name" if field == "firstName" else "Last name"
    if not name and required:
        raise AuthFailure(Code.INVALID_INPUT, f"{label} is required.", field)
    if len(name) > NAME_MAX:
        raise AuthFailure(Code.INVALID_INPUT, f"{label} must be at most {NAME_MAX} characters.", field)
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in name):
        raise AuthFailure(Code.INVALID_INPUT, f"{label} contains characters that are not allowed.", field)
    return name


def split_name(name: str) -> tuple[str, str]:
    """A full name as first and last name, as the migration from Better Auth splits `user.name`: any run of
    whitespace counts as one space, the first word is the first name and the rest the last name (`Ludwig van
    Beethoven` → `Ludwig` / `van Beethoven`; one word → an empty last name)."""
    words = unicodedata.normalize("NFC", name).split()
    return (words[0], " ".join(words[1:])) if words else ("", "")


def clean_email(value: str, field: str = "email") -> str:
    """Syntax-checked (no DNS), normalised and lower-cased: uniqueness is case-insensitive."""
    text = value.strip()
    if not text or len(text) > EMAIL_MAX:
        raise AuthFailure(Code.INVALID_INPUT, "Enter a valid email address.", field)
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        raise AuthFailure(Code.INVALID_INPUT, "Enter a valid email address.", field) from None
    return checked.normalized.lower()


def checked_email(email: str) -> tuple[str, AuthFailure | None]:
    """(key of the per-email rate-limit budget, the failure of a malformed address). The budget belongs to the
    address the account has, so spellings that normalise to one address (case, Unicode forms, IDN domains) share
    it; a malformed address counts as typed. Limits are counted before the failure is raised."""
    try:
        return clean_email(email), None
    except AuthFailure as failure:
        return email.strip().lower(), failure


def plausible_token(token: str) -> str | None:
    """A token as typed, or None when it cannot be one of ours (empty, huge, or with NUL, which text cannot hold)."""
    token = token.strip()
    if not token or len(token) > TOKEN_MAX or "\x00" in token:
        return None
    return token
