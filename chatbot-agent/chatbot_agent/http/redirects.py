"""Where the service may send a browser: no open redirects.

A callback or redirect URL a client names (Better Auth's `callbackURL`, `redirectTo` …) is followed only when it is a
safe path on this site or an absolute URL whose origin is trusted (TRUSTED_ORIGINS), as Better Auth's origin check
decides."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ENCODED_SEPARATOR = re.compile(r"%2f|%5c", re.IGNORECASE)


def is_safe_relative(url: str) -> bool:
    """`/path?query#fragment` that every browser and router reads as a path on this site: not `//host`, no
    backslash, no control character, no encoded slash or backslash in the path."""
    if not url.startswith("/") or url.startswith("//") or "\\" in url or _CONTROL.search(url):
        return False
    path = re.split(r"[?#]", url, maxsplit=1)[0]
    return not _ENCODED_SEPARATOR.search(path)


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of an absolute http(s) URL (lower-cased, default port dropped), else None."""
    if _CONTROL.search(url) or "\\" in url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname or parts.username is not None:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[scheme]
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def is_trusted_redirect(url: str, trusted_origins: tuple[str, ...] | list[str]) -> bool:
    if url.startswith("/"):
        return is_safe_relative(url)
    origin = origin_of(url)
    return origin is not None and origin in {o.rstrip("/").lower() for o in trusted_origins}
