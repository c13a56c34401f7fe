"""One Settings object, read from the environment (and `.env` via python-dotenv), validated once at start-up.

Every key is documented in `.env.example`. A missing or malformed setting raises `ConfigError` with a message that
names the key; the CLI prints it and exits non-zero. In development, missing secrets are generated once and kept in
an ignored file (`<DATA_DIR>/dev-secrets.env`); in production a missing or weak secret stops start-up.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Callable, Mapping, TypeVar
from urllib.parse import urlsplit

from dotenv import dotenv_values

log = logging.getLogger(__name__)

T = TypeVar("T")

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
    def parse(cls, text: str) -> "RateLimit":
        count, _, window = text.partition("/")
        limit, seconds = int(count), int(window)
        if limit < 1 or seconds < 1:
            raise ValueError("both numbers must be positive")
        return cls(limit, seconds)


@dataclass(frozen=True)
class Settings:
    app_env: str = "development"
    public_url: str = "http://localhost:8000"
    frontend_url: str = "http://localhost:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    data_dir: Path = Path(".data")
    frontend_dist: Path | None = Path("frontend/dist")
    log_level: str = "INFO"
    log_format: str = "text"

    # database
    database_url: str | None = None
    mcp_config: Path = Path(".mcp.json")
    mcp_db_server: str | None = None
    neon_project_id: str | None = None
    neon_branch_id: str | None = None
    neon_database: str | None = None
    neon_role: str | None = None
    neon_mcp_server: str = "neon"
    db_pool_min: int = 1
    db_pool_max: int = 10
    db_pooler: str = "auto"
    db_connect_timeout: float = 5.0
    db_connect_retries: int = 5
    db_command_timeout: float = 10.0

    # secrets
    session_secret: str = field(default="", repr=False)
    jwt_private_key: str = field(default="", repr=False)

    # sessions and tokens
    session_cookie_name: str = "chatbot_session"
    session_ttl_seconds: int = 7 * 24 * 3600
    session_update_age_seconds: int = 24 * 3600
    jwt_issuer: str = "http://localhost:8000"
    jwt_audience: str = "chatbot-agent"
    access_token_ttl_seconds: int = 15 * 60
    reset_token_ttl_seconds: int = 3600

    # passwords
    argon2_memory_kib: int = 19456
    argon2_time_cost: int = 2
    argon2_parallelism: int = 1
    hash_workers: int = 0  # 0: one per core (see hash_pool_size)
    password_min_length: int = 8
    password_max_length: int = 128

    # mail
    smtp_url: str | None = field(default=None, repr=False)
    mail_from: str = "Chatbot Agent <no-reply@localhost>"
    smtp_timeout: float = 10.0

    # abuse resistance
    trusted_origins: tuple[str, ...] = ()
    trusted_proxy_count: int = 0
    rate_limit_enabled: bool = True
    rate_limit_sign_in_ip: RateLimit = RateLimit(30, 300)
    rate_limit_sign_in_email: RateLimit = RateLimit(10, 900)
    rate_limit_sign_up_ip: RateLimit = RateLimit(10, 3600)
    rate_limit_reset_request_ip: RateLimit = RateLimit(10, 3600)
    rate_limit_reset_request_email: RateLimit = RateLimit(3, 3600)
    rate_limit_reset_ip: RateLimit = RateLimit(20, 3600)
    graphql_max_depth: int = 10
    graphql_max_tokens: int = 1000
    graphql_max_aliases: int = 15
    max_body_bytes: int = 65536

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def hash_pool_size(self) -> int:
        """Hashing threads of this process: HASH_WORKERS, or one per core in each worker. Not the cores divided among
        the workers: uvicorn's workers share one listening socket and the first to wake accepts every pending
        connection, so a burst of connections often lands on one worker, which then needs every core (make bench
        measured 63% of the hash-bound limit with cores // workers threads, 76% with one per core)."""
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


PARSERS: dict[str, Callable[[str], object]] = {
    "app_env": _choice(*ENVIRONMENTS),
    "public_url": _url,
    "frontend_url": _url,
    "host": _str,
    "port": _int,
    "workers": _int,
    "data_dir": lambda t: Path(t.strip()),
    "frontend_dist": lambda t: Path(t.strip()) if t.strip() else None,
    "log_level": _log_level,
    "log_format": _choice("text", "json"),
    "database_url": _optional,
    "mcp_config": lambda t: Path(t.strip()),
    "mcp_db_server": _optional,
    "neon_project_id": _optional,
    "neon_branch_id": _optional,
    "neon_database": _optional,
    "neon_role": _optional,
    "neon_mcp_server": _str,
    "db_pool_min": _int,
    "db_pool_max": _int,
    "db_pooler": _choice("auto", "transaction", "session", "none"),
    "db_connect_timeout": _float,
    "db_connect_retries": _int,
    "db_command_timeout": _float,
    "session_secret": _str,
    "jwt_private_key": _str,
    "session_cookie_name": _str,
    "session_ttl_seconds": _int,
    "session_update_age_seconds": _int,
    "jwt_issuer": _str,
    "jwt_audience": _str,
    "access_token_ttl_seconds": _int,
    "reset_token_ttl_seconds": _int,
    "argon2_memory_kib": _int,
    "argon2_time_cost": _int,
    "argon2_parallelism": _int,
    "hash_workers": _int,
    "password_min_length": _int,
    "password_max_length": _int,
    "smtp_url": _optional,
    "mail_from": _str,
    "smtp_timeout": _float,
    "trusted_origins": _origins,
    "trusted_proxy_count": _int,
    "rate_limit_enabled": _bool,
    "graphql_max_depth": _int,
    "graphql_max_tokens": _int,
    "graphql_max_aliases": _int,
    "max_body_bytes": _int,
}

POSITIVE = {
    "port", "workers", "db_pool_max", "db_connect_timeout", "db_command_timeout", "session_ttl_seconds",
    "access_token_ttl_seconds", "reset_token_ttl_seconds", "argon2_memory_kib", "argon2_time_cost",
    "argon2_parallelism", "password_min_length", "password_max_length", "graphql_max_depth", "graphql_max_tokens",
    "graphql_max_aliases", "max_body_bytes", "smtp_timeout",
}  # fmt: skip


def env_key(name: str) -> str:
    return name.upper()


def _parse_field(name: str, raw: str) -> object:
    key = env_key(name)
    parser = PARSERS.get(name)
    if parser is None:
        parser = RateLimit.parse  # every other field is a rate limit
    try:
        value = parser(raw)
    except (ValueError, TypeError) as exc:
        hint = "expected COUNT/SECONDS, e.g. 10/300" if parser == RateLimit.parse else str(exc)
        raise ConfigError(f"{key}={raw!r} is not valid: {hint}") from None
    if name in POSITIVE and isinstance(value, (int, float)) and value <= 0:
        raise ConfigError(f"{key}={raw!r} is not valid: must be greater than zero")
    return value


def load_environment(env_file: str | os.PathLike[str] | None = ".env") -> dict[str, str]:
    """The process environment over the values of `.env` (the process environment wins, as with load_dotenv)."""
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ)
    return values


def load_settings(env: Mapping[str, str] | None = None, *, env_file: str | None = ".env", **overrides: object) -> Settings:
    """Build Settings from `env` (default: process environment over `.env`), then apply keyword overrides.

    Raises ConfigError for the first malformed key, and for missing/weak secrets in production.
    """
    source = load_environment(env_file) if env is None else dict(env)
    values: dict[str, object] = {}
    for f in fields(Settings):
        raw = source.get(env_key(f.name))
        if raw is not None and raw.strip() != "":
            values[f.name] = _parse_field(f.name, raw)
    values.update(overrides)
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
    if s.production and s.argon2_memory_kib < 19456 and s.argon2_time_cost < 2:
        raise ConfigError("argon2 parameters below OWASP's minimum (m=19 MiB, t=2) are refused in production")


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
    from .auth.tokens import generate_private_key

    return {"SESSION_SECRET": secrets.token_urlsafe(32), "JWT_PRIVATE_KEY": generate_private_key()}


def _with_secrets(s: Settings) -> Settings:
    missing = [f for f in ("session_secret", "jwt_private_key") if not getattr(s, f)]
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
    return Settings(**{**{f.name: getattr(s, f.name) for f in fields(Settings)}, **updated})


def _validate_private_key(text: str) -> None:
    from .auth.tokens import load_private_key

    try:
        load_private_key(text)
    except ValueError as exc:
        raise ConfigError(f"JWT_PRIVATE_KEY is not valid: {exc}") from None
