"""One Settings object, read from the environment (and `.env` via python-dotenv), validated once at start-up.

Every key is documented in `.env.example`. A missing or malformed setting raises `ConfigError` with a message that
names the key; the CLI prints it and exits non-zero. In development, missing secrets are generated once and kept in
an ignored file (`<DATA_DIR>/dev-secrets.env`); in production a missing or weak secret stops start-up.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values

from .keys import generate_private_key, generate_secret_key, load_private_key, load_secret_key

log = logging.getLogger(__name__)


ENVIRONMENTS = ("development", "test", "production")
MIN_SECRET_BYTES = 32


class ConfigError(ValueError):
    """A setting is missing or malformed. The message names the key and what is expected."""


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` attempts per `window_seconds` (fixed window)."""

    limit: int
    window_seconds: int

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        count, _, window = text.partition("/")
        limit, seconds = int(count), int(window)
        if limit < 1 or seconds < 1:
            raise ValueError("both numbers must be positive")
        return cls(limit, seconds)


# ---------------------------------------------------------------------------------------------------------------
# parsing


def _int(text: str) -> int:
    return int(text.strip())


def _float(text: str) -> float:
    return float(text.strip())


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")


def _url(text: str) -> str:
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("expected an http(s) URL such as http://localhost:8000")
    return text.strip().rstrip("/")


def _origins(text: str) -> tuple[str, ...]:
    return tuple(_url(item) for item in text.split(",") if item.strip())


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower()
        if value not in options:
            raise ValueError(f"expected one of {', '.join(options)}")
        return value

    return parse


def _log_level(text: str) -> str:
    value = text.strip().upper()
    if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
    return value


def _str(text: str) -> str:
    return text.strip()


def _optional(text: str) -> str | None:
    return text.strip() or None


def _path(text: str) -> Path:
    return Path(text.strip())


def _optional_path(text: str) -> Path | None:
    return Path(text.strip()) if text.strip() else None


def _names(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item.strip().lower() for item in text.split(",") if item.strip()))


def _list(text: str) -> tuple[str, ...]:
    """Comma-separated items, as written (secrets are checked later, so that an error never repeats them)."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


def _rate(text: str) -> RateLimit:
    try:
        return RateLimit.parse(text)
    except (ValueError, TypeError):
        raise ValueError("expected COUNT/SECONDS, e.g. 10/300") from None


def setting(
    default: Any,
    parse: Callable[[str], Any],
    help: str = "",
    *,
    positive: bool = False,
    secret: bool = False,
    section: str | None = None,
    example: str | None = None,
) -> Any:
    """Declare one setting: its default, the parser of its text form (which validates), its help text (the comment
    above it in `.env.example`), and whether it must be positive or is a secret (kept out of repr)."""
    meta = {"parse": parse, "help": help, "positive": positive, "section": section, "example": example}
    return field(default=default, repr=not secret, metadata=meta)


@dataclass(frozen=True)
class Settings:
    """Every setting of the service, each declared once. `.env.example` is rendered from these declarations
    (`chatbot-agent env-example`), and a test fails when the committed file differs."""

    # ---- service
    app_env: str = setting(
        "development",
        _choice(*ENVIRONMENTS),
        section="service",
        help="development | test | production. Production refuses missing/weak secrets and turns GraphiQL and "
        "introspection off.",
    )
    public_url: str = setting(
        "http://localhost:8000",
        _url,
        "Where users reach this service; https:// makes cookies Secure and adds HSTS. Also the default JWT issuer.",
    )
    frontend_url: str = setting(
        "http://localhost:8000",
        _url,
        example="",
        help="Where the web app lives (mailed links point to <FRONTEND_URL>/reset-password?token=... and the like). "
        "Default: PUBLIC_URL.",
    )
    host: str = setting("127.0.0.1", _str)
    port: int = setting(8000, _int, positive=True)
    workers: int = setting(
        1,
        _int,
        "uvicorn worker processes for `chatbot-agent serve` (each has its own DB pool and hashing processes).",
        positive=True,
    )
    data_dir: Path = setting(
        Path(".data"), _path, "Local state: embedded PostgreSQL data, generated development secrets."
    )
    frontend_dist: Path | None = setting(
        Path("frontend/dist"),
        _optional_path,
        "The built frontend served at / and GraphiQL's assets from its graphiql/ folder (empty: API only).",
    )
    log_level: str = setting("INFO", _log_level, "DEBUG | INFO | WARNING | ERROR")
    log_format: str = setting(
        "text", _choice("text", "json"), "text | json (one JSON object per line, with request ids)"
    )
    auth_methods: tuple[str, ...] = setting(
        (),
        _names,
        "Sign-in methods and account features to serve (comma-separated; empty: all). A method left out has no "
        "GraphQL fields or routes. Known: password, email-verification, account, passkey, two-factor, magic-link, "
        "oauth, audit.",
    )

    # ---- database
    database_url: str | None = setting(
        None,
        _optional,
        section="database",
        secret=True,
        help="Resolution order: DATABASE_URL if set; else the MCP server named MCP_DB_SERVER in MCP_CONFIG; else "
        "NEON_PROJECT_ID through the Neon MCP server; else an embedded PostgreSQL in DATA_DIR (nothing to "
        "install). A Neon DSN copied from the console works verbatim (sslmode=require&channel_binding=require). "
        "The postgres server of .mcp.json (AI tools, `chatbot-agent check-db`) reads the same variable; editors "
        "need it exported (README: Use Neon).",
    )
    mcp_config: Path = setting(Path(".mcp.json"), _path, "The MCP configuration the database may be declared in.")
    mcp_db_server: str | None = setting(
        None,
        _optional,
        "Name of the server in MCP_CONFIG whose ${DATABASE_URL}-style argument is the database (default: the "
        "postgres one).",
    )
    neon_api_key: str | None = setting(
        None,
        _optional,
        secret=True,
        help="Only the neon MCP server reads it (Neon console: Account settings -> API keys).",
    )
    neon_project_id: str | None = setting(
        None,
        _optional,
        "Ask the Neon MCP server (get_connection_string) for the DSN of this project; needs NEON_API_KEY.",
    )
    neon_branch_id: str | None = setting(None, _optional)
    neon_database: str | None = setting(None, _optional)
    neon_role: str | None = setting(None, _optional)
    neon_mcp_server: str = setting("neon", _str)
    db_pool_min: int = setting(1, _int, "Connections per worker process.")
    db_pool_max: int = setting(10, _int, positive=True)
    db_pooler: str = setting(
        "auto",
        _choice("auto", "transaction", "session", "none"),
        'auto (a "-pooler" host means PgBouncer in transaction mode: no prepared-statement cache) | transaction | '
        "session | none",
    )
    db_connect_timeout: float = setting(
        5.0,
        _float,
        positive=True,
        help="Seconds per connection attempt; the first connect is retried DB_CONNECT_RETRIES times with backoff "
        "(Neon wakes in seconds).",
    )
    db_connect_retries: int = setting(5, _int)
    db_command_timeout: float = setting(10.0, _float, positive=True)

    # ---- secrets
    session_secret: str = setting(
        "",
        _str,
        secret=True,
        section="secrets (generate with: chatbot-agent gen-secrets)",
        help="Empty in development: generated once into DATA_DIR/dev-secrets.env (git-ignored). Required in "
        "production. HMAC key that signs the session cookie (>= 32 random bytes). Coming from Better Auth: use "
        "BETTER_AUTH_SECRET.",
    )
    jwt_private_key: str = setting(
        "",
        _str,
        secret=True,
        help="Ed25519 private key (base64url of the 32-byte seed) that signs access tokens; public key at "
        "/.well-known/jwks.json",
    )
    jwt_previous_keys: tuple[str, ...] = setting(
        (),
        _list,
        secret=True,
        help="Other Ed25519 private keys, same format, comma-separated: they never sign, but the JWKS publishes them "
        "and tokens signed with them verify until they expire. Rotation (README: Running in production): the "
        "next key goes here first, then it becomes JWT_PRIVATE_KEY and the old one moves here; drop it after "
        "ACCESS_TOKEN_TTL_SECONDS.",
    )
    secrets_encryption_key: str = setting(
        "",
        _str,
        secret=True,
        help="AES-256-GCM key (base64url of 32 random bytes) that seals second-factor secrets at rest. To rotate: "
        "move it to SECRETS_ENCRYPTION_OLD_KEYS and set a new one (values are re-sealed as they are used).",
    )
    secrets_encryption_old_keys: tuple[str, ...] = setting(
        (),
        _list,
        secret=True,
        help="Retired SECRETS_ENCRYPTION_KEYs (comma-separated) that still open values sealed with them.",
    )

    # ---- sessions and tokens
    session_cookie_name: str = setting(
        "chatbot_session",
        _str,
        section="sessions and tokens",
        help="Coming from Better Auth: better-auth.session_token keeps existing browser sessions signed in.",
    )
    session_ttl_seconds: int = setting(
        7 * 24 * 3600,
        _int,
        positive=True,
        help="7 days; sliding: a session used after SESSION_UPDATE_AGE_SECONDS is extended to a full TTL again",
    )
    session_update_age_seconds: int = setting(24 * 3600, _int)
    session_cache_seconds: int = setting(
        60,
        _int,
        "Each worker keeps session lookups in memory up to this long (0: every request asks the database). "
        "Exact all the same: the database announces every revocation and user change with LISTEN/NOTIFY, on a "
        "direct connection per worker (Neon: the endpoint without -pooler, found by itself); when that connection "
        "cannot hear (another transaction pooler), the cache turns itself off.",
    )
    jwt_issuer: str = setting(
        "http://localhost:8000", _str, "JWT access tokens: iss (default PUBLIC_URL), aud, lifetime", example=""
    )
    jwt_audience: str = setting("chatbot-agent", _str)
    access_token_ttl_seconds: int = setting(15 * 60, _int, positive=True)
    reset_token_ttl_seconds: int = setting(3600, _int, "How long a mailed password-reset link works.", positive=True)

    # ---- passwords
    argon2_memory_kib: int = setting(
        19456, _int, positive=True, section="passwords (argon2id; defaults are OWASP's minimum: m=19 MiB, t=2, p=1)"
    )
    argon2_time_cost: int = setting(2, _int, positive=True)
    argon2_parallelism: int = setting(1, _int, positive=True)
    hash_workers: int = setting(0, _int, "password-hashing processes per worker (0: one per CPU core)")
    password_min_length: int = setting(8, _int, positive=True)
    password_max_length: int = setting(128, _int, positive=True)

    # ---- mail
    smtp_url: str | None = setting(
        None,
        _optional,
        secret=True,
        section="mail",
        help="smtp://user:pass@host:587 (STARTTLS when offered; ?starttls=true|false forces it) or "
        "smtps://user:pass@host:465. Empty: development mode, mails (and their links) are written to the "
        "server log.",
    )
    mail_from: str = setting("Chatbot Agent <no-reply@localhost>", _str)
    smtp_timeout: float = setting(10.0, _float, positive=True)

    # ---- email verification and account
    email_verification: str = setting(
        "optional",
        _choice("off", "optional", "required"),
        section="email verification and account",
        help="off: sign-up mails no link | optional: sign-up mails a link to verify the address | required: the "
        "same, and signing in to an unverified account answers EMAIL_NOT_VERIFIED (only after a correct password) "
        "and mails a fresh link.",
    )
    email_verification_ttl_seconds: int = setting(
        24 * 3600,
        _int,
        "How long a mailed verification link works (also the link that confirms a new email address).",
        positive=True,
    )
    email_verification_resend_seconds: int = setting(
        300, _int, "With EMAIL_VERIFICATION=required, signing in mails a fresh link at most this often.", positive=True
    )
    delete_account_ttl_seconds: int = setting(
        3600,
        _int,
        "How long a mailed account-deletion link works (an account without a password confirms deletion by mail).",
        positive=True,
    )

    # ---- abuse resistance
    trusted_origins: tuple[str, ...] = setting(
        (),
        _origins,
        section="abuse resistance",
        help="Origins allowed to send cookie-authenticated requests (comma-separated). Default: PUBLIC_URL and "
        "FRONTEND_URL.",
    )
    trusted_proxy_count: int = setting(
        0,
        _int,
        "Number of reverse proxies in front whose X-Forwarded-For is trusted for the client address (0: use the "
        "socket).",
    )
    rate_limit_enabled: bool = setting(True, _bool)
    rate_limit_sign_in_ip: RateLimit = setting(
        RateLimit(30, 300), _rate, "COUNT/SECONDS, counted in PostgreSQL (shared by all workers and instances)"
    )
    rate_limit_sign_in_email: RateLimit = setting(RateLimit(10, 900), _rate)
    rate_limit_sign_up_ip: RateLimit = setting(RateLimit(10, 3600), _rate)
    rate_limit_reset_request_ip: RateLimit = setting(RateLimit(10, 3600), _rate)
    rate_limit_reset_request_email: RateLimit = setting(RateLimit(3, 3600), _rate)
    rate_limit_reset_ip: RateLimit = setting(RateLimit(20, 3600), _rate)
    rate_limit_verification_ip: RateLimit = setting(
        RateLimit(30, 3600),
        _rate,
        "verifyEmail, and verification links asked for while signed out (per client address).",
    )
    rate_limit_send_verification_email: RateLimit = setting(
        RateLimit(3, 900), _rate, "Verification links an account may ask for (per account)."
    )
    rate_limit_account_mail: RateLimit = setting(
        RateLimit(5, 3600), _rate, "Email-change confirmations and deletion links an account may ask for (per account)."
    )
    graphql_max_depth: int = setting(10, _int, positive=True)
    graphql_max_tokens: int = setting(1000, _int, positive=True)
    graphql_max_aliases: int = setting(15, _int, positive=True)
    max_body_bytes: int = setting(65536, _int, positive=True)

    # ---- passkeys (WebAuthn)
    passkey_rp_id: str | None = setting(
        None,
        _optional,
        section="passkeys (WebAuthn)",
        help="The relying party id passkeys are bound to: a host name, never an IP address (browsers refuse those; "
        "use http://localhost:PORT in development). Default: PUBLIC_URL's host. The registrable domain "
        "(example.com) shares passkeys between its subdomains. Changing it later orphans every passkey.",
    )
    passkey_origins: tuple[str, ...] = setting(
        (),
        _origins,
        "Exact origins the web app runs passkey ceremonies from (comma-separated), each on the RP ID or a subdomain "
        "of it. Default: PUBLIC_URL and FRONTEND_URL (those on the RP ID).",
    )
    passkey_rp_name: str = setting("Chatbot Agent", _str, "The name browsers show in their passkey prompts.")
    passkey_user_verification: str = setting(
        "preferred",
        _choice("preferred", "required"),
        "preferred: any passkey signs in; one that verified its user (PIN, biometric) also counts as the second "
        "factor. required: passkeys that cannot verify the user are refused.",
    )
    rate_limit_passkey_ip: RateLimit = setting(
        RateLimit(30, 300), _rate, "Passkey options and passkey sign-ins per client address (each counted on its own)."
    )
    # ---- social sign-in
    oauth_providers: tuple[OAuthProvider, ...] = setting(
        (),
        lambda text: text,
        section="social sign-in",
        help="Provider ids, comma-separated (e.g. google,github,acme); empty: no social sign-in. For each id: "
        "OAUTH_<ID>_CLIENT_ID and OAUTH_<ID>_CLIENT_SECRET; for ids other than google and github also "
        "OAUTH_<ID>_ISSUER (OpenID Connect discovery reads <issuer>/.well-known/openid-configuration) and "
        "optionally OAUTH_<ID>_NAME, the button label. Optional: OAUTH_GOOGLE_ISSUER (default "
        "https://accounts.google.com), OAUTH_GITHUB_URL and OAUTH_GITHUB_API_URL (GitHub Enterprise Server; "
        "defaults https://github.com and https://api.github.com). The redirect URI to register at each provider "
        "is <PUBLIC_URL>/api/auth/callback/<id>.",
    )
    rate_limit_social_ip: RateLimit = setting(
        RateLimit(30, 300), _rate, "Social sign-ins started, and callbacks, per client address"
    )

    # ---- two-factor (TOTP + backup codes)
    totp_issuer: str = setting(
        "Chatbot Agent",
        _str,
        section="two-factor (TOTP + backup codes; secrets sealed with SECRETS_ENCRYPTION_KEY)",
        help="The name authenticator apps show beside the account.",
    )
    rate_limit_two_factor_challenge: RateLimit = setting(
        RateLimit(5, 300), _rate, "Codes tried per pending sign-in (a pending sign-in lasts 5 minutes)"
    )
    rate_limit_two_factor_user: RateLimit = setting(
        RateLimit(10, 900), _rate, "Codes tried per user, over all their pending sign-ins and setup confirmations"
    )

    # ---- magic links
    rate_limit_magic_link_ip: RateLimit = setting(
        RateLimit(20, 3600),
        _rate,
        section="magic links (sign-in links by mail: 15 minutes, once)",
        help="Links asked for per client address, and per email below",
    )
    rate_limit_magic_link_email: RateLimit = setting(RateLimit(5, 3600), _rate)
    rate_limit_magic_link_sign_in_ip: RateLimit = setting(RateLimit(30, 300), _rate, "Link sign-ins per client address")

    # ---- operations
    metrics: str = setting(
        "auto",
        _choice("auto", "on", "off", "token"),
        section="operations: metrics and the security audit trail",
        help="Prometheus metrics at /metrics: auto (on outside production, off in production) | on | off | token "
        "(only for `Authorization: Bearer <METRICS_TOKEN>`).",
    )
    metrics_token: str | None = setting(
        None,
        _optional,
        secret=True,
        help="The bearer token /metrics asks for with METRICS=token: at least 32 characters (e.g. openssl rand -hex "
        "32).",
    )
    audit_retention_days: int = setting(
        90,
        _int,
        positive=True,
        help="Days the security audit trail (table auth_audit: sign-ins, password and email changes, revocations "
        "...) is kept; the expiry sweep and `chatbot-agent cleanup` delete older rows.",
    )

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @property
    def metrics_mode(self) -> str:
        """on | off | token: METRICS, with auto resolved (off in production, on elsewhere)."""
        if self.metrics == "auto":
            return "off" if self.production else "on"
        return self.metrics

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def hash_pool_size(self) -> int:
        """Hashing processes of this worker: HASH_WORKERS, or one per core in each worker. Not the cores divided
        among the workers: with uvicorn's one shared listening socket a burst of connections often landed on one
        worker, which then needed every core (63% of the hash-bound limit against 76%); with per-worker sockets
        (listen.py) the two measured alike (42 sign-ins/s each, in turns), so the default stayed."""
        return self.hash_workers or (os.cpu_count() or 1)

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """TRUSTED_ORIGINS, or by default the public and frontend URLs; outside production also this server's own
        loopback address under both names (http://localhost:PORT and http://127.0.0.1:PORT), so the URL that
        `serve` prints works whichever name the browser uses."""
        if self.trusted_origins:
            return self.trusted_origins
        origins = [_origin(u) for u in (self.public_url, self.frontend_url)]
        if not self.production:
            origins += [f"http://{name}:{self.port}" for name in ("localhost", "127.0.0.1")]
        return tuple(dict.fromkeys(origins))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def env_key(name: str) -> str:
    return name.upper()


def _parse_field(name: str, raw: str) -> object:
    meta = SETTINGS[name].metadata
    key = env_key(name)
    try:
        value = meta["parse"](raw)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{key}={raw!r} is not valid: {exc}") from None
    if meta["positive"] and isinstance(value, (int, float)) and value <= 0:
        raise ConfigError(f"{key}={raw!r} is not valid: must be greater than zero")
    return value


SETTINGS = {f.name: f for f in fields(Settings)}


def _example_value(f) -> str:
    if f.metadata["example"] is not None:
        return f.metadata["example"]
    value = f.default
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, RateLimit):
        return f"{value.limit}/{value.window_seconds}"
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


def _comment(text: str, width: int = 118) -> list[str]:
    lines, line = [], "#"
    for word in text.split():
        if len(line) + 1 + len(word) > width:
            lines.append(line)
            line = "#"
        line += " " + word
    return [*lines, line] if line != "#" else lines


def render_env_example() -> str:
    """`.env.example`, rendered from the declarations: every key with its default and help text."""
    out = [
        "# chatbot-agent auth: every setting, with its default. Copy to .env and change what you need.",
        "# The process environment wins over .env. A malformed value stops start-up with a message naming the key.",
        "# Generated from chatbot_agent/config.py by `chatbot-agent env-example` (a test checks it is current).",
    ]
    for f in fields(Settings):
        if f.metadata["section"]:
            out += ["", f"# ---- {f.metadata['section']} " + "-" * max(3, 110 - len(f.metadata["section"]))]
        out += _comment(f.metadata["help"])
        out.append(f"{env_key(f.name)}={_example_value(f)}")
    return "\n".join(out) + "\n"


def load_environment(env_file: str | os.PathLike[str] | None = ".env") -> dict[str, str]:
    """The process environment over the values of `.env` (the process environment wins, as with load_dotenv)."""
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ)
    return values


def load_settings(
    env: Mapping[str, str] | None = None, *, env_file: str | None = ".env", **overrides: object
) -> Settings:
    """Build Settings from `env` (default: process environment over `.env`), then apply keyword overrides.

    Raises ConfigError for the first malformed key, and for missing/weak secrets in production.
    """
    source = load_environment(env_file) if env is None else dict(env)
    values: dict[str, object] = {}
    for f in fields(Settings):
        raw = source.get(env_key(f.name))
        if raw is not None and raw.strip() != "":
            values[f.name] = _parse_field(f.name, raw)
    values.pop("oauth_providers", None)
    values.update(overrides)
    if "oauth_providers" not in overrides:
        values["oauth_providers"] = parse_oauth_providers(source, production=values.get("app_env") == "production")
    values.setdefault("jwt_issuer", values.get("public_url", Settings.public_url))
    values.setdefault("frontend_url", values.get("public_url", Settings.public_url))
    settings = Settings(**values)  # type: ignore[arg-type]
    _check_consistency(settings)
    return _with_secrets(settings)


def _check_consistency(s: Settings) -> None:
    if s.password_min_length > s.password_max_length:
        raise ConfigError("PASSWORD_MIN_LENGTH must not exceed PASSWORD_MAX_LENGTH")
    if s.password_max_length > 1024:
        raise ConfigError("PASSWORD_MAX_LENGTH must be at most 1024 (long inputs are a denial-of-service vector)")
    if s.db_pool_min > s.db_pool_max:
        raise ConfigError("DB_POOL_MIN must not exceed DB_POOL_MAX")
    if s.argon2_memory_kib < 8 * s.argon2_parallelism:
        raise ConfigError("ARGON2_MEMORY_KIB must be at least 8 × ARGON2_PARALLELISM")
    if s.metrics == "token" and len(s.metrics_token or "") < 32:
        raise ConfigError("METRICS=token needs METRICS_TOKEN of at least 32 characters (e.g. openssl rand -hex 32)")
    if s.production and s.argon2_memory_kib < 19456 and s.argon2_time_cost < 2:
        raise ConfigError("argon2 parameters below OWASP's minimum (m=19 MiB, t=2) are refused in production")
    for n, key in enumerate(s.jwt_previous_keys, 1):
        _validate_private_key(key, f"JWT_PREVIOUS_KEYS (key {n} of {len(s.jwt_previous_keys)})")
    for n, key in enumerate(s.secrets_encryption_old_keys, 1):
        _validate_secret_key(key, f"SECRETS_ENCRYPTION_OLD_KEYS (key {n} of {len(s.secrets_encryption_old_keys)})")


# ---------------------------------------------------------------------------------------------------------------
# secrets


def secret_bytes(text: str) -> bytes:
    """Decode a base64/base64url secret; fall back to its UTF-8 bytes for a plain passphrase."""
    try:
        padded = text + "=" * (-len(text) % 4)
        return base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
    except (ValueError, TypeError):
        return text.encode()


def _weak_secret(text: str) -> bool:
    return len(text) < 43 and len(secret_bytes(text)) < MIN_SECRET_BYTES


def _generate_secrets() -> dict[str, str]:
    return {
        "SESSION_SECRET": secrets.token_urlsafe(32),
        "JWT_PRIVATE_KEY": generate_private_key(),
        "SECRETS_ENCRYPTION_KEY": generate_secret_key(),
    }


def _with_secrets(s: Settings) -> Settings:
    missing = [f for f in ("session_secret", "jwt_private_key", "secrets_encryption_key") if not getattr(s, f)]
    if s.production:
        if missing:
            raise ConfigError(
                f"{', '.join(env_key(m) for m in missing)} must be set when APP_ENV=production "
                "(generate with: chatbot-agent gen-secrets)"
            )
        if _weak_secret(s.session_secret):
            raise ConfigError("SESSION_SECRET is too weak: use at least 32 random bytes (chatbot-agent gen-secrets)")
    if not missing:
        _validate_private_key(s.jwt_private_key)
        _validate_secret_key(s.secrets_encryption_key)
        return s
    path = s.data_dir / "dev-secrets.env"
    stored = {k: v for k, v in dotenv_values(path).items() if v} if path.is_file() else {}
    if not all(env_key(m) in stored for m in missing):
        stored = {**_generate_secrets(), **stored}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{k}={v}\n" for k, v in stored.items()))
        path.chmod(0o600)
        log.warning("generated development secrets in %s (ignored by git); set them in .env for production", path)
    updated = {m: stored[env_key(m)] for m in missing}
    _validate_private_key(updated.get("jwt_private_key", s.jwt_private_key))
    _validate_secret_key(updated.get("secrets_encryption_key", s.secrets_encryption_key))
    return Settings(**{**{f.name: getattr(s, f.name) for f in fields(Settings)}, **updated})


def _validate_secret_key(text: str, name: str = "SECRETS_ENCRYPTION_KEY") -> None:
    try:
        load_secret_key(text)
    except ValueError as exc:
        raise ConfigError(f"{name} is not valid: {exc}") from None  # the message never repeats the key


def _validate_private_key(text: str, name: str = "JWT_PRIVATE_KEY") -> None:
    try:
        load_private_key(text)
    except ValueError as exc:
        raise ConfigError(f"{name} is not valid: {exc}") from None


# ---------------------------------------------------------------------------------------------------------------
# social sign-in providers: OAUTH_PROVIDERS and the OAUTH_<ID>_* keys of each (keys named by the ids, so they are
# read here rather than declared one by one). A listed provider with a missing key, or a key set for a provider that
# is not listed, stops start-up with a ConfigError naming the key.

GOOGLE_ISSUER = "https://accounts.google.com"
GITHUB_URL = "https://github.com"
GITHUB_API_URL = "https://api.github.com"
KNOWN_NAMES = {"google": "Google", "github": "GitHub"}

_OAUTH_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_OAUTH_KEY = re.compile(r"^OAUTH_([A-Z0-9_]+?)_(CLIENT_ID|CLIENT_SECRET|ISSUER|NAME)$")


@dataclass(frozen=True)
class OAuthProvider:
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


def oauth_key(provider_id: str, suffix: str) -> str:
    return f"OAUTH_{provider_id.upper()}_{suffix}"


def _oauth_url(name: str, raw: str, *, production: bool) -> str:
    value = raw.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(f"{name}={raw!r} is not valid: expected an http(s) URL such as https://idp.example.com")
    if production and parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ConfigError(f"{name}={raw!r} is not valid: must be https when APP_ENV=production")
    return value


def parse_oauth_providers(env: Mapping[str, str], *, production: bool = False) -> tuple[OAuthProvider, ...]:
    """The providers of `OAUTH_PROVIDERS`, validated. Raises ConfigError naming the first bad or missing key."""

    def get(name: str) -> str:
        return (env.get(name) or "").strip()

    ids: list[str] = []
    for item in get("OAUTH_PROVIDERS").split(","):
        provider_id = item.strip().lower()
        if not provider_id:
            continue
        if not _OAUTH_ID.match(provider_id):
            raise ConfigError(
                f"OAUTH_PROVIDERS: {item.strip()!r} is not a valid provider id "
                "(a letter, then letters, digits or _; at most 32 characters)"
            )
        if provider_id in ids:
            raise ConfigError(f"OAUTH_PROVIDERS: {provider_id!r} is listed twice")
        ids.append(provider_id)

    listed = {i.upper() for i in ids}
    for name in sorted(env):
        match = _OAUTH_KEY.match(name)
        if match and get(name) and match.group(1) not in listed:
            raise ConfigError(
                f"{name} is set but {match.group(1).lower()!r} is not in OAUTH_PROVIDERS "
                f"(OAUTH_PROVIDERS={get('OAUTH_PROVIDERS')!r})"
            )

    configs = []
    for provider_id in ids:
        client_id, client_secret = (
            get(oauth_key(provider_id, "CLIENT_ID")),
            get(oauth_key(provider_id, "CLIENT_SECRET")),
        )
        for suffix, value in (("CLIENT_ID", client_id), ("CLIENT_SECRET", client_secret)):
            if not value:
                raise ConfigError(
                    f"{oauth_key(provider_id, suffix)} must be set: {provider_id!r} is in OAUTH_PROVIDERS"
                )
        name = (
            get(oauth_key(provider_id, "NAME")) or KNOWN_NAMES.get(provider_id) or provider_id.replace("_", " ").title()
        )
        issuer_key = oauth_key(provider_id, "ISSUER")
        if provider_id == "github":
            if get(issuer_key):
                raise ConfigError(
                    f"{issuer_key} is not used: GitHub is not an OpenID Connect provider "
                    "(GitHub Enterprise Server: set OAUTH_GITHUB_URL and OAUTH_GITHUB_API_URL)"
                )
            configs.append(
                OAuthProvider(
                    provider_id,
                    name,
                    "github",
                    client_id,
                    client_secret,
                    github_url=_oauth_url(
                        "OAUTH_GITHUB_URL", get("OAUTH_GITHUB_URL") or GITHUB_URL, production=production
                    ),
                    github_api_url=_oauth_url(
                        "OAUTH_GITHUB_API_URL", get("OAUTH_GITHUB_API_URL") or GITHUB_API_URL, production=production
                    ),
                )
            )
            continue
        raw_issuer = get(issuer_key) or (GOOGLE_ISSUER if provider_id == "google" else "")
        if not raw_issuer:
            raise ConfigError(
                f"{issuer_key} must be set: {provider_id!r} is an OpenID Connect provider, found by discovery "
                "at <issuer>/.well-known/openid-configuration (e.g. https://login.microsoftonline.com/<tenant>/v2.0)"
            )
        issuer = _oauth_url(issuer_key, raw_issuer, production=production)
        configs.append(OAuthProvider(provider_id, name, "oidc", client_id, client_secret, issuer=issuer))
    if "github" not in ids:
        for suffix in ("URL", "API_URL"):
            if get(oauth_key("github", suffix)):
                raise ConfigError(f"{oauth_key('github', suffix)} is set but 'github' is not in OAUTH_PROVIDERS")
    return tuple(configs)
