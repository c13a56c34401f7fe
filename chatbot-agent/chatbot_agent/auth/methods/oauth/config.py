"""Which social providers are configured: `OAUTH_PROVIDERS` and the `OAUTH_<ID>_*` keys of each.

`OAUTH_PROVIDERS=google,github,acme` lists provider ids. For each id:
  OAUTH_<ID>_CLIENT_ID, OAUTH_<ID>_CLIENT_SECRET   required
  OAUTH_<ID>_ISSUER                                  required for every id other than google and github (OpenID
                                                     Connect discovery reads <issuer>/.well-known/openid-configuration);
                                                     optional for google (default https://accounts.google.com)
  OAUTH_<ID>_NAME                                    optional button label (default: Google, GitHub, or the id)
  OAUTH_GITHUB_URL, OAUTH_GITHUB_API_URL             optional, for GitHub Enterprise Server (defaults
                                                     https://github.com and https://api.github.com)

A listed provider with a missing key, or a key set for a provider that is not listed, stops start-up with a
`ConfigError` naming the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import urlsplit

from ....config import ConfigError

GOOGLE_ISSUER = "https://accounts.google.com"
GITHUB_URL = "https://github.com"
GITHUB_API_URL = "https://api.github.com"
KNOWN_NAMES = {"google": "Google", "github": "GitHub"}

_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_KEY = re.compile(r"^OAUTH_([A-Z0-9_]+?)_(CLIENT_ID|CLIENT_SECRET|ISSUER|NAME)$")


@dataclass(frozen=True)
class ProviderConfig:
    """One configured provider. `kind` is "oidc" (discovery from `issuer`) or "github" (GitHub's OAuth app API)."""

    id: str
    name: str
    kind: str
    client_id: str
    client_secret: str = field(repr=False)
    issuer: str | None = None
    github_url: str = GITHUB_URL
    github_api_url: str = GITHUB_API_URL

    @property
    def scopes(self) -> str:
        return "read:user user:email" if self.kind == "github" else "openid email profile"


def key(provider_id: str, suffix: str) -> str:
    return f"OAUTH_{provider_id.upper()}_{suffix}"


def _url(name: str, raw: str, *, production: bool) -> str:
    value = raw.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"{name}={raw!r} is not valid: expected an http(s) URL such as https://idp.example.com")
    if production and parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ConfigError(f"{name}={raw!r} is not valid: must be https when APP_ENV=production")
    return value


def parse_providers(env: Mapping[str, str], *, production: bool = False) -> tuple[ProviderConfig, ...]:
    """The providers of `OAUTH_PROVIDERS`, validated. Raises ConfigError naming the first bad or missing key."""

    def get(name: str) -> str:
        return (env.get(name) or "").strip()

    ids: list[str] = []
    for item in get("OAUTH_PROVIDERS").split(","):
        provider_id = item.strip().lower()
        if not provider_id:
            continue
        if not _ID.match(provider_id):
            raise ConfigError(
                f"OAUTH_PROVIDERS: {item.strip()!r} is not a valid provider id "
                "(a letter, then letters, digits or _; at most 32 characters)"
            )
        if provider_id in ids:
            raise ConfigError(f"OAUTH_PROVIDERS: {provider_id!r} is listed twice")
        ids.append(provider_id)

    listed = {i.upper() for i in ids}
    for name in sorted(env):
        match = _KEY.match(name)
        if match and get(name) and match.group(1) not in listed:
            raise ConfigError(
                f"{name} is set but {match.group(1).lower()!r} is not in OAUTH_PROVIDERS "
                f"(OAUTH_PROVIDERS={get('OAUTH_PROVIDERS')!r})"
            )

    configs = []
    for provider_id in ids:
        client_id, client_secret = get(key(provider_id, "CLIENT_ID")), get(key(provider_id, "CLIENT_SECRET"))
        for suffix, value in (("CLIENT_ID", client_id), ("CLIENT_SECRET", client_secret)):
            if not value:
                raise ConfigError(f"{key(provider_id, suffix)} must be set: {provider_id!r} is in OAUTH_PROVIDERS")
        name = get(key(provider_id, "NAME")) or KNOWN_NAMES.get(provider_id) or provider_id.replace("_", " ").title()
        issuer_key = key(provider_id, "ISSUER")
        if provider_id == "github":
            if get(issuer_key):
                raise ConfigError(
                    f"{issuer_key} is not used: GitHub is not an OpenID Connect provider "
                    "(GitHub Enterprise Server: set OAUTH_GITHUB_URL and OAUTH_GITHUB_API_URL)"
                )
            configs.append(ProviderConfig(
                provider_id, name, "github", client_id, client_secret,
                github_url=_url("OAUTH_GITHUB_URL", get("OAUTH_GITHUB_URL") or GITHUB_URL, production=production),
                github_api_url=_url(
                    "OAUTH_GITHUB_API_URL", get("OAUTH_GITHUB_API_URL") or GITHUB_API_URL, production=production
                ),
            ))  # fmt: skip
            continue
        raw_issuer = get(issuer_key) or (GOOGLE_ISSUER if provider_id == "google" else "")
        if not raw_issuer:
            raise ConfigError(
                f"{issuer_key} must be set: {provider_id!r} is an OpenID Connect provider, found by discovery "
                "at <issuer>/.well-known/openid-configuration (e.g. https://login.microsoftonline.com/<tenant>/v2.0)"
            )
        issuer = _url(issuer_key, raw_issuer, production=production)
        configs.append(ProviderConfig(provider_id, name, "oidc", client_id, client_secret, issuer=issuer))
    if "github" not in ids:
        for suffix in ("URL", "API_URL"):
            if get(key("github", suffix)):
                raise ConfigError(f"{key('github', suffix)} is set but 'github' is not in OAUTH_PROVIDERS")
    return tuple(configs)
